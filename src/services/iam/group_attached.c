/* group_attached.c — customer managed policies attached to groups: AttachGroupPolicy,
 * DetachGroupPolicy, ListAttachedGroupPolicies.
 *
 * As for users (attached_policies.c): the group record lists what is attached
 * (RECORD_USER_ATTACHED: [{PolicyName, PolicyArn}], in attachment order) and the policy's
 * AttachmentCount counts the group too, both changed in the same transaction. At most 10
 * managed policies per group (IAM guide, reference_iam-quotas). Each handler acts on the
 * group its resolver loaded. */
#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

#define ATTACHED_PER_GROUP_MAX 10
#define ATTACHED RECORD_USER_ATTACHED

/* Index of arn in the group's attached list, or -1. */
static long attached_index(const json_t *list, const char *arn)
{
    size_t i;
    json_t *item;

    json_array_foreach(list, i, item)
        if (strcmp(json_string_value(json_object_get(item, "PolicyArn")), arn) == 0)
            return (long)i;
    return -1;
}

static json_t *attached_list(json_t *group)
{
    json_t *list = json_object_get(group, ATTACHED);

    if (!list && json_object_set_new(group, ATTACHED, json_array()) == 0)
        list = json_object_get(group, ATTACHED);
    return list;
}

cu_rc iam_attach_group_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *arn = in_str(in, "PolicyArn");
    json_t *group, *list, *policy = NULL;

    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    list = attached_list(group);
    ENSURE(list, CU_E_NOMEM);
    /* attaching what is already attached changes nothing (and is no error) */
    if (attached_index(list, arn) >= 0)
        goto out;
    ENSURE(json_array_size(list) < ATTACHED_PER_GROUP_MAX,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for PoliciesPerGroup: %d", ATTACHED_PER_GROUP_MAX));
    TRY(kind_load(call, &iam_kind_attachable_policy, NULL, arn, &policy));
    TRY(iam_managed_policy_use(call, policy, "AttachmentCount", 1));
    TRY(tree_append_new(list, json_pack("{s:s, s:s}", "PolicyName",
                                        kind_name(&iam_kind_managed_policy, policy),
                                        "PolicyArn", arn)));
    TRY(kind_update(call, &iam_kind_group, NULL, group));
out:
    json_decref(policy);
    return rc;
}

cu_rc iam_detach_group_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *arn = in_str(in, "PolicyArn");
    json_t *group, *list;
    long at;

    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    list = json_object_get(group, ATTACHED);
    at = list ? attached_index(list, arn) : -1;
    ENSURE(at >= 0, kind_not_found(call, &iam_kind_managed_policy, arn));
    TRY(json_array_remove(list, (size_t)at) == 0 ? CU_OK : CU_E_INTERNAL);
    TRY(iam_managed_policy_count(call, arn, "AttachmentCount", -1));
    TRY(kind_update(call, &iam_kind_group, NULL, group));
out:
    return rc;
}

/* Does the policy ARN's path ("arn:...:policy/<path>/<name>") start with prefix? */
static bool path_has_prefix(const char *arn, const char *prefix)
{
    const char *path = strstr(arn, ":policy/");

    return !prefix || (path && strncmp(path + 7, prefix, strlen(prefix)) == 0);
}

cu_rc iam_list_attached_group_policies(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *prefix = in_str(in, "PathPrefix");
    const struct shape *shape = iam_page_item_shape(&iam_list_attached_group_policies_page);
    struct page page = {0};
    json_t *group, *attached, *item;
    size_t i;

    TRY(page_begin(call, &iam_list_attached_group_policies_page, in, &page));
    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    attached = json_object_get(group, ATTACHED);
    /* attachments keep their order; a page's position is an index into the group's list */
    TRY(page_first_index(call, &page, &i));
    for (; i < json_array_size(attached) && !page_full(&page); i++) {
        const json_t *a = json_array_get(attached, i);

        if (!path_has_prefix(json_string_value(json_object_get(a, "PolicyArn")), prefix))
            continue;
        TRY(render_record(a, shape, &item));
        TRY(page_add_index(&page, i, item)); /* steals item */
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}
