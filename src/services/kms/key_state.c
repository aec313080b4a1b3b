/* key_state.c — a KMS key's lifecycle: EnableKey, DisableKey, ScheduleKeyDeletion,
 * CancelKeyDeletion, UpdateKeyDescription, and the sweep that really deletes a key whose
 * deletion window has ended (the state machine is drawn in kms_key.h).
 *
 * The key a handler changes is the cached one the resolver found (kms_target_key), which
 * other calls share: a handler changes a copy of its record and saves that; the change
 * log then evicts the cached key. What AWS refuses in each state follows the KMS developer
 * guide, key-state.html: on a key pending deletion, every operation here but
 * CancelKeyDeletion answers KMSInvalidStateException "<key ARN> is pending deletion.". */
#include <string.h>

#include "core/tree.h"
#include "import.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "multi_region.h"
#include "services/in.h"
#include "services/sweep.h"
#include "store/records.h"

#define DAY_MS (86400LL * 1000)
/* ScheduleKeyDeletion, PendingWindowInDays: "between 7 and 30, inclusive ... defaults to
 * 30" (KMS API reference); the model's own range (1-365) is wider. */
#define WINDOW_MIN_DAYS 7
#define WINDOW_MAX_DAYS 30
#define WINDOW_DEFAULT_DAYS 30

/* A copy of the target key's record for the handler to change and save (owned). */
static cu_rc record_copy(struct call *call, json_t **out)
{
    *out = json_deep_copy(kms_target_key(call)->doc);
    return *out ? CU_OK : CU_E_NOMEM;
}

/* Set the target key's KeyState (from any state but PendingDeletion). */
static cu_rc set_state(struct call *call, const char *state)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    TRY(kms_key_check_not_pending(call, kms_target_key(call)));
    TRY(kms_import_check_material(call, kms_target_key(call)));
    TRY(record_copy(call, &doc));
    TRY(tree_set_str(doc, "KeyState", state));
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc kms_enable_key(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return set_state(call, "Enabled");
}

cu_rc kms_disable_key(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return set_state(call, "Disabled");
}

cu_rc kms_update_key_description(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    (void)out;
    TRY(kms_key_check_not_pending(call, kms_target_key(call)));
    TRY(record_copy(call, &doc));
    TRY(tree_set_str(doc, "Description", in_str(in, "Description")));
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
out:
    json_decref(doc);
    return rc;
}

/* The window's range, worded as KMS's service-side validation words it (the model allows
 * 1-365, so proto/validate.c lets 1-6 and 31-365 through). */
static cu_rc check_window(struct call *call, int64_t days)
{
    if (days < WINDOW_MIN_DAYS || days > WINDOW_MAX_DAYS)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "1 validation error detected: Value '%lld' at 'pendingWindowInDays' "
                          "failed to satisfy constraint: Member must have value %s %d",
                          (long long)days,
                          days < WINDOW_MIN_DAYS ? "greater than or equal to"
                                                 : "less than or equal to",
                          days < WINDOW_MIN_DAYS ? WINDOW_MIN_DAYS : WINDOW_MAX_DAYS);
    return CU_OK;
}

/* kms:ScheduleKeyDeletionPendingWindowInDays (KMS developer guide, conditions-kms): the
 * request's PendingWindowInDays, when it gives one. */
void kms_schedule_key_deletion_condition_keys(const json_t *in, struct call_keys *keys)
{
    if (json_is_integer(json_object_get(in, "PendingWindowInDays")))
        call_keys_add_number(keys, "kms:ScheduleKeyDeletionPendingWindowInDays",
                             (long long)in_int(in, "PendingWindowInDays", 0));
}

cu_rc kms_schedule_key_deletion(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    int64_t days = in_int(in, "PendingWindowInDays", WINDOW_DEFAULT_DAYS);
    int64_t when = call->now_ms + days * DAY_MS;
    size_t replicas = 0;
    json_t *doc = NULL;

    TRY(check_window(call, days));
    TRY(kms_key_check_not_pending(call, key));
    TRY(kms_mrk_replicas(call, key->doc, &replicas));
    TRY(record_copy(call, &doc));
    /* a multi-Region primary with replicas waits for them: PendingReplicaDeletion, its
     * window starting when the last replica is deleted, and no DeletionDate until then
     * (API reference, ScheduleKeyDeletion; kms_mrk_replica_deleted) */
    TRY(tree_set_str(doc, "KeyState", replicas ? "PendingReplicaDeletion" : "PendingDeletion"));
    if (!replicas)
        TRY(tree_set_int(doc, "DeletionDate", when));
    TRY(tree_set_int(doc, "PendingDeletionWindowInDays", days));
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
    TRY(tree_set_str(out, "KeyId", key->arn));
    if (!replicas)
        TRY(tree_set_time_ms(out, "DeletionDate", when));
    TRY(tree_set_str(out, "KeyState", replicas ? "PendingReplicaDeletion" : "PendingDeletion"));
    TRY(tree_set_int(out, "PendingWindowInDays", days));
out:
    json_decref(doc);
    return rc;
}

/* A cancelled deletion leaves the key Disabled (KMS developer guide,
 * deleting-keys-cancelling-key-deletion), or PendingImport when it has no imported
 * material (import.h). */
cu_rc kms_cancel_key_deletion(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    const char *state = json_string_value(json_object_get(key->doc, "KeyState"));
    json_t *doc = NULL;

    (void)in;
    if (!state || (strcmp(state, "PendingDeletion") != 0 &&
                   strcmp(state, "PendingReplicaDeletion") != 0)) {
        rc = cu_err_set(&call->err, CU_E_KMS_INVALID_STATE, "%s is not pending deletion.",
                        key->arn);
        goto out;
    }
    TRY(record_copy(call, &doc));
    TRY(tree_set_str(doc, "KeyState", kms_import_has_material(key, call->now_ms)
                                          ? "Disabled"
                                          : "PendingImport"));
    json_object_del(doc, "DeletionDate");
    json_object_del(doc, "PendingDeletionWindowInDays");
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
    TRY(tree_set_str(out, "KeyId", key->arn));
out:
    json_decref(doc);
    return rc;
}

static cu_rc collect_key(const char *key, const json_t *doc, void *ctx)
{
    (void)doc;
    return json_array_append_new(ctx, json_string(key)) == 0 ? CU_OK : CU_E_NOMEM;
}

/* Delete every record of (kind, scope) whose key is listed. */
static cu_rc delete_keys(struct store_tx *tx, const char *kind, const char *scope,
                         const json_t *keys)
{
    cu_rc rc = CU_OK;
    json_t *k;
    size_t i;

    json_array_foreach((json_t *)keys, i, k)
        TRY(store_delete(tx, kind, scope, json_string_value(k), NULL));
out:
    return rc;
}

/* Remove one deleted key: its record (and with it its sealed material), its grants and
 * the aliases that point at it ("deletes the KMS key and all AWS KMS data associated
 * with it, including all aliases that refer to it": KMS API reference,
 * ScheduleKeyDeletion). */
static cu_rc remove_key(struct call *call, const char *key_id)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX], alias_scope[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_KMS_ALIAS, RECORD_KMS_ALIAS_BY_KEY, key_id, alias_scope};
    json_t *grants = json_array(), *aliases = NULL, *match;
    bool more = true;
    size_t i;

    ENSURE(grants, CU_E_NOMEM);
    kms_key_scope(call, key_id, scope);
    TRY(store_each(call->tx, RECORD_KMS_GRANT, scope, collect_key, grants));
    TRY(delete_keys(call->tx, RECORD_KMS_GRANT, scope, grants));
    kms_scope(call, RECORD_KMS_ALIAS, alias_scope);
    while (more) {
        /* each round deletes what it found, so the next one starts from the front */
        TRY(store_find(call->tx, &q, NULL, 100, &aliases, &more));
        json_array_foreach(aliases, i, match)
            TRY(store_delete(call->tx, RECORD_KMS_ALIAS,
                             json_string_value(json_object_get(match, "scope")),
                             json_string_value(json_object_get(match, "key")), NULL));
        json_decref(aliases);
        aliases = NULL;
    }
    kms_scope(call, RECORD_KMS_KEY, scope);
    TRY(store_delete(call->tx, RECORD_KMS_KEY, scope, key_id, NULL));
    /* its last use (GetKeyLastUsage, last_usage.c) goes with it */
    kms_scope(call, RECORD_KMS_KEY_LAST_USED, scope);
    TRY(store_delete(call->tx, RECORD_KMS_KEY_LAST_USED, scope, key_id, NULL));
out:
    json_decref(aliases);
    json_decref(grants);
    return rc;
}

/* The deletion sweep's rule (services/sweep.h): a key past its window goes, with its
 * replicas' bookkeeping on the primary. */
static bool deletion_due(const json_t *doc, int64_t now_ms)
{
    return kms_key_is_deleted(doc, now_ms);
}

static cu_rc delete_due(struct call *call, const char *scope, const char *key_id, json_t *doc,
                        uint64_t version)
{
    cu_rc rc = CU_OK;

    (void)scope;
    (void)doc;
    (void)version;
    TRY(remove_key(call, key_id));
    TRY(kms_mrk_replica_deleted(call, key_id));
out:
    return rc;
}

static const struct sweep_rule deletion = {
    .store_kind = RECORD_KMS_KEY,
    .due = deletion_due,
    .act = delete_due,
    .arn = kms_sweep_key_arn,
};

cu_rc kms_sweep_deleted(const struct call_env *env, int64_t now_ms, kms_event_fn record,
                        void *ctx, size_t *count)
{
    return sweep_regions(env, now_ms, &deletion, record, ctx, count);
}
