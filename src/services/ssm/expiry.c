/* expiry.c — the sweep that deletes the parameters whose Expiration policy has come
 * (Systems Manager user guide, parameter-store-policies: "Expiration ... Parameter Store
 * deletes the parameter" at the time given). Calls already find such a parameter gone
 * (ssm_find); the sweep removes its record, each in a write transaction of its own that
 * reads it again first (a PutParameter may have replaced it meanwhile), recorded through
 * the caller's function before the commit, as the write-ahead trail asks. */
#include <string.h>

#include "ssm.h"
#include "store/records.h"

struct expired {
    int64_t now_ms;
    json_t *names;
};

static bool expired_at(const json_t *doc, int64_t now_ms)
{
    const json_t *at = json_object_get(doc, "ExpiresAt");

    return json_is_integer(at) && json_integer_value(at) <= now_ms;
}

static cu_rc collect(const char *key, const json_t *doc, void *ctx)
{
    struct expired *x = ctx;

    if (expired_at(doc, x->now_ms))
        return json_array_append_new(x->names, json_string(key)) == 0 ? CU_OK : CU_E_NOMEM;
    return CU_OK;
}

static cu_rc sweep_one(const struct call_env *env, int64_t now_ms, const char *name,
                       ssm_expired_fn record, void *ctx, bool *done)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    char scope[RECORD_NAME_MAX];
    json_t *doc = NULL;

    *done = false;
    TRY(store_tx_begin(env->store, true, &tx));
    store_scope(RECORD_PARAMETER, env->account_id, env->region, NULL, scope);
    TRY(store_get(tx, RECORD_PARAMETER, scope, name, &doc));
    if (!doc || !expired_at(doc, now_ms))
        goto out;
    TRY(store_delete(tx, RECORD_PARAMETER, scope, name, NULL));
    TRY(record(json_string_value(json_object_get(doc, "ARN")), store_tx_commit_seq(tx), ctx));
    rc = store_tx_commit(tx);
    tx = NULL;
    *done = rc == CU_OK;
out:
    store_tx_rollback(tx);
    json_decref(doc);
    return rc;
}

cu_rc ssm_sweep_expired(const struct call_env *env, int64_t now_ms, ssm_expired_fn record,
                        void *ctx, size_t *deleted)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    struct expired x = {now_ms, json_array()};
    char scope[RECORD_NAME_MAX];
    json_t *name;
    size_t i;
    bool done;

    *deleted = 0;
    ENSURE(x.names, CU_E_NOMEM);
    TRY(store_tx_begin(env->store, false, &tx));
    store_scope(RECORD_PARAMETER, env->account_id, env->region, NULL, scope);
    TRY(store_each(tx, RECORD_PARAMETER, scope, collect, &x));
    store_tx_rollback(tx);
    tx = NULL;
    json_array_foreach(x.names, i, name)
    {
        TRY(sweep_one(env, now_ms, json_string_value(name), record, ctx, &done));
        *deleted += done;
    }
out:
    store_tx_rollback(tx);
    json_decref(x.names);
    return rc;
}
