/* jose.h — the JWS algorithms custos knows (RFC 7518 §3.1), by their JOSE names: the ones
 * it verifies in inbound ID tokens (auth/jwt.h: all six) and the ones it signs outbound
 * tokens with (crypto/jwt_key.h: RS256 and ES384). One enum for both, so a name means
 * one value everywhere; what each side does with an algorithm stays on that side. */
#ifndef CU_JOSE_H
#define CU_JOSE_H

#include <stdbool.h>

enum jwt_alg { JWT_RS256, JWT_RS384, JWT_RS512, JWT_ES256, JWT_ES384, JWT_ES512 };
#define JWT_ALG_COUNT 6

/* The JOSE name of alg ("RS256"...), "" for a value outside the enum. */
const char *jwt_alg_name(enum jwt_alg alg);
/* The algorithm named name (case-sensitive, as JOSE names are); false if none or NULL. */
bool jwt_alg_from_name(const char *name, enum jwt_alg *alg);

#endif
