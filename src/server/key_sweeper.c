/* key_sweeper.c — the periodic sweep of KMS keys past their deletion window (key_sweeper.h).
 *
 * A call already finds such a key gone the moment its window ends (kms_key_by_id); the
 * sweep is what removes its record and sealed material from the store, so a deleted key
 * does not linger on disk until someone names it. It runs on the server's clock
 * (clock_now_ms, which the test-only --test-clock-offset moves). The same sweep rotates
 * the keys whose automatic rotation date has come (kms_sweep_rotations), deletes imported
 * material whose ValidTo has passed (kms_sweep_expired_material), and deletes the Secrets
 * Manager secrets whose recovery window has ended (sm_sweep_deleted) and the SSM parameters
 * whose Expiration policy has come (ssm_sweep_expired). */
#include "key_sweeper.h"

#include <stdlib.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/ticker.h"
#include "services/kms/kms.h"
#include "services/secretsmanager/secretsmanager.h"
#include "services/ssm/ssm.h"

struct key_sweeper {
    const struct call_env *env;
    struct audit_writer *trail;
    struct ticker *ticker;
};

/* The AwsServiceEvent record of what a service (KMS, Secrets Manager) did itself, durable
 * before that commits. */
static cu_rc record_event(struct key_sweeper *s, const char *service, const char *event_name,
                          const char *region, const char *key_arn, uint64_t commit_seq)
{
    cu_rc rc = CU_OK;
    struct audit_service_event e = {.time_ms = clock_now_ms(),
                                    .service = service,
                                    .event_name = event_name,
                                    .region = region,
                                    .account_id = s->env->account_id,
                                    .resource_arn = key_arn,
                                    .commit_seq = commit_seq};
    struct buf record;

    buf_init(&record, 8192);
    TRY(audit_record_build_service_event(&e, &record));
    TRY(audit_writer_append(s->trail, record.p, record.n, true));
out:
    buf_release(&record);
    return rc;
}

/* kms_event_fn: the DeleteKey record. */
static cu_rc record_deletion(const char *region, const char *key_arn, uint64_t commit_seq,
                             void *ctx)
{
    return record_event(ctx, "kms", "DeleteKey", region, key_arn, commit_seq);
}

/* kms_event_fn: the RotateKey record, as CloudTrail shows KMS's automatic rotation. */
static cu_rc record_rotation(const char *region, const char *key_arn, uint64_t commit_seq,
                             void *ctx)
{
    return record_event(ctx, "kms", "RotateKey", region, key_arn, commit_seq);
}

/* kms_event_fn: the CreateKey record of an AWS managed key KMS made on its first use,
 * as CloudTrail shows KMS's own work (an AwsServiceEvent), durable before the commit. */
static cu_rc record_managed(const char *region, const char *key_arn, uint64_t commit_seq,
                            void *ctx)
{
    cu_rc rc = CU_OK;
    struct audit_service_event e = {.time_ms = clock_now_ms(),
                                    .service = "kms",
                                    .event_name = "CreateKey",
                                    .region = region,
                                    .account_id = ((const struct call_env *)ctx)->account_id,
                                    .resource_arn = key_arn,
                                    .commit_seq = commit_seq};
    struct buf record;

    buf_init(&record, 8192);
    TRY(audit_record_build_service_event(&e, &record));
    TRY(audit_writer_append(((const struct call_env *)ctx)->aws_managed_ctx, record.p, record.n,
                            true));
out:
    buf_release(&record);
    return rc;
}

cu_rc key_sweeper_make_aws_managed(const struct call_env *env, const char *region,
                                   const char *alias, int64_t now_ms)
{
    return kms_aws_managed_ensure(env, region, alias, now_ms, record_managed, (void *)env);
}

/* kms_event_fn: KMS's own DeleteExpiredKeyMaterial record (CloudTrail logs it when
 * imported material expires: KMS developer guide, ct-deleteexpiredkeymaterial). */
static cu_rc record_expiry(const char *region, const char *key_arn, uint64_t commit_seq,
                           void *ctx)
{
    return record_event(ctx, "kms", "DeleteExpiredKeyMaterial", region, key_arn, commit_seq);
}

/* sm_deleted_fn: the DeleteSecret record of Secrets Manager ending a recovery window. */
static cu_rc record_secret_deletion(const char *region, const char *secret_arn,
                                    uint64_t commit_seq, void *ctx)
{
    return record_event(ctx, "secretsmanager", "DeleteSecret", region, secret_arn, commit_seq);
}

/* ssm_expired_fn: the DeleteParameter record of Parameter Store ending an Expiration. */
static cu_rc record_parameter_expiry(const char *region, const char *parameter_arn,
                                     uint64_t commit_seq, void *ctx)
{
    return record_event(ctx, "ssm", "DeleteParameter", region, parameter_arn, commit_seq);
}

static cu_rc sweep(struct key_sweeper *s)
{
    size_t deleted = 0, rotated = 0, expired = 0, deleted_secrets = 0, expired_params = 0;
    int64_t now_ms = clock_now_ms();
    cu_rc rc = kms_sweep_deleted(s->env, now_ms, record_deletion, s, &deleted);

    if (rc == CU_OK && deleted)
        log_info("kms: deleted %zu key(s) whose deletion window ended", deleted);
    if (rc == CU_OK)
        rc = kms_sweep_rotations(s->env, now_ms, record_rotation, s, &rotated);
    if (rc == CU_OK && rotated)
        log_info("kms: rotated %zu key(s) whose rotation date came", rotated);
    if (rc == CU_OK)
        rc = kms_sweep_expired_material(s->env, now_ms, record_expiry, s, &expired);
    if (rc == CU_OK && expired)
        log_info("kms: deleted the expired imported material of %zu key(s)", expired);
    if (rc == CU_OK)
        rc = sm_sweep_deleted(s->env, now_ms, record_secret_deletion, s, &deleted_secrets);
    if (rc == CU_OK && deleted_secrets)
        log_info("secretsmanager: deleted %zu secret(s) whose recovery window ended",
                 deleted_secrets);
    if (rc == CU_OK)
        rc = ssm_sweep_expired(s->env, now_ms, record_parameter_expiry, s, &expired_params);
    if (rc == CU_OK && expired_params)
        log_info("ssm: deleted %zu parameter(s) whose Expiration came", expired_params);
    return rc;
}

static void sweep_tick(void *arg)
{
    if (sweep(arg) != CU_OK)
        log_warn("kms: the sweep of deleted keys failed; retried next interval");
}

cu_rc key_sweeper_start(const struct call_env *env, struct audit_writer *trail,
                        int64_t interval_ms, struct key_sweeper **out)
{
    cu_rc rc = CU_OK;
    struct key_sweeper *s = calloc(1, sizeof(*s));

    ENSURE(s, CU_E_NOMEM);
    s->env = env;
    s->trail = trail;
    TRY(sweep(s));
    TRY(ticker_start(interval_ms > 0 ? interval_ms : KEY_SWEEP_MS, sweep_tick, s, &s->ticker));
    *out = s;
    s = NULL;
out:
    key_sweeper_stop(s);
    return rc;
}

void key_sweeper_stop(struct key_sweeper *s)
{
    if (!s)
        return;
    ticker_stop(s->ticker);
    free(s);
}
