/* jwt.c — compact JWS parsing and signature verification (jwt.h). The parser is pure and
 * bounded: the token is at most JWT_MAX bytes, each part is decoded into its own buffer,
 * and the JSON parts are parsed by jansson with duplicate members refused (a claim named
 * twice could mean one thing to custos and another to whoever minted the token). The
 * header is read before anything else: an alg custos does not verify asymmetrically ends
 * the parse, so "none" or "HS256" never reaches a key. */
#include <stdio.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "core/codec.h"
#include "jwt.h"

/* Each alg's digest and, for ECDSA, the byte length of r (and of s). */
static const struct {
    const char *digest;
    size_t ec_half;
} algs[JWT_ALG_COUNT] = {
    [JWT_RS256] = {"SHA256", 0},  [JWT_RS384] = {"SHA384", 0},  [JWT_RS512] = {"SHA512", 0},
    [JWT_ES256] = {"SHA256", 32}, [JWT_ES384] = {"SHA384", 48}, [JWT_ES512] = {"SHA512", 66},
};

bool jwt_b64url_decode(struct bytes in, struct buf *out)
{
    /* RFC 7515's base64url without padding, canonical (core/codec.c) */
    return base64url_decode(in, out) == CU_OK;
}

bool jwt_claim_time(const json_t *claims, const char *name, int64_t *out)
{
    const json_t *v = json_object_get(claims, name);
    double d;

    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0 || json_integer_value(v) > ((json_int_t)1 << 53))
            return false;
        *out = (int64_t)json_integer_value(v);
        return true;
    }
    if (!json_is_real(v))
        return false;
    d = json_real_value(v);
    if (!(d >= 0 && d <= 9007199254740992.0))
        return false;
    *out = (int64_t)d;
    return true;
}

/* Decode one base64url part and parse it as a JSON object. */
static cu_rc decode_object(struct bytes part, const char *what, json_t **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct buf raw;
    json_error_t jerr;

    buf_init(&raw, JWT_MAX);
    ENSURE(jwt_b64url_decode(part, &raw),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the token's %s is not base64url", what));
    *out = json_loadb(raw.n ? raw.p : "", raw.n, JSON_REJECT_DUPLICATES, &jerr);
    ENSURE(*out && json_is_object(*out),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the token's %s is not a JSON object", what));
out:
    if (rc != CU_OK) {
        json_decref(*out);
        *out = NULL;
    }
    buf_release(&raw);
    return rc;
}

/* alg, kid, typ and crit of the header. */
static cu_rc read_header(struct jwt *j, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char *alg = json_string_value(json_object_get(j->header, "alg"));
    const json_t *kid = json_object_get(j->header, "kid");
    const json_t *typ = json_object_get(j->header, "typ");

    ENSURE(alg, cu_err_set(err, CU_E_MALFORMED_INPUT, "the token's header has no alg"));
    ENSURE(jwt_alg_from_name(alg, &j->alg),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the token's alg is not an asymmetric "
                                                 "signature algorithm STS accepts"));
    /* RFC 7515 §4.1.11: a recipient that does not understand a critical extension
     * must refuse the token; custos understands none */
    ENSURE(!json_object_get(j->header, "crit"),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the token asks for critical extensions"));
    ENSURE(!kid || (json_is_string(kid) && json_string_length(kid) <= JWT_KID_MAX &&
                    strlen(json_string_value(kid)) == json_string_length(kid)),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the token's kid is not a short string"));
    ENSURE(!typ || (json_is_string(typ) && json_string_length(typ) < sizeof(j->typ) &&
                    strlen(json_string_value(typ)) == json_string_length(typ)),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the token's typ is not a short string"));
    str_copy(j->kid, sizeof(j->kid), kid ? json_string_value(kid) : "");
    str_copy(j->typ, sizeof(j->typ), typ ? json_string_value(typ) : "");
out:
    return rc;
}

cu_rc jwt_parse(struct bytes token, struct jwt *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const uint8_t *dot1, *dot2;
    struct bytes header, payload, signature;

    memset(out, 0, sizeof(*out));
    buf_init(&out->signature, 1024);
    ENSURE(token.n > 0 && token.n <= JWT_MAX,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the token is empty or too long"));
    dot1 = memchr(token.p, '.', token.n);
    dot2 = dot1 ? memchr(dot1 + 1, '.', token.n - (size_t)(dot1 + 1 - token.p)) : NULL;
    ENSURE(dot2 && !memchr(dot2 + 1, '.', token.n - (size_t)(dot2 + 1 - token.p)),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the token is not three dot-separated parts"));
    header = bytes_of(token.p, (size_t)(dot1 - token.p));
    payload = bytes_of(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    signature = bytes_of(dot2 + 1, token.n - (size_t)(dot2 + 1 - token.p));
    TRY(decode_object(header, "header", &out->header, err));
    TRY(read_header(out, err));
    TRY(decode_object(payload, "payload", &out->claims, err));
    ENSURE(signature.n && jwt_b64url_decode(signature, &out->signature),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the token's signature is not base64url"));
    ENSURE(!algs[out->alg].ec_half || out->signature.n == 2 * algs[out->alg].ec_half,
           cu_err_set(err, CU_E_MALFORMED_INPUT,
                      "the token's signature has the wrong length for its alg"));
    out->signing_input = bytes_of(token.p, (size_t)(dot2 - token.p));
out:
    if (rc != CU_OK)
        jwt_release(out);
    return rc;
}

void jwt_release(struct jwt *j)
{
    json_decref(j->header);
    json_decref(j->claims);
    j->header = j->claims = NULL;
    buf_release(&j->signature);
}

/* JOSE's r||s (RFC 7518 §3.4) as the DER ECDSA-Sig-Value OpenSSL verifies; 0 on failure. */
static size_t ecdsa_der(const uint8_t *rs, size_t half, uint8_t *der, size_t cap)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(rs, (int)half, NULL), *s = BN_bin2bn(rs + half, (int)half, NULL);
    unsigned char *p = der;
    int n = 0;

    if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return 0;
    }
    if (i2d_ECDSA_SIG(sig, NULL) <= (int)cap)
        n = i2d_ECDSA_SIG(sig, &p);
    ECDSA_SIG_free(sig);
    return n > 0 ? (size_t)n : 0;
}

bool jwt_verify(const struct jwt *j, struct evp_pkey_st *key)
{
    EVP_MD_CTX *ctx = NULL;
    uint8_t der[160];
    const uint8_t *sig = (const uint8_t *)j->signature.p;
    size_t sig_len = j->signature.n;
    int want = algs[j->alg].ec_half ? EVP_PKEY_EC : EVP_PKEY_RSA;
    bool ok = false;

    if (!key || !sig || EVP_PKEY_get_base_id(key) != want)
        return false;
    if (algs[j->alg].ec_half) {
        sig_len = ecdsa_der(sig, algs[j->alg].ec_half, der, sizeof(der));
        sig = der;
        if (!sig_len)
            return false;
    }
    ctx = EVP_MD_CTX_new();
    ok = ctx &&
         EVP_DigestVerifyInit_ex(ctx, NULL, algs[j->alg].digest, NULL, NULL, key, NULL) == 1 &&
         EVP_DigestVerify(ctx, sig, sig_len, j->signing_input.p, j->signing_input.n) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}
