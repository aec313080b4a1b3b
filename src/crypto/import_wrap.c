/* import_wrap.c — RSA wrapping key pairs and unwrapping for KMS key material import
 * (import_wrap.h), on OpenSSL 3's EVP interfaces only.
 *
 * Every failure of an unwrap is CU_E_SEAL_BROKEN with no detail: which step failed (RSA
 * padding, key wrap integrity check) must not tell a caller anything about the private key
 * (the OAEP oracle); the service turns it into InvalidCiphertextException. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "digest.h"
#include "import_wrap.h"

/* The ephemeral AES key of the RSA_AES_KEY_WRAP algorithms is AES-256. */
#define AES_KW_KEY_LEN 32

cu_rc import_wrap_keypair(int bits, struct buf *public_der, struct secret **private_der)
{
    cu_rc rc = CU_OK;
    EVP_PKEY *pk = NULL;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    unsigned char *pub = NULL, *priv = NULL;
    int pub_n, priv_n = 0;

    *private_der = NULL;
    ENSURE(bits == 2048 || bits == 3072 || bits == 4096, CU_E_INTERNAL);
    pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    ENSURE(pk, CU_E_INTERNAL);
    pub_n = i2d_PUBKEY(pk, &pub);
    ENSURE(pub_n > 0, CU_E_INTERNAL);
    p8 = EVP_PKEY2PKCS8(pk);
    ENSURE(p8, CU_E_INTERNAL);
    priv_n = i2d_PKCS8_PRIV_KEY_INFO(p8, &priv);
    ENSURE(priv_n > 0 && priv_n <= IMPORT_WRAP_PRIVATE_MAX, CU_E_INTERNAL);
    TRY(buf_add(public_der, pub, (size_t)pub_n));
    TRY(secret_from(bytes_of(priv, (size_t)priv_n), private_der));
out:
    if (priv)
        OPENSSL_clear_free(priv, (size_t)priv_n);
    OPENSSL_free(pub);
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(pk);
    return rc;
}

/* RSA-OAEP decryption of in with md as both the OAEP and the MGF1 hash. */
static cu_rc oaep_decrypt(EVP_PKEY *pk, const EVP_MD *md, struct bytes in, struct secret **out)
{
    cu_rc rc = CU_OK;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    struct secret *tmp = NULL;
    size_t n = 0;

    ENSURE(ctx, CU_E_NOMEM);
    ENSURE(EVP_PKEY_decrypt_init(ctx) == 1, CU_E_INTERNAL);
    ENSURE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1, CU_E_INTERNAL);
    ENSURE(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1, CU_E_INTERNAL);
    ENSURE(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1, CU_E_INTERNAL);
    ENSURE(EVP_PKEY_decrypt(ctx, NULL, &n, in.p, in.n) == 1, CU_E_SEAL_BROKEN);
    TRY(secret_new(n, &tmp));
    ENSURE(EVP_PKEY_decrypt(ctx, tmp->p, &n, in.p, in.n) == 1, CU_E_SEAL_BROKEN);
    TRY(secret_from(bytes_of(tmp->p, n), out));
out:
    secret_free(tmp);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/* AES-256 key wrap with padding (RFC 5649) undone under kek. */
static cu_rc kwp_unwrap(struct bytes kek, struct bytes in, struct secret **out)
{
    cu_rc rc = CU_OK;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    struct secret *tmp = NULL;
    int n = 0, fin = 0;

    ENSURE(ctx, CU_E_NOMEM);
    ENSURE(kek.n == AES_KW_KEY_LEN, CU_E_SEAL_BROKEN);
    ENSURE(in.n >= 16 && in.n % 8 == 0 && in.n <= IMPORT_WRAP_WRAPPED_MAX, CU_E_SEAL_BROKEN);
    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    ENSURE(EVP_DecryptInit_ex(ctx, EVP_aes_256_wrap_pad(), NULL, kek.p, NULL) == 1,
           CU_E_INTERNAL);
    TRY(secret_new(in.n + 16, &tmp));
    ENSURE(EVP_DecryptUpdate(ctx, tmp->p, &n, in.p, (int)in.n) == 1 && n > 0, CU_E_SEAL_BROKEN);
    ENSURE(EVP_DecryptFinal_ex(ctx, tmp->p + n, &fin) == 1, CU_E_SEAL_BROKEN);
    TRY(secret_from(bytes_of(tmp->p, (size_t)(n + fin)), out));
out:
    secret_free(tmp);
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

cu_rc import_wrap_unwrap(struct bytes private_der, enum import_wrap_alg alg,
                         struct bytes wrapped, struct secret **material)
{
    cu_rc rc = CU_OK;
    const unsigned char *p = private_der.p;
    EVP_PKEY *pk = NULL;
    struct secret *kek = NULL;
    const EVP_MD *md =
        (alg == IMPORT_WRAP_OAEP_SHA1 || alg == IMPORT_WRAP_AES_KW_SHA1) ? EVP_sha1() : EVP_sha256();
    size_t rsa_n;

    *material = NULL;
    ENSURE(alg >= IMPORT_WRAP_OAEP_SHA1 && alg <= IMPORT_WRAP_AES_KW_SHA256, CU_E_INTERNAL);
    ENSURE(wrapped.n > 0 && wrapped.n <= IMPORT_WRAP_WRAPPED_MAX, CU_E_SEAL_BROKEN);
    pk = d2i_AutoPrivateKey(NULL, &p, (long)private_der.n);
    ENSURE(pk && EVP_PKEY_is_a(pk, "RSA"), CU_E_INTERNAL);
    rsa_n = (size_t)EVP_PKEY_get_size(pk);
    if (alg == IMPORT_WRAP_OAEP_SHA1 || alg == IMPORT_WRAP_OAEP_SHA256) {
        ENSURE(wrapped.n == rsa_n, CU_E_SEAL_BROKEN);
        TRY(oaep_decrypt(pk, md, wrapped, material));
    } else {
        /* RSA block first, key-wrapped material after it (KMS developer guide,
         * importing-keys-encrypt-key-material: "RSA_AES_KEY_WRAP_SHA_*") */
        ENSURE(wrapped.n > rsa_n, CU_E_SEAL_BROKEN);
        TRY(oaep_decrypt(pk, md, bytes_of(wrapped.p, rsa_n), &kek));
        TRY(kwp_unwrap(secret_bytes(kek), bytes_of(wrapped.p + rsa_n, wrapped.n - rsa_n),
                       material));
    }
out:
    /* a refused unwrap leaves OpenSSL's reasons on the thread's error queue: cleared, so
     * that the worker's next OpenSSL call does not start with a stale error */
    if (rc != CU_OK)
        ERR_clear_error();
    secret_free(kek);
    EVP_PKEY_free(pk);
    return rc;
}

cu_rc import_wrap_fingerprint(const struct master_key *mk, const char *arn,
                              struct bytes material, uint8_t out[IMPORT_WRAP_FINGERPRINT_LEN])
{
    cu_rc rc = CU_OK;
    struct secret *key = NULL;
    struct hmac_sha256 h;
    static const uint8_t zero = 0;

    TRY(master_key_derive(mk, "kms-import-fingerprint", DIGEST_SHA256_LEN, &key));
    hmac_sha256_init(&h, secret_bytes(key));
    hmac_sha256_update(&h, bytes_str(arn));
    hmac_sha256_update(&h, bytes_of(&zero, 1));
    hmac_sha256_update(&h, material);
    hmac_sha256_final(&h, out);
    secret_wipe(&h, sizeof(h));
out:
    secret_free(key);
    return rc;
}
