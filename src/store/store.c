/* store.c — the store interface over a backend vtable: JSON in and out, the change log
 * (each committed write's seq and the records it touched: store.h, changes.c) and its
 * pruning, index maintenance on every put and delete (kinds.c), compare-and-set against
 * the versions a transaction read (versions.c), and the fault-injection hooks tests use
 * to break operations on purpose (STYLE R20). Backends see text only; this file owns
 * (de)serialisation.
 *
 * A transaction reaches the backend only at its first operation: a call served from
 * caches (an Encrypt whose key and policies are cached) never touches the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/stats.h"
#include "core/ticker.h"
#include "store_impl.h"

struct store {
    const struct store_ops *ops;
    void *impl;
    struct change_ring changes;
    /* Held from taking a seq to publishing it, so seqs are handed out in commit order. */
    pthread_mutex_t commit_lock;
    _Atomic int fail_after;        /* test hook: fail the n-th operation from now; 0 = off */
    _Atomic int conflict_after;    /* test hook: the n-th put from now conflicts; 0 = off */
    _Atomic int conflict_times;    /* ... and so many puts from it on */
    _Atomic uint64_t log_keep;     /* change_log keeps this many transactions */
    uint64_t pruned_at;            /* seq of the last prune (under commit_lock) */
    char node_meta[STORE_NAME_MAX]; /* store_set_node's meta entry; "": none */
    /* Several nodes: whether the caches may answer (staleness.c), and the watchdog that
     * turns them off when the change log has not been read for STORE_STALE_MS, whatever
     * the follower is stuck in (NULL: one writer, always current). */
    struct staleness staleness;
    struct ticker *watchdog;
};

struct store_tx {
    struct store *store;
    void *impl;
    bool write;
    uint64_t seq;                  /* store_last_seq() just before the backend began */
    uint64_t epoch;                /* store_epoch() then (staleness.c) */
    uint64_t reserved;             /* the seq ops->reserve_seq gave it; 0: none yet */
    struct change_set touched;     /* what this transaction put or deleted */
    struct read_set read;          /* write transactions: the versions read */
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

void store_test_conflicts(struct store *s, int n_puts, int times)
{
    atomic_store(&s->conflict_times, times);
    atomic_store(&s->conflict_after, n_puts);
}

/* The conflict hook: true when this put must report a lost compare-and-set. */
static bool inject_conflict(struct store *s)
{
    int n = atomic_load(&s->conflict_after);

    if (n <= 0)
        return false;
    if (n > 1) {
        atomic_fetch_sub(&s->conflict_after, 1);
        return false;
    }
    if (atomic_fetch_sub(&s->conflict_times, 1) <= 1)
        atomic_store(&s->conflict_after, 0);
    return true;
}

void store_set_log_keep(struct store *s, uint64_t keep)
{
    atomic_store(&s->log_keep, keep ? keep : 1);
}

bool store_url_is_postgres(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

int64_t store_mono_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read the change log up to its end; one that got there tells the staleness bound. */
static void follow(struct store *s)
{
    int64_t began;

    if (follow_read(s->ops, s->impl, &s->changes, &s->commit_lock, &began))
        staleness_read(&s->staleness, began, store_mono_ms());
}

/* The backend's listener: seq committed somewhere (0: maybe something). */
static void store_wake(void *ctx, uint64_t seq)
{
    struct store *s = ctx;

    if (seq && seq <= store_last_seq(s))
        return; /* this node's own commit, or one it has read already */
    follow(s);
}

/* The watchdog's tick: a thread of its own, so that a follower stuck in a read that never
 * answers (a network that drops packets: libpq waits for TCP to give up, minutes) still
 * has the node stop trusting its caches in time. */
static void watch_tick(void *ctx)
{
    struct store *s = ctx;

    staleness_check(&s->staleness, store_mono_ms());
}

cu_rc store_open(const char *url, struct store **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct store *s = calloc(1, sizeof(*s));
    uint64_t last = 0;

    ENSURE(s, CU_E_NOMEM);
    if (store_url_is_postgres(url)) {
        TRY(store_pg_open(url, &s->ops, &s->impl, err));
    } else {
        TRY(store_sqlite_open(url, &s->ops, &s->impl, err));
        rc = store_migrate(s->ops, s->impl, err);
        if (rc != CU_OK) {
            s->ops->close(s->impl);
            goto out;
        }
    }
    rc = s->ops->last_seq(s->impl, &last);
    if (rc != CU_OK) {
        s->ops->close(s->impl);
        cu_err_set(err, rc, "cannot read the store's change log (see the log)");
        goto out;
    }
    /* Seqs start at 1 so that 0 can mean "current to nothing" in caches. */
    change_ring_init(&s->changes, last ? last : 1);
    pthread_mutex_init(&s->commit_lock, NULL);
    atomic_init(&s->log_keep, STORE_LOG_KEEP);
    s->pruned_at = last;
    /* the log was just read (its last seq): current */
    staleness_init(&s->staleness, store_mono_ms(), STORE_STALE_MS);
    if (s->ops->follow &&
        (s->ops->follow(s->impl, store_wake, s) != CU_OK ||
         ticker_start(STORE_WATCH_MS, watch_tick, s, &s->watchdog) != CU_OK)) {
        s->ops->close(s->impl); /* stops the follower, if it started */
        change_ring_destroy(&s->changes);
        pthread_mutex_destroy(&s->commit_lock);
        staleness_destroy(&s->staleness);
        rc = cu_err_set(err, CU_E_STORE, "cannot follow the store's change log (see the log)");
        goto out;
    }
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
    ticker_stop(s->watchdog);
    s->ops->close(s->impl);
    change_ring_destroy(&s->changes);
    pthread_mutex_destroy(&s->commit_lock);
    staleness_destroy(&s->staleness);
    free(s);
}

const struct store_ops *store_ops_of(struct store *s, void **impl)
{
    *impl = s->impl;
    return s->ops;
}

const char *store_backend(const struct store *s)
{
    return s->ops->name;
}

bool store_healthy(struct store *s, char *reason, size_t cap)
{
    void *t = NULL;
    size_t n = 0;
    bool ok = s->ops->begin(s->impl, false, &t) == CU_OK;

    if (ok) {
        ok = s->ops->count(t, "health", "", &n) == CU_OK;
        s->ops->rollback(s->impl, t);
    }
    if (!ok)
        snprintf(reason, cap, "the %s store does not answer (see the log)", s->ops->name);
    return ok;
}

static const char *node_meta(const struct store *s)
{
    return s->node_meta[0] ? s->node_meta : NULL;
}

void store_set_node(struct store *s, const char *node)
{
    if (s->ops->reserve_seq)
        snprintf(s->node_meta, sizeof(s->node_meta), STORE_META_NODE_SEQ "%s", node);
}

cu_rc store_node_seq(struct store *s, uint64_t *seq, bool *kept)
{
    cu_rc rc = CU_OK;
    void *t = NULL;
    char *value = NULL;

    *seq = store_last_seq(s);
    *kept = !s->node_meta[0];
    if (!s->node_meta[0])
        return CU_OK;
    TRY(s->ops->begin(s->impl, false, &t));
    rc = s->ops->meta_get(t, s->node_meta, &value);
    s->ops->rollback(s->impl, t);
    TRY(rc);
    if (value) {
        *seq = strtoull(value, NULL, 10);
        *kept = true;
    }
out:
    free(value);
    return rc;
}

uint64_t store_last_seq(struct store *s)
{
    return atomic_load(&s->changes.last);
}

bool store_sync(struct store *s, uint64_t since)
{
    if (!s->ops->follow)
        return false;
    follow(s);
    return store_last_seq(s) > since;
}

uint64_t store_epoch(struct store *s)
{
    return staleness_epoch(&s->staleness);
}

bool store_stale(struct store *s)
{
    return staleness_is_stale(store_epoch(s));
}

bool store_changes_since(struct store *s, uint64_t since, store_change_fn fn, void *ctx,
                         uint64_t *upto)
{
    return change_ring_since(&s->changes, since, fn, ctx, upto);
}

uint64_t store_tx_seq(const struct store_tx *tx)
{
    /* a transaction that has written sees its own uncommitted changes, which a rollback
     * would take back: nothing it reads may outlive it in a cache; nor may what a stale
     * node reads, since nothing would tell the cache when it changes */
    return tx->impl && !tx->touched.n && !staleness_is_stale(tx->epoch) ? tx->seq : 0;
}

uint64_t store_tx_epoch(const struct store_tx *tx)
{
    return tx->epoch;
}

bool store_tx_read_version(const struct store_tx *tx, const char *kind, const char *scope,
                           const char *key, uint64_t *version)
{
    return read_set_lookup(&tx->read, kind, scope, key, version);
}

cu_rc store_tx_note_read(struct store_tx *tx, const char *kind, const char *scope,
                         const char *key, uint64_t version)
{
    return read_set_note(&tx->read, kind, scope, key, version);
}

uint64_t store_tx_commit_seq(struct store_tx *tx)
{
    uint64_t seq;

    if (!tx->impl || !tx->write || !tx->touched.n)
        return 0;
    if (tx->store->ops->reserve_seq) {
        /* a failure leaves the transaction failed: its commit fails too, and 0 tells
         * the caller so */
        if (!tx->reserved && tx->store->ops->reserve_seq(tx->impl, node_meta(tx->store),
                                                         &tx->reserved) != CU_OK)
            tx->reserved = 0;
        return tx->reserved;
    }
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
    read_set_free(&tx->read);
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
    tx->epoch = store_epoch(tx->store);
    tx->seq = store_last_seq(tx->store);
    return tx->store->ops->begin(tx->store->impl, tx->write, &tx->impl);
}

cu_rc store_tx_commit(struct store_tx *tx)
{
    struct store *s = tx->store;
    const char *kind, *scope, *key;
    uint64_t seq, keep;
    bool pruning, others_more = false;
    json_t *others = NULL;
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
    if (s->ops->reserve_seq && !tx->reserved)
        rc = s->ops->reserve_seq(tx->impl, node_meta(s), &tx->reserved);
    if (s->ops->reserve_seq)
        seq = tx->reserved;
    /* other nodes committed since this node's last seq: their rows, read here (this
     * writer's snapshot holds them all), go into the ring before this seq */
    if (rc == CU_OK && s->ops->reserve_seq && seq > store_last_seq(s) + 1) {
        others = json_array();
        if (others)
            rc = s->ops->scan_log(tx->impl, store_last_seq(s), INT64_MAX, FOLLOW_PAGE, others,
                                  &others_more);
    }
    for (size_t i = 0; i < tx->touched.n && rc == CU_OK; i++) {
        change_set_record(&tx->touched, i, &kind, &scope, &key);
        rc = s->ops->log_change(tx->impl, seq, i, kind, scope, key);
    }
    keep = atomic_load(&s->log_keep);
    pruning = rc == CU_OK && seq > keep && seq - s->pruned_at > keep / 8;
    if (pruning)
        rc = s->ops->prune_log(tx->impl, seq - keep + 1);
    if (rc == CU_OK) {
        /* while this writer holds the write lock no other node commits, and its snapshot
         * held every earlier commit, whose rows were read above: once it commits, the
         * ring is current as of now (store.h, "Several nodes") */
        int64_t current_ms = s->ops->follow ? store_mono_ms() : 0;

        rc = s->ops->commit(s->impl, tx->impl);
        if (rc == CU_OK && pruning)
            s->pruned_at = seq;
        if (rc == CU_OK && others)
            follow_publish(&s->changes, others, others_more);
        if (rc == CU_OK) {
            change_ring_skip(&s->changes, seq - 1); /* what the rows above did not cover */
            change_ring_publish(&s->changes, seq, &tx->touched);
        }
        if (rc == CU_OK && s->ops->follow)
            staleness_read(&s->staleness, current_ms, store_mono_ms());
    } else {
        s->ops->rollback(s->impl, tx->impl);
    }
    pthread_mutex_unlock(&s->commit_lock);
    json_decref(others);
    stats_add(rc == CU_OK ? STATS_STORE_COMMIT : STATS_STORE_COMMIT_FAILED, 1);
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

cu_rc store_get_version(struct store_tx *tx, const char *kind, const char *scope,
                        const char *key, json_t **doc, uint64_t *version)
{
    cu_rc rc = CU_OK;
    char *text = NULL;
    json_error_t jerr;

    *doc = NULL;
    ENSURE(!inject(tx->store), CU_E_STORE);
    TRY(begun(tx));
    TRY(tx->store->ops->get(tx->impl, kind, scope, key, &text, version));
    if (tx->write)
        TRY(read_set_note(&tx->read, kind, scope, key, *version));
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

cu_rc store_get(struct store_tx *tx, const char *kind, const char *scope, const char *key,
                json_t **doc)
{
    uint64_t version;

    return store_get_version(tx, kind, scope, key, doc, &version);
}

/* Write doc at the address: expect > 0 replaces only that version; then the record's
 * index rows, the change set and the version this transaction now knows. */
static cu_rc put_at(struct store_tx *tx, const char *kind, const char *scope, const char *key,
                    const json_t *doc, enum store_put_mode mode, uint64_t expect)
{
    cu_rc rc = CU_OK;
    const struct store_ops *ops = tx->store->ops;
    char *text = NULL;
    uint64_t version = 0;

    ENSURE(tx->write, CU_E_INTERNAL);
    ENSURE(!inject(tx->store), CU_E_STORE);
    ENSURE(!inject_conflict(tx->store), CU_E_STORE_CONFLICT);
    TRY(begun(tx));
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    ENSURE(text, CU_E_NOMEM);
    TRY(ops->put(tx->impl, kind, scope, key, text, mode, expect, &version));
    TRY(store_index_record(ops, tx->impl, kind, scope, key, doc));
    TRY(change_set_add(&tx->touched, kind, scope, key));
    TRY(read_set_note(&tx->read, kind, scope, key, version));
out:
    free(text);
    return rc;
}

cu_rc store_put(struct store_tx *tx, const char *kind, const char *scope, const char *key,
                const json_t *doc, enum store_put_mode mode)
{
    cu_rc rc = CU_OK;
    uint64_t read = 0;

    if (mode == STORE_CREATE || !read_set_lookup(&tx->read, kind, scope, key, &read))
        return put_at(tx, kind, scope, key, doc, mode, 0);
    if (read)
        return put_at(tx, kind, scope, key, doc, mode, read);
    /* read as absent: a REPLACE finds it absent still; an UPSERT must create it, and
     * finding it created since is a conflict */
    ENSURE(mode == STORE_UPSERT, CU_E_STORE_ABSENT);
    rc = put_at(tx, kind, scope, key, doc, STORE_CREATE, 0);
    if (rc == CU_E_STORE_EXISTS)
        rc = CU_E_STORE_CONFLICT;
out:
    return rc;
}

cu_rc store_put_version(struct store_tx *tx, const char *kind, const char *scope,
                        const char *key, const json_t *doc, uint64_t version)
{
    if (!version)
        return CU_E_INTERNAL;
    return put_at(tx, kind, scope, key, doc, STORE_REPLACE, version);
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
    if (gone) {
        TRY(store_index_record(tx->store->ops, tx->impl, kind, scope, key, NULL));
        TRY(change_set_add(&tx->touched, kind, scope, key));
        TRY(read_set_note(&tx->read, kind, scope, key, 0));
    }
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

/* The lookup names an index kinds.c declares for its kind. */
static bool declared(const struct store_lookup *q)
{
    const struct store_kind *k = store_kind_find(q->kind);

    for (size_t i = 0; k && i < STORE_INDEXES_MAX && k->indexes[i].name; i++)
        if (strcmp(k->indexes[i].name, q->index) == 0)
            return true;
    log_error("store: %s has no index %s", q->kind, q->index);
    return false;
}

static cu_rc find(struct store_tx *tx, const struct store_lookup *q, bool prefix,
                  const struct store_position *after, size_t limit, json_t **items, bool *more)
{
    cu_rc rc = CU_OK;
    json_t *list = json_array(), *item;
    size_t i;

    *items = NULL;
    *more = false;
    ENSURE(list, CU_E_NOMEM);
    ENSURE(declared(q), CU_E_INTERNAL);
    ENSURE(!inject(tx->store), CU_E_STORE);
    TRY(begun(tx));
    TRY(tx->store->ops->find(tx->impl, q, prefix, after, limit, list, more));
    json_array_foreach(list, i, item)
    {
        json_int_t version = json_integer_value(json_object_get(item, "version"));
        if (tx->write)
            TRY(read_set_note(&tx->read, q->kind,
                              json_string_value(json_object_get(item, "scope")),
                              json_string_value(json_object_get(item, "key")),
                              (uint64_t)version));
        json_object_del(item, "version");
    }
    *items = list;
    list = NULL;
out:
    json_decref(list);
    return rc;
}

cu_rc store_find(struct store_tx *tx, const struct store_lookup *q,
                 const struct store_position *after, size_t limit, json_t **items, bool *more)
{
    return find(tx, q, false, after, limit, items, more);
}

cu_rc store_find_prefix(struct store_tx *tx, const struct store_lookup *q,
                        const struct store_position *after, size_t limit, json_t **items,
                        bool *more)
{
    return find(tx, q, true, after, limit, items, more);
}

cu_rc store_find_one(struct store_tx *tx, const struct store_lookup *q, char *scope, char *key,
                     json_t **doc)
{
    cu_rc rc = CU_OK;
    json_t *items = NULL, *item;
    bool more = false;

    *doc = NULL;
    TRY(store_find(tx, q, NULL, 1, &items, &more));
    if (more) {
        log_error("store: %s index %s holds one value twice", q->kind, q->index);
        rc = CU_E_STORE;
        goto out;
    }
    item = json_array_get(items, 0);
    if (!item)
        goto out;
    if (scope)
        str_copy(scope, STORE_NAME_MAX, json_string_value(json_object_get(item, "scope")));
    if (key)
        str_copy(key, STORE_NAME_MAX, json_string_value(json_object_get(item, "key")));
    *doc = json_incref(json_object_get(item, "doc"));
out:
    json_decref(items);
    return rc;
}

cu_rc store_find_count(struct store_tx *tx, const struct store_lookup *q, size_t *n)
{
    cu_rc rc = CU_OK;

    ENSURE(declared(q), CU_E_INTERNAL);
    ENSURE(!inject(tx->store), CU_E_STORE);
    TRY(begun(tx));
    TRY(tx->store->ops->find_count(tx->impl, q, n));
out:
    return rc;
}

/* "<account>[/rest]" -> "<account>/<region>[/rest]". */
static void regional_scope(const char *old, const char *region, char out[STORE_NAME_MAX])
{
    const char *slash = strchr(old, '/');
    int account_len = (int)(slash ? (size_t)(slash - old) : strlen(old));

    snprintf(out, STORE_NAME_MAX, "%.*s/%s%s", account_len, old, region, slash ? slash : "");
}

/* Move every record of one regional kind under the region (store_adopt_region). */
static cu_rc adopt_kind(struct store_tx *tx, const char *kind, const char *region)
{
    cu_rc rc = CU_OK;
    const struct store_ops *ops = tx->store->ops;
    json_t *items = json_array(), *item;
    char scope[STORE_NAME_MAX];
    bool gone;
    size_t i;

    ENSURE(items, CU_E_NOMEM);
    TRY(ops->scan_kind(tx->impl, kind, items));
    json_array_foreach(items, i, item)
    {
        const char *old = json_string_value(json_object_get(item, "scope"));
        const char *key = json_string_value(json_object_get(item, "key"));

        regional_scope(old, region, scope);
        TRY(ops->del(tx->impl, kind, old, key, &gone));
        TRY(store_index_record(ops, tx->impl, kind, old, key, NULL));
        TRY(change_set_add(&tx->touched, kind, old, key));
        TRY(put_at(tx, kind, scope, key, json_object_get(item, "doc"), STORE_CREATE, 0));
    }
out:
    json_decref(items);
    return rc;
}

cu_rc store_adopt_region(struct store *s, const char *region, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    char *pending = NULL;

    TRY(store_tx_begin(s, true, &tx));
    TRY(begun(tx));
    TRY(s->ops->meta_get(tx->impl, STORE_META_UNSCOPED, &pending));
    if (!pending)
        goto out;
    log_info("store: moving the regional records of schema v2 under region %s", region);
    for (size_t k = 0; k < store_kinds_n; k++)
        if (store_kinds[k].class == STORE_CLASS_REGIONAL)
            TRY(adopt_kind(tx, store_kinds[k].kind, region));
    TRY(s->ops->meta_set(tx->impl, STORE_META_UNSCOPED, NULL));
    rc = store_tx_commit(tx);
    tx = NULL;
out:
    store_tx_rollback(tx);
    if (rc != CU_OK)
        cu_err_set(err, rc, "cannot move the store's regional records under region %s (see "
                            "the log)", region);
    free(pending);
    return rc;
}
