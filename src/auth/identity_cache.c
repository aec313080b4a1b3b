/* identity_cache.c — per-principal policy sets (identity_set_load), kept until the store's
 * change log shows a change they may depend on: the user's own record (its attached
 * policies and boundary), its inline policies or one of its memberships (group_member,
 * keyed "lower(group)/lower(user)") evict that user's set; a group record or a group's
 * inline policy evicts the sets that loaded that group (identity_set.groups, so a group's
 * members are evicted without asking the store who they are); a managed policy or any
 * other IAM record evicts every set (which users use a managed policy is not indexed).
 * Access keys, sessions and KMS records evict nothing.
 *
 * Entries are reference-counted: a lookup takes a reference under the read lock, a stale
 * entry is replaced (not mutated) under the write lock, and the last reference frees it,
 * so a thread evaluating an old set is never pulled out from under. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "crypto/digest.h"
#include "identity_cache.h"
#include "store/records.h"
#include "store/store.h"

#define BUCKETS 256

struct entry {
    struct entry *next;
    _Atomic int refs;            /* the cache's own reference counts as one */
    char scope[RECORD_NAME_MAX];
    struct identity_set set;
};

struct identity_cache {
    pthread_rwlock_t lock;
    _Atomic uint64_t seq;        /* the store change the entries are current to */
    _Atomic uint64_t epoch;      /* and the store's cache epoch (store_epoch) */
    _Atomic uint64_t loads;      /* sets loaded from the store (identity_cache_loads) */
    struct entry *buckets[BUCKETS];
};

/* Record kinds no identity set is built from (identity_set.c reads users, their inline
 * policies and group memberships, groups and their policies, managed policies, roles and
 * their policies): a change to one of these leaves every cached set as it was. Any kind
 * not named here, and not handled one by one in evict_change, empties the cache, so a
 * kind added later is safe until it is listed. */
static const char *const unrelated_kinds[] = {
    RECORD_ACCESS_KEY, RECORD_SESSION, RECORD_ACCESS_KEY_LAST_USED, RECORD_ACTION_LAST_USED,
    RECORD_LAST_ACCESSED_JOB, RECORD_LOGIN_PROFILE, RECORD_PASSWORD_POLICY,
    RECORD_ACCOUNT_SETTINGS, RECORD_ACCOUNT, RECORD_INSTANCE_PROFILE, RECORD_MFA_DEVICE,
    RECORD_SSH_PUBLIC_KEY, RECORD_SIGNING_CERT, RECORD_SERVER_CERT, RECORD_SERVICE_CREDENTIAL,
    RECORD_OIDC_PROVIDER, RECORD_SAML_PROVIDER, RECORD_SLR_DELETION_TASK,
    RECORD_CREDENTIAL_REPORT, RECORD_CT_TRAIL_TAGS,
    /* an AWS managed policy's use counts; its document is built in and never changes */
    RECORD_AWS_POLICY_USE,
};

static bool unrelated(const char *kind)
{
    for (size_t i = 0; i < sizeof(unrelated_kinds) / sizeof(unrelated_kinds[0]); i++)
        if (strcmp(kind, unrelated_kinds[i]) == 0)
            return true;
    return false;
}

uint64_t identity_cache_loads(struct identity_cache *c)
{
    return c ? atomic_load(&c->loads) : 0;
}

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

/* Whether an entry's scope is scope, or a federated user's set under it ("<scope>#...") */
static bool same_scope(const char *entry, const char *scope)
{
    size_t n = strlen(scope);

    return strncmp(entry, scope, n) == 0 && (entry[n] == '\0' || entry[n] == '#');
}

/* Drop the sets of scope (NULL: all), with the federated users' sets that scope issued;
 * the write lock is held, holders keep theirs. */
static void evict(struct identity_cache *c, const char *scope)
{
    for (size_t i = 0; i < BUCKETS; i++) {
        struct entry **pp = &c->buckets[i];
        while (*pp) {
            struct entry *e = *pp;
            if (!scope || same_scope(e->scope, scope)) {
                *pp = e->next;
                entry_unref(e);
            } else {
                pp = &e->next;
            }
        }
    }
}

static bool depends_on_group(const struct entry *e, const char *group)
{
    size_t i;
    json_t *g;

    json_array_foreach(e->set.groups, i, g)
        if (strcmp(json_string_value(g), group) == 0)
            return true;
    return false;
}

/* Drop the sets that loaded group "<account>/lower(group)"; the write lock is held. */
static void evict_group(struct identity_cache *c, const char *group)
{
    for (size_t i = 0; i < BUCKETS; i++) {
        struct entry **pp = &c->buckets[i];
        while (*pp) {
            struct entry *e = *pp;
            if (depends_on_group(e, group)) {
                *pp = e->next;
                entry_unref(e);
            } else {
                pp = &e->next;
            }
        }
    }
}

static void evict_change(uint64_t seq, const char *kind, const char *scope, const char *key,
                         void *ctx)
{
    char user_scope[RECORD_NAME_MAX];

    (void)seq;
    /* no identity policy lives in a regional record (KMS keys, aliases, grants) */
    if (store_kind_class(kind) == STORE_CLASS_REGIONAL || unrelated(kind))
        return;
    if (strcmp(kind, RECORD_USER) == 0) {
        /* a user record is (account, lower(name)); its set is keyed "<account>/<lower>" */
        snprintf(user_scope, sizeof(user_scope), "%s/%s", scope, key);
        evict(ctx, user_scope);
    } else if (strcmp(kind, RECORD_USER_POLICY) == 0) {
        evict(ctx, scope);
    } else if (strcmp(kind, RECORD_GROUP_MEMBER) == 0 && strchr(key, '/')) {
        /* (account, "lower(group)/lower(user)"): IAM names hold no '/' */
        snprintf(user_scope, sizeof(user_scope), "%s/%s", scope, strchr(key, '/') + 1);
        evict(ctx, user_scope);
    } else if (strcmp(kind, RECORD_GROUP) == 0) {
        snprintf(user_scope, sizeof(user_scope), "%s/%s", scope, key);
        evict_group(ctx, user_scope);
    } else if (strcmp(kind, RECORD_GROUP_POLICY) == 0) {
        evict_group(ctx, scope);
    } else {
        evict(ctx, NULL);
    }
}

/* Bring the cache up to the store's last change; free when nothing changed. */
static void catch_up(struct identity_cache *c, struct store *store)
{
    uint64_t last = store_last_seq(store), epoch = store_epoch(store), upto;

    if (atomic_load(&c->seq) == last && atomic_load(&c->epoch) == epoch)
        return;
    pthread_rwlock_wrlock(&c->lock);
    /* too old (the ring lost changes we need), or the node turned stale or current again
     * (store.h, "Several nodes"): nothing held can be trusted */
    if (!store_changes_since(store, atomic_load(&c->seq), evict_change, c, &upto) ||
        atomic_load(&c->epoch) != epoch)
        evict(c, NULL);
    atomic_store(&c->seq, upto);
    atomic_store(&c->epoch, epoch);
    pthread_rwlock_unlock(&c->lock);
}

/* A new entry: p's policy set as the store holds it now; *seq and *epoch: what it is
 * current to (store_tx_seq, store_tx_epoch). */
static cu_rc load(struct store *store, const struct principal *p, const char *scope,
                  uint64_t *seq, uint64_t *epoch, struct entry **out)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    struct entry *e = calloc(1, sizeof(*e));

    ENSURE(e, CU_E_NOMEM);
    atomic_init(&e->refs, 1);
    snprintf(e->scope, sizeof(e->scope), "%s", scope);
    TRY(store_tx_begin(store, false, &tx));
    TRY(identity_set_load(tx, p, &e->set));
    *seq = store_tx_seq(tx);
    *epoch = store_tx_epoch(tx);
    *out = e;
    e = NULL;
out:
    store_tx_rollback(tx);
    entry_unref(e);
    return rc;
}

/* Cache fresh (the caller keeps its own reference either way), unless the cache has
 * applied changes past the snapshot it was read from (one of them may be to this set) or
 * is current to another epoch. */
static void insert(struct identity_cache *c, const char *scope, uint64_t seq, uint64_t epoch,
                   struct entry *fresh)
{
    struct entry **slot;

    pthread_rwlock_wrlock(&c->lock);
    if (!seq || atomic_load(&c->seq) > seq || atomic_load(&c->epoch) != epoch)
        goto out;
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
out:
    pthread_rwlock_unlock(&c->lock);
}

/* The hex SHA-256 (keyed) of a session's policy and policy ARNs. */
static void session_policy_hash(const struct principal *p, char hex[2 * DIGEST_SHA256_LEN + 1])
{
    struct hmac_sha256 h;
    uint8_t sum[DIGEST_SHA256_LEN];

    /* the two parts are separated by a byte neither can hold */
    hmac_sha256_init(&h, bytes_str("custos/session-policy"));
    hmac_sha256_update(&h, bytes_str(p->session_policy));
    hmac_sha256_update(&h, bytes_of("", 1));
    hmac_sha256_update(&h, bytes_str(p->policy_arns));
    hmac_sha256_final(&h, sum);
    for (size_t i = 0; i < sizeof(sum); i++) {
        hex[2 * i] = "0123456789abcdef"[sum[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[sum[i] & 15];
    }
    hex[2 * sizeof(sum)] = '\0';
}

/* A user's set is keyed "<account>/<lower(user)>" (a federated user's, issued by the
 * user, that and "#<hash of its session policy>"); a role session's by its role and its
 * session policy, "<account>/role:<lower(role)>#<sha256 of the policy and ARNs>", so
 * sessions of one role with one session policy share one set (IAM names hold no ':'); a
 * session without session policies by "<account>/role:<lower(role)>#". */
static void scope_of(const struct principal *p, char scope[RECORD_NAME_MAX])
{
    char folded[RECORD_NAME_MAX], hex[2 * DIGEST_SHA256_LEN + 1];

    if (p->type == PRINCIPAL_USER) {
        record_user_scope(p->account_id, p->name, scope);
        return;
    }
    if (p->type == PRINCIPAL_FEDERATED) {
        /* "<account>/<lower(user)>#<sha256>": evicted with its user (evict), never
         * mistaken for a role session's (those hold ':') or for the user's own set */
        session_policy_hash(p, hex);
        record_user_scope(p->account_id, p->name, folded);
        snprintf(scope, RECORD_NAME_MAX, "%.*s#%s", (int)(RECORD_NAME_MAX - 66), folded, hex);
        return;
    }
    record_fold(p->name, folded);
    if (!p->session_policy[0] && !p->policy_arns[0]) {
        /* the usual session: no session policies, no hash to compute per call */
        snprintf(scope, RECORD_NAME_MAX, "%s/role:%.64s#", p->account_id, folded);
        return;
    }
    session_policy_hash(p, hex);
    snprintf(scope, RECORD_NAME_MAX, "%s/role:%.64s#%s", p->account_id, folded, hex);
}

/* Whether set was loaded for p: long-term user keys always are (the set is theirs by
 * name); a session must name the same unique id, a role session's id being
 * "<RoleId>:<session>". */
static bool same_principal(const struct identity_set *set, const struct principal *p)
{
    size_t n = strlen(set->principal_id);

    if (!p->session_issued_s)
        return true;
    if (p->type == PRINCIPAL_ROLE_SESSION)
        return n && strncmp(p->user_id, set->principal_id, n) == 0 && p->user_id[n] == ':';
    if (p->type == PRINCIPAL_FEDERATED)
        return n && strcmp(p->issuer_id, set->principal_id) == 0;
    return n && strcmp(p->user_id, set->principal_id) == 0;
}

cu_rc identity_cache_get(struct identity_cache *c, struct store *store,
                         const struct principal *p, const struct identity_set **out, void **pin)
{
    static const struct identity_set none;
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    uint64_t seq = 0, epoch = 0;
    struct entry *e, *fresh = NULL;

    *out = &none;
    *pin = NULL;
    /* the root user has no identity policies (identity_set_load) */
    if (p->type != PRINCIPAL_USER && p->type != PRINCIPAL_ROLE_SESSION &&
        p->type != PRINCIPAL_FEDERATED)
        return CU_OK;
    scope_of(p, scope);
    catch_up(c, store);
    pthread_rwlock_rdlock(&c->lock);
    for (e = c->buckets[bucket_of(scope)]; e; e = e->next)
        if (strcmp(e->scope, scope) == 0)
            break;
    if (e)
        atomic_fetch_add(&e->refs, 1);
    pthread_rwlock_unlock(&c->lock);
    stats_add(e ? STATS_IDENTITY_HIT : STATS_IDENTITY_MISS, 1);
    if (!e) {
        TRY(load(store, p, scope, &seq, &epoch, &fresh));
        atomic_fetch_add(&c->loads, 1);
        /* a renamed user's session: its set is the user's under the new name, which the
         * changes to that user evict, not this scope (the session's old name); so it is
         * read afresh for each request, never kept */
        if (!fresh->set.renamed)
            insert(c, scope, seq, epoch, fresh);
        e = fresh;
    }
    *pin = e;
    if (!same_principal(&e->set, p) && !fresh && p->type != PRINCIPAL_ROLE_SESSION) {
        /* the cached set is of another user now named as the session's user was: that
         * user may have been renamed (identity_set.c finds it by its id); read afresh */
        entry_unref(e);
        *pin = NULL;
        TRY(load(store, p, scope, &seq, &epoch, &fresh));
        atomic_fetch_add(&c->loads, 1);
        e = fresh;
        *pin = e;
    }
    /* a session of a user or role deleted and made again under its name: not the same
     * principal (AWS binds sessions to unique ids), so none of the new one's policies */
    if (!same_principal(&e->set, p))
        goto out;
    *out = &e->set;
out:
    return rc;
}
