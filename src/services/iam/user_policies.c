/* user_policies.c — inline policies of IAM users: PutUserPolicy, GetUserPolicy,
 * ListUserPolicies, DeleteUserPolicy.
 *
 * A document is validated by compiling it with the policy engine (the same compiler that
 * authorization uses, so what is accepted here is exactly what will be evaluated) and
 * stored as given, as a user_policy record under its user (iam_kinds.c). The aggregate
 * size of a user's inline policies, whitespace not counted, may not pass 2,048 characters
 * (IAM guide, reference_iam-quotas). Each handler acts on the user its resolver loaded. */
#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "core/uri.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "policy/policy.h"

#define USER_INLINE_POLICY_LIMIT POLICY_QUOTA_USER_INLINE

struct size_sum {
    const char *except;  /* the policy being replaced does not count */
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

cu_rc iam_put_user_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "UserName");
    const char *policy_name = in_str(in, "PolicyName");
    const char *text = in_str(in, "PolicyDocument");
    char scope[RECORD_NAME_MAX];
    struct policy *compiled = NULL;
    json_t *user, *doc = NULL;
    struct size_sum others = {policy_name, 0};

    TRY(iam_target_user(call, in, &user));
    TRY(policy_compile(bytes_str(text), POLICY_IDENTITY, policy_name, &compiled, &call->err));
    record_user_scope(call->env->account_id, name, scope);
    TRY(store_each(call->tx, RECORD_USER_POLICY, scope, add_size, &others));
    ENSURE(others.total + policy_size_without_whitespace(bytes_str(text)) <=
               USER_INLINE_POLICY_LIMIT,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Maximum policy size of %d bytes exceeded for user %s",
                      USER_INLINE_POLICY_LIMIT, kind_name(&iam_kind_user, user)));
    doc = json_pack("{s:s, s:s}", "PolicyName", policy_name, "PolicyDocument", text);
    ENSURE(doc, CU_E_NOMEM);
    TRY(kind_put(call, &iam_kind_user_policy, name, doc));
out:
    policy_free(compiled);
    json_decref(doc);
    return rc;
}

cu_rc iam_get_user_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *policy_name = in_str(in, "PolicyName");
    json_t *user, *doc = NULL;
    struct buf encoded;

    buf_init(&encoded, BUF_NO_LIMIT);
    TRY(iam_target_user(call, in, &user));
    TRY(kind_load(call, &iam_kind_user_policy, in_str(in, "UserName"), policy_name, &doc));
    /* IAM returns policy documents URL-encoded (RFC 3986); the SDKs decode them. */
    TRY(uri_encode(bytes_str(json_string_value(json_object_get(doc, "PolicyDocument"))), true,
                   &encoded));
    TRY(tree_set_str(out, "UserName", kind_name(&iam_kind_user, user)));
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
    *item = json_string(key);
    return *item ? CU_OK : CU_E_NOMEM;
}

cu_rc iam_list_user_policies(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    struct page page = {0};
    json_t *user;

    TRY(page_begin(call, &iam_list_user_policies_page, in, &page));
    TRY(iam_target_user(call, in, &user));
    record_user_scope(call->env->account_id, in_str(in, "UserName"), scope);
    TRY(page_scan(&page, call->tx, RECORD_USER_POLICY, scope, policy_name_view, NULL));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_delete_user_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user;

    TRY(iam_target_user(call, in, &user));
    TRY(kind_delete(call, &iam_kind_user_policy, in_str(in, "UserName"),
                    in_str(in, "PolicyName")));
out:
    return rc;
}
