/* sts_ops.c — the STS operation table. */
#include "services/registry.h"
#include "sts.h"

const struct op_desc sts_ops[] = {
    {.service = "sts", .name = "GetCallerIdentity", .handler = sts_get_caller_identity,
     .action = "sts:GetCallerIdentity", .read_only = true, .always_allowed = true},
};
const size_t sts_ops_count = ARRAY_LEN(sts_ops);
