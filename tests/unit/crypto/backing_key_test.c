/* Tests for crypto/backing_key.c: the per-message derivation checked against an independent
 * path (OpenSSL's EVP_KDF HKDF and one-shot AES-256-GCM), seal/open at rest bound to key
 * ARN and version, encrypt/decrypt round trips, every tamper and truncation, wrong key,
 * nonce and AAD, and the handles' lifecycle. */
#include <openssl/evp.h>

#include "check.h"
#include "core/err.h"
#include "crypto/backing_key.h"
#include "crypto_vectors.h"

static const uint8_t material[32] = {
    0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
    0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};
static const uint8_t nonce[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* The format of backing_key.h, computed without crypto/: K || IV = HKDF(HBK, N, label). */
static void independent_derivation(void)
{
    struct backing_key *k = NULL;
    struct buf out;
    uint8_t kiv[44], ct[64], tag[16];
    const char *msg = "attack at dawn";
    int len = 0, fin = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

    CHECK(
        openssl_hkdf(material, 32, nonce, 16, (const uint8_t *)"custos/v1/kms-data", 18, kiv, 44));
    CHECK(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, kiv, kiv + 32) == 1);
    CHECK(EVP_EncryptUpdate(c, NULL, &len, (const uint8_t *)"hdr", 3) == 1);
    CHECK(EVP_EncryptUpdate(c, ct, &len, (const uint8_t *)msg, (int)strlen(msg)) == 1);
    CHECK(EVP_EncryptFinal_ex(c, ct + len, &fin) == 1);
    CHECK(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1);
    EVP_CIPHER_CTX_free(c);

    buf_init(&out, 1024);
    CHECK_OK(backing_key_import(bytes_of(material, 32), &k));
    CHECK_OK(backing_key_encrypt(k, bytes_of(nonce, 16), bytes_str("hdr"), bytes_str(msg), &out));
    CHECK_INT(out.n, strlen(msg) + 16);
    CHECK_MEM(out.p, ct, strlen(msg));
    CHECK_MEM(out.p + strlen(msg), tag, 16);
    buf_release(&out);
    backing_key_free(k);
}

static void round_trips(void)
{
    struct backing_key *k = NULL, *other = NULL;
    struct buf out;
    struct secret *plain = NULL;
    uint8_t big[4096];
    uint8_t n2[16];

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 3);
    memcpy(n2, nonce, 16);
    n2[15] ^= 0x80;
    CHECK_OK(backing_key_generate(&k));
    CHECK_OK(backing_key_generate(&other));
    buf_init(&out, 8192);
    static const size_t lens[] = {0, 1, 15, 16, 17, 1000, 4096};
    for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
        buf_reset(&out);
        CHECK_OK(backing_key_encrypt(k, bytes_of(nonce, 16), bytes_str("aad"),
                                     bytes_of(big, lens[i]), &out));
        CHECK_INT(out.n, lens[i] + BACKING_KEY_TAG_LEN);
        CHECK_OK(
            backing_key_decrypt(k, bytes_of(nonce, 16), bytes_str("aad"), buf_bytes(&out), &plain));
        CHECK(plain && plain->n == lens[i] && memcmp(plain->p, big, lens[i]) == 0);
        secret_free(plain);
        plain = NULL;
    }
    /* out now holds 4096 bytes + tag: every bit-flip class and truncation fails. */
    int broken = 0, total = 0;
    for (size_t i = 0; i < out.n; i += (i < 32 || i > out.n - 32) ? 1 : 97) {
        out.p[i] ^= 0x10;
        broken += backing_key_decrypt(k, bytes_of(nonce, 16), bytes_str("aad"), buf_bytes(&out),
                                      &plain) == CU_E_SEAL_BROKEN;
        out.p[i] ^= 0x10;
        total++;
    }
    CHECK_INT(broken, total);
    broken = total = 0;
    for (size_t len = 0; len < out.n; len += (len < 40 ? 1 : 211)) {
        broken += backing_key_decrypt(k, bytes_of(nonce, 16), bytes_str("aad"),
                                      bytes_of(out.p, len), &plain) == CU_E_SEAL_BROKEN;
        total++;
    }
    CHECK_INT(broken, total);
    CHECK_RC(
        backing_key_decrypt(other, bytes_of(nonce, 16), bytes_str("aad"), buf_bytes(&out), &plain),
        CU_E_SEAL_BROKEN);
    CHECK_RC(backing_key_decrypt(k, bytes_of(n2, 16), bytes_str("aad"), buf_bytes(&out), &plain),
             CU_E_SEAL_BROKEN);
    CHECK_RC(backing_key_decrypt(k, bytes_of(nonce, 15), bytes_str("aad"), buf_bytes(&out), &plain),
             CU_E_SEAL_BROKEN);
    CHECK_RC(backing_key_decrypt(k, bytes_of(nonce, 16), bytes_str("aaD"), buf_bytes(&out), &plain),
             CU_E_SEAL_BROKEN);
    CHECK(plain == NULL);
    /* Distinct nonces give unrelated ciphertexts of the same message. */
    {
        struct buf a, b;
        buf_init(&a, 100);
        buf_init(&b, 100);
        CHECK_OK(
            backing_key_encrypt(k, bytes_of(nonce, 16), bytes_of(NULL, 0), bytes_str("m"), &a));
        CHECK_OK(backing_key_encrypt(k, bytes_of(n2, 16), bytes_of(NULL, 0), bytes_str("m"), &b));
        CHECK(a.n == b.n && memcmp(a.p, b.p, a.n) != 0);
        buf_release(&a);
        buf_release(&b);
    }
    /* Rejected sizes leave the buf as it was. */
    buf_reset(&out);
    CHECK_RC(backing_key_encrypt(k, bytes_of(nonce, 8), bytes_of(NULL, 0), bytes_str("m"), &out),
             CU_E_INTERNAL);
    CHECK_INT(out.n, 0);
    buf_release(&out);
    buf_init(&out, 10);
    CHECK_RC(backing_key_encrypt(k, bytes_of(nonce, 16), bytes_of(NULL, 0), bytes_str("m"), &out),
             CU_E_PAYLOAD_TOO_LARGE);
    CHECK_INT(out.n, 0);
    buf_release(&out);
    backing_key_free(k);
    backing_key_free(other);
    backing_key_free(NULL);
}

static void at_rest(void)
{
    struct master_key *mk = NULL, *mk2 = NULL;
    struct backing_key *k = NULL, *back = NULL, *fake = NULL;
    struct buf aad, aad_v2, aad_other, sealed, ct1, ct2;
    struct secret *plain = NULL;
    int broken = 0;

    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_new_random(&mk2));
    CHECK_OK(backing_key_generate(&k));
    buf_init(&aad, 4096);
    buf_init(&aad_v2, 4096);
    buf_init(&aad_other, 4096);
    buf_init(&sealed, 4096);
    buf_init(&ct1, 4096);
    buf_init(&ct2, 4096);
    CHECK_OK(backing_key_seal_aad("arn:aws:kms:us-east-1:000000000000:key/a", 1, &aad));
    CHECK_OK(backing_key_seal_aad("arn:aws:kms:us-east-1:000000000000:key/a", 2, &aad_v2));
    CHECK_OK(backing_key_seal_aad("arn:aws:kms:us-east-1:000000000000:key/b", 1, &aad_other));
    CHECK_OK(backing_key_seal(mk, k, buf_bytes(&aad), &sealed));
    CHECK_INT(sealed.n, BACKING_KEY_LEN + MASTER_KEY_SEAL_OVERHEAD);
    CHECK_OK(backing_key_open(mk, buf_bytes(&sealed), buf_bytes(&aad), &back));
    /* The reopened key decrypts what the original encrypted. */
    CHECK_OK(backing_key_encrypt(k, bytes_of(nonce, 16), bytes_str("x"), bytes_str("hello"), &ct1));
    CHECK_OK(
        backing_key_decrypt(back, bytes_of(nonce, 16), bytes_str("x"), buf_bytes(&ct1), &plain));
    CHECK(plain && bytes_eq_str(secret_bytes(plain), "hello"));
    secret_free(plain);
    plain = NULL;
    CHECK_OK(
        backing_key_encrypt(back, bytes_of(nonce, 16), bytes_str("x"), bytes_str("hello"), &ct2));
    CHECK(ct1.n == ct2.n && memcmp(ct1.p, ct2.p, ct1.n) == 0);

    /* Bound to ARN and version; to the master key; to every byte. */
    CHECK_RC(backing_key_open(mk, buf_bytes(&sealed), buf_bytes(&aad_v2), &fake), CU_E_SEAL_BROKEN);
    CHECK_RC(backing_key_open(mk, buf_bytes(&sealed), buf_bytes(&aad_other), &fake),
             CU_E_SEAL_BROKEN);
    CHECK_RC(backing_key_open(mk2, buf_bytes(&sealed), buf_bytes(&aad), &fake), CU_E_SEAL_BROKEN);
    for (size_t i = 0; i < sealed.n; i++) {
        sealed.p[i] ^= 0x04;
        broken +=
            backing_key_open(mk, buf_bytes(&sealed), buf_bytes(&aad), &fake) == CU_E_SEAL_BROKEN;
        sealed.p[i] ^= 0x04;
    }
    CHECK_INT(broken, sealed.n);
    broken = 0;
    for (size_t len = 0; len < sealed.n; len++)
        broken += backing_key_open(mk, bytes_of(sealed.p, len), buf_bytes(&aad), &fake) ==
                  CU_E_SEAL_BROKEN;
    CHECK_INT(broken, sealed.n);
    CHECK(fake == NULL);
    /* Authentic but not key-sized: sealed for something else under the same AAD. */
    buf_reset(&sealed);
    CHECK_OK(master_key_seal(mk, bytes_str("short"), buf_bytes(&aad), &sealed));
    CHECK_RC(backing_key_open(mk, buf_bytes(&sealed), buf_bytes(&aad), &fake), CU_E_SEAL_BROKEN);
    CHECK(fake == NULL);
    /* AAD encoding: length-prefixed, so an ARN cannot absorb the version. */
    CHECK(aad.n != aad_other.n || memcmp(aad.p, aad_other.p, aad.n) != 0);
    CHECK_RC(backing_key_import(bytes_of(material, 31), &fake), CU_E_VALIDATION);
    CHECK(fake == NULL);

    backing_key_free(k);
    backing_key_free(back);
    master_key_free(mk);
    master_key_free(mk2);
    buf_release(&aad);
    buf_release(&aad_v2);
    buf_release(&aad_other);
    buf_release(&sealed);
    buf_release(&ct1);
    buf_release(&ct2);
}

int main(void)
{
    /* As the server runs: secrets in OpenSSL's secure heap (falls back if mlock fails). */
    if (secret_heap_init(1 << 16) != CU_OK)
        fprintf(stderr, "secure heap unavailable; testing on the ordinary heap\n");
    independent_derivation();
    round_trips();
    at_rest();
    TEST_END();
}
