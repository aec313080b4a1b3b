/* data_key_pairs.c — GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: a fresh
 * RSA, EC, SM2 or Ed25519 key pair made for the caller, its private key (DER PKCS#8) sealed
 * under a symmetric KMS key exactly as Encrypt seals a plaintext, so Decrypt of
 * PrivateKeyCiphertextBlob gives the private key back (KMS API reference,
 * GenerateDataKeyPair). The pair is never stored: the clear private key lives in a
 * secret, then in the response only (PrivateKeyPlaintext is sensitive in the model). */
#include <string.h>

#include "asym.h"
#include "conditions.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/asym_key.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"

/* The KeyPairSpec values of the model and what OpenSSL makes for each (KMS developer
 * guide, asymmetric key specs). SM2 is a China Regions spec in AWS; OpenSSL 3 has the
 * curve, so custos makes it in any region. */
struct pair_spec {
    const char *name;
    enum asym_type type;
    int bits;
    const char *curve;
};

static const struct pair_spec pair_specs[] = {
    {"RSA_2048", ASYM_RSA, 2048, NULL},
    {"RSA_3072", ASYM_RSA, 3072, NULL},
    {"RSA_4096", ASYM_RSA, 4096, NULL},
    {"ECC_NIST_P256", ASYM_EC, 256, "P-256"},
    {"ECC_NIST_P384", ASYM_EC, 384, "P-384"},
    {"ECC_NIST_P521", ASYM_EC, 521, "P-521"},
    {"ECC_SECG_P256K1", ASYM_EC, 256, "secp256k1"},
    {"SM2", ASYM_EC, 256, "SM2"},
    {"ECC_NIST_EDWARDS25519", ASYM_EC, 255, "ED25519"},
};

static const struct pair_spec *pair_spec_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(pair_specs) / sizeof(pair_specs[0]); i++)
        if (strcmp(pair_specs[i].name, name) == 0)
            return &pair_specs[i];
    return NULL;
}

static cu_rc generate_pair(struct call *call, const json_t *in, json_t *out, bool with_plaintext)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    const char *name = in_str(in, "KeyPairSpec");
    const struct pair_spec *spec = pair_spec_find(name);
    struct asym_key *pair = NULL;
    struct secret *pkcs8 = NULL;
    char material_id[KMS_MATERIAL_ID_LEN + 1];
    struct buf blob, pub;

    buf_init(&blob, 16384);
    buf_init(&pub, 8192);
    TRY(kms_key_check_usable(call, key));
    /* only a symmetric encryption key seals the private key (API reference, "KeyId") */
    TRY(kms_key_check_symmetric(call, key));
    /* the model's enum lets no other value through; a spec it adds later is refused */
    ENSURE(spec, cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                            "custos does not support KeyPairSpec %s.", name ? name : ""));
    TRY(kms_check_recipient(call, in));
    TRY(kms_check_dry_run(call, in));
    TRY(asym_key_generate(spec->type, spec->bits, spec->curve, &pair));
    TRY(asym_key_pkcs8(pair, &pkcs8));
    TRY(asym_key_public_der(pair, &pub));
    TRY(kms_seal(call, key, in_obj(in, "EncryptionContext"), secret_bytes(pkcs8), &blob));
    TRY(tree_set_blob(out, "PrivateKeyCiphertextBlob", buf_bytes(&blob)));
    if (with_plaintext)
        TRY(tree_set_blob(out, "PrivateKeyPlaintext", secret_bytes(pkcs8)));
    TRY(tree_set_blob(out, "PublicKey", buf_bytes(&pub)));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_str(out, "KeyPairSpec", spec->name));
    kms_key_material_id(key->arn, key->current_version, material_id);
    TRY(tree_set_str(out, "KeyMaterialId", material_id));
out:
    secret_free(pkcs8);
    asym_key_free(pair);
    buf_release(&blob);
    buf_release(&pub);
    return rc;
}

cu_rc kms_generate_data_key_pair(struct call *call, const json_t *in, json_t *out)
{
    return generate_pair(call, in, out, true);
}

cu_rc kms_generate_data_key_pair_without_plaintext(struct call *call, const json_t *in,
                                                   json_t *out)
{
    return generate_pair(call, in, out, false);
}

/* The encryption context's keys, and kms:DataKeyPairSpec (KMS developer guide,
 * conditions-kms, kms:DataKeyPairSpec). */
void kms_data_key_pair_condition_keys(const json_t *in, struct call_keys *keys)
{
    kms_condition_keys(in, keys);
    call_keys_add(keys, "kms:DataKeyPairSpec", in_str(in, "KeyPairSpec"));
}
