/* kms.h — the surface of the KMS service other services (Secrets Manager, SSM) may use to
 * seal and open data under a KMS key. Its handlers are declared in kms_ops.gen.h, from
 * kms.ops. */
#ifndef CU_KMS_H
#define CU_KMS_H

#include "core/buf.h"
#include "core/secret.h"
#include "services/call.h"

struct kms_key;
struct policy;

/* Seal plaintext under the key's current backing key with the encryption context (a JSON
 * object of strings, or NULL) bound as AAD; the blob is appended to `blob`. */
MUST_CHECK cu_rc kms_seal(struct call *call, const struct kms_key *key, const json_t *context,
                          struct bytes plaintext, struct buf *blob);

/* --- KMS on behalf of another service (via_service.c) ---
 * Secrets Manager and SSM keep values encrypted under a KMS key the way AWS does: envelope
 * encryption, a fresh 256-bit data key per value sealed under the KMS key with the
 * service's encryption context, the value sealed under the data key with the same context
 * as AAD. Each use is authorized as the caller (the key policy, the caller's IAM policies,
 * kms:ViaService "<service>.<region>.amazonaws.com", kms:CallerAccount, the context as
 * kms:EncryptionContext:*). Errors, for the calling service to word as its own:
 * CU_E_ACCESS_DENIED (the caller may not use the key; message "Access to KMS is not
 * allowed"), CU_E_KMS_NOT_FOUND, CU_E_KMS_DISABLED, CU_E_KMS_INVALID_STATE,
 * CU_E_KMS_INVALID_KEY_USAGE (not a symmetric key), CU_E_KMS_INVALID_CIPHERTEXT. */

/* Longest value kms_via_encrypt seals. */
#define KMS_VIA_MAX_PLAINTEXT 65536

/* Seal plaintext under the key `key_id` (any KeyId form; NULL: the AWS managed key
 * "alias/aws/<service>", made on first use) with `context` (a JSON object of strings),
 * as the caller, authorized for kms:GenerateDataKey. Sets in `sealed` (an object the
 * caller owns): "KmsKeyArn", "DataKey", "Nonce", "Value" (base64). */
MUST_CHECK cu_rc kms_via_encrypt(struct call *call, const char *service, const char *key_id,
                                 const json_t *context, struct bytes plaintext, json_t *sealed);
/* Open what kms_via_encrypt sealed, as the caller, authorized for kms:Decrypt; `context`
 * must be the one it was sealed with. *plaintext is a new secret owned by the caller. */
MUST_CHECK cu_rc kms_via_decrypt(struct call *call, const char *service, const json_t *context,
                                 const json_t *sealed, struct secret **plaintext);

/* The AWS managed key of `service` ("secretsmanager": alias/aws/secretsmanager) in the
 * call's account and region, created with its alias and AWS's key policy on first use
 * (aws_managed_keys.c). *out is a reference the caller releases with kms_key_unref. */
MUST_CHECK cu_rc kms_aws_managed_key(struct call *call, const char *service,
                                     struct kms_key **out);

/* out["KeyMetadata"]: a stored key record rendered through the KeyMetadata shape of the
 * operation `op`'s output ("DescribeKey"), with the members KMS computes. */
MUST_CHECK cu_rc kms_key_metadata(const char *op, const json_t *doc, json_t *out);
/* Validate a key policy for the key `arn` (size, syntax, lockout unless bypass). */
MUST_CHECK cu_rc kms_policy_accept(struct call *call, const char *arn, const char *text,
                                   bool bypass, struct policy **compiled);
/* DryRunOperationException when the request sets DryRun (KMS API reference). */
MUST_CHECK cu_rc kms_check_dry_run(struct call *call, const json_t *in);

/* TagException unless a list of KMS tags ([{TagKey, TagValue}]) may be set: at most 50,
 * no key twice, none beginning with "aws:" (tags.c). */
MUST_CHECK cu_rc kms_tags_check(struct call *call, const json_t *tags);
/* Called for each key the sweep deletes, inside its transaction and before its commit,
 * with the key's ARN and the seq the commit will take: the caller writes the trail's
 * record (the write-ahead order, audit.h); an error rolls the deletion back. */
typedef cu_rc (*kms_deleted_fn)(const char *key_arn, uint64_t commit_seq, void *ctx);
/* Really delete the keys of env's account and region whose deletion window has ended by
 * now_ms (key_state.c): each key's record and sealed material, grants and aliases, in a
 * write transaction of its own, recorded through `record`. *deleted: how many. Run by the
 * server at start and periodically; a call meanwhile already finds such a key gone
 * (kms_key.h). */
MUST_CHECK cu_rc kms_sweep_deleted(const struct call_env *env, int64_t now_ms,
                                   kms_deleted_fn record, void *ctx, size_t *deleted);

/* Called for each key the rotation sweep rotates, inside its transaction and before its
 * commit (as kms_deleted_fn): the caller writes the trail's RotateKey record. */
typedef cu_rc (*kms_rotated_fn)(const char *key_arn, uint64_t commit_seq, void *ctx);
/* Rotate the enabled keys of env's account and region whose automatic rotation date has
 * come by now_ms (rotation.c): a new backing key version each, in a write transaction of
 * its own, recorded through `record`. *rotated: how many. Run with kms_sweep_deleted. */
MUST_CHECK cu_rc kms_sweep_rotations(const struct call_env *env, int64_t now_ms,
                                     kms_rotated_fn record, void *ctx, size_t *rotated);

/* Length of a KeyMaterialId: 64 lowercase hex digits (the model's BackingKeyIdType). */
#define KMS_MATERIAL_ID_LEN 64
/* The KeyMaterialId of backing key `version` of the key `key_arn`: derived from both, so
 * it is stable and reveals nothing of the material (rotation.c). */
void kms_key_material_id(const char *key_arn, uint32_t version, char out[KMS_MATERIAL_ID_LEN + 1]);
/* Set metadata's CurrentKeyMaterialId from a key record (DescribeKey, CreateKey). */
MUST_CHECK cu_rc kms_rotation_metadata(const json_t *doc, json_t *metadata);

#endif
