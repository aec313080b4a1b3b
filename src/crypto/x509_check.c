/* x509_check.c — certificate and public-key checks for IAM's uploads (x509_check.h), on
 * OpenSSL 3's decoders. Everything read comes from a read-only memory BIO over the
 * caller's bytes; every OpenSSL object is freed before return and OpenSSL's error queue is
 * cleared, so a malformed upload leaves no trace but the CU_E_MALFORMED_INPUT it answers.
 * Private keys: a password callback that refuses makes an encrypted key a parse failure
 * instead of a prompt on the server's terminal. */
#include "x509_check.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Whether all a memory BIO has not yet read is white space (it is not consumed). */
static bool rest_is_space(BIO *bio)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);

    for (long i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

static BIO *mem_bio(struct bytes in)
{
    if (in.n == 0 || in.n > X509_CHECK_PEM_MAX)
        return NULL;
    return BIO_new_mem_buf(in.p, (int)in.n);
}

static int refuse_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* One PEM certificate, or NULL. */
static X509 *read_one_cert(struct bytes pem)
{
    BIO *bio = mem_bio(pem);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, refuse_password, NULL) : NULL;

    if (cert && !rest_is_space(bio)) {
        X509_free(cert);
        cert = NULL;
    }
    BIO_free(bio);
    return cert;
}

/* t as epoch milliseconds. */
static bool epoch_ms(const ASN1_TIME *t, int64_t *out)
{
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    int days = 0, secs = 0;
    bool ok = epoch && ASN1_TIME_diff(&days, &secs, epoch, t);

    ASN1_TIME_free(epoch);
    if (ok)
        *out = ((int64_t)days * 86400 + secs) * 1000;
    return ok;
}

cu_rc x509_check_cert(struct bytes pem, struct x509_check_info *out)
{
    cu_rc rc = CU_OK;
    X509 *cert = read_one_cert(pem);
    unsigned int len = 0;

    ENSURE(cert, CU_E_MALFORMED_INPUT);
    ENSURE(epoch_ms(X509_get0_notBefore(cert), &out->not_before_ms), CU_E_MALFORMED_INPUT);
    ENSURE(epoch_ms(X509_get0_notAfter(cert), &out->not_after_ms), CU_E_MALFORMED_INPUT);
    /* a certificate whose key OpenSSL cannot read is no certificate IAM could use */
    ENSURE(X509_get0_pubkey(cert), CU_E_MALFORMED_INPUT);
    ENSURE(X509_digest(cert, EVP_sha256(), out->sha256, &len) && len == X509_CHECK_SHA256_LEN,
           CU_E_INTERNAL);
out:
    X509_free(cert);
    ERR_clear_error();
    return rc;
}

cu_rc x509_check_chain(struct bytes cert, struct bytes chain, long *bad)
{
    cu_rc rc = CU_OK;
    BIO *bio = mem_bio(chain);
    X509 *subject = read_one_cert(cert), *issuer = NULL;
    size_t n = 0;

    *bad = -1;
    ENSURE(bio && subject, CU_E_MALFORMED_INPUT);
    while (!rest_is_space(bio)) {
        issuer = PEM_read_bio_X509(bio, NULL, refuse_password, NULL);
        ENSURE(issuer, CU_E_MALFORMED_INPUT);
        /* each certificate is followed by the one that issued it (IAM: "the immediate
         * signing certificate, followed by any intermediaries in order") */
        if (*bad < 0 && X509_check_issued(issuer, subject) != X509_V_OK)
            *bad = (long)n;
        X509_free(subject);
        subject = issuer;
        issuer = NULL;
        n++;
    }
    ENSURE(n > 0, CU_E_MALFORMED_INPUT);
out:
    X509_free(subject);
    X509_free(issuer);
    BIO_free(bio);
    ERR_clear_error();
    return rc;
}

cu_rc x509_check_key_pair(struct bytes cert, struct bytes key_pem, bool *match)
{
    cu_rc rc = CU_OK;
    X509 *x = read_one_cert(cert);
    BIO *bio = mem_bio(key_pem);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, refuse_password, NULL) : NULL;

    *match = false;
    ENSURE(x, CU_E_INTERNAL);
    ENSURE(key && rest_is_space(bio), CU_E_MALFORMED_INPUT);
    /* EVP_PKEY_eq compares the public halves: the certificate's key and the private
     * key's own public key */
    *match = EVP_PKEY_eq(X509_get0_pubkey(x), key) == 1;
out:
    EVP_PKEY_free(key); /* clears the private key material */
    BIO_free(bio);
    X509_free(x);
    ERR_clear_error();
    return rc;
}

static cu_rc add_bn(const BIGNUM *v, struct buf *out)
{
    cu_rc rc = CU_OK;
    int len = BN_num_bytes(v);
    size_t at = out->n;
    uint8_t zero = 0;

    ENSURE(len > 0, CU_E_MALFORMED_INPUT);
    /* reserve len bytes, then let OpenSSL write them in place */
    for (int i = 0; i < len; i++)
        TRY(buf_add(out, &zero, 1));
    ENSURE(BN_bn2bin(v, (unsigned char *)out->p + at) == len, CU_E_INTERNAL);
out:
    return rc;
}

/* Whether text, past leading white space, starts with label. */
static bool starts_with_label(struct bytes text, const char *label)
{
    size_t i = 0, n = strlen(label);

    while (i < text.n && (text.p[i] == ' ' || text.p[i] == '\t' || text.p[i] == '\r' ||
                          text.p[i] == '\n'))
        i++;
    return text.n - i >= n && memcmp(text.p + i, label, n) == 0;
}

cu_rc x509_check_rsa_from_pem(struct bytes pem, struct buf *e, struct buf *n)
{
    cu_rc rc = CU_OK;
    EVP_PKEY *key = NULL;
    OSSL_DECODER_CTX *dctx = NULL;
    BIGNUM *bn_e = NULL, *bn_n = NULL;
    const unsigned char *p = pem.p;
    size_t left = pem.n;

    ENSURE(pem.n > 0 && pem.n <= X509_CHECK_PEM_MAX, CU_E_MALFORMED_INPUT);
    /* public keys only: the decoder would also take the public half of a private key */
    ENSURE(starts_with_label(pem, "-----BEGIN PUBLIC KEY-----") ||
               starts_with_label(pem, "-----BEGIN RSA PUBLIC KEY-----"),
           CU_E_MALFORMED_INPUT);
    /* SubjectPublicKeyInfo or PKCS#1 (ssh-keygen -e -m PKCS8 / -m PEM) */
    dctx = OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", NULL, "RSA", EVP_PKEY_PUBLIC_KEY, NULL,
                                         NULL);
    ENSURE(dctx, CU_E_NOMEM);
    ENSURE(OSSL_DECODER_from_data(dctx, &p, &left) == 1 && key, CU_E_MALFORMED_INPUT);
    ENSURE(EVP_PKEY_is_a(key, "RSA"), CU_E_MALFORMED_INPUT);
    ENSURE(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &bn_e) &&
               EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &bn_n),
           CU_E_MALFORMED_INPUT);
    TRY(add_bn(bn_e, e));
    TRY(add_bn(bn_n, n));
out:
    BN_free(bn_e);
    BN_free(bn_n);
    EVP_PKEY_free(key);
    OSSL_DECODER_CTX_free(dctx);
    ERR_clear_error();
    return rc;
}

cu_rc x509_check_rsa_to_pem(struct bytes e, struct bytes n, struct buf *pem)
{
    cu_rc rc = CU_OK;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *key = NULL;
    BIGNUM *bn_e = BN_bin2bn(e.p, (int)e.n, NULL), *bn_n = BN_bin2bn(n.p, (int)n.n, NULL);
    BIO *bio = BIO_new(BIO_s_mem());
    char *text = NULL;
    long len;

    ENSURE(bld && ctx && bn_e && bn_n && bio, CU_E_NOMEM);
    ENSURE(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
               OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e),
           CU_E_NOMEM);
    params = OSSL_PARAM_BLD_to_param(bld);
    ENSURE(params, CU_E_NOMEM);
    ENSURE(EVP_PKEY_fromdata_init(ctx) == 1 &&
               EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1,
           CU_E_MALFORMED_INPUT);
    ENSURE(PEM_write_bio_PUBKEY(bio, key) == 1, CU_E_INTERNAL);
    len = BIO_get_mem_data(bio, &text);
    ENSURE(len > 0, CU_E_INTERNAL);
    TRY(buf_add(pem, text, (size_t)len));
out:
    BIO_free(bio);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_e);
    BN_free(bn_n);
    ERR_clear_error();
    return rc;
}
