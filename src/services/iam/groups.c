/* groups.c — IAM groups: CreateGroup, GetGroup, ListGroups, and their resolvers.
 *
 * A group is one "group" record keyed by its lowercased name (records.h): group names are
 * unique without regard to case, like user names (IAM guide, reference_iam-quotas: "you
 * cannot create groups named both ADMINS and admins"). No operation adds members yet, so
 * GetGroup's Users list is empty: that is the stored truth, not a placeholder. */
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

/* The Group structure as IAM returns it, built from the stored record. */
static cu_rc group_view(const json_t *doc, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *g = json_object();

    ENSURE(g, CU_E_NOMEM);
    TRY(tree_set_str(g, "Path", json_string_value(json_object_get(doc, "Path"))));
    TRY(tree_set_str(g, "GroupName", json_string_value(json_object_get(doc, "GroupName"))));
    TRY(tree_set_str(g, "GroupId", json_string_value(json_object_get(doc, "GroupId"))));
    TRY(tree_set_str(g, "Arn", json_string_value(json_object_get(doc, "Arn"))));
    TRY(tree_set_time_ms(g, "CreateDate", json_integer_value(json_object_get(doc, "CreateDate"))));
    *out = g;
    g = NULL;
out:
    json_decref(g);
    return rc;
}

cu_rc iam_create_group(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "GroupName"));
    const char *path = json_string_value(json_object_get(in, "Path"));
    char key[RECORD_NAME_MAX], group_id[IDS_UNIQUE_ID_LEN + 1], arn[IAM_ARN_MAX];
    json_t *doc = json_object(), *view = NULL;

    ENSURE(doc, CU_E_NOMEM);
    if (!path)
        path = "/";
    record_fold(name, key);
    TRY(ids_unique("AGPA", group_id));
    group_arn(call->env->account_id, path, name, arn);
    TRY(tree_set_str(doc, "Path", path));
    TRY(tree_set_str(doc, "GroupName", name));
    TRY(tree_set_str(doc, "GroupId", group_id));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    rc = store_put(call->tx, RECORD_GROUP, call->env->account_id, key, doc, STORE_CREATE);
    if (rc == CU_E_STORE_EXISTS) {
        rc = cu_err_set(&call->err, CU_E_IAM_ENTITY_EXISTS, "Group with name %s already exists.",
                        name);
        goto out;
    }
    TRY(rc);
    TRY(group_view(doc, &view));
    TRY(tree_set_new(out, "Group", view));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_get_group(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "GroupName"));
    struct page page = {0};
    json_t *doc = NULL, *view = NULL;

    TRY(page_begin(call, &iam_get_group_page, in, &page));
    TRY(record_group_get(call->tx, call->env->account_id, name, &doc));
    if (!doc) {
        rc = cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                        "The group with name %s cannot be found.", name);
        goto out;
    }
    TRY(group_view(doc, &view));
    TRY(tree_set_new(out, "Group", view));
    /* no operation adds a user to a group yet: every group's member list is empty, and
     * the page of its members (Users, IsTruncated) is the empty one */
    TRY(page_end(&page, out));
out:
    page_release(&page);
    json_decref(doc);
    return rc;
}

cu_rc iam_list_groups(struct call *call, const json_t *in, json_t *out)
{
    return iam_list_by_path(call, &iam_list_groups_page, in, RECORD_GROUP, group_view, out);
}

/* Resolver for CreateGroup: the ARN the new group will have. */
cu_rc iam_resolve_new_group(struct call *call, const json_t *in)
{
    const char *path = json_string_value(json_object_get(in, "Path"));
    const char *name = json_string_value(json_object_get(in, "GroupName"));

    iam_set_account_target(call);
    group_arn(call->env->account_id, path, name ? name : "", call->target.arn);
    return CU_OK;
}

/* Resolver for operations on one group: its ARN with its path when it exists, else with
 * the path "/" (what AWS names in the AccessDenied of a group that does not exist). */
cu_rc iam_resolve_group(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "GroupName"));
    json_t *doc = NULL;

    iam_set_account_target(call);
    TRY(record_group_get(call->tx, call->env->account_id, name, &doc));
    if (doc)
        snprintf(call->target.arn, sizeof(call->target.arn), "%s",
                 json_string_value(json_object_get(doc, "Arn")));
    else
        group_arn(call->env->account_id, "/", name, call->target.arn);
out:
    json_decref(doc);
    return rc;
}

/* Resolver for ListGroups: arn:aws:iam::<acct>:group<PathPrefix>, as ListUsers does. */
cu_rc iam_resolve_group_list(struct call *call, const json_t *in)
{
    const char *prefix = json_string_value(json_object_get(in, "PathPrefix"));

    iam_set_account_target(call);
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:group%s",
             call->env->account_id, prefix ? prefix : "/");
    return CU_OK;
}
