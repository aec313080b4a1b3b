/* inline_policies.c — inline policies of users, groups and roles (inline_policies.h).
 *
 * A document is validated by compiling it with the policy engine (so what is accepted is
 * exactly what will be evaluated) and stored as given, as a record under its owner. Each
 * handler acts on the owner its resolver loaded. Quotas: IAM guide, reference_iam-quotas
 * (user 2,048, group 5,120, role 10,240 characters, whitespace not counted). */
#include "inline_policies.h"

#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "core/uri.h"
#include "policy/policy.h"

const struct inline_owner iam_inline_user = {&iam_kind_user, &iam_kind_user_policy, "UserName",
                                             "user", POLICY_QUOTA_USER_INLINE};
const struct inline_owner iam_inline_group = {&iam_kind_group, &iam_kind_group_policy,
                                              "GroupName", "group", POLICY_QUOTA_GROUP_INLINE};
const struct inline_owner iam_inline_role = {&iam_kind_role, &iam_kind_role_policy, "RoleName",
                                             "role", POLICY_QUOTA_ROLE_INLINE};

/* The owner the request names, as its resolver loaded it; *name its stored name. */
static cu_rc owner_of(struct call *call, const struct inline_owner *o, const json_t *in,
                      const char **name)
{
    cu_rc rc = CU_OK;
    json_t *owner;

    TRY(kind_target(call, o->owner, in_str(in, o->name_member), &owner));
    *name = kind_name(o->owner, owner);
out:
    return rc;
}

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

cu_rc iam_inline_put(struct call *call, const struct inline_owner *o, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *policy_name = in_str(in, "PolicyName"), *text = in_str(in, "PolicyDocument");
    const char *name;
    char scope[RECORD_NAME_MAX];
    struct policy *compiled = NULL;
    struct size_sum others = {policy_name, 0};
    json_t *doc = NULL;

    TRY(owner_of(call, o, in, &name));
    TRY(policy_compile(bytes_str(text), POLICY_IDENTITY, policy_name, &compiled, &call->err));
    record_user_scope(call->env->account_id, name, scope);
    TRY(store_each(call->tx, o->policies->store_kind, scope, add_size, &others));
    ENSURE(others.total + policy_size_without_whitespace(bytes_str(text)) <= o->quota,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Maximum policy size of %zu bytes exceeded for %s %s", o->quota, o->noun,
                      name));
    doc = json_pack("{s:s, s:s}", "PolicyName", policy_name, "PolicyDocument", text);
    ENSURE(doc, CU_E_NOMEM);
    TRY(kind_put(call, o->policies, name, doc));
out:
    policy_free(compiled);
    json_decref(doc);
    return rc;
}

cu_rc iam_inline_get(struct call *call, const struct inline_owner *o, const json_t *in,
                     json_t *out)
{
    cu_rc rc = CU_OK;
    const char *policy_name = in_str(in, "PolicyName"), *name;
    json_t *doc = NULL;
    struct buf encoded;

    buf_init(&encoded, BUF_NO_LIMIT);
    TRY(owner_of(call, o, in, &name));
    TRY(kind_load(call, o->policies, name, policy_name, &doc));
    /* IAM returns policy documents URL-encoded (RFC 3986); the SDKs decode them. */
    TRY(uri_encode(bytes_str(json_string_value(json_object_get(doc, "PolicyDocument"))), true,
                   &encoded));
    TRY(tree_set_str(out, o->name_member, name));
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

cu_rc iam_inline_list(struct call *call, const struct inline_owner *o,
                      const struct page_desc *desc, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name;
    char scope[RECORD_NAME_MAX];
    struct page page = {0};

    TRY(page_begin(call, desc, in, &page));
    TRY(owner_of(call, o, in, &name));
    record_user_scope(call->env->account_id, name, scope);
    TRY(page_scan(&page, call->tx, o->policies->store_kind, scope, policy_name_view, NULL));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_inline_delete(struct call *call, const struct inline_owner *o, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name;

    TRY(owner_of(call, o, in, &name));
    TRY(kind_delete(call, o->policies, name, in_str(in, "PolicyName")));
out:
    return rc;
}

static cu_rc collect(const char *key, const json_t *doc, void *ctx)
{
    (void)key;
    return json_array_append((json_t *)ctx, (json_t *)doc) == 0 ? CU_OK : CU_E_NOMEM;
}

cu_rc iam_inline_move(struct call *call, const struct inline_owner *o, const char *from,
                      const char *to)
{
    cu_rc rc = CU_OK;
    char from_scope[RECORD_NAME_MAX], to_scope[RECORD_NAME_MAX];
    json_t *docs = json_array(), *doc;
    size_t i;

    ENSURE(docs, CU_E_NOMEM);
    record_user_scope(call->env->account_id, from, from_scope);
    record_user_scope(call->env->account_id, to, to_scope);
    if (strcmp(from_scope, to_scope) == 0)
        goto out;
    /* collected first: the list is not written while it is walked */
    TRY(store_each(call->tx, o->policies->store_kind, from_scope, collect, docs));
    json_array_foreach(docs, i, doc)
    {
        TRY(kind_put(call, o->policies, to, doc));
        TRY(kind_delete(call, o->policies, from,
                        json_string_value(json_object_get(doc, "PolicyName"))));
    }
out:
    json_decref(docs);
    return rc;
}
