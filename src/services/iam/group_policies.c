/* group_policies.c — inline policies of IAM groups: PutGroupPolicy, GetGroupPolicy,
 * ListGroupPolicies, DeleteGroupPolicy, on the steps inline_policies.c shares with users
 * and roles (quota: 5,120 characters). Every member of the group is evaluated with them on
 * its next request (auth/identity_set.c). */
#include "iam_ops.gen.h"
#include "inline_policies.h"

cu_rc iam_put_group_policy(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return iam_inline_put(call, &iam_inline_group, in);
}

cu_rc iam_get_group_policy(struct call *call, const json_t *in, json_t *out)
{
    return iam_inline_get(call, &iam_inline_group, in, out);
}

cu_rc iam_list_group_policies(struct call *call, const json_t *in, json_t *out)
{
    return iam_inline_list(call, &iam_inline_group, &iam_list_group_policies_page, in, out);
}

cu_rc iam_delete_group_policy(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return iam_inline_delete(call, &iam_inline_group, in);
}
