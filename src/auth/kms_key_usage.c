/* kms_key_usage.c — the in-memory table of KMS key uses and its flusher
 * (kms_key_usage.h), on the rules of key_usage.c: the table is insert-only until stop, a
 * bucket's chain is published with a release store of its head, so a note walks it with
 * acquire loads and no lock, and an entry's noted_ms is read relaxed (a stale value only
 * sends the caller to the lock, which decides). The rest of an entry changes under
 * u->lock, which the flusher takes only to copy the dirty notes out.
 *
 *   note ──> dirty ──flush copies──> clean ──(write fails)──> dirty again
 *
 * The table holds one entry per key used since start, not per request. */
#include "kms_key_usage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/ticker.h"
#include "key_usage.h"
#include "store/records.h"
#include "store/store.h"

#define BUCKETS 4096
#define ARN_MAX 256
#define PART_MAX 64
#define FLUSH_BATCH 256 /* records per transaction, as key_usage.c */

struct entry {
    struct entry *next;     /* bucket chain: set before publication, never changed */
    struct entry *all_next; /* under u->lock */
    _Atomic int64_t noted_ms;
    char arn[ARN_MAX];
    char region[PART_MAX], account[PART_MAX], key_id[PART_MAX]; /* parsed from arn */
    /* under u->lock */
    bool dirty;
    int64_t last_ms;
    const char *op;
    char request_id[IDS_UUID_LEN + 1], event_id[IDS_UUID_LEN + 1];
};

struct note {
    struct entry *e;
    int64_t last_ms;
    const char *op;
    char region[PART_MAX], account[PART_MAX], key_id[PART_MAX];
    char request_id[IDS_UUID_LEN + 1], event_id[IDS_UUID_LEN + 1];
};

struct kms_key_usage {
    _Atomic(struct entry *) buckets[BUCKETS];
    pthread_mutex_t lock;
    struct entry *all;
    struct store *store;
    struct ticker *flusher; /* NULL once stopped */
};

static size_t bucket_of(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return (size_t)(h % BUCKETS);
}

static struct entry *lookup(struct kms_key_usage *u, size_t b, const char *arn)
{
    struct entry *e = atomic_load_explicit(&u->buckets[b], memory_order_acquire);

    for (; e; e = e->next)
        if (strcmp(e->arn, arn) == 0)
            return e;
    return NULL;
}

/* Copy the next ':'-separated field of *p into out (PART_MAX), advancing past it. */
static bool field(const char **p, char sep, char out[PART_MAX])
{
    const char *end = strchr(*p, sep);

    if (!end || end == *p || (size_t)(end - *p) >= PART_MAX)
        return false;
    snprintf(out, PART_MAX, "%.*s", (int)(end - *p), *p);
    *p = end + 1;
    return true;
}

/* "arn:<partition>:kms:<region>:<account>:key/<id>" into e's parts. */
static bool parse_arn(const char *arn, struct entry *e)
{
    const char *p = arn;
    char partition[PART_MAX], service[PART_MAX];

    if (strncmp(p, "arn:", 4) != 0)
        return false;
    p += 4;
    if (!field(&p, ':', partition) || !field(&p, ':', service) || strcmp(service, "kms") != 0 ||
        !field(&p, ':', e->region) || !field(&p, ':', e->account) || strncmp(p, "key/", 4) != 0)
        return false;
    p += 4;
    if (!*p || strlen(p) >= PART_MAX)
        return false;
    snprintf(e->key_id, PART_MAX, "%s", p);
    return true;
}

/* The slow path: under the lock, add the entry if new and note the use. */
static void note_locked(struct kms_key_usage *u, size_t b, struct entry *e,
                        const struct kms_key_use *use)
{
    if (!e)
        e = lookup(u, b, use->key_arn); /* another thread may have added it meanwhile */
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e)
            return; /* a use not noted: the answer lags, nothing breaks */
        snprintf(e->arn, sizeof(e->arn), "%s", use->key_arn);
        if (!parse_arn(use->key_arn, e)) {
            free(e);
            return;
        }
        e->next = atomic_load_explicit(&u->buckets[b], memory_order_relaxed);
        e->all_next = u->all;
        u->all = e;
        atomic_store_explicit(&u->buckets[b], e, memory_order_release);
    }
    if (use->now_ms >= e->last_ms) {
        e->last_ms = use->now_ms;
        e->op = use->op;
        snprintf(e->request_id, sizeof(e->request_id), "%s", use->request_id);
        snprintf(e->event_id, sizeof(e->event_id), "%s", use->event_id);
        e->dirty = true;
        atomic_store_explicit(&e->noted_ms, use->now_ms, memory_order_relaxed);
    }
}

void kms_key_usage_note(struct kms_key_usage *u, const struct kms_key_use *use)
{
    size_t b;
    struct entry *e;

    if (!u || !use->key_arn || !use->op || strlen(use->key_arn) >= ARN_MAX)
        return;
    b = bucket_of(use->key_arn);
    e = lookup(u, b, use->key_arn);
    if (e && use->now_ms - atomic_load_explicit(&e->noted_ms, memory_order_relaxed) <
                 KEY_USAGE_NOTE_MS)
        return;
    pthread_mutex_lock(&u->lock);
    note_locked(u, b, e, use);
    pthread_mutex_unlock(&u->lock);
}

/* Copy out (and mark clean) every dirty entry: *notes owned by the caller. */
static cu_rc take_dirty(struct kms_key_usage *u, struct note **notes, size_t *n)
{
    cu_rc rc = CU_OK;
    size_t count = 0, i = 0;
    struct entry *e;

    *notes = NULL;
    *n = 0;
    pthread_mutex_lock(&u->lock);
    for (e = u->all; e; e = e->all_next)
        count += e->dirty;
    if (count) {
        *notes = calloc(count, sizeof(**notes));
        ENSURE(*notes, CU_E_NOMEM);
        for (e = u->all; e; e = e->all_next) {
            struct note *t = &(*notes)[i];

            if (!e->dirty)
                continue;
            *t = (struct note){.e = e, .last_ms = e->last_ms, .op = e->op};
            memcpy(t->region, e->region, PART_MAX);
            memcpy(t->account, e->account, PART_MAX);
            memcpy(t->key_id, e->key_id, PART_MAX);
            memcpy(t->request_id, e->request_id, sizeof(t->request_id));
            memcpy(t->event_id, e->event_id, sizeof(t->event_id));
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
static cu_rc write_batch(struct store *s, const struct note *notes, size_t n)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    json_t *key = NULL, *doc = NULL;
    char scope[STORE_NAME_MAX];

    TRY(store_tx_begin(s, true, &tx));
    for (size_t i = 0; i < n; i++) {
        store_scope(RECORD_KMS_KEY, notes[i].account, notes[i].region, NULL, scope);
        TRY(store_get(tx, RECORD_KMS_KEY, scope, notes[i].key_id, &key));
        if (key) {
            doc = json_pack("{s:I, s:s, s:s, s:s}", "Timestamp", (json_int_t)notes[i].last_ms,
                            "Operation", notes[i].op, "KmsRequestId", notes[i].request_id,
                            "CloudTrailEventId", notes[i].event_id);
            ENSURE(doc, CU_E_NOMEM);
            store_scope(RECORD_KMS_KEY_LAST_USED, notes[i].account, notes[i].region, NULL,
                        scope);
            TRY(store_put(tx, RECORD_KMS_KEY_LAST_USED, scope, notes[i].key_id, doc,
                          STORE_UPSERT));
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

cu_rc kms_key_usage_flush(struct kms_key_usage *u)
{
    cu_rc rc = CU_OK, batch_rc;
    struct note *notes = NULL;
    size_t n = 0;

    TRY(take_dirty(u, &notes, &n));
    for (size_t at = 0; at < n; at += FLUSH_BATCH) {
        size_t len = n - at < FLUSH_BATCH ? n - at : FLUSH_BATCH;

        batch_rc = write_batch(u->store, notes + at, len);
        if (batch_rc == CU_OK)
            continue;
        /* written by the next pass: the entries hold their latest use still */
        log_warn("kms key usage: %zu key use(s) not written this pass", len);
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
    if (kms_key_usage_flush(arg) != CU_OK)
        log_warn("kms key usage: flush failed; retried next interval");
}

cu_rc kms_key_usage_start(struct store *s, int64_t interval_ms, struct kms_key_usage **out)
{
    cu_rc rc = CU_OK;
    struct kms_key_usage *u = calloc(1, sizeof(*u));

    ENSURE(u, CU_E_NOMEM);
    u->store = s;
    pthread_mutex_init(&u->lock, NULL);
    TRY(ticker_start(interval_ms > 0 ? interval_ms : KEY_USAGE_FLUSH_MS, flush_tick, u,
                     &u->flusher));
    *out = u;
    u = NULL;
out:
    kms_key_usage_stop(u);
    return rc;
}

void kms_key_usage_stop(struct kms_key_usage *u)
{
    struct entry *e, *next;

    if (!u)
        return;
    if (u->flusher) {
        ticker_stop(u->flusher);
        u->flusher = NULL;
        if (kms_key_usage_flush(u) != CU_OK)
            log_error("kms key usage: the last key uses could not be written at shutdown");
    }
    for (e = u->all; e; e = next) {
        next = e->all_next;
        free(e);
    }
    pthread_mutex_destroy(&u->lock);
    free(u);
}
