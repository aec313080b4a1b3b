/* sweep.c — the rule-driven sweep of KMS keys (sweep.h). */
#include "sweep.h"

#include "core/regions.h"
#include "kms_key.h"
#include "store/records.h"
#include "store/store.h"

struct listing {
    const struct kms_sweep_rule *rule;
    int64_t now_ms;
    json_t *ids;
};

static cu_rc list_due(const char *key_id, const json_t *doc, void *ctx)
{
    struct listing *l = ctx;

    if (!l->rule->due(doc, l->now_ms))
        return CU_OK;
    return json_array_append_new(l->ids, json_string(key_id)) == 0 ? CU_OK : CU_E_NOMEM;
}

/* One key in a transaction of its own; not due any more: nothing to do. */
static cu_rc sweep_one(const struct call_env *env, const char *region, int64_t now_ms,
                       const struct kms_sweep_rule *rule, const char *key_id,
                       kms_event_fn record, void *ctx, bool *done)
{
    cu_rc rc = CU_OK;
    struct call call = {.env = env, .region = region, .now_ms = now_ms};
    char scope[RECORD_NAME_MAX], arn[KMS_ARN_MAX];
    json_t *doc = NULL;
    uint64_t version = 0;

    *done = false;
    TRY(store_tx_begin(env->store, true, &call.tx));
    kms_scope(&call, RECORD_KMS_KEY, scope);
    TRY(store_get_version(call.tx, RECORD_KMS_KEY, scope, key_id, &doc, &version));
    if (!doc || !rule->due(doc, now_ms))
        goto out;
    TRY(rule->act(&call, scope, key_id, doc, version));
    kms_key_arn(&call, key_id, arn);
    TRY(record(region, arn, store_tx_commit_seq(call.tx), ctx));
    rc = store_tx_commit(call.tx);
    call.tx = NULL;
    *done = rc == CU_OK;
out:
    store_tx_rollback(call.tx);
    json_decref(doc);
    return rc;
}

static cu_rc sweep_region(const struct call_env *env, const char *region, int64_t now_ms,
                          const struct kms_sweep_rule *rule, kms_event_fn record, void *ctx,
                          size_t *count)
{
    cu_rc rc = CU_OK;
    struct call call = {.env = env, .region = region, .now_ms = now_ms};
    struct listing l = {rule, now_ms, json_array()};
    char scope[RECORD_NAME_MAX];
    json_t *id;
    size_t i;
    bool done;

    ENSURE(l.ids, CU_E_NOMEM);
    TRY(store_tx_begin(env->store, false, &call.tx));
    kms_scope(&call, RECORD_KMS_KEY, scope);
    TRY(store_each(call.tx, RECORD_KMS_KEY, scope, list_due, &l));
    store_tx_rollback(call.tx);
    call.tx = NULL;
    json_array_foreach(l.ids, i, id)
    {
        TRY(sweep_one(env, region, now_ms, rule, json_string_value(id), record, ctx, &done));
        *count += done;
    }
out:
    store_tx_rollback(call.tx);
    json_decref(l.ids);
    return rc;
}

cu_rc kms_sweep_keys(const struct call_env *env, int64_t now_ms,
                     const struct kms_sweep_rule *rule, kms_event_fn record, void *ctx,
                     size_t *count)
{
    cu_rc rc = CU_OK;

    *count = 0;
    if (!env->regions)
        return sweep_region(env, env->region, now_ms, rule, record, ctx, count);
    for (size_t i = 0; i < regions_count(); i++)
        if (kms_region_served(env, regions_name(i)))
            TRY(sweep_region(env, regions_name(i), now_ms, rule, record, ctx, count));
out:
    return rc;
}
