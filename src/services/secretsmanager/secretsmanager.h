/* secretsmanager.h — what the Secrets Manager files share (one service, several files),
 * and the sweep the server runs to delete secrets whose recovery window has ended.
 *
 * A secret is one record (RECORD_SECRET, keyed by Name in the call's account and region)
 * under AWS's member names: Name, ARN ("...:secret:<Name>-<6 random characters>"),
 * Description, KmsKeyId (only when the caller named one), CreatedDate, LastChangedDate,
 * LastAccessedDate (midnight UTC of the day of the last GetSecretValue), DeletedDate (the
 * end of the recovery window, while one runs), Tags [{Key, Value}], and Versions
 * [{VersionId, CreatedDate, VersionStages [labels], Binary, Sealed}] oldest first, Sealed
 * being kms_via_encrypt's envelope (kms.h) with the encryption context {SecretARN,
 * SecretVersionId}. A version without labels is deprecated. */
#ifndef CU_SECRETSMANAGER_H
#define CU_SECRETSMANAGER_H

#include "services/call.h"
#include "services/kind.h"

extern const struct kind sm_kind_secret;

#define SM_ARN_MAX 1024
#define SM_MAX_VERSIONS 100

/* The secret the call's resolver found (call->target.doc, borrowed): ResourceNotFound
 * when there is none, InvalidRequestException when it is scheduled for deletion and
 * `live` is asked for. */
MUST_CHECK cu_rc sm_target(struct call *call, bool live, json_t **secret);

/* Point call->target at the secret's compiled resource policy, if it has one
 * (resource_policy.c); released with the target. */
MUST_CHECK cu_rc sm_target_policy(struct call *call, const json_t *secret);

/* Whether the caller's policies, with the secret's resource policy, allow `action` on
 * the secret (a check the handler makes beyond the pipeline's: BatchGetSecretValue's
 * secretsmanager:GetSecretValue per secret). */
bool sm_caller_may(const struct call *call, const char *action, const json_t *secret);

/* sm_target's checks on a secret found otherwise (NULL: ResourceNotFound). */
MUST_CHECK cu_rc sm_check_secret(struct call *call, const json_t *secret, bool live);

/* The secret a SecretId names (name, full ARN or partial ARN), or *doc NULL; owned. */
MUST_CHECK cu_rc sm_find(struct call *call, const char *id, json_t **doc);

/* The secrets of the call's account and region, in name order, that every filter of
 * ListSecrets' Filters matches (secrets scheduled for deletion only when `planned`):
 * *found, a new array of the records. */
MUST_CHECK cu_rc sm_list_matching(struct call *call, const json_t *filters, bool planned,
                                  json_t **found);

/* A version's value as GetSecretValue answers it (ARN, Name, VersionId, SecretString or
 * SecretBinary, VersionStages, CreatedDate) into out, opened as the caller: the version
 * named by vid and/or stage (both NULL: AWSCURRENT). Records the day of the access on the
 * secret (saved when it changed). */
MUST_CHECK cu_rc sm_read_value(struct call *call, json_t *secret, const char *vid,
                               const char *stage, json_t *out);

/* The value of the secret `id` (name or ARN) as SSM's /aws/reference/secretsmanager/<id>
 * path reads it (reference.c): sm_read_value's answer into out, the version named by vid or
 * stage (both NULL: AWSCURRENT), opened as the caller, who must also be allowed
 * secretsmanager:GetSecretValue on the secret (else AccessDeniedException). Runs in a read
 * transaction: records no access. ResourceNotFoundException when there is no such secret. */
MUST_CHECK cu_rc sm_reference_value(struct call *call, const char *id, const char *vid,
                                    const char *stage, json_t *out);

/* The version of a secret record with this VersionId, or NULL; the version holding
 * `stage`, or NULL. Borrowed from secret. */
json_t *sm_version_by_id(const json_t *secret, const char *version_id);
json_t *sm_version_by_stage(const json_t *secret, const char *stage);

/* Seal a value (SecretString or SecretBinary of `in`) as a new version `version_id` of the
 * secret with the labels `stages` (a list of strings, borrowed; NULL: AWSCURRENT), moving
 * the labels as AWS moves them and dropping the oldest deprecated versions past 100. */
MUST_CHECK cu_rc sm_add_version(struct call *call, json_t *secret, const json_t *in,
                                const char *version_id, const json_t *stages);

/* Whether the value of `in` equals the version's (ClientRequestToken idempotency):
 * *same. Opens the version as the caller. */
MUST_CHECK cu_rc sm_same_value(struct call *call, const json_t *secret, const json_t *version,
                               const json_t *in, bool *same);

/* Check that `in` carries at most one of SecretString, SecretBinary (InvalidParameter). */
MUST_CHECK cu_rc sm_check_value(struct call *call, const json_t *in, bool *has_value);

/* The request token as a version id: ClientRequestToken, or a new UUID. */
MUST_CHECK cu_rc sm_version_id(const json_t *in, char out[65]);

/* Whether a secret's recovery window has ended by now_ms: it is then deleted for every
 * call, whether or not the sweep has removed its record yet. */
bool sm_is_deleted(const json_t *secret, int64_t now_ms);

/* Called for each secret the sweep deletes, inside its transaction and before its
 * commit, with the secret's ARN and the seq the commit will take (as kms_deleted_fn). */
typedef cu_rc (*sm_deleted_fn)(const char *secret_arn, uint64_t commit_seq, void *ctx);
/* Really delete the secrets of env's account and region whose recovery window has ended
 * by now_ms, each in a write transaction of its own, recorded through `record`.
 * *deleted: how many. Run by the server's sweeper beside kms_sweep_deleted. */
MUST_CHECK cu_rc sm_sweep_deleted(const struct call_env *env, int64_t now_ms,
                                  sm_deleted_fn record, void *ctx, size_t *deleted);

#endif
