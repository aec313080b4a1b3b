/* sts_credentials.h — the Credentials every STS operation answers: a fresh ASIA access key
 * id, and the session token sealing claims with the secret access key derived from it
 * (auth/session_token.h). */
#ifndef CU_STS_CREDENTIALS_H
#define CU_STS_CREDENTIALS_H

#include "auth/session_token.h"
#include "services/call.h"

/* Issue credentials for claims (whose access_key_id, issued_s and expires_s this fills:
 * issued now, valid for duration_s) and set them as out's "Credentials" member.
 * Errors: CU_E_NOMEM, CU_E_INTERNAL, CU_E_PAYLOAD_TOO_LARGE. */
MUST_CHECK cu_rc sts_credentials_issue(struct call *call, struct session_claims *claims,
                                       int64_t duration_s, json_t *out);

/* The STS operations temporary credentials may not call: a GetSessionToken session any
 * but AssumeRole and GetCallerIdentity, a federated user's any but GetCallerIdentity
 * (STS API reference, GetSessionToken and GetFederationToken); AccessDenied in AWS's
 * not-authorized wording naming call->action and call->target. CU_OK for role sessions,
 * long-term keys and what those sessions may call. Every STS handler but
 * GetCallerIdentity's calls it first (those with a wording of their own, GetSessionToken
 * and GetFederationToken, refuse every session themselves). */
MUST_CHECK cu_rc sts_session_refuse(struct call *call);

#endif
