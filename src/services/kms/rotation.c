/* rotation.c — rotating a KMS key's backing key: EnableKeyRotation, DisableKeyRotation,
 * GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations, and the sweep that rotates
 * keys whose automatic rotation date has come (kms_sweep_rotations, run by the server's
 * key sweeper).
 *
 * A rotation appends a backing key version to the record's "Backing" list: new ciphertexts
 * name the newest version (kms_seal), every older one stays to decrypt what it sealed
 * (the blob's header names its version: ciphertext.h). Each version carries its
 * RotationDate and RotationType; its KeyMaterialId is derived from the key ARN and the
 * version (kms_key_material_id), so records written before rotation existed need nothing.
 * Record fields: RotationEnabled, RotationPeriodInDays, NextRotationDate (epoch ms),
 * OnDemandRotations (count, for AWS's per-key limit). Only symmetric keys with AWS_KMS
 * material rotate (KMS API reference, EnableKeyRotation). */
#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "crypto/backing_key.h"
#include "crypto/digest.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "multi_region.h"
#include "services/in.h"
#include "store/records.h"
#include "services/sweep.h"

#define DAY_MS (86400LL * 1000)
/* RotationPeriodInDays: 90-2560, default 365 (KMS API reference, EnableKeyRotation). */
#define PERIOD_MIN_DAYS 90
#define PERIOD_MAX_DAYS 2560
#define PERIOD_DEFAULT_DAYS 365
/* "You can perform on-demand key rotation a maximum of 25 times per KMS key" (KMS developer
 * guide, rotating-keys-on-demand; older API reference pages say 10). Not adjustable. */
#define ON_DEMAND_MAX 25

void kms_key_material_id(const char *key_arn, uint32_t version, char out[KMS_MATERIAL_ID_LEN + 1])
{
    char text[KMS_ARN_MAX + 48];
    const char *mrk = strstr(key_arn, ":key/mrk-");
    /* related multi-Region keys share their material (multi_region.c), so its id names
     * the key id alone, the same in every Region */
    int n = mrk ? snprintf(text, sizeof(text), "custos/v1/key-material-id\nmrk\n%s\n%u", mrk,
                           version)
                : snprintf(text, sizeof(text), "custos/v1/key-material-id\n%s\n%u", key_arn,
                           version);

    /* names the material without revealing anything of it: AWS's ids are 64 hex digits */
    digest_sha256_hex(bytes_of((const uint8_t *)text, n > 0 ? (size_t)n : 0), out);
}

cu_rc kms_rotation_metadata(const json_t *doc, json_t *metadata)
{
    char id[KMS_MATERIAL_ID_LEN + 1];
    size_t n = json_array_size(json_object_get(doc, "Backing"));

    if (!n)
        return CU_OK;
    kms_key_material_id(json_string_value(json_object_get(doc, "Arn")), (uint32_t)n, id);
    return tree_set_str(metadata, "CurrentKeyMaterialId", id);
}

static bool doc_is(const json_t *doc, const char *member, const char *value)
{
    const char *v = json_string_value(json_object_get(doc, member));

    return v && strcmp(v, value) == 0;
}

/* UnsupportedOperationException for keys whose material KMS cannot rotate: asymmetric and
 * HMAC keys (AWS's wording, as its clients report it), imported material and custom key
 * stores (KMS API reference, EnableKeyRotation: "Automatic key rotation is supported only
 * on symmetric encryption KMS keys"). */
static cu_rc check_rotatable(struct call *call, const struct kms_key *key)
{
    if (!doc_is(key->doc, "KeySpec", "SYMMETRIC_DEFAULT") ||
        !doc_is(key->doc, "KeyUsage", "ENCRYPT_DECRYPT"))
        return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                          "You cannot perform this operation on a non-symmetric key or a key "
                          "with non-ENCRYPT_DECRYPT key usage.");
    if (!doc_is(key->doc, "Origin", "AWS_KMS"))
        return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                          "You cannot perform this operation on a KMS key with Origin %s.",
                          json_string_value(json_object_get(key->doc, "Origin")));
    return CU_OK;
}

static cu_rc check_period(struct call *call, int64_t days)
{
    if (days < PERIOD_MIN_DAYS || days > PERIOD_MAX_DAYS)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "1 validation error detected: Value '%lld' at 'rotationPeriodInDays' "
                          "failed to satisfy constraint: Member must have value %s %d",
                          (long long)days,
                          days < PERIOD_MIN_DAYS ? "greater than or equal to"
                                                 : "less than or equal to",
                          days < PERIOD_MIN_DAYS ? PERIOD_MIN_DAYS : PERIOD_MAX_DAYS);
    return CU_OK;
}

/* Append a fresh backing key version to doc (a copy of the key's record the caller saves),
 * sealed under the master key for its own (arn, version) AAD. */
static cu_rc add_version(const struct call_env *env, json_t *doc, const char *type, int64_t now_ms)
{
    cu_rc rc = CU_OK;
    json_t *list = json_object_get(doc, "Backing");
    uint32_t version = (uint32_t)json_array_size(list) + 1;
    struct backing_key *bk = NULL;
    struct buf text;

    buf_init(&text, 8192);
    ENSURE(json_is_array(list), CU_E_STORE);
    TRY(backing_key_generate(&bk));
    TRY(kms_backing_seal(env->master_key, bk, json_string_value(json_object_get(doc, "Arn")),
                         version, &text));
    ENSURE(json_array_append_new(list, json_pack("{s:i, s:s, s:I, s:s}", "Version", version,
                                                 "Sealed", text.p, "RotationDate",
                                                 (json_int_t)now_ms, "RotationType", type)) == 0,
           CU_E_NOMEM);
out:
    backing_key_free(bk);
    buf_release(&text);
    return rc;
}

/* kms:RotationPeriodInDays (KMS developer guide, conditions-kms): the request's period. */
void kms_enable_key_rotation_condition_keys(const json_t *in, struct call_keys *keys)
{
    if (json_is_integer(json_object_get(in, "RotationPeriodInDays")))
        call_keys_add_number(keys, "kms:RotationPeriodInDays",
                             (long long)in_int(in, "RotationPeriodInDays", 0));
}

static cu_rc record_copy(struct call *call, json_t **out)
{
    *out = json_deep_copy(kms_target_key(call)->doc);
    return *out ? CU_OK : CU_E_NOMEM;
}

/* The date automatic rotation counts from: the last automatic rotation, else the day
 * rotation was enabled (a new period on a key already rotating keeps that base: "KMS
 * rotates ... on the new rotation date", KMS developer guide, rotating-keys-enable). */
static int64_t rotation_base(const json_t *doc, int64_t now_ms)
{
    const json_t *base = json_object_get(doc, "RotationBaseDate");

    return json_is_true(json_object_get(doc, "RotationEnabled")) && json_is_integer(base)
               ? json_integer_value(base)
               : now_ms;
}

cu_rc kms_enable_key_rotation(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    int64_t days = in_int(in, "RotationPeriodInDays", PERIOD_DEFAULT_DAYS), base;
    json_t *doc = NULL;

    (void)out;
    TRY(kms_key_check_usable(call, key));
    TRY(check_rotatable(call, key));
    TRY(kms_mrk_check_not_replica(call, key));
    TRY(check_period(call, days));
    TRY(record_copy(call, &doc));
    base = rotation_base(doc, call->now_ms);
    TRY(tree_set_bool(doc, "RotationEnabled", true));
    TRY(tree_set_int(doc, "RotationPeriodInDays", days));
    TRY(tree_set_int(doc, "RotationBaseDate", base));
    TRY(tree_set_int(doc, "NextRotationDate", base + days * DAY_MS));
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
    TRY(kms_mrk_follow_primary(call, doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc kms_disable_key_rotation(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    json_t *doc = NULL;

    (void)in, (void)out;
    TRY(kms_key_check_usable(call, key));
    TRY(check_rotatable(call, key));
    TRY(kms_mrk_check_not_replica(call, key));
    TRY(record_copy(call, &doc));
    TRY(tree_set_bool(doc, "RotationEnabled", false));
    json_object_del(doc, "NextRotationDate");
    json_object_del(doc, "RotationBaseDate");
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
    TRY(kms_mrk_follow_primary(call, doc));
out:
    json_decref(doc);
    return rc;
}

/* A rotation here completes inside its call, so no on-demand rotation is ever in progress
 * and OnDemandRotationStartDate (set only while one is) never appears. An asymmetric or
 * HMAC key answers KeyRotationEnabled false rather than an error, as AWS now does. */
cu_rc kms_get_key_rotation_status(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    bool enabled = json_is_true(json_object_get(key->doc, "RotationEnabled"));

    (void)in;
    TRY(kms_key_check_not_pending(call, key));
    if (doc_is(key->doc, "KeySpec", "SYMMETRIC_DEFAULT"))
        TRY(check_rotatable(call, key));
    TRY(tree_set_bool(out, "KeyRotationEnabled", enabled));
    TRY(tree_set_str(out, "KeyId", key->arn));
    if (enabled) {
        TRY(tree_set_int(out, "RotationPeriodInDays",
                         json_integer_value(json_object_get(key->doc, "RotationPeriodInDays"))));
        TRY(tree_set_time_ms(out, "NextRotationDate",
                             json_integer_value(json_object_get(key->doc, "NextRotationDate"))));
    }
out:
    return rc;
}

cu_rc kms_rotate_key_on_demand(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    int64_t done = json_integer_value(json_object_get(key->doc, "OnDemandRotations"));
    json_t *doc = NULL;

    (void)in;
    TRY(kms_key_check_usable(call, key));
    TRY(check_rotatable(call, key));
    TRY(kms_mrk_check_not_replica(call, key));
    ENSURE(done < ON_DEMAND_MAX,
           cu_err_set(&call->err, CU_E_KMS_LIMIT_EXCEEDED,
                      "The maximum number of on-demand rotations (%d) for %s has been reached.",
                      ON_DEMAND_MAX, key->arn));
    TRY(record_copy(call, &doc));
    TRY(add_version(call->env, doc, "ON_DEMAND", call->now_ms));
    TRY(tree_set_int(doc, "OnDemandRotations", done + 1));
    /* on-demand rotations do not move the automatic schedule (API reference) */
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
    TRY(kms_mrk_follow_primary(call, doc));
    TRY(tree_set_str(out, "KeyId", key->arn));
out:
    json_decref(doc);
    return rc;
}

/* One ListKeyRotations entry for version v (1-based) of the key. */
static json_t *rotation_entry(const struct kms_key *key, size_t v, const json_t *item)
{
    char id[KMS_MATERIAL_ID_LEN + 1];
    json_t *e = json_object();
    const json_t *when = json_object_get(item, "RotationDate");

    kms_key_material_id(key->arn, (uint32_t)v, id);
    if (!e || tree_set_str(e, "KeyId", key->key_id) != CU_OK ||
        tree_set_str(e, "KeyMaterialId", id) != CU_OK ||
        tree_set_str(e, "KeyMaterialState", v == key->n_backing ? "CURRENT" : "NON_CURRENT") !=
            CU_OK ||
        (json_is_integer(when) &&
         (tree_set_time_ms(e, "RotationDate", json_integer_value(when)) != CU_OK ||
          tree_set_str(e, "RotationType",
                       json_string_value(json_object_get(item, "RotationType"))) != CU_OK))) {
        json_decref(e);
        return NULL;
    }
    return e;
}

/* The versions in order; ROTATIONS_ONLY (the default) leaves out the key's first
 * material, which no rotation made (KMS API reference, ListKeyRotations). */
cu_rc kms_list_key_rotations(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    const json_t *list = json_object_get(key->doc, "Backing");
    bool all =
        strcmp(in_str_or(in, "IncludeKeyMaterial", "ROTATIONS_ONLY"), "ALL_KEY_MATERIAL") == 0;
    struct page page = {0};
    size_t first, i;

    TRY(kms_key_check_not_pending(call, key));
    TRY(check_rotatable(call, key));
    TRY(page_begin(call, &kms_list_key_rotations_page, in, &page));
    TRY(page_first_index(call, &page, &first));
    for (i = first; i < json_array_size(list) && !page_full(&page); i++) {
        if (i == 0 && !all)
            continue;
        TRY(page_add_index(&page, i, rotation_entry(key, i + 1, json_array_get(list, i))));
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

/* The rotation sweep's rule (services/sweep.h): enabled keys whose automatic rotation date
 * has come. A disabled key is not rotated; re-enabled past its date, it rotates at the next
 * sweep (KMS developer guide, rotate-keys: "if the key is disabled ... KMS does not rotate
 * it"). A replica rotates with its primary (kms_mrk_follow_primary), never on its own. */
static bool rotation_due(const json_t *doc, int64_t now_ms)
{
    const json_t *next = json_object_get(doc, "NextRotationDate");

    return !doc_is(doc, "MultiRegionKeyType", "REPLICA") &&
           json_is_true(json_object_get(doc, "RotationEnabled")) && json_is_integer(next) &&
           json_integer_value(next) <= now_ms && doc_is(doc, "KeyState", "Enabled");
}

/* A new backing key version; the next date counts from this rotation. */
static cu_rc rotate_due(struct call *call, const char *scope, const char *key_id, json_t *doc,
                        uint64_t version)
{
    cu_rc rc = CU_OK;
    int64_t days = json_integer_value(json_object_get(doc, "RotationPeriodInDays"));

    (void)version;
    TRY(add_version(call->env, doc, "AUTOMATIC", call->now_ms));
    TRY(tree_set_int(doc, "RotationBaseDate", call->now_ms));
    TRY(tree_set_int(doc, "NextRotationDate", call->now_ms + days * DAY_MS));
    TRY(store_put(call->tx, RECORD_KMS_KEY, scope, key_id, doc, STORE_REPLACE));
    TRY(kms_mrk_follow_primary(call, doc)); /* a primary's replicas get the new version */
out:
    return rc;
}

static const struct sweep_rule rotation = {
    .store_kind = RECORD_KMS_KEY,
    .due = rotation_due,
    .act = rotate_due,
    .arn = kms_sweep_key_arn,
};

cu_rc kms_sweep_rotations(const struct call_env *env, int64_t now_ms, kms_event_fn record,
                          void *ctx, size_t *count)
{
    return sweep_regions(env, now_ms, &rotation, record, ctx, count);
}
