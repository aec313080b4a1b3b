/* import.c — imported key material: CreateKey's Origin EXTERNAL, GetParametersForImport,
 * ImportKeyMaterial, DeleteImportedKeyMaterial, and the expiry of imported material.
 *
 * A key of Origin EXTERNAL is created PendingImport with no backing key ("Backing": []).
 * GetParametersForImport hands out a fresh RSA wrapping key and a token holding its
 * private half (import_token.h), valid 24 hours; ImportKeyMaterial unwraps the material
 * with it, seals it as backing-key version 1 and records a fingerprint (import_wrap.h), so
 * that once the material is deleted only the same material is taken back:
 *
 *     CreateKey(EXTERNAL) ──> PendingImport ──ImportKeyMaterial──> Enabled (or the
 *                                  ^                                 state it had)
 *                                  └──DeleteImportedKeyMaterial / ValidTo passes──┘
 *
 * Material whose ValidTo has passed is gone for every call at once (kms_import_state), as
 * a deleted key is; the record catches up on its next change. */
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/tree.h"
#include "crypto/backing_key.h"
#include "import.h"
#include "multi_region.h"
#include "import_token.h"
#include "key_specs.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"
#include "store/records.h"

#define DAY_MS (86400LL * 1000)
/* ImportKeyMaterial, ValidTo: "The maximum value is 365 days from the request date." */
#define VALID_TO_MAX_MS (365 * DAY_MS)
/* GetParametersForImport: "The public key and import token ... are valid for 24 hours" */
#define PARAMETERS_VALID_MS DAY_MS
/* The errors' words are the KMS API reference's (the model's error documentation). */
#define INVALID_TOKEN_MESSAGE                                                                     \
    "The request was rejected because the provided import token is invalid or is associated "  \
    "with a different KMS key."
#define NOT_FOUND_STORE_MESSAGE                                                                   \
    "The request was rejected because KMS cannot find a custom key store with the specified "  \
    "key store name or ID."

static const struct {
    const char *name;
    enum import_wrap_alg alg;
} algs[] = {
    {"RSAES_OAEP_SHA_1", IMPORT_WRAP_OAEP_SHA1},
    {"RSAES_OAEP_SHA_256", IMPORT_WRAP_OAEP_SHA256},
    {"RSA_AES_KEY_WRAP_SHA_1", IMPORT_WRAP_AES_KW_SHA1},
    {"RSA_AES_KEY_WRAP_SHA_256", IMPORT_WRAP_AES_KW_SHA256},
};

static const struct {
    const char *name;
    int bits;
} specs[] = {{"RSA_2048", 2048}, {"RSA_3072", 3072}, {"RSA_4096", 4096}};

bool kms_import_external(const json_t *doc)
{
    const char *origin = json_string_value(json_object_get(doc, "Origin"));

    return origin && strcmp(origin, "EXTERNAL") == 0;
}

bool kms_import_expired(const json_t *doc, int64_t now_ms)
{
    const json_t *valid_to = json_object_get(doc, "ValidTo");

    return kms_import_external(doc) && json_is_integer(valid_to) &&
           json_integer_value(valid_to) <= now_ms;
}

const char *kms_import_state(const json_t *doc, int64_t now_ms)
{
    const char *state = json_string_value(json_object_get(doc, "KeyState"));

    if (state && strcmp(state, "PendingDeletion") != 0 && kms_import_expired(doc, now_ms))
        return "PendingImport";
    return state;
}

bool kms_import_has_material(const struct kms_key *key, int64_t now_ms)
{
    /* an RSA, EC or HMAC key holds its material in key->asym, and none is imported */
    return (key->n_backing > 0 || key->asym) && !kms_import_expired(key->doc, now_ms);
}

cu_rc kms_import_check_material(struct call *call, const struct kms_key *key)
{
    if (kms_import_has_material(key, call->now_ms))
        return CU_OK;
    return cu_err_set(&call->err, CU_E_KMS_INVALID_STATE, "%s is pending import.", key->arn);
}

cu_rc kms_import_describe(const json_t *doc, int64_t now_ms, json_t **out)
{
    cu_rc rc = CU_OK;

    *out = json_deep_copy(doc);
    ENSURE(*out, CU_E_NOMEM);
    if (kms_import_expired(doc, now_ms)) {
        TRY(tree_set_str(*out, "KeyState", kms_import_state(doc, now_ms)));
        json_object_del(*out, "ValidTo");
    }
out:
    return rc;
}

cu_rc kms_import_create(struct call *call, const json_t *in, bool *external)
{
    const char *origin = in_str_or(in, "Origin", "AWS_KMS");

    *external = strcmp(origin, "EXTERNAL") == 0;
    if (*external || strcmp(origin, "AWS_KMS") == 0)
        return CU_OK;
    /* AWS_CLOUDHSM and EXTERNAL_KEY_STORE keys live in a custom key store (KMS API
     * reference, CreateKey, Origin), and this account has none (custom_key_stores.c) */
    if (!in_str(in, "CustomKeyStoreId"))
        return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                          "CustomKeyStoreId is required when Origin is %s.", origin);
    return cu_err_set(&call->err, CU_E_KMS_CUSTOM_KEY_STORE_NOT_FOUND, NOT_FOUND_STORE_MESSAGE);
}

/* AWS: UnsupportedOperationException "<arn> origin is AWS_KMS which is not valid for this
 * operation." on a key whose material KMS made. */
static cu_rc check_external(struct call *call, const struct kms_key *key)
{
    if (kms_import_external(key->doc))
        return CU_OK;
    return cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                      "%s origin is %s which is not valid for this operation.", key->arn,
                      json_string_value(json_object_get(key->doc, "Origin")));
}

cu_rc kms_get_parameters_for_import(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct kms_key *key = kms_target_key(call);
    const char *alg_name = in_str(in, "WrappingAlgorithm"), *spec = in_str(in, "WrappingKeySpec");
    struct import_token t = {0};
    struct secret *private_der = NULL;
    struct buf public_der, token, text;
    size_t i;

    buf_init(&public_der, 4096);
    buf_init(&token, IMPORT_TOKEN_MAX);
    buf_init(&text, 2 * IMPORT_TOKEN_MAX);
    TRY(check_external(call, key));
    TRY(kms_key_check_not_pending(call, key));
    for (i = 0; i < sizeof(algs) / sizeof(algs[0]) && strcmp(algs[i].name, alg_name) != 0; i++)
        ;
    ENSURE(i < sizeof(algs) / sizeof(algs[0]),
           cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                      "custos does not support WrappingAlgorithm %s.", alg_name));
    t.alg = algs[i].alg;
    for (i = 0; i < sizeof(specs) / sizeof(specs[0]) && strcmp(specs[i].name, spec) != 0; i++)
        ;
    ENSURE(i < sizeof(specs) / sizeof(specs[0]),
           cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                      "custos does not support WrappingKeySpec %s.", spec));
    t.bits = specs[i].bits;
    TRY(kms_import_check_wrapping(call, key, alg_name, spec));
    t.valid_to_ms = call->now_ms + PARAMETERS_VALID_MS;
    t.arn = bytes_str(key->arn);
    TRY(import_wrap_keypair(t.bits, &public_der, &private_der));
    t.private_der = secret_bytes(private_der);
    TRY(import_token_seal(call->env->master_key, &t, &token));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(b64_encode(buf_bytes(&token), &text));
    TRY(tree_set_str(out, "ImportToken", text.p));
    buf_reset(&text);
    TRY(b64_encode(buf_bytes(&public_der), &text));
    TRY(tree_set_str(out, "PublicKey", text.p));
    TRY(tree_set_time_ms(out, "ParametersValidTo", t.valid_to_ms));
out:
    secret_free(private_der);
    buf_release(&text);
    buf_release(&token);
    buf_release(&public_der);
    return rc;
}

/* ExpirationModel and ValidTo (KMS API reference, ImportKeyMaterial): *valid_to_ms is -1
 * for material that does not expire. */
static cu_rc read_expiry(struct call *call, const json_t *in, int64_t *valid_to_ms)
{
    const char *model = in_str_or(in, "ExpirationModel", "KEY_MATERIAL_EXPIRES");
    const json_t *valid_to = json_object_get(in, "ValidTo");
    double when;

    *valid_to_ms = -1;
    if (strcmp(model, "KEY_MATERIAL_DOES_NOT_EXPIRE") == 0) {
        if (valid_to)
            return cu_err_set(&call->err, CU_E_VALIDATION,
                              "ValidTo must not be specified when ExpirationModel is "
                              "KEY_MATERIAL_DOES_NOT_EXPIRE.");
        return CU_OK;
    }
    if (!valid_to)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.");
    when = json_number_value(valid_to) * 1000.0;
    if (when <= (double)call->now_ms)
        return cu_err_set(&call->err, CU_E_VALIDATION, "ValidTo must be a future date.");
    if (when > (double)(call->now_ms + VALID_TO_MAX_MS))
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "ValidTo must be no more than 365 days from the current date.");
    *valid_to_ms = (int64_t)when;
    return CU_OK;
}

/* Open the token and unwrap the material with it: *material is the caller's. */
static cu_rc unwrap_material(struct call *call, const struct kms_key *key, const json_t *in,
                             struct secret **material)
{
    cu_rc rc = CU_OK;
    struct secret *claims = NULL;
    struct import_token t;
    struct buf token, wrapped;

    *material = NULL;
    buf_init(&token, IMPORT_TOKEN_MAX);
    buf_init(&wrapped, 2 * IMPORT_WRAP_WRAPPED_MAX);
    rc = b64_decode(bytes_str(in_str(in, "ImportToken")), &token);
    if (rc == CU_OK)
        rc = import_token_open(call->env->master_key, buf_bytes(&token), &claims, &t,
                               &call->err);
    if (rc == CU_E_KMS_INVALID_IMPORT_TOKEN || rc == CU_E_PAYLOAD_TOO_LARGE)
        rc = cu_err_set(&call->err, CU_E_KMS_INVALID_IMPORT_TOKEN,
                        INVALID_TOKEN_MESSAGE);
    TRY(rc);
    /* a token names the key it was issued for; another key's token is refused */
    ENSURE(bytes_eq_str(t.arn, key->arn),
           cu_err_set(&call->err, CU_E_KMS_INVALID_IMPORT_TOKEN,
                      INVALID_TOKEN_MESSAGE));
    ENSURE(call->now_ms < t.valid_to_ms,
           cu_err_set(&call->err, CU_E_KMS_EXPIRED_IMPORT_TOKEN, "The request was rejected because the specified import token is "
                      "expired. Use GetParametersForImport to get a new import token and "
                      "public key, use the new public key to encrypt the key material, and "
                      "then try the request again."));
    rc = b64_decode(bytes_str(in_str(in, "EncryptedKeyMaterial")), &wrapped);
    if (rc == CU_OK)
        rc = import_wrap_unwrap(t.private_der, t.alg, buf_bytes(&wrapped), material);
    if (rc == CU_E_SEAL_BROKEN || rc == CU_E_PAYLOAD_TOO_LARGE || rc == CU_E_SERIALIZATION)
        rc = CU_E_KMS_INVALID_CIPHERTEXT; /* AWS sends no message */
    TRY(rc);
out:
    if (rc != CU_OK) {
        secret_free(*material);
        *material = NULL;
    }
    secret_free(claims);
    buf_release(&wrapped);
    buf_release(&token);
    return rc;
}

cu_rc kms_import_key_material(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct kms_key *key = kms_target_key(call);
    const char *had = json_string_value(json_object_get(key->doc, "ImportFingerprint"));
    const char *state = kms_import_state(key->doc, call->now_ms);
    const char *import_type = in_str(in, "ImportType");
    struct kms_import_material m = {0};
    bool same;
    struct secret *material = NULL;
    int64_t valid_to_ms;
    struct buf hex;
    json_t *doc = NULL;

    (void)out;
    buf_init(&hex, 2 * IMPORT_WRAP_FINGERPRINT_LEN + 1);
    TRY(check_external(call, key));
    TRY(kms_key_check_not_pending(call, key));
    TRY(read_expiry(call, in, &valid_to_ms));
    ENSURE(!in_str(in, "KeyMaterialId") || !import_type ||
               strcmp(import_type, "NEW_KEY_MATERIAL") != 0,
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "You cannot specify a key material ID with ImportType set to "
                      "NEW_KEY_MATERIAL."));
    TRY(unwrap_material(call, key, in, &material));
    TRY(kms_import_material_read(call, key, material, &m));
    TRY(hex_encode(bytes_of(m.print, sizeof(m.print)), &hex));
    /* a key takes back only the material it had (KMS developer guide, importing-keys:
     * "you must reimport the same key material"); compared in constant time */
    same = had && strlen(had) == hex.n && ct_equal(had, hex.n, hex.p, hex.n);
    /* ImportType NEW_KEY_MATERIAL into a key that has had material is the rotation of
     * imported material (KMS API reference, ImportKeyMaterial, ImportType), which custos
     * does not offer; the same material again is what the model's
     * IncorrectKeyMaterialException names: "already associated with the KMS key" */
    if (had && import_type && strcmp(import_type, "NEW_KEY_MATERIAL") == 0) {
        ENSURE(!same, cu_err_set(&call->err, CU_E_KMS_INCORRECT_KEY_MATERIAL,
                                 "The key material you are importing is already associated "
                                 "with this KMS key."));
        /* only symmetric encryption keys take new material (KMS developer guide,
         * importing-keys: on-demand rotation of imported material) */
        ENSURE(m.spec->type == 0,
               cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                          "%s key spec is %s which is not valid for importing new key "
                          "material.", key->arn, m.spec->name));
        ENSURE(false, cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                                 "custos does not support new key material for a KMS key "
                                 "that already has imported key material."));
    }
    ENSURE(!had || same,
           cu_err_set(&call->err, CU_E_KMS_INCORRECT_KEY_MATERIAL,
                      "The key material you are importing is not the same as the key "
                      "material previously imported into this KMS key."));
    doc = json_deep_copy(key->doc);
    ENSURE(doc, CU_E_NOMEM);
    TRY(kms_import_material_store(call, key, material, &m, doc));
    TRY(tree_set_str(doc, "ImportFingerprint", hex.p));
    /* a re-import into a key that has its material keeps the key's state (Disabled stays
     * Disabled); a key waiting for material becomes Enabled */
    TRY(tree_set_str(doc, "KeyState", strcmp(state, "PendingImport") == 0 ? "Enabled" : state));
    if (valid_to_ms < 0) {
        TRY(tree_set_str(doc, "ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE"));
        json_object_del(doc, "ValidTo");
    } else {
        TRY(tree_set_str(doc, "ExpirationModel", "KEY_MATERIAL_EXPIRES"));
        TRY(tree_set_int(doc, "ValidTo", valid_to_ms));
    }
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
out:
    kms_import_material_release(&m);
    secret_free(material);
    json_decref(doc);
    buf_release(&hex);
    return rc;
}

cu_rc kms_import_forget(json_t *doc)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_new(doc, "Backing", json_array()));
    json_object_del(doc, "Private"); /* an RSA, EC or HMAC key's material (asym.c) */
    TRY(tree_set_str(doc, "KeyState", "PendingImport"));
    json_object_del(doc, "ValidTo");
    json_object_del(doc, "ExpirationModel");
out:
    return rc;
}

cu_rc kms_delete_imported_key_material(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct kms_key *key = kms_target_key(call);
    json_t *doc = NULL;

    (void)in, (void)out;
    TRY(check_external(call, key));
    TRY(kms_key_check_not_pending(call, key));
    doc = json_deep_copy(key->doc);
    ENSURE(doc, CU_E_NOMEM);
    TRY(kms_import_forget(doc));
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
out:
    json_decref(doc);
    return rc;
}

void kms_import_condition_keys(const json_t *in, struct call_keys *keys)
{
    const json_t *valid_to = json_object_get(in, "ValidTo");

    call_keys_add(keys, "kms:WrappingAlgorithm", in_str(in, "WrappingAlgorithm"));
    call_keys_add(keys, "kms:WrappingKeySpec", in_str(in, "WrappingKeySpec"));
    if (in_str(in, "ImportToken"))
        call_keys_add(keys, "kms:ExpirationModel",
                      in_str_or(in, "ExpirationModel", "KEY_MATERIAL_EXPIRES"));
    /* kms:ValidTo: seconds since the epoch, compared with the Numeric operators (KMS
     * developer guide, conditions-kms, kms:ValidTo) */
    if (json_is_number(valid_to))
        call_keys_add_number(keys, "kms:ValidTo", (int64_t)json_number_value(valid_to));
}
