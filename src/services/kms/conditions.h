/* conditions.h — the policy context of a KMS call, assembled in one place (conditions.c).
 *
 * Two moments, because authorization needs both and the second needs the key:
 *   - before the resolver, from the request alone: the descriptors' keys= functions
 *     (kms.ops): kms_condition_keys (kms:EncryptionContext:<k>, kms:EncryptionContextKeys,
 *     kms:EncryptionAlgorithm), kms_create_key_condition_keys, kms_create_grant_condition_keys,
 *     declared in kms_ops.gen.h;
 *   - once the resolver has found the key, kms_key_condition_keys (called by
 *     kms_target_set): aws:ResourceTag/<k> from the key's tags, kms:CallerAccount,
 *     kms:RequestAlias, and whether one of the key's grants covers the call.
 * Values are borrowed from the request tree and the key, which outlive the call's keys. */
#ifndef CU_KMS_CONDITIONS_H
#define CU_KMS_CONDITIONS_H

#include "services/call.h"

struct kms_key;

/* The condition keys of a call on `key` (KMS developer guide, conditions-kms), and
 * call->target.grant_action when a grant on the key covers the call's action. */
void kms_key_condition_keys(struct call *call, const struct kms_key *key, const json_t *in);

#endif
