/* sweep.h — the one shape of a service's timed deletions (the server's key sweeper runs
 * them): in a region, the records of a kind that a rule finds due are listed in a read
 * transaction, then each is deleted in a write transaction of its own that reads it again
 * first (a call may have come in between: RestoreSecret, a PutParameter that replaced it)
 * and writes its trail record before the commit (the write-ahead order: one record per
 * commit). Its users: Secrets Manager's end of recovery windows (secret_kinds.c) and
 * Parameter Store's Expiration policies (ssm/expiry.c). KMS's sweeps change keys rather
 * than delete records and have a shape of their own (kms/sweep.h). */
#ifndef CU_SERVICES_SWEEP_H
#define CU_SERVICES_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/call.h"

/* Which records a sweep deletes. */
struct sweep_rule {
    const char *store_kind;                         /* a KIND_REGION-scoped store kind */
    bool (*due)(const json_t *doc, int64_t now_ms); /* whether doc is to go at now_ms */
};

/* Called for each record the sweep deletes, inside its transaction and before its commit,
 * with the region, the record's "ARN" member and the seq the commit will take. An error
 * leaves that record in place and ends the sweep with it. */
typedef cu_rc (*sweep_record_fn)(const char *region, const char *arn, uint64_t commit_seq,
                                 void *ctx);

/* Delete the records of rule's kind in env's account and `region` that are due at now_ms,
 * as above; adds to *deleted how many went (it does not reset it). */
MUST_CHECK cu_rc sweep_region(const struct call_env *env, const char *region, int64_t now_ms,
                              const struct sweep_rule *rule, sweep_record_fn record, void *ctx,
                              size_t *deleted);

/* sweep_region in every region env serves (env->region alone when env->regions is NULL);
 * *deleted: how many went in all. */
MUST_CHECK cu_rc sweep_regions(const struct call_env *env, int64_t now_ms,
                               const struct sweep_rule *rule, sweep_record_fn record, void *ctx,
                               size_t *deleted);

#endif
