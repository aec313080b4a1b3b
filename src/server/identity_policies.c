/* identity_policies.c — per-user compiled identity policies (attached managed and
 * inline ones), cached by store generation.
 *
 * Entries are reference-counted: a lookup takes a reference under the read lock, a stale
 * entry is replaced (not mutated) under the write lock, and the last reference frees it,
 * so a thread evaluating an old set is never pulled out from under. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity_policies.h"
#include "policy/policy.h"
#include "services/iam/iam.h"
#include "store/records.h"

#define BUCKETS 256
/* More than any user can have: inline policies share 2,048 characters, and at most 10
 * managed policies are attached. */
#define MAX_INLINE_POLICIES 128

struct entry {
    struct entry *next;
    _Atomic int refs;            /* the cache's own reference counts as one */
    uint64_t generation;
    char scope[RECORD_NAME_MAX];
    size_t n;
    struct policy **policies;
    json_t *tags;
    struct policy *boundary;
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
    for (size_t i = 0; i < e->n; i++)
        policy_free(e->policies[i]);
    free(e->policies);
    json_decref(e->tags);
    policy_free(e->boundary);
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

/* A new entry: the user's compiled attached and inline policies, permissions boundary
 * and tags. */
static cu_rc load(struct store *store, const struct principal *p, const char *scope,
                  uint64_t generation, struct entry **out)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    struct entry *e = calloc(1, sizeof(*e));
    json_t *user = NULL;

    ENSURE(e, CU_E_NOMEM);
    atomic_init(&e->refs, 1);
    e->generation = generation;
    snprintf(e->scope, sizeof(e->scope), "%s", scope);
    e->policies = calloc(MAX_INLINE_POLICIES, sizeof(*e->policies));
    ENSURE(e->policies, CU_E_NOMEM);
    TRY(store_tx_begin(store, false, &tx));
    TRY(record_user_get(tx, p->account_id, p->name, &user));
    if (user) {
        e->tags = json_incref(json_object_get(user, "Tags"));
        TRY(iam_user_boundary_compile(tx, p->account_id, user, &e->boundary));
        TRY(iam_user_attached_compile(tx, p->account_id, user, e->policies,
                                      MAX_INLINE_POLICIES, &e->n));
    }
    TRY(iam_user_policies_compile(tx, p->account_id, p->name, e->policies, MAX_INLINE_POLICIES,
                                  &e->n));
    *out = e;
    e = NULL;
out:
    json_decref(user);
    store_tx_rollback(tx);
    entry_unref(e);
    return rc;
}

cu_rc identity_policies_get(struct identity_cache *c, struct store *store,
                            const struct principal *p, struct policy_list *out, void **pin)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    uint64_t generation = store_generation(store);
    struct entry *e, *fresh = NULL, **slot;

    *out = (struct policy_list){0};
    *pin = NULL;
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
    out->items = (const struct policy *const *)e->policies;
    out->n = e->n;
    out->tags = e->tags;
    out->boundary = e->boundary;
    *pin = e;
out:
    return rc;
}
