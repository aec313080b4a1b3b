/* changes.c — the change log's in-memory half: the records a write transaction touched,
 * and a ring of the most recent committed changes that caches read to evict only what
 * changed (store_changes_since); a set finds a record it holds through a hash index
 * (addresses.c). The durable half is the change_log table, written by
 * store.c in the committing transaction itself, so a change is logged if and only if it
 * committed.
 *
 * The ring holds the changes with seq in (floor, last]; a cache that is current to a seq
 * below floor has missed changes the ring no longer has, and is told so ("too old"): it
 * flushes everything, which bounds how stale a slow cache can ever be. The same answer
 * covers changes the ring never had: other nodes' commits that could not be read from the
 * change_log table any more (change_ring_skip). */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

/* One record as "kind\0scope\0key\0", a single allocation. */
static char *record_pack(const char *kind, const char *scope, const char *key)
{
    size_t a = strlen(kind) + 1, b = strlen(scope) + 1, c = strlen(key) + 1;
    char *p = malloc(a + b + c);

    if (!p)
        return NULL;
    memcpy(p, kind, a);
    memcpy(p + a, scope, b);
    memcpy(p + a + b, key, c);
    return p;
}

static void record_unpack(const char *p, const char **kind, const char **scope,
                          const char **key)
{
    *kind = p;
    *scope = p + strlen(p) + 1;
    *key = *scope + strlen(*scope) + 1;
}

/* The i-th record of a change set and its packed length. */
static const char *record_at(const void *owner, size_t i, size_t *len)
{
    const char *p = ((const struct change_set *)owner)->records[i];
    size_t a = strlen(p) + 1, b = strlen(p + a) + 1;

    *len = a + b + strlen(p + a + b) + 1;
    return p;
}

cu_rc change_set_add(struct change_set *cs, const char *kind, const char *scope,
                     const char *key)
{
    char *p, **grown;
    size_t len, at;

    p = record_pack(kind, scope, key);
    if (!p)
        return CU_E_NOMEM;
    len = strlen(kind) + strlen(scope) + strlen(key) + 3;
    if (address_index_find(&cs->index, p, len, record_at, cs, &at)) {
        free(p); /* written twice in one transaction: one change */
        return CU_OK;
    }
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 4;
        grown = realloc(cs->records, cap * sizeof(*grown));
        if (!grown) {
            free(p);
            return CU_E_NOMEM;
        }
        cs->records = grown;
        cs->cap = cap;
    }
    cs->records[cs->n] = p;
    if (address_index_add(&cs->index, cs->n, cs->n, record_at, cs) != CU_OK) {
        free(p);
        return CU_E_NOMEM;
    }
    cs->n++;
    return CU_OK;
}

void change_set_record(const struct change_set *cs, size_t i, const char **kind,
                       const char **scope, const char **key)
{
    record_unpack(cs->records[i], kind, scope, key);
}

void change_set_free(struct change_set *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        free(cs->records[i]);
    free(cs->records);
    address_index_free(&cs->index);
    memset(cs, 0, sizeof(*cs));
}

void change_ring_init(struct change_ring *r, uint64_t last)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    r->floor = last;
    atomic_init(&r->last, last);
}

void change_ring_destroy(struct change_ring *r)
{
    for (size_t i = 0; i < CHANGE_RING_SIZE; i++)
        free(r->slots[i].record);
    pthread_mutex_destroy(&r->lock);
}

void change_ring_publish(struct change_ring *r, uint64_t seq, struct change_set *cs)
{
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < cs->n; i++) {
        struct change_slot *slot = &r->slots[r->next];
        if (slot->record) {
            /* the oldest change leaves the ring: nothing at or below its seq is complete */
            if (slot->seq > r->floor)
                r->floor = slot->seq;
            free(slot->record);
        }
        slot->seq = seq;
        slot->record = cs->records[i]; /* moved: the set no longer owns it */
        cs->records[i] = NULL;
        r->next = (r->next + 1) % CHANGE_RING_SIZE;
    }
    atomic_store(&r->last, seq);
    pthread_mutex_unlock(&r->lock);
}

void change_ring_skip(struct change_ring *r, uint64_t upto)
{
    pthread_mutex_lock(&r->lock);
    if (upto > atomic_load(&r->last)) {
        /* the changes in (last, upto] are not coming: a cache current to less than upto
         * cannot know what they touched, and is told "too old" */
        if (upto > r->floor)
            r->floor = upto;
        atomic_store(&r->last, upto);
    }
    pthread_mutex_unlock(&r->lock);
}

bool change_ring_since(struct change_ring *r, uint64_t since, store_change_fn fn, void *ctx,
                       uint64_t *upto)
{
    bool complete;

    pthread_mutex_lock(&r->lock);
    *upto = atomic_load(&r->last);
    complete = since >= r->floor;
    /* oldest first: slots from next round the ring */
    for (size_t n = 0; complete && n < CHANGE_RING_SIZE; n++) {
        const struct change_slot *slot = &r->slots[(r->next + n) % CHANGE_RING_SIZE];
        const char *kind, *scope, *key;
        if (!slot->record || slot->seq <= since)
            continue;
        record_unpack(slot->record, &kind, &scope, &key);
        fn(slot->seq, kind, scope, key, ctx);
    }
    pthread_mutex_unlock(&r->lock);
    return complete;
}
