/* kms_key.c — finding KMS keys by any identifier, and the process-wide cache of loaded
 * keys (record + compiled key policy + opened backing keys).
 *
 * Keys, aliases and grants are regional records: scoped by account and region
 * (kms_scope, kms_key_scope over store_scope).
 * A cache entry lives until the store's change log shows a change to its key record or
 * one of its grants (kms_key and kms_grant records; aliases are resolved outside the
 * cache), so IAM writes never reload keys. Entries are reference-counted so a call keeps
 * its key alive while another thread replaces or evicts it.
 * The cache is what keeps Encrypt and GenerateDataKey free of store round-trips and of
 * re-opening sealed key material (DESIGN.md "Scale"). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "core/ids.h"
#include "core/stats.h"
#include "crypto/asym_key.h"
#include "crypto/backing_key.h"
#include "asym.h"
#include "conditions.h"
#include "grants.h"
#include "import.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"
#include "services/sweep.h"
#include "policy/policy.h"
#include "store/records.h"

#define BUCKETS 256

struct entry {
    struct kms_key key;          /* first: a struct kms_key * is a struct entry * */
    struct entry *next;
    _Atomic int refs;
    char cache_key[RECORD_NAME_MAX]; /* "<account>/<region>/<key id>": its grants' scope */
};

static struct {
    pthread_rwlock_t lock;
    struct store *_Atomic store; /* the store the entries came from */
    _Atomic uint64_t seq;        /* the store change the entries are current to */
    _Atomic uint64_t epoch;      /* and the store's cache epoch (store_epoch) */
    _Atomic uint64_t loads;      /* entries loaded from the store (kms_key_cache_loads) */
    struct entry *buckets[BUCKETS];
} cache = {.lock = PTHREAD_RWLOCK_INITIALIZER};

static size_t bucket_of(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return (size_t)(h % BUCKETS);
}

void kms_key_unref(void *p)
{
    struct entry *e = p;

    if (!e || atomic_fetch_sub(&e->refs, 1) != 1)
        return;
    for (size_t i = 0; i < e->key.n_backing; i++)
        backing_key_free(e->key.backing[i]);
    free(e->key.backing);
    asym_key_free(e->key.asym);
    policy_free(e->key.policy);
    kms_grants_free(&e->key);
    json_decref(e->key.doc);
    free(e);
}

uint64_t kms_key_cache_loads(void)
{
    return atomic_load(&cache.loads);
}

/* Drop the entry for cache_key (NULL: all); the write lock is held. */
static void evict(const char *cache_key)
{
    for (size_t i = 0; i < BUCKETS; i++) {
        struct entry **pp = &cache.buckets[i];
        while (*pp) {
            struct entry *e = *pp;
            if (!cache_key || strcmp(e->cache_key, cache_key) == 0) {
                *pp = e->next;
                kms_key_unref(e);
            } else {
                pp = &e->next;
            }
        }
    }
}

static void evict_change(uint64_t seq, const char *kind, const char *scope, const char *key,
                         void *ctx)
{
    char cache_key[RECORD_NAME_MAX];

    (void)seq, (void)ctx;
    if (strcmp(kind, RECORD_KMS_KEY) == 0) {
        snprintf(cache_key, sizeof(cache_key), "%s/%s", scope, key);
        evict(cache_key);
    } else if (strcmp(kind, RECORD_KMS_GRANT) == 0) {
        evict(scope);
    }
}

/* Bring the cache up to the store's last change; free when nothing changed. */
static void catch_up(struct store *store)
{
    uint64_t last = store_last_seq(store), epoch = store_epoch(store), upto;

    if (cache.store == store && atomic_load(&cache.seq) == last &&
        atomic_load(&cache.epoch) == epoch)
        return;
    pthread_rwlock_wrlock(&cache.lock);
    if (cache.store != store) {
        /* another store (tests open several in one process): nothing cached holds */
        evict(NULL);
        cache.store = store;
        atomic_store(&cache.seq, 0);
    }
    /* too old (the ring lost changes we need), or the node turned stale or current again
     * (store.h, "Several nodes"): nothing held can be trusted */
    if (!store_changes_since(store, atomic_load(&cache.seq), evict_change, NULL, &upto) ||
        atomic_load(&cache.epoch) != epoch)
        evict(NULL);
    atomic_store(&cache.seq, upto);
    atomic_store(&cache.epoch, epoch);
    pthread_rwlock_unlock(&cache.lock);
}

bool kms_region_served(const struct call_env *env, const char *region)
{
    if (!env->regions)
        return strcmp(region, env->region) == 0;
    return region_set_has(env->regions, region);
}

void kms_scope(const struct call *call, const char *kind, char out[RECORD_NAME_MAX])
{
    store_scope(kind, call->env->account_id, call->region, NULL, out);
}

void kms_key_scope(const struct call *call, const char *key_id, char out[RECORD_NAME_MAX])
{
    store_scope(RECORD_KMS_GRANT, call->env->account_id, call->region, key_id, out);
}

const char *kms_scope_key_id(const char *scope)
{
    const char *slash = strrchr(scope, '/');

    return slash ? slash + 1 : scope;
}

/* The page position of a match (kms_page_find). */
static cu_rc match_position(bool per_key, const json_t *match, char out[PAGE_KEY_MAX + 1])
{
    const char *scope = json_string_value(json_object_get(match, "scope"));
    const char *key = json_string_value(json_object_get(match, "key"));
    int n = per_key ? snprintf(out, PAGE_KEY_MAX + 1, "%s/%s", kms_scope_key_id(scope), key)
                    : snprintf(out, PAGE_KEY_MAX + 1, "%s", key);

    return n >= 0 && n <= PAGE_KEY_MAX ? CU_OK : CU_E_INTERNAL;
}

/* A page position back to the store's (scope, key), in the buffers given. */
static void position_of(struct call *call, const struct store_lookup *q, bool per_key,
                        const char *marker, char scope[RECORD_NAME_MAX],
                        struct store_position *at)
{
    const char *slash = per_key ? strchr(marker, '/') : NULL;
    char key_id[RECORD_NAME_MAX];

    if (per_key) {
        size_t n = slash ? (size_t)(slash - marker) : strlen(marker);
        snprintf(key_id, sizeof(key_id), "%.*s", (int)n, marker);
        kms_key_scope(call, key_id, scope);
        at->key = slash ? slash + 1 : "";
    } else {
        str_copy(scope, RECORD_NAME_MAX, q->within);
        at->key = marker;
    }
    at->scope = scope;
}

cu_rc kms_page_find(struct call *call, struct page *page, const struct store_lookup *q,
                    bool per_key, kms_match_view view, void *ctx)
{
    cu_rc rc = CU_OK;
    char marker[PAGE_KEY_MAX + 1], scope[RECORD_NAME_MAX];
    struct store_position at = {0};
    json_t *items = NULL, *item = NULL, *match;
    bool more = true;
    size_t i;

    str_copy(marker, sizeof(marker), page->after);
    /* one match past the limit, so that page_add() sees whether more follow; a view that
     * skips matches makes the loop read on from the last match looked at */
    while (more && !page_full(page)) {
        if (marker[0])
            position_of(call, q, per_key, marker, scope, &at);
        TRY(store_find(call->tx, q, marker[0] ? &at : NULL, page->limit + 1, &items, &more));
        json_array_foreach(items, i, match)
        {
            TRY(match_position(per_key, match, marker));
            TRY(view(match, ctx, &item));
            if (item) {
                json_t *give = item;

                item = NULL;
                TRY(page_add(page, marker, give)); /* steals give */
            }
            if (page_full(page))
                break;
        }
        json_decref(items);
        items = NULL;
    }
out:
    json_decref(item);
    json_decref(items);
    return rc;
}

void kms_key_arn(const struct call *call, const char *key_id, char out[KMS_ARN_MAX])
{
    snprintf(out, KMS_ARN_MAX, "arn:aws:kms:%s:%s:key/%s", call->region,
             call->env->account_id, key_id);
}

_Static_assert(SWEEP_ARN_MAX >= KMS_ARN_MAX, "a key ARN fits the sweep's buffer");

void kms_sweep_key_arn(const struct call *call, const char *key_id, const json_t *doc, char *out)
{
    (void)doc;
    kms_key_arn(call, key_id, out);
}

void kms_alias_arn(const struct call *call, const char *alias, char out[KMS_ARN_MAX])
{
    snprintf(out, KMS_ARN_MAX, "arn:aws:kms:%s:%s:%s", call->region, call->env->account_id,
             alias);
}

/* Open every backing key version of a record. */
static cu_rc open_backing(struct call *call, struct kms_key *k)
{
    cu_rc rc = CU_OK;
    json_t *list = json_object_get(k->doc, "Backing"), *item;
    struct buf sealed, aad;
    size_t i;

    buf_init(&sealed, 4096);
    buf_init(&aad, 4096);
    if (json_object_get(k->doc, "Private"))
        return kms_asym_open(call, k); /* an RSA, EC or HMAC key: no backing keys */
    k->n_backing = json_array_size(list);
    /* a key of imported material has none while PendingImport (import.c) */
    ENSURE(k->n_backing > 0 || kms_import_external(k->doc), CU_E_STORE);
    k->backing = calloc(k->n_backing + 1, sizeof(*k->backing));
    ENSURE(k->backing, CU_E_NOMEM);
    json_array_foreach(list, i, item)
    {
        const char *text = json_string_value(json_object_get(item, "Sealed"));

        ENSURE(text, CU_E_STORE);
        buf_reset(&sealed);
        TRY(b64_decode(bytes_str(text), &sealed));
        buf_reset(&aad);
        TRY(backing_key_seal_aad(k->arn, (uint32_t)(i + 1), &aad));
        TRY(backing_key_open(call->env->master_key, buf_bytes(&sealed), buf_bytes(&aad),
                             &k->backing[i]));
    }
    k->current_version = (uint32_t)k->n_backing;
out:
    buf_release(&aad);
    buf_release(&sealed);
    return rc;
}

cu_rc kms_backing_seal(const struct master_key *mk, const struct backing_key *bk,
                       const char *arn, uint32_t version, struct buf *text)
{
    cu_rc rc = CU_OK;
    struct buf sealed, aad;

    buf_init(&sealed, 4096);
    buf_init(&aad, 4096);
    buf_reset(text);
    TRY(backing_key_seal_aad(arn, version, &aad));
    TRY(backing_key_seal(mk, bk, buf_bytes(&aad), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), text));
out:
    buf_release(&aad);
    buf_release(&sealed);
    return rc;
}

/* A new entry for key_id as call's transaction sees it; *seq and *epoch: what it is
 * current to (store_tx_seq, store_tx_epoch). */
static cu_rc load(struct call *call, const char *key_id, uint64_t *seq, uint64_t *epoch,
                  struct entry **out)
{
    cu_rc rc = CU_OK;
    struct entry *e = calloc(1, sizeof(*e));
    struct cu_err ignored = {0};
    const char *policy;

    ENSURE(e, CU_E_NOMEM);
    atomic_init(&e->refs, 1);
    TRY(kind_load(call, &kms_kind_key, NULL, key_id, &e->key.doc));
    *seq = store_tx_seq(call->tx);
    *epoch = store_tx_epoch(call->tx);
    e->key.key_id = json_string_value(json_object_get(e->key.doc, "KeyId"));
    snprintf(e->key.arn, sizeof(e->key.arn), "%s",
             json_string_value(json_object_get(e->key.doc, "Arn")));
    policy = json_string_value(json_object_get(e->key.doc, "Policy"));
    /* The policy was accepted by this compiler when it was stored. */
    ENSURE(policy, CU_E_STORE);
    TRY(policy_compile(bytes_str(policy), POLICY_KEY, "key-policy", &e->key.policy, &ignored));
    TRY(open_backing(call, &e->key));
    TRY(kms_grants_load(call, &e->key));
    kms_key_scope(call, key_id, e->cache_key);
    atomic_fetch_add(&cache.loads, 1);
    *out = e;
    e = NULL;
out:
    kms_key_unref(e);
    return rc;
}

/* Cache fresh (the caller keeps its own reference either way), unless the cache has
 * applied changes past the snapshot it was read from (one of them may be to this key) or
 * is current to another epoch. */
static void insert(struct store *store, uint64_t seq, uint64_t epoch, struct entry *fresh)
{
    struct entry **slot;

    pthread_rwlock_wrlock(&cache.lock);
    if (!seq || cache.store != store || atomic_load(&cache.seq) > seq ||
        atomic_load(&cache.epoch) != epoch)
        goto out;
    slot = &cache.buckets[bucket_of(fresh->cache_key)];
    for (struct entry **pp = slot; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->cache_key, fresh->cache_key) == 0) {
            struct entry *old = *pp;
            *pp = old->next;
            kms_key_unref(old);
            break;
        }
    }
    fresh->next = *slot;
    *slot = fresh;
    atomic_fetch_add(&fresh->refs, 1);
out:
    pthread_rwlock_unlock(&cache.lock);
}

cu_rc kms_key_by_id(struct call *call, const char *key_id, struct kms_key **out)
{
    cu_rc rc = CU_OK;
    uint64_t seq = 0, epoch = 0;
    char cache_key[RECORD_NAME_MAX];
    struct entry *e, *fresh = NULL;

    kms_key_scope(call, key_id, cache_key);
    catch_up(call->env->store);
    pthread_rwlock_rdlock(&cache.lock);
    for (e = cache.buckets[bucket_of(cache_key)]; e; e = e->next)
        if (strcmp(e->cache_key, cache_key) == 0)
            break;
    if (e)
        atomic_fetch_add(&e->refs, 1);
    pthread_rwlock_unlock(&cache.lock);
    stats_add(e ? STATS_KMS_KEY_HIT : STATS_KMS_KEY_MISS, 1);
    if (!e) {
        TRY(load(call, key_id, &seq, &epoch, &fresh));
        insert(call->env->store, seq, epoch, fresh);
        e = fresh;
    }
    /* A key whose deletion window has ended is deleted, whether or not the sweep
     * (key_state.c) has removed its record yet. */
    if (kms_key_is_deleted(e->key.doc, call->now_ms)) {
        kms_key_unref(e);
        return kind_not_found(call, &kms_kind_key, key_id);
    }
    *out = &e->key;
out:
    return rc;
}

/* "alias/x" or "arn:aws:kms:<region>:<acct>:alias/x" -> the target key id. */
static cu_rc alias_target(struct call *call, const char *alias, char key_id[IDS_UUID_LEN + 1])
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    const char *target;

    TRY(kind_load(call, &kms_kind_alias, NULL, alias, &doc));
    target = json_string_value(json_object_get(doc, "TargetKeyId"));
    ENSURE(target, CU_E_STORE);
    str_copy(key_id, IDS_UUID_LEN + 1, target);
out:
    json_decref(doc);
    return rc;
}

bool kms_key_id_valid(const char *id)
{
    if (strncmp(id, "mrk-", 4) != 0)
        return ids_is_uuid(id);
    /* a multi-Region key: "mrk-" and 32 lowercase hex digits (KMS developer guide,
     * multi-region-keys-overview, "Multi-Region key IDs") */
    for (size_t i = 4; i < 4 + 32; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return id[36] == '\0';
}

/* A key ARN naming another region than the call's: KMS answers "Invalid arn <region>"
 * (NotFoundException), as seen in nakedible/openssl-engine-kms#1 ("Invalid arn
 * us-west-1" for a key ARN of us-west-1 sent to another region). Keys are regional: a
 * multi-Region key is reached through its replica's ARN in the call's region. */
static cu_rc other_region(struct call *call, const char *arn)
{
    const char *region = arn + 12, *colon = strchr(region, ':');
    int n = colon ? (int)(colon - region) : (int)strlen(region);

    bool same = strncmp(region, call->region, (size_t)n) == 0 && call->region[n] == '\0';

    if (n > 0 && n < REGIONS_NAME_MAX && !same)
        return cu_err_set(&call->err, CU_E_KMS_NOT_FOUND, "Invalid arn %.*s", n, region);
    return CU_OK;
}

cu_rc kms_key_find(struct call *call, const char *id, struct kms_key **out)
{
    cu_rc rc = CU_OK;
    char prefix[KMS_ARN_MAX], key_id[IDS_UUID_LEN + 1];
    int n;

    /* "arn:aws:kms:<region>:<account>:" is only worth building for what looks like one */
    n = strncmp(id, "arn:", 4) == 0
            ? snprintf(prefix, sizeof(prefix), "arn:aws:kms:%s:%s:", call->region,
                       call->env->account_id)
            : 0;
    if (n > 0 && strncmp(id, "arn:aws:kms:", 12) == 0 && strncmp(id, prefix, (size_t)n) != 0)
        TRY(other_region(call, id));
    if (n > 0 && strncmp(id, prefix, (size_t)n) == 0) {
        /* an ARN of this account and region: strip it to the key id or alias name */
        const char *rest = id + n;
        if (strncmp(rest, "key/", 4) == 0)
            id = rest + 4;
        else if (strncmp(rest, "alias/", 6) == 0)
            id = rest;
    }
    if (strncmp(id, "alias/", 6) == 0) {
        TRY(kms_aws_managed_first_use(call, id));
        TRY(alias_target(call, id, key_id));
        return kms_key_by_id(call, key_id, out);
    }
    if (!kms_key_id_valid(id)) {
        /* AWS answers an identifier it cannot parse (or another account's or region's
         * ARN, which custos does not serve) with NotFoundException. */
        rc = cu_err_set(&call->err, CU_E_KMS_NOT_FOUND, "Invalid keyId '%s'", id);
        goto out;
    }
    TRY(kms_key_by_id(call, id, out));
out:
    return rc;
}

void kms_target_hold(struct call *call, struct kms_key *key, const json_t *in, void *pin,
                     void (*unpin)(void *pin))
{
    str_copy(call->target.arn, sizeof(call->target.arn), key->arn);
    str_copy(call->target.account_id, sizeof(call->target.account_id), call->env->account_id);
    call->target.resource_policy = key->policy;
    call->target.resource = key;
    call->target.pin = pin;
    call->target.unpin = unpin;
    if (in)
        kms_key_condition_keys(call, key, in);
}

void kms_target_set(struct call *call, struct kms_key *key, const json_t *in)
{
    kms_target_hold(call, key, in, key, kms_key_unref);
}

struct kms_key *kms_target_key(const struct call *call)
{
    return call->target.resource;
}

cu_rc kms_key_check_usable(struct call *call, const struct kms_key *key)
{
    const char *state = kms_import_state(key->doc, call->now_ms);

    if (strcmp(state, "Enabled") == 0 && kms_import_has_material(key, call->now_ms))
        return CU_OK;
    if (strcmp(state, "PendingImport") == 0 || strcmp(state, "Enabled") == 0)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_STATE, "%s is pending import.",
                          key->arn);
    if (strcmp(state, "Disabled") == 0)
        return cu_err_set(&call->err, CU_E_KMS_DISABLED, "%s is disabled.", key->arn);
    if (strcmp(state, "PendingDeletion") == 0)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_STATE, "%s is pending deletion.",
                          key->arn);
    return cu_err_set(&call->err, CU_E_KMS_INVALID_STATE, "%s is %s.", key->arn, state);
}

bool kms_key_is_deleted(const json_t *doc, int64_t now_ms)
{
    const char *state = json_string_value(json_object_get(doc, "KeyState"));
    const json_t *when = json_object_get(doc, "DeletionDate");

    return state && strcmp(state, "PendingDeletion") == 0 && json_is_integer(when) &&
           json_integer_value(when) <= now_ms;
}

cu_rc kms_key_check_not_pending(struct call *call, const struct kms_key *key)
{
    const char *state = json_string_value(json_object_get(key->doc, "KeyState"));

    if (state && strcmp(state, "PendingDeletion") == 0)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_STATE, "%s is pending deletion.",
                          key->arn);
    if (state && strcmp(state, "PendingReplicaDeletion") == 0)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_STATE,
                          "%s is pending replica deletion.", key->arn);
    return CU_OK;
}

static cu_rc resolve_member(struct call *call, const json_t *in, const char *member)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = NULL;

    TRY(kms_key_find(call, in_str(in, member), &key));
    kms_target_set(call, key, in);
out:
    return rc;
}

/* Resolver: the KeyId member -> the target key. */
cu_rc kms_resolve_key_id(struct call *call, const json_t *in)
{
    return resolve_member(call, in, "KeyId");
}

/* Resolver: the TargetKeyId member -> the target key. */
cu_rc kms_resolve_target_key_id(struct call *call, const json_t *in)
{
    return resolve_member(call, in, "TargetKeyId");
}
