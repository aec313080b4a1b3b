/* iam_ops.c — the IAM operation table: handler, IAM action, resource resolver,
 * read-only flag and secret fields for every IAM operation custos serves. */
#include "iam.h"
#include "iam_common.h"
#include "services/registry.h"

static const char *const access_key_secrets[] = {"SecretAccessKey", NULL};

/* Request condition keys (IAM guide, reference_policies_iam-condition-keys). */
static void tags_in_request(const json_t *in, struct call_keys *keys)
{
    call_keys_request_tags(keys, json_object_get(in, "Tags"));
}

static void tag_keys_in_request(const json_t *in, struct call_keys *keys)
{
    const char *names[CALL_MAX_KEYS];
    size_t i, n = 0;
    json_t *k;

    json_array_foreach(json_object_get(in, "TagKeys"), i, k)
        if (n < CALL_MAX_KEYS)
            names[n++] = json_string_value(k);
    if (n)
        call_keys_add_multi(keys, "aws:TagKeys", names, n);
}

static void boundary_in_request(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "iam:PermissionsBoundary",
                  json_string_value(json_object_get(in, "PermissionsBoundary")));
}

/* iam:PolicyARN: the managed policy an Attach/Detach request names. */
static void policy_arn_in_request(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "iam:PolicyARN", json_string_value(json_object_get(in, "PolicyArn")));
}

static void new_user_keys(const json_t *in, struct call_keys *keys)
{
    tags_in_request(in, keys);
    boundary_in_request(in, keys);
}

#define IAM_OP(op, fn, resolver, ro)                                                              \
    {.service = "iam", .name = #op, .handler = fn, .action = "iam:" #op, .resolve = resolver,     \
     .read_only = ro}
#define IAM_OP_KEYS(op, fn, resolver, keys_fn)                                                    \
    {.service = "iam", .name = #op, .handler = fn, .action = "iam:" #op, .resolve = resolver,     \
     .condition_keys = keys_fn}

const struct op_desc iam_ops[] = {
    IAM_OP_KEYS(CreateUser, iam_create_user, iam_resolve_new_user, new_user_keys),
    IAM_OP(GetUser, iam_get_user, iam_resolve_user, true),
    IAM_OP(ListUsers, iam_list_users, iam_resolve_user_list, true),
    IAM_OP(DeleteUser, iam_delete_user, iam_resolve_user, false),
    {.service = "iam", .name = "CreateAccessKey", .handler = iam_create_access_key,
     .action = "iam:CreateAccessKey", .resolve = iam_resolve_user,
     .secret_fields = access_key_secrets},
    IAM_OP(ListAccessKeys, iam_list_access_keys, iam_resolve_user, true),
    IAM_OP(UpdateAccessKey, iam_update_access_key, iam_resolve_user, false),
    IAM_OP(DeleteAccessKey, iam_delete_access_key, iam_resolve_user, false),
    IAM_OP(PutUserPolicy, iam_put_user_policy, iam_resolve_user, false),
    IAM_OP(GetUserPolicy, iam_get_user_policy, iam_resolve_user, true),
    IAM_OP(ListUserPolicies, iam_list_user_policies, iam_resolve_user, true),
    IAM_OP(DeleteUserPolicy, iam_delete_user_policy, iam_resolve_user, false),
    IAM_OP_KEYS(TagUser, iam_tag_user, iam_resolve_user, tags_in_request),
    IAM_OP_KEYS(UntagUser, iam_untag_user, iam_resolve_user, tag_keys_in_request),
    IAM_OP(ListUserTags, iam_list_user_tags, iam_resolve_user, true),
    IAM_OP(SimulatePrincipalPolicy, iam_simulate_principal_policy, iam_resolve_policy_source, true),
    IAM_OP(SimulateCustomPolicy, iam_simulate_custom_policy, NULL, true),
    IAM_OP(GetContextKeysForPrincipalPolicy, iam_get_context_keys_for_principal_policy,
           iam_resolve_policy_source, true),
    IAM_OP(GetContextKeysForCustomPolicy, iam_get_context_keys_for_custom_policy, NULL, true),
    IAM_OP_KEYS(CreatePolicy, iam_create_policy, iam_resolve_new_policy, tags_in_request),
    IAM_OP(GetPolicy, iam_get_policy, iam_resolve_policy_arn, true),
    IAM_OP(GetPolicyVersion, iam_get_policy_version, iam_resolve_policy_arn, true),
    IAM_OP(DeletePolicy, iam_delete_policy, iam_resolve_policy_arn, false),
    IAM_OP(ListPolicies, iam_list_policies, NULL, true),
    IAM_OP_KEYS(PutUserPermissionsBoundary, iam_put_user_permissions_boundary, iam_resolve_user,
                boundary_in_request),
    IAM_OP(DeleteUserPermissionsBoundary, iam_delete_user_permissions_boundary, iam_resolve_user,
           false),
    IAM_OP_KEYS(AttachUserPolicy, iam_attach_user_policy, iam_resolve_user,
                policy_arn_in_request),
    IAM_OP_KEYS(DetachUserPolicy, iam_detach_user_policy, iam_resolve_user,
                policy_arn_in_request),
    IAM_OP(ListAttachedUserPolicies, iam_list_attached_user_policies, iam_resolve_user, true),
};
const size_t iam_ops_count = ARRAY_LEN(iam_ops);
