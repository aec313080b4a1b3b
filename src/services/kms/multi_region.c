/* multi_region.c — multi-Region keys: CreateKey's MultiRegion, ReplicateKey,
 * UpdatePrimaryRegion, DescribeKey's MultiRegionConfiguration, and what ties related keys
 * together (KMS developer guide, multi-region-keys-overview).
 *
 * Related keys share one key id ("mrk-" + 32 hex) and one record per region, each under
 * its own region's scope: {"MultiRegion": true, "MultiRegionKeyType": "PRIMARY" or
 * "REPLICA"}. The set is found by reading that key id in every served region, so no record
 * lists the others and none goes stale. A replica holds the primary's material (every
 * backing key version, or the private key) sealed again under its own ARN (the sealing AAD
 * binds the ARN), so it opens the primary's ciphertexts and the primary opens its own.
 * The primary is the source of the shared properties: a rotation of the primary gives
 * every replica the same new version (kms_mrk_follow_primary). custos replicates inside
 * the call's transaction, so the transient states Creating and Updating never show.
 *
 * Deletion (KMS developer guide, multi-region-keys-delete): a primary with replicas goes
 * to PendingReplicaDeletion; its waiting period begins when its last replica is deleted
 * (kms_mrk_replica_deleted, from the sweep). */
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/rand.h"
#include "core/tree.h"
#include "crypto/asym_key.h"
#include "crypto/backing_key.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "multi_region.h"
#include "policy/policy.h"
#include "services/in.h"
#include "services/render.h"
#include "store/records.h"

#define DAY_MS (86400LL * 1000)

bool kms_mrk_is(const json_t *doc)
{
    return json_is_true(json_object_get(doc, "MultiRegion"));
}

static bool is_type(const json_t *doc, const char *type)
{
    const char *t = json_string_value(json_object_get(doc, "MultiRegionKeyType"));

    return kms_mrk_is(doc) && t && strcmp(t, type) == 0;
}

cu_rc kms_mrk_new_id(const json_t *in, char key_id[IDS_UUID_LEN + 1])
{
    cu_rc rc = CU_OK;
    uint8_t raw[16];

    if (!in_bool(in, "MultiRegion", false))
        return ids_uuid(key_id);
    /* "mrk-" and 32 hex digits (multi-region-keys-overview, "Multi-Region key ID") */
    TRY(rand_bytes(raw, sizeof(raw)));
    memcpy(key_id, "mrk-", 4);
    hex_encode_to(raw, sizeof(raw), key_id + 4);
    key_id[4 + 2 * sizeof(raw)] = '\0';
out:
    return rc;
}

cu_rc kms_mrk_mark(const json_t *in, json_t *doc)
{
    cu_rc rc = CU_OK;

    if (!in_bool(in, "MultiRegion", false))
        return CU_OK;
    TRY(tree_set_bool(doc, "MultiRegion", true));
    TRY(tree_set_str(doc, "MultiRegionKeyType", "PRIMARY"));
out:
    return rc;
}

/* The record of key_id in region (NULL when none, or deleted), read in call's tx. */
static cu_rc load_in(struct call *call, const char *region, const char *key_id, json_t **doc)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];

    store_scope(RECORD_KMS_KEY, call->env->account_id, region, NULL, scope);
    TRY(store_get(call->tx, RECORD_KMS_KEY, scope, key_id, doc));
    if (*doc && kms_key_is_deleted(*doc, call->now_ms)) {
        json_decref(*doc);
        *doc = NULL;
    }
out:
    return rc;
}

static cu_rc save_in(struct call *call, const char *region, const char *key_id,
                     const json_t *doc, enum store_put_mode mode)
{
    char scope[RECORD_NAME_MAX];

    store_scope(RECORD_KMS_KEY, call->env->account_id, region, NULL, scope);
    return store_put(call->tx, RECORD_KMS_KEY, scope, key_id, doc, mode);
}

/* fn for each served region holding a live record of the key (the key's own included). */
typedef cu_rc (*related_fn)(struct call *call, const char *region, json_t *doc, void *ctx);

static cu_rc each_related(struct call *call, const char *key_id, related_fn fn, void *ctx)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    for (size_t i = 0; i < regions_count(); i++) {
        const char *region = regions_name(i);

        if (!kms_region_served(call->env, region))
            continue;
        TRY(load_in(call, region, key_id, &doc));
        if (doc && kms_mrk_is(doc))
            TRY(fn(call, region, doc, ctx));
        json_decref(doc);
        doc = NULL;
    }
out:
    json_decref(doc);
    return rc;
}

/* MultiRegionConfiguration, built while visiting the related keys. */
static cu_rc add_member(struct call *call, const char *region, json_t *doc, void *ctx)
{
    json_t *conf = ctx;
    json_t *entry = json_pack("{s:s, s:s}", "Arn", json_string_value(json_object_get(doc, "Arn")),
                              "Region", region);

    (void)call;
    if (!entry)
        return CU_E_NOMEM;
    if (is_type(doc, "PRIMARY"))
        return json_object_set_new(conf, "PrimaryKey", entry) == 0 ? CU_OK : CU_E_NOMEM;
    return json_array_append_new(json_object_get(conf, "ReplicaKeys"), entry) == 0 ? CU_OK
                                                                                  : CU_E_NOMEM;
}

cu_rc kms_mrk_render(struct call *call, json_t *metadata, const json_t *doc)
{
    cu_rc rc = CU_OK;
    json_t *conf = NULL;

    TRY(tree_set_bool(metadata, "MultiRegion", kms_mrk_is(doc)));
    if (!kms_mrk_is(doc))
        goto out;
    conf = json_pack("{s:s, s:[]}", "MultiRegionKeyType",
                     json_string_value(json_object_get(doc, "MultiRegionKeyType")),
                     "ReplicaKeys");
    ENSURE(conf, CU_E_NOMEM);
    TRY(each_related(call, json_string_value(json_object_get(doc, "KeyId")), add_member, conf));
    TRY(tree_set_new(metadata, "MultiRegionConfiguration", conf));
    conf = NULL;
out:
    json_decref(conf);
    return rc;
}

/* Counting the live replicas of a primary. */
static cu_rc count_replica(struct call *call, const char *region, json_t *doc, void *ctx)
{
    (void)call, (void)region;
    if (is_type(doc, "REPLICA"))
        (*(size_t *)ctx)++;
    return CU_OK;
}

cu_rc kms_mrk_replicas(struct call *call, const json_t *doc, size_t *n)
{
    *n = 0;
    if (!is_type(doc, "PRIMARY"))
        return CU_OK;
    return each_related(call, json_string_value(json_object_get(doc, "KeyId")), count_replica, n);
}

/* Seal the material of the record `from` (sealed under from's ARN) again under to_arn,
 * into the record `to`: every backing key version with its rotation dates, or the
 * private key. The opened material lives only inside this function. */
static cu_rc reseal_backing(struct call *call, const json_t *from, const char *to_arn, json_t *to)
{
    cu_rc rc = CU_OK;
    const char *from_arn = json_string_value(json_object_get(from, "Arn"));
    json_t *list = json_array(), *item, *copy = NULL;
    struct backing_key *bk = NULL;
    struct buf sealed, text, aad;
    size_t i;

    buf_init(&sealed, 4096);
    buf_init(&text, 8192);
    buf_init(&aad, 4096);
    ENSURE(list && from_arn, CU_E_NOMEM);
    json_array_foreach(json_object_get(from, "Backing"), i, item)
    {
        const char *b64 = json_string_value(json_object_get(item, "Sealed"));
        uint32_t version = (uint32_t)(i + 1);

        ENSURE(b64, CU_E_STORE);
        buf_reset(&sealed);
        buf_reset(&aad);
        TRY(b64_decode(bytes_str(b64), &sealed));
        TRY(backing_key_seal_aad(from_arn, version, &aad));
        TRY(backing_key_open(call->env->master_key, buf_bytes(&sealed), buf_bytes(&aad), &bk));
        TRY(kms_backing_seal(call->env->master_key, bk, to_arn, version, &text));
        backing_key_free(bk);
        bk = NULL;
        copy = json_deep_copy(item);
        ENSURE(copy, CU_E_NOMEM);
        TRY(tree_set_str(copy, "Sealed", text.p));
        ENSURE(json_array_append_new(list, copy) == 0, CU_E_NOMEM);
        copy = NULL;
    }
    TRY(tree_set_new(to, "Backing", list));
    list = NULL;
out:
    backing_key_free(bk);
    json_decref(copy);
    json_decref(list);
    buf_release(&aad);
    buf_release(&sealed);
    buf_release(&text);
    return rc;
}

static cu_rc reseal_private(struct call *call, const json_t *from, const char *to_arn, json_t *to)
{
    cu_rc rc = CU_OK;
    const json_t *priv = json_object_get(from, "Private");
    const char *b64 = json_string_value(json_object_get(priv, "Sealed"));
    json_int_t version = json_integer_value(json_object_get(priv, "Version"));
    struct asym_key *k = NULL;
    struct buf sealed, text, aad;

    buf_init(&sealed, 1 << 16);
    buf_init(&text, 1 << 17);
    buf_init(&aad, 4096);
    ENSURE(b64 && version > 0, CU_E_STORE);
    TRY(b64_decode(bytes_str(b64), &sealed));
    TRY(backing_key_seal_aad(json_string_value(json_object_get(from, "Arn")), (uint32_t)version,
                             &aad));
    TRY(asym_key_open(call->env->master_key, buf_bytes(&sealed), buf_bytes(&aad), &k));
    buf_reset(&sealed);
    buf_reset(&aad);
    TRY(backing_key_seal_aad(to_arn, (uint32_t)version, &aad));
    TRY(asym_key_seal(call->env->master_key, k, buf_bytes(&aad), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), &text));
    TRY(tree_set_new(to, "Private", json_pack("{s:I, s:s}", "Version", version, "Sealed", text.p)));
out:
    asym_key_free(k);
    buf_release(&aad);
    buf_release(&sealed);
    buf_release(&text);
    return rc;
}

/* What a replica shares with its primary (ReplicateKey's "shared properties": key
 * material, key spec, key usage, origin, automatic rotation). */
static const char *const shared_members[] = {
    "KeySpec", "KeyUsage", "Origin", "RotationEnabled", "RotationPeriodInDays",
    "NextRotationDate", "RotationBaseDate", "OnDemandRotations", "ValidTo", "ExpirationModel",
    "ImportFingerprint",
};

static cu_rc copy_shared(struct call *call, const json_t *primary, json_t *replica)
{
    cu_rc rc = CU_OK;
    const char *arn = json_string_value(json_object_get(replica, "Arn"));

    for (size_t i = 0; i < ARRAY_LEN(shared_members); i++) {
        json_t *v = json_object_get(primary, shared_members[i]);

        if (v)
            TRY(tree_set_new(replica, shared_members[i], json_deep_copy(v)));
        else
            json_object_del(replica, shared_members[i]);
    }
    if (json_object_get(primary, "Private"))
        TRY(reseal_private(call, primary, arn, replica));
    else
        TRY(reseal_backing(call, primary, arn, replica));
out:
    return rc;
}

/* Bring one replica up to its primary's shared properties. */
static cu_rc follow(struct call *call, const char *region, json_t *doc, void *ctx)
{
    const json_t *primary = ctx;

    if (!is_type(doc, "REPLICA"))
        return CU_OK;
    if (copy_shared(call, primary, doc) != CU_OK)
        return CU_E_INTERNAL;
    return save_in(call, region, json_string_value(json_object_get(doc, "KeyId")), doc,
                   STORE_REPLACE);
}

cu_rc kms_mrk_follow_primary(struct call *call, const json_t *primary)
{
    if (!is_type(primary, "PRIMARY"))
        return CU_OK;
    return each_related(call, json_string_value(json_object_get(primary, "KeyId")), follow,
                        (void *)primary);
}

const char *kms_mrk_material_name(const struct kms_key *key)
{
    return kms_mrk_is(key->doc) ? key->key_id : key->arn;
}

cu_rc kms_mrk_check_not_replica(struct call *call, const struct kms_key *key)
{
    /* rotation is a shared property set on the primary key (ReplicateKey, "automatic
     * key rotation status ... KMS automatically synchronizes these shared properties") */
    if (is_type(key->doc, "REPLICA"))
        return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                          "%s is a multi-Region replica key. Manage its key rotation on its "
                          "primary key.", key->arn);
    return CU_OK;
}

/* The primary with its window, once its last replica is gone. */
static cu_rc start_window(struct call *call, const char *region, json_t *doc, void *ctx)
{
    cu_rc rc = CU_OK;
    const char *state = json_string_value(json_object_get(doc, "KeyState"));
    size_t replicas = 0;
    int64_t days;

    (void)ctx;
    if (!is_type(doc, "PRIMARY") || !state || strcmp(state, "PendingReplicaDeletion") != 0)
        return CU_OK;
    TRY(kms_mrk_replicas(call, doc, &replicas));
    if (replicas)
        return CU_OK;
    days = json_integer_value(json_object_get(doc, "PendingDeletionWindowInDays"));
    TRY(tree_set_str(doc, "KeyState", "PendingDeletion"));
    TRY(tree_set_int(doc, "DeletionDate", call->now_ms + days * DAY_MS));
    TRY(save_in(call, region, json_string_value(json_object_get(doc, "KeyId")), doc,
                STORE_REPLACE));
out:
    return rc;
}

cu_rc kms_mrk_replica_deleted(struct call *call, const char *key_id)
{
    if (strncmp(key_id, "mrk-", 4) != 0)
        return CU_OK;
    return each_related(call, key_id, start_window, NULL);
}

/* --- ReplicateKey ------------------------------------------------------------------ */

/* kms:ReplicaRegion (KMS developer guide, conditions-kms): the Region of the replica. */
void kms_replicate_key_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_request_tags(keys, in_list(in, "Tags"));
    if (in_str(in, "ReplicaRegion"))
        call_keys_add(keys, "kms:ReplicaRegion", in_str(in, "ReplicaRegion"));
}

/* kms:PrimaryRegion: the Region of the key that becomes the primary. */
void kms_update_primary_region_condition_keys(const json_t *in, struct call_keys *keys)
{
    if (in_str(in, "PrimaryRegion"))
        call_keys_add(keys, "kms:PrimaryRegion", in_str(in, "PrimaryRegion"));
}

/* Also-resolver of ReplicateKey: "kms:CreateKey in an IAM policy in the replica Region"
 * (API reference, ReplicateKey, Required permissions): no key exists yet to hold a
 * policy, so the resource is "*" as for CreateKey. */
cu_rc kms_resolve_replica_region(struct call *call, const json_t *in)
{
    (void)in;
    str_copy(call->also.arn, sizeof(call->also.arn), "*");
    str_copy(call->also.account_id, sizeof(call->also.account_id), call->env->account_id);
    return CU_OK;
}

/* Second also-resolver of ReplicateKey: "To use the Tags parameter, kms:TagResource in an
 * IAM policy in the replica Region" (API reference, ReplicateKey); the replica does not
 * exist yet, so the resource is "*". Not needed without Tags. */
cu_rc kms_resolve_replica_tags(struct call *call, const json_t *in)
{
    str_copy(call->also.arn, sizeof(call->also.arn), "*");
    str_copy(call->also.account_id, sizeof(call->also.account_id), call->env->account_id);
    call->also.not_needed = json_array_size(in_list(in, "Tags")) == 0;
    return CU_OK;
}

static cu_rc check_replicable(struct call *call, const struct kms_key *key, const char *region)
{
    cu_rc rc = CU_OK;
    json_t *there = NULL;
    const char *state = json_string_value(json_object_get(key->doc, "KeyState"));
    char scope[RECORD_NAME_MAX];

    /* "It's the only key that can be replicated" (UpdatePrimaryRegion); the wording is
     * the one AWS clients test for ("is not a multi-Region primary key") */
    ENSURE(is_type(key->doc, "PRIMARY"),
           cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED, "%s is not a multi-Region primary key.",
                      key->arn));
    TRY(kms_key_check_not_pending(call, key));
    ENSURE(!state || strcmp(state, "Disabled") != 0,
           cu_err_set(&call->err, CU_E_KMS_DISABLED, "%s is disabled.", key->arn));
    /* the replica Region must be a Region of the partition the account has enabled: here,
     * one this node serves (ReplicateKey, ReplicaRegion) */
    ENSURE(kms_region_served(call->env, region),
           cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                      "The replica Region %s is not enabled for this account.", region));
    /* "The replica must be in a different ... Region than its primary key and other
     * replicas"; "If the Region already includes a replica ... AlreadyExistsException",
     * also while that replica is pending deletion */
    store_scope(RECORD_KMS_KEY, call->env->account_id, region, NULL, scope);
    if (strcmp(region, call->region) != 0)
        TRY(store_get(call->tx, RECORD_KMS_KEY, scope, key->key_id, &there));
    ENSURE(!there && strcmp(region, call->region) != 0,
           cu_err_set(&call->err, CU_E_KMS_ALREADY_EXISTS,
                      "Multi-Region key %s already exists in %s.", key->key_id, region));
out:
    json_decref(there);
    return rc;
}

/* The replica's record: the primary's shared properties, its own ARN, policy,
 * description and tags, Enabled (PendingImport for imported material, which must be
 * imported into the replica again: ReplicateKey). */
static cu_rc replica_doc(struct call *call, const struct kms_key *primary, const json_t *in,
                         const char *region, const char *policy, json_t **out)
{
    cu_rc rc = CU_OK;
    char arn[KMS_ARN_MAX];
    const char *origin = json_string_value(json_object_get(primary->doc, "Origin"));
    bool external = origin && strcmp(origin, "EXTERNAL") == 0;
    json_t *doc = NULL;

    snprintf(arn, sizeof(arn), "arn:aws:kms:%s:%s:key/%s", region, call->env->account_id,
             primary->key_id);
    TRY(kms_key_record_new(call,
                           &(struct kms_key_record){.key_id = primary->key_id, .arn = arn,
                                                    .description = in_str_or(in, "Description", ""),
                                                    .key_manager = "CUSTOMER", .policy = policy,
                                                    .tags = in_list(in, "Tags")},
                           &doc));
    TRY(tree_set_bool(doc, "MultiRegion", true));
    TRY(tree_set_str(doc, "MultiRegionKeyType", "REPLICA"));
    TRY(copy_shared(call, primary->doc, doc));
    if (external) {
        TRY(tree_set_new(doc, "Backing", json_array()));
        json_object_del(doc, "Private"); /* an imported RSA, EC or HMAC key's material */
        json_object_del(doc, "ValidTo");
        json_object_del(doc, "ExpirationModel");
    }
    TRY(tree_set_str(doc, "KeyState", external ? "PendingImport" : "Enabled"));
    *out = doc;
    doc = NULL;
out:
    json_decref(doc);
    return rc;
}

/* The default key policy of the replica: AWS's default, not the primary's (ReplicateKey,
 * Policy: "If you do not provide a key policy, KMS attaches the default key policy"). */
static cu_rc default_policy(const struct call *call, struct buf *out)
{
    return buf_addf(out,
                    "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
                    "  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n"
                    "    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n"
                    "      \"AWS\" : \"arn:aws:iam::%s:root\"\n    },\n"
                    "    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}",
                    call->env->account_id);
}

cu_rc kms_replicate_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *primary = kms_target_key(call);
    const char *region = in_str(in, "ReplicaRegion"), *given = in_str(in, "Policy");
    const char *home = call->region;
    char arn[KMS_ARN_MAX];
    struct policy *compiled = NULL;
    struct buf policy;
    json_t *doc = NULL, *rendered = json_object();

    buf_init(&policy, 1 << 18);
    ENSURE(rendered, CU_E_NOMEM);
    TRY(check_replicable(call, primary, region));
    TRY(kms_tags_check(call, in_list(in, "Tags")));
    if (given)
        TRY(buf_addstr(&policy, given));
    else
        TRY(default_policy(call, &policy));
    snprintf(arn, sizeof(arn), "arn:aws:kms:%s:%s:key/%s", region, call->env->account_id,
             primary->key_id);
    TRY(kms_policy_accept(call, arn, policy.p,
                          !given || in_bool(in, "BypassPolicyLockoutSafetyCheck", false),
                          &compiled));
    TRY(replica_doc(call, primary, in, region, policy.p, &doc));
    TRY(save_in(call, region, primary->key_id, doc, STORE_CREATE));
    /* the replica's metadata as DescribeKey in its own Region shows it */
    call->region = region;
    rc = kms_key_metadata("DescribeKey", doc, rendered);
    if (rc == CU_OK)
        rc = kms_mrk_render(call, json_object_get(rendered, "KeyMetadata"), doc);
    call->region = home;
    TRY(rc);
    TRY(tree_set_new(out, "ReplicaKeyMetadata",
                     json_incref(json_object_get(rendered, "KeyMetadata"))));
    TRY(tree_set_str(out, "ReplicaPolicy", policy.p));
    TRY(tree_set_new(out, "ReplicaTags", json_deep_copy(json_object_get(doc, "Tags"))));
out:
    json_decref(doc);
    json_decref(rendered);
    policy_free(compiled);
    buf_release(&policy);
    return rc;
}

/* --- UpdatePrimaryRegion ----------------------------------------------------------- */

/* Also-resolver of UpdatePrimaryRegion: the replica in PrimaryRegion, whose own key
 * policy must allow kms:UpdatePrimaryRegion too (API reference, UpdatePrimaryRegion,
 * Required permissions). */
cu_rc kms_resolve_new_primary(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *home = call->region, *region = in_str(in, "PrimaryRegion");
    struct kms_key *primary = kms_target_key(call), *key = NULL;

    ENSURE(kms_mrk_is(primary->doc),
           cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED, "%s is not a multi-Region key.",
                      primary->arn));
    ENSURE(kms_region_served(call->env, region),
           cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                      "The Region %s is not enabled for this account.", region));
    call->region = region;
    rc = kms_key_by_id(call, primary->key_id, &key);
    call->region = home;
    TRY(rc);
    str_copy(call->also.arn, sizeof(call->also.arn), key->arn);
    str_copy(call->also.account_id, sizeof(call->also.account_id), call->env->account_id);
    call->also.resource_policy = key->policy;
    call->also.resource = key;
    call->also.pin = key;
    call->also.unpin = kms_key_unref;
out:
    return rc;
}

cu_rc kms_update_primary_region(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *primary = kms_target_key(call), *replica = call->also.resource;
    const char *region = in_str(in, "PrimaryRegion");
    json_t *old = NULL, *now = NULL;

    (void)out;
    ENSURE(is_type(primary->doc, "PRIMARY"),
           cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED, "%s is not a multi-Region primary key.",
                      primary->arn));
    ENSURE(is_type(replica->doc, "REPLICA"),
           cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                      "%s is already the primary key of this multi-Region key.", replica->arn));
    TRY(kms_key_check_not_pending(call, primary));
    TRY(kms_key_check_not_pending(call, replica));
    old = json_deep_copy(primary->doc);
    now = json_deep_copy(replica->doc);
    ENSURE(old && now, CU_E_NOMEM);
    TRY(tree_set_str(old, "MultiRegionKeyType", "REPLICA"));
    TRY(tree_set_str(now, "MultiRegionKeyType", "PRIMARY"));
    TRY(save_in(call, call->region, primary->key_id, old, STORE_REPLACE));
    TRY(save_in(call, region, primary->key_id, now, STORE_REPLACE));
out:
    json_decref(old);
    json_decref(now);
    return rc;
}
