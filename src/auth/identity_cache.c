/* identity_cache.c — per-principal policy sets (identity_set_load), cached by store
 * generation.
 *
 * Entries are reference-counted: a lookup takes a reference under the read lock, a stale
 * entry is replaced (not mutated) under the write lock, and the last reference frees it,
 * so a thread evaluating an old set is never pulled out from under. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity_cache.h"
#include "store/records.h"
#include "store/store.h"

#define BUCKETS 256

struct entry {
    struct entry *next;
    _Atomic int refs;            /* the cache's own reference counts as one */
    uint64_t generation;
    char scope[RECORD_NAME_MAX];
    struct identity_set set;
};

struct identity_cache {
    pthread_rwlock_t lock;
    struct entry *buckets[BUCKETS];
};

static size_t bucket_of(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return (size_t)(h % BUCKETS);
}

static void entry_unref(struct entry *e)
{
    if (!e || atomic_fetch_sub(&e->refs, 1) != 1)
        return;
    identity_set_release(&e->set);
    free(e);
}

void identity_release(void *pin)
{
    entry_unref(pin);
}

cu_rc identity_cache_new(struct identity_cache **out)
{
    struct identity_cache *c = calloc(1, sizeof(*c));

    if (!c)
        return CU_E_NOMEM;
    pthread_rwlock_init(&c->lock, NULL);
    *out = c;
    return CU_OK;
}

void identity_cache_free(struct identity_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < BUCKETS; i++) {
        struct entry *e = c->buckets[i];
        while (e) {
            struct entry *next = e->next;
            entry_unref(e);
            e = next;
        }
    }
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

/* A new entry: p's policy set as the store holds it now. */
static cu_rc load(struct store *store, const struct principal *p, const char *scope,
                  uint64_t generation, struct entry **out)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    struct entry *e = calloc(1, sizeof(*e));

    ENSURE(e, CU_E_NOMEM);
    atomic_init(&e->refs, 1);
    e->generation = generation;
    snprintf(e->scope, sizeof(e->scope), "%s", scope);
    TRY(store_tx_begin(store, false, &tx));
    TRY(identity_set_load(tx, p, &e->set));
    *out = e;
    e = NULL;
out:
    store_tx_rollback(tx);
    entry_unref(e);
    return rc;
}

cu_rc identity_cache_get(struct identity_cache *c, struct store *store,
                         const struct principal *p, const struct identity_set **out, void **pin)
{
    static const struct identity_set none;
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    uint64_t generation = store_generation(store);
    struct entry *e, *fresh = NULL, **slot;

    *out = &none;
    *pin = NULL;
    /* entries are keyed by user; no other principal has policies yet (identity_set_load) */
    if (p->type != PRINCIPAL_USER)
        return CU_OK;
    record_user_scope(p->account_id, p->name, scope);
    pthread_rwlock_rdlock(&c->lock);
    for (e = c->buckets[bucket_of(scope)]; e; e = e->next)
        if (e->generation == generation && strcmp(e->scope, scope) == 0)
            break;
    if (e)
        atomic_fetch_add(&e->refs, 1);
    pthread_rwlock_unlock(&c->lock);
    if (!e) {
        TRY(load(store, p, scope, generation, &fresh));
        pthread_rwlock_wrlock(&c->lock);
        slot = &c->buckets[bucket_of(scope)];
        /* Drop any older entry for this scope; holders keep theirs alive. */
        for (struct entry **pp = slot; *pp; pp = &(*pp)->next) {
            if (strcmp((*pp)->scope, scope) == 0) {
                struct entry *old = *pp;
                *pp = old->next;
                entry_unref(old);
                break;
            }
        }
        fresh->next = *slot;
        *slot = fresh;
        atomic_fetch_add(&fresh->refs, 1);
        pthread_rwlock_unlock(&c->lock);
        e = fresh;
    }
    *out = &e->set;
    *pin = e;
out:
    return rc;
}
