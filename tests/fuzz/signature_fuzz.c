/* signature_fuzz.c — libFuzzer target for what Verify and asymmetric Decrypt hand OpenSSL
 * from the request: a signature (crypto/asym_key.c, asym_key_verify) and an RSA-OAEP
 * ciphertext (asym_key_decrypt), both untrusted bytes.
 *
 * The first input byte picks the key and algorithm, the rest is the signature or
 * ciphertext. Verify must answer CU_OK with valid false (no fuzzer finds a forgery);
 * decrypt must open or fail with CU_E_SEAL_BROKEN only, and what opens re-encrypts. */
#include <stdlib.h>
#include <string.h>

#include "crypto/asym_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct asym_key *rsa, *ec;

static const struct {
    const char *md;
    enum asym_pad pad;
    bool is_rsa;
} modes[] = {
    {"SHA256", ASYM_PAD_PKCS1, true}, {"SHA512", ASYM_PAD_PSS, true},
    {"SHA256", ASYM_PAD_ECDSA, false}, {"SHA1", 0, true}, {"SHA256", 0, true},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t digest[ASYM_DIGEST_MAX];
    size_t n = 0, m;
    bool valid = true;
    struct secret *plain = NULL;
    struct buf ct;
    cu_rc rc;

    if (!rsa && (asym_key_generate(ASYM_RSA, 2048, NULL, &rsa) != CU_OK ||
                 asym_key_generate(ASYM_EC, 256, "P-256", &ec) != CU_OK))
        abort();
    if (size < 1)
        return 0;
    m = data[0] % (sizeof(modes) / sizeof(modes[0]));
    if (!modes[m].pad) {
        rc = asym_key_decrypt(rsa, modes[m].md, bytes_of(data + 1, size - 1), &plain);
        if (rc == CU_OK) {
            buf_init(&ct, 1024);
            if (asym_key_encrypt(rsa, modes[m].md, secret_bytes(plain), &ct) != CU_OK)
                abort();
            buf_release(&ct);
        } else if (rc != CU_E_SEAL_BROKEN) {
            abort();
        }
        secret_free(plain);
        return 0;
    }
    if (asym_digest(modes[m].md, bytes_str("fuzzed message"), digest, &n) != CU_OK)
        abort();
    if (asym_key_verify(modes[m].is_rsa ? rsa : ec, modes[m].md, modes[m].pad,
                        bytes_of(digest, n), bytes_of(data + 1, size - 1), &valid) != CU_OK ||
        valid)
        abort();
    return 0;
}
