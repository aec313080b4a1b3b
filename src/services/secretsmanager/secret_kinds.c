/* secret_kinds.c — the secret record kind, how a request's SecretId finds a secret, the
 * request condition keys, and the rule by which the sweep (services/sweep.h) deletes secrets
 * whose recovery window ended.
 *
 * SecretId (Secrets Manager API reference, DescribeSecret "SecretId"): "the ARN or name
 * of the secret"; "for an ARN, we recommend that you specify a complete ARN rather than a
 * partial ARN" — a partial ARN being the ARN without its "-" and 6 random characters. A full
 * ARN is tried first (the name before its last 7 characters, the record's ARN equal to
 * it), then the partial form (the whole rest as the name). An ARN of another region or
 * account names nothing here. */
#include <stdio.h>
#include <string.h>

#include "core/rand.h"
#include "core/tree.h"
#include "secretsmanager.h"
#include "secretsmanager_ops.gen.h"
#include "services/in.h"
#include "services/sweep.h"
#include "store/records.h"

const struct kind sm_kind_secret = {
    .store_kind = RECORD_SECRET,
    .scope = KIND_REGION,
    .fold = false,
    .name_member = "Name",
    .not_found = CU_E_SM_NOT_FOUND,
    .not_found_msg = "Secrets Manager can't find the specified secret.",
    .exists = CU_E_SM_EXISTS,
    .exists_msg = "The operation failed because the secret %s already exists.",
};

/* The name part of a secret ARN of this account and region, or NULL. */
static const char *arn_rest(const struct call *call, const char *id)
{
    char prefix[256];
    size_t n;

    n = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:secretsmanager:%s:%s:secret:",
                         call->region, call->env->account_id);
    return strncmp(id, prefix, n) == 0 ? id + n : NULL;
}

static bool window_ended(const json_t *doc, int64_t now_ms);

bool sm_is_deleted(const json_t *secret, int64_t now_ms)
{
    return window_ended(secret, now_ms);
}

cu_rc sm_find(struct call *call, const char *id, json_t **doc)
{
    cu_rc rc = CU_OK;
    const char *rest = strncmp(id, "arn:", 4) == 0 ? arn_rest(call, id) : NULL;
    char name[SM_ARN_MAX];
    size_t n;

    *doc = NULL;
    if (strncmp(id, "arn:", 4) != 0) {
        TRY(kind_find(call, &sm_kind_secret, NULL, id, doc));
        goto out;
    }
    if (!rest || !*rest)
        goto out;
    n = strlen(rest);
    if (n > 7 && rest[n - 7] == '-' && n - 7 < sizeof(name)) {
        memcpy(name, rest, n - 7);
        name[n - 7] = '\0';
        TRY(kind_find(call, &sm_kind_secret, NULL, name, doc));
        if (*doc && strcmp(json_string_value(json_object_get(*doc, "ARN")), id) == 0)
            goto out;
        json_decref(*doc);
        *doc = NULL;
    }
    TRY(kind_find(call, &sm_kind_secret, NULL, rest, doc));
out:
    /* a secret past its recovery window is deleted for every call, swept or not */
    if (rc == CU_OK && *doc && sm_is_deleted(*doc, call->now_ms)) {
        json_decref(*doc);
        *doc = NULL;
    }
    return rc;
}

cu_rc secretsmanager_resolve_secret(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *id = in_str(in, "SecretId");
    json_t *doc = NULL;

    TRY(sm_find(call, id ? id : "", &doc));
    if (doc) {
        snprintf(call->target.arn, sizeof(call->target.arn), "%s",
                 json_string_value(json_object_get(doc, "ARN")));
        call_keys_resource_tags(call->keys, json_object_get(doc, "Tags"));
        rc = sm_target_policy(call, doc);
        if (rc != CU_OK) {
            json_decref(doc);
            goto out;
        }
    } else if (id && strncmp(id, "arn:", 4) == 0) {
        snprintf(call->target.arn, sizeof(call->target.arn), "%s", id);
    } else {
        snprintf(call->target.arn, sizeof(call->target.arn),
                 "arn:aws:secretsmanager:%s:%s:secret:%s", call->region, call->env->account_id,
                 id ? id : "");
    }
    call_keys_add(call->keys, "secretsmanager:SecretId", call->target.arn);
    call->target.doc = doc;
out:
    return rc;
}

/* A new secret's ARN ends in "-" and 6 random characters (Secrets Manager user guide,
 * reference_iam-permissions, "Secrets Manager adds a hyphen and six random characters"):
 * drawn here, so that CreateSecret is authorized on the ARN it creates. */
cu_rc secretsmanager_resolve_new_secret(struct call *call, const json_t *in)
{
    static const char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    cu_rc rc = CU_OK;
    uint8_t r[6];
    char suffix[7];

    TRY(rand_bytes(r, sizeof(r)));
    for (size_t i = 0; i < sizeof(r); i++)
        suffix[i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
    suffix[6] = '\0';
    snprintf(call->target.arn, sizeof(call->target.arn),
             "arn:aws:secretsmanager:%s:%s:secret:%s-%s", call->region, call->env->account_id,
             in_str_or(in, "Name", ""), suffix);
out:
    return rc;
}

cu_rc sm_check_secret(struct call *call, const json_t *secret, bool live)
{
    if (!secret)
        return cu_err_set(&call->err, CU_E_SM_NOT_FOUND,
                          "Secrets Manager can't find the specified secret.");
    if (live && json_object_get(secret, "DeletedDate"))
        return cu_err_set(&call->err, CU_E_SM_INVALID_REQUEST,
                          "You can't perform this operation on the secret because it was "
                          "marked for deletion.");
    return CU_OK;
}

cu_rc sm_target(struct call *call, bool live, json_t **secret)
{
    *secret = call->target.doc;
    return sm_check_secret(call, *secret, live);
}

/* Secrets Manager user guide, reference_iam-permissions (condition keys): the request's
 * own members, and aws:RequestTag/aws:TagKeys. */
void secretsmanager_create_secret_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_request_tags(keys, in_list(in, "Tags"));
    call_keys_add(keys, "secretsmanager:Name", in_str(in, "Name"));
    call_keys_add(keys, "secretsmanager:Description", in_str(in, "Description"));
    call_keys_add(keys, "secretsmanager:KmsKeyId", in_str(in, "KmsKeyId"));
    secretsmanager_replicate_condition_keys(in, keys);
}

void secretsmanager_update_secret_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "secretsmanager:Description", in_str(in, "Description"));
    call_keys_add(keys, "secretsmanager:KmsKeyId", in_str(in, "KmsKeyId"));
}

void secretsmanager_delete_secret_condition_keys(const json_t *in, struct call_keys *keys)
{
    if (json_object_get(in, "RecoveryWindowInDays"))
        call_keys_add_number(keys, "secretsmanager:RecoveryWindowInDays",
                             in_int(in, "RecoveryWindowInDays", 30));
    call_keys_add(keys, "secretsmanager:ForceDeleteWithoutRecovery",
                  in_bool(in, "ForceDeleteWithoutRecovery", false) ? "true" : "false");
}

void secretsmanager_put_resource_policy_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "secretsmanager:BlockPublicPolicy",
                  in_bool(in, "BlockPublicPolicy", false) ? "true" : "false");
}

void secretsmanager_tag_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_request_tags(keys, in_list(in, "Tags"));
}

void secretsmanager_untag_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_tag_keys(keys, in_list(in, "TagKeys"));
}

void secretsmanager_version_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "secretsmanager:VersionId", in_str(in, "VersionId"));
    call_keys_add(keys, "secretsmanager:VersionStage", in_str(in, "VersionStage"));
}

/* --- the end of recovery windows --- */

static bool window_ended(const json_t *doc, int64_t now_ms)
{
    const json_t *when = json_object_get(doc, "DeletedDate");

    return json_is_integer(when) && json_integer_value(when) <= now_ms;
}

/* A RestoreSecret that came before the sweep's write lock clears DeletedDate, and the
 * secret stays. */
static const struct sweep_rule recovery_window_ended = {
    .store_kind = RECORD_SECRET,
    .due = window_ended,
};

cu_rc sm_sweep_deleted(const struct call_env *env, int64_t now_ms, sm_deleted_fn record,
                       void *ctx, size_t *deleted)
{
    return sweep_regions(env, now_ms, &recovery_window_ended, record, ctx, deleted);
}
