/* groups.c — IAM groups: CreateGroup, ListGroups, UpdateGroup, DeleteGroup, and their
 * resolvers (GetGroup, which shows the members, is in group_members.c).
 *
 * A group is one "group" record keyed by its lowercased name (iam_kinds.c: group names are
 * unique without regard to case, like user names) and rendered through the model's Group
 * shape; it lists its attached managed policies (group_attached.c). Its inline policies
 * live under it (group_policies.c) and its memberships beside it (group_members.c), so a
 * rename moves both to the new name: the ARN changes, the GroupId does not. */
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "iam_common.h"
#include "iam_groups.h"
#include "iam_ops.gen.h"
#include "inline_policies.h"

void iam_group_arn(const char *account, const char *path, const char *name,
                   char out[IAM_ARN_MAX])
{
    snprintf(out, IAM_ARN_MAX, "arn:aws:iam::%s:group%s%s", account, path ? path : "/", name);
}

cu_rc iam_create_group(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "GroupName"), *path = in_str_or(in, "Path", "/");
    char id[IDS_UNIQUE_ID_LEN + 1], arn[IAM_ARN_MAX];
    json_t *doc = NULL;

    TRY(ids_unique("AGPA", id));
    iam_group_arn(call->env->account_id, path, name, arn);
    doc = json_pack("{s:s, s:s, s:s, s:s, s:I}", "Path", path, "GroupName", name, "GroupId", id,
                    "Arn", arn, "CreateDate", (json_int_t)(call->now_ms / 1000 * 1000));
    ENSURE(doc, CU_E_NOMEM);
    TRY(kind_create(call, &iam_kind_group, NULL, doc));
    TRY(render_output(out, "iam", "CreateGroup", "Group", doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_list_groups(struct call *call, const json_t *in, json_t *out)
{
    return iam_list_by_path(call, &iam_list_groups_page, in, RECORD_GROUP, out);
}

/* Rename and/or move the group: a new name is a new record (EntityAlreadyExists when taken,
 * without regard to case, unless only its case changes), carrying its id, date, attached
 * policies, inline policies and members along. */
cu_rc iam_update_group(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    char arn[IAM_ARN_MAX], old_key[RECORD_NAME_MAX], new_key[RECORD_NAME_MAX];
    const char *old_name, *name, *path;
    json_t *group, *moved = NULL;

    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    old_name = kind_name(&iam_kind_group, group);
    name = in_str_or(in, "NewGroupName", old_name);
    path = in_str_or(in, "NewPath", json_string_value(json_object_get(group, "Path")));
    iam_group_arn(call->env->account_id, path, name, arn);
    record_fold(old_name, old_key);
    record_fold(name, new_key);
    if (strcmp(old_key, new_key) == 0) {
        TRY(tree_set_str(group, "GroupName", name));
        TRY(tree_set_str(group, "Path", path));
        TRY(tree_set_str(group, "Arn", arn));
        TRY(kind_update(call, &iam_kind_group, NULL, group));
        goto out;
    }
    moved = json_deep_copy(group);
    ENSURE(moved, CU_E_NOMEM);
    TRY(tree_set_str(moved, "GroupName", name));
    TRY(tree_set_str(moved, "Path", path));
    TRY(tree_set_str(moved, "Arn", arn));
    TRY(kind_create(call, &iam_kind_group, NULL, moved));
    TRY(iam_inline_move(call, &iam_inline_group, old_name, name));
    TRY(iam_group_members_move(call, old_name, moved));
    TRY(kind_remove(call, &iam_kind_group, NULL, group));
out:
    json_decref(moved);
    return rc;
}

/* IAM refuses to delete a group that still has members, inline or attached policies,
 * checked in that order, with these words. */
cu_rc iam_delete_group(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    size_t n_members = 0, n_policies = 0;
    json_t *group;

    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    TRY(iam_group_member_count(call, RECORD_GROUP_MEMBER_BY_GROUP,
                               kind_name(&iam_kind_group, group), &n_members));
    ENSURE(n_members == 0, cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                                      "Cannot delete entity, must remove users from group first."));
    record_user_scope(call->env->account_id, kind_name(&iam_kind_group, group), scope);
    TRY(store_count(call->tx, RECORD_GROUP_POLICY, scope, &n_policies));
    ENSURE(n_policies == 0, cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                                       "Cannot delete entity, must delete policies first."));
    ENSURE(json_array_size(json_object_get(group, RECORD_USER_ATTACHED)) == 0,
           cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                      "Cannot delete entity, must detach all policies first."));
    TRY(kind_remove(call, &iam_kind_group, NULL, group));
out:
    return rc;
}

/* Resolver for CreateGroup: the ARN the new group will have. */
cu_rc iam_resolve_new_group(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    iam_group_arn(call->env->account_id, in_str(in, "Path"), in_str_or(in, "GroupName", ""),
              call->target.arn);
    return CU_OK;
}

/* Resolver for operations on one group: its ARN with its path when it exists, else with
 * the path "/" (what AWS names in the AccessDenied of a group that does not exist). The
 * record stays in call->target.doc for the handler. */
cu_rc iam_resolve_group(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "GroupName");

    iam_set_account_target(call);
    TRY(kind_find(call, &iam_kind_group, NULL, name, &call->target.doc));
    if (call->target.doc)
        snprintf(call->target.arn, sizeof(call->target.arn), "%s",
                 json_string_value(json_object_get(call->target.doc, "Arn")));
    else
        iam_group_arn(call->env->account_id, "/", name, call->target.arn);
out:
    return rc;
}

/* Also-resolver for UpdateGroup: the group as it will be named. IAM requires the
 * permission on the group under its old and its new name (API reference, UpdateGroup:
 * "must have permission to change the group with the old name and the new name"); the
 * pipeline has authorized the old one on call->target. */
cu_rc iam_resolve_renamed_group(struct call *call, const json_t *in)
{
    const json_t *group = call->target.doc;
    const char *path = json_string_value(json_object_get(group, "Path"));

    snprintf(call->also.account_id, sizeof(call->also.account_id), "%s",
             call->env->account_id);
    iam_group_arn(call->env->account_id, in_str_or(in, "NewPath", path ? path : "/"),
                  in_str_or(in, "NewGroupName", group ? kind_name(&iam_kind_group, group)
                                                      : in_str(in, "GroupName")),
                  call->also.arn);
    return CU_OK;
}

/* Resolver for ListGroups: arn:aws:iam::<acct>:group<PathPrefix>, as ListUsers does. */
cu_rc iam_resolve_group_list(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:group%s",
             call->env->account_id, in_str_or(in, "PathPrefix", "/"));
    return CU_OK;
}
