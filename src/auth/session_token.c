/* session_token.c — sealing and opening STS session tokens (format: session_token.h).
 *
 * Issuing and checking are the two ends of one contract: the claims are sealed under the
 * token key with a fresh random IV (a 96-bit random IV per token keeps GCM's collision
 * bound far away: 2^32 tokens per master key is NIST SP 800-38D's limit, beyond any
 * custos), and the secret access key is a MAC of the sealed token, so nothing about a
 * session is stored and a node only needs the master key to check it. Opening checks
 * integrity first and expiry second: a tampered token never reveals whether it was also
 * expired. */
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "core/rand.h"
#include "core/secret.h"
#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/master_key.h"
#include "session_token.h"

#define TOKEN_RAW_MAX (SESSION_TOKEN_MAX / 4 * 3)
#define TOKEN_OVERHEAD (1 + AEAD_IV_LEN + AEAD_TAG_LEN)

struct session_keys {
    struct secret *seal; /* AES-256 key of the claims */
    struct secret *mac;  /* HMAC key of the secret access keys */
};

static const char invalid_token[] = "The security token included in the request is invalid.";
static const char expired_token[] = "The security token included in the request is expired";

cu_rc session_keys_new(const struct master_key *mk, struct session_keys **out)
{
    cu_rc rc = CU_OK;
    struct session_keys *k = calloc(1, sizeof(*k));

    ENSURE(k, CU_E_NOMEM);
    TRY(master_key_derive(mk, "sts-session-token", AEAD_KEY_LEN, &k->seal));
    TRY(master_key_derive(mk, "sts-session-secret", DIGEST_SHA256_LEN, &k->mac));
    *out = k;
    k = NULL;
out:
    session_keys_free(k);
    return rc;
}

void session_keys_free(struct session_keys *k)
{
    if (!k)
        return;
    secret_free(k->seal);
    secret_free(k->mac);
    free(k);
}

/* The secret access key of the decoded token raw: base64 of 30 bytes of its HMAC. */
static cu_rc secret_of(const struct session_keys *k, struct bytes raw,
                       char secret[SESSION_SECRET_LEN + 1])
{
    cu_rc rc = CU_OK;
    uint8_t mac[DIGEST_SHA256_LEN];
    struct buf text;

    buf_init_sensitive(&text, SESSION_SECRET_LEN + 8);
    digest_hmac_sha256(secret_bytes(k->mac), raw, mac);
    TRY(b64_encode(bytes_of(mac, SESSION_SECRET_LEN / 4 * 3), &text));
    ENSURE(text.n == SESSION_SECRET_LEN, CU_E_INTERNAL);
    memcpy(secret, text.p, SESSION_SECRET_LEN + 1);
out:
    secret_wipe(mac, sizeof(mac));
    buf_release(&text);
    return rc;
}

cu_rc session_token_issue(const struct session_keys *k, const struct session_claims *claims,
                          struct buf *token, char secret[SESSION_SECRET_LEN + 1])
{
    cu_rc rc = CU_OK;
    struct buf raw;
    uint8_t version = SESSION_TOKEN_VERSION;
    size_t body;

    buf_init_sensitive(&raw, TOKEN_RAW_MAX); /* the token, and before sealing its claims */
    TRY(buf_addch(&raw, (char)version));
    TRY(buf_reserve(&raw, 1 + AEAD_IV_LEN));
    TRY(rand_bytes(raw.p + 1, AEAD_IV_LEN));
    raw.n = 1 + AEAD_IV_LEN;
    raw.p[raw.n] = '\0';
    TRY(session_claims_write(claims, &raw));
    body = raw.n - (1 + AEAD_IV_LEN);
    ENSURE(body <= SESSION_CLAIMS_MAX, CU_E_PAYLOAD_TOO_LARGE);
    TRY(buf_reserve(&raw, AEAD_TAG_LEN));
    TRY(aead_seal(k->seal->p, (uint8_t *)raw.p + 1, bytes_of(&version, 1),
                  bytes_of(raw.p + 1 + AEAD_IV_LEN, body), (uint8_t *)raw.p + 1 + AEAD_IV_LEN,
                  (uint8_t *)raw.p + raw.n));
    raw.n += AEAD_TAG_LEN;
    raw.p[raw.n] = '\0';
    TRY(b64_encode(buf_bytes(&raw), token));
    TRY(secret_of(k, buf_bytes(&raw), secret));
out:
    buf_release(&raw);
    return rc;
}

/* Decode and open token into its claims plaintext (plain: sensitive); raw keeps the
 * decoded token for the secret. */
static cu_rc open_raw(const struct session_keys *k, const char *token, struct buf *raw,
                      struct buf *plain)
{
    cu_rc rc = CU_OK;
    size_t body;

    ENSURE(strnlen(token, SESSION_TOKEN_MAX + 1) <= SESSION_TOKEN_MAX, CU_E_UNKNOWN_ACCESS_KEY);
    ENSURE(b64_decode(bytes_str(token), raw) == CU_OK, CU_E_UNKNOWN_ACCESS_KEY);
    ENSURE(raw->n > TOKEN_OVERHEAD && (uint8_t)raw->p[0] == SESSION_TOKEN_VERSION,
           CU_E_UNKNOWN_ACCESS_KEY);
    body = raw->n - TOKEN_OVERHEAD;
    ENSURE(body <= SESSION_CLAIMS_MAX, CU_E_UNKNOWN_ACCESS_KEY);
    TRY(buf_reserve(plain, body));
    ENSURE(aead_open(k->seal->p, (const uint8_t *)raw->p + 1, bytes_of(raw->p, 1),
                     bytes_of(raw->p + 1 + AEAD_IV_LEN, body),
                     (const uint8_t *)raw->p + raw->n - AEAD_TAG_LEN, (uint8_t *)plain->p) == CU_OK,
           CU_E_UNKNOWN_ACCESS_KEY);
    plain->n = body;
    plain->p[body] = '\0';
out:
    return rc;
}

cu_rc session_token_open(const struct session_keys *k, const char *token, const char *akid,
                         int64_t now_s, struct session_claims *out,
                         char secret[SESSION_SECRET_LEN + 1], struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct buf raw, plain;

    buf_init_sensitive(&raw, TOKEN_RAW_MAX); /* the token, and before sealing its claims */
    buf_init_sensitive(&plain, SESSION_CLAIMS_MAX + 1);
    rc = open_raw(k, token, &raw, &plain);
    if (rc == CU_E_UNKNOWN_ACCESS_KEY)
        rc = cu_err_set(err, rc, "%s", invalid_token);
    TRY(rc);
    TRY(session_claims_parse(buf_bytes(&plain), out, err));
    /* the token of another ASIA key id: a key id and token that were never issued together */
    ENSURE(strcmp(out->access_key_id, akid) == 0,
           cu_err_set(err, CU_E_UNKNOWN_ACCESS_KEY, "%s", invalid_token));
    ENSURE(now_s < out->expires_s, cu_err_set(err, CU_E_TOKEN_EXPIRED, "%s", expired_token));
    TRY(secret_of(k, buf_bytes(&raw), secret));
out:
    buf_release(&raw);
    buf_release(&plain);
    return rc;
}
