/* users.c — IAM users: CreateUser, GetUser, ListUsers, DeleteUser.
 *
 * A user is one "user" record keyed by its lowercased name (records.h, iam_kinds.c) and
 * rendered through the model's User shape; its access keys and inline policies live under
 * its scope and, with its attached managed policies (listed in the record), must be gone
 * before it can be deleted (IAM API reference, DeleteUser: "you must delete the items
 * attached to the user"). */
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_groups.h"
#include "iam_ops.gen.h"

cu_rc iam_create_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "UserName");
    const char *path = in_str_or(in, "Path", "/");
    const char *boundary = in_str(in, "PermissionsBoundary");
    const json_t *tags = in_list(in, "Tags");
    char user_id[IDS_UNIQUE_ID_LEN + 1], arn[IAM_ARN_MAX];
    json_t *doc = json_object();

    ENSURE(doc, CU_E_NOMEM);
    TRY(ids_unique("AIDA", user_id));
    iam_user_arn(call->env->account_id, path, name, arn);
    TRY(tree_set_str(doc, "Path", path));
    TRY(tree_set_str(doc, "UserName", name));
    TRY(tree_set_str(doc, "UserId", user_id));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    TRY(tree_set_new(doc, "Tags", tags ? json_deep_copy(tags) : json_array()));
    if (boundary)
        TRY(iam_boundary_set(call, doc, boundary));
    TRY(kind_create(call, &iam_kind_user, NULL, doc));
    TRY(render_output(out, "iam", "CreateUser", "User", doc));
out:
    json_decref(doc);
    return rc;
}

/* GetUser for the root user: AWS answers with the account's root identity, created with
 * the account (the account record bootstrap wrote on the data dir's first start). No user
 * record holds it, so its members are computed. */
static cu_rc root_user_view(struct call *call, json_t *out)
{
    cu_rc rc = CU_OK;
    char arn[IAM_ARN_MAX];
    json_t *u = json_object(), *account = NULL, *created;

    ENSURE(u, CU_E_NOMEM);
    TRY(store_get(call->tx, RECORD_ACCOUNT, "", RECORD_ACCOUNT_KEY, &account));
    created = account ? json_object_get(account, "CreateDate") : NULL;
    /* bootstrap writes it before the server listens: without it the store is broken */
    ENSURE(json_is_integer(created), CU_E_STORE);
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:root", call->env->account_id);
    TRY(tree_set_str(u, "UserId", call->env->account_id));
    TRY(tree_set_str(u, "Arn", arn));
    TRY(tree_set_time_ms(u, "CreateDate", json_integer_value(created)));
    TRY(tree_set_new(out, "User", u));
    u = NULL;
out:
    json_decref(account);
    json_decref(u);
    return rc;
}

cu_rc iam_get_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user;

    if (!iam_user_name_or_caller(call, in))
        return root_user_view(call, out);
    TRY(iam_target_user(call, in, &user));
    TRY(render_output(out, "iam", "GetUser", "User", user));
out:
    return rc;
}

cu_rc iam_list_users(struct call *call, const json_t *in, json_t *out)
{
    return iam_list_by_path(call, &iam_list_users_page, in, RECORD_USER, out);
}

cu_rc iam_delete_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "UserName");
    char scope[RECORD_NAME_MAX];
    json_t *user;
    size_t n_keys = 0, n_policies = 0, n_groups = 0;

    TRY(iam_target_user(call, in, &user));
    record_user_scope(call->env->account_id, name, scope);
    TRY(iam_access_key_count(call->tx, call->env->account_id, name, &n_keys));
    ENSURE(n_keys == 0, cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                                   "Cannot delete entity, must delete access keys first."));
    TRY(store_count(call->tx, RECORD_USER_POLICY, scope, &n_policies));
    ENSURE(n_policies == 0, cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                                       "Cannot delete entity, must delete policies first."));
    ENSURE(json_array_size(json_object_get(user, RECORD_USER_ATTACHED)) == 0,
           cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                      "Cannot delete entity, must detach all policies first."));
    TRY(iam_group_member_count(call, RECORD_GROUP_MEMBER_BY_USER, name, &n_groups));
    ENSURE(n_groups == 0, cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                                     "Cannot delete entity, must remove users from group first."));
    TRY(kind_remove(call, &iam_kind_user, NULL, user));
out:
    return rc;
}
