/* note_table.c — the table of "last used" notes (note_table.h).
 *
 * An entry is one allocation: the header, the key (key_max bytes) and the payload at the
 * next 16-byte boundary. Only the bucket chain and noted_ms are read without the lock;
 * everything else of an entry (its last use, dirty flag, payload) changes under t->lock,
 * which the flush takes only to copy the dirty notes out. */
#include "note_table.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 4096

struct nt_entry {
    struct nt_entry *next;     /* bucket chain: set before publication, never changed */
    struct nt_entry *all_next; /* every entry, under t->lock */
    _Atomic int64_t noted_ms;  /* last note (relaxed: the hot path's one compare) */
    const void *tag;
    /* under t->lock */
    bool dirty;
    int64_t last_ms;
    char key[]; /* key_max bytes, then the payload at t->payload_at */
};

struct note_table {
    _Atomic(struct nt_entry *) buckets[BUCKETS];
    pthread_mutex_t lock;
    struct nt_entry *all;
    size_t key_max, payload_size, payload_at, entry_size;
};

static void *payload_of(const struct note_table *t, struct nt_entry *e)
{
    return (char *)e + t->payload_at;
}

cu_rc note_table_new(size_t key_max, size_t payload_size, struct note_table **out)
{
    cu_rc rc = CU_OK;
    struct note_table *t = calloc(1, sizeof(*t));

    ENSURE(t, CU_E_NOMEM);
    pthread_mutex_init(&t->lock, NULL);
    t->key_max = key_max;
    t->payload_size = payload_size;
    t->payload_at = (offsetof(struct nt_entry, key) + key_max + 15) & ~(size_t)15;
    t->entry_size = t->payload_at + payload_size;
    *out = t;
out:
    return rc;
}

void note_table_free(struct note_table *t)
{
    struct nt_entry *e, *next;

    if (!t)
        return;
    for (e = t->all; e; e = next) {
        next = e->all_next;
        free(e);
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static size_t bucket_of(const char *key, const void *tag)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over the key, then the tag's address */

    for (; *key; key++)
        h = (h ^ (uint8_t)*key) * 1099511628211ULL;
    h = (h ^ (uint64_t)(uintptr_t)tag) * 1099511628211ULL;
    return (size_t)((h ^ (h >> 29)) % BUCKETS);
}

static struct nt_entry *lookup(struct note_table *t, size_t b, const char *key, const void *tag)
{
    struct nt_entry *e = atomic_load_explicit(&t->buckets[b], memory_order_acquire);

    for (; e; e = e->next)
        if (e->tag == tag && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

/* The slow path, under the lock: add the entry if it is new, then note the use. */
static void note_locked(struct note_table *t, size_t b, struct nt_entry *e, const char *key,
                        const void *tag, int64_t now_ms, note_fill_fn fill, const void *arg)
{
    if (!e)
        e = lookup(t, b, key, tag); /* another thread may have added it meanwhile */
    if (!e) {
        e = calloc(1, t->entry_size);
        if (!e)
            return;
        memcpy(e->key, key, strlen(key) + 1);
        e->tag = tag;
        if (!fill(payload_of(t, e), true, arg)) {
            free(e);
            return;
        }
        e->last_ms = now_ms;
        e->dirty = true;
        atomic_store_explicit(&e->noted_ms, now_ms, memory_order_relaxed);
        e->next = atomic_load_explicit(&t->buckets[b], memory_order_relaxed);
        e->all_next = t->all;
        t->all = e;
        atomic_store_explicit(&t->buckets[b], e, memory_order_release);
        return;
    }
    if (now_ms >= e->last_ms) {
        fill(payload_of(t, e), false, arg);
        e->last_ms = now_ms;
        e->dirty = true;
        atomic_store_explicit(&e->noted_ms, now_ms, memory_order_relaxed);
    }
}

void note_table_note(struct note_table *t, const char *key, const void *tag, int64_t now_ms,
                     int64_t gap_ms, note_fill_fn fill, const void *arg)
{
    size_t b;
    struct nt_entry *e;

    if (!t || !key || strlen(key) >= t->key_max)
        return;
    b = bucket_of(key, tag);
    e = lookup(t, b, key, tag);
    if (e && now_ms - atomic_load_explicit(&e->noted_ms, memory_order_relaxed) < gap_ms)
        return;
    pthread_mutex_lock(&t->lock);
    note_locked(t, b, e, key, tag, now_ms, fill, arg);
    pthread_mutex_unlock(&t->lock);
}

/* The dirty entries marked clean, their notes copied out: notes[i] and its entry
 * entries[i], payloads in *payloads; all three owned by the caller. */
static cu_rc take_dirty(struct note_table *t, struct note **notes, struct nt_entry ***entries,
                        unsigned char **payloads, size_t *n)
{
    cu_rc rc = CU_OK;
    size_t count = 0, i = 0;
    struct nt_entry *e;

    pthread_mutex_lock(&t->lock);
    for (e = t->all; e; e = e->all_next)
        count += e->dirty;
    if (!count)
        goto out;
    *notes = calloc(count, sizeof(**notes));
    *entries = calloc(count, sizeof(**entries));
    *payloads = calloc(count, t->payload_size ? t->payload_size : 1);
    ENSURE(*notes && *entries && *payloads, CU_E_NOMEM);
    for (e = t->all; e; e = e->all_next) {
        unsigned char *copy = *payloads + i * t->payload_size;

        if (!e->dirty)
            continue;
        memcpy(copy, payload_of(t, e), t->payload_size);
        (*notes)[i] = (struct note){
            .key = e->key, .tag = e->tag, .last_ms = e->last_ms, .payload = copy};
        (*entries)[i] = e;
        e->dirty = false;
        i++;
    }
    *n = i;
out:
    pthread_mutex_unlock(&t->lock);
    return rc;
}

cu_rc note_table_flush(struct note_table *t, size_t batch, note_write_fn write, void *ctx)
{
    cu_rc rc = CU_OK, batch_rc;
    struct note *notes = NULL;
    struct nt_entry **entries = NULL;
    unsigned char *payloads = NULL;
    size_t n = 0;

    TRY(take_dirty(t, &notes, &entries, &payloads, &n));
    for (size_t at = 0; at < n; at += batch) {
        size_t len = n - at < batch ? n - at : batch;

        batch_rc = write(ctx, notes + at, len);
        if (batch_rc == CU_OK)
            continue;
        /* written by the next pass: the entries hold their latest use still */
        pthread_mutex_lock(&t->lock);
        for (size_t i = at; i < at + len; i++)
            entries[i]->dirty = true;
        pthread_mutex_unlock(&t->lock);
        if (rc == CU_OK)
            rc = batch_rc;
    }
out:
    free(notes);
    free(entries);
    free(payloads);
    return rc;
}
