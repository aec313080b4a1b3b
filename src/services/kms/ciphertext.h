/* ciphertext.h — the KMS symmetric ciphertext blob (CiphertextBlob of Encrypt,
 * GenerateDataKey*, ReEncrypt; input of Decrypt and ReEncrypt).
 *
 * AWS does not publish its layout, only that the blob carries a cleartext header naming
 * the backing key (HBKID), authenticated as AAD (KMS Cryptographic Details). custos's
 * layout, version 1, all integers big-endian:
 *
 *     offset  size  field
 *          0     1  format version (1; 2: the key is multi-Region, its id "mrk-" + hex)
 *          1    16  KMS key id: the UUID (or the 32 hex digits after "mrk-") as 16 bytes
 *         17     4  backing-key version (1 for the key's first material; rotation adds)
 *         21    16  nonce N (fresh random per message)
 *         37     n  ciphertext, n = plaintext length, 1..4096
 *       37+n    16  AES-GCM tag
 *
 * AAD = the 37 header bytes || the canonical encryption context (encryption_context.h).
 * The message key and IV are derived from the backing key and N (backing_key.h). A blob is
 * 54..4149 bytes, within AWS's 1..6144. */
#ifndef CU_KMS_CIPHERTEXT_H
#define CU_KMS_CIPHERTEXT_H

#include "core/buf.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/secret.h"
#include "crypto/backing_key.h"

#define KMS_CIPHERTEXT_VERSION 1
/* the same layout for a multi-Region key: the 16 key id bytes follow "mrk-" in hex */
#define KMS_CIPHERTEXT_VERSION_MRK 2
#define KMS_CIPHERTEXT_HEADER_LEN 37
#define KMS_CIPHERTEXT_TAG_LEN 16
#define KMS_CIPHERTEXT_NONCE_LEN 16
#define KMS_CIPHERTEXT_KEY_ID_LEN 16
#define KMS_CIPHERTEXT_OVERHEAD (KMS_CIPHERTEXT_HEADER_LEN + KMS_CIPHERTEXT_TAG_LEN)
/* AWS's limits [model: CiphertextType 1..6144, PlaintextType 1..4096]. */
#define KMS_CIPHERTEXT_MAX 6144
#define KMS_PLAINTEXT_MAX 4096

/* A parsed blob: fixed fields copied out, variable ones as views into the parsed bytes
 * (which must outlive the struct). */
struct kms_ciphertext {
    uint8_t version;
    uint8_t key_id_bin[KMS_CIPHERTEXT_KEY_ID_LEN];
    char key_id[IDS_UUID_LEN + 1]; /* the same id as a lowercase 8-4-4-4-12 UUID */
    uint32_t backing_version;      /* >= 1 */
    struct bytes header;           /* the first KMS_CIPHERTEXT_HEADER_LEN bytes */
    struct bytes nonce;
    struct bytes ciphertext; /* without the tag */
    struct bytes tag;        /* follows ciphertext directly */
};

/* Parse a blob (pure; fuzzed by tests/fuzz/ciphertext_fuzz.c). Checks the length bounds,
 * the version byte and that the backing version is not 0; it authenticates nothing (that
 * is kms_ciphertext_open's job, once the key is known). Errors: any malformation is
 * CU_E_KMS_INVALID_CIPHERTEXT with an empty message, as AWS sends none. */
MUST_CHECK cu_rc kms_ciphertext_parse(struct bytes blob, struct kms_ciphertext *out,
                                      struct cu_err *err);

/* Encrypt plaintext (1..KMS_PLAINTEXT_MAX bytes) under backing key k, naming key
 * key_id_uuid (a UUID string, either case) and backing_version (>= 1) in the header, with
 * a fresh random nonce; context_canonical is the encoding of the request's encryption
 * context (encryption_context_canonical). Appends the blob to `blob` (an ordinary buf: the
 * blob is not secret); on failure `blob` is unchanged. Errors: CU_E_VALIDATION (plaintext
 * size: the caller should have rejected it with AWS's message first), CU_E_INTERNAL (not a
 * UUID, version 0, OpenSSL), CU_E_NOMEM, CU_E_PAYLOAD_TOO_LARGE (blob's limit). */
MUST_CHECK cu_rc kms_ciphertext_seal(const struct backing_key *k, const char *key_id_uuid,
                                     uint32_t backing_version, struct bytes context_canonical,
                                     struct bytes plaintext, struct buf *blob);

/* Authenticate and decrypt a parsed blob with the backing key its header names (the caller
 * looks it up by ct->key_id and ct->backing_version) and the canonical encryption context
 * of the Decrypt request. *plaintext is a new secret owned by the caller.
 * Errors: CU_E_KMS_INVALID_CIPHERTEXT with an empty message for any mismatch (tampered
 * blob, other key or version, other context); CU_E_NOMEM; CU_E_INTERNAL. */
MUST_CHECK cu_rc kms_ciphertext_open(const struct backing_key *k, const struct kms_ciphertext *ct,
                                     struct bytes context_canonical, struct secret **plaintext,
                                     struct cu_err *err);

#endif
