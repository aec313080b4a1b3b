/* iam_ops.c — the IAM operation table: handler, IAM action, resource resolver,
 * read-only flag and secret fields for every IAM operation custos serves. */
#include "iam.h"
#include "iam_common.h"
#include "services/registry.h"

static const char *const access_key_secrets[] = {"SecretAccessKey", NULL};

const struct op_desc iam_ops[] = {
    {"iam", "CreateUser", iam_create_user, "iam:CreateUser", iam_resolve_new_user, false, false, NULL},
    {"iam", "GetUser", iam_get_user, "iam:GetUser", iam_resolve_user, true, false, NULL},
    {"iam", "ListUsers", iam_list_users, "iam:ListUsers", iam_resolve_user_list, true, false, NULL},
    {"iam", "DeleteUser", iam_delete_user, "iam:DeleteUser", iam_resolve_user, false, false, NULL},
    {"iam", "CreateAccessKey", iam_create_access_key, "iam:CreateAccessKey", iam_resolve_user,
     false, false, access_key_secrets},
    {"iam", "ListAccessKeys", iam_list_access_keys, "iam:ListAccessKeys", iam_resolve_user, true,
     false, NULL},
    {"iam", "UpdateAccessKey", iam_update_access_key, "iam:UpdateAccessKey", iam_resolve_user,
     false, false, NULL},
    {"iam", "DeleteAccessKey", iam_delete_access_key, "iam:DeleteAccessKey", iam_resolve_user,
     false, false, NULL},
    {"iam", "PutUserPolicy", iam_put_user_policy, "iam:PutUserPolicy", iam_resolve_user, false,
     false, NULL},
    {"iam", "GetUserPolicy", iam_get_user_policy, "iam:GetUserPolicy", iam_resolve_user, true,
     false, NULL},
    {"iam", "ListUserPolicies", iam_list_user_policies, "iam:ListUserPolicies", iam_resolve_user,
     true, false, NULL},
    {"iam", "DeleteUserPolicy", iam_delete_user_policy, "iam:DeleteUserPolicy", iam_resolve_user,
     false, false, NULL},
};
const size_t iam_ops_count = ARRAY_LEN(iam_ops);
