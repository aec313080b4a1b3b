/* kdf.h — HKDF-SHA256 (RFC 5869): one secret and a label in, independent keys out.
 *
 * Used inside crypto/ to derive per-message KMS keys from a backing key and a nonce, and
 * purpose-bound sub-keys from the master key. Inputs and outputs are raw bytes, so callers
 * outside crypto/ should not need it: they hold key handles. */
#ifndef CU_CRYPTO_KDF_H
#define CU_CRYPTO_KDF_H

#include "core/bytes.h"
#include "core/cu.h"

#define KDF_SHA256_LEN 32
#define KDF_HKDF_MAX_OUT (255 * KDF_SHA256_LEN)

/* HKDF-Extract then HKDF-Expand with SHA-256: fill out[0..out_len) from input keying
 * material ikm (must be non-empty), salt (may be empty: RFC 5869 then uses HashLen zero
 * bytes) and info (may be empty). out is caller-owned and holds key material: the caller
 * keeps it in a struct secret or wipes it. out_len is 1..KDF_HKDF_MAX_OUT.
 * Errors: CU_E_INTERNAL (ikm empty, out_len out of range). */
MUST_CHECK cu_rc kdf_hkdf_sha256(struct bytes ikm, struct bytes salt, struct bytes info,
                                 uint8_t *out, size_t out_len);

#endif
