/* attached_policies.c — customer managed policies attached to users: AttachUserPolicy,
 * DetachUserPolicy, ListAttachedUserPolicies, and the attach, detach and list steps that
 * role_policies.c and group_attached.c share for roles and groups.
 *
 * The entity record lists what is attached ("AttachedManagedPolicies": [{PolicyName,
 * PolicyArn}], in attachment order) and each policy record counts the identities it is
 * attached to (AttachmentCount); both change in the same transaction, so the count is
 * always the number of users, groups and roles listing the policy. Each handler acts on the
 * entity its resolver loaded (iam_target_user), and loads the policy once. */
#include <stdio.h>
#include <string.h>

#include "aws_managed_policies.h"
#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

/* IAM guide, reference_iam-quotas: managed policies attached to an IAM user or role,
 * default 10 (PoliciesPerUser, PoliciesPerRole). */
#define ATTACHED_PER_ENTITY_MAX 10
#define ATTACHED RECORD_USER_ATTACHED

/* Index of arn in the user's attached list, or -1. */
static long attached_index(const json_t *list, const char *arn)
{
    size_t i;
    json_t *item;

    json_array_foreach(list, i, item)
        if (strcmp(json_string_value(json_object_get(item, "PolicyArn")), arn) == 0)
            return (long)i;
    return -1;
}

static json_t *attached_list(json_t *user)
{
    json_t *list = json_object_get(user, ATTACHED);

    if (!list && json_object_set_new(user, ATTACHED, json_array()) == 0)
        list = json_object_get(user, ATTACHED);
    return list;
}

cu_rc iam_attach_policy(struct call *call, json_t *entity, const char *arn, const char *quota)
{
    cu_rc rc = CU_OK;
    json_t *list, *policy = NULL;

    list = attached_list(entity);
    ENSURE(list, CU_E_NOMEM);
    /* attaching what is already attached changes nothing (and is no error) */
    if (attached_index(list, arn) >= 0)
        goto out;
    ENSURE(json_array_size(list) < ATTACHED_PER_ENTITY_MAX,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED, "Cannot exceed quota for %s: %d",
                      quota, ATTACHED_PER_ENTITY_MAX));
    TRY(iam_policy_load(call, &iam_kind_attachable_policy, arn, &policy));
    TRY(iam_managed_policy_use(call, policy, "AttachmentCount", 1));
    TRY(tree_append_new(list, json_pack("{s:s, s:s}", "PolicyName",
                                        kind_name(&iam_kind_managed_policy, policy),
                                        "PolicyArn", arn)));
out:
    json_decref(policy);
    return rc;
}

cu_rc iam_detach_policy(struct call *call, json_t *entity, const char *arn)
{
    cu_rc rc = CU_OK;
    json_t *list = json_object_get(entity, ATTACHED);
    long at = list ? attached_index(list, arn) : -1;

    ENSURE(at >= 0, kind_not_found(call, &iam_kind_managed_policy, arn));
    TRY(json_array_remove(list, (size_t)at) == 0 ? CU_OK : CU_E_INTERNAL);
    TRY(iam_managed_policy_count(call, arn, "AttachmentCount", -1));
out:
    return rc;
}

cu_rc iam_attach_user_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *arn = in_str(in, "PolicyArn");
    json_t *user;

    TRY(iam_target_user(call, in, &user));
    if (attached_index(json_object_get(user, ATTACHED), arn) >= 0)
        goto out;
    TRY(iam_attach_policy(call, user, arn, "PoliciesPerUser"));
    TRY(iam_user_save(call, user));
out:
    return rc;
}

cu_rc iam_detach_user_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user;

    TRY(iam_target_user(call, in, &user));
    TRY(iam_detach_policy(call, user, in_str(in, "PolicyArn")));
    TRY(iam_user_save(call, user));
out:
    return rc;
}

/* Does the policy ARN's path ("arn:...:policy/<path>/<name>") start with prefix? */
static bool path_has_prefix(const char *arn, const char *prefix)
{
    const char *path = strstr(arn, ":policy/");

    return !prefix || (path && strncmp(path + 7, prefix, strlen(prefix)) == 0);
}

cu_rc iam_list_attached(struct call *call, const struct page_desc *desc, const json_t *in,
                        const struct kind *k, const char *name, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *prefix = in_str(in, "PathPrefix");
    const struct shape *shape = iam_page_item_shape(desc);
    struct page page = {0};
    json_t *entity, *attached, *item;
    size_t i;

    TRY(page_begin(call, desc, in, &page));
    TRY(kind_target(call, k, name, &entity));
    attached = json_object_get(entity, ATTACHED);
    /* attachments keep their order; a page's position is an index into the entity's list */
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

cu_rc iam_list_attached_user_policies(struct call *call, const json_t *in, json_t *out)
{
    return iam_list_attached(call, &iam_list_attached_user_policies_page, in, &iam_kind_user,
                             iam_user_name_or_caller(call, in), out);
}
