/* Tests for crypto/kdf.c: RFC 5869 Appendix A test cases 1-3 (published facts), a
 * cross-check against OpenSSL's EVP_KDF HKDF over many lengths, an empty salt after a
 * non-empty one, and rejected lengths. */
#include "check.h"
#include "core/err.h"
#include "core/secret.h"
#include "crypto/kdf.h"
#include "crypto_vectors.h"

struct hkdf_vector {
    const char *ikm, *salt, *info, *okm;
};

/* RFC 5869 Appendix A.1, A.2, A.3 (SHA-256). */
static const struct hkdf_vector rfc5869[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
     "f0f1f2f3f4f5f6f7f8f9",
     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
    {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
     "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
     "404142434445464748494a4b4c4d4e4f",
     "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
     "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
     "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
     "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
     "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
     "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
     "cc30c58179ec3e87c14c01d5c1f3434f1d87"},
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
     "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
};

static void rfc_vectors(void)
{
    for (size_t i = 0; i < ARRAY_LEN(rfc5869); i++) {
        size_t ikm_n, salt_n, info_n, okm_n;
        uint8_t *ikm = unhex(rfc5869[i].ikm, &ikm_n);
        uint8_t *salt = unhex(rfc5869[i].salt, &salt_n);
        uint8_t *info = unhex(rfc5869[i].info, &info_n);
        uint8_t *okm = unhex(rfc5869[i].okm, &okm_n);
        uint8_t got[128];

        CHECK_OK(kdf_hkdf_sha256(bytes_of(ikm, ikm_n), bytes_of(salt, salt_n),
                                 bytes_of(info, info_n), got, okm_n));
        CHECK_MEM(got, okm, okm_n);
        /* Asking for fewer bytes yields a prefix of the longer output. */
        CHECK_OK(kdf_hkdf_sha256(bytes_of(ikm, ikm_n), bytes_of(salt, salt_n),
                                 bytes_of(info, info_n), got, 7));
        CHECK_MEM(got, okm, 7);
        free(ikm);
        free(salt);
        free(info);
        free(okm);
    }
}

/* An empty salt after a non-empty one is still HashLen zeros. */
static void reuse_and_empty_salt(void)
{
    size_t ikm_n, okm_n;
    uint8_t *ikm = unhex(rfc5869[2].ikm, &ikm_n);
    uint8_t *okm = unhex(rfc5869[2].okm, &okm_n);
    uint8_t got[42];
    uint8_t salt[5] = {1, 2, 3, 4, 5};

    CHECK_OK(kdf_hkdf_sha256(bytes_of(ikm, ikm_n), bytes_of(salt, 5), bytes_str("x"), got, 42));
    CHECK_OK(kdf_hkdf_sha256(bytes_of(ikm, ikm_n), bytes_of(NULL, 0), bytes_of(NULL, 0), got, 42));
    CHECK_MEM(got, okm, okm_n);
    free(ikm);
    free(okm);
}

static void cross_check_openssl(void)
{
    uint8_t ikm[70], salt[70], info[70], a[300], b[300];
    static const size_t lens[] = {1, 16, 31, 32, 33, 44, 64, 65, 255, 300};

    for (size_t i = 0; i < sizeof(ikm); i++) {
        ikm[i] = (uint8_t)(i * 7 + 1);
        salt[i] = (uint8_t)(i * 13 + 5);
        info[i] = (uint8_t)(i * 31 + 9);
    }
    for (size_t s = 0; s < 70; s += 23) {
        for (size_t l = 0; l < ARRAY_LEN(lens); l++) {
            CHECK_OK(kdf_hkdf_sha256(bytes_of(ikm, 1 + s), bytes_of(salt, s), bytes_of(info, s), a,
                                     lens[l]));
            CHECK(openssl_hkdf(ikm, 1 + s, salt, s, info, s, b, lens[l]));
            CHECK_MEM(a, b, lens[l]);
        }
    }
}

static void rejects(void)
{
    static uint8_t big[KDF_HKDF_MAX_OUT + 1];
    uint8_t out[8] = {1, 1, 1, 1, 1, 1, 1, 1};

    CHECK_RC(kdf_hkdf_sha256(bytes_of(NULL, 0), bytes_str("s"), bytes_str("i"), out, 8),
             CU_E_INTERNAL);
    CHECK_RC(kdf_hkdf_sha256(bytes_str("k"), bytes_str("s"), bytes_str("i"), out, 0),
             CU_E_INTERNAL);
    CHECK_RC(kdf_hkdf_sha256(bytes_str("k"), bytes_str("s"), bytes_str("i"), big, sizeof(big)),
             CU_E_INTERNAL);
    CHECK_OK(
        kdf_hkdf_sha256(bytes_str("k"), bytes_str("s"), bytes_str("i"), big, KDF_HKDF_MAX_OUT));
    /* After an error the next call still works. */
    CHECK_OK(kdf_hkdf_sha256(bytes_str("k"), bytes_str("s"), bytes_str("i"), out, 8));
}

int main(void)
{
    rfc_vectors();
    reuse_and_empty_salt();
    cross_check_openssl();
    rejects();
    TEST_END();
}
