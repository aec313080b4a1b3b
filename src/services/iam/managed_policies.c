/* managed_policies.c — customer managed policies: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies; and their use as permissions boundaries
 * (PutUserPermissionsBoundary, DeleteUserPermissionsBoundary).
 *
 * A policy is one record keyed by its lowercased name (names are unique in an account) and
 * found by its ARN (iam_kinds.c); it is rendered through the model's Policy shape, which
 * leaves its stored Document out. CreatePolicy makes version v1, the default; the other
 * versions, and "Document" as the default's, are policy_versions.c's. The record counts its uses: AttachmentCount, the
 * identities it is attached to (attached_policies.c), and PermissionsBoundaryUsageCount,
 * the users it bounds — two counts, as IAM's Policy shape keeps them. A policy in use
 * either way cannot be deleted (DeleteConflict), as in IAM. AWS managed policies
 * (aws_managed_policies.c) are found, counted and listed through the same look-up. */
#include <stdio.h>
#include <string.h>

#include "aws_managed_policies.h"
#include "core/ids.h"
#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "policy/policy.h"

/* IAM guide, reference_iam-quotas: managed policy documents, whitespace not counted. */
#define MANAGED_POLICY_LIMIT POLICY_QUOTA_MANAGED

static void policy_arn(const struct call *call, const char *path, const char *name,
                       char out[IAM_ARN_MAX])
{
    snprintf(out, IAM_ARN_MAX, "arn:aws:iam::%s:policy%s%s", call->env->account_id,
             path ? path : "/", name);
}

/* The stored record through the Policy shape `s`, with the members IAM computes: every
 * customer managed policy is attachable, and it was last updated when its default
 * version last changed (UpdateDate, policy_versions.c), or else when it was created. */
static cu_rc policy_render(const json_t *doc, const struct shape *s, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *v = NULL;

    TRY(render_record(doc, s, &v));
    TRY(tree_set_bool(v, "IsAttachable", true));
    TRY(tree_set_time_ms(v, "UpdateDate",
                         json_integer_value(json_object_get(
                             doc, json_object_get(doc, "UpdateDate") ? "UpdateDate" : "CreateDate"))));
    *out = v;
    v = NULL;
out:
    json_decref(v);
    return rc;
}

/* out.Policy: the policy as op answers it. */
static cu_rc policy_output(const json_t *doc, const char *op, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *v = NULL;

    TRY(policy_render(doc, model_output_shape("iam", op, "Policy"), &v));
    TRY(tree_set_new(out, "Policy", v));
out:
    return rc;
}

cu_rc iam_create_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "PolicyName"), *path = in_str_or(in, "Path", "/");
    const char *text = in_str(in, "PolicyDocument");
    const char *description = in_str(in, "Description");
    const json_t *tags = in_list(in, "Tags");
    char id[IDS_UNIQUE_ID_LEN + 1], arn[IAM_ARN_MAX];
    struct policy *compiled = NULL;
    json_t *doc = json_object();

    ENSURE(doc, CU_E_NOMEM);
    TRY(policy_compile(bytes_str(text), POLICY_MANAGED, name, &compiled, &call->err));
    ENSURE(policy_size_without_whitespace(bytes_str(text)) <= MANAGED_POLICY_LIMIT,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for PolicySize: %d", MANAGED_POLICY_LIMIT));
    TRY(ids_unique("ANPA", id));
    policy_arn(call, path, name, arn);
    TRY(tree_set_str(doc, "PolicyName", name));
    TRY(tree_set_str(doc, "PolicyId", id));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(tree_set_str(doc, "Path", path));
    TRY(tree_set_str(doc, "DefaultVersionId", "v1"));
    if (description)
        TRY(tree_set_str(doc, "Description", description));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    TRY(tree_set_int(doc, "AttachmentCount", 0));
    TRY(tree_set_int(doc, "PermissionsBoundaryUsageCount", 0));
    TRY(tree_set_str(doc, "Document", text));
    TRY(tree_set_new(doc, "Tags", tags ? json_deep_copy(tags) : json_array()));
    TRY(kind_create(call, &iam_kind_managed_policy, NULL, doc));
    TRY(policy_output(doc, "CreatePolicy", out));
out:
    policy_free(compiled);
    json_decref(doc);
    return rc;
}

/* The policy the resolver (iam_resolve_policy_arn) loaded, or NoSuchEntity. Borrowed. */
static cu_rc target_policy(struct call *call, const json_t *in, json_t **doc)
{
    return kind_target(call, &iam_kind_managed_policy, in_str(in, "PolicyArn"), doc);
}

cu_rc iam_get_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc;

    TRY(target_policy(call, in, &doc));
    TRY(policy_output(doc, "GetPolicy", out));
out:
    return rc;
}

cu_rc iam_delete_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc;

    TRY(target_policy(call, in, &doc));
    TRY(iam_policy_refuse_aws(call, doc, "delete"));
    ENSURE(json_integer_value(json_object_get(doc, "PermissionsBoundaryUsageCount")) == 0 &&
               json_integer_value(json_object_get(doc, "AttachmentCount")) == 0,
           cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                      "Cannot delete a policy attached to entities."));
    ENSURE(json_array_size(json_object_get(doc, "Versions")) <= 1,
           cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                      "This policy has more than one version. Before you delete a policy, you "
                      "must delete the policy's non-default versions."));
    TRY(kind_remove(call, &iam_kind_managed_policy, NULL, doc));
out:
    return rc;
}

/* ListPolicies' filters (PathPrefix, OnlyAttached, PolicyUsageFilter), its item shape, and
 * the page: one page runs across the AWS managed policies, then the account's own, each
 * entry keyed "<a|l>/<key>" so a marker resumes where the page stopped (Scope=All). */
struct policy_filter {
    const char *prefix, *usage, *list;
    bool only_attached;
    const struct shape *item;
    struct page *page;
};

static cu_rc policy_entry(const char *key, const json_t *doc, void *ctx)
{
    struct policy_filter *f = ctx;
    const char *path = json_string_value(json_object_get(doc, "Path"));
    /* OnlyAttached: attached to an identity, or with PolicyUsageFilter=PermissionsBoundary
     * used as a boundary (ListPolicies: "the policy usage method to use for filtering") */
    const char *count = f->usage && strcmp(f->usage, "PermissionsBoundary") == 0
                            ? "PermissionsBoundaryUsageCount"
                            : "AttachmentCount";
    const char *after = page_after(f->page);
    char pos[PAGE_KEY_MAX + 1];
    cu_rc rc = CU_OK;
    json_t *item = NULL;

    snprintf(pos, sizeof(pos), "%s%s", f->list, key);
    if (page_full(f->page) || (after && strcmp(pos, after) <= 0) ||
        (f->only_attached && json_integer_value(json_object_get(doc, count)) == 0) ||
        (f->prefix && (!path || strncmp(path, f->prefix, strlen(f->prefix)) != 0)))
        goto out;
    TRY(policy_render(doc, f->item, &item));
    TRY(page_add(f->page, pos, item)); /* steals item */
out:
    return rc;
}

cu_rc iam_list_policies(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *scope = in_str_or(in, "Scope", "All");
    struct page page = {0};
    struct policy_filter f = {in_str(in, "PathPrefix"), in_str(in, "PolicyUsageFilter"), NULL,
                              in_bool(in, "OnlyAttached", false),
                              iam_page_item_shape(&iam_list_policies_page), &page};

    TRY(page_begin(call, &iam_list_policies_page, in, &page));
    f.list = "a/";
    if (strcmp(scope, "Local") != 0)
        TRY(iam_aws_policies_each(call, policy_entry, &f));
    f.list = "l/";
    if (strcmp(scope, "AWS") != 0 && !page_full(&page))
        TRY(store_each(call->tx, RECORD_MANAGED_POLICY, call->env->account_id, policy_entry,
                       &f));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_managed_policy_use(struct call *call, json_t *policy, const char *count, int delta)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_int(policy, count, json_integer_value(json_object_get(policy, count)) + delta));
    TRY(iam_policy_save(call, policy));
out:
    return rc;
}

cu_rc iam_managed_policy_count(struct call *call, const char *arn, const char *count, int delta)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    TRY(iam_policy_load(call, &iam_kind_managed_policy, arn, &doc));
    TRY(iam_managed_policy_use(call, doc, count, delta));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_boundary_set(struct call *call, json_t *user, const char *arn)
{
    cu_rc rc = CU_OK;
    const char *old = record_user_boundary_arn(user);
    json_t *policy = NULL;

    TRY(iam_policy_load(call, &iam_kind_attachable_policy, arn, &policy));
    TRY(iam_managed_policy_use(call, policy, "PermissionsBoundaryUsageCount", 1));
    if (old)
        TRY(iam_managed_policy_count(call, old, "PermissionsBoundaryUsageCount", -1));
    TRY(tree_set_new(user, "PermissionsBoundary",
                     json_pack("{s:s, s:s}", "PermissionsBoundaryType", "Policy",
                               "PermissionsBoundaryArn", arn)));
out:
    json_decref(policy);
    return rc;
}

cu_rc iam_put_user_permissions_boundary(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user;

    TRY(iam_target_user(call, in, &user));
    TRY(iam_boundary_set(call, user, in_str(in, "PermissionsBoundary")));
    TRY(iam_user_save(call, user));
out:
    return rc;
}

cu_rc iam_delete_user_permissions_boundary(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user;
    const char *old;

    TRY(iam_target_user(call, in, &user));
    old = record_user_boundary_arn(user);
    if (old) {
        TRY(iam_managed_policy_count(call, old, "PermissionsBoundaryUsageCount", -1));
        json_object_del(user, "PermissionsBoundary");
        TRY(iam_user_save(call, user));
    }
out:
    return rc;
}

/* Resolver for operations on one managed policy: the PolicyArn as given; the record, when
 * the ARN names one, stays in call->target.doc for the handler. */
cu_rc iam_resolve_policy_arn(struct call *call, const json_t *in)
{
    const char *arn = in_str(in, "PolicyArn");

    snprintf(call->target.arn, sizeof(call->target.arn), "%s", arn ? arn : "*");
    iam_set_account_target(call);
    return iam_policy_find(call, arn, &call->target.doc);
}

cu_rc iam_resolve_new_policy(struct call *call, const json_t *in)
{
    policy_arn(call, in_str(in, "Path"), in_str(in, "PolicyName"), call->target.arn);
    iam_set_account_target(call);
    return CU_OK;
}
