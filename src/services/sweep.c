/* sweep.c — the rule-driven timed work over due records, region by region (see sweep.h).
 * The due records' keys are only collected in the read transaction: each is read again
 * under the write lock, so one that stopped being due meanwhile is left alone. */
#include "sweep.h"

#include "core/regions.h"
#include "store/records.h"

struct listing {
    const struct sweep_rule *rule;
    int64_t now_ms;
    json_t *names;
};

static cu_rc list_due(const char *key, const json_t *doc, void *ctx)
{
    struct listing *l = ctx;

    if (!l->rule->due(doc, l->now_ms))
        return CU_OK;
    return json_array_append_new(l->names, json_string(key)) == 0 ? CU_OK : CU_E_NOMEM;
}

/* One record in a transaction of its own; *done: it was still due and is done with. */
static cu_rc sweep_one(const struct call_env *env, const char *region, int64_t now_ms,
                       const struct sweep_rule *rule, const char *name, sweep_record_fn record,
                       void *ctx, bool *done)
{
    cu_rc rc = CU_OK;
    struct call call = {.env = env, .region = region, .now_ms = now_ms};
    char scope[RECORD_NAME_MAX], arn[SWEEP_ARN_MAX];
    json_t *doc = NULL;
    uint64_t version = 0;

    *done = false;
    TRY(store_tx_begin(env->store, true, &call.tx));
    store_scope(rule->store_kind, env->account_id, region, NULL, scope);
    TRY(store_get_version(call.tx, rule->store_kind, scope, name, &doc, &version));
    if (!doc || !rule->due(doc, now_ms))
        goto out;
    if (rule->act)
        TRY(rule->act(&call, scope, name, doc, version));
    else
        TRY(store_delete(call.tx, rule->store_kind, scope, name, NULL));
    if (rule->arn)
        rule->arn(&call, name, doc, arn);
    TRY(record(region, rule->arn ? arn : json_string_value(json_object_get(doc, "ARN")),
               store_tx_commit_seq(call.tx), ctx));
    rc = store_tx_commit(call.tx);
    call.tx = NULL;
    *done = rc == CU_OK;
out:
    store_tx_rollback(call.tx);
    json_decref(doc);
    return rc;
}

cu_rc sweep_region(const struct call_env *env, const char *region, int64_t now_ms,
                   const struct sweep_rule *rule, sweep_record_fn record, void *ctx, size_t *count)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    struct listing l = {rule, now_ms, json_array()};
    char scope[RECORD_NAME_MAX];
    json_t *name;
    size_t i;
    bool done;

    ENSURE(l.names, CU_E_NOMEM);
    TRY(store_tx_begin(env->store, false, &tx));
    store_scope(rule->store_kind, env->account_id, region, NULL, scope);
    TRY(store_each(tx, rule->store_kind, scope, list_due, &l));
    store_tx_rollback(tx);
    tx = NULL;
    json_array_foreach(l.names, i, name)
    {
        TRY(sweep_one(env, region, now_ms, rule, json_string_value(name), record, ctx, &done));
        *count += done;
    }
out:
    store_tx_rollback(tx);
    json_decref(l.names);
    return rc;
}

cu_rc sweep_regions(const struct call_env *env, int64_t now_ms, const struct sweep_rule *rule,
                    sweep_record_fn record, void *ctx, size_t *count)
{
    cu_rc rc = CU_OK;

    *count = 0;
    if (!env->regions)
        return sweep_region(env, env->region, now_ms, rule, record, ctx, count);
    for (size_t i = 0; i < regions_count(); i++)
        if (region_set_has(env->regions, regions_name(i)))
            TRY(sweep_region(env, regions_name(i), now_ms, rule, record, ctx, count));
out:
    return rc;
}
