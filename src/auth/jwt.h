/* jwt.h — JSON Web Tokens as OpenID Connect providers sign them (RFC 7515 compact JWS,
 * RFC 7519 claims), for AssumeRoleWithWebIdentity: split and decode a token, then verify
 * its signature with a key of the issuer's JSON Web Key Set (jwks.h).
 *
 * Only asymmetric algorithms are accepted, the ones STS names (API reference,
 * AssumeRoleWithWebIdentity, WebIdentityToken: "RSA keys (RS256, RS384, or RS512) or ECDSA
 * keys (ES256, ES384, or ES512)"). "none" and the HMAC family (HS*) are refused by the
 * parser, before any key is looked at, so no key confusion can make a MAC of a public
 * key pass. Nothing here reads a clock: the caller checks exp/nbf/iat. */
#ifndef CU_JWT_H
#define CU_JWT_H

#include <jansson.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "core/err.h"
#include "core/jose.h"

/* The longest token accepted: STS's WebIdentityToken (clientTokenType) holds 20,000. */
#define JWT_MAX 20000
#define JWT_KID_MAX 256

/* A parsed token. signing_input views the token given to jwt_parse ("header.payload"),
 * which must outlive it; claims and signature are owned (jwt_release). */
struct jwt {
    enum jwt_alg alg;
    char kid[JWT_KID_MAX + 1]; /* "" when the header has none */
    char typ[64];              /* "" when the header has none */
    json_t *header, *claims;   /* the decoded JSON objects */
    struct bytes signing_input;
    struct buf signature;
};

/* Parse a compact JWS (a pure function: no I/O, no clock; fuzzed by
 * tests/fuzz/jwt_fuzz.c): exactly three base64url parts without padding, a header object
 * whose alg is one of enum jwt_alg and that asks for no extension (crit), a claims
 * object (duplicate members refused), a signature of the alg's length for ECDSA.
 * Errors: CU_E_MALFORMED_INPUT with a short reason in err (never token bytes), CU_E_NOMEM.
 * On failure *out holds nothing to release, on success jwt_release frees it. */
MUST_CHECK cu_rc jwt_parse(struct bytes token, struct jwt *out, struct cu_err *err);
void jwt_release(struct jwt *j);

struct evp_pkey_st;

/* Verify j's signature over its signing input with key (an RSA key for RS*, an EC key on
 * the alg's curve for ES*: jwks_find gives only such keys). ECDSA signatures arrive as
 * JOSE's r||s and are turned into DER for OpenSSL. Returns true only for a valid
 * signature; a key of the wrong type is false, never a crash. */
bool jwt_verify(const struct jwt *j, struct evp_pkey_st *key);

/* Base64url without padding (RFC 7515 §2) into out; false for any other character, for
 * a length that cannot be base64 (n % 4 == 1) or non-zero trailing bits. */
MUST_CHECK bool jwt_b64url_decode(struct bytes in, struct buf *out);

/* A claim's value as NumericDate (RFC 7519 §2: seconds since the epoch; an integer, or
 * a real whose integer part is taken): false when absent, not a number or outside
 * 0..2^53. */
bool jwt_claim_time(const json_t *claims, const char *name, int64_t *out);

#endif
