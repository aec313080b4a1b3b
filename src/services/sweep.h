/* sweep.h — the one shape of the services' timed work (the server's key sweeper runs it):
 * in a region, the records of a kind that a rule finds due are listed in a read
 * transaction, then each is deleted or changed in a write transaction of its own that
 * reads it again first (a call may have come in between: CancelKeyDeletion, RestoreSecret,
 * a PutParameter that replaced it, a re-import) and writes its trail record before the
 * commit (the write-ahead order: one record per commit). Its rules: KMS's key deletion
 * (key_state.c), rotation (rotation.c) and expired imported material (import_expiry.c),
 * Secrets Manager's end of recovery windows (secret_kinds.c), Parameter Store's Expiration
 * policies (ssm/expiry.c). */
#ifndef CU_SERVICES_SWEEP_H
#define CU_SERVICES_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/call.h"

#define SWEEP_ARN_MAX 1024

struct sweep_rule {
    const char *store_kind; /* a regional store kind: RECORD_SECRET */
    /* Whether the record doc is due at now_ms. */
    bool (*due)(const json_t *doc, int64_t now_ms);
    /* Change the due record `name`, whose record doc (at version, in scope) was read in
     * call->tx, a write transaction (call's env, region and now_ms set); the sweep then
     * records and commits. NULL: delete the record. */
    cu_rc (*act)(struct call *call, const char *scope, const char *name, json_t *doc,
                 uint64_t version);
    /* The ARN the trail record names, into out (SWEEP_ARN_MAX bytes). NULL: the record's
     * "ARN" member. */
    void (*arn)(const struct call *call, const char *name, const json_t *doc, char *out);
};

/* Called for each record the sweep deletes or changes, inside its transaction and before
 * its commit, with the region, the record's ARN and the seq the commit will take. An error
 * leaves that record as it was and ends the sweep with it. */
typedef cu_rc (*sweep_record_fn)(const char *region, const char *arn, uint64_t commit_seq,
                                 void *ctx);

/* Run rule over the records of its kind in env's account and `region`, as above; adds to
 * *count how many it deleted or changed (it does not reset it). */
MUST_CHECK cu_rc sweep_region(const struct call_env *env, const char *region, int64_t now_ms,
                              const struct sweep_rule *rule, sweep_record_fn record, void *ctx,
                              size_t *count);

/* sweep_region in every region env serves (env->region alone when env->regions is NULL);
 * *count: how many in all. */
MUST_CHECK cu_rc sweep_regions(const struct call_env *env, int64_t now_ms,
                               const struct sweep_rule *rule, sweep_record_fn record, void *ctx,
                               size_t *count);

#endif
