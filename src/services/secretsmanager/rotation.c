/* rotation.c — RotateSecret, CancelRotateSecret, and the parts of a rotation the
 * server's rotation worker (server/rotation_hooks.c) runs around the hook's four steps.
 *
 * A rotation (user guide, rotate-secrets_lambda) is a new version whose VersionId is the
 * rotation's ClientRequestToken: Secrets Manager makes it first, labelled AWSPENDING and
 * without a value, then calls the function with createSecret (which puts the value with
 * that token), setSecret, testSecret and finishSecret (which moves AWSCURRENT to it). The
 * secret record keeps the configuration under AWS's member names (RotationEnabled,
 * RotationLambdaARN, RotationRules, LastRotatedDate, NextRotationDate), the opening of the
 * next window in RotationWindowStart, and the rotation under way in Rotation {Token,
 * State: "requested" | "running"}: requested by RotateSecret in its own transaction,
 * claimed by the worker in another, ended in a third with its RotationSucceeded or
 * RotationFailed service event written before that commits. A failed rotation leaves
 * AWSCURRENT where it was and AWSPENDING where the hook left it; the next window retries
 * it with the same token, as AWS reattempts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session_token.h"
#include "core/ids.h"
#include "core/secret.h"
#include "core/tree.h"
#include "rotation_schedule.h"
#include "secretsmanager.h"
#include "secretsmanager_ops.gen.h"
#include "services/in.h"
#include "store/records.h"

#define HOOK_SESSION_S 900 /* the hook's credentials: STS's shortest session */

void secretsmanager_rotate_secret_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "secretsmanager:RotationLambdaARN", in_str(in, "RotationLambdaARN"));
}

static const char *str_of(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

/* The version AWSPENDING is on when it is not AWSCURRENT's: a rotation not finished. */
static json_t *unfinished(const json_t *secret)
{
    json_t *pending = sm_version_by_stage(secret, "AWSPENDING");

    return pending && pending != sm_version_by_stage(secret, "AWSCURRENT") ? pending : NULL;
}

/* Set NextRotationDate (the close of the next window: "on or before this date", DescribeSecret)
 * and RotationWindowStart from the rules, counting from after_ms. */
static cu_rc schedule_from(struct call *call, json_t *secret, int64_t after_ms)
{
    cu_rc rc = CU_OK;
    struct sm_schedule s;
    int64_t start, end;

    TRY(sm_schedule_parse(json_object_get(secret, "RotationRules"), &s, &call->err));
    ENSURE(sm_schedule_next(&s, after_ms, &start, &end) == CU_OK,
           cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                      "The schedule expression matches no time in the next five years."));
    TRY(tree_set_int(secret, "RotationWindowStart", start));
    TRY(tree_set_int(secret, "NextRotationDate", end - 1000));
out:
    return rc;
}

/* The placeholder of the rotation's version: AWSPENDING, no value yet. */
static cu_rc add_pending(struct call *call, json_t *secret, const char *token)
{
    cu_rc rc = CU_OK;
    json_t *v = json_pack("{s:s, s:I, s:[]}", "VersionId", token, "CreatedDate",
                          (json_int_t)call->now_ms, "VersionStages");

    ENSURE(v, CU_E_NOMEM);
    /* the label is taken from whichever version held it */
    ENSURE(json_array_append(json_object_get(secret, "Versions"), v) == 0, CU_E_NOMEM);
    TRY(sm_take_stage(secret, "AWSPENDING", v));
out:
    json_decref(v);
    return rc;
}

/* Mark the rotation of `token` requested (or running), its placeholder made unless the
 * token's version exists (a retried rotation). */
static cu_rc start(struct call *call, json_t *secret, const char *token, const char *state)
{
    cu_rc rc = CU_OK;
    json_t *rotation = json_pack("{s:s, s:s}", "Token", token, "State", state);

    ENSURE(rotation, CU_E_NOMEM);
    if (!sm_version_by_id(secret, token))
        TRY(add_pending(call, secret, token));
    TRY(tree_set_new(secret, "Rotation", rotation));
    rotation = NULL;
out:
    json_decref(rotation);
    return rc;
}

cu_rc secretsmanager_rotate_secret(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *lambda = in_str(in, "RotationLambdaARN");
    const json_t *rules = in_obj(in, "RotationRules");
    bool now = in_bool(in, "RotateImmediately", true);
    struct sm_schedule check;
    json_t *secret;
    char token[65];

    TRY(sm_target_primary(call, true, &secret));
    if (!lambda)
        lambda = str_of(secret, "RotationLambdaARN");
    ENSURE(lambda, cu_err_set(&call->err, CU_E_SM_INVALID_REQUEST,
                              "No Lambda rotation function ARN is associated with this secret."));
    /* a function Secrets Manager cannot invoke (RotateSecret API reference, Errors): here,
     * an ARN no --rotation-hook registered */
    ENSURE(call->env->rotation_hook_known && call->env->rotation_hook_known(call->env, lambda),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "Secrets Manager cannot invoke the specified Lambda function. Ensure "
                      "that the function policy grants access to the principal "
                      "secretsmanager.amazonaws.com."));
    if (rules) {
        TRY(sm_schedule_parse(rules, &check, &call->err));
        TRY(tree_set_new(secret, "RotationRules", json_deep_copy(rules)));
    }
    ENSURE(json_object_get(secret, "RotationRules"),
           cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                      "You must specify RotationRules when you first enable rotation."));
    ENSURE(!now || (!json_object_get(secret, "Rotation") && !unfinished(secret)),
           cu_err_set(&call->err, CU_E_SM_INVALID_REQUEST,
                      "A previous rotation isn't complete. That rotation will be reattempted."));
    TRY(tree_set_str(secret, "RotationLambdaARN", lambda));
    TRY(tree_set_bool(secret, "RotationEnabled", true));
    TRY(schedule_from(call, secret, call->now_ms));
    if (now) {
        TRY(sm_version_id(in, token));
        TRY(start(call, secret, token, "requested"));
        TRY(tree_set_str(out, "VersionId", token));
    }
    TRY(sm_save(call, secret));
    TRY(tree_set_str(out, "ARN", str_of(secret, "ARN")));
    TRY(tree_set_str(out, "Name", str_of(secret, "Name")));
    if (now && call->env->rotation_wake)
        call->env->rotation_wake(call->env);
out:
    return rc;
}

/* CancelRotateSecret (API reference): automatic rotation off, a rotation in progress
 * cancelled; the labels stay where the rotation left them, the function and rules stay
 * for the next RotateSecret. VersionId: the cancelled rotation's, when one was running. */
cu_rc secretsmanager_cancel_rotate_secret(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret, *pending;

    (void)in;
    TRY(sm_target_primary(call, true, &secret));
    pending = unfinished(secret);
    if (pending)
        TRY(tree_set_str(out, "VersionId", str_of(pending, "VersionId")));
    TRY(tree_set_bool(secret, "RotationEnabled", false));
    json_object_del(secret, "Rotation");
    json_object_del(secret, "NextRotationDate");
    json_object_del(secret, "RotationWindowStart");
    TRY(sm_save(call, secret));
    TRY(tree_set_str(out, "ARN", str_of(secret, "ARN")));
    TRY(tree_set_str(out, "Name", str_of(secret, "Name")));
out:
    return rc;
}

/* --- the worker's side --- */

struct due {
    int64_t now_ms;
    bool resume;
    json_t *names;
};

/* resume: the worker's first pass, when a rotation marked running is one a stop or a
 * crash interrupted */
static bool is_due(const json_t *doc, int64_t now_ms, bool resume)
{
    const json_t *rotation = json_object_get(doc, "Rotation");

    if (json_object_get(doc, "DeletedDate"))
        return false;
    if (rotation)
        return resume || strcmp(str_of(rotation, "State"), "requested") == 0;
    return json_is_true(json_object_get(doc, "RotationEnabled")) &&
           json_integer_value(json_object_get(doc, "RotationWindowStart")) <= now_ms &&
           json_object_get(doc, "RotationWindowStart");
}

static cu_rc collect_due(const char *key, const json_t *doc, void *ctx)
{
    struct due *d = ctx;

    if (is_due(doc, d->now_ms, d->resume))
        return json_array_append_new(d->names, json_string(key)) == 0 ? CU_OK : CU_E_NOMEM;
    return CU_OK;
}

/* Claim one due secret: a requested rotation becomes running; an opened window starts
 * one (retrying an unfinished rotation's token), its RotationStarted recorded. */
static cu_rc claim_one(struct call *call, const char *name, bool resume, sm_event_fn record,
                       void *ctx, struct sm_rotation_job *job, bool *claimed)
{
    cu_rc rc = CU_OK;
    json_t *secret = NULL, *pending;
    char token[65];
    bool scheduled;

    *claimed = false;
    TRY(kind_find(call, &sm_kind_secret, NULL, name, &secret));
    if (!secret || !is_due(secret, call->now_ms, resume))
        goto out;
    scheduled = !json_object_get(secret, "Rotation");
    if (scheduled) {
        pending = unfinished(secret);
        if (pending)
            str_copy(token, sizeof(token), str_of(pending, "VersionId"));
        else
            TRY(ids_uuid(token));
        TRY(start(call, secret, token, "running"));
        TRY(record(call->region, str_of(secret, "ARN"), "RotationStarted",
                   store_tx_commit_seq(call->tx), ctx));
    } else {
        TRY(tree_set_str(json_object_get(secret, "Rotation"), "State", "running"));
    }
    TRY(kind_update(call, &sm_kind_secret, NULL, secret));
    str_copy(job->region, sizeof(job->region), call->region);
    str_copy(job->name, sizeof(job->name), name);
    str_copy(job->arn, sizeof(job->arn), str_of(secret, "ARN"));
    str_copy(job->lambda_arn, sizeof(job->lambda_arn), str_of(secret, "RotationLambdaARN"));
    str_copy(job->token, sizeof(job->token), str_of(json_object_get(secret, "Rotation"), "Token"));
    *claimed = true;
out:
    json_decref(secret);
    return rc;
}

cu_rc sm_rotation_claim(const struct call_env *env, const char *region, int64_t now_ms,
                        bool resume, sm_event_fn record, void *ctx,
                        struct sm_rotation_job **jobs, size_t *n)
{
    cu_rc rc = CU_OK;
    struct call call = {.env = env, .region = region, .now_ms = now_ms};
    struct due d = {now_ms, resume, json_array()};
    struct sm_rotation_job *list = NULL;
    char scope[RECORD_NAME_MAX];
    size_t i, count = 0;
    json_t *name;
    bool claimed;

    *jobs = NULL;
    *n = 0;
    ENSURE(d.names, CU_E_NOMEM);
    /* a write transaction: it waits for a RotateSecret that woke the worker to commit */
    TRY(store_tx_begin(env->store, true, &call.tx));
    store_scope(RECORD_SECRET, env->account_id, region, NULL, scope);
    TRY(store_each(call.tx, RECORD_SECRET, scope, collect_due, &d));
    if (json_array_size(d.names) == 0)
        goto out;
    list = calloc(json_array_size(d.names), sizeof(*list));
    ENSURE(list, CU_E_NOMEM);
    json_array_foreach(d.names, i, name)
    {
        TRY(claim_one(&call, json_string_value(name), resume, record, ctx, &list[count],
                      &claimed));
        count += claimed;
    }
    TRY(store_tx_commit(call.tx));
    call.tx = NULL;
    *jobs = list;
    *n = count;
    list = NULL;
out:
    store_tx_rollback(call.tx);
    free(list);
    json_decref(d.names);
    return rc;
}

cu_rc sm_rotation_end(const struct call_env *env, const struct sm_rotation_job *job,
                      bool steps_ok, int64_t now_ms, sm_event_fn record, void *ctx,
                      bool *succeeded)
{
    cu_rc rc = CU_OK;
    struct call call = {.env = env, .region = job->region, .now_ms = now_ms};
    json_t *secret = NULL, *rotation, *current;

    *succeeded = false;
    TRY(store_tx_begin(env->store, true, &call.tx));
    TRY(kind_find(&call, &sm_kind_secret, NULL, job->name, &secret));
    rotation = json_object_get(secret, "Rotation");
    /* cancelled, deleted or replaced meanwhile: nothing of this rotation to end */
    if (!secret || !rotation || strcmp(str_of(rotation, "Token"), job->token) != 0)
        goto out;
    current = sm_version_by_stage(secret, "AWSCURRENT");
    /* finishSecret's work: AWSCURRENT on the rotation's version */
    *succeeded = steps_ok && current && strcmp(str_of(current, "VersionId"), job->token) == 0;
    json_object_del(secret, "Rotation");
    if (*succeeded) {
        TRY(tree_set_int(secret, "LastRotatedDate", now_ms));
        cu_err_clear(&call.err);
        if (schedule_from(&call, secret, now_ms) != CU_OK) {
            json_object_del(secret, "NextRotationDate");
            json_object_del(secret, "RotationWindowStart");
        }
    } else if (json_integer_value(json_object_get(secret, "RotationWindowStart")) <= now_ms) {
        /* a failed scheduled rotation waits for the next window before its retry */
        cu_err_clear(&call.err);
        if (schedule_from(&call, secret, now_ms) != CU_OK)
            json_object_del(secret, "RotationWindowStart");
    }
    TRY(kind_update(&call, &sm_kind_secret, NULL, secret));
    TRY(record(job->region, job->arn, *succeeded ? "RotationSucceeded" : "RotationFailed",
               store_tx_commit_seq(call.tx), ctx));
    TRY(store_tx_commit(call.tx));
    call.tx = NULL;
out:
    store_tx_rollback(call.tx);
    json_decref(secret);
    return rc;
}

/* The session policy that narrows the hook's role to the rotation it runs: the secret's
 * value and labels, random passwords, and KMS through Secrets Manager of its region. */
static cu_rc hook_policy(const struct sm_rotation_job *job, char *out, size_t cap)
{
    int n = snprintf(out, cap,
                     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                     "\"Action\":[\"secretsmanager:DescribeSecret\","
                     "\"secretsmanager:GetSecretValue\",\"secretsmanager:PutSecretValue\","
                     "\"secretsmanager:UpdateSecretVersionStage\"],\"Resource\":\"%s\"},"
                     "{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetRandomPassword\","
                     "\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":[\"kms:Decrypt\","
                     "\"kms:GenerateDataKey\",\"kms:Encrypt\"],\"Resource\":\"*\","
                     "\"Condition\":{\"StringEquals\":{\"kms:ViaService\":"
                     "\"secretsmanager.%s.amazonaws.com\"}}}]}",
                     job->arn, job->region);

    return n > 0 && (size_t)n < cap ? CU_OK : CU_E_INTERNAL;
}

cu_rc sm_rotation_credentials(const struct call_env *env, const char *role_arn,
                              const struct sm_rotation_job *job, int64_t now_ms,
                              struct sm_hook_credentials *out)
{
    cu_rc rc = CU_OK;
    struct session_keys *keys = NULL;
    struct session_claims *claims = calloc(1, sizeof(*claims));
    struct store_tx *tx = NULL;
    json_t *role = NULL;
    const char *slash = strrchr(role_arn, '/'), *name, *id, *arn;
    char key[RECORD_NAME_MAX];
    struct buf token;

    buf_init_sensitive(&token, SESSION_TOKEN_MAX);
    ENSURE(claims && slash && slash[1] && strlen(slash + 1) < sizeof(key), CU_E_NOMEM);
    record_fold(slash + 1, key);
    TRY(store_tx_begin(env->store, false, &tx));
    TRY(store_get(tx, RECORD_ROLE, env->account_id, key, &role));
    name = str_of(role, "RoleName");
    id = str_of(role, "RoleId");
    arn = str_of(role, "Arn");
    /* the role must exist as named, path included: no credentials otherwise */
    ENSURE(role && name && id && arn && strcmp(arn, role_arn) == 0, CU_E_INTERNAL);
    claims->type = PRINCIPAL_ROLE_SESSION;
    str_copy(claims->account_id, sizeof(claims->account_id), env->account_id);
    snprintf(claims->arn, sizeof(claims->arn), "arn:aws:sts::%s:assumed-role/%s/%s",
             env->account_id, name, SM_HOOK_SESSION);
    snprintf(claims->user_id, sizeof(claims->user_id), "%s:%s", id, SM_HOOK_SESSION);
    str_copy(claims->name, sizeof(claims->name), name);
    str_copy(claims->role_arn, sizeof(claims->role_arn), arn);
    str_copy(claims->session_name, sizeof(claims->session_name), SM_HOOK_SESSION);
    TRY(hook_policy(job, claims->session_policy, sizeof(claims->session_policy)));
    TRY(ids_access_key_id("ASIA", claims->access_key_id));
    claims->issued_s = now_ms / 1000;
    claims->expires_s = claims->issued_s + HOOK_SESSION_S;
    TRY(session_keys_new(env->master_key, &keys));
    TRY(session_token_issue(keys, claims, &token, out->secret_access_key));
    str_copy(out->access_key_id, sizeof(out->access_key_id), claims->access_key_id);
    ENSURE(token.n < sizeof(out->session_token), CU_E_INTERNAL);
    memcpy(out->session_token, token.p, token.n);
    out->session_token[token.n] = '\0';
out:
    store_tx_rollback(tx);
    json_decref(role);
    session_keys_free(keys);
    free(claims);
    buf_release(&token);
    return rc;
}
