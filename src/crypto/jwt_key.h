/* jwt_key.h — the key pairs custos signs outbound web identity tokens with (STS
 * GetWebIdentityToken), one per JWS algorithm AWS offers: RS256 (RSASSA-PKCS1-v1_5 with
 * SHA-256, a 2048-bit RSA key) and ES384 (ECDSA on P-384 with SHA-384) — the request's
 * SigningAlgorithm (STS API reference, GetWebIdentityToken).
 *
 * The private key exists only here, in an OpenSSL key object; what leaves is its sealed
 * form (master-key-sealed PKCS#8 DER, what the store keeps), its public half as a JSON Web
 * Key (RFC 7517/7518: what the issuer's JWKS publishes) and signatures. */
#ifndef CU_CRYPTO_JWT_KEY_H
#define CU_CRYPTO_JWT_KEY_H

#include "core/buf.h"
#include "core/jose.h"
#include "master_key.h"

/* The algorithms custos signs with, in the order an account's keys are made. */
#define JWT_SIGN_ALG_COUNT 2
extern const enum jwt_alg jwt_sign_algs[JWT_SIGN_ALG_COUNT];

struct jwt_key; /* opaque */

/* Whether custos signs with alg (one of jwt_sign_algs). */
bool jwt_key_signs(enum jwt_alg alg);

/* A fresh key pair for alg; *out is the caller's (jwt_key_free). Errors: CU_E_INTERNAL
 * (also for an alg custos does not sign with), CU_E_NOMEM. */
MUST_CHECK cu_rc jwt_key_generate(enum jwt_alg alg, struct jwt_key **out);

/* Free (the key's memory is wiped by OpenSSL); NULL-safe. */
void jwt_key_free(struct jwt_key *k);

/* Append the private key, sealed under the master key with aad, to sealed. The DER
 * passes only through a wiped secret. Errors: as master_key_seal; CU_E_INTERNAL. */
MUST_CHECK cu_rc jwt_key_seal(const struct master_key *mk, const struct jwt_key *k,
                              struct bytes aad, struct buf *sealed);

/* Open a sealed key of algorithm alg with the aad it was sealed with; *out is the
 * caller's. Errors: CU_E_SEAL_BROKEN (tampered, other key or aad, or not a key of alg),
 * CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc jwt_key_open(const struct master_key *mk, enum jwt_alg alg,
                              struct bytes sealed, struct bytes aad, struct jwt_key **out);

/* Append the public JWK of k as one JSON object to out: {"kty","use":"sig","alg","kid",
 * "n","e"} for RSA, {"kty":"EC","crv":"P-384","x","y",...} for EC, base64url members
 * (RFC 7518 §6.2.1, §6.3.1). kid is copied as given (a JSON-safe id). */
MUST_CHECK cu_rc jwt_key_public_jwk(const struct jwt_key *k, const char *kid, struct buf *out);

/* Append the JWS signature of signing_input (RFC 7515 §5.1: base64url(header) "."
 * base64url(payload)) to sig, raw: the PKCS#1 v1.5 signature for RS256, R || S (48 + 48
 * bytes, RFC 7518 §3.4) for ES384. Errors: CU_E_INTERNAL, CU_E_NOMEM. */
MUST_CHECK cu_rc jwt_key_sign(const struct jwt_key *k, struct bytes signing_input,
                              struct buf *sig);

#endif
