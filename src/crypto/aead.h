/* aead.h — AES-256-GCM with associated data: the one authenticated cipher of custos.
 *
 * The raw primitive under master_key.c (material at rest) and backing_key.c (KMS data).
 * It takes keys and IVs as plain byte arrays, so it is meant for crypto/ only: code
 * outside crypto/ holds key handles (struct master_key, struct backing_key) instead.
 * Every call reuses a per-thread cipher context on an algorithm fetched once. */
#ifndef CU_CRYPTO_AEAD_H
#define CU_CRYPTO_AEAD_H

#include "core/bytes.h"
#include "core/cu.h"

#define AEAD_KEY_LEN 32
#define AEAD_IV_LEN 12
#define AEAD_TAG_LEN 16
/* GCM's own bound is 2^39 - 256 bits; custos never comes near it, but an int is what
 * OpenSSL's update takes, so inputs are capped well below INT_MAX. */
#define AEAD_MAX_INPUT ((size_t)1 << 30)

/* Encrypt plaintext under key/iv, authenticating aad as well. Writes plaintext.n bytes
 * of ciphertext to ct (caller-owned, at least plaintext.n bytes; may equal plaintext.p)
 * and the 16-byte tag to tag. The caller must never reuse an (key, iv) pair.
 * Errors: CU_E_INTERNAL (oversized input, OpenSSL failure; the cause is logged). */
MUST_CHECK cu_rc aead_seal(const uint8_t key[AEAD_KEY_LEN], const uint8_t iv[AEAD_IV_LEN],
                           struct bytes aad, struct bytes plaintext, uint8_t *ct,
                           uint8_t tag[AEAD_TAG_LEN]);

/* Decrypt ciphertext and check the tag over aad and ciphertext. Writes ciphertext.n bytes
 * to plain (caller-owned; a secret buffer). On failure plain is wiped.
 * Errors: CU_E_SEAL_BROKEN when the tag does not verify (tampering, wrong key, wrong aad;
 * no detail is given, by design), CU_E_INTERNAL on OpenSSL failure. */
MUST_CHECK cu_rc aead_open(const uint8_t key[AEAD_KEY_LEN], const uint8_t iv[AEAD_IV_LEN],
                           struct bytes aad, struct bytes ciphertext,
                           const uint8_t tag[AEAD_TAG_LEN], uint8_t *plain);

/* For tests only: whether the calling thread's context exists and holds no algorithm
 * state, as it must after any seal or open (no key schedule is left in it). */
bool aead_context_empty(void);

#endif
