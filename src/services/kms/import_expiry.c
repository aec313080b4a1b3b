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
#include "services/sweep.h"

/* The sweep's rule (services/sweep.h): a key whose record still holds material past its
 * ValidTo, and not deleted meanwhile; re-imported material is no longer expired when read
 * again. */
static bool expiry_due(const json_t *doc, int64_t now_ms)
{
    return kms_import_expired(doc, now_ms) && !kms_key_is_deleted(doc, now_ms);
}

static cu_rc forget_due(struct call *call, const char *scope, const char *key_id, json_t *doc,
                        uint64_t version)
{
    cu_rc rc = CU_OK;

    TRY(kms_import_forget(doc));
    TRY(store_put_version(call->tx, RECORD_KMS_KEY, scope, key_id, doc, version));
out:
    return rc;
}

static const struct sweep_rule expiry = {
    .store_kind = RECORD_KMS_KEY,
    .due = expiry_due,
    .act = forget_due,
    .arn = kms_sweep_key_arn,
};

cu_rc kms_sweep_expired_material(const struct call_env *env, int64_t now_ms,
                                 kms_event_fn record, void *ctx, size_t *count)
{
    return sweep_regions(env, now_ms, &expiry, record, ctx, count);
}
