/* kms.h — the surface of the KMS service other services (Secrets Manager, SSM) may use to
 * seal and open data under a KMS key. Its handlers are declared in kms_ops.gen.h, from
 * kms.ops. */
#ifndef CU_KMS_H
#define CU_KMS_H

#include "core/buf.h"
#include "core/regions.h"
#include "core/secret.h"
#include "services/call.h"

struct kms_key;
struct policy;

/* true when this node serves region (env->regions; a call_env without a set serves its
 * default region alone, as unit tests build them). */
bool kms_region_served(const struct call_env *env, const char *region);

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

/* out["KeyMetadata"]: a stored key record rendered through the KeyMetadata shape of the
 * operation `op`'s output ("DescribeKey"), with the members KMS computes. */
MUST_CHECK cu_rc kms_key_metadata(const char *op, const json_t *doc, json_t *out);
/* Validate a key policy for the key `arn` (size, syntax, lockout unless bypass). */
MUST_CHECK cu_rc kms_policy_accept(struct call *call, const char *arn, const char *text,
                                   bool bypass, struct policy **compiled);
/* ValidationException when the request carries a Recipient (an attestation document):
 * none verifies here (recipient.c). */
MUST_CHECK cu_rc kms_check_recipient(struct call *call, const json_t *in);
/* DryRunOperationException when the request sets DryRun (KMS API reference). */
MUST_CHECK cu_rc kms_check_dry_run(struct call *call, const json_t *in);

/* TagException unless a list of KMS tags ([{TagKey, TagValue}]) may be set: at most 50,
 * no key twice, none beginning with "aws:" (tags.c). */
MUST_CHECK cu_rc kms_tags_check(struct call *call, const json_t *tags);
/* Called for each key a timed sweep or KMS's own work changes, inside its transaction and
 * before its commit, with the key's region and ARN and the seq the commit will take: the
 * caller writes the trail's record (the write-ahead order, audit.h); an error rolls the
 * change back. */
typedef cu_rc (*kms_event_fn)(const char *region, const char *key_arn, uint64_t commit_seq,
                              void *ctx);

/* The sweeps (services/sweep.h), each over the keys of env's account in every region it serves,
 * each key changed in a write transaction of its own and recorded through `record`;
 * *count: how many. Run by the server at start and periodically. */
/* Really delete the keys whose deletion window has ended by now_ms (key_state.c): each
 * key's record and sealed material, grants and aliases. A call meanwhile already finds
 * such a key gone (kms_key.h). */
MUST_CHECK cu_rc kms_sweep_deleted(const struct call_env *env, int64_t now_ms,
                                   kms_event_fn record, void *ctx, size_t *count);
/* Rotate the enabled keys whose automatic rotation date has come by now_ms (rotation.c): a
 * new backing key version each (a multi-Region primary's replicas follow). */
MUST_CHECK cu_rc kms_sweep_rotations(const struct call_env *env, int64_t now_ms,
                                     kms_event_fn record, void *ctx, size_t *count);
/* Delete the imported material whose ValidTo has passed by now_ms (import_expiry.c): each
 * key PendingImport, its sealed material gone: the DeleteExpiredKeyMaterial record. */
MUST_CHECK cu_rc kms_sweep_expired_material(const struct call_env *env, int64_t now_ms,
                                            kms_event_fn record, void *ctx, size_t *count);

/* AWS managed keys (aws_managed.c). true when alias is "alias/aws/<service>" of a
 * service custos knows the AWS managed key of (aws/secretsmanager, aws/ssm, aws/s3, ...). */
bool kms_aws_managed_alias(const char *alias);
/* The AWS managed key of `service` ("secretsmanager") in call's account and region, made
 * now in call->tx when it does not exist yet: call->tx must then be a write transaction,
 * whose commit (and the call's record) carries the new key. *out: a reference the caller
 * releases with kms_key_unref. For the services of custos that protect their data with
 * their AWS managed key (Secrets Manager, SSM). */
MUST_CHECK cu_rc kms_aws_managed_key(struct call *call, const char *service,
                                     struct kms_key **out);
/* A read-only call naming an AWS managed key's alias that does not exist yet (DescribeKey,
 * Encrypt, GenerateDataKey*): have env->aws_managed_key make it, then replace call->tx
 * with a fresh read transaction that sees it. Nothing for any other alias or call. */
MUST_CHECK cu_rc kms_aws_managed_first_use(struct call *call, const char *alias);
/* Make the AWS managed key of `alias` in env's account and region, with its alias, in a
 * write transaction of its own, recorded through `record` (server/, env->aws_managed_key).
 * Nothing when another call made it first. */
MUST_CHECK cu_rc kms_aws_managed_ensure(const struct call_env *env, const char *region,
                                        const char *alias, int64_t now_ms,
                                        kms_event_fn record, void *ctx);
/* Whether a successful call of the KMS operation `op` ("Encrypt") is a use of its key
 * that GetKeyLastUsage reports (last_usage.c). */
bool kms_operation_uses_key(const char *op);


/* Length of a KeyMaterialId: 64 lowercase hex digits (the model's BackingKeyIdType). */
#define KMS_MATERIAL_ID_LEN 64
/* The KeyMaterialId of backing key `version` of the key `key_arn`: derived from both, so
 * it is stable and reveals nothing of the material (rotation.c). */
void kms_key_material_id(const char *key_arn, uint32_t version, char out[KMS_MATERIAL_ID_LEN + 1]);
/* Set metadata's CurrentKeyMaterialId from a key record (DescribeKey, CreateKey). */
MUST_CHECK cu_rc kms_rotation_metadata(const json_t *doc, json_t *metadata);

#endif
