/* master_key.h — the root of trust: DIR/master.key, 32 random bytes, mode 0600.
 *
 * Read once at start (before the secure heap holds anything else, before listening) and
 * kept in the secure heap until exit. It seals every piece of key material at rest
 * (backing_key.c) with AES-256-GCM; the caller's AAD binds what is sealed to where it
 * belongs (key ARN, backing-key version), so a sealed blob moved to another row fails.
 *
 * Sealed format, version 1 (never changes; a new layout takes a new version byte):
 *     0x01 | IV (12 random bytes) | ciphertext (as long as the plaintext) | GCM tag (16)
 * under a sealing key derived from the master key with HKDF-SHA256 (info "custos/v1/seal"). */
#ifndef CU_CRYPTO_MASTER_KEY_H
#define CU_CRYPTO_MASTER_KEY_H

#include "core/buf.h"
#include "core/err.h"
#include "core/secret.h"

#define MASTER_KEY_LEN 32
#define MASTER_KEY_SEAL_VERSION 1
/* Bytes a sealed blob adds to its plaintext: version, IV, tag. */
#define MASTER_KEY_SEAL_OVERHEAD 29
/* Largest plaintext master_key_seal accepts (key material and small records only). */
#define MASTER_KEY_SEAL_MAX (1 << 20)

struct master_key; /* opaque; material in the secure heap */

/* Read the master key file at path; when it does not exist, create it first: 32 random
 * bytes written to a temporary file (O_EXCL, mode 0600), fsynced, linked into place
 * (never overwriting a file another process made meanwhile) and the directory fsynced.
 * A file that is not a regular file, is accessible by group or others, or does not hold
 * exactly 32 bytes is refused, never repaired. On success *out is the caller's
 * (master_key_free). Errors: CU_E_INTERNAL with an operator-facing message in err
 * (naming the path and the fix; never the key), CU_E_NOMEM. */
MUST_CHECK cu_rc master_key_load_or_create(const char *path, struct master_key **out,
                                           struct cu_err *err);

/* A master key of fresh random bytes that exists only in memory (tests, tools).
 * Errors: CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc master_key_new_random(struct master_key **out);

/* Wipe and free; NULL-safe. */
void master_key_free(struct master_key *mk);

/* Seal plaintext (0..MASTER_KEY_SEAL_MAX bytes) with aad in the format above, appending
 * plaintext.n + MASTER_KEY_SEAL_OVERHEAD bytes to out (the sealed bytes are not secret;
 * out may be an ordinary buf). A fresh random IV every call. On failure out is unchanged.
 * Errors: CU_E_PAYLOAD_TOO_LARGE (out's limit), CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc master_key_seal(const struct master_key *mk, struct bytes plaintext,
                                 struct bytes aad, struct buf *out);

/* Open a blob made by master_key_seal with the same aad; *out is a new secret owned by the
 * caller (secret_free). Errors: CU_E_SEAL_BROKEN for anything wrong with the blob
 * (short, unknown version, tampered, other key or aad) — deliberately without detail;
 * CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc master_key_open(const struct master_key *mk, struct bytes sealed, struct bytes aad,
                                 struct secret **out);

/* Derive an n-byte (1..255*32) purpose-bound sub-key: HKDF-SHA256 of the master key with
 * info "custos/v1/derive/" + purpose (e.g. "sts-session-token"). The same master key and
 * purpose always give the same sub-key; distinct purposes give independent ones. *out is
 * the caller's (secret_free). Errors: CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc master_key_derive(const struct master_key *mk, const char *purpose, size_t n,
                                   struct secret **out);

#endif
