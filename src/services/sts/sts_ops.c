/* sts_ops.c — the STS operation table. */
#include "services/registry.h"
#include "sts.h"

const struct op_desc sts_ops[] = {
    {"sts", "GetCallerIdentity", sts_get_caller_identity, "sts:GetCallerIdentity", NULL, true,
     true, NULL},
};
const size_t sts_ops_count = ARRAY_LEN(sts_ops);
