/* grant_operations.c — which grant operations fit a key: CreateGrant refuses a grant for
 * an operation the key cannot perform (KMS API reference, CreateGrant "Operations": "you
 * cannot create a grant for a symmetric encryption KMS key that allows the Sign
 * operation, or a grant for an asymmetric KMS key that allows the GenerateDataKey
 * operation ... KMS returns a ValidationError exception"). The table follows the KMS
 * developer guide, grants, "Grant operations": the operations each kind of key takes,
 * besides the three every key takes (CreateGrant, RetireGrant, DescribeKey). */
#include <string.h>

#include "grants.h"
#include "kms_key.h"

struct fit {
    const char *usage; /* the key's KeyUsage */
    bool asym;         /* an RSA/EC/HMAC key, not a symmetric encryption key */
    const char *ops[9];
};

static const struct fit fits[] = {
    {"ENCRYPT_DECRYPT", false,
     {"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
      "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "ReEncryptFrom",
      "ReEncryptTo"}},
    {"ENCRYPT_DECRYPT", true, {"Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"}},
    {"SIGN_VERIFY", true, {"Sign", "Verify", "GetPublicKey"}},
    {"GENERATE_VERIFY_MAC", true, {"GenerateMac", "VerifyMac"}},
    {"KEY_AGREEMENT", true, {"DeriveSharedSecret", "GetPublicKey"}},
};

static const char *const every_key[] = {"CreateGrant", "RetireGrant", "DescribeKey"};

static bool listed(const char *const *list, size_t n, const char *op)
{
    for (size_t i = 0; i < n && list[i]; i++)
        if (strcmp(list[i], op) == 0)
            return true;
    return false;
}

/* Whether a key of this usage (and kind) takes a grant for op. */
static bool fits_key(const char *usage, bool asym, const char *op)
{
    if (listed(every_key, sizeof(every_key) / sizeof(every_key[0]), op))
        return true;
    for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++)
        if (fits[i].asym == asym && strcmp(fits[i].usage, usage) == 0)
            return listed(fits[i].ops, sizeof(fits[i].ops) / sizeof(fits[i].ops[0]), op);
    return false;
}

cu_rc kms_grant_operations_fit(struct call *call, const struct kms_key *key, const json_t *ops)
{
    const char *usage = json_string_value(json_object_get(key->doc, "KeyUsage"));
    const char *spec = json_string_value(json_object_get(key->doc, "KeySpec"));
    bool asym = key->asym != NULL || (spec && strcmp(spec, "SYMMETRIC_DEFAULT") != 0);
    size_t i;
    json_t *op;

    json_array_foreach((json_t *)ops, i, op)
    {
        const char *name = json_string_value(op);

        if (name && !fits_key(usage ? usage : "", asym, name))
            return cu_err_set(&call->err, CU_E_VALIDATION,
                              "Grant operation %s is not supported for a KMS key with key spec "
                              "%s and key usage %s.",
                              name, spec ? spec : "", usage ? usage : "");
    }
    return CU_OK;
}
