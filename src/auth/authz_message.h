/* authz_message.h — AWS's "encoded authorization failure message": the full context of
 * a denied decision, sealed so that only a caller allowed sts:DecodeAuthorizationMessage
 * reads it (STS API reference, DecodeAuthorizationMessage: "The message is encoded because
 * the details of the authorization status can contain privileged information that the
 * user who requested the operation should not see").
 *
 * The decoded form is the JSON document AWS documents (IAM guide and STS API reference
 * examples): {"allowed", "explicitDeny", "matchedStatements": {"items": [...]},
 * "failures": {"items": [...]}, "context": {"principal": {"id", "arn"}, "action",
 * "resource", "conditions": {"items": [{"key", "values": {"items": [{"value"}]}}]}}}.
 *
 * Encoded form (custos's own; AWS does not publish one): base64url of
 *     0x01 | nonce (12) | AES-256-GCM ciphertext of the compact JSON | tag (16)
 * under a key derived from the master key (purpose "sts-authorization-message"), the
 * version byte authenticated as AAD. Only custos can make one that decodes. */
#ifndef CU_AUTHZ_MESSAGE_H
#define CU_AUTHZ_MESSAGE_H

#include <jansson.h>

#include "core/buf.h"
#include "crypto/master_key.h"

/* STS's limit on EncodedMessage (model: encodedMessageType, 1-10,240). */
#define AUTHZ_MESSAGE_MAX 10240

/* One condition key of the request and its values (borrowed). */
struct authz_condition {
    const char *key;
    const char *const *values;
    size_t n_values;
};

/* A denied decision as the message documents it; every string borrowed. */
struct authz_decision {
    bool explicit_deny;
    const char *principal_id, *principal_arn, *action, *resource;
    const struct authz_condition *conditions;
    size_t n_conditions;
    const char *const *matched_statements; /* ids of the statements that denied */
    size_t n_matched;
};

/* The decoded document of d; *out is the caller's. Errors: CU_E_NOMEM. */
MUST_CHECK cu_rc authz_message_document(const struct authz_decision *d, json_t **out);

/* Append the encoded message of doc (a JSON object) to out. Errors: CU_E_PAYLOAD_TOO_LARGE
 * (more than AUTHZ_MESSAGE_MAX encoded), CU_E_NOMEM, CU_E_INTERNAL. */
MUST_CHECK cu_rc authz_message_encode(const struct master_key *mk, const json_t *doc,
                                      struct buf *out);

/* The document inside an encoded message; *doc is the caller's. Anything but a message
 * custos encoded under this master key (bad characters, truncated, tampered, another
 * key, not a JSON object) is CU_E_MALFORMED_INPUT, without detail; CU_E_NOMEM,
 * CU_E_INTERNAL. */
MUST_CHECK cu_rc authz_message_decode(const struct master_key *mk, struct bytes text,
                                      json_t **doc);

#endif
