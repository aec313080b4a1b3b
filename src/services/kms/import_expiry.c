/* import_expiry.c — the sweep that deletes imported key material whose ValidTo has
 * passed (KMS developer guide, importing-keys, "Setting an expiration time": "When the
 * key material expires, AWS KMS deletes the key material and the KMS key becomes
 * unusable ... its key state changes to Pending import"). Calls already treat such
 * material as gone the moment ValidTo passes (import.c, kms_import_state); this sweep,
 * run by the server's key sweeper, then really deletes the sealed material from the
 * record, in a write transaction per key, recorded as CloudTrail records KMS's own
 * DeleteExpiredKeyMaterial event. */
#include "import.h"
#include "kms.h"
#include "kms_key.h"
#include "store/records.h"
#include "store/store.h"

struct expiring {
    int64_t now_ms;
    json_t *ids;
};

/* Keys whose record still holds material past its ValidTo. */
static cu_rc collect_expiring(const char *key_id, const json_t *doc, void *ctx)
{
    struct expiring *x = ctx;

    if (!kms_import_expired(doc, x->now_ms))
        return CU_OK;
    return json_array_append_new(x->ids, json_string(key_id)) == 0 ? CU_OK : CU_E_NOMEM;
}

/* Forget one key's material in a transaction of its own, its trail record written first;
 * a key re-imported or deleted meanwhile is left alone (read again under the lock). */
static cu_rc expire_one(const struct call_env *env, int64_t now_ms, const char *key_id,
                        kms_expired_fn record, void *ctx, bool *done)
{
    cu_rc rc = CU_OK;
    struct call call = {.env = env, .region = env->region, .now_ms = now_ms};
    char scope[RECORD_NAME_MAX], arn[KMS_ARN_MAX];
    json_t *doc = NULL;
    uint64_t version = 0;

    *done = false;
    TRY(store_tx_begin(env->store, true, &call.tx));
    kms_scope(&call, RECORD_KMS_KEY, scope);
    TRY(store_get_version(call.tx, RECORD_KMS_KEY, scope, key_id, &doc, &version));
    if (!doc || !kms_import_expired(doc, now_ms) || kms_key_is_deleted(doc, now_ms))
        goto out;
    TRY(kms_import_forget(doc));
    TRY(store_put_version(call.tx, RECORD_KMS_KEY, scope, key_id, doc, version));
    kms_key_arn(&call, key_id, arn);
    TRY(record(arn, store_tx_commit_seq(call.tx), ctx));
    rc = store_tx_commit(call.tx);
    call.tx = NULL;
    *done = rc == CU_OK;
out:
    store_tx_rollback(call.tx);
    json_decref(doc);
    return rc;
}

cu_rc kms_sweep_expired_material(const struct call_env *env, int64_t now_ms,
                                 kms_expired_fn record, void *ctx, size_t *expired)
{
    cu_rc rc = CU_OK;
    struct call call = {.env = env, .region = env->region, .now_ms = now_ms};
    struct expiring x = {now_ms, json_array()};
    char scope[RECORD_NAME_MAX];
    json_t *id;
    size_t i;
    bool done;

    *expired = 0;
    ENSURE(x.ids, CU_E_NOMEM);
    TRY(store_tx_begin(env->store, false, &call.tx));
    kms_scope(&call, RECORD_KMS_KEY, scope);
    TRY(store_each(call.tx, RECORD_KMS_KEY, scope, collect_expiring, &x));
    store_tx_rollback(call.tx);
    call.tx = NULL;
    json_array_foreach(x.ids, i, id)
    {
        TRY(expire_one(env, now_ms, json_string_value(id), record, ctx, &done));
        *expired += done;
    }
out:
    store_tx_rollback(call.tx);
    json_decref(x.ids);
    return rc;
}
