/* store.c — the store interface over a backend vtable: JSON in and out, the change log
 * (each committed write's seq and the records it touched: store.h, changes.c), and the
 * fault-injection hook tests use to break operations on purpose (STYLE R20). Backends see
 * text only; this file owns (de)serialisation.
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
    struct change_ring changes;
    /* Held from taking a seq to publishing it, so seqs are handed out in commit order. */
    pthread_mutex_t commit_lock;
    _Atomic int fail_after;        /* test hook: fail the n-th operation from now; 0 = off */
};

struct store_tx {
    struct store *store;
    void *impl;
    bool write;
    uint64_t seq;                  /* store_last_seq() just before the backend began */
    struct change_set touched;     /* what this transaction put or deleted */
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
    uint64_t last = 0;

    ENSURE(s, CU_E_NOMEM);
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        rc = cu_err_set(err, CU_E_STORE, "the PostgreSQL store is not available in this build yet");
        goto out;
    }
    TRY(store_sqlite_open(url, &s->ops, &s->impl, err));
    rc = s->ops->last_seq(s->impl, &last);
    if (rc != CU_OK) {
        s->ops->close(s->impl);
        cu_err_set(err, rc, "cannot read the store's change log (see the log)");
        goto out;
    }
    /* Seqs start at 1 so that 0 can mean "current to nothing" in caches. */
    change_ring_init(&s->changes, last ? last : 1);
    pthread_mutex_init(&s->commit_lock, NULL);
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
    change_ring_destroy(&s->changes);
    pthread_mutex_destroy(&s->commit_lock);
    free(s);
}

uint64_t store_last_seq(struct store *s)
{
    return atomic_load(&s->changes.last);
}

bool store_changes_since(struct store *s, uint64_t since, store_change_fn fn, void *ctx,
                         uint64_t *upto)
{
    return change_ring_since(&s->changes, since, fn, ctx, upto);
}

uint64_t store_tx_seq(const struct store_tx *tx)
{
    return tx->impl ? tx->seq : 0;
}

uint64_t store_tx_commit_seq(struct store_tx *tx)
{
    uint64_t seq;

    if (!tx->impl || !tx->write || !tx->touched.n)
        return 0;
    /* a writer that committed before this one may not have published its seq yet: it
     * holds commit_lock until it has (store_tx_commit) */
    pthread_mutex_lock(&tx->store->commit_lock);
    seq = atomic_load(&tx->store->changes.last) + 1;
    pthread_mutex_unlock(&tx->store->commit_lock);
    return seq;
}

static void tx_free(struct store_tx *tx)
{
    change_set_free(&tx->touched);
    free(tx);
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
    tx->seq = store_last_seq(tx->store);
    return tx->store->ops->begin(tx->store->impl, tx->write, &tx->impl);
}

cu_rc store_tx_commit(struct store_tx *tx)
{
    struct store *s = tx->store;
    const char *kind, *scope, *key;
    uint64_t seq;
    cu_rc rc = CU_OK;

    if (!tx->impl) {
        tx_free(tx);
        return CU_OK;
    }
    if (inject(s)) {
        s->ops->rollback(s->impl, tx->impl);
        tx_free(tx);
        return CU_E_STORE;
    }
    if (!tx->touched.n) {
        rc = s->ops->commit(s->impl, tx->impl);
        tx_free(tx);
        return rc;
    }
    /* The backend lets the next writer in as its commit returns, before this seq is
     * published: the lock keeps that writer from taking the same seq meanwhile. */
    pthread_mutex_lock(&s->commit_lock);
    seq = atomic_load(&s->changes.last) + 1;
    for (size_t i = 0; i < tx->touched.n && rc == CU_OK; i++) {
        change_set_record(&tx->touched, i, &kind, &scope, &key);
        rc = s->ops->log_change(tx->impl, seq, i, kind, scope, key);
    }
    if (rc == CU_OK) {
        rc = s->ops->commit(s->impl, tx->impl);
        if (rc == CU_OK)
            change_ring_publish(&s->changes, seq, &tx->touched);
    } else {
        s->ops->rollback(s->impl, tx->impl);
    }
    pthread_mutex_unlock(&s->commit_lock);
    tx_free(tx);
    return rc;
}

void store_tx_rollback(struct store_tx *tx)
{
    if (!tx)
        return;
    if (tx->impl)
        tx->store->ops->rollback(tx->store->impl, tx->impl);
    tx_free(tx);
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
    TRY(change_set_add(&tx->touched, kind, scope, key));
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
        TRY(change_set_add(&tx->touched, kind, scope, key));
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
