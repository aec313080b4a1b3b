/* registry.h — every operation custos serves, looked up by service and name.
 * The rows live with their services (<svc>_ops.gen.c, generated from <svc>.ops); this is the
 * one place the pipeline asks "who handles this, and under which IAM action?". */
#ifndef CU_REGISTRY_H
#define CU_REGISTRY_H

#include "services/call.h"

/* The descriptor for (service model id, operation name), or NULL when custos does not
 * implement that operation. */
const struct op_desc *registry_find(const char *service, const char *op);

/* How many operations custos implements, over every service; registry_at(i) for i below
 * that is each one once, and registry_index(d) is d's i (for a descriptor of these tables:
 * per-operation counters are kept in an array, server/metrics.c). */
size_t registry_count(void);
const struct op_desc *registry_at(size_t i);
size_t registry_index(const struct op_desc *d);

/* Per-service tables, generated into services/<svc>/<svc>_ops.gen.c from <svc>.ops. */
extern const struct op_desc iam_ops[];
extern const size_t iam_ops_count;
extern const struct op_desc sts_ops[];
extern const size_t sts_ops_count;
extern const struct op_desc kms_ops[];
extern const size_t kms_ops_count;
extern const struct op_desc secretsmanager_ops[];
extern const size_t secretsmanager_ops_count;
extern const struct op_desc ssm_ops[];
extern const size_t ssm_ops_count;
extern const struct op_desc cloudtrail_ops[];
extern const size_t cloudtrail_ops_count;

#endif
