/* asym_key.c — RSA, EC and HMAC key material for KMS: generate, seal/open, sign, verify,
 * RSA-OAEP and HMAC, on OpenSSL 3's EVP interfaces only.
 *
 * Invariants: private material exists only inside an EVP_PKEY (private numbers in
 * OpenSSL's secure heap), in a struct secret, or sealed under the master key; every
 * transient DER or raw copy is a secret, wiped on release. Failures to open or to decrypt
 * are CU_E_SEAL_BROKEN without detail, as backing_key.c does. */
#include "asym_key.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"

enum { FORMAT_PKCS8 = 1, FORMAT_HMAC = 2 };

/* The longest HMAC key: 1024 bits, the most KMS imports (KMS developer guide,
 * importing-keys-conceptual, "Requirements for imported key material"). */
#define HMAC_KEY_MAX 128

struct asym_key {
    enum asym_type type;
    EVP_PKEY *pkey;       /* RSA, EC */
    struct secret *hmac;  /* HMAC */
};

void asym_key_free(struct asym_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    secret_free(k->hmac);
    free(k);
}

/* Ed25519 is a key type of its own in OpenSSL, not an EC group: it is named as the EC
 * "curve" ED25519 (only data key pairs make one, never a stored KMS key). */
static bool is_ed25519(enum asym_type type, const char *curve)
{
    return type == ASYM_EC && curve && strcmp(curve, "ED25519") == 0;
}

static cu_rc generate_pkey(enum asym_type type, int bits, const char *curve, EVP_PKEY **out)
{
    cu_rc rc = CU_OK;
    const char *alg = type == ASYM_RSA ? "RSA" : is_ed25519(type, curve) ? "ED25519" : "EC";
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);

    ENSURE(ctx && EVP_PKEY_keygen_init(ctx) == 1, CU_E_INTERNAL);
    if (type == ASYM_RSA)
        ENSURE(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) == 1, CU_E_INTERNAL);
    else if (!is_ed25519(type, curve))
        ENSURE(curve && EVP_PKEY_CTX_set_group_name(ctx, curve) == 1, CU_E_INTERNAL);
    ENSURE(EVP_PKEY_generate(ctx, out) == 1, CU_E_INTERNAL);
out:
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

cu_rc asym_key_generate(enum asym_type type, int bits, const char *curve, struct asym_key **out)
{
    cu_rc rc = CU_OK;
    struct asym_key *k = calloc(1, sizeof(*k));

    *out = NULL;
    ENSURE(k, CU_E_NOMEM);
    k->type = type;
    if (type == ASYM_HMAC) {
        /* a key KMS makes is as long as its digest, at most SHA-512's */
        ENSURE(bits > 0 && bits % 8 == 0 && bits / 8 <= ASYM_DIGEST_MAX, CU_E_INTERNAL);
        TRY(secret_new((size_t)bits / 8, &k->hmac));
        TRY(rand_bytes(k->hmac->p, k->hmac->n));
    } else {
        TRY(generate_pkey(type, bits, curve, &k->pkey));
    }
    *out = k;
    k = NULL;
out:
    asym_key_free(k);
    return rc;
}

/* The NID of an OpenSSL curve name, NIST ("P-256") or short ("secp256k1", "prime256v1"). */
static int curve_nid(const char *name)
{
    int nid = EC_curve_nist2nid(name);

    return nid != NID_undef ? nid : OBJ_sn2nid(name);
}

/* Whether pk is what an imported key of type/bits/curve must be: RSA of `bits` bits with
 * two primes, or EC on the named curve `curve` (explicit parameters have no group name and
 * are refused); and whether its private and public halves agree (EVP_PKEY_check). */
static bool pkey_matches(EVP_PKEY *pk, enum asym_type type, int bits, const char *curve)
{
    EVP_PKEY_CTX *ctx = NULL;
    BIGNUM *third = NULL;
    char group[64], encoding[32];
    size_t n = 0;
    bool ok;

    if (type == ASYM_RSA) {
        /* a third prime factor: multi-prime RSA, which KMS does not import */
        ok = EVP_PKEY_is_a(pk, "RSA") && EVP_PKEY_get_bits(pk) == bits &&
             EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR3, &third) != 1;
    } else {
        ok = type == ASYM_EC && curve && EVP_PKEY_is_a(pk, "EC") &&
             EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                            &n) == 1 &&
             curve_nid(group) != NID_undef && curve_nid(group) == curve_nid(curve) &&
             /* OpenSSL names a group given by explicit parameters that match a known
              * curve; its encoding still says so */
             EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_ENCODING, encoding,
                                            sizeof(encoding), &n) == 1 &&
             strcmp(encoding, OSSL_PKEY_EC_ENCODING_GROUP) == 0;
    }
    if (ok) {
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
        ok = ctx && EVP_PKEY_check(ctx) == 1;
    }
    BN_clear_free(third);
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

cu_rc asym_key_import(enum asym_type type, int bits, const char *curve, struct bytes material,
                      struct asym_key **out)
{
    cu_rc rc = CU_OK;
    struct asym_key *k = calloc(1, sizeof(*k));
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    const unsigned char *p = material.p;

    *out = NULL;
    ENSURE(k, CU_E_NOMEM);
    k->type = type;
    if (type == ASYM_HMAC) {
        ENSURE(bits > 0 && material.n >= (size_t)bits / 8 && material.n <= HMAC_KEY_MAX,
               CU_E_VALIDATION);
        TRY(secret_from(material, &k->hmac));
    } else {
        /* PKCS#8 PrivateKeyInfo, BER or DER (RFC 5208), all of it and nothing after */
        ENSURE(material.n > 0 && material.n <= ASYM_IMPORT_MAX, CU_E_VALIDATION);
        p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)material.n);
        ENSURE(p8 && p == material.p + material.n, CU_E_VALIDATION);
        k->pkey = EVP_PKCS82PKEY(p8);
        ENSURE(k->pkey && pkey_matches(k->pkey, type, bits, curve), CU_E_VALIDATION);
    }
    *out = k;
    k = NULL;
out:
    /* a refused key leaves OpenSSL's reasons on the thread's error queue */
    if (rc != CU_OK)
        ERR_clear_error();
    PKCS8_PRIV_KEY_INFO_free(p8);
    asym_key_free(k);
    return rc;
}

/* format || material as a secret (what is sealed). */
static cu_rc serialize(const struct asym_key *k, struct secret **out)
{
    cu_rc rc = CU_OK;
    int n;
    unsigned char *p;

    if (k->type == ASYM_HMAC) {
        TRY(secret_new(1 + k->hmac->n, out));
        (*out)->p[0] = FORMAT_HMAC;
        memcpy((*out)->p + 1, k->hmac->p, k->hmac->n);
        return CU_OK;
    }
    n = i2d_PrivateKey(k->pkey, NULL);
    ENSURE(n > 0, CU_E_INTERNAL);
    TRY(secret_new(1 + (size_t)n, out));
    (*out)->p[0] = FORMAT_PKCS8;
    p = (*out)->p + 1;
    ENSURE(i2d_PrivateKey(k->pkey, &p) == n, CU_E_INTERNAL);
out:
    return rc;
}

cu_rc asym_key_seal(const struct master_key *mk, const struct asym_key *k, struct bytes aad,
                    struct buf *sealed)
{
    cu_rc rc = CU_OK;
    struct secret *plain = NULL;

    TRY(serialize(k, &plain));
    TRY(master_key_seal(mk, secret_bytes(plain), aad, sealed));
out:
    secret_free(plain);
    return rc;
}

cu_rc asym_key_open(const struct master_key *mk, struct bytes sealed, struct bytes aad,
                    struct asym_key **out)
{
    cu_rc rc = CU_OK;
    struct secret *plain = NULL;
    struct asym_key *k = calloc(1, sizeof(*k));
    const unsigned char *p;

    *out = NULL;
    ENSURE(k, CU_E_NOMEM);
    TRY(master_key_open(mk, sealed, aad, &plain));
    ENSURE(plain->n > 1, CU_E_SEAL_BROKEN);
    p = plain->p + 1;
    if (plain->p[0] == FORMAT_HMAC) {
        k->type = ASYM_HMAC;
        ENSURE(plain->n - 1 <= HMAC_KEY_MAX, CU_E_SEAL_BROKEN);
        TRY(secret_from(bytes_of(p, plain->n - 1), &k->hmac));
    } else {
        ENSURE(plain->p[0] == FORMAT_PKCS8, CU_E_SEAL_BROKEN);
        k->pkey = d2i_AutoPrivateKey(NULL, &p, (long)(plain->n - 1));
        ENSURE(k->pkey, CU_E_SEAL_BROKEN);
        k->type = EVP_PKEY_is_a(k->pkey, "RSA") ? ASYM_RSA : ASYM_EC;
    }
    *out = k;
    k = NULL;
out:
    secret_free(plain);
    asym_key_free(k);
    return rc;
}

cu_rc asym_key_public_der(const struct asym_key *k, struct buf *out)
{
    cu_rc rc = CU_OK;
    unsigned char *der = NULL;
    int n;

    ENSURE(k->pkey, CU_E_INTERNAL);
    n = i2d_PUBKEY(k->pkey, &der);
    ENSURE(n > 0, CU_E_INTERNAL);
    TRY(buf_add(out, der, (size_t)n));
out:
    OPENSSL_free(der);
    return rc;
}

cu_rc asym_key_pkcs8(const struct asym_key *k, struct secret **out)
{
    cu_rc rc = CU_OK;
    /* PKCS8_PRIV_KEY_INFO wipes its private octets when freed (its ASN.1 callback) */
    PKCS8_PRIV_KEY_INFO *p8 = k->pkey ? EVP_PKEY2PKCS8(k->pkey) : NULL;
    unsigned char *p;
    int n;

    *out = NULL;
    ENSURE(p8, CU_E_INTERNAL);
    n = i2d_PKCS8_PRIV_KEY_INFO(p8, NULL);
    ENSURE(n > 0, CU_E_INTERNAL);
    TRY(secret_new((size_t)n, out));
    p = (*out)->p;
    ENSURE(i2d_PKCS8_PRIV_KEY_INFO(p8, &p) == n, CU_E_INTERNAL);
out:
    if (rc != CU_OK) {
        secret_free(*out);
        *out = NULL;
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rc;
}

/* The peer's DER SubjectPublicKeyInfo as an EC key on the same group as ours. */
static cu_rc peer_key(const EVP_PKEY *ours, struct bytes der, EVP_PKEY **out)
{
    cu_rc rc = CU_OK;
    const unsigned char *p = der.p;
    EVP_PKEY *peer = NULL;
    char want[64], got[64];
    size_t n;

    ENSURE(der.n > 0 && der.n <= LONG_MAX, CU_E_VALIDATION);
    peer = d2i_PUBKEY(NULL, &p, (long)der.n);
    ENSURE(peer && p == der.p + der.n && EVP_PKEY_is_a(peer, "EC"), CU_E_VALIDATION);
    ENSURE(EVP_PKEY_get_utf8_string_param(ours, OSSL_PKEY_PARAM_GROUP_NAME, want, sizeof(want),
                                          &n) == 1, CU_E_INTERNAL);
    ENSURE(EVP_PKEY_get_utf8_string_param(peer, OSSL_PKEY_PARAM_GROUP_NAME, got, sizeof(got),
                                          &n) == 1 && strcmp(want, got) == 0,
           CU_E_VALIDATION);
    *out = peer;
    peer = NULL;
out:
    EVP_PKEY_free(peer);
    return rc;
}

cu_rc asym_key_derive(const struct asym_key *k, struct bytes peer, struct secret **secret)
{
    cu_rc rc = CU_OK;
    EVP_PKEY *other = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    size_t n = 0;

    *secret = NULL;
    ENSURE(k->type == ASYM_EC && k->pkey, CU_E_INTERNAL);
    TRY(peer_key(k->pkey, peer, &other));
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    ENSURE(ctx && EVP_PKEY_derive_init(ctx) == 1, CU_E_INTERNAL);
    /* set_peer checks the point is on the curve (and not the point at infinity) */
    ENSURE(EVP_PKEY_derive_set_peer(ctx, other) == 1, CU_E_VALIDATION);
    ENSURE(EVP_PKEY_derive(ctx, NULL, &n) == 1 && n > 0, CU_E_INTERNAL);
    TRY(secret_new(n, secret));
    ENSURE(EVP_PKEY_derive(ctx, (*secret)->p, &n) == 1 && n == (*secret)->n, CU_E_INTERNAL);
out:
    if (rc != CU_OK) {
        secret_free(*secret);
        *secret = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(other);
    return rc;
}

cu_rc asym_digest(const char *md, struct bytes message, uint8_t *out, size_t *n)
{
    unsigned int len = 0;
    EVP_MD *m = EVP_MD_fetch(NULL, md, NULL);
    int ok = m && EVP_Digest(message.p, message.n, out, &len, m, NULL) == 1;

    EVP_MD_free(m);
    *n = len;
    return ok ? CU_OK : CU_E_INTERNAL;
}

/* A sign/verify context for digest md and padding pad; init is EVP_PKEY_sign_init or
 * EVP_PKEY_verify_init. */
static cu_rc sig_ctx(const struct asym_key *k, const char *md, enum asym_pad pad,
                     int (*init)(EVP_PKEY_CTX *), EVP_PKEY_CTX **out)
{
    cu_rc rc = CU_OK;
    EVP_PKEY_CTX *ctx = NULL;

    ENSURE(k->pkey, CU_E_INTERNAL);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    ENSURE(ctx && init(ctx) == 1, CU_E_INTERNAL);
    ENSURE(EVP_PKEY_CTX_set_signature_md(ctx, EVP_get_digestbyname(md)) == 1, CU_E_INTERNAL);
    if (pad == ASYM_PAD_PKCS1)
        ENSURE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1, CU_E_INTERNAL);
    if (pad == ASYM_PAD_PSS) {
        /* KMS: "the salt length is equal to the digest length" (API reference, Sign) */
        ENSURE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                   EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1,
               CU_E_INTERNAL);
    }
    *out = ctx;
    ctx = NULL;
out:
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

cu_rc asym_key_sign(const struct asym_key *k, const char *md, enum asym_pad pad,
                    struct bytes digest, struct buf *sig)
{
    cu_rc rc = CU_OK;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t out[ASYM_SIG_MAX + 16];
    size_t n = sizeof(out);

    TRY(sig_ctx(k, md, pad, EVP_PKEY_sign_init, &ctx));
    ENSURE(EVP_PKEY_sign(ctx, out, &n, digest.p, digest.n) == 1, CU_E_INTERNAL);
    TRY(buf_add(sig, out, n));
out:
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

cu_rc asym_key_verify(const struct asym_key *k, const char *md, enum asym_pad pad,
                      struct bytes digest, struct bytes sig, bool *valid)
{
    cu_rc rc = CU_OK;
    EVP_PKEY_CTX *ctx = NULL;

    *valid = false;
    TRY(sig_ctx(k, md, pad, EVP_PKEY_verify_init, &ctx));
    /* anything but 1 (0: mismatch, <0: malformed signature) is a bad signature */
    *valid = EVP_PKEY_verify(ctx, sig.p, sig.n, digest.p, digest.n) == 1;
out:
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

static cu_rc oaep_ctx(const struct asym_key *k, const char *md, int (*init)(EVP_PKEY_CTX *),
                      EVP_PKEY_CTX **out)
{
    cu_rc rc = CU_OK;
    EVP_PKEY_CTX *ctx = NULL;

    ENSURE(k->type == ASYM_RSA, CU_E_INTERNAL);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    ENSURE(ctx && init(ctx) == 1, CU_E_INTERNAL);
    ENSURE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
               EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx, md, NULL) == 1 &&
               EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, md, NULL) == 1,
           CU_E_INTERNAL);
    *out = ctx;
    ctx = NULL;
out:
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

cu_rc asym_key_encrypt(const struct asym_key *k, const char *md, struct bytes plain,
                       struct buf *out)
{
    cu_rc rc = CU_OK;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t ct[ASYM_SIG_MAX];
    size_t n = sizeof(ct);

    TRY(oaep_ctx(k, md, EVP_PKEY_encrypt_init, &ctx));
    ENSURE(EVP_PKEY_encrypt(ctx, ct, &n, plain.p, plain.n) == 1, CU_E_INTERNAL);
    TRY(buf_add(out, ct, n));
out:
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

cu_rc asym_key_decrypt(const struct asym_key *k, const char *md, struct bytes ct,
                       struct secret **plain)
{
    cu_rc rc = CU_OK;
    EVP_PKEY_CTX *ctx = NULL;
    struct secret *buf = NULL;
    size_t n = ASYM_SIG_MAX;

    *plain = NULL;
    TRY(oaep_ctx(k, md, EVP_PKEY_decrypt_init, &ctx));
    TRY(secret_new(ASYM_SIG_MAX, &buf));
    ENSURE(EVP_PKEY_decrypt(ctx, buf->p, &n, ct.p, ct.n) == 1, CU_E_SEAL_BROKEN);
    TRY(secret_from(bytes_of(buf->p, n), plain));
out:
    secret_free(buf);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

cu_rc asym_key_hmac(const struct asym_key *k, const char *md, struct bytes message,
                    uint8_t *mac, size_t *n)
{
    cu_rc rc = CU_OK;
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0),
                           OSSL_PARAM_construct_end()};

    ENSURE(k->type == ASYM_HMAC && ctx, CU_E_INTERNAL);
    ENSURE(EVP_MAC_init(ctx, k->hmac->p, k->hmac->n, params) == 1 &&
               EVP_MAC_update(ctx, message.p, message.n) == 1 &&
               EVP_MAC_final(ctx, mac, n, ASYM_DIGEST_MAX) == 1,
           CU_E_INTERNAL);
out:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
    return rc;
}
