/* group_attached.c — customer managed policies attached to groups: AttachGroupPolicy,
 * DetachGroupPolicy, ListAttachedGroupPolicies, on the attach, detach and list steps of
 * attached_policies.c (the group record lists what is attached; the policy's
 * AttachmentCount counts the group too; at most 10 per group). Each handler acts on the
 * group its resolver loaded. */
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

static cu_rc target_group(struct call *call, const json_t *in, json_t **group)
{
    return kind_target(call, &iam_kind_group, in_str(in, "GroupName"), group);
}

cu_rc iam_attach_group_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *group;

    TRY(target_group(call, in, &group));
    TRY(iam_attach_policy(call, group, in_str(in, "PolicyArn"), "PoliciesPerGroup"));
    TRY(kind_update(call, &iam_kind_group, NULL, group));
out:
    return rc;
}

cu_rc iam_detach_group_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *group;

    TRY(target_group(call, in, &group));
    TRY(iam_detach_policy(call, group, in_str(in, "PolicyArn")));
    TRY(kind_update(call, &iam_kind_group, NULL, group));
out:
    return rc;
}

cu_rc iam_list_attached_group_policies(struct call *call, const json_t *in, json_t *out)
{
    return iam_list_attached(call, &iam_list_attached_group_policies_page, in, &iam_kind_group,
                             in_str(in, "GroupName"), out);
}
