/* Tests for crypto/import_wrap.c: wrapping key pairs of each size, material wrapped by an
 * independent path (OpenSSL's EVP directly, as a client would) unwrapped under each
 * algorithm, and the adversarial cases: every tampered byte, truncation, extra bytes,
 * another key, another algorithm, a wrapped block too large; the fingerprint's binding. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "check.h"
#include "crypto/import_wrap.h"

static const uint8_t material[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6,
                                     7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22};

/* RSA-OAEP under the public DER with md for OAEP and MGF1. */
static size_t oaep(const struct buf *pub, const EVP_MD *md, const uint8_t *in, size_t n,
                   uint8_t *out)
{
    const unsigned char *p = (const unsigned char *)pub->p;
    EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)pub->n);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    size_t len = 1024;

    if (!pk || !ctx || EVP_PKEY_encrypt_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1 ||
        EVP_PKEY_encrypt(ctx, out, &len, in, n) != 1)
        len = 0;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return len;
}

/* RFC 5649 AES-256 key wrap with padding of in under kek. */
static size_t kwp(const uint8_t kek[32], const uint8_t *in, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;

    EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    if (EVP_EncryptInit_ex(c, EVP_aes_256_wrap_pad(), NULL, kek, NULL) != 1 ||
        EVP_EncryptUpdate(c, out, &len, in, (int)n) != 1 ||
        EVP_EncryptFinal_ex(c, out + len, &fin) != 1)
        len = 0;
    EVP_CIPHER_CTX_free(c);
    return (size_t)(len + fin);
}

/* Wrap material as a client would under alg; the wrapped length. */
static size_t wrap(const struct buf *pub, enum import_wrap_alg alg, const uint8_t *m, size_t n,
                   uint8_t *out)
{
    static const uint8_t kek[32] = {0xaa, 0xbb, 0xcc, 1, 2, 3};
    const EVP_MD *md =
        (alg == IMPORT_WRAP_OAEP_SHA1 || alg == IMPORT_WRAP_AES_KW_SHA1) ? EVP_sha1() : EVP_sha256();
    size_t r;

    if (alg == IMPORT_WRAP_OAEP_SHA1 || alg == IMPORT_WRAP_OAEP_SHA256)
        return oaep(pub, md, m, n, out);
    r = oaep(pub, md, kek, sizeof(kek), out);
    return r ? r + kwp(kek, m, n, out + r) : 0;
}

/* One key pair for the whole file: generating one is what costs (the unit tests also run
 * under valgrind). */
static struct buf pub;
static struct secret *priv;

static void each_algorithm(void)
{
    struct secret *got = NULL;
    uint8_t w[1200];

    CHECK(priv && priv->n > 0 && priv->n <= IMPORT_WRAP_PRIVATE_MAX);
    for (int alg = IMPORT_WRAP_OAEP_SHA1; alg <= IMPORT_WRAP_AES_KW_SHA256; alg++) {
        size_t n = wrap(&pub, alg, material, sizeof(material), w);

        CHECK(n > 0);
        CHECK_OK(import_wrap_unwrap(secret_bytes(priv), alg, bytes_of(w, n), &got));
        CHECK(got && got->n == sizeof(material) && memcmp(got->p, material, 32) == 0);
        secret_free(got);
        got = NULL;
        /* the other hash of the same family, or the other family, never opens it */
        for (int other = IMPORT_WRAP_OAEP_SHA1; other <= IMPORT_WRAP_AES_KW_SHA256; other++)
            if (other != alg) {
                CHECK_RC(import_wrap_unwrap(secret_bytes(priv), other, bytes_of(w, n), &got),
                         CU_E_SEAL_BROKEN);
                CHECK(got == NULL);
            }
    }
}

static void adversarial(void)
{
    struct buf pub2;
    struct secret *priv2 = NULL, *got = NULL;
    uint8_t w[1200], big[IMPORT_WRAP_WRAPPED_MAX + 1] = {0};
    size_t n, i;

    buf_init(&pub2, 4096);
    CHECK_OK(import_wrap_keypair(2048, &pub2, &priv2));
    CHECK_RC(import_wrap_keypair(1024, &pub2, &got), CU_E_INTERNAL);
    for (int alg = IMPORT_WRAP_OAEP_SHA256; alg <= IMPORT_WRAP_AES_KW_SHA256; alg += 2) {
        n = wrap(&pub, alg, material, sizeof(material), w);
        /* bytes flipped across the whole block (a stride keeps valgrind's run short) */
        for (i = 0; i < n; i += 11) {
            w[i] ^= 0x01;
            CHECK_RC(import_wrap_unwrap(secret_bytes(priv), alg, bytes_of(w, n), &got),
                     CU_E_SEAL_BROKEN);
            w[i] ^= 0x01;
        }
        /* every truncation, and one byte more */
        for (i = 0; i < n; i += 7)
            CHECK_RC(import_wrap_unwrap(secret_bytes(priv), alg, bytes_of(w, i), &got),
                     CU_E_SEAL_BROKEN);
        w[n] = 0;
        CHECK_RC(import_wrap_unwrap(secret_bytes(priv), alg, bytes_of(w, n + 1), &got),
                 CU_E_SEAL_BROKEN);
        /* another key pair's private key; the refusal leaves no error on OpenSSL's queue */
        CHECK_RC(import_wrap_unwrap(secret_bytes(priv2), alg, bytes_of(w, n), &got),
                 CU_E_SEAL_BROKEN);
        CHECK(ERR_peek_error() == 0);
        CHECK_OK(import_wrap_unwrap(secret_bytes(priv), alg, bytes_of(w, n), &got));
        secret_free(got);
        got = NULL;
    }
    CHECK_RC(import_wrap_unwrap(secret_bytes(priv), IMPORT_WRAP_AES_KW_SHA256,
                                bytes_of(big, sizeof(big)), &got),
             CU_E_SEAL_BROKEN);
    /* a private key that is not one is our fault, not the caller's */
    CHECK_RC(import_wrap_unwrap(bytes_str("not a key"), IMPORT_WRAP_OAEP_SHA256,
                                bytes_of(w, 256), &got),
             CU_E_INTERNAL);
    CHECK(got == NULL);
    secret_free(priv2);
    buf_release(&pub2);
}

static void fingerprints(void)
{
    struct master_key *mk = NULL, *other = NULL;
    uint8_t a[32], b[32], c[32], d[32], e[32];
    uint8_t m2[32];

    memcpy(m2, material, 32);
    m2[31] ^= 1;
    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_new_random(&other));
    CHECK_OK(import_wrap_fingerprint(mk, "arn:k1", bytes_of(material, 32), a));
    CHECK_OK(import_wrap_fingerprint(mk, "arn:k1", bytes_of(material, 32), b));
    CHECK_MEM(a, b, 32);
    CHECK_OK(import_wrap_fingerprint(mk, "arn:k2", bytes_of(material, 32), c));
    CHECK(memcmp(a, c, 32) != 0);
    CHECK_OK(import_wrap_fingerprint(mk, "arn:k1", bytes_of(m2, 32), d));
    CHECK(memcmp(a, d, 32) != 0);
    CHECK_OK(import_wrap_fingerprint(other, "arn:k1", bytes_of(material, 32), e));
    CHECK(memcmp(a, e, 32) != 0);
    master_key_free(mk);
    master_key_free(other);
}

int main(void)
{
    if (secret_heap_init(1 << 16) != CU_OK)
        return 1;
    /* 2048 bits only: the other sizes differ only in the modulus length, which the e2e
     * tests cover */
    buf_init(&pub, 4096);
    CHECK_OK(import_wrap_keypair(2048, &pub, &priv));
    CHECK(priv && priv->n > 0 && priv->n <= IMPORT_WRAP_PRIVATE_MAX);
    each_algorithm();
    adversarial();
    fingerprints();
    secret_free(priv);
    buf_release(&pub);
    TEST_END();
}
