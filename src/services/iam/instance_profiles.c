/* instance_profiles.c — IAM instance profiles: CreateInstanceProfile, GetInstanceProfile,
 * DeleteInstanceProfile, ListInstanceProfiles, AddRoleToInstanceProfile,
 * RemoveRoleFromInstanceProfile, ListInstanceProfilesForRole, their resolvers, and the
 * check DeleteRole makes (iam_role_profile_count).
 *
 * A profile is one "instance_profile" record keyed by its lowercased name (records.h,
 * iam_kinds.c). It names its role only by name, Roles [{RoleName}], so a role's changes
 * (its trust policy, its description) need no second write; every response renders the
 * role record itself in its place, as GetRole does (trust policy URL-encoded). The store
 * indexes a profile by its role's name (kinds.c), so a role's profiles are one lookup.
 * An instance profile holds at most one role (IAM API reference, AddRoleToInstanceProfile:
 * "this quota cannot be increased"). */
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "iam_profiles.h"

#define ROLES_PER_PROFILE_MAX 1

static void profile_arn(const char *account, const char *path, const char *name,
                        char out[IAM_ARN_MAX])
{
    snprintf(out, IAM_ARN_MAX, "arn:aws:iam::%s:instance-profile%s%s", account,
             path ? path : "/", name);
}

/* The shape of one entry of an InstanceProfile's Roles. */
static const struct shape *role_entry_shape(const struct shape *profile)
{
    const struct shape_member *roles = model_member(profile, "Roles", 5);

    return roles ? model_list_element(roles->shape) : NULL;
}

/* Replace each {RoleName} of a rendered profile by the role record rendered through the
 * Role shape. */
static cu_rc fill_roles(struct call *call, const struct shape *profile_shape, json_t *item)
{
    cu_rc rc = CU_OK;
    const struct shape *role_shape = role_entry_shape(profile_shape);
    json_t *roles = json_object_get(item, "Roles"), *entry, *role = NULL, *view = NULL;
    size_t i;

    ENSURE(role_shape, CU_E_INTERNAL);
    json_array_foreach(roles, i, entry)
    {
        TRY(kind_find(call, &iam_kind_role, NULL,
                      json_string_value(json_object_get(entry, "RoleName")), &role));
        /* DeleteRole refuses a role in a profile, so the role is there */
        ENSURE(role, CU_E_STORE);
        TRY(render_record(role, role_shape, &view));
        ENSURE(json_array_set_new(roles, i, view) == 0, CU_E_NOMEM);
        view = NULL;
        json_decref(role);
        role = NULL;
    }
out:
    json_decref(view);
    json_decref(role);
    return rc;
}

/* Render a profile record as member `member` of op's output, its roles filled in. */
static cu_rc render_profile(struct call *call, const char *op, json_t *profile, json_t *out)
{
    cu_rc rc = CU_OK;

    TRY(render_output(out, "iam", op, "InstanceProfile", profile));
    TRY(fill_roles(call, model_output_shape("iam", op, "InstanceProfile"),
                   json_object_get(out, "InstanceProfile")));
out:
    return rc;
}

cu_rc iam_create_instance_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "InstanceProfileName"), *path = in_str_or(in, "Path", "/");
    const json_t *tags = in_list(in, "Tags");
    char id[IDS_UNIQUE_ID_LEN + 1], arn[IAM_ARN_MAX];
    json_t *doc = json_object();

    ENSURE(doc, CU_E_NOMEM);
    TRY(ids_unique("AIPA", id));
    profile_arn(call->env->account_id, path, name, arn);
    TRY(tree_set_str(doc, "Path", path));
    TRY(tree_set_str(doc, "InstanceProfileName", name));
    TRY(tree_set_str(doc, "InstanceProfileId", id));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    TRY(tree_set_new(doc, "Roles", json_array()));
    /* the model caps Tags at 50, the quota */
    TRY(tree_set_new(doc, "Tags", tags ? json_deep_copy(tags) : json_array()));
    TRY(kind_create(call, &iam_kind_instance_profile, NULL, doc));
    TRY(render_output(out, "iam", "CreateInstanceProfile", "InstanceProfile", doc));
    /* AWS lists an empty Roles for a new profile */
    if (!json_object_get(json_object_get(out, "InstanceProfile"), "Roles"))
        TRY(tree_set_new(json_object_get(out, "InstanceProfile"), "Roles", json_array()));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_get_instance_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *profile;

    TRY(kind_target(call, &iam_kind_instance_profile, in_str(in, "InstanceProfileName"),
                    &profile));
    TRY(render_profile(call, "GetInstanceProfile", profile, out));
    if (!json_object_get(json_object_get(out, "InstanceProfile"), "Roles"))
        TRY(tree_set_new(json_object_get(out, "InstanceProfile"), "Roles", json_array()));
out:
    return rc;
}

cu_rc iam_delete_instance_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *profile;

    TRY(kind_target(call, &iam_kind_instance_profile, in_str(in, "InstanceProfileName"),
                    &profile));
    ENSURE(json_array_size(json_object_get(profile, "Roles")) == 0,
           cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                      "Cannot delete entity, must remove roles from instance profile first."));
    TRY(kind_remove(call, &iam_kind_instance_profile, NULL, profile));
out:
    return rc;
}

/* Every listed profile with its roles and without its tags (ListInstanceProfiles, like
 * ListRoles, leaves Tags to the Get). */
static cu_rc fill_listed(struct call *call, const struct page_desc *desc, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct shape *item_shape = iam_page_item_shape(desc);
    json_t *item;
    size_t i;

    json_array_foreach(json_object_get(out, "InstanceProfiles"), i, item)
    {
        json_object_del(item, "Tags");
        if (!json_object_get(item, "Roles"))
            TRY(tree_set_new(item, "Roles", json_array()));
        TRY(fill_roles(call, item_shape, item));
    }
out:
    return rc;
}

cu_rc iam_list_instance_profiles(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;

    TRY(iam_list_by_path(call, &iam_list_instance_profiles_page, in, RECORD_INSTANCE_PROFILE,
                         out));
    TRY(fill_listed(call, &iam_list_instance_profiles_page, out));
out:
    return rc;
}

static cu_rc profile_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    (void)key;
    (void)ctx;
    return render_record(doc, iam_page_item_shape(&iam_list_instance_profiles_for_role_page),
                         item);
}

cu_rc iam_list_instance_profiles_for_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    char value[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_INSTANCE_PROFILE, RECORD_INSTANCE_PROFILE_BY_ROLE, value,
                             call->env->account_id};
    json_t *role;

    TRY(page_begin(call, &iam_list_instance_profiles_for_role_page, in, &page));
    TRY(kind_target(call, &iam_kind_role, in_str(in, "RoleName"), &role));
    record_fold(kind_name(&iam_kind_role, role), value);
    TRY(page_find(&page, call->tx, &q, false, profile_view, NULL));
    TRY(page_end(&page, out));
    TRY(fill_listed(call, &iam_list_instance_profiles_for_role_page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_add_role_to_instance_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *profile, *role = NULL, *roles, *entry;

    TRY(kind_target(call, &iam_kind_instance_profile, in_str(in, "InstanceProfileName"),
                    &profile));
    /* the also-resolver found the role for iam:PassRole; without one (a direct call), load it */
    if (call->also.doc)
        role = json_incref(call->also.doc);
    else
        TRY(kind_find(call, &iam_kind_role, NULL, in_str(in, "RoleName"), &role));
    if (!role)
        TRY(kind_not_found(call, &iam_kind_role, in_str(in, "RoleName")));
    roles = json_object_get(profile, "Roles");
    ENSURE(json_array_size(roles) < ROLES_PER_PROFILE_MAX,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d",
                      ROLES_PER_PROFILE_MAX));
    entry = json_pack("{s:s}", "RoleName", kind_name(&iam_kind_role, role));
    ENSURE(entry, CU_E_NOMEM);
    if (!roles)
        TRY(tree_set_new(profile, "Roles", json_array()));
    ENSURE(json_array_append_new(json_object_get(profile, "Roles"), entry) == 0, CU_E_NOMEM);
    TRY(kind_update(call, &iam_kind_instance_profile, NULL, profile));
out:
    json_decref(role);
    return rc;
}

cu_rc iam_remove_role_from_instance_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "RoleName");
    char want[RECORD_NAME_MAX], have[RECORD_NAME_MAX];
    json_t *profile, *role = NULL, *roles, *entry;
    size_t i;

    TRY(kind_target(call, &iam_kind_instance_profile, in_str(in, "InstanceProfileName"),
                    &profile));
    TRY(kind_load(call, &iam_kind_role, NULL, name, &role));
    record_fold(name, want);
    roles = json_object_get(profile, "Roles");
    json_array_foreach(roles, i, entry)
    {
        record_fold(json_string_value(json_object_get(entry, "RoleName")), have);
        if (strcmp(want, have) == 0) {
            ENSURE(json_array_remove(roles, i) == 0, CU_E_NOMEM);
            TRY(kind_update(call, &iam_kind_instance_profile, NULL, profile));
            goto out;
        }
    }
    /* AWS: a role that exists but is not in the profile is NoSuchEntity */
    ENSURE(false, cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                             "The role with name %s cannot be found.", name));
out:
    json_decref(role);
    return rc;
}

cu_rc iam_role_profile_count(struct call *call, const char *role, size_t *n)
{
    char value[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_INSTANCE_PROFILE, RECORD_INSTANCE_PROFILE_BY_ROLE, value,
                             call->env->account_id};

    record_fold(role, value);
    return store_find_count(call->tx, &q, n);
}

/* Resolver for operations on one instance profile (InstanceProfileName): its ARN with its
 * path when it exists, else with "/". The record stays in call->target.doc; its tags are
 * the resource's. */
cu_rc iam_resolve_instance_profile(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = in_str_or(in, "InstanceProfileName", "");

    iam_set_account_target(call);
    TRY(kind_find(call, &iam_kind_instance_profile, NULL, name, &call->target.doc));
    if (call->target.doc) {
        snprintf(call->target.arn, sizeof(call->target.arn), "%s",
                 json_string_value(json_object_get(call->target.doc, "Arn")));
        call_keys_resource_tags(call->keys, json_object_get(call->target.doc, "Tags"));
    } else {
        profile_arn(call->env->account_id, "/", name, call->target.arn);
    }
out:
    return rc;
}

/* Also-resolver for AddRoleToInstanceProfile: the role, for iam:PassRole (IAM API
 * reference: "The caller of this operation must be granted the PassRole permission on the
 * IAM role"). Its ARN carries its path when it exists; the record stays in call->also.doc
 * for the handler. */
cu_rc iam_resolve_passed_role(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = in_str_or(in, "RoleName", "");

    snprintf(call->also.account_id, sizeof(call->also.account_id), "%s", call->env->account_id);
    TRY(kind_find(call, &iam_kind_role, NULL, name, &call->also.doc));
    if (call->also.doc)
        snprintf(call->also.arn, sizeof(call->also.arn), "%s",
                 json_string_value(json_object_get(call->also.doc, "Arn")));
    else
        snprintf(call->also.arn, sizeof(call->also.arn), "arn:aws:iam::%s:role/%s",
                 call->env->account_id, name);
out:
    return rc;
}

/* Resolver for CreateInstanceProfile: the ARN the new profile will have. */
cu_rc iam_resolve_new_instance_profile(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    profile_arn(call->env->account_id, in_str(in, "Path"),
                in_str_or(in, "InstanceProfileName", ""), call->target.arn);
    return CU_OK;
}

/* Resolver for ListInstanceProfiles: arn:aws:iam::<acct>:instance-profile<PathPrefix>. */
cu_rc iam_resolve_instance_profile_list(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    profile_arn(call->env->account_id, in_str_or(in, "PathPrefix", "/"), "", call->target.arn);
    return CU_OK;
}
