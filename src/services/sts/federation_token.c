/* federation_token.c — STS GetFederationToken: temporary credentials for a federated user
 * that an IAM user's application names (STS API reference, GetFederationToken; IAM guide,
 * id_credentials_temp_control-access_getfederationtoken):
 *   resolver  the federated user's ARN, arn:aws:sts::<account>:federated-user/<Name>, is
 *             the resource sts:GetFederationToken is authorized on;
 *   handler   long-term credentials only; DurationSeconds 900..129,600 (the model's
 *             limits), 43,200 by default, at most an hour for the root user; the session
 *             policies and tags (AssumeRole's rules, assume_role.c); the token.
 * The session's permissions are the intersection of the issuing user's identity policies
 * (and boundary) with the session policies, so without a session policy it has none
 * (policy/eval.c); it never calls IAM (server/pipeline.c) and of STS only
 * GetCallerIdentity (sts_session_refuse). Its principal is FederatedUser, its issuer
 * the IAM user (or root) that called, as the trail's sessionIssuer names it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tree.h"
#include "services/in.h"
#include "sts_credentials.h"
#include "sts_ops.gen.h"
#include "sts_role_session.h"

#define DURATION_DEFAULT_S 43200 /* 12 hours */
#define DURATION_ROOT_MAX_S 3600 /* root's: "defaults to one hour" when longer */

cu_rc sts_resolve_federation_token(struct call *call, const json_t *in)
{
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:sts::%s:federated-user/%s",
             call->principal->account_id, in_str_or(in, "Name", ""));
    snprintf(call->target.account_id, sizeof(call->target.account_id), "%s",
             call->principal->account_id);
    return CU_OK;
}

void sts_federation_token_keys(const json_t *in, struct call_keys *keys)
{
    /* session tags are request tags (IAM guide, id_session-tags) */
    call_keys_request_tags(keys, in_list(in, "Tags"));
}

cu_rc sts_get_federation_token(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    const char *name = in_str_or(in, "Name", "");
    struct session_claims *claims = calloc(1, sizeof(*claims));
    int64_t duration = in_int(in, "DurationSeconds", DURATION_DEFAULT_S), percent = 0;
    json_t *user = NULL;

    ENSURE(claims, CU_E_NOMEM);
    /* "You must call the GetFederationToken operation using the long-term security
     * credentials of an IAM user" */
    ENSURE(!p->session_issued_s,
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "Cannot call GetFederationToken with session credentials"));
    if (p->type == PRINCIPAL_ROOT && duration > DURATION_ROOT_MAX_S)
        duration = DURATION_ROOT_MAX_S;
    TRY(sts_session_tags_take(call, in, call->target.arn, claims));
    TRY(sts_session_policies(call, in, claims, &percent));
    claims->type = PRINCIPAL_FEDERATED;
    snprintf(claims->account_id, sizeof(claims->account_id), "%s", p->account_id);
    str_copy(claims->arn, sizeof(claims->arn), call->target.arn);
    snprintf(claims->user_id, sizeof(claims->user_id), "%s:%s", p->account_id, name);
    /* the issuer: the user's name (its policies are the session's ceiling), ARN and
     * unique id, which binds the session to this user and not a later one of its name */
    snprintf(claims->name, sizeof(claims->name), "%s", p->name);
    snprintf(claims->role_arn, sizeof(claims->role_arn), "%s", p->arn);
    str_copy(claims->issuer_id, sizeof(claims->issuer_id), p->user_id);
    snprintf(claims->session_name, sizeof(claims->session_name), "%s", name);
    TRY(sts_credentials_issue(call, claims, duration, out));
    user = json_pack("{s:s, s:s}", "FederatedUserId", claims->user_id, "Arn", claims->arn);
    ENSURE(user, CU_E_NOMEM);
    TRY(tree_set_new(out, "FederatedUser", user));
    user = NULL;
    TRY(tree_set_int(out, "PackedPolicySize", percent));
out:
    json_decref(user);
    free(claims);
    return rc;
}

cu_rc sts_session_refuse(struct call *call)
{
    const struct principal *p = call->principal;

    /* STS API reference: GetSessionToken's credentials "cannot call any STS API except
     * AssumeRole or GetCallerIdentity", GetFederationToken's "any STS API operations
     * except GetCallerIdentity" (GetCallerIdentity needs no check: it is always allowed) */
    if (!p->session_issued_s || p->type == PRINCIPAL_ROLE_SESSION ||
        (p->type != PRINCIPAL_FEDERATED && strcmp(call->action, "sts:AssumeRole") == 0))
        return CU_OK;
    return cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: %s on resource: %s", p->arn,
                      call->action, call->target.arn);
}
