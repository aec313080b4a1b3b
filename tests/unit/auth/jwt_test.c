/* Tests for auth/jwt.c and auth/jwks.c: tokens signed here with the RSA keys of
 * tests/vectors/keys and fresh EC keys (RS256, RS384, RS512, ES256, ES384, ES512) parse and verify against a key set made of
 * those keys' public parameters; a tampered payload or signature, a token signed by
 * another key, a key of the wrong type or curve, alg none or HS256, crit, bad base64url,
 * too few or too many parts, a duplicate claim, an oversized token, an ECDSA signature of
 * the wrong length, and key sets that are not sets, hold no usable key, an RSA key below
 * 2,048 bits or an EC point off its curve are all refused. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "check.h"
#include "test_keys.h"

static void b64url(const uint8_t *p, size_t n, struct buf *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint32_t acc = 0;
    int bits = 0;

    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            if (buf_addch(out, a[(acc >> bits) & 63]) != CU_OK)
                abort();
        }
    }
    if (bits && buf_addch(out, a[(acc << (6 - bits)) & 63]) != CU_OK)
        abort();
}

static void b64url_str(const char *s, struct buf *out)
{
    b64url((const uint8_t *)s, strlen(s), out);
}

static EVP_PKEY *new_key(const char *type, const char *curve, unsigned bits)
{
    EVP_PKEY *k = curve ? EVP_PKEY_Q_keygen(NULL, NULL, type, curve)
                        : EVP_PKEY_Q_keygen(NULL, NULL, type, (size_t)bits);
    if (!k)
        abort();
    return k;
}

/* A BIGNUM parameter as base64url, left-padded to width bytes (0: as is). */
static void bn_member(EVP_PKEY *k, const char *param, size_t width, struct buf *out)
{
    BIGNUM *bn = NULL;
    uint8_t raw[1100];
    int n;

    if (!EVP_PKEY_get_bn_param(k, param, &bn))
        abort();
    n = width ? BN_bn2binpad(bn, raw, (int)width) : BN_bn2bin(bn, raw);
    BN_free(bn);
    b64url(raw, (size_t)n, out);
}

/* One JWK of k, with kid and (when alg is not NULL) alg, appended to out. */
static void jwk(EVP_PKEY *k, const char *kid, const char *alg, size_t ec_len, struct buf *out)
{
    struct buf a, b;

    buf_init(&a, BUF_NO_LIMIT);
    buf_init(&b, BUF_NO_LIMIT);
    if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
        bn_member(k, OSSL_PKEY_PARAM_RSA_N, 0, &a);
        bn_member(k, OSSL_PKEY_PARAM_RSA_E, 0, &b);
        if (buf_addf(out, "{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"",
                     kid, a.p, b.p) != CU_OK)
            abort();
    } else {
        const char *crv = ec_len == 32 ? "P-256" : ec_len == 48 ? "P-384" : "P-521";
        bn_member(k, OSSL_PKEY_PARAM_EC_PUB_X, ec_len, &a);
        bn_member(k, OSSL_PKEY_PARAM_EC_PUB_Y, ec_len, &b);
        if (buf_addf(out, "{\"kty\":\"EC\",\"crv\":\"%s\",\"kid\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"",
                     crv, kid, a.p, b.p) != CU_OK)
            abort();
    }
    if ((alg && buf_addf(out, ",\"alg\":\"%s\"", alg) != CU_OK) || buf_addch(out, '}') != CU_OK)
        abort();
    buf_release(&a);
    buf_release(&b);
}

/* header.payload.signature, signed by k with alg's digest (ECDSA in JOSE's r||s form). */
static void sign(EVP_PKEY *k, const char *header, const char *payload, const char *digest,
                 size_t ec_half, struct buf *out)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t sig[1100], rs[140];
    size_t n = sizeof(sig);

    b64url_str(header, out);
    if (buf_addch(out, '.') != CU_OK)
        abort();
    b64url_str(payload, out);
    if (EVP_DigestSignInit_ex(ctx, NULL, digest, NULL, NULL, k, NULL) != 1 ||
        EVP_DigestSign(ctx, sig, &n, (const uint8_t *)out->p, out->n) != 1)
        abort();
    EVP_MD_CTX_free(ctx);
    if (ec_half) {
        const uint8_t *p = sig;
        ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);
        if (!s)
            abort();
        BN_bn2binpad(ECDSA_SIG_get0_r(s), rs, (int)ec_half);
        BN_bn2binpad(ECDSA_SIG_get0_s(s), rs + ec_half, (int)ec_half);
        ECDSA_SIG_free(s);
        memcpy(sig, rs, 2 * ec_half);
        n = 2 * ec_half;
    }
    if (buf_addch(out, '.') != CU_OK)
        abort();
    b64url(sig, n, out);
}

static const char payload[] = "{\"iss\":\"https://idp.example.com\",\"sub\":\"u1\","
                              "\"aud\":\"app\",\"exp\":1700003600,\"iat\":1700000000}";

static struct jwks *set_of(const char *json)
{
    struct jwks *set = NULL;
    struct cu_err err = {0};

    CHECK_OK(jwks_parse(bytes_str(json), &set, &err));
    return set;
}

/* Sign with k under alg, parse, find the key by kid in set, verify: expect ok. */
static void round_trip(EVP_PKEY *k, const struct jwks *set, const char *alg, const char *digest,
                       size_t half, bool ok)
{
    struct buf tok, header;
    struct jwt j;
    struct cu_err err = {0};

    buf_init(&tok, BUF_NO_LIMIT);
    buf_init(&header, BUF_NO_LIMIT);
    CHECK_OK(buf_addf(&header, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}", alg, alg));
    sign(k, header.p, payload, digest, half, &tok);
    CHECK_OK(jwt_parse(buf_bytes(&tok), &j, &err));
    CHECK_STR(jwt_alg_name(j.alg), alg);
    CHECK_STR(j.kid, alg);
    CHECK_STR(j.typ, "JWT");
    CHECK_STR(json_string_value(json_object_get(j.claims, "sub")), "u1");
    CHECK(jwt_verify(&j, jwks_find(set, j.kid, j.alg)) == ok);
    /* a flipped bit of the payload or of the signature breaks it */
    if (ok) {
        ((uint8_t *)j.signature.p)[j.signature.n / 2] ^= 1;
        CHECK(!jwt_verify(&j, jwks_find(set, j.kid, j.alg)));
        ((uint8_t *)j.signature.p)[j.signature.n / 2] ^= 1;
        CHECK(jwt_verify(&j, jwks_find(set, j.kid, j.alg)));
    }
    jwt_release(&j);
    tok.p[strchr(tok.p, '.') - tok.p + 5] ^= 2; /* a payload character, still base64url */
    if (jwt_parse(buf_bytes(&tok), &j, &err) == CU_OK) {
        CHECK(!jwt_verify(&j, jwks_find(set, j.kid, j.alg)));
        jwt_release(&j);
    }
    buf_release(&tok);
    buf_release(&header);
}

static void refused(const char *token, const char *why)
{
    struct jwt j;
    struct cu_err err = {0};

    CHECK_RC(jwt_parse(bytes_str(token), &j, &err), CU_E_MALFORMED_INPUT);
    CHECK_CONTAINS(err.msg, why);
}

static void test_parse_refusals(EVP_PKEY *rsa)
{
    struct buf t;
    char *big;

    buf_init(&t, BUF_NO_LIMIT);
    b64url_str("{\"alg\":\"none\"}", &t);
    CHECK_OK(buf_addch(&t, '.'));
    b64url_str(payload, &t);
    CHECK_OK(buf_addstr(&t, ".AA"));
    refused(t.p, "not an asymmetric");
    buf_reset(&t);
    sign(rsa, "{\"alg\":\"HS256\"}", payload, "SHA256", 0, &t);
    refused(t.p, "not an asymmetric");
    buf_reset(&t);
    sign(rsa, "{\"alg\":\"RS256\",\"crit\":[\"x\"]}", payload, "SHA256", 0, &t);
    refused(t.p, "critical");
    buf_reset(&t);
    sign(rsa, "{\"alg\":\"RS256\",\"kid\":7}", payload, "SHA256", 0, &t);
    refused(t.p, "kid");
    buf_reset(&t);
    sign(rsa, "{\"alg\":\"RS256\"}", "{\"sub\":\"a\",\"sub\":\"b\"}", "SHA256", 0, &t);
    refused(t.p, "payload is not a JSON object");
    buf_reset(&t);
    sign(rsa, "{\"alg\":\"RS256\"}", "[1]", "SHA256", 0, &t);
    refused(t.p, "payload is not a JSON object");
    buf_reset(&t);
    sign(rsa, "{\"alg\":\"ES256\"}", payload, "SHA256", 0, &t); /* 256-byte signature */
    refused(t.p, "wrong length");
    refused("", "empty");
    refused("a.b", "three");
    refused("a.b.c.d", "three");
    refused("eyJhbGciOiJSUzI1NiJ9.e30.", "signature");
    refused("eyJhbGciOiJSUzI1NiJ9=.e30.AA", "header is not base64url");
    refused("eyJhbGciOiJSUzI1NiJ9.e3+.AA", "payload is not base64url");
    refused("eyJhbGciOiJSUzI1NiJ9.e30.A", "signature");
    refused("e30.e30.AA", "no alg");
    /* "e31" has trailing bits set: another text of the same bytes */
    refused("eyJhbGciOiJSUzI1NiJ9.e31.AA", "payload is not base64url");
    big = malloc(JWT_MAX + 2);
    memset(big, 'A', JWT_MAX + 1);
    big[JWT_MAX + 1] = '\0';
    refused(big, "too long");
    free(big);
    buf_release(&t);
}

static void jwks_refused(const char *json, const char *why)
{
    struct jwks *set = NULL;
    struct cu_err err = {0};

    CHECK_RC(jwks_parse(bytes_str(json), &set, &err), CU_E_MALFORMED_INPUT);
    CHECK(set == NULL);
    CHECK_CONTAINS(err.msg, why);
}

static void test_jwks_refusals(EVP_PKEY *ec256)
{
    struct buf s;
    EVP_PKEY *small = test_key("rsa1024");

    buf_init(&s, BUF_NO_LIMIT);
    jwks_refused("", "not a JSON Web Key Set");
    jwks_refused("[]", "not a JSON Web Key Set");
    jwks_refused("{\"keys\":{}}", "not a JSON Web Key Set");
    jwks_refused("{\"keys\":[]}", "no RSA or EC");
    jwks_refused("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]}", "no RSA or EC");
    jwks_refused("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", "no RSA or EC");
    CHECK_OK(buf_addstr(&s, "{\"keys\":["));
    jwk(small, "small", NULL, 0, &s);
    CHECK_OK(buf_addstr(&s, "]}"));
    jwks_refused(s.p, "no RSA or EC");
    /* an encryption key and a point moved off its curve */
    buf_reset(&s);
    CHECK_OK(buf_addstr(&s, "{\"keys\":["));
    jwk(ec256, "k", NULL, 32, &s);
    CHECK_OK(buf_addstr(&s, "]}"));
    s.p[strstr(s.p, "\"y\":\"") - s.p + 6] ^= 1;
    jwks_refused(s.p, "no RSA or EC");
    buf_reset(&s);
    CHECK_OK(buf_addstr(&s, "{\"keys\":["));
    jwk(ec256, "k", NULL, 32, &s);
    s.n--;
    CHECK_OK(buf_addstr(&s, ",\"use\":\"enc\"}]}"));
    jwks_refused(s.p, "no RSA or EC");
    EVP_PKEY_free(small);
    buf_release(&s);
}

int main(void)
{
    EVP_PKEY *rsa = test_key("rsa2048-a"), *rsa2 = test_key("rsa2048-b");
    EVP_PKEY *p256 = new_key("EC", "P-256", 0), *p384 = new_key("EC", "P-384", 0);
    EVP_PKEY *p521 = new_key("EC", "P-521", 0);
    struct buf s;
    struct jwks *set, *other;

    buf_init(&s, BUF_NO_LIMIT);
    CHECK_OK(buf_addstr(&s, "{\"keys\":["));
    jwk(rsa, "RS256", NULL, 0, &s);
    CHECK_OK(buf_addch(&s, ','));
    jwk(rsa, "RS384", "RS384", 0, &s);
    CHECK_OK(buf_addch(&s, ','));
    jwk(rsa, "RS512", NULL, 0, &s);
    CHECK_OK(buf_addch(&s, ','));
    jwk(p256, "ES256", "ES256", 32, &s);
    CHECK_OK(buf_addch(&s, ','));
    jwk(p384, "ES384", NULL, 48, &s);
    CHECK_OK(buf_addch(&s, ','));
    jwk(p521, "ES512", NULL, 66, &s);
    /* one key custos skips: symmetric */
    CHECK_OK(buf_addstr(&s, ",{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"}]}"));
    set = set_of(s.p);
    CHECK_INT(jwks_count(set), 6);
    round_trip(rsa, set, "RS256", "SHA256", 0, true);
    round_trip(rsa, set, "RS384", "SHA384", 0, true);
    round_trip(rsa, set, "RS512", "SHA512", 0, true);
    round_trip(p256, set, "ES256", "SHA256", 32, true);
    round_trip(p384, set, "ES384", "SHA384", 48, true);
    round_trip(p521, set, "ES512", "SHA512", 66, true);
    /* signed by another key than the one of its kid */
    round_trip(rsa2, set, "RS256", "SHA256", 0, false);
    /* a kid whose key is of another type or curve, or names another alg, is not found */
    CHECK(jwks_find(set, "ES256", JWT_RS256) == NULL);
    CHECK(jwks_find(set, "ES384", JWT_ES256) == NULL);
    CHECK(jwks_find(set, "RS384", JWT_RS256) == NULL);
    CHECK(jwks_find(set, "RS256", JWT_RS384) != NULL);
    CHECK(jwks_find(set, "nope", JWT_RS256) == NULL);
    /* no kid: the one key that fits, or none when several do */
    CHECK(jwks_find(set, "", JWT_ES256) != NULL);
    CHECK(jwks_find(set, "", JWT_RS256) == NULL);
    /* a key of the wrong type never verifies */
    {
        struct buf t;
        struct jwt j;
        struct cu_err err = {0};
        buf_init(&t, BUF_NO_LIMIT);
        sign(rsa, "{\"alg\":\"RS256\"}", payload, "SHA256", 0, &t);
        CHECK_OK(jwt_parse(buf_bytes(&t), &j, &err));
        CHECK(!jwt_verify(&j, p256));
        CHECK(!jwt_verify(&j, NULL));
        CHECK(jwt_verify(&j, rsa));
        jwt_release(&j);
        buf_release(&t);
    }
    buf_reset(&s);
    CHECK_OK(buf_addstr(&s, "{\"keys\":["));
    jwk(rsa2, "RS256", NULL, 0, &s);
    CHECK_OK(buf_addstr(&s, "]}"));
    other = set_of(s.p);
    round_trip(rsa, other, "RS256", "SHA256", 0, false);
    jwks_free(other);
    /* n with a leading zero octet (not minimal, as some providers write it) still works */
    {
        BIGNUM *bn = NULL;
        uint8_t raw[257] = {0};
        struct buf a, e;
        buf_init(&a, BUF_NO_LIMIT);
        buf_init(&e, BUF_NO_LIMIT);
        if (!EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_N, &bn) ||
            BN_bn2binpad(bn, raw + 1, 256) != 256)
            abort();
        BN_free(bn);
        b64url(raw, sizeof(raw), &a);
        bn_member(rsa, OSSL_PKEY_PARAM_RSA_E, 0, &e);
        buf_reset(&s);
        CHECK_OK(buf_addf(&s, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"RS256\",\"n\":\"%s\","
                              "\"e\":\"%s\"}]}", a.p, e.p));
        other = set_of(s.p);
        round_trip(rsa, other, "RS256", "SHA256", 0, true);
        buf_release(&a);
        buf_release(&e);
    }
    {
        json_t *c = json_pack("{s:I, s:f, s:s, s:I}", "a", (json_int_t)5, "b", 7.9, "c", "x",
                              "d", (json_int_t)-1);
        int64_t t = 0;
        CHECK(jwt_claim_time(c, "a", &t) && t == 5);
        CHECK(jwt_claim_time(c, "b", &t) && t == 7);
        CHECK(!jwt_claim_time(c, "c", &t));
        CHECK(!jwt_claim_time(c, "d", &t));
        CHECK(!jwt_claim_time(c, "e", &t));
        json_decref(c);
    }
    test_parse_refusals(rsa);
    test_jwks_refusals(p256);
    jwks_free(set);
    jwks_free(other);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(rsa2);
    EVP_PKEY_free(p256);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(p521);
    buf_release(&s);
    TEST_END();
}
