/* expiry.c — the sweep that deletes the parameters whose Expiration policy has come
 * (Systems Manager user guide, parameter-store-policies: "Expiration ... Parameter Store
 * deletes the parameter" at the time given). Calls already find such a parameter gone
 * (ssm_find); the sweep (services/sweep.h) removes its record, each in a write transaction
 * of its own that reads it again first (a PutParameter may have replaced it meanwhile),
 * recorded through the caller's function before the commit, as the write-ahead trail asks.
 * It sweeps every region env serves, as Secrets Manager's sweep does. */
#include "services/sweep.h"
#include "ssm.h"
#include "store/records.h"

static const struct sweep_rule expiration_came = {
    .store_kind = RECORD_PARAMETER,
    .due = ssm_is_expired,
};

cu_rc ssm_sweep_expired(const struct call_env *env, int64_t now_ms, ssm_expired_fn record,
                        void *ctx, size_t *deleted)
{
    *deleted = 0;
    return sweep_regions(env, now_ms, &expiration_came, record, ctx, deleted);
}
