/* authorization_details.c — GetAccountAuthorizationDetails: every user, group, role and
 * customer managed policy of the account with what governs it (IAM API reference,
 * GetAccountAuthorizationDetails).
 *
 * One page runs across the four lists in AWS's order — users, groups, roles, policies —
 * each in key order, an entry keyed "<n>/<record key>" (n = 1..4) so a marker resumes
 * where the page stopped; page_end() sorts the entries into UserDetailList,
 * GroupDetailList, RoleDetailList and Policies. Each entry is its record rendered through
 * the model's detail shape, plus what other records hold: inline policies (documents
 * URL-encoded, as IAM returns every policy document), a user's groups, a role's instance
 * profiles, a policy's versions. The AWS managed policies listed (filter AWSManagedPolicy)
 * are those the account uses, which its RECORD_AWS_POLICY_USE records name
 * (aws_managed_policies.c), each with its built-in default version. */
#include <stdio.h>
#include <string.h>

#include "aws_managed_policies.h"
#include "core/tree.h"
#include "core/uri.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

struct detail_list;

struct details_scan {
    struct call *call;
    struct page *page;
    const struct detail_list *list;
    const struct shape *shape;
};

/* Adds to item the members of an entry that its record doc does not hold. */
typedef cu_rc (*detail_fill_fn)(struct details_scan *s, const json_t *doc, json_t *item);

struct detail_list {
    const char *kind, *prefix, *filter, *result;
    detail_fill_fn fill;
};

static cu_rc set_encoded(json_t *obj, const char *member, const char *text)
{
    cu_rc rc = CU_OK;
    struct buf encoded;

    buf_init(&encoded, BUF_NO_LIMIT);
    TRY(uri_encode(bytes_str(text ? text : ""), true, &encoded));
    TRY(tree_set_str(obj, member, encoded.p));
out:
    buf_release(&encoded);
    return rc;
}

static cu_rc inline_each(const char *key, const json_t *doc, void *ctx)
{
    cu_rc rc = CU_OK;
    json_t *entry = json_object();

    (void)key;
    ENSURE(entry, CU_E_NOMEM);
    TRY(tree_set_new(entry, "PolicyName", json_copy(json_object_get(doc, "PolicyName"))));
    TRY(set_encoded(entry, "PolicyDocument",
                    json_string_value(json_object_get(doc, "PolicyDocument"))));
    TRY(tree_append_new(ctx, entry));
    entry = NULL;
out:
    json_decref(entry);
    return rc;
}

/* item[member] = [{PolicyName, PolicyDocument}] of the inline policies of `kind` under the
 * owner named `name`. */
static cu_rc set_inline(struct details_scan *s, const char *kind, const char *name, json_t *item,
                        const char *member)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    json_t *list = json_array();

    ENSURE(list, CU_E_NOMEM);
    record_user_scope(s->call->env->account_id, name, scope);
    TRY(store_each(s->call->tx, kind, scope, inline_each, list));
    TRY(tree_set_new(item, member, list));
    list = NULL;
out:
    json_decref(list);
    return rc;
}

/* AWS lists these members in every entry, empty or not. */
static cu_rc ensure_list(json_t *item, const char *member)
{
    return json_object_get(item, member) ? CU_OK : tree_set_new(item, member, json_array());
}

static cu_rc fill_user(struct details_scan *s, const json_t *doc, json_t *item)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(doc, "UserName"));
    char value[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_GROUP_MEMBER, RECORD_GROUP_MEMBER_BY_USER, value,
                             s->call->env->account_id};
    json_t *members = NULL, *m, *groups = json_array();
    bool more = true;
    size_t i;
    struct store_position at = {NULL, NULL};
    char last_scope[RECORD_NAME_MAX], last_key[RECORD_NAME_MAX];

    ENSURE(groups, CU_E_NOMEM);
    TRY(set_inline(s, RECORD_USER_POLICY, name, item, "UserPolicyList"));
    record_fold(name, value);
    while (more) {
        TRY(store_find(s->call->tx, &q, at.key ? &at : NULL, 100, &members, &more));
        json_array_foreach(members, i, m) TRY(tree_append_new(
            groups, json_copy(json_object_get(json_object_get(m, "doc"), "GroupName"))));
        if (more && json_array_size(members)) {
            m = json_array_get(members, json_array_size(members) - 1);
            snprintf(last_scope, sizeof(last_scope), "%s",
                     json_string_value(json_object_get(m, "scope")));
            snprintf(last_key, sizeof(last_key), "%s",
                     json_string_value(json_object_get(m, "key")));
            at = (struct store_position){last_scope, last_key};
        }
        json_decref(members);
        members = NULL;
    }
    TRY(tree_set_new(item, "GroupList", groups));
    groups = NULL;
    TRY(ensure_list(item, "AttachedManagedPolicies"));
    TRY(ensure_list(item, "Tags"));
out:
    json_decref(members);
    json_decref(groups);
    return rc;
}

static cu_rc fill_group(struct details_scan *s, const json_t *doc, json_t *item)
{
    cu_rc rc = CU_OK;

    TRY(set_inline(s, RECORD_GROUP_POLICY, json_string_value(json_object_get(doc, "GroupName")),
                   item, "GroupPolicyList"));
    TRY(ensure_list(item, "AttachedManagedPolicies"));
out:
    return rc;
}

/* InstanceProfileList: the profiles holding the role, each with the role in its Roles. */
static cu_rc set_profiles(struct details_scan *s, const json_t *role, json_t *item)
{
    cu_rc rc = CU_OK;
    const struct shape_member *list = model_member(s->shape, "InstanceProfileList", 19);
    const struct shape *profile_shape = list ? model_list_element(list->shape) : NULL;
    const struct shape_member *roles =
        profile_shape ? model_member(profile_shape, "Roles", 5) : NULL;
    char value[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_INSTANCE_PROFILE, RECORD_INSTANCE_PROFILE_BY_ROLE, value,
                             s->call->env->account_id};
    json_t *found = NULL, *f, *profiles = json_array(), *view = NULL, *role_view = NULL;
    bool more = false;
    size_t i;

    ENSURE(profiles && roles, profiles ? CU_E_INTERNAL : CU_E_NOMEM);
    record_fold(json_string_value(json_object_get(role, "RoleName")), value);
    /* a role is in at most a few profiles (each holds one role); 1000 is IAM's quota of
     * instance profiles per account */
    TRY(store_find(s->call->tx, &q, NULL, 1000, &found, &more));
    json_array_foreach(found, i, f)
    {
        TRY(render_record(json_object_get(f, "doc"), profile_shape, &view));
        TRY(render_record(role, model_list_element(roles->shape), &role_view));
        TRY(tree_set_new(view, "Roles", json_pack("[o]", role_view)));
        role_view = NULL;
        TRY(tree_append_new(profiles, view));
        view = NULL;
    }
    TRY(tree_set_new(item, "InstanceProfileList", profiles));
    profiles = NULL;
out:
    json_decref(found);
    json_decref(profiles);
    json_decref(view);
    json_decref(role_view);
    return rc;
}

static cu_rc fill_role(struct details_scan *s, const json_t *doc, json_t *item)
{
    cu_rc rc = CU_OK;

    TRY(set_inline(s, RECORD_ROLE_POLICY, json_string_value(json_object_get(doc, "RoleName")), item,
                   "RolePolicyList"));
    TRY(set_profiles(s, doc, item));
    TRY(ensure_list(item, "AttachedManagedPolicies"));
    TRY(ensure_list(item, "Tags"));
    /* as GetRole: no session of a custos role is recorded yet, so RoleLastUsed is empty */
    if (!json_object_get(item, "RoleLastUsed"))
        TRY(tree_set_new(item, "RoleLastUsed", json_object()));
out:
    return rc;
}

/* PolicyVersionList: every kept version (policy_versions.c: "Versions", or the record's
 * one "Document" as v1), documents URL-encoded. */
static cu_rc fill_policy(struct details_scan *s, const json_t *doc, json_t *item)
{
    cu_rc rc = CU_OK;
    const json_t *versions = json_object_get(doc, "Versions"), *v;
    const char *dflt = json_string_value(json_object_get(doc, "DefaultVersionId"));
    json_t *list = json_array(), *entry = NULL, *one = NULL;
    size_t i;

    (void)s;
    ENSURE(list, CU_E_NOMEM);
    if (!json_is_array(versions)) {
        one = json_pack("[{s:s, s:O, s:O}]", "VersionId", "v1", "Document",
                        json_object_get(doc, "Document"), "CreateDate",
                        json_object_get(doc, "CreateDate"));
        ENSURE(one, CU_E_NOMEM);
        versions = one;
        dflt = "v1";
    }
    json_array_foreach(versions, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "VersionId"));

        entry = json_object();
        ENSURE(entry && id, CU_E_NOMEM);
        TRY(set_encoded(entry, "Document", json_string_value(json_object_get(v, "Document"))));
        TRY(tree_set_str(entry, "VersionId", id));
        TRY(tree_set_bool(entry, "IsDefaultVersion", dflt ? strcmp(dflt, id) == 0 : i == 0));
        TRY(tree_set_time_ms(entry, "CreateDate",
                             (int64_t)json_integer_value(json_object_get(v, "CreateDate"))));
        TRY(tree_append_new(list, entry));
        entry = NULL;
    }
    TRY(tree_set_new(item, "PolicyVersionList", list));
    list = NULL;
    /* a customer managed policy can always be attached (GetPolicy's IsAttachable) */
    TRY(tree_set_bool(item, "IsAttachable", true));
    if (!json_object_get(item, "UpdateDate") && json_object_get(item, "CreateDate"))
        TRY(tree_set_new(item, "UpdateDate", json_copy(json_object_get(item, "CreateDate"))));
out:
    json_decref(one);
    json_decref(entry);
    json_decref(list);
    return rc;
}

/* An AWS managed policy in use: item (rendered from its use record) becomes the policy's
 * own view, as for a customer managed policy. */
static cu_rc fill_aws_policy(struct details_scan *s, const json_t *use, json_t *item)
{
    cu_rc rc = CU_OK;
    json_t *view = NULL, *shown = NULL;

    TRY(iam_policy_load(s->call, &iam_kind_managed_policy,
                        json_string_value(json_object_get(use, "Arn")), &view));
    TRY(render_record(view, s->shape, &shown));
    ENSURE(json_object_update(item, shown) == 0, CU_E_NOMEM);
    TRY(fill_policy(s, view, item));
out:
    json_decref(shown);
    json_decref(view);
    return rc;
}

static const struct detail_list lists[] = {
    {RECORD_USER, "1/", "User", "UserDetailList", fill_user},
    {RECORD_GROUP, "2/", "Group", "GroupDetailList", fill_group},
    {RECORD_ROLE, "3/", "Role", "RoleDetailList", fill_role},
    {RECORD_MANAGED_POLICY, "4/", "LocalManagedPolicy", "Policies", fill_policy},
    {RECORD_AWS_POLICY_USE, "5/", "AWSManagedPolicy", "Policies", fill_aws_policy},
};

static cu_rc detail_each(const char *key, const json_t *doc, void *ctx)
{
    cu_rc rc = CU_OK;
    struct details_scan *s = ctx;
    const char *after = page_after(s->page);
    char pos[PAGE_KEY_MAX + 1];
    json_t *item = NULL;

    snprintf(pos, sizeof(pos), "%s%s", s->list->prefix, key);
    if (page_full(s->page) || (after && strcmp(pos, after) <= 0))
        goto out;
    TRY(render_record(doc, s->shape, &item));
    TRY(s->list->fill(s, doc, item));
    TRY(page_add(s->page, pos, json_pack("{s:o}", s->list->result, item)));
    item = NULL;
out:
    json_decref(item);
    return rc;
}

static bool wanted(const json_t *filter, const char *name)
{
    size_t i;
    json_t *f;

    if (json_array_size(filter) == 0)
        return true;
    json_array_foreach(filter, i, f) if (strcmp(json_string_value(f), name) == 0) return true;
    return false;
}

cu_rc iam_get_account_authorization_details(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *filter = in_list(in, "Filter");
    struct page page = {0};
    struct details_scan s = {call, &page, NULL, NULL};

    TRY(page_begin(call, &iam_get_account_authorization_details_page, in, &page));
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && !page_full(&page); i++) {
        if (!wanted(filter, lists[i].filter))
            continue;
        s.list = &lists[i];
        s.shape = model_list_element(
            model_output_shape("iam", "GetAccountAuthorizationDetails", lists[i].result));
        ENSURE(s.shape, CU_E_INTERNAL);
        TRY(store_each(call->tx, lists[i].kind, call->env->account_id, detail_each, &s));
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}
