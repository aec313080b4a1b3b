/* key_sweeper.h — the thread that really deletes KMS keys whose deletion window has ended
 * (services/kms/kms.h, kms_sweep_deleted), once at start and every KEY_SWEEP_MS after,
 * each deletion recorded in the trail first (a DeleteKey AwsServiceEvent, as CloudTrail
 * shows KMS's own deletion). */
#ifndef CU_KEY_SWEEPER_H
#define CU_KEY_SWEEPER_H

#include "audit/audit.h"
#include "core/cu.h"
#include "services/call.h"

#define KEY_SWEEP_MS (60 * 1000)

struct key_sweeper;

/* Sweep once now (errors are returned: a start-up that cannot read its keys stops), then
 * start the thread sweeping every interval_ms over env, recording into trail (both
 * borrowed; they must outlive the sweeper). *out is released with key_sweeper_stop. */
MUST_CHECK cu_rc key_sweeper_start(const struct call_env *env, struct audit_writer *trail,
                                   int64_t interval_ms, struct key_sweeper **out);
/* call_env's aws_managed_key: make the AWS managed key of alias in region (kms.h,
 * kms_aws_managed_ensure), its CreateKey service event durable in env->aws_managed_ctx
 * (the trail, a struct audit_writer) before the commit. */
MUST_CHECK cu_rc key_sweeper_make_aws_managed(const struct call_env *env, const char *region,
                                              const char *alias, int64_t now_ms);
/* Stop the thread and free; NULL-safe. */
void key_sweeper_stop(struct key_sweeper *s);

#endif
