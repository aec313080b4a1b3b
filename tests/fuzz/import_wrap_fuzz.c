/* import_wrap_fuzz.c — libFuzzer target for import_wrap_unwrap (crypto/import_wrap.c), the
 * parser of the wrapped key material ImportKeyMaterial receives.
 *
 * Random bytes almost never get past RSA-OAEP, so the target wraps part of its input
 * itself, under the public half of a key pair made once, to reach the code behind it.
 * The input's first byte chooses the algorithm (its low two bits) and the shape (bit 2):
 *   shape 0: the rest of the input is the wrapped material as a client sent it; it must
 *            unwrap or fail with CU_E_SEAL_BROKEN, and leave nothing behind.
 *   shape 1, an RSA-OAEP algorithm: the rest is the material, OAEP-encrypted here; it
 *            must unwrap to exactly those bytes.
 *   shape 1, an RSA+AES key wrap algorithm: the rest's first 32 bytes are the ephemeral
 *            AES key, OAEP-encrypted here, followed by the rest as the AES key wrap
 *            (RFC 5649) text; whatever it unwraps to must be shorter than that text.
 * Material larger than the unwrapper's bound is refused like any other bad input.
 * Whatever unwraps then goes to asym_key_import (crypto/asym_key.c), the parser of the
 * material itself, as the kind of key bits 3-4 of the first byte name (RSA_2048,
 * ECC_NIST_P256, ECC_NIST_P521, HMAC_256): it must take it or refuse it with
 * CU_E_VALIDATION, and leave nothing behind. A PKCS#8 P-256 key fits one OAEP block, so
 * a seed (oaep1_shaped_ec) reaches the EC checks behind the DER. */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "core/secret.h"
#include "crypto/asym_key.h"
#include "crypto/import_wrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct secret *fuzz_private;
static EVP_PKEY *fuzz_public;

static void setup(void)
{
    struct buf pub;
    const unsigned char *p;
    uint8_t warm;

    /* OpenSSL's DRBGs are made on first use; made here, before the secure heap, they are
     * ordinary heap objects that LeakSanitizer sees reached from OpenSSL's globals */
    if (RAND_bytes(&warm, 1) != 1 || RAND_priv_bytes(&warm, 1) != 1)
        abort();
    buf_init(&pub, 4096);
    if (secret_heap_init(1 << 16) != CU_OK ||
        import_wrap_keypair(2048, &pub, &fuzz_private) != CU_OK)
        abort();
    p = (const unsigned char *)pub.p;
    fuzz_public = d2i_PUBKEY(NULL, &p, (long)pub.n);
    if (!fuzz_public)
        abort();
    buf_release(&pub);
}

/* RSA-OAEP of in under the fuzz key with md (OAEP and MGF1), into out[256]; false when in
 * does not fit in one block. */
static bool oaep(const uint8_t *in, size_t n, const char *md, uint8_t *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(fuzz_public, NULL);
    size_t out_n = 256;
    bool ok = ctx && EVP_PKEY_encrypt_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx, md, NULL) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, md, NULL) == 1 &&
              EVP_PKEY_encrypt(ctx, out, &out_n, in, n) == 1 && out_n == 256;

    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* Read unwrapped material as the kind of key `kind` names; abort on anything but a key or
 * a clean refusal. */
static void read_material(unsigned kind, const struct secret *material)
{
    static const struct {
        enum asym_type type;
        int bits;
        const char *curve;
    } kinds[] = {{ASYM_RSA, 2048, NULL}, {ASYM_EC, 256, "P-256"}, {ASYM_EC, 521, "P-521"},
                 {ASYM_HMAC, 256, NULL}};
    struct asym_key *k = NULL;
    cu_rc rc;

    if (!material)
        return;
    rc = asym_key_import(kinds[kind & 3].type, kinds[kind & 3].bits, kinds[kind & 3].curve,
                         secret_bytes(material), &k);
    if ((rc == CU_OK) != (k != NULL) || (rc != CU_OK && rc != CU_E_VALIDATION))
        abort();
    asym_key_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t wrapped[256 + IMPORT_WRAP_WRAPPED_MAX];
    enum import_wrap_alg alg;
    unsigned kind;
    struct secret *material = NULL;
    const char *md;
    bool shaped, key_wrap;
    size_t n;
    cu_rc rc;

    if (!fuzz_private)
        setup();
    if (size < 1)
        return 0;
    alg = (enum import_wrap_alg)((data[0] & 3) + IMPORT_WRAP_OAEP_SHA1);
    shaped = data[0] & 4;
    kind = (data[0] >> 3) & 3;
    key_wrap = alg == IMPORT_WRAP_AES_KW_SHA1 || alg == IMPORT_WRAP_AES_KW_SHA256;
    md = alg == IMPORT_WRAP_OAEP_SHA1 || alg == IMPORT_WRAP_AES_KW_SHA1 ? "SHA1" : "SHA256";
    data++;
    size--;

    if (!shaped) {
        rc = import_wrap_unwrap(secret_bytes(fuzz_private), alg, bytes_of(data, size), &material);
        if (rc != CU_OK && (rc != CU_E_SEAL_BROKEN || material))
            abort();
        read_material(kind, material);
        secret_free(material);
        return 0;
    }
    if (!key_wrap) {
        if (!oaep(data, size, md, wrapped))
            return 0;
        rc = import_wrap_unwrap(secret_bytes(fuzz_private), alg, bytes_of(wrapped, 256), &material);
        if (rc == CU_OK && (material->n != size || memcmp(material->p, data, size) != 0))
            abort();
        if (rc != CU_OK && (rc != CU_E_SEAL_BROKEN || material))
            abort();
        read_material(kind, material);
        secret_free(material);
        return 0;
    }
    if (size < 32 || size - 32 > IMPORT_WRAP_WRAPPED_MAX || !oaep(data, 32, md, wrapped))
        return 0;
    n = size - 32;
    memcpy(wrapped + 256, data + 32, n);
    rc = import_wrap_unwrap(secret_bytes(fuzz_private), alg, bytes_of(wrapped, 256 + n), &material);
    if (rc == CU_OK && material->n >= n)
        abort();
    if (rc != CU_OK && (rc != CU_E_SEAL_BROKEN || material))
        abort();
    read_material(kind, material);
    secret_free(material);
    return 0;
}
