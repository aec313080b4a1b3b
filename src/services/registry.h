/* registry.h — every operation custos serves, looked up by service and name.
 * The rows live with their services (iam_ops.c, sts_ops.c, kms_ops.c); this is the
 * one place the pipeline asks "who handles this, and under which IAM action?". */
#ifndef CU_REGISTRY_H
#define CU_REGISTRY_H

#include "services/call.h"

/* The descriptor for (service model id, operation name), or NULL when custos does not
 * implement that operation. */
const struct op_desc *registry_find(const char *service, const char *op);

/* Per-service tables, defined in services/<svc>/<svc>_ops.c. */
extern const struct op_desc iam_ops[];
extern const size_t iam_ops_count;
extern const struct op_desc sts_ops[];
extern const size_t sts_ops_count;
extern const struct op_desc kms_ops[];
extern const size_t kms_ops_count;

#endif
