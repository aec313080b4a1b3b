/* expiry.c — the sweep that deletes the parameters whose Expiration policy has come
 * (Systems Manager user guide, parameter-store-policies: "Expiration ... Parameter Store
 * deletes the parameter" at the time given). Calls already find such a parameter gone
 * (ssm_find); the sweep (services/sweep.h) removes its record, each in a write transaction
 * of its own that reads it again first (a PutParameter may have replaced it meanwhile),
 * recorded through the caller's function before the commit, as the write-ahead trail asks.
 * It sweeps env's default region only, the one ssm_expired_fn's records name. */
#include "services/sweep.h"
#include "ssm.h"
#include "store/records.h"

static const struct sweep_rule expiration_came = {
    .store_kind = RECORD_PARAMETER,
    .due = ssm_is_expired,
};

/* The caller's record function, which takes no region (it names env's default one). */
struct recorder {
    ssm_expired_fn record;
    void *ctx;
};

static cu_rc record_expiry(const char *region, const char *arn, uint64_t commit_seq, void *ctx)
{
    const struct recorder *r = ctx;

    (void)region;
    return r->record(arn, commit_seq, r->ctx);
}

cu_rc ssm_sweep_expired(const struct call_env *env, int64_t now_ms, ssm_expired_fn record,
                        void *ctx, size_t *deleted)
{
    struct recorder r = {record, ctx};

    *deleted = 0;
    return sweep_region(env, env->region, now_ms, &expiration_came, record_expiry, &r, deleted);
}
