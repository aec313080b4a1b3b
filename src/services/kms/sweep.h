/* sweep.h — the one shape of KMS's timed work (the server's key sweeper runs it): in each
 * region served, the keys a rule finds due are listed in a read transaction, then each is
 * changed in a write transaction of its own, read again under the write lock (a call may
 * have come first: CancelKeyDeletion, DisableKeyRotation, a re-import), its trail record
 * written before the commit (the write-ahead order, audit.h: one record per commit).
 * Its rules: deletion (key_state.c), rotation (rotation.c), expired imported material
 * (import_expiry.c). */
#ifndef CU_KMS_SWEEP_H
#define CU_KMS_SWEEP_H

#include "kms.h"

struct kms_sweep_rule {
    /* Whether the key record doc is due at now_ms. */
    bool (*due)(const json_t *doc, int64_t now_ms);
    /* Change the due key key_id, whose record doc (at version, in scope) was read in
     * call->tx, a write transaction; the sweep then records and commits. */
    cu_rc (*act)(struct call *call, const char *scope, const char *key_id, json_t *doc,
                 uint64_t version);
};

/* Run rule over the keys of env's account in every region it serves; *count: how many keys
 * it changed. */
MUST_CHECK cu_rc kms_sweep_keys(const struct call_env *env, int64_t now_ms,
                                const struct kms_sweep_rule *rule, kms_event_fn record,
                                void *ctx, size_t *count);

#endif
