/* jwks.c — JSON Web Key Sets into OpenSSL public keys (jwks.h). Each usable JWK becomes an
 * EVP_PKEY built from its parameters (OSSL_PARAM, no deprecated RSA/EC_KEY calls), and an
 * EC point is checked to lie on its curve before it is kept: a key that would fail
 * verification later is refused now, where the operator reads why. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "jwks.h"

struct jwks_key {
    char kid[JWT_KID_MAX + 1];
    int type;     /* EVP_PKEY_RSA or EVP_PKEY_EC */
    int curve;    /* EC: the alg whose curve it is (JWT_ES256...), else -1 */
    int alg;      /* the JWK's own alg, or -1 when it names none */
    EVP_PKEY *key;
};

struct jwks {
    struct jwks_key keys[JWKS_MAX_KEYS];
    size_t n;
};

/* The JWK curves STS's algorithms use (RFC 7518 §6.2.1.1), with OpenSSL's names. */
static const struct {
    const char *crv, *group;
    size_t len;
    enum jwt_alg alg;
} curves[] = {
    {"P-256", "P-256", 32, JWT_ES256},
    {"P-384", "P-384", 48, JWT_ES384},
    {"P-521", "P-521", 66, JWT_ES512},
};

static bool member_b64(const json_t *jwk, const char *name, struct buf *out)
{
    const char *v = json_string_value(json_object_get(jwk, name));

    return v && jwt_b64url_decode(bytes_str(v), out) && out->n > 0;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *key = NULL;

    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

static EVP_PKEY *rsa_key(const json_t *jwk)
{
    struct buf n, e;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *key = NULL;
    size_t lead = 0;

    buf_init(&n, 1040);
    buf_init(&e, 8);
    if (!bld || !member_b64(jwk, "n", &n) || !member_b64(jwk, "e", &e))
        goto out;
    /* RFC 7518 §6.3.1.1 wants n in its fewest octets, yet some providers lead with a zero
     * octet: skip such zeros rather than the key. Then 2,048 to 8,192 bits: smaller is
     * forgeable, larger only costs verification time. */
    while (lead < n.n && n.p[lead] == 0)
        lead++;
    if (n.n - lead < 256 || n.n - lead > 1024 || e.n > 8)
        goto out;
    bn_n = BN_bin2bn((const uint8_t *)n.p + lead, (int)(n.n - lead), NULL);
    bn_e = BN_bin2bn((const uint8_t *)e.p, (int)e.n, NULL);
    if (!bn_n || !bn_e || !BN_is_odd(bn_e) || BN_is_one(bn_e) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
        goto out;
    key = from_params("RSA", bld);
out:
    BN_free(bn_n);
    BN_free(bn_e);
    OSSL_PARAM_BLD_free(bld);
    buf_release(&n);
    buf_release(&e);
    return key;
}

static EVP_PKEY *ec_key(const json_t *jwk, int *curve)
{
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    struct buf x, y, point;
    OSSL_PARAM_BLD *bld = NULL;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *check = NULL;
    size_t c;

    buf_init(&x, 67);
    buf_init(&y, 67);
    buf_init(&point, 1 + 2 * 66);
    for (c = 0; crv && c < ARRAY_LEN(curves) && strcmp(curves[c].crv, crv) != 0; c++)
        ;
    if (!crv || c == ARRAY_LEN(curves) || !member_b64(jwk, "x", &x) ||
        !member_b64(jwk, "y", &y) || x.n != curves[c].len || y.n != curves[c].len)
        goto out;
    /* the uncompressed point: 0x04 || x || y (SEC 1 §2.3.3) */
    if (buf_addch(&point, 4) != CU_OK || buf_add(&point, x.p, x.n) != CU_OK ||
        buf_add(&point, y.p, y.n) != CU_OK)
        goto out;
    bld = OSSL_PARAM_BLD_new();
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curves[c].group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.p, point.n))
        goto out;
    key = from_params("EC", bld);
    check = key ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL) : NULL;
    if (key && (!check || EVP_PKEY_public_check(check) != 1)) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    *curve = (int)curves[c].alg;
out:
    EVP_PKEY_CTX_free(check);
    OSSL_PARAM_BLD_free(bld);
    buf_release(&x);
    buf_release(&y);
    buf_release(&point);
    return key;
}

/* One JWK into k; false when custos cannot verify with it (skipped). */
static bool take_key(const json_t *jwk, struct jwks_key *k)
{
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const json_t *kid = json_object_get(jwk, "kid"), *use = json_object_get(jwk, "use");
    const char *alg = json_string_value(json_object_get(jwk, "alg"));

    if (!json_is_object(jwk) || !kty || (use && !(json_is_string(use) &&
                                                  strcmp(json_string_value(use), "sig") == 0)))
        return false;
    if (kid && !(json_is_string(kid) && json_string_length(kid) <= JWT_KID_MAX &&
                 strlen(json_string_value(kid)) == json_string_length(kid)))
        return false;
    k->alg = -1;
    if (alg) {
        enum jwt_alg a;
        if (!jwt_alg_from_name(alg, &a))
            return false;
        k->alg = (int)a;
    }
    str_copy(k->kid, sizeof(k->kid), kid ? json_string_value(kid) : "");
    k->curve = -1;
    if (strcmp(kty, "RSA") == 0) {
        k->type = EVP_PKEY_RSA;
        k->key = rsa_key(jwk);
    } else if (strcmp(kty, "EC") == 0) {
        k->type = EVP_PKEY_EC;
        k->key = ec_key(jwk, &k->curve);
    }
    return k->key != NULL;
}

cu_rc jwks_parse(struct bytes json, struct jwks **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL, *keys, *jwk;
    json_error_t jerr;
    struct jwks *set = NULL;
    size_t i;

    *out = NULL;
    ENSURE(json.n <= JWKS_MAX_BYTES,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the key set is larger than %d bytes",
                      JWKS_MAX_BYTES));
    doc = json_loadb((const char *)(json.n ? json.p : (const uint8_t *)""), json.n,
                     JSON_REJECT_DUPLICATES, &jerr);
    keys = json_object_get(doc, "keys");
    ENSURE(json_is_object(doc) && json_is_array(keys),
           cu_err_set(err, CU_E_MALFORMED_INPUT,
                      "not a JSON Web Key Set (an object whose \"keys\" is an array)"));
    ENSURE(json_array_size(keys) <= JWKS_MAX_KEYS,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the key set holds more than %d keys",
                      JWKS_MAX_KEYS));
    set = calloc(1, sizeof(*set));
    ENSURE(set, CU_E_NOMEM);
    json_array_foreach(keys, i, jwk)
    {
        struct jwks_key k = {0};
        if (take_key(jwk, &k))
            set->keys[set->n++] = k;
    }
    ENSURE(set->n, cu_err_set(err, CU_E_MALFORMED_INPUT,
                              "the key set holds no RSA or EC P-256/P-384/P-521 signing key"));
    *out = set;
    set = NULL;
out:
    jwks_free(set);
    json_decref(doc);
    return rc;
}

void jwks_free(struct jwks *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        EVP_PKEY_free(set->keys[i].key);
    free(set);
}

size_t jwks_count(const struct jwks *set)
{
    return set ? set->n : 0;
}

static bool fits(const struct jwks_key *k, enum jwt_alg alg)
{
    bool ec = alg >= JWT_ES256;

    if (k->alg >= 0 && k->alg != (int)alg)
        return false;
    return ec ? k->type == EVP_PKEY_EC && k->curve == (int)alg : k->type == EVP_PKEY_RSA;
}

struct evp_pkey_st *jwks_find(const struct jwks *set, const char *kid, enum jwt_alg alg)
{
    const struct jwks_key *found = NULL;

    for (size_t i = 0; set && i < set->n; i++) {
        const struct jwks_key *k = &set->keys[i];
        if (!fits(k, alg))
            continue;
        if (kid[0] && strcmp(k->kid, kid) == 0)
            return k->key;
        if (!kid[0]) {
            if (found)
                return NULL;
            found = k;
        }
    }
    return found ? found->key : NULL;
}
