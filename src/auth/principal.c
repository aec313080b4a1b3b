/* principal.c — from an access key id to the principal behind it (authentication's
 * second half; sigv4_verify then proves the caller holds the secret).
 *
 * The hot path is a cache hit: atomic loads of the store's last change seq and cache
 * epoch (store.h: a stale node's caches answer nothing), a read lock, a hash probe and a
 * copy of the secret. When the seq moved, the changes since are
 * read from the store's change log and only the entries they touch are evicted: the
 * access key record itself, or the user record it belongs to (store.h). A miss reads the
 * key and its user in one read transaction and
 * opens the sealed secret with the master key (AAD: the access key id).
 *
 * Temporary credentials (ASIA..., from STS GetSessionToken and AssumeRole) never reach
 * the store or the cache: their session token carries the whole session, sealed, and
 * their secret is derived from it (session_token.h), so opening the token is the whole
 * lookup. Session records that older custos versions wrote are ignored: their
 * credentials fail as unknown tokens, and the rows stay as inert data. */
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/codec.h"
#include "core/err.h"
#include "core/secret.h"
#include "core/stats.h"
#include "crypto/master_key.h"
#include "principal.h"
#include "session_cache.h"
#include "session_token.h"
#include "store/records.h"
#include "store/store.h"

#define CACHE_BUCKETS 1024

struct cache_entry {
    struct cache_entry *next;
    struct principal principal;
    struct secret *secret;
};

struct principal_cache {
    pthread_rwlock_t lock;
    _Atomic uint64_t seq;        /* the store change the entries are current to */
    _Atomic uint64_t epoch;      /* and the store's cache epoch (store_epoch) */
    _Atomic uint64_t loads;      /* entries loaded from the store (principal_cache_loads) */
    struct cache_entry *buckets[CACHE_BUCKETS];
    struct session_keys *_Atomic session_keys; /* derived at the first session token */
    struct session_cache *sessions;            /* tokens opened recently */
    pthread_mutex_t keys_lock;
};

static const char invalid_token[] = "The security token included in the request is invalid.";
static const char expired_token[] = "The security token included in the request is expired";

static size_t bucket_of(const char *akid)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *akid; akid++)
        h = (h ^ (uint8_t)*akid) * 1099511628211ULL;
    return (size_t)(h % CACHE_BUCKETS);
}

static void entry_free(struct cache_entry *e)
{
    secret_free(e->secret);
    free(e);
}

cu_rc principal_cache_new(struct principal_cache **out)
{
    struct principal_cache *c = calloc(1, sizeof(*c));

    if (!c)
        return CU_E_NOMEM;
    if (session_cache_new(&c->sessions) != CU_OK) {
        free(c);
        return CU_E_NOMEM;
    }
    pthread_rwlock_init(&c->lock, NULL);
    pthread_mutex_init(&c->keys_lock, NULL);
    *out = c;
    return CU_OK;
}

void principal_cache_free(struct principal_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CACHE_BUCKETS; i++) {
        struct cache_entry *e = c->buckets[i];
        while (e) {
            struct cache_entry *next = e->next;
            entry_free(e);
            e = next;
        }
    }
    pthread_rwlock_destroy(&c->lock);
    pthread_mutex_destroy(&c->keys_lock);
    session_keys_free(atomic_load(&c->session_keys));
    session_cache_free(c->sessions);
    free(c);
}

uint64_t principal_cache_loads(struct principal_cache *c)
{
    return atomic_load(&c->loads);
}

/* Remove the entries match() picks; the write lock is held. */
static void evict_where(struct principal_cache *c,
                        bool (*match)(const struct cache_entry *e, const char *scope,
                                      const char *key),
                        const char *scope, const char *key)
{
    for (size_t i = 0; i < CACHE_BUCKETS; i++) {
        struct cache_entry **pp = &c->buckets[i];
        while (*pp) {
            struct cache_entry *e = *pp;
            if (match(e, scope, key)) {
                *pp = e->next;
                entry_free(e);
            } else {
                pp = &e->next;
            }
        }
    }
}

static bool any_entry(const struct cache_entry *e, const char *scope, const char *key)
{
    (void)e, (void)scope, (void)key;
    return true;
}

static bool by_akid(const struct cache_entry *e, const char *scope, const char *key)
{
    (void)scope;
    return strcmp(e->principal.access_key_id, key) == 0;
}

/* A user record is (account, lower(UserName)) (records.h). */
static bool by_user(const struct cache_entry *e, const char *scope, const char *key)
{
    return e->principal.type == PRINCIPAL_USER && strcmp(e->principal.account_id, scope) == 0 &&
           strcasecmp(e->principal.name, key) == 0;
}

static void evict_change(uint64_t seq, const char *kind, const char *scope, const char *key,
                         void *ctx)
{
    struct principal_cache *c = ctx;

    (void)seq;
    if (strcmp(kind, RECORD_ACCESS_KEY) == 0)
        evict_where(c, by_akid, scope, key);
    else if (strcmp(kind, RECORD_USER) == 0)
        evict_where(c, by_user, scope, key);
}

/* Bring the cache up to the store's last change; free when nothing changed. */
static void catch_up(struct principal_cache *c, struct store *store)
{
    uint64_t last = store_last_seq(store), epoch = store_epoch(store), upto;

    if (atomic_load(&c->seq) == last && atomic_load(&c->epoch) == epoch)
        return;
    pthread_rwlock_wrlock(&c->lock);
    /* too old (the ring lost changes we need), or the node turned stale or current again
     * (store.h, "Several nodes"): nothing held can be trusted */
    if (!store_changes_since(store, atomic_load(&c->seq), evict_change, c, &upto) ||
        atomic_load(&c->epoch) != epoch)
        evict_where(c, any_entry, "", "");
    atomic_store(&c->seq, upto);
    atomic_store(&c->epoch, epoch);
    pthread_rwlock_unlock(&c->lock);
}

/* A long-term key's principal into out: the members before the session ones, and the
 * session members empty. The session members are most of the struct (policies, tags),
 * so the hot path does not copy or clear them whole. */
static void long_term_copy(struct principal *out, const struct principal *p)
{
    memcpy(out, p, offsetof(struct principal, session_issued_s));
    principal_clear_session(out);
}

/* Copy out the entry for akid, if the cache has one. */
static bool cache_lookup(struct principal_cache *c, const char *akid, struct principal *out,
                         uint8_t *secret, size_t *secret_len)
{
    bool hit = false;

    pthread_rwlock_rdlock(&c->lock);
    for (struct cache_entry *e = c->buckets[bucket_of(akid)]; e; e = e->next) {
        if (strcmp(e->principal.access_key_id, akid) == 0 &&
            e->secret->n <= PRINCIPAL_SECRET_MAX) {
            memcpy(secret, e->secret->p, e->secret->n);
            *secret_len = e->secret->n;
            long_term_copy(out, &e->principal);
            hit = true;
            break;
        }
    }
    pthread_rwlock_unlock(&c->lock);
    stats_add(hit ? STATS_PRINCIPAL_HIT : STATS_PRINCIPAL_MISS, 1);
    return hit;
}

/* Insert what a snapshot as of seq (store_tx_seq) in epoch (store_tx_epoch) read, unless
 * the cache has already applied changes past seq (one of them could be to this very
 * record) or is current to another epoch. */
static void cache_insert(struct principal_cache *c, uint64_t seq, uint64_t epoch,
                         const struct principal *p, const struct secret *secret_key)
{
    struct cache_entry *e, **slot;
    struct secret *copy = NULL;

    if (secret_from(secret_bytes(secret_key), &copy) != CU_OK)
        return; /* not cached: the next request loads it again */
    pthread_rwlock_wrlock(&c->lock);
    if (!seq || atomic_load(&c->seq) > seq || atomic_load(&c->epoch) != epoch)
        goto out;
    slot = &c->buckets[bucket_of(p->access_key_id)];
    for (e = *slot; e; e = e->next)
        if (strcmp(e->principal.access_key_id, p->access_key_id) == 0)
            break;
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e)
            goto out;
        e->next = *slot;
        *slot = e;
    }
    secret_free(e->secret);
    e->secret = copy;
    copy = NULL;
    e->principal = *p;
out:
    pthread_rwlock_unlock(&c->lock);
    secret_free(copy);
}

/* Fill *p for the user (or root, when user is "") that owns the key. */
static cu_rc describe(struct store_tx *tx, const char *account, const char *user,
                      const char *akid, struct principal *p, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    memset(p, 0, sizeof(*p));
    snprintf(p->account_id, sizeof(p->account_id), "%s", account);
    snprintf(p->access_key_id, sizeof(p->access_key_id), "%s", akid);
    if (!user[0]) {
        p->type = PRINCIPAL_ROOT;
        snprintf(p->arn, sizeof(p->arn), "arn:aws:iam::%s:root", account);
        snprintf(p->user_id, sizeof(p->user_id), "%s", account);
        goto out;
    }
    TRY(record_user_get(tx, account, user, &doc));
    /* A key whose user is gone (cannot normally happen: DeleteUser needs the keys gone). */
    ENSURE(doc, cu_err_set(err, CU_E_UNKNOWN_ACCESS_KEY, "%s", invalid_token));
    p->type = PRINCIPAL_USER;
    snprintf(p->arn, sizeof(p->arn), "%s", json_string_value(json_object_get(doc, "Arn")));
    snprintf(p->user_id, sizeof(p->user_id), "%s",
             json_string_value(json_object_get(doc, "UserId")));
    snprintf(p->name, sizeof(p->name), "%s", json_string_value(json_object_get(doc, "UserName")));
out:
    json_decref(doc);
    return rc;
}

/* The access key record behind akid, active. */
static cu_rc read_credentials(struct store_tx *tx, const char *akid, json_t **doc,
                              struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char *status;

    TRY(store_get(tx, RECORD_ACCESS_KEY, "", akid, doc));
    ENSURE(*doc, cu_err_set(err, CU_E_UNKNOWN_ACCESS_KEY, "%s", invalid_token));
    status = json_string_value(json_object_get(*doc, "Status"));
    ENSURE(status && strcmp(status, "Active") == 0,
           cu_err_set(err, CU_E_UNKNOWN_ACCESS_KEY, "%s", invalid_token));
out:
    return rc;
}

/* The token keys, derived from the master key once per process. */
static cu_rc session_keys_of(struct principal_cache *c, const struct master_key *mk,
                             const struct session_keys **out)
{
    cu_rc rc = CU_OK;
    struct session_keys *k = atomic_load(&c->session_keys);

    if (!k) {
        pthread_mutex_lock(&c->keys_lock);
        k = atomic_load(&c->session_keys);
        if (!k) {
            rc = session_keys_new(mk, &k);
            if (rc == CU_OK)
                atomic_store(&c->session_keys, k);
        }
        pthread_mutex_unlock(&c->keys_lock);
    }
    *out = k;
    return rc;
}

/* Temporary credentials: the principal is what the token says, as the session cache
 * remembers it or as the token opens. The claims live on the stack and are copied string
 * by string (not array by array): most of both structs is room for session policies and
 * tags that most sessions do not have. */
static cu_rc resolve_session(struct principal_cache *c, const struct master_key *mk,
                             const char *akid, const char *token, int64_t now_s,
                             struct principal *out, uint8_t secret[PRINCIPAL_SECRET_MAX],
                             size_t *secret_len, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const struct session_keys *keys = NULL;
    struct session_claims claims;
    char derived[SESSION_SECRET_LEN + 1];

    ENSURE(token, cu_err_set(err, CU_E_UNKNOWN_ACCESS_KEY, "%s", invalid_token));
    if (session_cache_get(c->sessions, akid, token, out, secret)) {
        *secret_len = SESSION_SECRET_LEN;
        /* what session_token_open answers for the same token */
        ENSURE(now_s < out->session_expires_s,
               cu_err_set(err, CU_E_TOKEN_EXPIRED, "%s", expired_token));
        goto out;
    }
    TRY(session_keys_of(c, mk, &keys));
    TRY(session_token_open(keys, token, akid, now_s, &claims, derived, err));
    out->type = claims.type;
    str_copy(out->account_id, sizeof(out->account_id), claims.account_id);
    str_copy(out->arn, sizeof(out->arn), claims.arn);
    str_copy(out->user_id, sizeof(out->user_id), claims.user_id);
    str_copy(out->name, sizeof(out->name), claims.name);
    str_copy(out->access_key_id, sizeof(out->access_key_id), claims.access_key_id);
    out->session_issued_s = claims.issued_s;
    out->session_expires_s = claims.expires_s;
    out->mfa = claims.mfa;
    out->chained = claims.chained;
    out->mfa_auth_s = claims.mfa_auth_s;
    str_copy(out->issuer_id, sizeof(out->issuer_id), claims.issuer_id);
    str_copy(out->role_arn, sizeof(out->role_arn), claims.role_arn);
    str_copy(out->session_name, sizeof(out->session_name), claims.session_name);
    str_copy(out->source_identity, sizeof(out->source_identity), claims.source_identity);
    str_copy(out->session_policy, sizeof(out->session_policy), claims.session_policy);
    str_copy(out->policy_arns, sizeof(out->policy_arns), claims.policy_arns);
    str_copy(out->session_tags, sizeof(out->session_tags), claims.session_tags);
    str_copy(out->transitive_tag_keys, sizeof(out->transitive_tag_keys),
             claims.transitive_tag_keys);
    str_copy(out->web_provider, sizeof(out->web_provider), claims.web_provider);
    memcpy(secret, derived, SESSION_SECRET_LEN);
    *secret_len = SESSION_SECRET_LEN;
    session_cache_put(c->sessions, token, out, (const uint8_t *)derived);
out:
    secret_wipe(derived, sizeof(derived));
    return rc;
}

cu_rc principal_resolve(struct principal_cache *cache, struct store *store,
                        const struct master_key *mk, const char *akid,
                        const char *session_token, int64_t now_s, struct principal *out,
                        uint8_t secret[PRINCIPAL_SECRET_MAX], size_t *secret_len,
                        struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    const char *sealed_text;
    struct secret *opened = NULL;
    struct buf sealed;

    if (strncmp(akid, "ASIA", 4) == 0)
        return resolve_session(cache, mk, akid, session_token, now_s, out, secret, secret_len,
                               err);
    /* a token sent with a long-term key is a token IAM never issued for it */
    if (session_token)
        return cu_err_set(err, CU_E_UNKNOWN_ACCESS_KEY, "%s", invalid_token);
    buf_init(&sealed, 4096);
    catch_up(cache, store);
    if (cache_lookup(cache, akid, out, secret, secret_len))
        return CU_OK;
    TRY(store_tx_begin(store, false, &tx));
    TRY(read_credentials(tx, akid, &doc, err));
    TRY(describe(tx, json_string_value(json_object_get(doc, "Account")),
                 json_string_value(json_object_get(doc, "UserName")), akid, out, err));
    sealed_text = json_string_value(json_object_get(doc, "SealedSecret"));
    ENSURE(sealed_text, CU_E_STORE);
    TRY(b64_decode(bytes_str(sealed_text), &sealed));
    TRY(master_key_open(mk, buf_bytes(&sealed), bytes_str(akid), &opened));
    ENSURE(opened->n <= PRINCIPAL_SECRET_MAX, CU_E_STORE);
    memcpy(secret, opened->p, opened->n);
    *secret_len = opened->n;
    atomic_fetch_add(&cache->loads, 1);
    cache_insert(cache, store_tx_seq(tx), store_tx_epoch(tx), out, opened);
out:
    secret_free(opened);
    store_tx_rollback(tx);
    json_decref(doc);
    buf_release(&sealed);
    return rc;
}
