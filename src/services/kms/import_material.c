/* import_material.c — what imported key material must be for each kind of KMS key, and how
 * it is kept: the per-KeySpec half of import.c.
 *
 * A symmetric key takes 32 raw bytes, sealed as backing-key version 1 ("Backing"); an
 * RSA or EC key takes its private key as PKCS#8, an HMAC key its raw key, both opened by
 * crypto/asym_key.c's asym_key_import and sealed as the key's "Private" material (asym.c),
 * exactly as material KMS made would be. The fingerprint that lets a key take back only
 * the same material (import_wrap_fingerprint) is over the raw bytes of a symmetric or HMAC
 * key and over the public key of an RSA or EC key: the same key pair may arrive in
 * another encoding (BER, with or without its public point), and its public half names it. */
#include <string.h>

#include "asym.h"
#include "core/codec.h"
#include "core/tree.h"
#include "crypto/asym_key.h"
#include "crypto/backing_key.h"
#include "import.h"
#include "key_specs.h"
#include "kms_key.h"
#include "multi_region.h"

static const char *doc_str(const struct kms_key *key, const char *member)
{
    const char *v = json_string_value(json_object_get(key->doc, member));

    return v ? v : "";
}

cu_rc kms_import_check_spec(struct call *call, const struct kms_key_spec *spec, bool external)
{
    /* ML-DSA keys take no imported material (KMS developer guide, importing-keys-conceptual:
     * "Importing ML-DSA keys is not supported"); every other spec custos makes does */
    if (!external || spec->type || strcmp(spec->name, "SYMMETRIC_DEFAULT") == 0)
        return CU_OK;
    return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                      "KMS does not support importing key material for %s keys.", spec->name);
}

cu_rc kms_import_check_wrapping(struct call *call, const struct kms_key *key,
                                const char *algorithm, const char *wrapping_spec)
{
    const char *spec = doc_str(key, "KeySpec");
    bool oaep = strncmp(algorithm, "RSAES_OAEP_", 11) == 0;

    /* KMS developer guide, importing-keys-get-public-key-and-token, "Select a wrapping
     * algorithm": an RSA private key needs an RSA_AES_KEY_WRAP_SHA_* algorithm (it is
     * larger than one RSA-OAEP block), and ECC_NIST_P521 material does not fit RSA-OAEP
     * under an RSA_2048 wrapping key */
    if (oaep && strncmp(spec, "RSA_", 4) == 0)
        return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                          "The %s wrapping algorithm is not supported for %s key material. "
                          "Use RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256.",
                          algorithm, spec);
    if (oaep && strcmp(spec, "ECC_NIST_P521") == 0 && strcmp(wrapping_spec, "RSA_2048") == 0)
        return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                          "The %s wrapping algorithm with the RSA_2048 wrapping key spec is "
                          "not supported for ECC_NIST_P521 key material.", algorithm);
    return CU_OK;
}

/* IncorrectKeyMaterialException for material that is not what the key's spec takes
 * (KMS developer guide, importing-keys-conceptual, "Requirements for imported key
 * material"); the words name the requirement, never the material. */
static cu_rc incorrect(struct call *call, const struct kms_key_spec *spec)
{
    if (spec->type == ASYM_HMAC)
        return cu_err_set(&call->err, CU_E_KMS_INCORRECT_KEY_MATERIAL,
                          "Key material for a %s key must be %d to 1024 bits (%d to 128 bytes).",
                          spec->name, spec->bits, spec->bits / 8);
    if (spec->type)
        return cu_err_set(&call->err, CU_E_KMS_INCORRECT_KEY_MATERIAL,
                          "Key material for a %s key must be a %s private key in PKCS #8 "
                          "format.", spec->name, spec->name);
    return cu_err_set(&call->err, CU_E_KMS_INCORRECT_KEY_MATERIAL,
                      "Key material must be 256 bits (32 bytes) for a SYMMETRIC_DEFAULT key.");
}

cu_rc kms_import_material_read(struct call *call, const struct kms_key *key,
                               const struct secret *material, struct kms_import_material *m)
{
    cu_rc rc = CU_OK;
    const struct kms_key_spec *spec = kms_key_spec_find(doc_str(key, "KeySpec"));
    struct bytes named = secret_bytes(material);
    struct buf public_der;

    buf_init(&public_der, 8192);
    ENSURE(spec, CU_E_STORE);
    m->spec = spec;
    if (!spec->type) {
        ENSURE(material->n == BACKING_KEY_LEN, incorrect(call, spec));
    } else {
        rc = asym_key_import(spec->type, spec->bits, spec->curve, named, &m->asym);
        ENSURE(rc != CU_E_VALIDATION, incorrect(call, spec));
        TRY(rc);
        if (spec->type != ASYM_HMAC) {
            TRY(asym_key_public_der(m->asym, &public_der));
            named = buf_bytes(&public_der);
        }
    }
    TRY(import_wrap_fingerprint(call->env->master_key, kms_mrk_material_name(key), named,
                                m->print));
out:
    buf_release(&public_der);
    return rc;
}

/* The symmetric material sealed as backing-key version 1 of key, base64: *out is the
 * caller's. */
static cu_rc seal_backing(struct call *call, const struct kms_key *key,
                          const struct secret *material, json_t **out)
{
    cu_rc rc = CU_OK;
    struct backing_key *bk = NULL;

    TRY(backing_key_import(secret_bytes(material), &bk));
    TRY(kms_backing_first(call, key->arn, bk, out));
out:
    backing_key_free(bk);
    return rc;
}

cu_rc kms_import_material_store(struct call *call, const struct kms_key *key,
                                const struct secret *material,
                                const struct kms_import_material *m, json_t *doc)
{
    cu_rc rc = CU_OK;
    json_t *backing = NULL;

    if (m->asym)
        return kms_asym_store(call, m->asym, key->arn, doc);
    TRY(seal_backing(call, key, material, &backing));
    TRY(tree_set_new(doc, "Backing", backing));
    backing = NULL;
out:
    json_decref(backing);
    return rc;
}

void kms_import_material_release(struct kms_import_material *m)
{
    asym_key_free(m->asym);
    secret_wipe(m->print, sizeof(m->print));
    m->asym = NULL;
}
