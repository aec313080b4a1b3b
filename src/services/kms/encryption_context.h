/* encryption_context.h — KMS encryption context: request map -> canonical AAD bytes.
 *
 * AWS binds the EncryptionContext (string -> string map) to a ciphertext as AAD; decrypting
 * needs "an exact, case-sensitive match" where "only the order of the key-value pairs can
 * vary" (KMS developer guide, encrypt_context). The canonical form makes that precise:
 *
 *     u32 count | count x ( u32 key_len | key | u32 value_len | value )
 *
 * big-endian lengths, UTF-8 bytes as received, pairs in strictly increasing order of key
 * bytes (memcmp order; a proper prefix sorts first). Absent and empty contexts both encode
 * as four zero bytes. Lengths make the encoding injective: distinct contexts never share
 * bytes (moto and LocalStack concatenate key+value, so {"ab":"c"} and {"a":"bc"} collide). */
#ifndef CU_KMS_ENCRYPTION_CONTEXT_H
#define CU_KMS_ENCRYPTION_CONTEXT_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"

/* Largest canonical encoding custos accepts (the AWS API sets no smaller limit of its own;
 * the request body limit applies first in practice). */
#define ENCRYPTION_CONTEXT_MAX_BYTES 65536

/* A parsed canonical encoding: a view into the parser's input plus its pair count. */
struct encryption_context {
    struct bytes canonical;
    uint32_t count;
};

/* Walks the pairs of a parsed context in canonical order. */
struct encryption_context_iter {
    struct cursor cur;
    uint32_t left;
};

/* Append the canonical encoding of ctx to out. ctx is the request's EncryptionContext
 * member: NULL or JSON null (absent) or an object whose values are all strings. Borrowed;
 * out is caller-owned. Errors: CU_E_VALIDATION (not an object, a non-string value, or the
 * encoding would pass ENCRYPTION_CONTEXT_MAX_BYTES), message in err; CU_E_NOMEM;
 * CU_E_PAYLOAD_TOO_LARGE (out's own limit). */
MUST_CHECK cu_rc encryption_context_canonical(const json_t *ctx, struct buf *out,
                                              struct cu_err *err);

/* Parse and fully validate a canonical encoding (pure; fuzzed): exact lengths, no bytes
 * left over, keys strictly increasing, keys and values valid UTF-8, size within
 * ENCRYPTION_CONTEXT_MAX_BYTES. out views into `in`. Errors: CU_E_MALFORMED_INPUT. */
MUST_CHECK cu_rc encryption_context_parse(struct bytes in, struct encryption_context *out,
                                          struct cu_err *err);

/* Start walking a context that encryption_context_parse accepted. */
void encryption_context_iter_init(const struct encryption_context *ec,
                                  struct encryption_context_iter *it);

/* The next pair as views into the canonical bytes; false when none is left. */
bool encryption_context_next(struct encryption_context_iter *it, struct bytes *key,
                             struct bytes *value);

/* The context as a new JSON object of strings (for audit records and grant constraints);
 * *out is the caller's reference (json_decref). Errors: CU_E_NOMEM. */
MUST_CHECK cu_rc encryption_context_to_json(const struct encryption_context *ec, json_t **out);

#endif
