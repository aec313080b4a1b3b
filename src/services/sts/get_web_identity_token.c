/* get_web_identity_token.c — STS GetWebIdentityToken: a JWT (RFC 7519) for the caller, signed
 * with the account's outbound federation key (services/outbound.h) under the requested
 * SigningAlgorithm, RS256 or ES384 (STS API reference, GetWebIdentityToken).
 *
 * Refused with OutboundWebIdentityFederationDisabledException unless the account enabled
 * outbound federation. The claims follow the IAM guide's sample token
 * (id_roles_providers_outbound_token_claims): iss (the issuer IAM reports), aud (the
 * Audience list: one string for one audience), sub (the caller's ARN; a role session's is
 * its role's ARN, as the sample shows), iat, exp (DurationSeconds, 60-3,600, default 300),
 * jti, and under "https://sts.amazonaws.com/" aws_account, source_region, principal_id,
 * principal_tags (an IAM user's tags; a role session's role and session tags) and
 * request_tags (Tags). A token
 * may not outlive the session that asks for it: SessionDurationEscalationException.
 * Passing Tags needs sts:TagGetWebIdentityToken besides (IAM guide,
 * id_roles_providers_outbound_policies). */
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/ids.h"
#include "core/tree.h"
#include "core/tree_write.h"
#include "crypto/jwt_key.h"
#include "services/in.h"
#include "services/outbound.h"
#include "store/records.h"
#include "sts_credentials.h"
#include "sts_ops.gen.h"

#define DURATION_DEFAULT_S 300
#define STS_CLAIMS_NAMESPACE "https://sts.amazonaws.com/"
#define TOKEN_MAX (64 * 1024)

void sts_web_identity_token_keys(const json_t *in, struct call_keys *keys)
{
    const json_t *aud = in_list(in, "Audience"), *it;
    const char *values[16];
    size_t i, n = 0;

    /* sts:IdentityTokenAudience (multi-valued, one per audience) and sts:DurationSeconds,
     * as AWS's outbound federation guide uses them in identity policies; the request's
     * Tags are its aws:RequestTag and aws:TagKeys */
    json_array_foreach(aud, i, it)
        if (n < sizeof(values) / sizeof(values[0]) && json_is_string(it))
            values[n++] = json_string_value(it);
    if (n)
        call_keys_add_multi(keys, "sts:IdentityTokenAudience", values, n);
    call_keys_add_number(keys, "sts:DurationSeconds",
                         in_int(in, "DurationSeconds", DURATION_DEFAULT_S));
    if (in_str(in, "SigningAlgorithm"))
        call_keys_add(keys, "sts:SigningAlgorithm", in_str(in, "SigningAlgorithm"));
    call_keys_request_tags(keys, in_list(in, "Tags"));
}

/* The second authorization: sts:TagGetWebIdentityToken, on "*" in the caller's account,
 * only for a request that passes Tags. */
cu_rc sts_resolve_web_identity_token_tags(struct call *call, const json_t *in)
{
    call->also.not_needed = json_array_size(in_list(in, "Tags")) == 0;
    snprintf(call->also.arn, sizeof(call->also.arn), "*");
    snprintf(call->also.account_id, sizeof(call->also.account_id), "%s", call->env->account_id);
    return CU_OK;
}

/* {Key: Value} of an IAM [{Key, Value}] tag list. */
static cu_rc tag_map(const json_t *tags, json_t **map)
{
    cu_rc rc = CU_OK;
    const json_t *it;
    size_t i;
    json_t *m = json_object();

    ENSURE(m, CU_E_NOMEM);
    json_array_foreach(tags, i, it)
        TRY(tree_set_str(m, in_str(it, "Key") ?: "", in_str(it, "Value") ?: ""));
    *map = m;
    m = NULL;
out:
    json_decref(m);
    return rc;
}

/* Overlay a session's tags ("key\tvalue\n" lines) on m. */
static cu_rc add_session_tags(json_t *m, const char *lines)
{
    cu_rc rc = CU_OK;

    for (const char *line = lines; *line;) {
        size_t k = strcspn(line, "\t\n"), len = strcspn(line, "\n");
        char key[129] = "", value[257] = "";
        if (line[k] == '\t' && k < sizeof(key) && len - k - 1 < sizeof(value)) {
            memcpy(key, line, k);
            memcpy(value, line + k + 1, len - k - 1);
            TRY(tree_set_str(m, key, value));
        }
        line += len + (line[len] != '\0');
    }
out:
    return rc;
}

/* The caller's principal tags (aws:PrincipalTag): an IAM user's tags, or a role session's
 * role tags with its session tags over them ("If you pass a session tag with the same key
 * as a role tag, the session tag value overrides", IAM guide, id_session-tags); *map NULL
 * when there are none. */
static cu_rc principal_tags(struct call *call, json_t **map)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    json_t *entity = NULL, *m = NULL;
    char key[RECORD_NAME_MAX];

    *map = NULL;
    if (p->type == PRINCIPAL_ROLE_SESSION) {
        record_fold(p->name, key);
        TRY(store_get(call->tx, RECORD_ROLE, p->account_id, key, &entity));
    } else if (p->type == PRINCIPAL_USER) {
        TRY(record_user_get(call->tx, p->account_id, p->name, &entity));
    }
    TRY(tag_map(entity ? json_object_get(entity, "Tags") : NULL, &m));
    TRY(add_session_tags(m, p->session_tags));
    if (json_object_size(m)) {
        *map = m;
        m = NULL;
    }
out:
    json_decref(entity);
    json_decref(m);
    return rc;
}

/* The "https://sts.amazonaws.com/" claims. */
static cu_rc aws_claims(struct call *call, const json_t *in, const char *sub, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *ns = json_object(), *ptags = NULL, *rtags = NULL;

    ENSURE(ns, CU_E_NOMEM);
    TRY(tree_set_str(ns, "aws_account", call->principal->account_id));
    TRY(tree_set_str(ns, "source_region", call->region));
    TRY(tree_set_str(ns, "principal_id", sub));
    TRY(principal_tags(call, &ptags));
    if (ptags) {
        TRY(tree_set_new(ns, "principal_tags", ptags));
        ptags = NULL;
    }
    if (json_array_size(in_list(in, "Tags"))) {
        TRY(tag_map(in_list(in, "Tags"), &rtags));
        TRY(tree_set_new(ns, "request_tags", rtags));
        rtags = NULL;
    }
    *out = ns;
    ns = NULL;
out:
    json_decref(ns);
    json_decref(ptags);
    json_decref(rtags);
    return rc;
}

static cu_rc claims_of(struct call *call, const json_t *in, const json_t *rec, int64_t exp_s,
                       json_t **out)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    const json_t *aud = in_list(in, "Audience");
    const char *sub = p->type == PRINCIPAL_ROLE_SESSION && p->role_arn[0] ? p->role_arn : p->arn;
    char issuer[OUTBOUND_ISSUER_MAX], jti[IDS_UUID_LEN + 1];
    json_t *c = json_object(), *ns = NULL;

    ENSURE(c, CU_E_NOMEM);
    outbound_issuer(call->env->public_url, rec, issuer);
    TRY(ids_uuid(jti));
    TRY(tree_set_str(c, "iss", issuer));
    /* RFC 7519 §4.1.3: a single audience may be a string, several an array */
    TRY(tree_set_new(c, "aud", json_array_size(aud) == 1 ? json_incref(json_array_get(aud, 0))
                                                          : json_deep_copy(aud)));
    TRY(tree_set_str(c, "sub", sub));
    TRY(tree_set_int(c, "iat", call->now_ms / 1000));
    TRY(tree_set_int(c, "exp", exp_s));
    TRY(tree_set_str(c, "jti", jti));
    TRY(aws_claims(call, in, sub, &ns));
    TRY(tree_set_new(c, STS_CLAIMS_NAMESPACE, ns));
    *out = c;
    c = NULL;
out:
    json_decref(c);
    return rc;
}

/* base64url(header) "." base64url(payload) "." base64url(signature) into token. */
static cu_rc sign_jwt(const struct jwt_key *key, enum jwt_alg alg, const char *kid,
                      const json_t *claims, struct buf *token)
{
    cu_rc rc = CU_OK;
    struct buf part, sig;

    buf_init(&part, TOKEN_MAX);
    buf_init(&sig, 1024);
    TRY(buf_addstrs(&part, "{\"alg\":\"", jwt_alg_name(alg), "\",\"kid\":\"", kid,
                    "\",\"typ\":\"JWT\"}", (char *)NULL));
    TRY(base64url_encode(buf_bytes(&part), token));
    TRY(buf_addch(token, '.'));
    buf_reset(&part);
    TRY(tree_write_json(&part, claims));
    TRY(base64url_encode(buf_bytes(&part), token));
    TRY(jwt_key_sign(key, buf_bytes(token), &sig));
    TRY(buf_addch(token, '.'));
    TRY(base64url_encode(buf_bytes(&sig), token));
out:
    buf_release(&part);
    buf_release(&sig);
    return rc;
}

cu_rc sts_get_web_identity_token(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    int64_t duration = in_int(in, "DurationSeconds", DURATION_DEFAULT_S);
    int64_t exp_s = call->now_ms / 1000 + duration;
    enum jwt_alg alg = JWT_RS256;
    struct jwt_key *key = NULL;
    const char *kid = NULL;
    json_t *rec = NULL, *claims = NULL;
    struct buf token;

    buf_init_sensitive(&token, TOKEN_MAX);
    TRY(sts_session_refuse(call));
    TRY(outbound_load(call->tx, call->env->account_id, &rec));
    ENSURE(outbound_enabled(rec),
           cu_err_set(&call->err, CU_E_STS_OUTBOUND_DISABLED,
                      "Outbound web identity federation is not enabled for this account. To "
                      "use this feature, you must first enable it through the AWS Management "
                      "Console or API."));
    /* the model's enum leaves nothing else past validation; kept as a guard */
    ENSURE(jwt_alg_from_name(in_str(in, "SigningAlgorithm"), &alg) && jwt_key_signs(alg),
           CU_E_VALIDATION);
    ENSURE(!p->session_expires_s || exp_s <= p->session_expires_s,
           cu_err_set(&call->err, CU_E_STS_SESSION_DURATION_ESCALATION,
                      "The requested token duration would extend the session beyond its "
                      "original expiration time."));
    TRY(claims_of(call, in, rec, exp_s, &claims));
    TRY(outbound_signing_key(call->env->master_key, call->env->account_id, rec, alg, &key, &kid));
    TRY(sign_jwt(key, alg, kid, claims, &token));
    TRY(tree_set_strn(out, "WebIdentityToken", token.p, token.n));
    TRY(tree_set_time_ms(out, "Expiration", exp_s * 1000));
out:
    jwt_key_free(key);
    json_decref(rec);
    json_decref(claims);
    buf_release(&token);
    return rc;
}
