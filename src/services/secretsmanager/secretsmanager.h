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
#include "store/records.h"

struct secret;

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
 * commit, with its region, the secret's ARN and the seq the commit will take (as
 * kms_deleted_fn). */
typedef cu_rc (*sm_deleted_fn)(const char *region, const char *secret_arn, uint64_t commit_seq,
                               void *ctx);
/* Really delete the secrets of env's account, in every region served, whose recovery
 * window has ended by now_ms, each in a write transaction of its own, recorded through
 * `record`.
 * *deleted: how many. Run by the server's sweeper beside kms_sweep_deleted. */
MUST_CHECK cu_rc sm_sweep_deleted(const struct call_env *env, int64_t now_ms,
                                  sm_deleted_fn record, void *ctx, size_t *deleted);

/* Seal plain as version version_id of secret (its KmsKeyId, or the AWS managed key of the
 * call's region; the context {SecretARN, SecretVersionId}) into sealed, as the caller;
 * EncryptionFailure or AccessDenied as Secrets Manager words them. */
MUST_CHECK cu_rc sm_seal(struct call *call, const json_t *secret, const char *version_id,
                         struct bytes plain, json_t *sealed);
/* Open a version's value as the caller: *plain, a new secret (secret_free). */
MUST_CHECK cu_rc sm_open_version(struct call *call, const json_t *secret, const json_t *version,
                                 struct secret **plain);

/* --- replication (replication.c) --- */

/* sm_target for a write: InvalidRequestException on a replica, whose changes come from its
 * primary only. */
MUST_CHECK cu_rc sm_target_primary(struct call *call, bool live, json_t **secret);

/* DeleteSecret's check on a primary: InvalidParameterException naming the regions it
 * still has replicas in ("You can't delete secret ARN that still has replica regions
 * [us-west-2, ...]."), as AWS answers. */
MUST_CHECK cu_rc sm_check_no_replicas(struct call *call, const json_t *secret);

/* Save a changed secret the call loaded (kind_update) and bring its replicas in the other
 * regions up to date: metadata, labels and every version, new versions re-sealed under
 * each replica's key as the caller. A replica that cannot be written gets Status Failed. */
MUST_CHECK cu_rc sm_save(struct call *call, json_t *secret);

/* Add replicas in the regions of `regions` ([{Region, KmsKeyId}]) to a saved primary
 * (CreateSecret's AddReplicaRegions, ReplicateSecretToRegions); `force` overwrites a
 * secret of the same name there (ForceOverwriteReplicaSecret). Then sm_save. */
MUST_CHECK cu_rc sm_add_replicas(struct call *call, json_t *secret, const json_t *regions,
                                 bool force);

/* Move `stage` to version `to` of secret (NULL: off every version) as AWS moves labels:
 * AWSCURRENT leaving a version leaves AWSPREVIOUS there (secret_values.c). */
MUST_CHECK cu_rc sm_take_stage(json_t *secret, const char *stage, json_t *to);

/* --- rotation (rotation.c), run by the server's rotation worker around the hook's steps */

/* One rotation claimed for the worker: everything copied, nothing borrowed. */
struct sm_rotation_job {
    char region[32];
    char name[RECORD_NAME_MAX];
    char arn[SM_ARN_MAX];
    char lambda_arn[2048];
    char token[65];
};

/* Called with a rotation's service event (RotationStarted, RotationSucceeded,
 * RotationFailed) inside its transaction, before its commit. */
typedef cu_rc (*sm_event_fn)(const char *region, const char *secret_arn, const char *event_name,
                             uint64_t commit_seq, void *ctx);

/* In one write transaction of region: claim the rotations due by now_ms, RotateSecret's
 * requested ones and those whose window has opened (started here, their RotationStarted
 * recorded through `record`), marking them running; with `resume` (the worker's first
 * pass) those already marked running too, which a stop or crash interrupted. *jobs: a new
 * array (free()) of *n. */
MUST_CHECK cu_rc sm_rotation_claim(const struct call_env *env, const char *region, int64_t now_ms,
                                   bool resume, sm_event_fn record, void *ctx,
                                   struct sm_rotation_job **jobs, size_t *n);

/* End a claimed rotation: it succeeded when every step did (steps_ok) and AWSCURRENT is on
 * its version (LastRotatedDate and the next window then set); else it failed, the labels
 * left as they are. Its RotationSucceeded or RotationFailed is recorded before the commit.
 * A rotation cancelled meanwhile is left alone. *succeeded says which. */
MUST_CHECK cu_rc sm_rotation_end(const struct call_env *env, const struct sm_rotation_job *job,
                                 bool steps_ok, int64_t now_ms, sm_event_fn record, void *ctx,
                                 bool *succeeded);

#define SM_HOOK_SESSION "SecretsManagerRotation"
/* The temporary credentials a rotation hook runs with (secrets: wipe when done). */
struct sm_hook_credentials {
    char access_key_id[21];
    char secret_access_key[41];
    char session_token[12289];
};

/* Mint credentials for the hook of job: a session "SecretsManagerRotation" of role_arn
 * (the operator's --rotation-role; it must exist, path included) for 15 minutes, narrowed
 * by a session policy to the job's secret (DescribeSecret, GetSecretValue,
 * PutSecretValue, UpdateSecretVersionStage), GetRandomPassword and KMS through Secrets
 * Manager. CU_E_INTERNAL when the role does not exist. */
MUST_CHECK cu_rc sm_rotation_credentials(const struct call_env *env, const char *role_arn,
                                         const struct sm_rotation_job *job, int64_t now_ms,
                                         struct sm_hook_credentials *out);

#endif
