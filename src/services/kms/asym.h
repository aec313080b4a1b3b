/* asym.h — what the rest of KMS needs from asym.c: making and opening the private
 * material of RSA, EC and HMAC keys, and routing the symmetric operations' calls on such
 * keys (RSA Encrypt/Decrypt) or refusing them with AWS's InvalidKeyUsageException. */
#ifndef CU_KMS_ASYM_H
#define CU_KMS_ASYM_H

#include "key_specs.h"
#include "kms_key.h"

/* Generate the key's private material for spec and store it sealed in doc["Private"]
 * ({"Version": 1, "Sealed": b64}, bound to arn). Errors: CU_E_INTERNAL, CU_E_NOMEM. */
MUST_CHECK cu_rc kms_asym_new_material(struct call *call, const struct kms_key_spec *spec,
                                       const char *arn, json_t *doc);
/* Seal k (the caller's, unchanged) into doc["Private"] as kms_asym_new_material does: the
 * material ImportKeyMaterial took. Errors: CU_E_INTERNAL, CU_E_NOMEM. */
MUST_CHECK cu_rc kms_asym_store(struct call *call, const struct asym_key *k, const char *arn,
                                json_t *doc);
/* Open doc["Private"] into key->asym when the record has one (else nothing to do).
 * Errors: CU_E_SEAL_BROKEN, CU_E_STORE, CU_E_NOMEM. */
MUST_CHECK cu_rc kms_asym_open(struct call *call, struct kms_key *key);

/* Fail with InvalidKeyUsageException "<arn> key usage is <usage> which is not valid for
 * <operation>." unless the key is a symmetric encryption key (the call's operation: its
 * IAM action's name). */
MUST_CHECK cu_rc kms_key_check_symmetric(struct call *call, const struct kms_key *key);

/* Encrypt and Decrypt on an RSA key (RSAES_OAEP_SHA_1 / _256); `in` the request. */
MUST_CHECK cu_rc kms_asym_encrypt(struct call *call, const struct kms_key *key,
                                  const json_t *in, json_t *out);
MUST_CHECK cu_rc kms_asym_decrypt(struct call *call, const struct kms_key *key,
                                  const json_t *in, json_t *out);

/* The OAEP algorithm in["EncryptionAlgorithm"] names for an RSA ENCRYPT_DECRYPT key in
 * *alg, or AWS's InvalidKeyUsageException (a key of another usage, an algorithm its spec
 * does not list). */
MUST_CHECK cu_rc kms_asym_algorithm(struct call *call, const struct kms_key *key,
                                    const json_t *in, const struct kms_alg **alg);
/* The RSA-OAEP halves of Encrypt and Decrypt on bytes, for ReEncrypt: the algorithm named
 * by in["EncryptionAlgorithm"] (AWS's InvalidKeyUsageException when the key's spec does
 * not list it) in *alg; seal appends the ciphertext to ct (ValidationException for a
 * plaintext too long for the key), open makes *plain (the caller's; a ciphertext that
 * does not open is InvalidCiphertextException). */
MUST_CHECK cu_rc kms_asym_seal_bytes(struct call *call, const struct kms_key *key,
                                     const json_t *in, struct bytes plain, struct buf *ct,
                                     const struct kms_alg **alg);
MUST_CHECK cu_rc kms_asym_open_bytes(struct call *call, const struct kms_key *key,
                                     const json_t *in, struct bytes ct, struct secret **plain,
                                     const struct kms_alg **alg);

#endif
