/* grants.h — KMS grants as a loaded key carries them, and the check that lets one allow
 * a request (KMS developer guide, grants; AWS-NOTES §3: "grants add allows").
 *
 * A grant names one principal (GranteePrincipal, an exact ARN), the operations it may
 * call on the key, and optionally an encryption-context constraint. It allows on its own,
 * like a key policy statement naming the caller, but never past an explicit deny or an
 * Organizations policy (policy/eval.c decides; this file only says whether one covers the
 * request). */
#ifndef CU_KMS_GRANTS_H
#define CU_KMS_GRANTS_H

#include "services/call.h"

struct kms_key;

/* How many GrantOperation values the model has (grants.c lists them). */
#define KMS_GRANT_OPERATIONS 17

struct kms_grant {
    const char *grantee;     /* borrowed from the key's grant documents */
    uint32_t operations;     /* bit i: kms_grant_operations[i] */
    const json_t *subset;    /* EncryptionContextSubset, or NULL */
    const json_t *equals;    /* EncryptionContextEquals, or NULL */
};

/* Load the key's grants (at key load; the key cache reloads on every store change). */
MUST_CHECK cu_rc kms_grants_load(struct call *call, struct kms_key *key);
void kms_grants_free(struct kms_key *key);

/* Does a grant on key let principal_arn perform action ("kms:Encrypt") with this
 * request's encryption context? */
bool kms_grants_cover(const struct kms_key *key, const char *principal_arn, const char *action,
                      const json_t *in);

/* ValidationException unless every operation in ops (the request's Operations) is one
 * the key can perform (grant_operations.c): no Sign on a symmetric key, no
 * GenerateDataKey on an asymmetric one. */
MUST_CHECK cu_rc kms_grant_operations_fit(struct call *call, const struct kms_key *key,
                                          const json_t *ops);

/* Record in call->target that a grant covers the call's own action on the key. */
void kms_grants_mark(struct call *call, const struct kms_key *key, const json_t *in);

#endif
