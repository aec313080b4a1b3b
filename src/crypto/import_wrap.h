/* import_wrap.h — the RSA wrapping keys of KMS key material import (GetParametersForImport,
 * ImportKeyMaterial): a fresh key pair per request, and the unwrapping of material a client
 * encrypted under its public half.
 *
 * Wrapping algorithms (KMS developer guide, importing-keys-get-public-key-and-token):
 *   RSAES_OAEP_SHA_1 / _256         the material itself, RSA-OAEP with SHA-1 / SHA-256 (and
 *                                   the same hash for MGF1);
 *   RSA_AES_KEY_WRAP_SHA_1 / _256   RSA-OAEP(an ephemeral AES-256 key) followed by the
 *                                   material under that key with AES key wrap with padding
 *                                   (RFC 5649), as `openssl enc -id-aes256-wrap-pad` makes it.
 * The private key never leaves this module but in its DER form inside a secret. */
#ifndef CU_CRYPTO_IMPORT_WRAP_H
#define CU_CRYPTO_IMPORT_WRAP_H

#include "core/buf.h"
#include "core/secret.h"
#include "master_key.h"

enum import_wrap_alg {
    IMPORT_WRAP_OAEP_SHA1 = 1,
    IMPORT_WRAP_OAEP_SHA256 = 2,
    IMPORT_WRAP_AES_KW_SHA1 = 3,
    IMPORT_WRAP_AES_KW_SHA256 = 4,
};

/* Largest DER private key a 4096-bit RSA key takes, with room. */
#define IMPORT_WRAP_PRIVATE_MAX 4096
/* Largest wrapped material accepted: an RSA block (512 bytes at 4096 bits) plus the AES-KWP
 * of a 4096-bit RSA private key in PKCS#8 (about 2.4 KiB), with room. */
#define IMPORT_WRAP_WRAPPED_MAX 4096
#define IMPORT_WRAP_FINGERPRINT_LEN 32

/* A new RSA key pair of `bits` (2048, 3072 or 4096): its SubjectPublicKeyInfo DER appended
 * to public_der, its PKCS#8 DER in *private_der (the caller's, secret_free).
 * Errors: CU_E_INTERNAL (bits, OpenSSL), CU_E_NOMEM. */
MUST_CHECK cu_rc import_wrap_keypair(int bits, struct buf *public_der,
                                     struct secret **private_der);

/* Unwrap `wrapped` with the private key (DER as import_wrap_keypair made it) under alg;
 * *material is the caller's. Errors: CU_E_SEAL_BROKEN for anything wrong with the wrapped
 * bytes (wrong key, algorithm, padding, tampering) without detail; CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc import_wrap_unwrap(struct bytes private_der, enum import_wrap_alg alg,
                                    struct bytes wrapped, struct secret **material);

/* A fingerprint of key material as imported into the key named arn: HMAC-SHA256 under a
 * master-key sub-key ("kms-import-fingerprint") of arn || 0 || material. What lets KMS tell
 * the same material from other material once the material itself is deleted, without
 * keeping it. Errors: CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc import_wrap_fingerprint(const struct master_key *mk, const char *arn,
                                         struct bytes material,
                                         uint8_t out[IMPORT_WRAP_FINGERPRINT_LEN]);

#endif
