/* key_specs.c — the KMS key-spec table and CreateKey's KeySpec/KeyUsage validation.
 *
 * Rows follow the KMS developer guide (symm-asymm-choose-key-spec, the asymmetric key
 * spec pages) and the CreateKey API reference ("KeyUsage": RSA keys ENCRYPT_DECRYPT or
 * SIGN_VERIFY; NIST curves SIGN_VERIFY or KEY_AGREEMENT; secp256k1 SIGN_VERIFY; HMAC
 * GENERATE_VERIFY_MAC). A spec this build cannot make names what is missing (`needs`)
 * and is refused as unsupported rather than faked. */
#include "key_specs.h"

#include <string.h>

#include "core/tree.h"
#include "services/in.h"

#define RSA_ENC {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
#define RSA_SIGN                                                                          \
    {"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", \
     "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"}
#define RSA_USAGES {"ENCRYPT_DECRYPT", "SIGN_VERIFY"}
#define NIST_USAGES {"SIGN_VERIFY", "KEY_AGREEMENT"}
#define ED25519PH_NEEDS "Ed25519ph signatures (OpenSSL 3.2 or later; this build links OpenSSL 3.0)"
#define ML_DSA_NEEDS "ML-DSA signatures (OpenSSL 3.5 or later; this build links OpenSSL 3.0)"

static const struct kms_key_spec specs[] = {
    {.name = "SYMMETRIC_DEFAULT", .bits = 256, .usages = {"ENCRYPT_DECRYPT"},
     .encryption = {"SYMMETRIC_DEFAULT"}},
    {.name = "RSA_2048", .type = ASYM_RSA, .bits = 2048, .usages = RSA_USAGES,
     .encryption = RSA_ENC, .signing = RSA_SIGN},
    {.name = "RSA_3072", .type = ASYM_RSA, .bits = 3072, .usages = RSA_USAGES,
     .encryption = RSA_ENC, .signing = RSA_SIGN},
    {.name = "RSA_4096", .type = ASYM_RSA, .bits = 4096, .usages = RSA_USAGES,
     .encryption = RSA_ENC, .signing = RSA_SIGN},
    {.name = "ECC_NIST_P256", .type = ASYM_EC, .bits = 256, .curve = "P-256",
     .usages = NIST_USAGES, .signing = {"ECDSA_SHA_256"}, .agreement = {"ECDH"}},
    {.name = "ECC_NIST_P384", .type = ASYM_EC, .bits = 384, .curve = "P-384",
     .usages = NIST_USAGES, .signing = {"ECDSA_SHA_384"}, .agreement = {"ECDH"}},
    {.name = "ECC_NIST_P521", .type = ASYM_EC, .bits = 521, .curve = "P-521",
     .usages = NIST_USAGES, .signing = {"ECDSA_SHA_512"}, .agreement = {"ECDH"}},
    {.name = "ECC_SECG_P256K1", .type = ASYM_EC, .bits = 256, .curve = "secp256k1",
     .usages = {"SIGN_VERIFY"}, .signing = {"ECDSA_SHA_256"}},
    {.name = "HMAC_224", .type = ASYM_HMAC, .bits = 224, .usages = {"GENERATE_VERIFY_MAC"},
     .mac = {"HMAC_SHA_224"}},
    {.name = "HMAC_256", .type = ASYM_HMAC, .bits = 256, .usages = {"GENERATE_VERIFY_MAC"},
     .mac = {"HMAC_SHA_256"}},
    {.name = "HMAC_384", .type = ASYM_HMAC, .bits = 384, .usages = {"GENERATE_VERIFY_MAC"},
     .mac = {"HMAC_SHA_384"}},
    {.name = "HMAC_512", .type = ASYM_HMAC, .bits = 512, .usages = {"GENERATE_VERIFY_MAC"},
     .mac = {"HMAC_SHA_512"}},
    {.name = "ECC_NIST_EDWARDS25519", .usages = {"SIGN_VERIFY"},
     .signing = {"ED25519_SHA_512", "ED25519_PH_SHA_512"}, .needs = ED25519PH_NEEDS},
    {.name = "ML_DSA_44", .usages = {"SIGN_VERIFY"}, .signing = {"ML_DSA_SHAKE_256"},
     .needs = ML_DSA_NEEDS},
    {.name = "ML_DSA_65", .usages = {"SIGN_VERIFY"}, .signing = {"ML_DSA_SHAKE_256"},
     .needs = ML_DSA_NEEDS},
    {.name = "ML_DSA_87", .usages = {"SIGN_VERIFY"}, .signing = {"ML_DSA_SHAKE_256"},
     .needs = ML_DSA_NEEDS},
};

static const struct kms_alg algs[] = {
    {"RSASSA_PKCS1_V1_5_SHA_256", "SHA256", 32, ASYM_PAD_PKCS1},
    {"RSASSA_PKCS1_V1_5_SHA_384", "SHA384", 48, ASYM_PAD_PKCS1},
    {"RSASSA_PKCS1_V1_5_SHA_512", "SHA512", 64, ASYM_PAD_PKCS1},
    {"RSASSA_PSS_SHA_256", "SHA256", 32, ASYM_PAD_PSS},
    {"RSASSA_PSS_SHA_384", "SHA384", 48, ASYM_PAD_PSS},
    {"RSASSA_PSS_SHA_512", "SHA512", 64, ASYM_PAD_PSS},
    {"ECDSA_SHA_256", "SHA256", 32, ASYM_PAD_ECDSA},
    {"ECDSA_SHA_384", "SHA384", 48, ASYM_PAD_ECDSA},
    {"ECDSA_SHA_512", "SHA512", 64, ASYM_PAD_ECDSA},
    {"RSAES_OAEP_SHA_1", "SHA1", 20, 0},
    {"RSAES_OAEP_SHA_256", "SHA256", 32, 0},
    {"HMAC_SHA_224", "SHA224", 28, 0},
    {"HMAC_SHA_256", "SHA256", 32, 0},
    {"HMAC_SHA_384", "SHA384", 48, 0},
    {"HMAC_SHA_512", "SHA512", 64, 0},
};

const struct kms_key_spec *kms_key_spec_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(specs) / sizeof(specs[0]); i++)
        if (strcmp(specs[i].name, name) == 0)
            return &specs[i];
    return NULL;
}

const struct kms_alg *kms_alg_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(algs) / sizeof(algs[0]); i++)
        if (strcmp(algs[i].name, name) == 0)
            return &algs[i];
    return NULL;
}

bool kms_spec_lists(const char *const *list, const char *alg)
{
    for (size_t i = 0; alg && i < KMS_SPEC_ALGS_MAX && list[i]; i++)
        if (strcmp(list[i], alg) == 0)
            return true;
    return false;
}

cu_rc kms_key_spec_check(struct call *call, const json_t *in, const struct kms_key_spec **spec,
                         const char **usage)
{
    const char *name = in_str(in, "KeySpec"), *old_name = in_str(in, "CustomerMasterKeySpec");
    const char *want = in_str(in, "KeyUsage");

    if (name && old_name)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "You cannot specify KeySpec and CustomerMasterKeySpec in the same "
                          "request. CustomerMasterKeySpec is deprecated.");
    if (!name)
        name = old_name ? old_name : "SYMMETRIC_DEFAULT";
    *spec = kms_key_spec_find(name);
    if (!*spec)
        return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                          "custos does not support KeySpec %s.", name);
    if ((*spec)->needs)
        return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                          "KeySpec %s is not supported: this server lacks %s.", name,
                          (*spec)->needs);
    /* KeyUsage defaults to ENCRYPT_DECRYPT (API reference, CreateKey "KeyUsage"), and an
     * HMAC or EC spec has no such usage: it must be given. */
    *usage = want ? want : "ENCRYPT_DECRYPT";
    if (!kms_spec_lists((*spec)->usages, *usage))
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "The KeyUsage value %s is not valid for KeySpec %s.", *usage, name);
    return CU_OK;
}

/* Set m[member] to the list, when it has entries. */
static cu_rc set_list(json_t *m, const char *member, const char *const *list)
{
    cu_rc rc = CU_OK;
    json_t *a;

    if (!list[0])
        return CU_OK;
    a = json_array();
    ENSURE(a, CU_E_NOMEM);
    for (size_t i = 0; i < KMS_SPEC_ALGS_MAX && list[i]; i++)
        ENSURE(json_array_append_new(a, json_string(list[i])) == 0, CU_E_NOMEM);
    rc = tree_set_new(m, member, a);
    a = NULL;
out:
    json_decref(a);
    return rc;
}

cu_rc kms_key_spec_render(const json_t *doc, json_t *m)
{
    cu_rc rc = CU_OK;
    const struct kms_key_spec *spec =
        kms_key_spec_find(json_string_value(json_object_get(doc, "KeySpec")));
    const char *usage = json_string_value(json_object_get(doc, "KeyUsage"));

    ENSURE(spec && usage, CU_E_STORE);
    /* only the algorithms of the key's usage: an RSA signing key lists no encryption
     * algorithms (DescribeKey, KeyMetadata) */
    if (strcmp(usage, "ENCRYPT_DECRYPT") == 0)
        TRY(set_list(m, "EncryptionAlgorithms", spec->encryption));
    else if (strcmp(usage, "SIGN_VERIFY") == 0)
        TRY(set_list(m, "SigningAlgorithms", spec->signing));
    else if (strcmp(usage, "GENERATE_VERIFY_MAC") == 0)
        TRY(set_list(m, "MacAlgorithms", spec->mac));
    else if (strcmp(usage, "KEY_AGREEMENT") == 0)
        TRY(set_list(m, "KeyAgreementAlgorithms", spec->agreement));
out:
    return rc;
}
