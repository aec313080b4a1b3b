/* Tests for auth/oidc_keys.c: ISSUER_URL=JWKS_FILE registered and its file read; a spec
 * without '=', an issuer that is not https, an issuer given twice, an unreadable file or a
 * file without a usable key refused with the operator's message; a token verified only
 * under its issuer's set (another issuer's, none, an unknown kid: OIDC_NO_KEY; a wrong
 * signature: OIDC_BAD_SIGNATURE); a reload that picks up a new key, and one whose file
 * went bad keeping the keys read before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "auth/oidc_keys.h"
#include "check.h"

static void b64url(const uint8_t *p, size_t n, struct buf *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint32_t acc = 0;
    int bits = 0;

    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | p[i];
        for (bits += 8; bits >= 6; bits -= 6)
            if (buf_addch(out, a[(acc >> (bits - 6)) & 63]) != CU_OK)
                abort();
    }
    if (bits && buf_addch(out, a[(acc << (6 - bits)) & 63]) != CU_OK)
        abort();
}

static void coord(EVP_PKEY *k, const char *param, struct buf *out)
{
    BIGNUM *bn = NULL;
    uint8_t raw[32];

    if (!EVP_PKEY_get_bn_param(k, param, &bn) || BN_bn2binpad(bn, raw, 32) != 32)
        abort();
    BN_free(bn);
    b64url(raw, 32, out);
}

/* Write a key set of P-256 keys k1 (and k2, when not NULL) as kids "a" and "b". */
static void write_set(const char *path, EVP_PKEY *k1, EVP_PKEY *k2)
{
    struct buf s;
    FILE *f;

    buf_init(&s, BUF_NO_LIMIT);
    if (buf_addstr(&s, "{\"keys\":[") != CU_OK)
        abort();
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *k = i ? k2 : k1;
        if (!k)
            continue;
        if (buf_addstrs(&s, i ? "," : "", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"",
                        i ? "b" : "a", "\",\"x\":\"", NULL) != CU_OK)
            abort();
        coord(k, OSSL_PKEY_PARAM_EC_PUB_X, &s);
        if (buf_addstr(&s, "\",\"y\":\"") != CU_OK)
            abort();
        coord(k, OSSL_PKEY_PARAM_EC_PUB_Y, &s);
        if (buf_addstr(&s, "\"}") != CU_OK)
            abort();
    }
    if (buf_addstr(&s, "]}") != CU_OK)
        abort();
    f = fopen(path, "w");
    if (!f || fwrite(s.p, 1, s.n, f) != s.n || fclose(f) != 0)
        abort();
    buf_release(&s);
}

/* An ES256 token with kid, signed by k, parsed into j (token's text in tok). */
static void token(EVP_PKEY *k, const char *kid, struct buf *tok, struct jwt *j)
{
    char header[64];
    static const char claims[] = "{\"iss\":\"https://idp.example.com\",\"sub\":\"u\"}";
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t der[80], rs[64];
    size_t n = sizeof(der);
    const uint8_t *p = der;
    ECDSA_SIG *sig;
    struct cu_err err = {0};

    snprintf(header, sizeof(header), "{\"alg\":\"ES256\",\"kid\":\"%s\"}", kid);
    b64url((const uint8_t *)header, strlen(header), tok);
    if (buf_addch(tok, '.') != CU_OK)
        abort();
    b64url((const uint8_t *)claims, strlen(claims), tok);
    if (EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, k, NULL) != 1 ||
        EVP_DigestSign(ctx, der, &n, (const uint8_t *)tok->p, tok->n) != 1)
        abort();
    EVP_MD_CTX_free(ctx);
    sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
    if (!sig)
        abort();
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32);
    ECDSA_SIG_free(sig);
    if (buf_addch(tok, '.') != CU_OK)
        abort();
    b64url(rs, 64, tok);
    CHECK_OK(jwt_parse(buf_bytes(tok), j, &err));
}

static void refused(struct oidc_keys *k, const char *spec, const char *why)
{
    struct cu_err err = {0};

    CHECK_RC(oidc_keys_add(k, spec, &err), CU_E_VALIDATION);
    CHECK_CONTAINS(err.msg, why);
}

int main(void)
{
    char dir[] = "/tmp/oidc-keys-test-XXXXXX", path[128], bad[128], spec[300];
    EVP_PKEY *k1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    struct oidc_keys *k = NULL;
    struct cu_err err = {0};
    struct buf t1, t2, t3; /* the tokens' text: each jwt views its own */
    struct jwt j1, j2, forged;
    FILE *f;

    if (!mkdtemp(dir) || !k1 || !k2)
        abort();
    snprintf(path, sizeof(path), "%s/set.json", dir);
    snprintf(bad, sizeof(bad), "%s/bad.json", dir);
    write_set(path, k1, NULL);
    f = fopen(bad, "w");
    if (!f || fputs("{\"keys\":[]}", f) < 0 || fclose(f) != 0)
        abort();
    buf_init(&t1, BUF_NO_LIMIT);
    buf_init(&t2, BUF_NO_LIMIT);
    buf_init(&t3, BUF_NO_LIMIT);
    token(k1, "a", &t1, &j1);
    token(k2, "b", &t2, &j2);
    token(k2, "a", &t3, &forged); /* kid a, signed by the other key */

    CHECK(oidc_keys_verify(NULL, "https://idp.example.com", &j1) == OIDC_NO_KEY);
    CHECK_OK(oidc_keys_new(&k));
    snprintf(spec, sizeof(spec), "https://idp.example.com=%s", path);
    CHECK_OK(oidc_keys_add(k, spec, &err));
    refused(k, spec, "given twice");
    refused(k, "https://idp.example.com", "ISSUER_URL=JWKS_FILE");
    refused(k, "https://x.example.com=", "ISSUER_URL=JWKS_FILE");
    snprintf(spec, sizeof(spec), "http://idp.example.com=%s", path);
    refused(k, spec, "https:// URL");
    snprintf(spec, sizeof(spec), "https://other.example.com=%s/missing.json", dir);
    refused(k, spec, "cannot read");
    snprintf(spec, sizeof(spec), "https://other.example.com=%s", bad);
    refused(k, spec, "holds no RSA or EC");

    CHECK(oidc_keys_verify(k, "https://idp.example.com", &j1) == OIDC_VERIFIED);
    CHECK(oidc_keys_verify(k, "https://idp.example.com/", &j1) == OIDC_NO_KEY);
    CHECK(oidc_keys_verify(k, "https://other.example.com", &j1) == OIDC_NO_KEY);
    CHECK(oidc_keys_verify(k, "https://idp.example.com", &j2) == OIDC_NO_KEY);
    CHECK(oidc_keys_verify(k, "https://idp.example.com", &forged) == OIDC_BAD_SIGNATURE);
    /* a new key appears on reload */
    write_set(path, k1, k2);
    CHECK_INT(oidc_keys_reload(k), 0);
    CHECK(oidc_keys_verify(k, "https://idp.example.com", &j2) == OIDC_VERIFIED);
    /* a file gone bad keeps what was read before */
    f = fopen(path, "w");
    if (!f || fputs("{not json", f) < 0 || fclose(f) != 0)
        abort();
    CHECK_INT(oidc_keys_reload(k), 1);
    CHECK(oidc_keys_verify(k, "https://idp.example.com", &j1) == OIDC_VERIFIED);
    CHECK(oidc_keys_verify(k, "https://idp.example.com", &j2) == OIDC_VERIFIED);
    unlink(path);
    CHECK_INT(oidc_keys_reload(k), 1);
    CHECK(oidc_keys_verify(k, "https://idp.example.com", &j2) == OIDC_VERIFIED);

    jwt_release(&j1);
    jwt_release(&j2);
    jwt_release(&forged);
    buf_release(&t1);
    buf_release(&t2);
    buf_release(&t3);
    oidc_keys_free(k);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    unlink(bad);
    rmdir(dir);
    TEST_END();
}
