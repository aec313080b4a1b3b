/* keys.c — KMS keys: CreateKey, DescribeKey, ListKeys (their lifecycle: key_state.c).
 *
 * The record ("kms_key", keyed by key id under the account and region: kms_kind_key) holds
 * the KeyMetadata members under AWS's names (rendered through the model's KeyMetadata shape;
 * the members KMS computes are set on the result), the key policy text, and the backing keys: [{"Version": n, "Sealed": b64}],
 * each sealed under the master key with "<key arn>#<version>" as AAD so sealed material
 * cannot be moved to another key or version. An asymmetric or HMAC key (key_specs.c) holds
 * its private material instead, sealed the same way (asym.c, "Private"); a spec this build
 * cannot make is refused as unsupported, not faked. */
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "crypto/backing_key.h"
#include "import.h"
#include "kms.h"
#include "kms_key.h"
#include "asym.h"
#include "kms_ops.gen.h"
#include "multi_region.h"
#include "policy/policy.h"
#include "services/in.h"
#include "services/render.h"
#include "store/records.h"

/* KMS service quota: a key policy document may be 32 KiB (AWS-NOTES §2). */
#define KEY_POLICY_MAX_BYTES POLICY_QUOTA_KEY

cu_rc kms_key_metadata(const char *op, const json_t *doc, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *m;
    const char *state = json_string_value(json_object_get(doc, "KeyState"));

    TRY(render_output(out, "kms", op, "KeyMetadata", doc));
    m = json_object_get(out, "KeyMetadata");
    /* computed, not stored: Enabled from KeyState; CustomerMasterKeySpec is deprecated
     * but still returned, equal to KeySpec; MultiRegion from the record (its
     * MultiRegionConfiguration: kms_mrk_render, which needs the call) */
    TRY(tree_set_bool(m, "Enabled", state && strcmp(state, "Enabled") == 0));
    TRY(tree_set_str(m, "CustomerMasterKeySpec",
                     json_string_value(json_object_get(doc, "KeySpec"))));
    TRY(kms_key_spec_render(doc, m));
    TRY(tree_set_bool(m, "MultiRegion", kms_mrk_is(doc)));
    TRY(kms_rotation_metadata(doc, m));
out:
    return rc;
}

/* AWS's default key policy (KMS developer guide, key-policy-default; AWS-NOTES §2). */
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

/* Validate a key policy for a key: it must compile, fit, and — unless the caller bypasses
 * the check — still let the caller change it later (KMS API reference, CreateKey
 * "BypassPolicyLockoutSafetyCheck"). *compiled is owned by the caller. */
cu_rc kms_policy_accept(struct call *call, const char *arn, const char *text, bool bypass,
                        struct policy **compiled)
{
    cu_rc rc = CU_OK;
    struct cu_err why = {0};

    if (strlen(text) > KEY_POLICY_MAX_BYTES)
        return cu_err_set(&call->err, CU_E_KMS_LIMIT_EXCEEDED,
                          "Policy exceeds the maximum size of %d bytes.", KEY_POLICY_MAX_BYTES);
    rc = policy_compile(bytes_str(text), POLICY_KEY, "key-policy", compiled, &why);
    if (rc != CU_OK)
        return cu_err_set(&call->err, CU_E_KMS_MALFORMED_POLICY, "%s", why.msg);
    if (bypass)
        return CU_OK;
    /* Not a second authorization of this call but a judgement of the document it carries,
     * compiled just above: the caller's policies (call->authz) with the new key policy
     * go straight to the policy engine. */
    if (!call_policy_allows(call, "kms:PutKeyPolicy", arn, *compiled)) {
        policy_free(*compiled);
        *compiled = NULL;
        return cu_err_set(&call->err, CU_E_KMS_MALFORMED_POLICY,
                          "The new key policy will not allow you to update the key policy in "
                          "the future.");
    }
    return CU_OK;
}

/* Origin is import.c's (kms_import_create); MultiRegion, multi_region.c's */
static cu_rc check_spec(struct call *call, const json_t *in, const struct kms_key_spec **spec,
                        const char **usage)
{
    return kms_key_spec_check(call, in, spec, usage);
}

cu_rc kms_key_record_new(const struct call *call, const struct kms_key_record *r, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *doc = json_object();

    ENSURE(doc, CU_E_NOMEM);
    TRY(tree_set_str(doc, "AWSAccountId", call->env->account_id));
    TRY(tree_set_str(doc, "KeyId", r->key_id));
    TRY(tree_set_str(doc, "Arn", r->arn));
    TRY(tree_set_int(doc, "CreationDate", call->now_ms));
    TRY(tree_set_str(doc, "Description", r->description));
    TRY(tree_set_str(doc, "KeyManager", r->key_manager));
    TRY(tree_set_str(doc, "Policy", r->policy));
    TRY(tree_set_new(doc, "Tags", r->tags ? json_deep_copy(r->tags) : json_array()));
    *out = doc;
    doc = NULL;
out:
    json_decref(doc);
    return rc;
}

cu_rc kms_backing_first(struct call *call, const char *arn, const struct backing_key *bk,
                        json_t **out)
{
    cu_rc rc = CU_OK;
    struct buf text;

    buf_init(&text, 8192);
    TRY(kms_backing_seal(call->env->master_key, bk, arn, 1, &text));
    *out = json_pack("[{s:i, s:s}]", "Version", 1, "Sealed", text.p);
    ENSURE(*out, CU_E_NOMEM);
out:
    buf_release(&text);
    return rc;
}

cu_rc kms_new_backing(struct call *call, const char *arn, json_t **out)
{
    cu_rc rc = CU_OK;
    struct backing_key *bk = NULL;

    TRY(backing_key_generate(&bk));
    TRY(kms_backing_first(call, arn, bk, out));
out:
    backing_key_free(bk);
    return rc;
}

cu_rc kms_create_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *given = in_str(in, "Policy");
    const json_t *tags = in_list(in, "Tags");
    char key_id[IDS_UUID_LEN + 1], arn[KMS_ARN_MAX];
    struct policy *compiled = NULL;
    struct buf policy;
    json_t *doc = NULL, *backing = NULL;
    bool external = false;
    const struct kms_key_spec *spec = NULL;
    const char *usage = NULL;

    buf_init(&policy, KEY_POLICY_MAX_BYTES * 4);
    TRY(check_spec(call, in, &spec, &usage));
    TRY(kms_import_create(call, in, &external));
    TRY(kms_import_check_spec(call, spec, external));
    TRY(kms_tags_check(call, tags));
    TRY(kms_mrk_new_id(in, key_id));
    kms_key_arn(call, key_id, arn);
    if (given)
        TRY(buf_addstr(&policy, given));
    else
        TRY(default_policy(call, &policy));
    /* The lockout safety check is about a policy the caller supplies (KMS API reference,
     * CreateKey, Policy: "If you provide a key policy, it must meet the following
     * criteria"); the default policy is never checked, so a caller allowed kms:CreateKey
     * but not kms:PutKeyPolicy still gets a key. */
    TRY(kms_policy_accept(call, arn, policy.p,
                          !given || in_bool(in, "BypassPolicyLockoutSafetyCheck", false),
                          &compiled));
    TRY(kms_key_record_new(call,
                           &(struct kms_key_record){.key_id = key_id, .arn = arn,
                                                    .description = in_str_or(in, "Description", ""),
                                                    .key_manager = "CUSTOMER",
                                                    .policy = policy.p, .tags = tags},
                           &doc));
    if (external)
        backing = json_array(); /* PendingImport: no material until ImportKeyMaterial */
    else if (spec->type)
        TRY(kms_asym_new_material(call, spec, arn, doc));
    else
        TRY(kms_new_backing(call, arn, &backing));
    ENSURE(backing || spec->type, CU_E_NOMEM);
    TRY(tree_set_str(doc, "KeyUsage", usage));
    TRY(tree_set_str(doc, "KeySpec", spec->name));
    TRY(tree_set_str(doc, "KeyState", external ? "PendingImport" : "Enabled"));
    TRY(tree_set_str(doc, "Origin", external ? "EXTERNAL" : "AWS_KMS"));
    TRY(kms_mrk_mark(in, doc));
    if (backing)
        TRY(tree_set_new(doc, "Backing", backing));
    backing = NULL;
    TRY(kind_create(call, &kms_kind_key, NULL, doc));
    snprintf(call->target.arn, sizeof(call->target.arn), "%s", arn);
    TRY(kms_key_metadata("CreateKey", doc, out));
    TRY(kms_mrk_render(call, json_object_get(out, "KeyMetadata"), doc));
out:
    json_decref(backing);
    json_decref(doc);
    policy_free(compiled);
    buf_release(&policy);
    return rc;
}

cu_rc kms_describe_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    (void)in;
    TRY(kms_import_describe(kms_target_key(call)->doc, call->now_ms, &doc));
    TRY(kms_key_metadata("DescribeKey", doc, out));
    TRY(kms_mrk_render(call, json_object_get(out, "KeyMetadata"), doc));
out:
    json_decref(doc);
    return rc;
}

struct key_list {
    const struct shape *entry; /* KeyListEntry */
    int64_t now_ms;
};

/* A key record as its KeyListEntry; KeyArn is the record's Arn under another name. A key
 * past its deletion window is deleted, swept or not (kms_key.h). */
static cu_rc key_entry_view(const char *key_id, const json_t *doc, void *ctx, json_t **item)
{
    cu_rc rc = CU_OK;
    const struct key_list *list = ctx;

    (void)key_id;
    if (kms_key_is_deleted(doc, list->now_ms))
        return CU_OK;
    TRY(render_record(doc, list->entry, item));
    rc = tree_set_str(*item, "KeyArn", json_string_value(json_object_get(doc, "Arn")));
    if (rc != CU_OK) {
        json_decref(*item);
        *item = NULL;
    }
out:
    return rc;
}

cu_rc kms_list_keys(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    char scope[RECORD_NAME_MAX];
    struct key_list list = {model_list_element(model_output_shape("kms", "ListKeys", "Keys")),
                            call->now_ms};

    TRY(page_begin(call, &kms_list_keys_page, in, &page));
    kms_scope(call, RECORD_KMS_KEY, scope);
    TRY(page_scan(&page, call->tx, RECORD_KMS_KEY, scope, key_entry_view, &list));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}
