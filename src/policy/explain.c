/* explain.c — AWS's AccessDenied wording for a decision (IAM guide,
 * troubleshoot_access-denied: "User: <arn> is not authorized to perform: <action> on
 * resource: <arn> because no <type> policy allows the <action> action", and "... with an
 * explicit deny in a(n) <type> policy"). */
#include <string.h>

#include "policy_impl.h"

static const char *type_phrase(enum policy_source s)
{
    switch (s) {
    case POLICY_SOURCE_RESOURCE:
        return "resource-based policy";
    case POLICY_SOURCE_BOUNDARY:
        return "permissions boundary";
    case POLICY_SOURCE_SCP:
        return "service control policy";
    case POLICY_SOURCE_RCP:
        return "resource control policy";
    case POLICY_SOURCE_SESSION:
        return "session policy";
    case POLICY_SOURCE_IDENTITY:
    case POLICY_SOURCE_NONE:
        break;
    }
    return "identity-based policy";
}

cu_rc policy_denial_message(const struct policy_request *req, const struct policy_result *res,
                            struct buf *out)
{
    cu_rc rc = CU_OK;
    const char *phrase = type_phrase(res->source);

    TRY(buf_addf(out, "User: %s is not authorized to perform: %s ",
                 req->principal_arn ? req->principal_arn : "", req->action ? req->action : ""));
    /* an action on no particular resource reads "... perform: codecommit:ListRepositories
     * because no identity-based policy allows ..." (troubleshoot_access-denied examples) */
    if (req->resource && strcmp(req->resource, "*") != 0)
        TRY(buf_addf(out, "on resource: %s ", req->resource));
    if (res->decision == POLICY_EXPLICIT_DENY)
        TRY(buf_addf(out, "with an explicit deny in %s %s",
                     res->source == POLICY_SOURCE_IDENTITY ? "an" : "a", phrase));
    else
        TRY(buf_addf(out, "because no %s allows the %s action", phrase,
                     req->action ? req->action : ""));
out:
    return rc;
}
