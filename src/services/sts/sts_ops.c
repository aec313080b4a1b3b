/* sts_ops.c — the STS operation table. */
#include "services/registry.h"
#include "sts.h"

/* The credentials' secret and token are never recorded (CloudTrail would show the token;
 * custos keeps session tokens out of the trail like every other secret). */
static const char *const session_secrets[] = {"SecretAccessKey", "SessionToken", NULL};

const struct op_desc sts_ops[] = {
    {.service = "sts", .name = "GetCallerIdentity", .handler = sts_get_caller_identity,
     .action = "sts:GetCallerIdentity", .read_only = true, .always_allowed = true},
    /* "No permissions are required for users to perform this operation" (STS API
     * reference): it authenticates, and policies do not control authentication */
    {.service = "sts", .name = "GetSessionToken", .handler = sts_get_session_token,
     .action = "sts:GetSessionToken", .always_allowed = true,
     .secret_fields = session_secrets},
};
const size_t sts_ops_count = ARRAY_LEN(sts_ops);
