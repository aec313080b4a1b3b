/* web_identity_token.c — verifying an AssumeRoleWithWebIdentity token (sts_web_identity.h)
 * in the order STS reports failures: the token's form, its issuer's IAM OIDC provider, the
 * signature, its times, its audience. Nothing of a token reaches the client or the log but
 * what AWS itself echoes (the iss, in "No OpenIDConnect provider found..."). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/oidc_keys.h"
#include "services/in.h"
#include "store/records.h"
#include "store/store.h"
#include "sts_web_identity.h"

/* "IAM provides a five-minute window beyond the expiration time specified in the JWT to
 * account for clock skew" (IAM guide, id_roles_providers_oidc, note); custos allows the
 * same before nbf and iat. */
#define CLOCK_SKEW_S 300

static cu_rc not_a_jwt(struct call *call)
{
    /* AWS's answer to a token that is no JWT at all (an access token, say); unverified
     * for the other malformations custos refuses with it */
    return cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                      "The ID Token provided is not a valid JWT. (You may see this error if "
                      "you sent an Access Token)");
}

static cu_rc not_validated(struct call *call)
{
    /* the STS API reference's description of InvalidIdentityTokenException */
    return cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                      "The web identity token that was passed could not be validated by AWS. "
                      "Get a new identity token from the identity provider and then retry the "
                      "request.");
}

/* The IAM OIDC provider of iss in the account: its record is keyed by the URL without
 * "https://" (oidc_providers.c). */
static cu_rc find_provider(struct call *call, struct web_token *t)
{
    cu_rc rc = CU_OK;
    const char *rest = strncasecmp(t->iss, "https://", 8) == 0 ? t->iss + 8 : t->iss;

    ENSURE(rest[0] && strlen(rest) < sizeof(t->key) && !strchr(rest, '\n'),
           cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                      "No OpenIDConnect provider found in your account for %.300s", t->iss));
    str_copy(t->key, sizeof(t->key), rest);
    TRY(store_get(call->tx, RECORD_OIDC_PROVIDER, call->target.account_id, t->key, &t->provider));
    ENSURE(t->provider,
           cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                      "No OpenIDConnect provider found in your account for %.300s", t->iss));
    snprintf(t->provider_arn, sizeof(t->provider_arn), "arn:aws:iam::%s:oidc-provider/%s",
             call->target.account_id, t->key);
out:
    return rc;
}

static cu_rc check_signature(struct call *call, struct web_token *t)
{
    switch (oidc_keys_verify(call->env->oidc_keys, t->iss, &t->jwt)) {
    case OIDC_VERIFIED:
        return CU_OK;
    case OIDC_NO_KEY:
        /* what STS answers when the issuer's JWKS has no key for the token (knowledge
         * center, iam-sts-invalididentitytoken); custos's keys come from --oidc-jwks */
        return cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                          "Couldn't retrieve verification key from your identity provider,  "
                          "please reference AssumeRoleWithWebIdentity documentation for "
                          "requirements");
    case OIDC_BAD_SIGNATURE:
        break;
    }
    return not_validated(call);
}

/* exp is required; nbf and iat, when present, must not be in the future. */
static cu_rc check_times(struct call *call, const struct web_token *t)
{
    cu_rc rc = CU_OK;
    int64_t now = call->now_ms / 1000, exp = 0, nbf = 0, iat = 0;
    const json_t *c = t->jwt.claims;

    ENSURE(jwt_claim_time(c, "exp", &exp), not_validated(call));
    /* AWS's words, as STS answers an expired token (seen in SDK issue reports) */
    ENSURE(now <= exp + CLOCK_SKEW_S,
           cu_err_set(&call->err, CU_E_STS_EXPIRED_TOKEN,
                      "Token expired: current date/time %lld must be before the expiration "
                      "date/time %lld",
                      (long long)now, (long long)exp));
    ENSURE((!json_object_get(c, "nbf") || (jwt_claim_time(c, "nbf", &nbf) &&
                                           nbf <= now + CLOCK_SKEW_S)) &&
               (!json_object_get(c, "iat") ||
                (jwt_claim_time(c, "iat", &iat) && iat <= now + CLOCK_SKEW_S)),
           cu_err_set(&call->err, CU_E_STS_EXPIRED_TOKEN,
                      "The web identity token that was passed is expired or is not valid. Get "
                      "a new identity token from the identity provider and then retry the "
                      "request."));
out:
    return rc;
}

static bool listed(const json_t *list, const char *id)
{
    size_t i;
    json_t *v;

    json_array_foreach((json_t *)list, i, v)
    {
        if (id && json_string_value(v) && strcmp(json_string_value(v), id) == 0)
            return true;
    }
    return false;
}

/* The client id the token is for: azp when it is one of the provider's client ids (the
 * authorized party, which Google sets to the client and its aud to another), else the
 * first aud value that is (aud is a string or an array of strings, RFC 7519 §4.1.3). */
static cu_rc check_audience(struct call *call, struct web_token *t)
{
    cu_rc rc = CU_OK;
    const json_t *ids = json_object_get(t->provider, "ClientIDList");
    const json_t *aud = json_object_get(t->jwt.claims, "aud"), *v;
    size_t i;

    if (listed(ids, t->azp)) {
        t->aud = t->azp;
        t->aud_is_azp = true;
        goto out;
    }
    if (json_is_string(aud) && listed(ids, json_string_value(aud)))
        t->aud = json_string_value(aud);
    json_array_foreach((json_t *)(json_is_array(aud) ? aud : NULL), i, v)
    {
        if (!t->aud && listed(ids, json_string_value(v)))
            t->aud = json_string_value(v);
    }
    ENSURE(t->aud, cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                              "Incorrect token audience"));
out:
    return rc;
}

cu_rc web_token_check(struct call *call, const json_t *in, struct web_token *t)
{
    cu_rc rc = CU_OK;
    const char *token = in_str_or(in, "WebIdentityToken", "");
    const json_t *sub, *azp;
    struct cu_err why = {0};

    memset(t, 0, sizeof(*t));
    ENSURE(jwt_parse(bytes_str(token), &t->jwt, &why) == CU_OK, not_a_jwt(call));
    t->iss = json_string_value(json_object_get(t->jwt.claims, "iss"));
    sub = json_object_get(t->jwt.claims, "sub");
    azp = json_object_get(t->jwt.claims, "azp");
    /* an OIDC ID token names its issuer and subject (OpenID Connect Core §2); a sub must
     * fit the response's SubjectFromWebIdentityToken (at most 255 characters) */
    ENSURE(t->iss && t->iss[0] && json_is_string(sub) && json_string_length(sub) > 0 &&
               json_string_length(sub) < PRINCIPAL_WEB_SUBJECT_MAX &&
               strlen(json_string_value(sub)) == json_string_length(sub) &&
               (!azp || json_is_string(azp)),
           not_a_jwt(call));
    t->sub = json_string_value(sub);
    t->azp = json_string_value(azp);
    TRY(find_provider(call, t));
    TRY(check_signature(call, t));
    TRY(check_times(call, t));
    TRY(check_audience(call, t));
out:
    if (rc != CU_OK)
        web_token_release(t);
    return rc;
}

void web_token_release(struct web_token *t)
{
    jwt_release(&t->jwt);
    json_decref(t->provider);
    t->provider = NULL;
}
