/* jose.c — the JOSE names of the JWS algorithms (jose.h). */
#include "jose.h"

#include <string.h>

static const char *const NAMES[JWT_ALG_COUNT] = {
    [JWT_RS256] = "RS256", [JWT_RS384] = "RS384", [JWT_RS512] = "RS512",
    [JWT_ES256] = "ES256", [JWT_ES384] = "ES384", [JWT_ES512] = "ES512",
};

const char *jwt_alg_name(enum jwt_alg alg)
{
    return (unsigned)alg < JWT_ALG_COUNT ? NAMES[alg] : "";
}

bool jwt_alg_from_name(const char *name, enum jwt_alg *alg)
{
    for (unsigned i = 0; name && i < JWT_ALG_COUNT; i++)
        if (strcmp(name, NAMES[i]) == 0) {
            *alg = (enum jwt_alg)i;
            return true;
        }
    return false;
}
