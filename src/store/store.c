/* store.c — the store interface over a backend vtable: JSON in and out, the write
 * generation, and the fault-injection hook tests use to break operations on purpose
 * (STYLE R20). Backends see text only; this file owns (de)serialisation.
 *
 * A transaction reaches the backend only at its first operation: a call served from
 * caches (an Encrypt whose key and policies are cached) never touches the database. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store_impl.h"

struct store {
    const struct store_ops *ops;
    void *impl;
    _Atomic uint64_t generation;
    _Atomic int fail_after;        /* test hook: fail the n-th operation from now; 0 = off */
};

struct store_tx {
    struct store *store;
    void *impl;
    bool write;
    bool wrote;
};

/* The fault hook: true when this operation must fail. */
static bool inject(struct store *s)
{
    int n = atomic_load(&s->fail_after);

    if (n <= 0)
        return false;
    if (atomic_fetch_sub(&s->fail_after, 1) == 1)
        return true;
    return false;
}

void store_test_fail_after(struct store *s, int n_ops)
{
    atomic_store(&s->fail_after, n_ops);
}

cu_rc store_open(const char *url, struct store **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct store *s = calloc(1, sizeof(*s));

    ENSURE(s, CU_E_NOMEM);
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        rc = cu_err_set(err, CU_E_STORE, "the PostgreSQL store is not available in this build yet");
        goto out;
    }
    TRY(store_sqlite_open(url, &s->ops, &s->impl, err));
    /* Generations start at 1 so that 0 can mean "never valid" in caches. */
    atomic_init(&s->generation, 1);
    *out = s;
    s = NULL;
out:
    free(s);
    return rc;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    s->ops->close(s->impl);
    free(s);
}

uint64_t store_generation(struct store *s)
{
    return atomic_load(&s->generation);
}

cu_rc store_tx_begin(struct store *s, bool write, struct store_tx **out)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = calloc(1, sizeof(*tx));

    ENSURE(tx, CU_E_NOMEM);
    ENSURE(!inject(s), CU_E_STORE);
    tx->store = s;
    tx->write = write;
    *out = tx;
    tx = NULL;
out:
    free(tx);
    return rc;
}

/* Open the backend transaction on first use. */
static cu_rc begun(struct store_tx *tx)
{
    if (tx->impl)
        return CU_OK;
    return tx->store->ops->begin(tx->store->impl, tx->write, &tx->impl);
}

cu_rc store_tx_commit(struct store_tx *tx)
{
    struct store *s = tx->store;
    cu_rc rc;

    if (!tx->impl) {
        free(tx);
        return CU_OK;
    }
    if (inject(s)) {
        s->ops->rollback(s->impl, tx->impl);
        free(tx);
        return CU_E_STORE;
    }
    rc = s->ops->commit(s->impl, tx->impl);
    if (rc == CU_OK && tx->wrote)
        atomic_fetch_add(&s->generation, 1);
    free(tx);
    return rc;
}

void store_tx_rollback(struct store_tx *tx)
{
    if (!tx)
        return;
    if (tx->impl)
        tx->store->ops->rollback(tx->store->impl, tx->impl);
    free(tx);
}

cu_rc store_get(struct store_tx *tx, const char *kind, const char *scope, const char *key,
                json_t **doc)
{
    cu_rc rc = CU_OK;
    char *text = NULL;
    json_error_t jerr;

    *doc = NULL;
    ENSURE(!inject(tx->store), CU_E_STORE);
    TRY(begun(tx));
    TRY(tx->store->ops->get(tx->impl, kind, scope, key, &text));
    if (text) {
        *doc = json_loads(text, 0, &jerr);
        if (!*doc) {
            log_error("store: %s/%s/%s does not parse: %s", kind, scope, key, jerr.text);
            rc = CU_E_STORE;
        }
    }
out:
    free(text);
    return rc;
}

cu_rc store_put(struct store_tx *tx, const char *kind, const char *scope, const char *key,
                const json_t *doc, enum store_put_mode mode)
{
    cu_rc rc = CU_OK;
    char *text = NULL;

    ENSURE(tx->write, CU_E_INTERNAL);
    ENSURE(!inject(tx->store), CU_E_STORE);
    TRY(begun(tx));
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    ENSURE(text, CU_E_NOMEM);
    TRY(tx->store->ops->put(tx->impl, kind, scope, key, text, mode));
    tx->wrote = true;
out:
    free(text);
    return rc;
}

cu_rc store_delete(struct store_tx *tx, const char *kind, const char *scope, const char *key,
                   bool *existed)
{
    cu_rc rc = CU_OK;
    bool gone = false;

    ENSURE(tx->write, CU_E_INTERNAL);
    ENSURE(!inject(tx->store), CU_E_STORE);
    TRY(begun(tx));
    TRY(tx->store->ops->del(tx->impl, kind, scope, key, &gone));
    if (gone)
        tx->wrote = true;
    if (existed)
        *existed = gone;
out:
    return rc;
}

cu_rc store_list(struct store_tx *tx, const char *kind, const char *scope, const char *after,
                 size_t limit, json_t **items, bool *more)
{
    cu_rc rc = CU_OK;
    json_t *list = json_array();

    *items = NULL;
    *more = false;
    ENSURE(list, CU_E_NOMEM);
    ENSURE(!inject(tx->store), CU_E_STORE);
    TRY(begun(tx));
    TRY(tx->store->ops->list(tx->impl, kind, scope, after, limit, list, more));
    *items = list;
    list = NULL;
out:
    json_decref(list);
    return rc;
}

cu_rc store_each(struct store_tx *tx, const char *kind, const char *scope, store_each_fn fn,
                 void *ctx)
{
    cu_rc rc = CU_OK;
    json_t *items = NULL, *item;
    char *after = NULL;
    bool more = true;
    size_t i;

    while (more) {
        TRY(store_list(tx, kind, scope, after, 100, &items, &more));
        json_array_foreach(items, i, item)
            TRY(fn(json_string_value(json_object_get(item, "key")), json_object_get(item, "doc"),
                   ctx));
        free(after);
        after = json_array_size(items)
                    ? strdup(json_string_value(json_object_get(json_array_get(items, i - 1), "key")))
                    : NULL;
        ENSURE(after || !more, CU_E_NOMEM);
        json_decref(items);
        items = NULL;
    }
out:
    free(after);
    json_decref(items);
    return rc;
}

cu_rc store_count(struct store_tx *tx, const char *kind, const char *scope, size_t *n)
{
    cu_rc rc = CU_OK;

    ENSURE(!inject(tx->store), CU_E_STORE);
    TRY(begun(tx));
    TRY(tx->store->ops->count(tx->impl, kind, scope, n));
out:
    return rc;
}
