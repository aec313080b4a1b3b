/* access_key_last_used.c — GetAccessKeyLastUsed, and the reading of an access key's last
 * use that the credential report shares (access_key_last_used.h).
 *
 * The uses are noted by the pipeline after authentication and written by the flusher of
 * auth/key_usage.c into one RECORD_ACCESS_KEY_LAST_USED record per key, at most once per
 * flush interval (60 s, or CUSTOS_KEY_USAGE_FLUSH_MS): this file only reads those records,
 * so an answer lags a use by up to that interval. A key never used has no record, and AWS
 * answers it with ServiceName and Region "N/A" and no LastUsedDate (IAM API reference,
 * AccessKeyLastUsed). DeleteAccessKey deletes the record with the key. */
#include "access_key_last_used.h"

#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

cu_rc iam_key_last_used(struct store_tx *tx, const char *akid, json_t **out)
{
    return store_get(tx, RECORD_ACCESS_KEY_LAST_USED, "", akid, out);
}

/* The key record the resolver loaded, when it is a key of the caller's account. */
static const json_t *account_key(const struct call *call)
{
    const json_t *key = call->target.doc;
    const char *account = json_string_value(json_object_get(key, "Account"));

    return account && strcmp(account, call->env->account_id) == 0 ? key : NULL;
}

cu_rc iam_get_access_key_last_used(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *akid = in_str(in, "AccessKeyId"), *owner;
    const json_t *key = account_key(call);
    json_t *used = NULL, *view = json_object();

    ENSURE(view, CU_E_NOMEM);
    ENSURE(key, cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                           "The Access Key with id %s cannot be found.", akid));
    TRY(iam_key_last_used(call->tx, akid, &used));
    if (used) {
        TRY(tree_set_time_ms(view, "LastUsedDate",
                             json_integer_value(json_object_get(used, "LastUsedDate"))));
        TRY(tree_set_new(view, "ServiceName", json_copy(json_object_get(used, "ServiceName"))));
        TRY(tree_set_new(view, "Region", json_copy(json_object_get(used, "Region"))));
    } else {
        TRY(tree_set_str(view, "ServiceName", "N/A"));
        TRY(tree_set_str(view, "Region", "N/A"));
    }
    owner = json_string_value(json_object_get(key, "UserName"));
    /* the root user's keys belong to no IAM user */
    if (owner && owner[0])
        TRY(tree_set_str(out, "UserName", owner));
    TRY(tree_set_new(out, "AccessKeyLastUsed", view));
    view = NULL;
out:
    json_decref(used);
    json_decref(view);
    return rc;
}

/* Resolver for GetAccessKeyLastUsed: the user owning the key (IAM Service Authorization
 * Reference: resource type user), the account's root for the root user's keys, and any
 * user of the account (the wildcard user ARN) for a key no one in this account holds. The key
 * record stays in call->target.doc for the handler. */
cu_rc iam_resolve_access_key_owner(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *owner;
    json_t *user = NULL;

    iam_set_account_target(call);
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:user/*",
             call->env->account_id);
    TRY(store_get(call->tx, RECORD_ACCESS_KEY, "", in_str_or(in, "AccessKeyId", ""),
                  &call->target.doc));
    if (!account_key(call))
        goto out;
    owner = json_string_value(json_object_get(call->target.doc, "UserName"));
    if (!owner || !owner[0]) {
        snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:root",
                 call->env->account_id);
        goto out;
    }
    TRY(record_user_get(call->tx, call->env->account_id, owner, &user));
    if (user)
        snprintf(call->target.arn, sizeof(call->target.arn), "%s",
                 json_string_value(json_object_get(user, "Arn")));
out:
    json_decref(user);
    return rc;
}
