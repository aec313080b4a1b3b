/* user_policies.c — inline policies of IAM users: PutUserPolicy, GetUserPolicy,
 * ListUserPolicies, DeleteUserPolicy, on the steps inline_policies.c shares with groups
 * and roles (quota: 2,048 characters). */
#include "iam_ops.gen.h"
#include "inline_policies.h"

cu_rc iam_put_user_policy(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return iam_inline_put(call, &iam_inline_user, in);
}

cu_rc iam_get_user_policy(struct call *call, const json_t *in, json_t *out)
{
    return iam_inline_get(call, &iam_inline_user, in, out);
}

cu_rc iam_list_user_policies(struct call *call, const json_t *in, json_t *out)
{
    return iam_inline_list(call, &iam_inline_user, &iam_list_user_policies_page, in, out);
}

cu_rc iam_delete_user_policy(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return iam_inline_delete(call, &iam_inline_user, in);
}
