/* sts_web_identity.h — the web identity token of an AssumeRoleWithWebIdentity request,
 * checked (web_identity_token.c) before the handler (web_identity.c) asks the role's trust
 * policy whether its provider may assume the role. */
#ifndef CU_STS_WEB_IDENTITY_H
#define CU_STS_WEB_IDENTITY_H

#include "auth/jwt.h"
#include "core/principal.h"
#include "services/call.h"

/* What a verified token says, as the rest of the call uses it. Strings are borrowed from
 * jwt.claims (or the provider record, for aud) and live until web_token_release. */
struct web_token {
    struct jwt jwt;
    json_t *provider;                           /* the IAM OIDC provider record, owned */
    const char *iss, *sub, *azp;                /* azp: NULL when the token has none */
    const char *aud;                            /* the client id that matched ClientIDList */
    bool aud_is_azp;                            /* aud came from azp (Google's way) */
    char key[256];                              /* iss without https://: condition keys'
                                                 * prefix and the provider record's key */
    char provider_arn[PRINCIPAL_WEB_PROVIDER_MAX];
};

/* Check the request's WebIdentityToken the way STS does: a compact JWS with an
 * asymmetric alg; an iss naming an IAM OIDC provider of the role's account; a signature
 * that the issuer's key (custos serve --oidc-jwks) verifies; exp (with IAM's five-minute
 * allowance for clock skew), nbf and iat; an aud (or azp) in the provider's ClientIDList.
 * Errors: InvalidIdentityToken, ExpiredTokenException, with AWS's words in call->err.
 * On success *t holds the token (web_token_release); on failure nothing to release. */
MUST_CHECK cu_rc web_token_check(struct call *call, const json_t *in, struct web_token *t);
void web_token_release(struct web_token *t);

#endif
