/* session_token.c — STS GetSessionToken: temporary credentials for the calling IAM user
 * (or root), with the caller's own permissions (STS API reference, GetSessionToken).
 *
 * The credentials are an ASIA access key id, a secret access key and a session token.
 * The store keeps the secret sealed under the master key (like an access key's) and only
 * the SHA-256 of the token, so neither can be read back from it; auth/principal.c checks
 * both, and the expiration, on every request signed with them. */
#include <string.h>

#include "core/codec.h"
#include "core/ids.h"
#include "core/rand.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/digest.h"
#include "crypto/master_key.h"
#include "store/records.h"
#include "sts_ops.gen.h"

#define DURATION_DEFAULT_S 43200 /* 12 hours */
#define DURATION_ROOT_MAX_S 3600 /* the root user's sessions: 1 hour at most */
#define TOKEN_RANDOM_BYTES 96    /* 128 base64 characters */

/* The session token: random bytes as base64. */
static cu_rc new_token(struct buf *token)
{
    cu_rc rc = CU_OK;
    uint8_t raw[TOKEN_RANDOM_BYTES];

    TRY(rand_bytes(raw, sizeof(raw)));
    TRY(b64_encode(bytes_of(raw, sizeof(raw)), token));
out:
    secret_wipe(raw, sizeof(raw));
    return rc;
}

static cu_rc store_session(struct call *call, const char *akid, const char *secret,
                           const struct buf *token, int64_t issued_s, int64_t expires_s)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    struct buf sealed, text;
    char hex[65];
    json_t *doc = json_object();

    buf_init(&sealed, 4096);
    buf_init(&text, 8192);
    ENSURE(doc, CU_E_NOMEM);
    TRY(master_key_seal(call->env->master_key, bytes_str(secret), bytes_str(akid), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), &text));
    digest_sha256_hex(buf_bytes(token), hex);
    TRY(tree_set_str(doc, "Account", p->account_id));
    TRY(tree_set_str(doc, "UserName", p->type == PRINCIPAL_USER ? p->name : ""));
    TRY(tree_set_str(doc, "SealedSecret", text.p));
    TRY(tree_set_str(doc, "TokenHash", hex));
    TRY(tree_set_int(doc, "IssuedAt", issued_s));
    TRY(tree_set_int(doc, "Expiration", expires_s));
    TRY(store_put(call->tx, RECORD_SESSION, "", akid, doc, STORE_CREATE));
out:
    buf_release(&sealed);
    buf_release(&text);
    json_decref(doc);
    return rc;
}

cu_rc sts_get_session_token(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    int64_t duration = DURATION_DEFAULT_S, issued_s = call->now_ms / 1000;
    bool has_duration = false;
    char akid[IDS_ACCESS_KEY_ID_LEN + 1], secret[IDS_SECRET_KEY_LEN + 1] = "";
    struct buf token;
    json_t *creds = json_object();

    buf_init_sensitive(&token, 4096);
    ENSURE(creds, CU_E_NOMEM);
    ENSURE(!p->session_issued_s,
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "Cannot call GetSessionToken with session credentials"));
    /* custos has no MFA devices, so no serial number names one of this caller's */
    ENSURE(!json_object_get(in, "SerialNumber") && !json_object_get(in, "TokenCode"),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "MultiFactorAuthentication failed with invalid MFA one time pass code. "));
    TRY(tree_opt_int(in, "DurationSeconds", &duration, &has_duration));
    if (p->type == PRINCIPAL_ROOT && duration > DURATION_ROOT_MAX_S)
        duration = DURATION_ROOT_MAX_S; /* "defaults to one hour" (the request's reference) */
    TRY(ids_access_key_id("ASIA", akid));
    TRY(ids_secret_key(secret));
    TRY(new_token(&token));
    TRY(store_session(call, akid, secret, &token, issued_s, issued_s + duration));
    TRY(tree_set_str(creds, "AccessKeyId", akid));
    TRY(tree_set_str(creds, "SecretAccessKey", secret));
    TRY(tree_set_strn(creds, "SessionToken", token.p, token.n));
    TRY(tree_set_time_ms(creds, "Expiration", (issued_s + duration) * 1000));
    TRY(tree_set_new(out, "Credentials", creds));
    creds = NULL;
out:
    secret_wipe(secret, sizeof(secret));
    buf_release(&token);
    json_decref(creds);
    return rc;
}
