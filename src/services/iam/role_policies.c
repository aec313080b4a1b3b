/* role_policies.c — the policies of IAM roles: inline (Put/Get/List/DeleteRolePolicy),
 * attached managed policies (Attach/Detach/ListAttachedRolePolicies) and the permissions
 * boundary (Put/DeleteRolePermissionsBoundary).
 *
 * Inline documents are validated by the policy compiler as identity policies and stored
 * as given, as role_policy records under the role (iam_kinds.c); their aggregate size,
 * whitespace not counted, may not pass 10,240 characters (IAM guide, reference_iam-quotas).
 * Attachments and the boundary are kept in the role record exactly as a user's are
 * (attached_policies.c, managed_policies.c), with the policy's AttachmentCount and
 * PermissionsBoundaryUsageCount counting roles too. Each handler acts on the role its
 * resolver loaded. */
#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "core/uri.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "policy/policy.h"

struct size_sum {
    const char *except; /* the policy being replaced does not count */
    size_t total;
};

static cu_rc add_size(const char *key, const json_t *doc, void *ctx)
{
    struct size_sum *sum = ctx;

    if (strcmp(key, sum->except) != 0)
        sum->total += policy_size_without_whitespace(
            bytes_str(json_string_value(json_object_get(doc, "PolicyDocument"))));
    return CU_OK;
}

static cu_rc target_role(struct call *call, const json_t *in, json_t **role)
{
    return kind_target(call, &iam_kind_role, in_str(in, "RoleName"), role);
}

cu_rc iam_put_role_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "RoleName"), *policy_name = in_str(in, "PolicyName");
    const char *text = in_str(in, "PolicyDocument");
    char scope[RECORD_NAME_MAX];
    struct policy *compiled = NULL;
    json_t *role, *doc = NULL;
    struct size_sum others = {policy_name, 0};

    TRY(target_role(call, in, &role));
    TRY(policy_compile(bytes_str(text), POLICY_IDENTITY, policy_name, &compiled, &call->err));
    record_user_scope(call->env->account_id, name, scope);
    TRY(store_each(call->tx, RECORD_ROLE_POLICY, scope, add_size, &others));
    ENSURE(others.total + policy_size_without_whitespace(bytes_str(text)) <=
               POLICY_QUOTA_ROLE_INLINE,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Maximum policy size of %d bytes exceeded for role %s",
                      POLICY_QUOTA_ROLE_INLINE, kind_name(&iam_kind_role, role)));
    doc = json_pack("{s:s, s:s}", "PolicyName", policy_name, "PolicyDocument", text);
    ENSURE(doc, CU_E_NOMEM);
    TRY(kind_put(call, &iam_kind_role_policy, name, doc));
out:
    policy_free(compiled);
    json_decref(doc);
    return rc;
}

cu_rc iam_get_role_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *policy_name = in_str(in, "PolicyName");
    json_t *role, *doc = NULL;
    struct buf encoded;

    buf_init(&encoded, BUF_NO_LIMIT);
    TRY(target_role(call, in, &role));
    TRY(kind_load(call, &iam_kind_role_policy, in_str(in, "RoleName"), policy_name, &doc));
    /* IAM returns policy documents URL-encoded (RFC 3986); the SDKs decode them. */
    TRY(uri_encode(bytes_str(json_string_value(json_object_get(doc, "PolicyDocument"))), true,
                   &encoded));
    TRY(tree_set_str(out, "RoleName", kind_name(&iam_kind_role, role)));
    TRY(tree_set_str(out, "PolicyName", policy_name));
    TRY(tree_set_str(out, "PolicyDocument", encoded.p));
out:
    buf_release(&encoded);
    json_decref(doc);
    return rc;
}

static cu_rc policy_name_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    (void)doc;
    (void)ctx;
    *item = json_string(key); /* inline policy names are keyed as given */
    return *item ? CU_OK : CU_E_NOMEM;
}

cu_rc iam_list_role_policies(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    struct page page = {0};
    json_t *role;

    TRY(page_begin(call, &iam_list_role_policies_page, in, &page));
    TRY(target_role(call, in, &role));
    record_user_scope(call->env->account_id, in_str(in, "RoleName"), scope);
    TRY(page_scan(&page, call->tx, RECORD_ROLE_POLICY, scope, policy_name_view, NULL));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_delete_role_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(target_role(call, in, &role));
    TRY(kind_delete(call, &iam_kind_role_policy, in_str(in, "RoleName"),
                    in_str(in, "PolicyName")));
out:
    return rc;
}

cu_rc iam_attach_role_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(target_role(call, in, &role));
    TRY(iam_attach_policy(call, role, in_str(in, "PolicyArn"), "PoliciesPerRole"));
    TRY(kind_update(call, &iam_kind_role, NULL, role));
out:
    return rc;
}

cu_rc iam_detach_role_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(target_role(call, in, &role));
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

    TRY(target_role(call, in, &role));
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

    TRY(target_role(call, in, &role));
    old = record_user_boundary_arn(role);
    if (old) {
        TRY(iam_managed_policy_count(call, old, "PermissionsBoundaryUsageCount", -1));
        json_object_del(role, "PermissionsBoundary");
        TRY(kind_update(call, &iam_kind_role, NULL, role));
    }
out:
    return rc;
}
