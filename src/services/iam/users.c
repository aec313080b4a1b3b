/* users.c — IAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser.
 *
 * A user is one "user" record keyed by its lowercased name (records.h, iam_kinds.c) and
 * rendered through the model's User shape; its access keys and inline policies live under
 * its scope and, with its attached managed policies (listed in the record) and its login
 * profile, must be gone before it can be deleted (IAM API reference, DeleteUser: "you must
 * delete the items attached to the user").
 *
 * UpdateUser renames a user and moves it to another path. Everything keyed or indexed by
 * the name follows in the same transaction, so the user keeps what it had: its access keys
 * (their UserName, and with it the store's by-user index), inline policies (scope
 * "<account>/<lower(user)>"), login profile; attached
 * policies, boundary and tags live in the record itself. The UserId and CreateDate stay,
 * the Arn follows the new name and path. The principal and identity caches see the change
 * through the store's change log (the rewritten key records, the old user record's
 * deletion), so the caller's own keys keep working with the next request. STS session
 * tokens are not stored (auth/session_token.h): a session issued before the rename keeps
 * the ARN it was issued with, as AWS's sessions do. */
#include <strings.h>
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_credentials.h"
#include "iam_groups.h"
#include "iam_ops.gen.h"
#include "inline_policies.h"
#include "mfa_devices.h"

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

/* What a rename moves: the old and new names (as given) and their scopes. */
struct rename {
    const char *account, *from, *to;
    char from_scope[RECORD_NAME_MAX], to_scope[RECORD_NAME_MAX];
};

/* The user's access keys name it: rewrite each (the by-user index follows the record; a
 * change of case alone keeps the same index value, so the lookup pages by position). */
static cu_rc rename_access_keys(struct call *call, const struct rename *r)
{
    cu_rc rc = CU_OK;
    char value[RECORD_NAME_MAX], scope[RECORD_NAME_MAX] = "", key[RECORD_NAME_MAX] = "";
    struct store_lookup q;
    struct store_position at = {scope, key};
    json_t *items = NULL, *item;
    bool more = true, first = true;
    size_t i;

    iam_access_key_lookup(r->account, r->from, &q, value);
    while (more) {
        json_decref(items);
        items = NULL;
        TRY(store_find(call->tx, &q, first ? NULL : &at, 16, &items, &more));
        first = false;
        json_array_foreach(items, i, item) {
            const char *s = json_string_value(json_object_get(item, "scope"));
            const char *k = json_string_value(json_object_get(item, "key"));
            json_t *doc = json_object_get(item, "doc");

            ENSURE(s && k && doc, CU_E_STORE);
            TRY(tree_set_str(doc, "UserName", r->to));
            TRY(store_put(call->tx, RECORD_ACCESS_KEY, s, k, doc, STORE_REPLACE));
            snprintf(scope, sizeof(scope), "%s", s);
            snprintf(key, sizeof(key), "%s", k);
        }
    }
out:
    json_decref(items);
    return rc;
}

/* The login profile is keyed like the user and names it. */
static cu_rc rename_login_profile(struct call *call, const struct rename *r)
{
    cu_rc rc = CU_OK;
    json_t *profile = NULL;

    TRY(kind_find(call, &iam_kind_login_profile, NULL, r->from, &profile));
    if (!profile)
        goto out;
    TRY(kind_remove(call, &iam_kind_login_profile, NULL, profile));
    TRY(tree_set_str(profile, "UserName", r->to));
    TRY(kind_create(call, &iam_kind_login_profile, NULL, profile));
out:
    json_decref(profile);
    return rc;
}

/* Also-resolver of UpdateUser: the user as it will be named. IAM needs the permission on
 * both names (IAM guide, id_users_manage_rename: "to change Bob to Robert, the entity making
 * the request must have permission on Bob and Robert"); a path change alone is authorized
 * on the new path too. */
cu_rc iam_resolve_user_new_name(struct call *call, const json_t *in)
{
    const json_t *user = call->target.doc;
    const char *path = json_string_value(json_object_get(user, "Path"));

    snprintf(call->also.account_id, sizeof(call->also.account_id), "%s", call->env->account_id);
    iam_user_arn(call->env->account_id, in_str_or(in, "NewPath", path ? path : "/"),
                 in_str_or(in, "NewUserName", in_str_or(in, "UserName", "")), call->also.arn);
    return CU_OK;
}

cu_rc iam_update_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *old_name, *new_name, *new_path;
    char arn[IAM_ARN_MAX];
    struct rename r = {.account = call->env->account_id};
    json_t *user, *renamed = NULL, *taken = NULL;

    (void)out;
    TRY(iam_target_user(call, in, &user));
    old_name = kind_name(&iam_kind_user, user);
    ENSURE(old_name, CU_E_STORE);
    new_name = in_str_or(in, "NewUserName", old_name);
    new_path = in_str_or(in, "NewPath", json_string_value(json_object_get(user, "Path")));
    renamed = json_deep_copy(user);
    ENSURE(renamed, CU_E_NOMEM);
    iam_user_arn(call->env->account_id, new_path, new_name, arn);
    TRY(tree_set_str(renamed, "UserName", new_name));
    TRY(tree_set_str(renamed, "Path", new_path));
    TRY(tree_set_str(renamed, "Arn", arn));
    if (strcasecmp(old_name, new_name) == 0) {
        /* same key: a path change, or only the name's case */
        TRY(iam_user_save(call, renamed));
    } else {
        /* the new name must be free, without regard to case */
        TRY(kind_find(call, &iam_kind_user, NULL, new_name, &taken));
        ENSURE(!taken, cu_err_set(&call->err, CU_E_IAM_ENTITY_EXISTS,
                                  "User with name %s already exists.", new_name));
        TRY(kind_remove(call, &iam_kind_user, NULL, user));
        TRY(kind_create(call, &iam_kind_user, NULL, renamed));
    }
    if (strcmp(old_name, new_name) == 0)
        goto out;
    r.from = old_name;
    r.to = new_name;
    record_user_scope(r.account, r.from, r.from_scope);
    record_user_scope(r.account, r.to, r.to_scope);
    TRY(rename_access_keys(call, &r));
    TRY(iam_inline_move(call, &iam_inline_user, r.from, r.to));
    TRY(rename_login_profile(call, &r));
    TRY(iam_group_memberships_rename_user(call, r.from, r.to));
    TRY(iam_mfa_rename_user(call, r.from, r.to));
    TRY(iam_credentials_rename_user(call, r.from, r.to));
out:
    json_decref(taken);
    json_decref(renamed);
    return rc;
}

cu_rc iam_delete_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "UserName");
    char scope[RECORD_NAME_MAX];
    json_t *user, *profile = NULL;
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
    TRY(kind_find(call, &iam_kind_login_profile, NULL, name, &profile));
    ENSURE(!profile, cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                                "Cannot delete entity, must delete login profile first."));
    TRY(iam_mfa_delete_conflict(call, name));
    TRY(iam_credentials_delete_conflict(call, name));
    /* the boundary is no longer used by this user (as DeleteRole releases a role's) */
    if (record_user_boundary_arn(user))
        TRY(iam_managed_policy_count(call, record_user_boundary_arn(user),
                                     "PermissionsBoundaryUsageCount", -1));
    TRY(kind_remove(call, &iam_kind_user, NULL, user));
out:
    json_decref(profile);
    return rc;
}
