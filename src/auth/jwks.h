/* jwks.h — a JSON Web Key Set (RFC 7517 §5) as an OIDC provider publishes it at its
 * jwks_uri: the public keys its tokens are signed with, looked up by kid.
 *
 * custos has no internet (DESIGN.md): the operator gives each issuer's set as a file
 * (`custos serve --oidc-jwks ISSUER_URL=JWKS_FILE`, server/oidc_keys.c). Keys custos
 * cannot verify with are skipped rather than refused, as a provider's set may hold
 * encryption keys or algorithms STS does not use; keys it would verify with are
 * checked strictly (RSA of 2,048 to 8,192 bits, EC points on P-256, P-384 or P-521). */
#ifndef CU_JWKS_H
#define CU_JWKS_H

#include "core/bytes.h"
#include "core/err.h"
#include "jwt.h"

/* A set's size bound: AWS accepts at most 100 keys from a provider's JWKS endpoint
 * (IAM guide, id_roles_providers_create_oidc: "up to 100 keys"; unverified wording). */
#define JWKS_MAX_KEYS 100
/* The largest set file read. */
#define JWKS_MAX_BYTES (256 * 1024)

struct jwks;

/* Parse a key set (a pure function, fuzzed through tests/fuzz/jwt_fuzz.c): an object
 * whose "keys" is an array of JWKs. RSA keys need n and e, EC keys crv, x and y (all
 * base64url); "use", when present, must be "sig", "alg", when present, names the alg the
 * key may verify. A key custos cannot use is skipped; a set with no usable key, or not a
 * set at all, fails with CU_E_MALFORMED_INPUT and a reason in err. *out is owned by the
 * caller (jwks_free). */
MUST_CHECK cu_rc jwks_parse(struct bytes json, struct jwks **out, struct cu_err *err);
void jwks_free(struct jwks *set);

/* How many usable keys the set holds. */
size_t jwks_count(const struct jwks *set);

/* The key that verifies a token of alg with kid: the key with that kid whose type (and
 * curve) fits alg and whose own alg, if any, is alg; for a token without kid, the only
 * such key of the set (NULL when there are several: custos does not guess). Borrowed
 * from set. */
struct evp_pkey_st *jwks_find(const struct jwks *set, const char *kid, enum jwt_alg alg);

#endif
