/* roles.c — IAM roles: CreateRole, GetRole, UpdateRole, UpdateRoleDescription,
 * UpdateAssumeRolePolicy, DeleteRole, ListRoles, and the role resolvers.
 *
 * A role is one "role" record keyed by its lowercased name (records.h, iam_kinds.c),
 * rendered through the model's Role shape. Its trust policy is validated as one
 * (POLICY_TRUST: Principal required, no Resource, STS actions) and stored as IAM returns
 * it in every response, URL-encoded (RFC 3986), so that each list renders it unchanged;
 * whoever evaluates it decodes it. Its inline policies live under its scope and its
 * attached policies are listed in the record (role_policies.c); both must be gone before
 * it can be deleted (IAM API reference, DeleteRole), and so must its instance profiles
 * (instance_profiles.c). */
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "core/uri.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "iam_profiles.h"
#include "policy/policy.h"
#include "service_linked_roles.h"

/* IAM guide, reference_iam-quotas: role trust policy length, default 2,048 characters. */
#define TRUST_POLICY_MAX 2048
#define DEFAULT_MAX_SESSION 3600

static void role_arn(const char *account, const char *path, const char *name,
                     char out[IAM_ARN_MAX])
{
    snprintf(out, IAM_ARN_MAX, "arn:aws:iam::%s:role%s%s", account, path ? path : "/", name);
}

/* Validate text as a trust policy and set it, URL-encoded, as the role's document. */
static cu_rc set_trust_policy(struct call *call, json_t *role, const char *text)
{
    cu_rc rc = CU_OK;
    struct policy *compiled = NULL;
    struct buf encoded;

    buf_init(&encoded, BUF_NO_LIMIT);
    TRY(policy_compile(bytes_str(text), POLICY_TRUST, "trust-policy", &compiled, &call->err));
    ENSURE(policy_size_without_whitespace(bytes_str(text)) <= TRUST_POLICY_MAX,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for ACLSizePerRole: %d", TRUST_POLICY_MAX));
    TRY(uri_encode(bytes_str(text), true, &encoded));
    TRY(tree_set_str(role, "AssumeRolePolicyDocument", encoded.p));
out:
    policy_free(compiled);
    buf_release(&encoded);
    return rc;
}

cu_rc iam_create_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "RoleName"), *path = in_str_or(in, "Path", "/");
    const char *description = in_str(in, "Description");
    const char *boundary = in_str(in, "PermissionsBoundary");
    const json_t *tags = in_list(in, "Tags");
    char role_id[IDS_UNIQUE_ID_LEN + 1], arn[IAM_ARN_MAX];
    json_t *doc = json_object();

    ENSURE(doc, CU_E_NOMEM);
    TRY(ids_unique("AROA", role_id));
    role_arn(call->env->account_id, path, name, arn);
    TRY(tree_set_str(doc, "Path", path));
    TRY(tree_set_str(doc, "RoleName", name));
    TRY(tree_set_str(doc, "RoleId", role_id));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    TRY(set_trust_policy(call, doc, in_str(in, "AssumeRolePolicyDocument")));
    if (description)
        TRY(tree_set_str(doc, "Description", description));
    TRY(tree_set_int(doc, "MaxSessionDuration",
                     in_int(in, "MaxSessionDuration", DEFAULT_MAX_SESSION)));
    /* the model caps Tags at 50, the quota */
    TRY(tree_set_new(doc, "Tags", tags ? json_deep_copy(tags) : json_array()));
    if (boundary)
        TRY(iam_boundary_set(call, doc, boundary));
    TRY(kind_create(call, &iam_kind_role, NULL, doc));
    TRY(render_output(out, "iam", "CreateRole", "Role", doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_get_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role, *last_used;

    TRY(kind_target(call, &iam_kind_role, in_str(in, "RoleName"), &role));
    TRY(render_output(out, "iam", "GetRole", "Role", role));
    /* AWS answers an empty RoleLastUsed for a role no session has used; STS AssumeRole
     * records LastUsedDate and Region in the role (services/sts/assume_role.c) */
    last_used = json_object_get(json_object_get(out, "Role"), "RoleLastUsed");
    if (!last_used)
        TRY(tree_set_new(json_object_get(out, "Role"), "RoleLastUsed", json_object()));
out:
    return rc;
}

cu_rc iam_update_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *description = in_str(in, "Description");
    json_t *role;

    TRY(kind_target(call, &iam_kind_role, in_str(in, "RoleName"), &role));
    if (description)
        TRY(tree_set_str(role, "Description", description));
    if (json_object_get(in, "MaxSessionDuration"))
        TRY(tree_set_int(role, "MaxSessionDuration", in_int(in, "MaxSessionDuration", 0)));
    TRY(kind_update(call, &iam_kind_role, NULL, role));
out:
    return rc;
}

cu_rc iam_update_role_description(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(kind_target(call, &iam_kind_role, in_str(in, "RoleName"), &role));
    TRY(tree_set_str(role, "Description", in_str(in, "Description")));
    TRY(kind_update(call, &iam_kind_role, NULL, role));
    TRY(render_output(out, "iam", "UpdateRoleDescription", "Role", role));
out:
    return rc;
}

cu_rc iam_update_assume_role_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(kind_target(call, &iam_kind_role, in_str(in, "RoleName"), &role));
    TRY(iam_slr_refuse(call, role)); /* its service owns its trust */
    TRY(set_trust_policy(call, role, in_str(in, "PolicyDocument")));
    TRY(kind_update(call, &iam_kind_role, NULL, role));
out:
    return rc;
}

cu_rc iam_delete_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "RoleName");
    char scope[RECORD_NAME_MAX];
    json_t *role;
    size_t n_policies = 0, n_profiles = 0;

    TRY(kind_target(call, &iam_kind_role, name, &role));
    TRY(iam_slr_refuse(call, role)); /* DeleteServiceLinkedRole deletes it */
    TRY(iam_role_profile_count(call, name, &n_profiles));
    ENSURE(n_profiles == 0,
           cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                      "Cannot delete entity, must remove roles from instance profile first."));
    record_user_scope(call->env->account_id, name, scope);
    TRY(store_count(call->tx, RECORD_ROLE_POLICY, scope, &n_policies));
    ENSURE(n_policies == 0, cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                                       "Cannot delete entity, must delete policies first."));
    ENSURE(json_array_size(json_object_get(role, RECORD_USER_ATTACHED)) == 0,
           cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                      "Cannot delete entity, must detach all policies first."));
    /* the boundary is no longer used by this role */
    if (record_user_boundary_arn(role))
        TRY(iam_managed_policy_count(call, record_user_boundary_arn(role),
                                     "PermissionsBoundaryUsageCount", -1));
    TRY(kind_remove(call, &iam_kind_role, NULL, role));
out:
    return rc;
}

cu_rc iam_list_roles(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    size_t i;
    json_t *role;

    TRY(iam_list_by_path(call, &iam_list_roles_page, in, RECORD_ROLE, out));
    /* IAM API reference, ListRoles: PermissionsBoundary, RoleLastUsed and Tags are not
     * listed (GetRole returns them) */
    json_array_foreach(json_object_get(out, "Roles"), i, role)
    {
        json_object_del(role, "PermissionsBoundary");
        json_object_del(role, "Tags");
    }
out:
    return rc;
}

/* Resolver for operations on one role (RoleName): the role's ARN with its path when it
 * exists, else with the path "/". The record stays in call->target.doc for the handler;
 * its tags are the resource's (aws:ResourceTag/<key>). */
cu_rc iam_resolve_role(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = in_str_or(in, "RoleName", "");

    iam_set_account_target(call);
    TRY(kind_find(call, &iam_kind_role, NULL, name, &call->target.doc));
    if (call->target.doc) {
        snprintf(call->target.arn, sizeof(call->target.arn), "%s",
                 json_string_value(json_object_get(call->target.doc, "Arn")));
        call_keys_resource_tags(call->keys, json_object_get(call->target.doc, "Tags"));
    } else {
        role_arn(call->env->account_id, "/", name, call->target.arn);
    }
out:
    return rc;
}

/* Resolver for CreateRole: the ARN the new role will have. */
cu_rc iam_resolve_new_role(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    role_arn(call->env->account_id, in_str(in, "Path"), in_str_or(in, "RoleName", ""),
             call->target.arn);
    return CU_OK;
}

/* Resolver for ListRoles: arn:aws:iam::<acct>:role<PathPrefix>, as ListUsers does. */
cu_rc iam_resolve_role_list(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:role%s",
             call->env->account_id, in_str_or(in, "PathPrefix", "/"));
    return CU_OK;
}
