/* assume_role.c — STS AssumeRole: temporary credentials for a role (STS API reference,
 * AssumeRole), the way the pipeline reaches it:
 *   resolver  the role named by RoleArn, its trust policy compiled as the resource policy
 *             (root callers are refused here: "You cannot use AWS account root user
 *             credentials to call AssumeRole");
 *   authorize sts:AssumeRole on the role with the caller as principal: the engine applies
 *             the trust-policy rule (policy/eval.c) and the request's sts:* keys below;
 *   handler   duration and session-policy rules, then the session token (credentials.c)
 *             and the role's RoleLastUsed.
 * A role that does not exist is answered like a denial, so callers cannot probe for
 * role names (AWS answers AccessDenied, not NoSuchEntity, for a missing role). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/tree.h"
#include "policy/policy.h"
#include "services/in.h"
#include "role_session.h"
#include "sts_credentials.h"
#include "sts_ops.gen.h"

cu_rc sts_resolve_assume_role(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *arn = in_str_or(in, "RoleArn", "");

    ENSURE(
        call->principal->type != PRINCIPAL_ROOT,
        cu_err_set(&call->err, CU_E_ACCESS_DENIED, "Roles may not be assumed by root accounts."));
    TRY(role_session_load_role(call, arn));
out:
    return rc;
}

void sts_assume_role_keys(const json_t *in, struct call_keys *keys)
{
    /* IAM guide, reference_policies_iam-condition-keys: sts:ExternalId,
     * sts:RoleSessionName and sts:SourceIdentity are the request's values */
    if (in_str(in, "ExternalId"))
        call_keys_add(keys, "sts:ExternalId", in_str(in, "ExternalId"));
    if (in_str(in, "RoleSessionName"))
        call_keys_add(keys, "sts:RoleSessionName", in_str(in, "RoleSessionName"));
    if (in_str(in, "SourceIdentity"))
        call_keys_add(keys, "sts:SourceIdentity", in_str(in, "SourceIdentity"));
    /* session tags are request tags of AssumeRole (IAM guide, id_session-tags) */
    call_keys_request_tags(keys, in_list(in, "Tags"));
}

cu_rc sts_assume_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    json_t *role = call->target.doc, *user = NULL;
    const char *session = in_str_or(in, "RoleSessionName", "");
    const char *role_name, *role_id, *role_arn;
    struct session_claims *claims = calloc(1, sizeof(*claims));
    int64_t duration = 0, percent = 0;

    ENSURE(claims, CU_E_NOMEM);
    ENSURE(role, cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                            "User: %s is not authorized to perform: sts:AssumeRole on "
                            "resource: %s",
                            p->arn, call->target.arn));
    /* not yet: MFA on AssumeRole and provided contexts; refused rather than ignored */
    ENSURE(!in_str(in, "SerialNumber") && !in_str(in, "TokenCode") &&
               !in_list(in, "ProvidedContexts"),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "SerialNumber, TokenCode and ProvidedContexts are not supported by this "
                      "server yet."));
    role_name = json_string_value(json_object_get(role, "RoleName"));
    role_id = json_string_value(json_object_get(role, "RoleId"));
    role_arn = json_string_value(json_object_get(role, "Arn"));
    ENSURE(role_name && role_id && role_arn, CU_E_STORE);
    TRY(role_session_check_duration(call, in, role, &duration));
    TRY(role_session_take_tags(call, in, role_arn, claims));
    TRY(role_session_take_policies(call, in, claims, &percent));
    claims->type = PRINCIPAL_ROLE_SESSION;
    snprintf(claims->account_id, sizeof(claims->account_id), "%s", call->target.account_id);
    snprintf(claims->arn, sizeof(claims->arn), "arn:aws:sts::%s:assumed-role/%s/%s",
             claims->account_id, role_name, session);
    snprintf(claims->user_id, sizeof(claims->user_id), "%s:%s", role_id, session);
    snprintf(claims->name, sizeof(claims->name), "%s", role_name);
    snprintf(claims->role_arn, sizeof(claims->role_arn), "%s", role_arn);
    snprintf(claims->session_name, sizeof(claims->session_name), "%s", session);
    TRY(role_session_take_source_identity(call, in, role_arn, claims));
    claims->chained = p->type == PRINCIPAL_ROLE_SESSION;
    TRY(sts_credentials_issue(call, claims, duration, out));
    user = json_pack("{s:s, s:s}", "AssumedRoleId", claims->user_id, "Arn", claims->arn);
    ENSURE(user, CU_E_NOMEM);
    TRY(tree_set_new(out, "AssumedRoleUser", user));
    user = NULL;
    if (claims->session_policy[0] || claims->policy_arns[0] || claims->session_tags[0])
        TRY(tree_set_int(out, "PackedPolicySize", percent));
    if (claims->source_identity[0])
        TRY(tree_set_str(out, "SourceIdentity", claims->source_identity));
    TRY(role_session_note_used(call, role));
out:
    json_decref(user);
    free(claims);
    return rc;
}
