/* secret_values.c — a secret's versions and staging labels: GetSecretValue,
 * PutSecretValue, UpdateSecretVersionStage, ListSecretVersionIds, and the version logic
 * CreateSecret and UpdateSecret share.
 *
 * Labels (Secrets Manager user guide, whats-in-a-secret, "Versions"): a label is on at
 * most one version. A new version labelled AWSCURRENT takes it from the version that had
 * it, which becomes AWSPREVIOUS (the former AWSPREVIOUS loses that label). A version with
 * no label is deprecated; "Secrets Manager removes outdated versions when there are more
 * than 100, but it does not remove versions created less than 24 hours ago" (PutSecretValue
 * API reference) — a secret whose 101st version has nothing old enough to drop is refused
 * (LimitExceededException). Every value is sealed by KMS as the caller (kms.h,
 * kms_via_encrypt) with the encryption context {SecretARN, SecretVersionId}, so a
 * caller without kms:Decrypt on the key cannot read it. */
#include <string.h>

#include "core/ids.h"
#include "core/secret.h"
#include "core/tree.h"
#include "secretsmanager.h"
#include "secretsmanager_ops.gen.h"
#include "services/in.h"
#include "services/kms/kms.h"
#include "services/page.h"

#define DAY_MS (24LL * 3600 * 1000)

json_t *sm_version_by_id(const json_t *secret, const char *version_id)
{
    const json_t *versions = json_object_get(secret, "Versions");
    size_t i;
    json_t *v;

    json_array_foreach((json_t *)versions, i, v)
    {
        if (version_id &&
            strcmp(json_string_value(json_object_get(v, "VersionId")), version_id) == 0)
            return v;
    }
    return NULL;
}

json_t *sm_version_by_stage(const json_t *secret, const char *stage)
{
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(secret, "Versions"), i, v)
    {
        if (tree_list_has(json_object_get(v, "VersionStages"), stage))
            return v;
    }
    return NULL;
}

static void remove_stage(json_t *version, const char *stage)
{
    json_t *stages = json_object_get(version, "VersionStages");

    for (size_t i = 0; i < json_array_size(stages); i++)
        if (strcmp(json_string_value(json_array_get(stages, i)), stage) == 0)
            json_array_remove(stages, i--);
}

static void remove_stage_everywhere(json_t *secret, const char *stage)
{
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(secret, "Versions"), i, v)
        remove_stage(v, stage);
}

static cu_rc add_stage(json_t *version, const char *stage)
{
    if (tree_list_has(json_object_get(version, "VersionStages"), stage))
        return CU_OK;
    return json_array_append_new(json_object_get(version, "VersionStages"), json_string(stage))
               ? CU_E_NOMEM
               : CU_OK;
}

/* Move `stage` to `to` (NULL: off every version); AWSCURRENT moving leaves AWSPREVIOUS on
 * the version it left. */
static cu_rc move_stage(json_t *secret, const char *stage, json_t *to)
{
    cu_rc rc = CU_OK;
    json_t *from = sm_version_by_stage(secret, stage);

    if (from == to)
        return CU_OK;
    if (strcmp(stage, "AWSCURRENT") == 0 && from && to) {
        remove_stage_everywhere(secret, "AWSPREVIOUS");
        TRY(add_stage(from, "AWSPREVIOUS"));
    }
    remove_stage_everywhere(secret, stage);
    if (to)
        TRY(add_stage(to, stage));
out:
    return rc;
}

cu_rc sm_take_stage(json_t *secret, const char *stage, json_t *to)
{
    return move_stage(secret, stage, to);
}

/* Drop the oldest deprecated versions older than a day while there are more than 100. */
static cu_rc prune(struct call *call, json_t *secret)
{
    json_t *versions = json_object_get(secret, "Versions");

    for (size_t i = 0; json_array_size(versions) > SM_MAX_VERSIONS && i < json_array_size(versions);) {
        json_t *v = json_array_get(versions, i);
        int64_t created = json_integer_value(json_object_get(v, "CreatedDate"));

        if (json_array_size(json_object_get(v, "VersionStages")) == 0 &&
            created <= call->now_ms - DAY_MS)
            json_array_remove(versions, i);
        else
            i++;
    }
    if (json_array_size(versions) > SM_MAX_VERSIONS)
        return cu_err_set(&call->err, CU_E_SM_LIMIT_EXCEEDED,
                          "You have exceeded the maximum number of versions of a secret "
                          "(%d).", SM_MAX_VERSIONS);
    return CU_OK;
}

static json_t *context_of(const json_t *secret, const char *version_id)
{
    return json_pack("{s:s, s:s}", "SecretARN", json_string_value(json_object_get(secret, "ARN")),
                     "SecretVersionId", version_id);
}

/* KMS's refusals worded as Secrets Manager words them (API reference, Common errors:
 * DecryptionFailure "Secrets Manager can't decrypt the protected secret text using the
 * provided KMS key", EncryptionFailure "... can't encrypt ... Check that the KMS key is
 * available, enabled, and not in an invalid state"); a caller the key refuses gets
 * AccessDeniedException "Access to KMS is not allowed" as it is. */
static cu_rc kms_failure(struct call *call, cu_rc rc, bool decrypt)
{
    if (rc == CU_OK || rc == CU_E_ACCESS_DENIED || rc == CU_E_NOMEM || rc == CU_E_INTERNAL ||
        rc == CU_E_STORE || rc == CU_E_STORE_CONFLICT)
        return rc;
    cu_err_clear(&call->err);
    if (decrypt)
        return cu_err_set(&call->err, CU_E_SM_DECRYPTION_FAILURE,
                          "Secrets Manager can't decrypt the protected secret text using the "
                          "provided KMS key.");
    return cu_err_set(&call->err, CU_E_SM_ENCRYPTION_FAILURE,
                      "Secrets Manager can't encrypt the protected secret text using the "
                      "provided KMS key. Check that the KMS key is available, enabled, and not "
                      "in an invalid state.");
}

cu_rc sm_check_value(struct call *call, const json_t *in, bool *has_value)
{
    bool s = json_object_get(in, "SecretString") != NULL,
         b = json_object_get(in, "SecretBinary") != NULL;

    *has_value = s || b;
    if (s && b)
        return cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                          "You can't specify both a binary secret value and a string secret "
                          "value in the same secret.");
    return CU_OK;
}

cu_rc sm_version_id(const json_t *in, char out[65])
{
    const char *token = in_str(in, "ClientRequestToken");

    if (token) {
        str_copy(out, 65, token);
        return CU_OK;
    }
    return ids_uuid(out);
}

/* The value the request carries (SecretString's bytes or SecretBinary's), in `plain`. */
static cu_rc request_value(const json_t *in, struct buf *plain, bool *binary)
{
    cu_rc rc = CU_OK;
    const char *s = in_str(in, "SecretString");

    *binary = s == NULL;
    if (s)
        TRY(buf_add(plain, s, strlen(s)));
    else
        TRY(tree_opt_blob(in, "SecretBinary", plain, NULL));
out:
    return rc;
}

cu_rc sm_add_version(struct call *call, json_t *secret, const json_t *in,
                     const char *version_id, const json_t *stages)
{
    cu_rc rc = CU_OK;
    json_t *version = NULL, *sealed = json_object(), *context = context_of(secret, version_id);
    const char *key_id = json_string_value(json_object_get(secret, "KmsKeyId"));
    struct buf plain;
    bool binary;
    size_t i;
    json_t *s;

    buf_init_sensitive(&plain, 1 << 17);
    ENSURE(sealed && context, CU_E_NOMEM);
    TRY(request_value(in, &plain, &binary));
    TRY(kms_failure(call, kms_via_encrypt(call, "secretsmanager", key_id, context,
                                          buf_bytes(&plain), sealed),
                    false));
    version = sm_version_by_id(secret, version_id);
    if (version) {
        /* a rotation's placeholder (rotation.c) gets its value, keeping its labels */
        json_incref(version);
        TRY(tree_set_int(version, "CreatedDate", call->now_ms));
        TRY(tree_set_bool(version, "Binary", binary));
        ENSURE(json_object_set(version, "Sealed", sealed) == 0, CU_E_NOMEM);
    } else {
        version = json_pack("{s:s, s:I, s:[], s:b, s:O}", "VersionId", version_id, "CreatedDate",
                            (json_int_t)call->now_ms, "VersionStages", "Binary", binary,
                            "Sealed", sealed);
        ENSURE(version, CU_E_NOMEM);
        ENSURE(json_array_append(json_object_get(secret, "Versions"), version) == 0, CU_E_NOMEM);
    }
    if (!stages) {
        TRY(move_stage(secret, "AWSCURRENT", version));
    } else {
        json_array_foreach((json_t *)stages, i, s)
            TRY(move_stage(secret, json_string_value(s), version));
    }
    TRY(prune(call, secret));
    TRY(tree_set_int(secret, "LastChangedDate", call->now_ms));
out:
    buf_release(&plain);
    json_decref(version);
    json_decref(sealed);
    json_decref(context);
    return rc;
}

cu_rc sm_seal(struct call *call, const json_t *secret, const char *version_id,
              struct bytes plain, json_t *sealed)
{
    cu_rc rc = CU_OK;
    json_t *context = context_of(secret, version_id);

    ENSURE(context, CU_E_NOMEM);
    TRY(kms_failure(call, kms_via_encrypt(call, "secretsmanager",
                                          json_string_value(json_object_get(secret, "KmsKeyId")),
                                          context, plain, sealed),
                    false));
out:
    json_decref(context);
    return rc;
}

/* Open a version's value as the caller: *plain is a new secret; *binary its kind. */
static cu_rc open_version(struct call *call, const json_t *secret, const json_t *version,
                          struct secret **plain)
{
    cu_rc rc = CU_OK;
    json_t *context = context_of(secret, json_string_value(json_object_get(version, "VersionId")));

    ENSURE(context, CU_E_NOMEM);
    TRY(kms_failure(call, kms_via_decrypt(call, "secretsmanager", context,
                                          json_object_get(version, "Sealed"), plain),
                    true));
out:
    json_decref(context);
    return rc;
}

cu_rc sm_open_version(struct call *call, const json_t *secret, const json_t *version,
                      struct secret **plain)
{
    return open_version(call, secret, version, plain);
}

cu_rc sm_same_value(struct call *call, const json_t *secret, const json_t *version,
                    const json_t *in, bool *same)
{
    cu_rc rc = CU_OK;
    struct secret *old = NULL;
    struct buf plain;
    bool binary;

    buf_init_sensitive(&plain, 1 << 17);
    TRY(request_value(in, &plain, &binary));
    TRY(open_version(call, secret, version, &old));
    *same = binary == json_is_true(json_object_get(version, "Binary")) &&
            ct_equal(old->p, old->n, plain.p, plain.n);
out:
    secret_free(old);
    buf_release(&plain);
    return rc;
}

static cu_rc set_stages(json_t *out, const json_t *version)
{
    return tree_set_new(out, "VersionStages", json_deep_copy(json_object_get(version, "VersionStages")));
}

static cu_rc version_not_found(struct call *call, const char *what, const char *value)
{
    return cu_err_set(&call->err, CU_E_SM_NOT_FOUND,
                      "Secrets Manager can't find the specified secret value for %s: %s", what,
                      value);
}

cu_rc sm_read_value(struct call *call, json_t *secret, const char *vid, const char *stage,
                    json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *version;
    struct secret *plain = NULL;
    int64_t today = call->now_ms / DAY_MS * DAY_MS;

    if (vid) {
        version = sm_version_by_id(secret, vid);
        ENSURE(version, version_not_found(call, "VersionId", vid));
        ENSURE(!stage || tree_list_has(json_object_get(version, "VersionStages"), stage),
               cu_err_set(&call->err, CU_E_SM_NOT_FOUND,
                          "You provided a VersionStage that is not associated to the provided "
                          "VersionId."));
    } else {
        version = sm_version_by_stage(secret, stage ? stage : "AWSCURRENT");
        ENSURE(version, version_not_found(call, "staging label", stage ? stage : "AWSCURRENT"));
    }
    /* a rotation's version before its createSecret step put a value */
    ENSURE(json_object_get(version, "Sealed"),
           vid ? version_not_found(call, "VersionId", vid)
               : version_not_found(call, "staging label", stage ? stage : "AWSCURRENT"));
    TRY(open_version(call, secret, version, &plain));
    TRY(tree_set_str(out, "ARN", json_string_value(json_object_get(secret, "ARN"))));
    TRY(tree_set_str(out, "Name", json_string_value(json_object_get(secret, "Name"))));
    TRY(tree_set_str(out, "VersionId", json_string_value(json_object_get(version, "VersionId"))));
    if (json_is_true(json_object_get(version, "Binary")))
        TRY(tree_set_blob(out, "SecretBinary", secret_bytes(plain)));
    else
        TRY(tree_set_strn(out, "SecretString", (const char *)plain->p, plain->n));
    TRY(set_stages(out, version));
    TRY(tree_set_time_ms(out, "CreatedDate",
                         json_integer_value(json_object_get(version, "CreatedDate"))));
    /* LastAccessedDate: "the date ... rounded down to the date" (DescribeSecret) */
    if (json_integer_value(json_object_get(secret, "LastAccessedDate")) != today) {
        TRY(tree_set_int(secret, "LastAccessedDate", today));
        TRY(kind_update(call, &sm_kind_secret, NULL, secret));
    }
out:
    secret_free(plain);
    return rc;
}

cu_rc secretsmanager_get_secret_value(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret;

    TRY(sm_target(call, true, &secret));
    TRY(sm_read_value(call, secret, in_str(in, "VersionId"), in_str(in, "VersionStage"), out));
out:
    return rc;
}

cu_rc secretsmanager_put_secret_value(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret, *version;
    char vid[65];
    bool has_value, same = false;

    TRY(sm_target_primary(call, true, &secret));
    TRY(sm_check_value(call, in, &has_value));
    ENSURE(has_value, cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                                 "You must provide either SecretString or SecretBinary."));
    TRY(sm_version_id(in, vid));
    version = sm_version_by_id(secret, vid);
    if (version && json_object_get(version, "Sealed")) {
        /* ClientRequestToken (PutSecretValue API reference): the same token with the same
         * value is ignored; with another value it fails, a version being immutable */
        TRY(sm_same_value(call, secret, version, in, &same));
        ENSURE(same, cu_err_set(&call->err, CU_E_SM_EXISTS,
                                "You can't modify an existing version, you can only create a new "
                                "version."));
    } else {
        TRY(sm_add_version(call, secret, in, vid, in_list(in, "VersionStages")));
        TRY(sm_save(call, secret));
        version = sm_version_by_id(secret, vid);
    }
    TRY(tree_set_str(out, "ARN", json_string_value(json_object_get(secret, "ARN"))));
    TRY(tree_set_str(out, "Name", json_string_value(json_object_get(secret, "Name"))));
    TRY(tree_set_str(out, "VersionId", vid));
    TRY(set_stages(out, version));
out:
    return rc;
}

cu_rc secretsmanager_update_secret_version_stage(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *stage = in_str(in, "VersionStage"), *remove = in_str(in, "RemoveFromVersionId"),
               *move = in_str(in, "MoveToVersionId");
    json_t *secret, *holder, *to = NULL;

    TRY(sm_target_primary(call, true, &secret));
    holder = sm_version_by_stage(secret, stage);
    if (move) {
        to = sm_version_by_id(secret, move);
        ENSURE(to, version_not_found(call, "VersionId", move));
    }
    if (remove) {
        ENSURE(sm_version_by_id(secret, remove), version_not_found(call, "VersionId", remove));
        ENSURE(holder && strcmp(json_string_value(json_object_get(holder, "VersionId")), remove) == 0,
               cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                          "The staging label %s is not attached to the version %s.", stage,
                          remove));
    } else if (holder && holder != to) {
        return cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                          "The parameter RemoveFromVersionId can't be empty. Staging label %s "
                          "is currently attached to version %s, so you must explicitly "
                          "reference that version in RemoveFromVersionId.",
                          stage, json_string_value(json_object_get(holder, "VersionId")));
    }
    TRY(move_stage(secret, stage, to));
    TRY(tree_set_int(secret, "LastChangedDate", call->now_ms));
    TRY(sm_save(call, secret));
    TRY(tree_set_str(out, "ARN", json_string_value(json_object_get(secret, "ARN"))));
    TRY(tree_set_str(out, "Name", json_string_value(json_object_get(secret, "Name"))));
out:
    return rc;
}

/* ListSecretVersionIds pages by MaxResults (1 to 100) and NextToken; the model gives it no
 * paginator, so its page is declared here. */
static const struct page_desc versions_page = {
    .op = "ListSecretVersionIds",
    .input_token = "NextToken",
    .limit_key = "MaxResults",
    .output_token = "NextToken",
    .result_key = "Versions",
    .limit_default = SM_MAX_VERSIONS,
    .limit_max = SM_MAX_VERSIONS,
    .bad_marker = CU_E_SM_INVALID_NEXT_TOKEN,
    .bad_marker_message = "The NextToken value is invalid.",
};

cu_rc secretsmanager_list_secret_version_ids(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    bool deprecated = in_bool(in, "IncludeDeprecated", false);
    struct page page = {0};
    json_t *secret, *item = NULL, *versions, *v;
    size_t first;

    TRY(sm_target(call, false, &secret));
    TRY(page_begin(call, &versions_page, in, &page));
    TRY(page_first_index(call, &page, &first));
    versions = json_object_get(secret, "Versions");
    for (size_t i = first; i < json_array_size(versions) && !page_full(&page); i++) {
        v = json_array_get(versions, i);
        if (!deprecated && json_array_size(json_object_get(v, "VersionStages")) == 0)
            continue;
        item = json_object();
        ENSURE(item, CU_E_NOMEM);
        TRY(tree_set_str(item, "VersionId", json_string_value(json_object_get(v, "VersionId"))));
        TRY(set_stages(item, v));
        TRY(tree_set_time_ms(item, "CreatedDate",
                             json_integer_value(json_object_get(v, "CreatedDate"))));
        if (json_object_get(v, "Sealed")) /* a rotation's placeholder has no key yet */
            TRY(tree_set_new(item, "KmsKeyIds",
                             json_pack("[s]", json_string_value(json_object_get(
                                                  json_object_get(v, "Sealed"), "KmsKeyArn")))));
        TRY(page_add_index(&page, i, item));
        item = NULL;
    }
    TRY(page_end(&page, out));
    TRY(tree_set_str(out, "ARN", json_string_value(json_object_get(secret, "ARN"))));
    TRY(tree_set_str(out, "Name", json_string_value(json_object_get(secret, "Name"))));
out:
    json_decref(item);
    page_release(&page);
    return rc;
}
