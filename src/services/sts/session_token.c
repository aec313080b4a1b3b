/* session_token.c — STS GetSessionToken: temporary credentials for the calling IAM user
 * (or root), with the caller's own permissions (STS API reference, GetSessionToken).
 *
 * The credentials are an ASIA access key id, a secret access key and a session token
 * that carries the session itself (auth/session_token.h): the user's ARN, unique id and
 * name as they are now, and the expiration. Nothing is stored. A user renamed later keeps
 * its sessions working under the ARN they were issued with, as AWS's do (a session is
 * bound to the user's unique id, which a rename keeps; identity_set.c checks that id).
 * With SerialNumber and TokenCode (sts/mfa.c) the session is MFA-authenticated. */
#include <stdlib.h>
#include <string.h>

#include "core/tree.h"
#include "sts_credentials.h"
#include "sts_mfa.h"
#include "sts_ops.gen.h"

#define DURATION_DEFAULT_S 43200 /* 12 hours */
#define DURATION_ROOT_MAX_S 3600 /* the root user's sessions: 1 hour at most */

cu_rc sts_get_session_token(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    int64_t duration = DURATION_DEFAULT_S;
    bool has_duration = false;
    struct session_claims *claims = calloc(1, sizeof(*claims));

    ENSURE(claims, CU_E_NOMEM);
    ENSURE(!p->session_issued_s,
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "Cannot call GetSessionToken with session credentials"));
    TRY(tree_opt_int(in, "DurationSeconds", &duration, &has_duration));
    /* with SerialNumber and TokenCode, a session that may call IAM and satisfies
     * aws:MultiFactorAuthPresent (STS API reference, GetSessionToken) */
    TRY(sts_mfa_check(call, in));
    sts_mfa_claims(call, claims);
    if (p->type == PRINCIPAL_ROOT && duration > DURATION_ROOT_MAX_S)
        duration = DURATION_ROOT_MAX_S; /* "defaults to one hour" (the request's reference) */
    claims->type = p->type;
    memcpy(claims->account_id, p->account_id, sizeof(claims->account_id));
    memcpy(claims->arn, p->arn, sizeof(claims->arn));
    memcpy(claims->user_id, p->user_id, sizeof(claims->user_id));
    memcpy(claims->name, p->name, sizeof(claims->name));
    TRY(sts_credentials_issue(call, claims, duration, out));
out:
    free(claims);
    return rc;
}
