/* Tests for crypto/asym_key.c: RSA, EC and HMAC keys generated, sealed and opened (bound to
 * master key and AAD; tampered, truncated, unknown-format and wrong-AAD blobs refused),
 * signatures checked by an independent OpenSSL path on the public DER (and tampered ones
 * refused), RSA-OAEP both ways with SHA-1 and SHA-256, HMAC against RFC 4231, PKCS#8
 * export (read back by OpenSSL, its public half the key's), and ECDH: both sides agree, and
 * a peer key that is garbage, truncated, padded, off the curve, on another curve or RSA is
 * CU_E_VALIDATION; and imported material (asym_key_import): fixed RSA and EC keys in PKCS#8
 * taken as the spec they are and refused as any other size, curve or type, truncated,
 * padded, tampered or oversized; HMAC keys of the spec's length up to 1024 bits. */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "check.h"
#include "test_keys.h"
#include "core/err.h"
#include "crypto/asym_key.h"

static EVP_PKEY *public_of(const struct asym_key *k)
{
    struct buf der;
    const unsigned char *p;
    EVP_PKEY *pub;

    buf_init(&der, 8192);
    CHECK_OK(asym_key_public_der(k, &der));
    p = (const unsigned char *)der.p;
    pub = d2i_PUBKEY(NULL, &p, (long)der.n);
    CHECK(pub != NULL);
    buf_release(&der);
    return pub;
}

/* Verify with EVP_DigestVerify on the public key, apart from asym_key_verify. */
static int independent_verify(EVP_PKEY *pub, const char *md, enum asym_pad pad, const char *msg,
                              struct bytes sig)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int ok;

    CHECK(EVP_DigestVerifyInit_ex(c, &pc, md, NULL, NULL, pub, NULL) == 1);
    if (pad == ASYM_PAD_PSS) {
        CHECK(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1);
        CHECK(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) == 1);
    }
    ok = EVP_DigestVerify(c, sig.p, sig.n, (const uint8_t *)msg, strlen(msg));
    EVP_MD_CTX_free(c);
    return ok;
}

/* RSA key generation takes tens of seconds under valgrind, where this test also runs: the
 * RSA-2048 key of the tests that are not about generation is made once, here (which
 * still tests asym_key_generate for RSA), and shared; other keys are made per test. */
static struct asym_key *shared_rsa;

static struct asym_key *key_of(enum asym_type type, int bits, const char *curve)
{
    struct asym_key *k = NULL;

    if (type == ASYM_RSA && bits == 2048) {
        if (!shared_rsa)
            CHECK_OK(asym_key_generate(ASYM_RSA, 2048, NULL, &shared_rsa));
        return shared_rsa;
    }
    CHECK_OK(asym_key_generate(type, bits, curve, &k));
    return k;
}

static void key_done(struct asym_key *k)
{
    if (k != shared_rsa)
        asym_key_free(k);
}

static void sign_and_verify(enum asym_type type, int bits, const char *curve, const char *md,
                            enum asym_pad pad)
{
    struct asym_key *k = NULL;
    struct buf sig;
    uint8_t d[ASYM_DIGEST_MAX];
    size_t n = 0;
    bool valid = false;
    EVP_PKEY *pub;
    const char *msg = "sign me";

    buf_init(&sig, 4096);
    k = key_of(type, bits, curve);
    CHECK_OK(asym_digest(md, bytes_str(msg), d, &n));
    CHECK_OK(asym_key_sign(k, md, pad, bytes_of(d, n), &sig));
    pub = public_of(k);
    CHECK(independent_verify(pub, md, pad, msg, buf_bytes(&sig)) == 1);
    CHECK_OK(asym_key_verify(k, md, pad, bytes_of(d, n), buf_bytes(&sig), &valid));
    CHECK(valid);
    sig.p[sig.n / 2] ^= 1;
    CHECK_OK(asym_key_verify(k, md, pad, bytes_of(d, n), buf_bytes(&sig), &valid));
    CHECK(!valid);
    CHECK_OK(asym_key_verify(k, md, pad, bytes_of(d, n), bytes_of(sig.p, 3), &valid));
    CHECK(!valid);
    CHECK_OK(asym_key_verify(k, md, pad, bytes_of(d, n), bytes_of(NULL, 0), &valid));
    CHECK(!valid);
    d[0] ^= 1;
    sig.p[sig.n / 2] ^= 1;
    CHECK_OK(asym_key_verify(k, md, pad, bytes_of(d, n), buf_bytes(&sig), &valid));
    CHECK(!valid);
    EVP_PKEY_free(pub);
    key_done(k);
    buf_release(&sig);
}

static void oaep(const char *md)
{
    struct asym_key *k = NULL;
    struct buf ct;
    struct secret *plain = NULL;
    EVP_PKEY *pub;
    EVP_PKEY_CTX *c;
    uint8_t mine[512];
    size_t n = sizeof(mine);

    buf_init(&ct, 4096);
    k = key_of(ASYM_RSA, 2048, NULL);
    CHECK_OK(asym_key_encrypt(k, md, bytes_str("secret"), &ct));
    CHECK_INT(ct.n, 256);
    CHECK_OK(asym_key_decrypt(k, md, buf_bytes(&ct), &plain));
    CHECK_INT(plain->n, 6);
    CHECK_MEM(plain->p, "secret", 6);
    secret_free(plain);
    plain = NULL;
    ct.p[10] ^= 1;
    CHECK_RC(asym_key_decrypt(k, md, buf_bytes(&ct), &plain), CU_E_SEAL_BROKEN);
    CHECK_RC(asym_key_decrypt(k, md, bytes_of(ct.p, 100), &plain), CU_E_SEAL_BROKEN);
    /* an independent encryption to the public key opens */
    pub = public_of(k);
    c = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
    CHECK(EVP_PKEY_encrypt_init(c) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_oaep_md_name(c, md, NULL) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_mgf1_md_name(c, md, NULL) == 1);
    CHECK(EVP_PKEY_encrypt(c, mine, &n, (const uint8_t *)"theirs", 6) == 1);
    CHECK_OK(asym_key_decrypt(k, md, bytes_of(mine, n), &plain));
    CHECK_MEM(plain->p, "theirs", 6);
    /* too long for OAEP: an internal error, never a truncation */
    {
        uint8_t big[300] = {0};
        CHECK_RC(asym_key_encrypt(k, md, bytes_of(big, sizeof(big)), &ct), CU_E_INTERNAL);
    }
    secret_free(plain);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(pub);
    key_done(k);
    buf_release(&ct);
}

static void at_rest(void)
{
    struct master_key *mk = NULL, *mk2 = NULL;
    struct asym_key *k = NULL, *back = NULL;
    struct buf sealed, sig, der1, der2;
    bool valid = false;
    uint8_t d[ASYM_DIGEST_MAX];
    size_t n = 0;

    buf_init(&sealed, 1 << 16);
    buf_init(&sig, 4096);
    buf_init(&der1, 4096);
    buf_init(&der2, 4096);
    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_new_random(&mk2));
    CHECK_OK(asym_key_generate(ASYM_EC, 384, "P-384", &k));
    CHECK_OK(asym_key_seal(mk, k, bytes_str("arn#1"), &sealed));
    CHECK_OK(asym_key_open(mk, buf_bytes(&sealed), bytes_str("arn#1"), &back));
    CHECK_OK(asym_key_public_der(k, &der1));
    CHECK_OK(asym_key_public_der(back, &der2));
    CHECK_INT(der1.n, der2.n);
    CHECK_MEM(der1.p, der2.p, der1.n);
    /* the reopened key signs what the original verifies */
    CHECK_OK(asym_digest("SHA384", bytes_str("m"), d, &n));
    CHECK_OK(asym_key_sign(back, "SHA384", ASYM_PAD_ECDSA, bytes_of(d, n), &sig));
    CHECK_OK(asym_key_verify(k, "SHA384", ASYM_PAD_ECDSA, bytes_of(d, n), buf_bytes(&sig), &valid));
    CHECK(valid);
    asym_key_free(back);
    back = NULL;
    CHECK_RC(asym_key_open(mk, buf_bytes(&sealed), bytes_str("arn#2"), &back), CU_E_SEAL_BROKEN);
    CHECK_RC(asym_key_open(mk2, buf_bytes(&sealed), bytes_str("arn#1"), &back), CU_E_SEAL_BROKEN);
    CHECK_RC(asym_key_open(mk, bytes_of(sealed.p, sealed.n - 1), bytes_str("arn#1"), &back),
             CU_E_SEAL_BROKEN);
    sealed.p[sealed.n / 2] ^= 1;
    CHECK_RC(asym_key_open(mk, buf_bytes(&sealed), bytes_str("arn#1"), &back), CU_E_SEAL_BROKEN);
    /* authentic blobs that are not key material: unknown format, garbage DER, empty */
    buf_reset(&sealed);
    CHECK_OK(master_key_seal(mk, bytes_str("\x07" "abc"), bytes_str("a"), &sealed));
    CHECK_RC(asym_key_open(mk, buf_bytes(&sealed), bytes_str("a"), &back), CU_E_SEAL_BROKEN);
    buf_reset(&sealed);
    CHECK_OK(master_key_seal(mk, bytes_str("\x01" "not der"), bytes_str("a"), &sealed));
    CHECK_RC(asym_key_open(mk, buf_bytes(&sealed), bytes_str("a"), &back), CU_E_SEAL_BROKEN);
    buf_reset(&sealed);
    CHECK_OK(master_key_seal(mk, bytes_str("\x02"), bytes_str("a"), &sealed));
    CHECK_RC(asym_key_open(mk, buf_bytes(&sealed), bytes_str("a"), &back), CU_E_SEAL_BROKEN);
    CHECK(back == NULL);
    asym_key_free(k);
    master_key_free(mk);
    master_key_free(mk2);
    buf_release(&sealed);
    buf_release(&sig);
    buf_release(&der1);
    buf_release(&der2);
}

/* RFC 4231 test case 2 through the sealed HMAC format (format byte 2 || key). */
static void hmac_vector(void)
{
    static const uint8_t want[32] = {
        0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
        0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
    struct master_key *mk = NULL;
    struct asym_key *k = NULL, *fresh = NULL;
    struct buf sealed;
    uint8_t mac[ASYM_DIGEST_MAX];
    size_t n = 0;

    buf_init(&sealed, 4096);
    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_seal(mk, bytes_str("\x02" "Jefe"), bytes_str("a"), &sealed));
    CHECK_OK(asym_key_open(mk, buf_bytes(&sealed), bytes_str("a"), &k));
    CHECK_OK(asym_key_hmac(k, "SHA256", bytes_str("what do ya want for nothing?"), mac, &n));
    CHECK_INT(n, 32);
    CHECK_MEM(mac, want, 32);
    /* an HMAC key has no public key and does not sign */
    buf_reset(&sealed);
    CHECK_RC(asym_key_public_der(k, &sealed), CU_E_INTERNAL);
    CHECK_RC(asym_key_sign(k, "SHA256", ASYM_PAD_PKCS1, bytes_of(mac, 32), &sealed),
             CU_E_INTERNAL);
    /* generated HMAC keys: the asked-for length, distinct material */
    CHECK_OK(asym_key_generate(ASYM_HMAC, 512, NULL, &fresh));
    CHECK_OK(asym_key_hmac(fresh, "SHA512", bytes_str("x"), mac, &n));
    CHECK_INT(n, 64);
    asym_key_free(k);
    CHECK_RC(asym_key_generate(ASYM_HMAC, 1000, NULL, &k), CU_E_INTERNAL);
    CHECK_RC(asym_key_generate(ASYM_EC, 0, "no-such-curve", &k), CU_E_INTERNAL);
    asym_key_free(fresh);
    master_key_free(mk);
    buf_release(&sealed);
}

/* PKCS#8 as d2i_PKCS8_PRIV_KEY_INFO reads it, the same key as k's public DER. */
static void pkcs8(enum asym_type type, int bits, const char *curve)
{
    struct asym_key *k = NULL;
    struct secret *der = NULL;
    const unsigned char *p;
    PKCS8_PRIV_KEY_INFO *p8;
    EVP_PKEY *back, *pub;

    k = key_of(type, bits, curve);
    CHECK_OK(asym_key_pkcs8(k, &der));
    p = der->p;
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)der->n);
    CHECK(p8 != NULL && p == der->p + der->n);
    back = EVP_PKCS82PKEY(p8);
    pub = public_of(k);
    CHECK(back != NULL && EVP_PKEY_eq(back, pub) == 1);
    EVP_PKEY_free(back);
    EVP_PKEY_free(pub);
    PKCS8_PRIV_KEY_INFO_free(p8);
    secret_free(der);
    key_done(k);
}

static void derive(void)
{
    struct asym_key *a = NULL, *b = NULL, *other = NULL, *rsa = NULL, *hmac = NULL;
    struct secret *sa = NULL, *sb = NULL, *none = NULL;
    struct buf pa, pb, po, pr;

    buf_init(&pa, 4096);
    buf_init(&pb, 4096);
    buf_init(&po, 4096);
    buf_init(&pr, 4096);
    CHECK_OK(asym_key_generate(ASYM_EC, 256, "P-256", &a));
    CHECK_OK(asym_key_generate(ASYM_EC, 256, "P-256", &b));
    CHECK_OK(asym_key_generate(ASYM_EC, 384, "P-384", &other));
    CHECK_OK(asym_key_generate(ASYM_RSA, 1024, NULL, &rsa));
    CHECK_OK(asym_key_generate(ASYM_HMAC, 256, NULL, &hmac));
    CHECK_OK(asym_key_public_der(a, &pa));
    CHECK_OK(asym_key_public_der(b, &pb));
    CHECK_OK(asym_key_public_der(other, &po));
    CHECK_OK(asym_key_public_der(rsa, &pr));
    CHECK_OK(asym_key_derive(a, buf_bytes(&pb), &sa));
    CHECK_OK(asym_key_derive(b, buf_bytes(&pa), &sb));
    CHECK(sa->n == 32 && ct_equal(sa->p, sa->n, sb->p, sb->n));
    CHECK_RC(asym_key_derive(a, bytes_str("garbage"), &none), CU_E_VALIDATION);
    CHECK(none == NULL);
    CHECK_RC(asym_key_derive(a, bytes_of(pb.p, pb.n - 1), &none), CU_E_VALIDATION);
    CHECK_RC(asym_key_derive(a, bytes_of(NULL, 0), &none), CU_E_VALIDATION);
    CHECK_RC(asym_key_derive(a, buf_bytes(&po), &none), CU_E_VALIDATION);
    CHECK_RC(asym_key_derive(a, buf_bytes(&pr), &none), CU_E_VALIDATION);
    CHECK_OK(buf_add(&pb, "\0", 1));
    CHECK_RC(asym_key_derive(a, buf_bytes(&pb), &none), CU_E_VALIDATION);
    pb.n--;
    pb.p[pb.n - 1] ^= 1; /* y no longer on the curve */
    CHECK_RC(asym_key_derive(a, buf_bytes(&pb), &none), CU_E_VALIDATION);
    CHECK_RC(asym_key_derive(rsa, buf_bytes(&pa), &none), CU_E_INTERNAL);
    CHECK_RC(asym_key_derive(hmac, buf_bytes(&pa), &none), CU_E_INTERNAL);
    CHECK(none == NULL);
    secret_free(sa);
    secret_free(sb);
    asym_key_free(a);
    asym_key_free(b);
    asym_key_free(other);
    asym_key_free(rsa);
    asym_key_free(hmac);
    buf_release(&pa);
    buf_release(&pb);
    buf_release(&po);
    buf_release(&pr);
}

/* The PKCS#8 DER of a fixed test key, in a buf. */
static void fixed_pkcs8(const char *name, struct buf *out)
{
    EVP_PKEY *k = test_key(name);
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
    unsigned char *der = NULL;
    int n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);

    CHECK(n > 0);
    CHECK_OK(buf_add(out, der, (size_t)n));
    OPENSSL_clear_free(der, (size_t)n);
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(k);
}

/* asym_key_import of `der` as type/bits/curve must give the fixed key `name` back. */
static void imports_as(const char *name, struct bytes der, enum asym_type type, int bits,
                       const char *curve)
{
    struct asym_key *k = NULL;
    EVP_PKEY *want = test_key(name), *pub;

    CHECK_OK(asym_key_import(type, bits, curve, der, &k));
    pub = public_of(k);
    CHECK(EVP_PKEY_eq(pub, want) == 1);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(want);
    asym_key_free(k);
}

static void refused(enum asym_type type, int bits, const char *curve, struct bytes der)
{
    struct asym_key *k = NULL;

    CHECK_RC(asym_key_import(type, bits, curve, der, &k), CU_E_VALIDATION);
    CHECK(k == NULL);
}

static void imported(void)
{
    static uint8_t big[ASYM_IMPORT_MAX + 1], raw[129];
    struct buf rsa, ec, bad;
    struct asym_key *k = NULL;
    uint8_t mac[ASYM_DIGEST_MAX];
    size_t n;

    buf_init(&rsa, 8192);
    buf_init(&ec, 4096);
    buf_init(&bad, 8192);
    fixed_pkcs8("rsa2048-a", &rsa);
    fixed_pkcs8("ecp256", &ec);
    imports_as("rsa2048-a", buf_bytes(&rsa), ASYM_RSA, 2048, NULL);
    imports_as("ecp256", buf_bytes(&ec), ASYM_EC, 256, "P-256");
    /* another size, curve or type */
    refused(ASYM_RSA, 3072, NULL, buf_bytes(&rsa));
    refused(ASYM_EC, 256, "P-256", buf_bytes(&rsa));
    refused(ASYM_EC, 384, "P-384", buf_bytes(&ec));
    refused(ASYM_EC, 256, "secp256k1", buf_bytes(&ec));
    refused(ASYM_RSA, 2048, NULL, buf_bytes(&ec));
    refused(ASYM_EC, 256, NULL, buf_bytes(&ec));
    /* truncated, padded, empty, oversized, not DER at all */
    refused(ASYM_RSA, 2048, NULL, bytes_of(rsa.p, rsa.n - 1));
    refused(ASYM_EC, 256, "P-256", bytes_of(ec.p, 20));
    CHECK_OK(buf_add(&bad, rsa.p, rsa.n));
    CHECK_OK(buf_add(&bad, "\0", 1));
    refused(ASYM_RSA, 2048, NULL, buf_bytes(&bad));
    refused(ASYM_RSA, 2048, NULL, bytes_of(NULL, 0));
    memcpy(big, rsa.p, rsa.n);
    refused(ASYM_RSA, 2048, NULL, bytes_of(big, sizeof(big)));
    refused(ASYM_EC, 256, "P-256", bytes_str("not a key"));
    /* tampered inside the private numbers: the halves no longer agree */
    buf_reset(&bad);
    CHECK_OK(buf_add(&bad, rsa.p, rsa.n));
    bad.p[bad.n - 3] ^= 0x10;
    refused(ASYM_RSA, 2048, NULL, buf_bytes(&bad));
    buf_reset(&bad);
    CHECK_OK(buf_add(&bad, ec.p, ec.n));
    bad.p[40] ^= 0x01; /* the private scalar, against the public point that follows */
    refused(ASYM_EC, 256, "P-256", buf_bytes(&bad));
    /* HMAC: from the spec's length to 1024 bits; the key is the bytes given */
    refused(ASYM_HMAC, 224, NULL, bytes_of(raw, 27));
    refused(ASYM_HMAC, 512, NULL, bytes_of(raw, 129));
    for (size_t i = 0; i < sizeof(raw); i++)
        raw[i] = (uint8_t)i;
    CHECK_OK(asym_key_import(ASYM_HMAC, 512, NULL, bytes_of(raw, 128), &k));
    CHECK_OK(asym_key_hmac(k, "SHA512", bytes_str("m"), mac, &n));
    CHECK(n == 64);
    asym_key_free(k);
    k = NULL;
    CHECK_OK(asym_key_import(ASYM_HMAC, 224, NULL, bytes_of(raw, 28), &k));
    asym_key_free(k);
    buf_release(&bad);
    buf_release(&ec);
    buf_release(&rsa);
}

int main(void)
{
    if (secret_heap_init(1 << 16) != CU_OK)
        fprintf(stderr, "secure heap unavailable; testing on the ordinary heap\n");
    sign_and_verify(ASYM_RSA, 2048, NULL, "SHA256", ASYM_PAD_PKCS1);
    sign_and_verify(ASYM_RSA, 2048, NULL, "SHA512", ASYM_PAD_PSS);
    sign_and_verify(ASYM_EC, 256, "P-256", "SHA256", ASYM_PAD_ECDSA);
    sign_and_verify(ASYM_EC, 521, "P-521", "SHA512", ASYM_PAD_ECDSA);
    sign_and_verify(ASYM_EC, 256, "secp256k1", "SHA256", ASYM_PAD_ECDSA);
    oaep("SHA1");
    oaep("SHA256");
    at_rest();
    hmac_vector();
    pkcs8(ASYM_RSA, 2048, NULL);
    pkcs8(ASYM_EC, 256, "P-256");
    pkcs8(ASYM_EC, 256, "SM2");
    pkcs8(ASYM_EC, 255, "ED25519");
    derive();
    imported();
    asym_key_free(shared_rsa);
    TEST_END();
}
