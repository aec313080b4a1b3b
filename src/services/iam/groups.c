/* groups.c — IAM groups: CreateGroup, GetGroup, ListGroups, and their resolvers.
 *
 * A group is one "group" record keyed by its lowercased name (iam_kinds.c: group names are
 * unique without regard to case, like user names) and rendered through the model's Group
 * shape. No operation adds members yet, so GetGroup's Users list is empty: that is the
 * stored truth, not a placeholder. */
#include <stdio.h>

#include "core/ids.h"
#include "core/tree.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

/* arn:aws:iam::<account>:group<path><name>; path defaults to "/". */
static void group_arn(const char *account, const char *path, const char *name,
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
    group_arn(call->env->account_id, path, name, arn);
    doc = json_pack("{s:s, s:s, s:s, s:s, s:I}", "Path", path, "GroupName", name, "GroupId", id,
                    "Arn", arn, "CreateDate", (json_int_t)(call->now_ms / 1000 * 1000));
    ENSURE(doc, CU_E_NOMEM);
    TRY(kind_create(call, &iam_kind_group, NULL, doc));
    TRY(render_output(out, "iam", "CreateGroup", "Group", doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_get_group(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    json_t *group;

    TRY(page_begin(call, &iam_get_group_page, in, &page));
    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    TRY(render_output(out, "iam", "GetGroup", "Group", group));
    /* no operation adds a user to a group yet: every group's member list is empty, and
     * the page of its members (Users, IsTruncated) is the empty one */
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_list_groups(struct call *call, const json_t *in, json_t *out)
{
    return iam_list_by_path(call, &iam_list_groups_page, in, RECORD_GROUP, out);
}

/* Resolver for CreateGroup: the ARN the new group will have. */
cu_rc iam_resolve_new_group(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    group_arn(call->env->account_id, in_str(in, "Path"), in_str_or(in, "GroupName", ""),
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
        group_arn(call->env->account_id, "/", name, call->target.arn);
out:
    return rc;
}

/* Resolver for ListGroups: arn:aws:iam::<acct>:group<PathPrefix>, as ListUsers does. */
cu_rc iam_resolve_group_list(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:group%s",
             call->env->account_id, in_str_or(in, "PathPrefix", "/"));
    return CU_OK;
}
