/* import.h — what the rest of KMS asks of imported key material (import.c): CreateKey's
 * Origin, and the state of a key whose material has expired. */
#ifndef CU_KMS_IMPORT_H
#define CU_KMS_IMPORT_H

#include "crypto/import_wrap.h"
#include "services/call.h"

/* CreateKey's Origin: *external true for EXTERNAL (a key created PendingImport, without
 * material), false for AWS_KMS. AWS_CLOUDHSM and EXTERNAL_KEY_STORE need a custom key
 * store: UnsupportedOperationException without CustomKeyStoreId, else
 * CustomKeyStoreNotFoundException (this account has none). */
MUST_CHECK cu_rc kms_import_create(struct call *call, const json_t *in, bool *external);

/* Whether a key record's Origin is EXTERNAL. */
bool kms_import_external(const json_t *doc);

/* Whether a key record's imported material has expired (ValidTo <= now_ms). */
bool kms_import_expired(const json_t *doc, int64_t now_ms);

/* A key record's KeyState as of now_ms: PendingImport once its material has expired, else
 * the stored state. Borrowed from doc or static. */
const char *kms_import_state(const json_t *doc, int64_t now_ms);

/* A copy of doc (the caller's) as DescribeKey shows it at now_ms: expired material is gone
 * (KeyState PendingImport, no ValidTo). */
MUST_CHECK cu_rc kms_import_describe(const json_t *doc, int64_t now_ms, json_t **out);

struct kms_key;
/* Whether key has material to use at now_ms: always for a key KMS made; for imported
 * material, once imported and until its ValidTo. */
bool kms_import_has_material(const struct kms_key *key, int64_t now_ms);

/* KMSInvalidStateException "<arn> is pending import." unless key has material (EnableKey,
 * DisableKey: KMS developer guide, key-state.html, a PendingImport key refuses both). */
MUST_CHECK cu_rc kms_import_check_material(struct call *call, const struct kms_key *key);

/* Drop a record's material (DeleteImportedKeyMaterial, or expiry): no backing key,
 * PendingImport, no ValidTo or ExpirationModel. The fingerprint stays. */
MUST_CHECK cu_rc kms_import_forget(json_t *doc);

/* --- the per-KeySpec rules of imported material (import_material.c) --- */
struct kms_key_spec;
struct asym_key;

/* CreateKey: UnsupportedOperationException for Origin EXTERNAL on a spec that takes no
 * imported material (ML-DSA); nothing to do when !external. */
MUST_CHECK cu_rc kms_import_check_spec(struct call *call, const struct kms_key_spec *spec,
                                       bool external);
/* GetParametersForImport: UnsupportedOperationException for a wrapping algorithm (and
 * wrapping key spec) that cannot carry the key's kind of material: RSA-OAEP for an RSA
 * private key, RSA-OAEP under RSA_2048 for ECC_NIST_P521. */
MUST_CHECK cu_rc kms_import_check_wrapping(struct call *call, const struct kms_key *key,
                                           const char *algorithm, const char *wrapping_spec);

/* Unwrapped material read as the key's spec takes it. */
struct kms_import_material {
    const struct kms_key_spec *spec;
    struct asym_key *asym;                     /* RSA, EC, HMAC: the opened key; else NULL */
    uint8_t print[IMPORT_WRAP_FINGERPRINT_LEN]; /* import_wrap_fingerprint */
};
/* Read `material` (borrowed) for key into *m (zeroed by the caller; release with
 * kms_import_material_release): IncorrectKeyMaterialException when it is not what the
 * key's KeySpec takes. Errors also CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc kms_import_material_read(struct call *call, const struct kms_key *key,
                                          const struct secret *material,
                                          struct kms_import_material *m);
/* Seal what kms_import_material_read took into doc (a copy of key's record): "Backing"
 * version 1 for a symmetric key, "Private" for the others. */
MUST_CHECK cu_rc kms_import_material_store(struct call *call, const struct kms_key *key,
                                           const struct secret *material,
                                           const struct kms_import_material *m, json_t *doc);
void kms_import_material_release(struct kms_import_material *m);

#endif
