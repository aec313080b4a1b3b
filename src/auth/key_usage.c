/* key_usage.c — the in-memory table of access key uses and its flusher (key_usage.h).
 *
 * The table is insert-only until key_usage_stop: a bucket's chain is published with a
 * release store of its head (the new entry's next set before), so key_usage_note walks it
 * with acquire loads and no lock, and an entry's noted_ms is read relaxed: a stale value
 * only sends the caller to the lock, which decides. Everything else of an entry (its last
 * use, dirty flag) changes under u->lock, which the flusher takes only to copy the dirty
 * notes out; the store is written with the lock released.
 *
 *   note ──> dirty ──flush copies──> clean ──(write fails)──> dirty again
 *
 * Entries are never freed before stop, so a walker never sees freed memory; the table
 * holds one entry per access key that has authenticated since start (two per user at
 * most, by IAM's quota), not per request.
 *
 * A second table, alike in every rule above, holds the access advisor's notes: one entry
 * per (IAM user, action) attempted since start, keyed by the user's unique id and the
 * action's address (descriptors' strings, so no string compare of the action), flushed by
 * the same thread in the same passes into RECORD_ACTION_LAST_USED. */
#include "key_usage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/ticker.h"
#include "core/tree.h"
#include "store/records.h"
#include "store/store.h"

#define BUCKETS 4096
#define AKID_MAX 32
#define NAME_MAX_LEN 64
/* records per flush transaction: well inside the store's change ring (CHANGE_RING_SIZE),
 * so caches following it never have to drop everything because of a flush */
#define FLUSH_BATCH 256
#define ENTITY_MAX 32  /* an IAM unique id: "AIDA" and 17 more characters */
#define ACCOUNT_MAX 13

struct ku_entry {
    struct ku_entry *next;     /* bucket chain: set before publication, never changed */
    struct ku_entry *all_next; /* every entry, under u->lock */
    _Atomic int64_t noted_ms;  /* last note (relaxed: the hot path's one compare) */
    char akid[AKID_MAX];
    /* under u->lock */
    bool dirty;
    int64_t last_ms;
    char service[NAME_MAX_LEN];
    char region[NAME_MAX_LEN];
};

struct ku_note {
    struct ku_entry *e;
    int64_t last_ms;
    char akid[AKID_MAX], service[NAME_MAX_LEN], region[NAME_MAX_LEN];
};

/* One (entity, action) of the access advisor's table; the same rules as ku_entry. */
struct ka_entry {
    struct ka_entry *next;
    struct ka_entry *all_next;
    _Atomic int64_t noted_ms;
    const char *action; /* static storage: compared by address */
    char entity[ENTITY_MAX];
    /* under u->lock */
    bool dirty;
    int64_t last_ms;
    char account[ACCOUNT_MAX];
    char region[NAME_MAX_LEN];
    char arn[PRINCIPAL_ARN_MAX]; /* the entity's ARN at its last note (a rename shows) */
};

struct ka_note {
    struct ka_entry *e;
    int64_t last_ms;
    const char *action;
    char entity[ENTITY_MAX], account[ACCOUNT_MAX], region[NAME_MAX_LEN], arn[PRINCIPAL_ARN_MAX];
};

struct key_usage {
    _Atomic(struct ku_entry *) buckets[BUCKETS];
    _Atomic(struct ka_entry *) action_buckets[BUCKETS];
    pthread_mutex_t lock;
    struct ku_entry *all;
    struct ka_entry *all_actions;
    struct store *store;
    struct ticker *flusher; /* NULL once stopped */
};

static size_t bucket_of(const char *akid)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *akid; akid++)
        h = (h ^ (uint8_t)*akid) * 1099511628211ULL;
    return (size_t)(h % BUCKETS);
}

static struct ku_entry *lookup(struct key_usage *u, size_t b, const char *akid)
{
    struct ku_entry *e = atomic_load_explicit(&u->buckets[b], memory_order_acquire);

    for (; e; e = e->next)
        if (strcmp(e->akid, akid) == 0)
            return e;
    return NULL;
}

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, NAME_MAX_LEN, "%s", src ? src : "");
}

void key_usage_note(struct key_usage *u, const char *akid, const char *service, const char *region,
                    int64_t now_ms)
{
    size_t b;
    struct ku_entry *e;

    /* GetAccessKeyLastUsed and the credential report speak of long-term keys only */
    if (!u || strncmp(akid, "AKIA", 4) != 0 || strlen(akid) >= AKID_MAX)
        return;
    b = bucket_of(akid);
    e = lookup(u, b, akid);
    if (e && now_ms - atomic_load_explicit(&e->noted_ms, memory_order_relaxed) < KEY_USAGE_NOTE_MS)
        return;
    pthread_mutex_lock(&u->lock);
    if (!e)
        e = lookup(u, b, akid); /* another thread may have added it meanwhile */
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e) {
            pthread_mutex_unlock(&u->lock);
            return; /* a use not noted: the answer lags, nothing breaks */
        }
        snprintf(e->akid, sizeof(e->akid), "%s", akid);
        e->next = atomic_load_explicit(&u->buckets[b], memory_order_relaxed);
        e->all_next = u->all;
        u->all = e;
        atomic_store_explicit(&u->buckets[b], e, memory_order_release);
    }
    if (now_ms >= e->last_ms) {
        e->last_ms = now_ms;
        copy_name(e->service, service);
        copy_name(e->region, region);
        e->dirty = true;
        atomic_store_explicit(&e->noted_ms, now_ms, memory_order_relaxed);
    }
    pthread_mutex_unlock(&u->lock);
}

static size_t action_bucket_of(const char *entity, const char *action)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over the id, then the action's address */

    for (; *entity; entity++)
        h = (h ^ (uint8_t)*entity) * 1099511628211ULL;
    h = (h ^ (uint64_t)(uintptr_t)action) * 1099511628211ULL;
    return (size_t)((h ^ (h >> 29)) % BUCKETS);
}

static struct ka_entry *action_lookup(struct key_usage *u, size_t b, const char *entity,
                                      const char *action)
{
    struct ka_entry *e = atomic_load_explicit(&u->action_buckets[b], memory_order_acquire);

    for (; e; e = e->next)
        if (e->action == action && strcmp(e->entity, entity) == 0)
            return e;
    return NULL;
}

/* The slow path of key_usage_note_action: under the lock, add the entry if it is new and
 * note the use. */
static void action_note_locked(struct key_usage *u, size_t b, struct ka_entry *e,
                               const struct principal *p, const char *action,
                               const char *region, int64_t now_ms)
{
    if (!e)
        e = action_lookup(u, b, p->user_id, action); /* another thread may have added it */
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e)
            return; /* a use not noted: the report lags, nothing breaks */
        e->action = action;
        snprintf(e->entity, sizeof(e->entity), "%s", p->user_id);
        e->next = atomic_load_explicit(&u->action_buckets[b], memory_order_relaxed);
        e->all_next = u->all_actions;
        u->all_actions = e;
        atomic_store_explicit(&u->action_buckets[b], e, memory_order_release);
    }
    if (now_ms >= e->last_ms) {
        e->last_ms = now_ms;
        snprintf(e->account, sizeof(e->account), "%s", p->account_id);
        copy_name(e->region, region);
        snprintf(e->arn, sizeof(e->arn), "%s", p->arn);
        e->dirty = true;
        atomic_store_explicit(&e->noted_ms, now_ms, memory_order_relaxed);
    }
}

void key_usage_note_action(struct key_usage *u, const struct principal *p, const char *action,
                           const char *region, int64_t now_ms)
{
    size_t b;
    struct ka_entry *e;

    if (!u || !action || p->type != PRINCIPAL_USER || strlen(p->user_id) >= ENTITY_MAX)
        return;
    b = action_bucket_of(p->user_id, action);
    e = action_lookup(u, b, p->user_id, action);
    if (e && now_ms - atomic_load_explicit(&e->noted_ms, memory_order_relaxed) < KEY_USAGE_NOTE_MS)
        return;
    pthread_mutex_lock(&u->lock);
    action_note_locked(u, b, e, p, action, region, now_ms);
    pthread_mutex_unlock(&u->lock);
}

/* Copy out (and mark clean) every dirty entry: *notes owned by the caller. */
static cu_rc take_dirty(struct key_usage *u, struct ku_note **notes, size_t *n)
{
    cu_rc rc = CU_OK;
    size_t count = 0, i = 0;
    struct ku_entry *e;

    *notes = NULL;
    *n = 0;
    pthread_mutex_lock(&u->lock);
    for (e = u->all; e; e = e->all_next)
        count += e->dirty;
    if (count) {
        *notes = calloc(count, sizeof(**notes));
        ENSURE(*notes, CU_E_NOMEM);
        for (e = u->all; e; e = e->all_next) {
            if (!e->dirty)
                continue;
            (*notes)[i] = (struct ku_note){.e = e, .last_ms = e->last_ms};
            memcpy((*notes)[i].akid, e->akid, sizeof(e->akid));
            memcpy((*notes)[i].service, e->service, sizeof(e->service));
            memcpy((*notes)[i].region, e->region, sizeof(e->region));
            e->dirty = false;
            i++;
        }
        *n = i;
    }
out:
    pthread_mutex_unlock(&u->lock);
    return rc;
}

/* One transaction writing notes[0..n): each key's record, if the key still exists. */
static cu_rc write_batch(struct store *s, const struct ku_note *notes, size_t n)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    json_t *key = NULL, *doc = NULL;

    TRY(store_tx_begin(s, true, &tx));
    for (size_t i = 0; i < n; i++) {
        TRY(store_get(tx, RECORD_ACCESS_KEY, "", notes[i].akid, &key));
        if (key) {
            doc = json_pack("{s:I, s:s, s:s}", "LastUsedDate", (json_int_t)notes[i].last_ms,
                            "ServiceName", notes[i].service, "Region", notes[i].region);
            ENSURE(doc, CU_E_NOMEM);
            TRY(store_put(tx, RECORD_ACCESS_KEY_LAST_USED, "", notes[i].akid, doc, STORE_UPSERT));
        }
        json_decref(key);
        json_decref(doc);
        key = doc = NULL;
    }
    rc = store_tx_commit(tx);
    tx = NULL;
out:
    json_decref(key);
    json_decref(doc);
    store_tx_rollback(tx);
    return rc;
}

/* take_dirty for the access advisor's table. */
static cu_rc take_dirty_actions(struct key_usage *u, struct ka_note **notes, size_t *n)
{
    cu_rc rc = CU_OK;
    size_t count = 0, i = 0;
    struct ka_entry *e;

    *notes = NULL;
    *n = 0;
    pthread_mutex_lock(&u->lock);
    for (e = u->all_actions; e; e = e->all_next)
        count += e->dirty;
    if (count) {
        *notes = calloc(count, sizeof(**notes));
        ENSURE(*notes, CU_E_NOMEM);
        for (e = u->all_actions; e; e = e->all_next) {
            struct ka_note *t = &(*notes)[i];

            if (!e->dirty)
                continue;
            *t = (struct ka_note){.e = e, .last_ms = e->last_ms, .action = e->action};
            memcpy(t->entity, e->entity, sizeof(e->entity));
            memcpy(t->account, e->account, sizeof(e->account));
            memcpy(t->region, e->region, sizeof(e->region));
            memcpy(t->arn, e->arn, sizeof(e->arn));
            e->dirty = false;
            i++;
        }
        *n = i;
    }
out:
    pthread_mutex_unlock(&u->lock);
    return rc;
}

/* One transaction writing the access advisor's notes[0..n), each an upsert of its
 * entity's record for the action (records.h, RECORD_ACTION_LAST_USED). */
static cu_rc write_action_batch(struct store *s, const struct ka_note *notes, size_t n)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    char scope[STORE_NAME_MAX];

    TRY(store_tx_begin(s, true, &tx));
    for (size_t i = 0; i < n; i++) {
        store_scope(RECORD_ACTION_LAST_USED, notes[i].account, NULL, notes[i].entity, scope);
        doc = json_pack("{s:I, s:s, s:s}", "LastAuthenticated", (json_int_t)notes[i].last_ms,
                        "Region", notes[i].region, "Entity", notes[i].arn);
        ENSURE(doc, CU_E_NOMEM);
        TRY(store_put(tx, RECORD_ACTION_LAST_USED, scope, notes[i].action, doc, STORE_UPSERT));
        json_decref(doc);
        doc = NULL;
    }
    rc = store_tx_commit(tx);
    tx = NULL;
out:
    json_decref(doc);
    store_tx_rollback(tx);
    return rc;
}

static cu_rc flush_actions(struct key_usage *u)
{
    cu_rc rc = CU_OK, batch_rc;
    struct ka_note *notes = NULL;
    size_t n = 0;

    TRY(take_dirty_actions(u, &notes, &n));
    for (size_t at = 0; at < n; at += FLUSH_BATCH) {
        size_t len = n - at < FLUSH_BATCH ? n - at : FLUSH_BATCH;

        batch_rc = write_action_batch(u->store, notes + at, len);
        if (batch_rc == CU_OK)
            continue;
        log_warn("key usage: %zu action use(s) not written this pass", len);
        pthread_mutex_lock(&u->lock);
        for (size_t i = at; i < at + len; i++)
            notes[i].e->dirty = true;
        pthread_mutex_unlock(&u->lock);
        rc = batch_rc;
    }
out:
    free(notes);
    return rc;
}

cu_rc key_usage_flush(struct key_usage *u)
{
    cu_rc rc = CU_OK, batch_rc;
    struct ku_note *notes = NULL;
    size_t n = 0;

    /* the access advisor's notes are written even when a key batch fails */
    batch_rc = flush_actions(u);
    if (batch_rc != CU_OK)
        rc = batch_rc;
    TRY(take_dirty(u, &notes, &n));
    for (size_t at = 0; at < n; at += FLUSH_BATCH) {
        size_t len = n - at < FLUSH_BATCH ? n - at : FLUSH_BATCH;

        batch_rc = write_batch(u->store, notes + at, len);
        if (batch_rc == CU_OK)
            continue;
        /* written by the next pass: the entries hold their latest use still */
        log_warn("key usage: %zu access key use(s) not written this pass", len);
        pthread_mutex_lock(&u->lock);
        for (size_t i = at; i < at + len; i++)
            notes[i].e->dirty = true;
        pthread_mutex_unlock(&u->lock);
        rc = batch_rc;
    }
out:
    free(notes);
    return rc;
}

static void flush_tick(void *arg)
{
    if (key_usage_flush(arg) != CU_OK)
        log_warn("key usage: flush failed; retried next interval");
}

cu_rc key_usage_start(struct store *s, int64_t interval_ms, struct key_usage **out)
{
    cu_rc rc = CU_OK;
    struct key_usage *u = calloc(1, sizeof(*u));

    ENSURE(u, CU_E_NOMEM);
    u->store = s;
    pthread_mutex_init(&u->lock, NULL);
    TRY(ticker_start(interval_ms > 0 ? interval_ms : KEY_USAGE_FLUSH_MS, flush_tick, u,
                     &u->flusher));
    *out = u;
    u = NULL;
out:
    key_usage_stop(u);
    return rc;
}

void key_usage_stop(struct key_usage *u)
{
    struct ku_entry *e, *next;

    if (!u)
        return;
    if (u->flusher) {
        ticker_stop(u->flusher);
        u->flusher = NULL;
        if (key_usage_flush(u) != CU_OK)
            log_error("key usage: the last access key uses could not be written at shutdown");
    }
    for (e = u->all; e; e = next) {
        next = e->all_next;
        free(e);
    }
    for (struct ka_entry *a = u->all_actions, *an; a; a = an) {
        an = a->all_next;
        free(a);
    }
    pthread_mutex_destroy(&u->lock);
    free(u);
}
