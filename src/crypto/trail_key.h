/* trail_key.h — the audit trail's signing key: Ed25519, one per data directory.
 *
 * Generated at the first start; its private half (the 32-byte Ed25519 seed) is kept only
 * sealed under the master key (master_key.h, AAD "custos/v1/audit-signing-key") in
 * DIR/signing-key.sealed, its public half beside it as DIR/public-key.pem (PEM
 * SubjectPublicKeyInfo), so `openssl pkeyutl -verify` or any auditor's tool can check a
 * digest with nothing else. Verification (trail_pubkey_*) needs only that PEM. */
#ifndef CU_CRYPTO_TRAIL_KEY_H
#define CU_CRYPTO_TRAIL_KEY_H

#include "core/buf.h"
#include "core/err.h"
#include "crypto/master_key.h"

#define TRAIL_SIG_LEN 64 /* an Ed25519 signature */
#define TRAIL_FINGERPRINT_LEN 64 /* hex SHA-256 of the public key's DER */

struct trail_key;    /* the private key; opaque, material inside OpenSSL's EVP_PKEY */
struct trail_pubkey; /* a public key read from PEM */

/* Open DIR/signing-key.sealed under mk, or, when it does not exist, generate a key, seal
 * it there (mode 0600, written to a temporary file, fsynced, renamed, directory fsynced)
 * and write DIR/public-key.pem (0644) the same way. A sealed key that does not open (other
 * master key, tampered) is refused, never replaced. *out is the caller's
 * (trail_key_free). Errors: CU_E_INTERNAL with an operator-facing message in err. */
MUST_CHECK cu_rc trail_key_load_or_create(const struct master_key *mk, const char *dir,
                                          struct trail_key **out, struct cu_err *err);
/* Open DIR/signing-key.sealed only, never creating it (`custos audit public-key`).
 * Errors: CU_E_INTERNAL with a message in err (missing file, wrong master key). */
MUST_CHECK cu_rc trail_key_load(const struct master_key *mk, const char *dir,
                                struct trail_key **out, struct cu_err *err);
/* Sign msg: sig is TRAIL_SIG_LEN bytes. Errors: CU_E_INTERNAL. */
MUST_CHECK cu_rc trail_key_sign(const struct trail_key *k, struct bytes msg,
                                uint8_t sig[TRAIL_SIG_LEN]);
/* Append the public half as PEM to out. */
MUST_CHECK cu_rc trail_key_public_pem(const struct trail_key *k, struct buf *out);
/* The public half's fingerprint: hex SHA-256 of its DER SubjectPublicKeyInfo. */
void trail_key_fingerprint(const struct trail_key *k, char out[TRAIL_FINGERPRINT_LEN + 1]);
void trail_key_free(struct trail_key *k);

/* Read an Ed25519 public key from PEM. Errors: CU_E_MALFORMED_INPUT (not PEM, not an
 * Ed25519 key). *out is the caller's (trail_pubkey_free). */
MUST_CHECK cu_rc trail_pubkey_parse(struct bytes pem, struct trail_pubkey **out);
void trail_pubkey_fingerprint(const struct trail_pubkey *k,
                              char out[TRAIL_FINGERPRINT_LEN + 1]);
/* Append the DER SubjectPublicKeyInfo (what the fingerprint hashes) to out: CloudTrail's
 * ListPublicKeys Value. Errors: CU_E_INTERNAL, CU_E_NOMEM. */
MUST_CHECK cu_rc trail_pubkey_der(const struct trail_pubkey *k, struct buf *out);
/* Whether sig is k's signature of msg. */
bool trail_pubkey_verify(const struct trail_pubkey *k, struct bytes msg, struct bytes sig);
void trail_pubkey_free(struct trail_pubkey *k);

#endif
