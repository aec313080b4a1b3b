/* users.c — IAM users: CreateUser, GetUser, ListUsers, DeleteUser.
 *
 * A user is one "user" record keyed by its lowercased name (records.h); its access keys
 * and inline policies live under its scope and, with its attached managed policies
 * (listed in the record), must be gone before it can be deleted
 * (IAM API reference, DeleteUser: "you must delete the items attached to the user"). */
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

/* The User structure as IAM returns it, built from the stored record. */
static cu_rc user_view(const json_t *doc, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *u = json_object();
    json_t *tags = json_object_get(doc, "Tags");
    json_t *boundary = json_object_get(doc, "PermissionsBoundary");

    ENSURE(u, CU_E_NOMEM);
    TRY(tree_set_str(u, "Path", json_string_value(json_object_get(doc, "Path"))));
    TRY(tree_set_str(u, "UserName", json_string_value(json_object_get(doc, "UserName"))));
    TRY(tree_set_str(u, "UserId", json_string_value(json_object_get(doc, "UserId"))));
    TRY(tree_set_str(u, "Arn", json_string_value(json_object_get(doc, "Arn"))));
    TRY(tree_set_time_ms(u, "CreateDate", json_integer_value(json_object_get(doc, "CreateDate"))));
    if (boundary)
        TRY(tree_set_new(u, "PermissionsBoundary", json_deep_copy(boundary)));
    if (json_array_size(tags) > 0)
        TRY(tree_set_new(u, "Tags", json_deep_copy(tags)));
    *out = u;
    u = NULL;
out:
    json_decref(u);
    return rc;
}

cu_rc iam_create_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "UserName"));
    const char *path = json_string_value(json_object_get(in, "Path"));
    const json_t *tags = json_object_get(in, "Tags");
    char key[RECORD_NAME_MAX], user_id[IDS_UNIQUE_ID_LEN + 1], arn[IAM_ARN_MAX];
    json_t *doc = json_object(), *view = NULL;

    ENSURE(doc, CU_E_NOMEM);
    if (!path)
        path = "/";
    record_fold(name, key);
    TRY(ids_unique("AIDA", user_id));
    iam_user_arn(call->env->account_id, path, name, arn);
    TRY(tree_set_str(doc, "Path", path));
    TRY(tree_set_str(doc, "UserName", name));
    TRY(tree_set_str(doc, "UserId", user_id));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    TRY(tree_set_new(doc, "Tags", tags ? json_deep_copy(tags) : json_array()));
    if (json_object_get(in, "PermissionsBoundary"))
        TRY(iam_boundary_set(call, doc,
                             json_string_value(json_object_get(in, "PermissionsBoundary"))));
    rc = store_put(call->tx, RECORD_USER, call->env->account_id, key, doc, STORE_CREATE);
    if (rc == CU_E_STORE_EXISTS) {
        rc = cu_err_set(&call->err, CU_E_IAM_ENTITY_EXISTS, "User with name %s already exists.",
                        name);
        goto out;
    }
    TRY(rc);
    TRY(user_view(doc, &view));
    TRY(tree_set_new(out, "User", view));
out:
    json_decref(doc);
    return rc;
}

/* GetUser for the root user: AWS answers with the account's root identity, created with
 * the account (the account record bootstrap wrote on the data dir's first start). */
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
    const char *name = iam_user_name_or_caller(call, in);
    json_t *doc = NULL, *view = NULL;

    if (!name)
        return root_user_view(call, out);
    TRY(iam_user_load(call, name, &doc));
    TRY(user_view(doc, &view));
    TRY(tree_set_new(out, "User", view));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_list_users(struct call *call, const json_t *in, json_t *out)
{
    return iam_list_by_path(call, &iam_list_users_page, in, RECORD_USER, user_view, out);
}

cu_rc iam_delete_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "UserName"));
    char key[RECORD_NAME_MAX], scope[RECORD_NAME_MAX];
    json_t *doc = NULL;
    size_t n_keys = 0, n_policies = 0;

    TRY(iam_user_load(call, name, &doc));
    record_user_scope(call->env->account_id, name, scope);
    TRY(iam_access_key_count(call->tx, call->env->account_id, name, &n_keys));
    if (n_keys) {
        rc = cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                        "Cannot delete entity, must delete access keys first.");
        goto out;
    }
    TRY(store_count(call->tx, RECORD_USER_POLICY, scope, &n_policies));
    if (n_policies) {
        rc = cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                        "Cannot delete entity, must delete policies first.");
        goto out;
    }
    if (json_array_size(json_object_get(doc, "AttachedManagedPolicies"))) {
        rc = cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                        "Cannot delete entity, must detach all policies first.");
        goto out;
    }
    record_fold(name, key);
    TRY(store_delete(call->tx, RECORD_USER, call->env->account_id, key, NULL));
out:
    json_decref(doc);
    return rc;
}
