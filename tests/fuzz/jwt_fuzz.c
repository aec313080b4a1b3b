/* jwt_fuzz.c — libFuzzer target for auth/jwt.c and auth/jwks.c.
 *
 * The input's first byte chooses the parser: even, the rest is a compact JWS for
 * jwt_parse; odd, a JSON Web Key Set for jwks_parse. A parsed token must have an alg of
 * enum jwt_alg, header and claims objects, a signing input that is a prefix of the input
 * ending before its last dot, a kid that fits; it is then verified against a fixed key
 * set (which must not crash and, without the key's private half, must not pass). A
 * refused token or set leaves nothing behind (ASan's leak check). */
#include <stdlib.h>
#include <string.h>

#include "auth/jwks.h"
#include "auth/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A P-256 public key whose private half nobody has any more. */
static const char fixed_set[] =
    "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec\","
    "\"x\":\"tHGvwAAAuDH_-uV8CAItaZWbs2mL3AuEDpYLXFrKsug\","
    "\"y\":\"QdxWENZ300utqF2a5EIIKcCyQ1nU0ohx3CiRIAazvu0\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct jwks *fixed;
    struct cu_err err = {0};

    if (!fixed && jwks_parse(bytes_str(fixed_set), &fixed, &err) != CU_OK)
        abort();
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        struct jwks *set = NULL;
        if (jwks_parse(bytes_of(data + 1, size - 1), &set, &err) != CU_OK) {
            if (set || err.code != CU_E_MALFORMED_INPUT)
                abort();
            return 0;
        }
        if (jwks_count(set) < 1 || jwks_count(set) > JWKS_MAX_KEYS)
            abort();
        jwks_free(set);
        return 0;
    }
    {
        struct jwt j;
        if (jwt_parse(bytes_of(data + 1, size - 1), &j, &err) != CU_OK) {
            if (err.code != CU_E_MALFORMED_INPUT || j.header || j.claims)
                abort();
            return 0;
        }
        if ((unsigned)j.alg > JWT_ES512 || !json_is_object(j.header) ||
            !json_is_object(j.claims) || j.signing_input.p != data + 1 ||
            j.signing_input.n >= size - 1 || data[1 + j.signing_input.n] != '.' ||
            strlen(j.kid) > JWT_KID_MAX)
            abort();
        if (jwt_verify(&j, jwks_find(fixed, j.kid, j.alg)))
            abort();
        jwt_release(&j);
    }
    return 0;
}
