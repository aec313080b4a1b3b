/* role_policies.c — the policies of IAM roles: inline (Put/Get/List/DeleteRolePolicy),
 * attached managed policies (Attach/Detach/ListAttachedRolePolicies) and the permissions
 * boundary (Put/DeleteRolePermissionsBoundary).
 *
 * Inline policies are inline_policies.c's steps (quota: 10,240 characters).
 * Attachments and the boundary are kept in the role record exactly as a user's are
 * (attached_policies.c, managed_policies.c), with the policy's AttachmentCount and
 * PermissionsBoundaryUsageCount counting roles too. Each handler acts on the role its
 * resolver loaded. */
#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "inline_policies.h"
#include "service_linked_roles.h"

static cu_rc target_role(struct call *call, const json_t *in, json_t **role)
{
    return kind_target(call, &iam_kind_role, in_str(in, "RoleName"), role);
}

/* The role to change: a service-linked role's policies are its service's to change
 * (UnmodifiableEntity, service_linked_roles.h). */
static cu_rc changed_role(struct call *call, const json_t *in, json_t **role)
{
    cu_rc rc = CU_OK;

    TRY(target_role(call, in, role));
    TRY(iam_slr_refuse(call, *role));
out:
    return rc;
}

cu_rc iam_put_role_policy(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    if (iam_role_is_service_linked(call->target.doc))
        return iam_slr_refuse(call, call->target.doc);
    return iam_inline_put(call, &iam_inline_role, in);
}

cu_rc iam_get_role_policy(struct call *call, const json_t *in, json_t *out)
{
    return iam_inline_get(call, &iam_inline_role, in, out);
}

cu_rc iam_list_role_policies(struct call *call, const json_t *in, json_t *out)
{
    return iam_inline_list(call, &iam_inline_role, &iam_list_role_policies_page, in, out);
}

cu_rc iam_delete_role_policy(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    if (iam_role_is_service_linked(call->target.doc))
        return iam_slr_refuse(call, call->target.doc);
    return iam_inline_delete(call, &iam_inline_role, in);
}

cu_rc iam_attach_role_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(changed_role(call, in, &role));
    TRY(iam_attach_policy(call, role, in_str(in, "PolicyArn"), "PoliciesPerRole"));
    TRY(kind_update(call, &iam_kind_role, NULL, role));
out:
    return rc;
}

cu_rc iam_detach_role_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(changed_role(call, in, &role));
    TRY(iam_detach_policy(call, role, in_str(in, "PolicyArn")));
    TRY(kind_update(call, &iam_kind_role, NULL, role));
out:
    return rc;
}

cu_rc iam_list_attached_role_policies(struct call *call, const json_t *in, json_t *out)
{
    return iam_list_attached(call, &iam_list_attached_role_policies_page, in, &iam_kind_role,
                             in_str(in, "RoleName"), out);
}

cu_rc iam_put_role_permissions_boundary(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(changed_role(call, in, &role));
    TRY(iam_boundary_set(call, role, in_str(in, "PermissionsBoundary")));
    TRY(kind_update(call, &iam_kind_role, NULL, role));
out:
    return rc;
}

cu_rc iam_delete_role_permissions_boundary(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;
    const char *old;

    TRY(changed_role(call, in, &role));
    old = record_user_boundary_arn(role);
    if (old) {
        TRY(iam_managed_policy_count(call, old, "PermissionsBoundaryUsageCount", -1));
        json_object_del(role, "PermissionsBoundary");
        TRY(kind_update(call, &iam_kind_role, NULL, role));
    }
out:
    return rc;
}
