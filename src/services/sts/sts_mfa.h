/* sts_mfa.h — the SerialNumber and TokenCode of GetSessionToken and AssumeRole (sts/mfa.c). */
#ifndef CU_STS_MFA_H
#define CU_STS_MFA_H

#include "auth/session_token.h"
#include "services/call.h"

/* Check the request's SerialNumber and TokenCode against the caller's virtual MFA device
 * (iam_mfa_check_code) and, when they pass, mark the call MFA-authenticated now
 * (call->mfa_auth_s); without either, nothing. Errors: CU_E_ACCESS_DENIED in AWS's
 * wording for one of the two alone, a serial that names no device of the caller, and a
 * wrong or spent code; store failures. */
MUST_CHECK cu_rc sts_mfa_check(struct call *call, const json_t *in);

/* The MFA state of the session the call makes: authenticated by this call
 * (sts_mfa_check), or else the caller's own, so that a session made by an MFA session
 * stays MFA-authenticated as of its first authentication. */
void sts_mfa_claims(const struct call *call, struct session_claims *claims);

#endif
