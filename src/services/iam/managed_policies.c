/* managed_policies.c — customer managed policies: CreatePolicy, GetPolicy,
 * GetPolicyVersion, DeletePolicy, ListPolicies; and their use as permissions boundaries
 * (PutUserPermissionsBoundary, DeleteUserPermissionsBoundary).
 *
 * A policy is one record keyed by its lowercased name (names are unique in an account).
 * custos keeps a single version, v1, the default (CreatePolicyVersion is not built yet).
 * The record counts its uses: AttachmentCount, the identities it is attached to
 * (attached_policies.c), and PermissionsBoundaryUsageCount, the users it bounds — two
 * counts, as IAM's Policy shape keeps them. A policy in use either way cannot be deleted
 * (DeleteConflict), as in IAM. */
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "core/uri.h"
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

static cu_rc policy_view(const json_t *doc, json_t **out)
{
    cu_rc rc = CU_OK;
    static const char *const copied[] = {"PolicyName", "PolicyId", "Arn", "Path",
                                         "DefaultVersionId", "Description", NULL};
    json_t *v = json_object();

    ENSURE(v, CU_E_NOMEM);
    for (const char *const *f = copied; *f; f++)
        if (json_object_get(doc, *f))
            TRY(tree_set_new(v, *f, json_copy(json_object_get(doc, *f))));
    TRY(tree_set_int(v, "AttachmentCount",
                     json_integer_value(json_object_get(doc, "AttachmentCount"))));
    TRY(tree_set_int(v, "PermissionsBoundaryUsageCount",
                     json_integer_value(json_object_get(doc, "PermissionsBoundaryUsageCount"))));
    TRY(tree_set_bool(v, "IsAttachable", true));
    TRY(tree_set_time_ms(v, "CreateDate", json_integer_value(json_object_get(doc, "CreateDate"))));
    TRY(tree_set_time_ms(v, "UpdateDate", json_integer_value(json_object_get(doc, "CreateDate"))));
    if (json_array_size(json_object_get(doc, "Tags")))
        TRY(tree_set_new(v, "Tags", json_deep_copy(json_object_get(doc, "Tags"))));
    *out = v;
    v = NULL;
out:
    json_decref(v);
    return rc;
}

cu_rc iam_managed_policy_load(struct call *call, const char *arn, json_t **doc)
{
    cu_rc rc = CU_OK;
    char prefix[64], key[RECORD_NAME_MAX];
    const char *name = arn ? strrchr(arn, '/') : NULL;

    *doc = NULL;
    snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:policy/", call->env->account_id);
    if (name && strncmp(arn, prefix, strlen(prefix)) == 0) {
        record_fold(name + 1, key);
        TRY(store_get(call->tx, RECORD_MANAGED_POLICY, call->env->account_id, key, doc));
        if (*doc && strcmp(json_string_value(json_object_get(*doc, "Arn")), arn) != 0) {
            json_decref(*doc);
            *doc = NULL;
        }
    }
    if (!*doc)
        rc = cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY, "Policy %s was not found.",
                        arn ? arn : "");
out:
    return rc;
}

cu_rc iam_create_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "PolicyName"));
    const char *path = json_string_value(json_object_get(in, "Path"));
    const char *text = json_string_value(json_object_get(in, "PolicyDocument"));
    const char *description = json_string_value(json_object_get(in, "Description"));
    const json_t *tags = json_object_get(in, "Tags");
    char key[RECORD_NAME_MAX], id[IDS_UNIQUE_ID_LEN + 1], arn[IAM_ARN_MAX];
    struct policy *compiled = NULL;
    json_t *doc = json_object(), *view = NULL;

    ENSURE(doc, CU_E_NOMEM);
    if (!path)
        path = "/";
    TRY(policy_compile(bytes_str(text), POLICY_MANAGED, name, &compiled, &call->err));
    ENSURE(policy_size_without_whitespace(bytes_str(text)) <= MANAGED_POLICY_LIMIT,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for PolicySize: %d", MANAGED_POLICY_LIMIT));
    TRY(ids_unique("ANPA", id));
    policy_arn(call, path, name, arn);
    record_fold(name, key);
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
    rc = store_put(call->tx, RECORD_MANAGED_POLICY, call->env->account_id, key, doc, STORE_CREATE);
    if (rc == CU_E_STORE_EXISTS) {
        rc = cu_err_set(&call->err, CU_E_IAM_ENTITY_EXISTS,
                        "A policy called %s already exists. Duplicate names are not allowed.",
                        name);
        goto out;
    }
    TRY(rc);
    TRY(policy_view(doc, &view));
    TRY(tree_set_new(out, "Policy", view));
out:
    policy_free(compiled);
    json_decref(doc);
    return rc;
}

cu_rc iam_get_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL, *view = NULL;

    TRY(iam_managed_policy_load(call, json_string_value(json_object_get(in, "PolicyArn")), &doc));
    TRY(policy_view(doc, &view));
    TRY(tree_set_new(out, "Policy", view));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_get_policy_version(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *arn = json_string_value(json_object_get(in, "PolicyArn"));
    const char *version = json_string_value(json_object_get(in, "VersionId"));
    json_t *doc = NULL, *v = NULL;
    struct buf encoded;

    buf_init(&encoded, BUF_NO_LIMIT);
    TRY(iam_managed_policy_load(call, arn, &doc));
    ENSURE(strcmp(version, "v1") == 0,
           cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                      "Policy %s version %s does not exist or is not attachable.", arn, version));
    /* IAM returns documents URL-encoded (RFC 3986); the SDKs decode them. */
    TRY(uri_encode(bytes_str(json_string_value(json_object_get(doc, "Document"))), true,
                   &encoded));
    v = json_object();
    ENSURE(v, CU_E_NOMEM);
    TRY(tree_set_str(v, "Document", encoded.p));
    TRY(tree_set_str(v, "VersionId", "v1"));
    TRY(tree_set_bool(v, "IsDefaultVersion", true));
    TRY(tree_set_time_ms(v, "CreateDate", json_integer_value(json_object_get(doc, "CreateDate"))));
    TRY(tree_set_new(out, "PolicyVersion", v));
    v = NULL;
out:
    buf_release(&encoded);
    json_decref(v);
    json_decref(doc);
    return rc;
}

cu_rc iam_delete_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;
    char key[RECORD_NAME_MAX];

    TRY(iam_managed_policy_load(call, json_string_value(json_object_get(in, "PolicyArn")), &doc));
    ENSURE(json_integer_value(json_object_get(doc, "PermissionsBoundaryUsageCount")) == 0 &&
               json_integer_value(json_object_get(doc, "AttachmentCount")) == 0,
           cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                      "Cannot delete a policy attached to entities."));
    record_fold(json_string_value(json_object_get(doc, "PolicyName")), key);
    TRY(store_delete(call->tx, RECORD_MANAGED_POLICY, call->env->account_id, key, NULL));
out:
    json_decref(doc);
    return rc;
}

/* ListPolicies' filters: PathPrefix and OnlyAttached. */
struct policy_filter {
    const char *prefix;
    bool only_attached;
};

static cu_rc policy_entry_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    const struct policy_filter *f = ctx;
    const char *path = json_string_value(json_object_get(doc, "Path"));

    (void)key;
    *item = NULL;
    /* OnlyAttached: attached to an identity; a boundary use is not an attachment */
    if ((f->only_attached && json_integer_value(json_object_get(doc, "AttachmentCount")) == 0) ||
        (f->prefix && (!path || strncmp(path, f->prefix, strlen(f->prefix)) != 0)))
        return CU_OK;
    return policy_view(doc, item);
}

cu_rc iam_list_policies(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *scope = json_string_value(json_object_get(in, "Scope"));
    struct policy_filter f = {json_string_value(json_object_get(in, "PathPrefix")),
                              json_is_true(json_object_get(in, "OnlyAttached"))};
    struct page page = {0};

    TRY(page_begin(call, &iam_list_policies_page, in, &page));
    /* AWS managed policies do not exist in custos: Scope=AWS lists nothing */
    if (!scope || strcmp(scope, "AWS") != 0)
        TRY(page_scan(&page, call->tx, RECORD_MANAGED_POLICY, call->env->account_id,
                      policy_entry_view, &f));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_managed_policy_count(struct call *call, const char *arn, const char *count, int delta)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;
    char key[RECORD_NAME_MAX];

    TRY(iam_managed_policy_load(call, arn, &doc));
    TRY(tree_set_int(doc, count, json_integer_value(json_object_get(doc, count)) + delta));
    record_fold(json_string_value(json_object_get(doc, "PolicyName")), key);
    TRY(store_put(call->tx, RECORD_MANAGED_POLICY, call->env->account_id, key, doc,
                  STORE_REPLACE));
out:
    json_decref(doc);
    return rc;
}

static const char *current_boundary(const json_t *user)
{
    return record_user_boundary_arn(user);
}

cu_rc iam_boundary_set(struct call *call, json_t *user, const char *arn)
{
    cu_rc rc = iam_managed_policy_count(call, arn, "PermissionsBoundaryUsageCount", 1);
    const char *old;

    if (rc == CU_E_IAM_NO_SUCH_ENTITY)
        rc = cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                        "Policy %s does not exist or is not attachable.", arn);
    TRY(rc);
    old = current_boundary(user);
    if (old)
        TRY(iam_managed_policy_count(call, old, "PermissionsBoundaryUsageCount", -1));
    TRY(tree_set_new(user, "PermissionsBoundary",
                     json_pack("{s:s, s:s}", "PermissionsBoundaryType", "Policy",
                               "PermissionsBoundaryArn", arn)));
out:
    return rc;
}

cu_rc iam_put_user_permissions_boundary(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user = NULL;

    TRY(iam_user_load(call, json_string_value(json_object_get(in, "UserName")), &user));
    TRY(iam_boundary_set(call, user,
                         json_string_value(json_object_get(in, "PermissionsBoundary"))));
    TRY(iam_user_save(call, user));
out:
    json_decref(user);
    return rc;
}

cu_rc iam_delete_user_permissions_boundary(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user = NULL;
    const char *old;

    TRY(iam_user_load(call, json_string_value(json_object_get(in, "UserName")), &user));
    old = current_boundary(user);
    if (old) {
        TRY(iam_managed_policy_count(call, old, "PermissionsBoundaryUsageCount", -1));
        json_object_del(user, "PermissionsBoundary");
        TRY(iam_user_save(call, user));
    }
out:
    json_decref(user);
    return rc;
}

cu_rc iam_resolve_policy_arn(struct call *call, const json_t *in)
{
    const char *arn = json_string_value(json_object_get(in, "PolicyArn"));

    snprintf(call->target.arn, sizeof(call->target.arn), "%s", arn ? arn : "*");
    snprintf(call->target.account_id, sizeof(call->target.account_id), "%s",
             call->env->account_id);
    return CU_OK;
}

cu_rc iam_resolve_new_policy(struct call *call, const json_t *in)
{
    policy_arn(call, json_string_value(json_object_get(in, "Path")),
               json_string_value(json_object_get(in, "PolicyName")), call->target.arn);
    snprintf(call->target.account_id, sizeof(call->target.account_id), "%s",
             call->env->account_id);
    return CU_OK;
}
