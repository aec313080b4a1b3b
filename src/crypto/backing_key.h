/* backing_key.h — KMS backing keys (AWS's "HBK"): 256-bit AES material behind a KMS key.
 *
 * A KMS key has one backing key per version (rotation adds one). The material exists only
 * in the secure heap inside crypto/; services hold struct backing_key handles, store the
 * master-key-sealed form, and ask this module to encrypt or decrypt. Per message, as AWS
 * describes (KMS Cryptographic Details, encrypt-operation.html: "Derives a 256-bit AES-GCM
 * derived encryption key K from HBK and N"), a fresh 16-byte nonce N gives
 *     K || IV = HKDF-SHA256(ikm = HBK, salt = N, info = "custos/v1/kms-data", 44 bytes)
 * and the message is AES-256-GCM(K, IV, aad, plaintext). A key K encrypts one message, so
 * GCM's random-IV limits never bind however many messages a backing key encrypts. */
#ifndef CU_CRYPTO_BACKING_KEY_H
#define CU_CRYPTO_BACKING_KEY_H

#include "core/buf.h"
#include "core/secret.h"
#include "master_key.h"

#define BACKING_KEY_LEN 32
#define BACKING_KEY_NONCE_LEN 16
#define BACKING_KEY_TAG_LEN 16
/* Largest plaintext backing_key_encrypt takes (KMS itself allows 4096). */
#define BACKING_KEY_MAX_PLAINTEXT 65536

struct backing_key; /* opaque; 32 bytes of material in the secure heap */

/* A new backing key of 32 fresh random bytes; *out is the caller's (backing_key_free).
 * Errors: CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc backing_key_generate(struct backing_key **out);

/* A backing key from given material (exactly 32 bytes): for ImportKeyMaterial and tests.
 * The bytes are copied; the caller wipes its copy. Errors: CU_E_VALIDATION (length),
 * CU_E_NOMEM. */
MUST_CHECK cu_rc backing_key_import(struct bytes material, struct backing_key **out);

/* Wipe and free; NULL-safe. */
void backing_key_free(struct backing_key *k);

/* The AAD that binds sealed material to its place: appends an unambiguous encoding of
 * ("custos/v1/backing-key", key_arn, version) to aad (an ordinary buf). Callers may supply
 * their own AAD instead, but must use the same one to seal and to open.
 * Errors: CU_E_PAYLOAD_TOO_LARGE (aad's limit), CU_E_NOMEM. */
MUST_CHECK cu_rc backing_key_seal_aad(const char *key_arn, uint32_t version, struct buf *aad);

/* Seal k's material under the master key with aad (master_key_seal), appending the sealed
 * bytes (32 + MASTER_KEY_SEAL_OVERHEAD) to sealed — what the store keeps.
 * Errors: as master_key_seal. */
MUST_CHECK cu_rc backing_key_seal(const struct master_key *mk, const struct backing_key *k,
                                  struct bytes aad, struct buf *sealed);

/* Open a sealed backing key with the aad used to seal it; *out is the caller's.
 * Errors: CU_E_SEAL_BROKEN (tampered, other master key, other aad, not a backing key),
 * CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc backing_key_open(const struct master_key *mk, struct bytes sealed,
                                  struct bytes aad, struct backing_key **out);

/* Encrypt plaintext (0..BACKING_KEY_MAX_PLAINTEXT bytes) under the key derived from k and
 * nonce (exactly BACKING_KEY_NONCE_LEN bytes, fresh random per message: the caller draws
 * it and never reuses one), authenticating aad. Appends ciphertext (plaintext.n bytes)
 * then the 16-byte tag to ciphertext_and_tag; on failure that buf is unchanged.
 * Errors: CU_E_INTERNAL (bad nonce length or size, OpenSSL), CU_E_PAYLOAD_TOO_LARGE, NOMEM. */
MUST_CHECK cu_rc backing_key_encrypt(const struct backing_key *k, struct bytes nonce,
                                     struct bytes aad, struct bytes plaintext,
                                     struct buf *ciphertext_and_tag);

/* Reverse backing_key_encrypt: ciphertext_and_tag is the ciphertext followed by its tag.
 * *plaintext is a new secret owned by the caller. Errors: CU_E_SEAL_BROKEN for any
 * mismatch (wrong key, nonce, aad, tampered or short input) without detail; CU_E_NOMEM,
 * CU_E_INTERNAL. */
MUST_CHECK cu_rc backing_key_decrypt(const struct backing_key *k, struct bytes nonce,
                                     struct bytes aad, struct bytes ciphertext_and_tag,
                                     struct secret **plaintext);

#endif
