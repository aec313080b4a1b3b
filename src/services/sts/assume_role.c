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
#include "services/in.h"
#include "sts_credentials.h"
#include "sts_mfa.h"
#include "sts_ops.gen.h"
#include "sts_role_session.h"

cu_rc sts_resolve_assume_role(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;

    ENSURE(
        call->principal->type != PRINCIPAL_ROOT,
        cu_err_set(&call->err, CU_E_ACCESS_DENIED, "Roles may not be assumed by root accounts."));
    /* SerialNumber and TokenCode authenticate this very request, before the trust policy
     * is evaluated: an MFA-gated trust policy (aws:MultiFactorAuthPresent) sees them */
    TRY(sts_mfa_check(call, in));
    rc = sts_role_resolve(call, in);
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
    json_t *role = call->target.doc;
    const char *session = in_str_or(in, "RoleSessionName", "");
    const char *role_arn;
    struct session_claims *claims = calloc(1, sizeof(*claims));
    int64_t duration = 0, percent = 0;

    ENSURE(claims, CU_E_NOMEM);
    TRY(sts_session_refuse(call));
    ENSURE(role, cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                            "User: %s is not authorized to perform: sts:AssumeRole on "
                            "resource: %s",
                            p->arn, call->target.arn));
    /* not yet: provided contexts; refused rather than ignored */
    ENSURE(!in_list(in, "ProvidedContexts"),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "ProvidedContexts is not supported by this server yet."));
    role_arn = json_string_value(json_object_get(role, "Arn"));
    ENSURE(role_arn, CU_E_STORE);
    TRY(sts_session_duration(call, in, role, p->type == PRINCIPAL_ROLE_SESSION, &duration));
    TRY(sts_session_tags_take(call, in, role_arn, claims));
    TRY(sts_session_policies(call, in, claims, &percent));
    TRY(sts_session_source_identity_take(call, in, role_arn, claims));
    claims->chained = p->type == PRINCIPAL_ROLE_SESSION;
    sts_mfa_claims(call, claims);
    TRY(sts_role_session_issue(call, session, claims, duration, percent, out));
out:
    free(claims);
    return rc;
}
