/* copy.c — one store copied into another and the two compared (store.h, store_copy and
 * store_compare): `custos store migrate --from DIR --to postgres://...` moves an embedded
 * installation into PostgreSQL. Both work on the backends directly, a page at a time:
 * documents go across as the text they are stored as (so the comparison is byte for
 * byte), the index rows are rebuilt from them (kinds.c), change_log rows keep their seq,
 * so a cache or a follower that knew the old store's seqs still finds them in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "store_impl.h"

#define COPY_PAGE 500

/* The two backends of a copy or a comparison, each with its open transaction. */
struct side {
    const struct store_ops *ops;
    void *impl, *tx;
};

static cu_rc side_begin(struct store *s, bool write, struct side *out)
{
    out->ops = store_ops_of(s, &out->impl);
    out->tx = NULL;
    return out->ops->begin(out->impl, write, &out->tx);
}

static void side_end(struct side *side)
{
    if (side->tx)
        side->ops->rollback(side->impl, side->tx);
    side->tx = NULL;
}

static const char *member(const json_t *item, const char *name)
{
    const char *v = json_string_value(json_object_get(item, name));

    return v ? v : "";
}

/* Write one page of records (scan_all items) into `to`. */
static cu_rc put_records(struct side *to, const json_t *items)
{
    cu_rc rc = CU_OK;
    json_t *item, *doc = NULL;
    json_error_t jerr;
    uint64_t version;
    size_t i;

    json_array_foreach(items, i, item)
    {
        const char *kind = member(item, "kind"), *scope = member(item, "scope"),
                   *key = member(item, "key"), *text = member(item, "doc_text");

        doc = json_loads(text, 0, &jerr);
        if (!doc) {
            log_error("store copy: %s/%s/%s does not parse: %s", kind, scope, key, jerr.text);
            rc = CU_E_STORE;
            goto out;
        }
        TRY(to->ops->put(to->tx, kind, scope, key, text, STORE_CREATE, 0, &version));
        TRY(store_index_record(to->ops, to->tx, kind, scope, key, doc));
        json_decref(doc);
        doc = NULL;
    }
out:
    json_decref(doc);
    return rc;
}

/* Copy every record, a page at a time; *n the count. */
static cu_rc copy_records(struct side *from, struct side *to, size_t *n)
{
    cu_rc rc = CU_OK;
    json_t *items = NULL, *last;
    char kind[STORE_NAME_MAX] = "", scope[STORE_NAME_MAX] = "", key[STORE_NAME_MAX] = "";
    bool more = true;

    while (more) {
        more = false;
        items = json_array();
        ENSURE(items, CU_E_NOMEM);
        TRY(from->ops->scan_all(from->tx, kind, scope, key, COPY_PAGE, items, &more));
        TRY(put_records(to, items));
        *n += json_array_size(items);
        last = json_array_get(items, json_array_size(items) - 1);
        if (last) {
            str_copy(kind, sizeof(kind), member(last, "kind"));
            str_copy(scope, sizeof(scope), member(last, "scope"));
            str_copy(key, sizeof(key), member(last, "key"));
        }
        json_decref(items);
        items = NULL;
    }
out:
    json_decref(items);
    return rc;
}

static uint64_t integer(const json_t *item, const char *name)
{
    return (uint64_t)json_integer_value(json_object_get(item, name));
}

/* Copy the change_log rows, keeping their seqs; *n the count. */
static cu_rc copy_log(struct side *from, struct side *to, size_t *n)
{
    cu_rc rc = CU_OK;
    json_t *items = NULL, *item;
    uint64_t seq = 0, row = 0;
    bool more = true;
    size_t i;

    while (more) {
        more = false;
        items = json_array();
        ENSURE(items, CU_E_NOMEM);
        TRY(from->ops->scan_log(from->tx, seq, row, COPY_PAGE, items, &more));
        json_array_foreach(items, i, item)
        {
            seq = integer(item, "seq");
            row = integer(item, "n");
            TRY(to->ops->log_change(to->tx, seq, (size_t)row, member(item, "kind"),
                                    member(item, "scope"), member(item, "key")));
        }
        *n += json_array_size(items);
        json_decref(items);
        items = NULL;
    }
out:
    json_decref(items);
    return rc;
}

/* Whether the store under side holds no record and no change. */
static cu_rc is_empty(struct side *side, bool *empty)
{
    cu_rc rc = CU_OK;
    json_t *records = json_array(), *log = json_array();
    bool more = false;

    ENSURE(records && log, CU_E_NOMEM);
    TRY(side->ops->scan_all(side->tx, "", "", "", 1, records, &more));
    TRY(side->ops->scan_log(side->tx, 0, 0, 1, log, &more));
    *empty = json_array_size(records) == 0 && json_array_size(log) == 0;
out:
    json_decref(records);
    json_decref(log);
    return rc;
}

cu_rc store_copy(struct store *from, struct store *to, struct store_copy_report *r,
                 struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct side src = {0}, dst = {0};
    char *unscoped = NULL;
    bool empty = false;

    memset(r, 0, sizeof(*r));
    TRY(side_begin(from, false, &src));
    TRY(side_begin(to, true, &dst));
    TRY(is_empty(&dst, &empty));
    if (!empty) {
        rc = cu_err_set(err, CU_E_STORE_EXISTS, "the destination store is not empty: "
                                                "a copy goes into a new database only");
        goto out;
    }
    TRY(copy_records(&src, &dst, &r->records));
    TRY(copy_log(&src, &dst, &r->changes));
    /* a v2 data dir whose regional records still wait for their region */
    TRY(src.ops->meta_get(src.tx, STORE_META_UNSCOPED, &unscoped));
    if (unscoped)
        TRY(dst.ops->meta_set(dst.tx, STORE_META_UNSCOPED, unscoped));
    r->last_seq = store_last_seq(from);
    rc = dst.ops->commit(dst.impl, dst.tx);
    dst.tx = NULL;
out:
    side_end(&dst);
    side_end(&src);
    free(unscoped);
    if (rc != CU_OK && err->code == CU_OK)
        cu_err_set(err, rc, "the copy failed and was rolled back (see the log)");
    return rc;
}

/* Compare one page of each side's rows (the members named), in order. */
static bool same_rows(const json_t *a, const json_t *b, const char *const *names, size_t n_names,
                      char *where, size_t cap)
{
    size_t n = json_array_size(a) < json_array_size(b) ? json_array_size(a) : json_array_size(b);

    for (size_t i = 0; i <= n; i++) {
        const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
        bool same = x && y;

        if (!x && !y)
            return true;
        for (size_t k = 0; same && k < n_names; k++)
            same = json_equal(json_object_get(x, names[k]), json_object_get(y, names[k]));
        if (!same) {
            snprintf(where, cap, "%s/%s/%s against %s/%s/%s", member(x, "kind"),
                     member(x, "scope"), member(x, "key"), member(y, "kind"),
                     member(y, "scope"), member(y, "key"));
            return false;
        }
    }
    return true;
}

cu_rc store_compare(struct store *a, struct store *b, struct store_copy_report *r,
                    struct cu_err *err)
{
    static const char *const record_names[] = {"kind", "scope", "key", "doc_text"};
    static const char *const log_names[] = {"seq", "n", "kind", "scope", "key"};
    cu_rc rc = CU_OK;
    struct side x = {0}, y = {0};
    json_t *xs = NULL, *ys = NULL, *last;
    char kind[STORE_NAME_MAX] = "", scope[STORE_NAME_MAX] = "", key[STORE_NAME_MAX] = "";
    char where[6 * STORE_NAME_MAX + 16];
    uint64_t seq = 0, row = 0;
    bool more_x = true, more_y = true;

    memset(r, 0, sizeof(*r));
    TRY(side_begin(a, false, &x));
    TRY(side_begin(b, false, &y));
    for (int pass = 0; pass < 2; pass++) {
        more_x = more_y = true;
        while (more_x || more_y) {
            more_x = more_y = false;
            xs = json_array();
            ys = json_array();
            ENSURE(xs && ys, CU_E_NOMEM);
            if (pass == 0) {
                TRY(x.ops->scan_all(x.tx, kind, scope, key, COPY_PAGE, xs, &more_x));
                TRY(y.ops->scan_all(y.tx, kind, scope, key, COPY_PAGE, ys, &more_y));
            } else {
                TRY(x.ops->scan_log(x.tx, seq, row, COPY_PAGE, xs, &more_x));
                TRY(y.ops->scan_log(y.tx, seq, row, COPY_PAGE, ys, &more_y));
            }
            if (!same_rows(xs, ys, pass == 0 ? record_names : log_names, pass == 0 ? 4 : 5,
                           where, sizeof(where)) ||
                more_x != more_y) {
                rc = cu_err_set(err, CU_E_STORE, "the stores differ: %s at %s",
                                pass == 0 ? "a record" : "a change", where);
                goto out;
            }
            last = json_array_get(xs, json_array_size(xs) - 1);
            if (last && pass == 0) {
                str_copy(kind, sizeof(kind), member(last, "kind"));
                str_copy(scope, sizeof(scope), member(last, "scope"));
                str_copy(key, sizeof(key), member(last, "key"));
            } else if (last) {
                seq = integer(last, "seq");
                row = integer(last, "n");
            }
            *(pass == 0 ? &r->records : &r->changes) += json_array_size(xs);
            json_decref(xs);
            json_decref(ys);
            xs = ys = NULL;
        }
    }
    r->last_seq = store_last_seq(a);
    if (store_last_seq(b) != r->last_seq)
        rc = cu_err_set(err, CU_E_STORE, "the stores differ: last seq %llu and %llu",
                        (unsigned long long)r->last_seq,
                        (unsigned long long)store_last_seq(b));
out:
    json_decref(xs);
    json_decref(ys);
    side_end(&x);
    side_end(&y);
    if (rc != CU_OK && err->code == CU_OK)
        cu_err_set(err, rc, "the stores could not be compared (see the log)");
    return rc;
}
