/* Tests for crypto/jwt_key.c: both algorithms generated, sealed and opened again (the
 * same key: RS256 signatures are deterministic and equal, the JWK equal), signature
 * widths (256 bytes for RSA-2048, R || S of 96 for P-384), the JWK's members and that it
 * holds no private member, and the refusals: another AAD, another algorithm, another
 * master key, every truncation and a flipped byte of the sealed form. */
#include "check.h"
#include "core/buf.h"
#include "crypto/jwt_key.h"

static const char AAD[] = "account\0RS256\0kid";

static void check_alg(const struct master_key *mk, const struct master_key *other,
                      enum jwt_alg alg)
{
    struct jwt_key *k = NULL, *again = NULL, *none = NULL;
    struct buf sealed, jwk, jwk2, sig, sig2;
    struct bytes aad = bytes_of(AAD, sizeof(AAD));

    buf_init(&sealed, 1 << 16);
    buf_init(&jwk, 1 << 16);
    buf_init(&jwk2, 1 << 16);
    buf_init(&sig, 1 << 16);
    buf_init(&sig2, 1 << 16);
    CHECK_OK(jwt_key_generate(alg, &k));
    CHECK_OK(jwt_key_seal(mk, k, aad, &sealed));
    CHECK_OK(jwt_key_open(mk, alg, buf_bytes(&sealed), aad, &again));
    CHECK_OK(jwt_key_public_jwk(k, "kid-1", &jwk));
    CHECK_OK(jwt_key_public_jwk(again, "kid-1", &jwk2));
    CHECK_STR(jwk.p, jwk2.p);
    CHECK_CONTAINS(jwk.p, "\"kid\":\"kid-1\"");
    CHECK_CONTAINS(jwk.p, "\"use\":\"sig\"");
    CHECK(strstr(jwk.p, "\"d\"") == NULL && strstr(jwk.p, "\"p\"") == NULL);
    CHECK_OK(jwt_key_sign(k, bytes_str("header.payload"), &sig));
    CHECK_OK(jwt_key_sign(again, bytes_str("header.payload"), &sig2));
    if (alg == JWT_RS256) {
        CHECK_CONTAINS(jwk.p, "\"kty\":\"RSA\"");
        CHECK_CONTAINS(jwk.p, "\"e\":\"AQAB\"");
        CHECK_INT(sig.n, 256);
        CHECK(sig.n == sig2.n && memcmp(sig.p, sig2.p, sig.n) == 0);
    } else {
        CHECK_CONTAINS(jwk.p, "\"crv\":\"P-384\"");
        CHECK_INT(sig.n, 96);
        CHECK_INT(sig2.n, 96);
    }

    /* another algorithm, AAD or master key does not open it */
    CHECK_RC(jwt_key_open(mk, alg == JWT_RS256 ? JWT_ES384 : JWT_RS256,
                          buf_bytes(&sealed), aad, &none),
             CU_E_SEAL_BROKEN);
    CHECK_RC(jwt_key_open(mk, alg, buf_bytes(&sealed), bytes_of(AAD, sizeof(AAD) - 1), &none),
             CU_E_SEAL_BROKEN);
    CHECK_RC(jwt_key_open(other, alg, buf_bytes(&sealed), aad, &none), CU_E_SEAL_BROKEN);
    for (size_t n = 0; n < sealed.n; n += 7)
        CHECK_RC(jwt_key_open(mk, alg, bytes_of(sealed.p, n), aad, &none), CU_E_SEAL_BROKEN);
    sealed.p[sealed.n / 2] ^= 1;
    CHECK_RC(jwt_key_open(mk, alg, buf_bytes(&sealed), aad, &none), CU_E_SEAL_BROKEN);
    CHECK(none == NULL);

    jwt_key_free(k);
    jwt_key_free(again);
    buf_release(&sealed);
    buf_release(&jwk);
    buf_release(&jwk2);
    buf_release(&sig);
    buf_release(&sig2);
}

int main(void)
{
    struct master_key *mk = NULL, *other = NULL;
    enum jwt_alg alg;

    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_new_random(&other));
    check_alg(mk, other, JWT_RS256);
    check_alg(mk, other, JWT_ES384);
    CHECK(jwt_alg_from_name("ES384", &alg) && alg == JWT_ES384);
    CHECK(jwt_alg_from_name("RS256", &alg) && alg == JWT_RS256);
    CHECK(!jwt_alg_from_name("HS256", &alg) && !jwt_alg_from_name("rs256", &alg) &&
          !jwt_alg_from_name(NULL, &alg));
    CHECK_STR(jwt_alg_name(JWT_ES384), "ES384");
    CHECK(jwt_key_signs(JWT_RS256) && jwt_key_signs(JWT_ES384) && !jwt_key_signs(JWT_RS384) &&
          !jwt_key_signs(JWT_ES256) && !jwt_key_signs(JWT_ES512));
    CHECK(jwt_sign_algs[0] == JWT_RS256 && jwt_sign_algs[1] == JWT_ES384);
    master_key_free(mk);
    master_key_free(other);
    TEST_END();
}
