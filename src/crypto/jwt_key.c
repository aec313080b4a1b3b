/* jwt_key.c — RS256 and ES384 key pairs for outbound web identity tokens (jwt_key.h),
 * through OpenSSL 3's EVP interface.
 *
 * At rest a key is its PKCS#8 DER sealed under the master key; the DER is written into a
 * struct secret and wiped as soon as it is sealed or parsed. ECDSA signatures come out of
 * OpenSSL as DER (SEQUENCE of two INTEGERs); JWS wants the two integers as fixed-width
 * big-endian halves, so sign() converts them. OpenSSL's error queue is cleared on every
 * failure: its text is never shown to a client. */
#include "jwt_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "core/secret.h"

#define RSA_BITS 2048
#define P384_BYTES 48

struct jwt_key {
    enum jwt_alg alg;
    EVP_PKEY *pkey;
};

const enum jwt_alg jwt_sign_algs[JWT_SIGN_ALG_COUNT] = {JWT_RS256, JWT_ES384};

bool jwt_key_signs(enum jwt_alg alg)
{
    return alg == JWT_RS256 || alg == JWT_ES384;
}

/* Whether pkey is the kind of key alg signs with (a sealed key opened for the wrong
 * algorithm is refused rather than used). */
static bool fits(const EVP_PKEY *pkey, enum jwt_alg alg)
{
    char group[32] = "";
    size_t len = 0;

    if (!jwt_key_signs(alg))
        return false;
    if (alg == JWT_RS256)
        return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= RSA_BITS;
    return EVP_PKEY_is_a(pkey, "EC") &&
           EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                          sizeof(group), &len) == 1 &&
           strcmp(group, "secp384r1") == 0;
}

static cu_rc key_new(enum jwt_alg alg, EVP_PKEY *pkey, struct jwt_key **out)
{
    struct jwt_key *k = calloc(1, sizeof(*k));

    if (!k) {
        EVP_PKEY_free(pkey);
        return CU_E_NOMEM;
    }
    k->alg = alg;
    k->pkey = pkey;
    *out = k;
    return CU_OK;
}

cu_rc jwt_key_generate(enum jwt_alg alg, struct jwt_key **out)
{
    EVP_PKEY *pkey;

    if (!jwt_key_signs(alg))
        return CU_E_INTERNAL;
    pkey = alg == JWT_RS256 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_BITS)
                            : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    if (!pkey) {
        ERR_clear_error();
        return CU_E_INTERNAL;
    }
    return key_new(alg, pkey, out);
}

void jwt_key_free(struct jwt_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

cu_rc jwt_key_seal(const struct master_key *mk, const struct jwt_key *k, struct bytes aad,
                   struct buf *sealed)
{
    cu_rc rc = CU_OK;
    struct secret *der = NULL;
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
    int len = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, NULL) : -1;
    unsigned char *at;

    ENSURE(len > 0, CU_E_INTERNAL);
    TRY(secret_new((size_t)len, &der));
    at = der->p;
    ENSURE(i2d_PKCS8_PRIV_KEY_INFO(p8, &at) == len, CU_E_INTERNAL);
    TRY(master_key_seal(mk, secret_bytes(der), aad, sealed));
out:
    PKCS8_PRIV_KEY_INFO_free(p8); /* clears its copy of the key */
    secret_free(der);
    if (rc != CU_OK)
        ERR_clear_error();
    return rc;
}

cu_rc jwt_key_open(const struct master_key *mk, enum jwt_alg alg, struct bytes sealed,
                   struct bytes aad, struct jwt_key **out)
{
    cu_rc rc = CU_OK;
    struct secret *der = NULL;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    EVP_PKEY *pkey = NULL;
    const unsigned char *at;

    TRY(master_key_open(mk, sealed, aad, &der));
    at = der->p;
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &at, (long)der->n);
    ENSURE(p8 && at == der->p + der->n, CU_E_SEAL_BROKEN);
    pkey = EVP_PKCS82PKEY(p8);
    ENSURE(pkey && fits(pkey, alg), CU_E_SEAL_BROKEN);
    TRY(key_new(alg, pkey, out));
    pkey = NULL;
out:
    EVP_PKEY_free(pkey);
    PKCS8_PRIV_KEY_INFO_free(p8);
    secret_free(der);
    if (rc != CU_OK)
        ERR_clear_error();
    return rc;
}

/* Append "name":"<base64url of the big-endian integer param, width bytes or minimal>". */
static cu_rc add_bn_member(struct buf *out, const EVP_PKEY *pkey, const char *param,
                           const char *name, size_t width)
{
    cu_rc rc = CU_OK;
    BIGNUM *bn = NULL;
    uint8_t raw[1024];
    int n;

    ENSURE(EVP_PKEY_get_bn_param(pkey, param, &bn) == 1, CU_E_INTERNAL);
    n = width ? BN_bn2binpad(bn, raw, (int)width) : BN_bn2bin(bn, raw);
    ENSURE(n > 0 && (size_t)n <= sizeof(raw), CU_E_INTERNAL);
    TRY(buf_addstrs(out, ",\"", name, "\":\"", (char *)NULL));
    TRY(base64url_encode(bytes_of(raw, (size_t)n), out));
    TRY(buf_addch(out, '"'));
out:
    BN_free(bn);
    return rc;
}

cu_rc jwt_key_public_jwk(const struct jwt_key *k, const char *kid, struct buf *out)
{
    cu_rc rc = CU_OK;

    if (k->alg == JWT_RS256) {
        TRY(buf_addstrs(out, "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"", kid,
                        "\"", (char *)NULL));
        TRY(add_bn_member(out, k->pkey, OSSL_PKEY_PARAM_RSA_N, "n", 0));
        TRY(add_bn_member(out, k->pkey, OSSL_PKEY_PARAM_RSA_E, "e", 0));
    } else {
        TRY(buf_addstrs(out, "{\"kty\":\"EC\",\"use\":\"sig\",\"alg\":\"ES384\",\"kid\":\"", kid,
                        "\",\"crv\":\"P-384\"", (char *)NULL));
        /* coordinates are fixed-width: RFC 7518 §6.2.1.2 "the full coordinate" */
        TRY(add_bn_member(out, k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, "x", P384_BYTES));
        TRY(add_bn_member(out, k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, "y", P384_BYTES));
    }
    TRY(buf_addch(out, '}'));
out:
    if (rc != CU_OK)
        ERR_clear_error();
    return rc;
}

/* DER ECDSA-Sig-Value -> R || S, each P384_BYTES wide. */
static cu_rc ecdsa_raw(const unsigned char *der, size_t n, struct buf *sig)
{
    cu_rc rc = CU_OK;
    const unsigned char *at = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &at, (long)n);
    uint8_t raw[2 * P384_BYTES];

    ENSURE(es, CU_E_INTERNAL);
    ENSURE(BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, P384_BYTES) == P384_BYTES &&
               BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + P384_BYTES, P384_BYTES) == P384_BYTES,
           CU_E_INTERNAL);
    TRY(buf_add(sig, raw, sizeof(raw)));
out:
    ECDSA_SIG_free(es);
    return rc;
}

cu_rc jwt_key_sign(const struct jwt_key *k, struct bytes signing_input, struct buf *sig)
{
    cu_rc rc = CU_OK;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char der[1024];
    size_t n = sizeof(der);

    ENSURE(ctx, CU_E_NOMEM);
    ENSURE(EVP_DigestSignInit_ex(ctx, NULL, k->alg == JWT_RS256 ? "SHA256" : "SHA384", NULL,
                                 NULL, k->pkey, NULL) == 1,
           CU_E_INTERNAL);
    ENSURE(EVP_DigestSign(ctx, der, &n, signing_input.p, signing_input.n) == 1, CU_E_INTERNAL);
    if (k->alg == JWT_RS256)
        TRY(buf_add(sig, der, n));
    else
        TRY(ecdsa_raw(der, n, sig));
out:
    EVP_MD_CTX_free(ctx);
    if (rc != CU_OK)
        ERR_clear_error();
    return rc;
}
