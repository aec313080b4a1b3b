/* group_policies.c — inline policies of IAM groups: PutGroupPolicy, GetGroupPolicy,
 * ListGroupPolicies, DeleteGroupPolicy, and moving them when a group is renamed.
 *
 * As for users (user_policies.c): a document is validated by compiling it with the policy
 * engine authorization uses and stored as given, as a group_policy record under its group
 * (iam_kinds.c). The aggregate size of a group's inline policies, whitespace not counted,
 * may not pass 5,120 characters (IAM guide, reference_iam-quotas). Every member of the
 * group is evaluated with them on its next request (auth/identity_set.c). */
#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "core/uri.h"
#include "iam_common.h"
#include "iam_groups.h"
#include "iam_ops.gen.h"
#include "policy/policy.h"

#define GROUP_INLINE_POLICY_LIMIT POLICY_QUOTA_GROUP_INLINE

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

cu_rc iam_put_group_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *policy_name = in_str(in, "PolicyName"), *text = in_str(in, "PolicyDocument");
    const char *name;
    char scope[RECORD_NAME_MAX];
    struct policy *compiled = NULL;
    json_t *group, *doc = NULL;
    struct size_sum others = {policy_name, 0};

    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    name = kind_name(&iam_kind_group, group);
    TRY(policy_compile(bytes_str(text), POLICY_IDENTITY, policy_name, &compiled, &call->err));
    record_user_scope(call->env->account_id, name, scope);
    TRY(store_each(call->tx, RECORD_GROUP_POLICY, scope, add_size, &others));
    ENSURE(others.total + policy_size_without_whitespace(bytes_str(text)) <=
               GROUP_INLINE_POLICY_LIMIT,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Maximum policy size of %d bytes exceeded for group %s",
                      GROUP_INLINE_POLICY_LIMIT, name));
    doc = json_pack("{s:s, s:s}", "PolicyName", policy_name, "PolicyDocument", text);
    ENSURE(doc, CU_E_NOMEM);
    TRY(kind_put(call, &iam_kind_group_policy, name, doc));
out:
    policy_free(compiled);
    json_decref(doc);
    return rc;
}

cu_rc iam_get_group_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *policy_name = in_str(in, "PolicyName");
    json_t *group, *doc = NULL;
    struct buf encoded;

    buf_init(&encoded, BUF_NO_LIMIT);
    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    TRY(kind_load(call, &iam_kind_group_policy, kind_name(&iam_kind_group, group), policy_name,
                  &doc));
    /* IAM returns policy documents URL-encoded (RFC 3986); the SDKs decode them. */
    TRY(uri_encode(bytes_str(json_string_value(json_object_get(doc, "PolicyDocument"))), true,
                   &encoded));
    TRY(tree_set_str(out, "GroupName", kind_name(&iam_kind_group, group)));
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

cu_rc iam_list_group_policies(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    struct page page = {0};
    json_t *group;

    TRY(page_begin(call, &iam_list_group_policies_page, in, &page));
    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    record_user_scope(call->env->account_id, kind_name(&iam_kind_group, group), scope);
    TRY(page_scan(&page, call->tx, RECORD_GROUP_POLICY, scope, policy_name_view, NULL));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_delete_group_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *group;

    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    TRY(kind_delete(call, &iam_kind_group_policy, kind_name(&iam_kind_group, group),
                    in_str(in, "PolicyName")));
out:
    return rc;
}

static cu_rc collect(const char *key, const json_t *doc, void *ctx)
{
    (void)key;
    return json_array_append((json_t *)ctx, (json_t *)doc) == 0 ? CU_OK : CU_E_NOMEM;
}

cu_rc iam_group_policies_move(struct call *call, const char *from, const char *to)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    json_t *docs = json_array(), *doc;
    size_t i;

    ENSURE(docs, CU_E_NOMEM);
    record_user_scope(call->env->account_id, from, scope);
    /* collected first: the list is not written while it is walked */
    TRY(store_each(call->tx, RECORD_GROUP_POLICY, scope, collect, docs));
    json_array_foreach(docs, i, doc)
    {
        TRY(kind_put(call, &iam_kind_group_policy, to, doc));
        TRY(kind_delete(call, &iam_kind_group_policy, from,
                        json_string_value(json_object_get(doc, "PolicyName"))));
    }
out:
    json_decref(docs);
    return rc;
}
