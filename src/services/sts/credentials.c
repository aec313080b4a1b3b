/* credentials.c — issuing temporary credentials (sts_credentials.h). Nothing is stored:
 * the token is the session, and the secret is recomputed from it on every request
 * (auth/principal.c). The token keys are derived per issuing call; HKDF costs a few
 * microseconds, small beside the call's transaction and audit record. */
#include "core/ids.h"
#include "core/secret.h"
#include "core/tree.h"
#include "sts_credentials.h"

cu_rc sts_credentials_issue(struct call *call, struct session_claims *claims, int64_t duration_s,
                            json_t *out)
{
    cu_rc rc = CU_OK;
    struct session_keys *keys = NULL;
    char secret[SESSION_SECRET_LEN + 1] = "";
    struct buf token;
    json_t *creds = json_object();

    buf_init_sensitive(&token, SESSION_TOKEN_MAX);
    ENSURE(creds, CU_E_NOMEM);
    TRY(ids_access_key_id("ASIA", claims->access_key_id));
    claims->issued_s = call->now_ms / 1000;
    claims->expires_s = claims->issued_s + duration_s;
    TRY(session_keys_new(call->env->master_key, &keys));
    TRY(session_token_issue(keys, claims, &token, secret));
    TRY(tree_set_str(creds, "AccessKeyId", claims->access_key_id));
    TRY(tree_set_str(creds, "SecretAccessKey", secret));
    TRY(tree_set_strn(creds, "SessionToken", token.p, token.n));
    TRY(tree_set_time_ms(creds, "Expiration", claims->expires_s * 1000));
    TRY(tree_set_new(out, "Credentials", creds));
    creds = NULL;
out:
    secret_wipe(secret, sizeof(secret));
    session_keys_free(keys);
    buf_release(&token);
    json_decref(creds);
    return rc;
}
