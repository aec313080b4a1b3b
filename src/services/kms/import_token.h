/* import_token.h — the ImportToken of GetParametersForImport / ImportKeyMaterial.
 *
 * AWS's token is opaque; custos's carries everything ImportKeyMaterial needs, so no state
 * is kept between the two calls: the key it is for, the wrapping algorithm and key spec,
 * when it expires (ParametersValidTo) and the wrapping private key. The claims, version 1,
 * integers big-endian:
 *
 *     size  field
 *        1  claims version (1)
 *        1  wrapping algorithm (enum import_wrap_alg)
 *        2  wrapping key size in bits (2048, 3072, 4096)
 *        8  valid-to, milliseconds since the epoch (two's complement)
 *        2  n, then n bytes: the key ARN (1..KMS_ARN_MAX-1)
 *        2  m, then m bytes: the wrapping private key, PKCS#8 DER (1..IMPORT_WRAP_PRIVATE_MAX)
 *
 * and nothing after. The token is the claims sealed under the master key (master_key.h)
 * with the AAD "custos/v1/kms-import-token": authenticated, and the private key in it is
 * never readable outside the server. */
#ifndef CU_KMS_IMPORT_TOKEN_H
#define CU_KMS_IMPORT_TOKEN_H

#include "core/buf.h"
#include "core/err.h"
#include "core/secret.h"
#include "crypto/import_wrap.h"
#include "crypto/master_key.h"

#define IMPORT_TOKEN_VERSION 1
/* The model's CiphertextType bound on ImportToken. */
#define IMPORT_TOKEN_MAX 6144

struct import_token {
    enum import_wrap_alg alg;
    int bits;
    int64_t valid_to_ms;
    struct bytes arn;         /* view into the parsed claims, not NUL-terminated */
    struct bytes private_der; /* view into the parsed claims: secret */
};

/* Parse opened claims (pure; fuzzed by tests/fuzz/import_token_fuzz.c). Errors: any
 * malformation is CU_E_KMS_INVALID_IMPORT_TOKEN with an empty message. The views point
 * into claims, which must outlive *out. */
MUST_CHECK cu_rc import_token_parse(struct bytes claims, struct import_token *out,
                                    struct cu_err *err);

/* Append the claims of t to out (a sensitive buf: they hold a private key).
 * Errors: CU_E_INTERNAL (a field out of range), CU_E_PAYLOAD_TOO_LARGE, CU_E_NOMEM. */
MUST_CHECK cu_rc import_token_format(const struct import_token *t, struct buf *out);

/* Seal t into a token, appended to out. Errors: as import_token_format, master_key_seal. */
MUST_CHECK cu_rc import_token_seal(const struct master_key *mk, const struct import_token *t,
                                   struct buf *out);

/* Open a token: *claims (the caller's, secret_free) holds what *out views.
 * Errors: CU_E_KMS_INVALID_IMPORT_TOKEN (not a token of this server, tampered, malformed),
 * with an empty message; CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc import_token_open(const struct master_key *mk, struct bytes token,
                                   struct secret **claims, struct import_token *out,
                                   struct cu_err *err);

#endif
