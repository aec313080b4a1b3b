/* crypto_vectors.h — helpers shared by the crypto unit tests: hex test vectors to bytes,
 * and a cross-check of HKDF-SHA256 through OpenSSL's own EVP_KDF (an implementation
 * independent of crypto/kdf.c). Test-only; not a *_test.c, so not a test of its own. */
#ifndef CU_TEST_CRYPTO_VECTORS_H
#define CU_TEST_CRYPTO_VECTORS_H

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"

/* Decode a hex string into a new malloc'ed array (at least 1 byte); *n gets its length.
 * Aborts on a malformed vector: that is a bug in the test itself. */
static inline uint8_t *unhex(const char *hex, size_t *n)
{
    size_t len = strlen(hex);
    uint8_t *out = malloc(len / 2 + 1);

    if (!out || len % 2)
        abort();
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            abort();
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *n = len / 2;
    return out;
}

/* HKDF-SHA256 by OpenSSL's EVP_KDF; returns 1 on success. */
static inline int openssl_hkdf(const uint8_t *ikm, size_t ikm_n, const uint8_t *salt, size_t salt_n,
                               const uint8_t *info, size_t info_n, uint8_t *out, size_t out_n)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM p[5];
    int i = 0, ok;

    p[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    p[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_n);
    if (salt_n)
        p[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_n);
    if (info_n)
        p[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_n);
    p[i] = OSSL_PARAM_construct_end();
    ok = ctx && EVP_KDF_derive(ctx, out, out_n, p) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

#endif
