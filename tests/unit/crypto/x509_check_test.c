/* Tests for crypto/x509_check.c, on keys and certificates made here with OpenSSL (none
 * kept in the tree): a certificate parses with its dates and DER digest; truncated,
 * tampered, doubled, trailing, empty and oversized texts are refused; a private key
 * matches its certificate and no other, encrypted and broken keys are refused; chains in
 * issuing order pass and others name the first certificate out of order; RSA public keys
 * go from PEM (SPKI and PKCS#1) to (e, n) and back, and other keys are refused. */
#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "check.h"
#include "crypto/x509_check.h"
#include "test_keys.h"

#define DAY_MS (86400LL * 1000)

/* The PEM text a writer puts into a memory BIO, as a NUL-terminated buf. */
static void bio_text(BIO *bio, struct buf *out)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);

    buf_init(out, X509_CHECK_PEM_MAX);
    CHECK(n > 0);
    CHECK_OK(buf_add(out, p, (size_t)n));
    BIO_free(bio);
}

static void key_pem(EVP_PKEY *key, const EVP_CIPHER *cipher, struct buf *out)
{
    BIO *bio = BIO_new(BIO_s_mem());

    CHECK(PEM_write_bio_PrivateKey(bio, key, cipher, (unsigned char *)"pw", 2, NULL, NULL) == 1);
    bio_text(bio, out);
}

/* A certificate for key's public half, issued by issuer (signed with issuer_key; NULL:
 * self-signed), valid for `days` days from now. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       int days)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();

    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(cn[0] + days));
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(x, key);
    CHECK(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    return x;
}

static void cert_pem(X509 *x, struct buf *out)
{
    BIO *bio = BIO_new(BIO_s_mem());

    CHECK(PEM_write_bio_X509(bio, x) == 1);
    bio_text(bio, out);
}

static EVP_PKEY *rsa_a, *rsa_b, *ec;
static X509 *self_a, *ca, *leaf, *other;
static struct buf self_a_pem, ca_pem, leaf_pem, other_pem, key_a, key_b, key_ec, key_enc;

static void setup(void)
{
    rsa_a = test_key("rsa2048-a");
    rsa_b = test_key("rsa2048-b");
    ec = EVP_EC_gen("P-256");
    CHECK(rsa_a && rsa_b && ec);
    self_a = make_cert(rsa_a, "self", NULL, NULL, 30);
    ca = make_cert(rsa_b, "ca", NULL, NULL, 365);
    leaf = make_cert(rsa_a, "leaf", ca, rsa_b, 90);
    other = make_cert(ec, "other", NULL, NULL, 10);
    cert_pem(self_a, &self_a_pem);
    cert_pem(ca, &ca_pem);
    cert_pem(leaf, &leaf_pem);
    cert_pem(other, &other_pem);
    key_pem(rsa_a, NULL, &key_a);
    key_pem(rsa_b, NULL, &key_b);
    key_pem(ec, NULL, &key_ec);
    key_pem(rsa_a, EVP_aes_256_cbc(), &key_enc);
}

static void teardown(void)
{
    struct buf *bufs[] = {&self_a_pem, &ca_pem, &leaf_pem, &other_pem,
                          &key_a, &key_b, &key_ec, &key_enc};

    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        buf_release(bufs[i]);
    X509_free(self_a);
    X509_free(ca);
    X509_free(leaf);
    X509_free(other);
    EVP_PKEY_free(rsa_a);
    EVP_PKEY_free(rsa_b);
    EVP_PKEY_free(ec);
}

static void certificates(void)
{
    struct x509_check_info info;
    uint8_t md[32];
    unsigned int len = 0;
    struct buf t;
    char *line;

    CHECK_OK(x509_check_cert(buf_bytes(&self_a_pem), &info));
    CHECK_INT((info.not_after_ms - info.not_before_ms) / DAY_MS, 30);
    CHECK(X509_digest(self_a, EVP_sha256(), md, &len) == 1 && len == 32);
    CHECK(memcmp(md, info.sha256, 32) == 0);
    CHECK_OK(x509_check_cert(buf_bytes(&other_pem), &info)); /* an EC certificate */

    buf_init(&t, X509_CHECK_PEM_MAX + 16);
    /* white space around it is fine */
    CHECK_OK(buf_addstrs(&t, "\n\n", self_a_pem.p, "\n  \n", NULL));
    CHECK_OK(x509_check_cert(buf_bytes(&t), &info));
    /* two certificates, trailing text */
    buf_reset(&t);
    CHECK_OK(buf_addstrs(&t, self_a_pem.p, ca_pem.p, NULL));
    CHECK_RC(x509_check_cert(buf_bytes(&t), &info), CU_E_MALFORMED_INPUT);
    buf_reset(&t);
    CHECK_OK(buf_addstrs(&t, self_a_pem.p, "junk", NULL));
    CHECK_RC(x509_check_cert(buf_bytes(&t), &info), CU_E_MALFORMED_INPUT);
    /* truncated, tampered in its base64, empty, a key instead, oversized */
    CHECK_RC(x509_check_cert(bytes_of(self_a_pem.p, self_a_pem.n / 2), &info),
             CU_E_MALFORMED_INPUT);
    buf_reset(&t);
    CHECK_OK(buf_addstr(&t, self_a_pem.p));
    line = strchr(t.p, '\n') + 40;
    line[0] = line[0] == 'A' ? 'B' : 'A';
    line[1] = '!';
    CHECK_RC(x509_check_cert(buf_bytes(&t), &info), CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_cert(bytes_str(""), &info), CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_cert(buf_bytes(&key_a), &info), CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_cert(bytes_of(self_a_pem.p, X509_CHECK_PEM_MAX + 1), &info),
             CU_E_MALFORMED_INPUT);
    buf_release(&t);
}

static void key_pairs(void)
{
    bool match = true;

    CHECK_OK(x509_check_key_pair(buf_bytes(&self_a_pem), buf_bytes(&key_a), &match));
    CHECK(match);
    CHECK_OK(x509_check_key_pair(buf_bytes(&leaf_pem), buf_bytes(&key_a), &match));
    CHECK(match); /* the leaf carries key A too */
    CHECK_OK(x509_check_key_pair(buf_bytes(&self_a_pem), buf_bytes(&key_b), &match));
    CHECK(!match);
    CHECK_OK(x509_check_key_pair(buf_bytes(&self_a_pem), buf_bytes(&key_ec), &match));
    CHECK(!match);
    CHECK_OK(x509_check_key_pair(buf_bytes(&other_pem), buf_bytes(&key_ec), &match));
    CHECK(match);
    CHECK_RC(x509_check_key_pair(buf_bytes(&self_a_pem), buf_bytes(&key_enc), &match),
             CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_key_pair(buf_bytes(&self_a_pem), bytes_of(key_a.p, key_a.n / 2), &match),
             CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_key_pair(buf_bytes(&self_a_pem), bytes_str("key"), &match),
             CU_E_MALFORMED_INPUT);
}

static void chains(void)
{
    struct buf t;
    long bad = 7;

    buf_init(&t, X509_CHECK_PEM_MAX);
    CHECK_OK(x509_check_chain(buf_bytes(&leaf_pem), buf_bytes(&ca_pem), &bad));
    CHECK_INT(bad, -1);
    CHECK_OK(x509_check_chain(buf_bytes(&leaf_pem), buf_bytes(&other_pem), &bad));
    CHECK_INT(bad, 0);
    CHECK_OK(buf_addstrs(&t, ca_pem.p, "\n", other_pem.p, NULL));
    CHECK_OK(x509_check_chain(buf_bytes(&leaf_pem), buf_bytes(&t), &bad));
    CHECK_INT(bad, 1);
    CHECK_RC(x509_check_chain(buf_bytes(&leaf_pem), bytes_str("chain"), &bad),
             CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_chain(buf_bytes(&leaf_pem), bytes_of(ca_pem.p, ca_pem.n - 30), &bad),
             CU_E_MALFORMED_INPUT);
    buf_reset(&t);
    CHECK_OK(buf_addstrs(&t, ca_pem.p, "trailing", NULL));
    CHECK_RC(x509_check_chain(buf_bytes(&leaf_pem), buf_bytes(&t), &bad), CU_E_MALFORMED_INPUT);
    buf_release(&t);
}

static void public_pem(EVP_PKEY *key, const char *structure, struct buf *out)
{
    BIO *bio = BIO_new(BIO_s_mem());
    OSSL_ENCODER_CTX *ctx =
        OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_PUBLIC_KEY, "PEM", structure, NULL);

    CHECK(ctx && OSSL_ENCODER_to_bio(ctx, bio) == 1);
    OSSL_ENCODER_CTX_free(ctx);
    bio_text(bio, out);
}

static void rsa_public_keys(void)
{
    struct buf spki, pkcs1, e, n, back, ec_pub;
    BIGNUM *want_n = NULL;

    buf_init(&e, 1024);
    buf_init(&n, 4096);
    buf_init(&back, 8192);
    public_pem(rsa_a, "SubjectPublicKeyInfo", &spki);
    public_pem(rsa_a, "type-specific", &pkcs1);
    public_pem(ec, "SubjectPublicKeyInfo", &ec_pub);
    CHECK(strncmp(pkcs1.p, "-----BEGIN RSA PUBLIC KEY-----", 30) == 0);
    CHECK_OK(x509_check_rsa_from_pem(buf_bytes(&spki), &e, &n));
    CHECK_INT(e.n, 3);
    CHECK(EVP_PKEY_get_bn_param(rsa_a, "n", &want_n) == 1);
    CHECK((size_t)BN_num_bytes(want_n) == n.n);
    CHECK_OK(x509_check_rsa_to_pem(buf_bytes(&e), buf_bytes(&n), &back));
    CHECK_STR(back.p, spki.p);
    buf_reset(&e);
    buf_reset(&n);
    CHECK_OK(x509_check_rsa_from_pem(buf_bytes(&pkcs1), &e, &n));
    CHECK((size_t)BN_num_bytes(want_n) == n.n);
    /* another algorithm, a private key, a certificate, broken text */
    CHECK_RC(x509_check_rsa_from_pem(buf_bytes(&ec_pub), &e, &n), CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_rsa_from_pem(buf_bytes(&key_a), &e, &n), CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_rsa_from_pem(buf_bytes(&self_a_pem), &e, &n), CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_rsa_from_pem(bytes_of(spki.p, spki.n / 2), &e, &n), CU_E_MALFORMED_INPUT);
    CHECK_RC(x509_check_rsa_from_pem(bytes_str(""), &e, &n), CU_E_MALFORMED_INPUT);
    BN_free(want_n);
    buf_release(&spki);
    buf_release(&pkcs1);
    buf_release(&ec_pub);
    buf_release(&e);
    buf_release(&n);
    buf_release(&back);
}

int main(void)
{
    setup();
    certificates();
    key_pairs();
    chains();
    rsa_public_keys();
    teardown();
    TEST_END();
}
