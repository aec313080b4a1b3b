/* aws_managed_policies.c — AWS managed policies (arn:aws:iam::aws:policy/...) as IAM
 * records, and the one managed-policy look-up handlers use for both namespaces.
 *
 * The policies themselves are built in (policy/aws_managed.h, generated from
 * aws_managed_policies.json): every account sees the same documents, which no request
 * can change. What belongs to an account is how it uses them: one RECORD_AWS_POLICY_USE
 * record per policy in use, keyed by its lowercased name, holding AttachmentCount and
 * PermissionsBoundaryUsageCount, changed in the transaction that attaches, detaches or
 * sets a boundary, so the counts are the number of identities naming the policy, as for
 * a customer managed policy. A policy the account does not use has no record (counts 0);
 * so the records are also the list of AWS managed policies the account uses
 * (GetAccountAuthorizationDetails' AWSManagedPolicy filter). */
#include <string.h>

#include "aws_managed_policies.h"
#include "core/tree.h"
#include "policy/aws_managed.h"

#define AWS_MANAGED "AwsManaged"

static const struct kind aws_policy_use = {
    .store_kind = RECORD_AWS_POLICY_USE,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "PolicyName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "Policy %s was not found.",
};

/* "Versions" of p's record, oldest first as policy_versions.c keeps them: the older
 * versions whose published documents the table holds, then the default version (its
 * CreateDate is the policy's UpdateDate). AWS lists every version it ever published; a
 * version the table does not hold is answered as one that does not exist
 * (aws_managed_policies.json says which are held and why). */
static cu_rc aws_versions(const struct aws_managed_policy *p, json_t *v)
{
    cu_rc rc = CU_OK;
    json_t *list = json_array(), *item;
    int set;

    ENSURE(list, CU_E_NOMEM);
    for (size_t i = 0; i <= p->older_n; i++) {
        const struct aws_managed_version *o = i < p->older_n ? &p->older[i] : NULL;

        item = json_pack("{s:s, s:s, s:I}", "VersionId", o ? o->id : p->default_version,
                         "Document", o ? o->document : p->document, "CreateDate",
                         (json_int_t)(o ? o->create_ms : p->update_ms));
        /* json_array_append_new steals item, even on failure */
        ENSURE(item && json_array_append_new(list, item) == 0, CU_E_NOMEM);
    }
    set = json_object_set_new(v, "Versions", list); /* steals list, even on failure */
    list = NULL;
    ENSURE(set == 0, CU_E_NOMEM);
out:
    json_decref(list);
    return rc;
}

/* p as a policy record, with this account's counts. *out owned. */
static cu_rc aws_view(struct call *call, const struct aws_managed_policy *p, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *use = NULL, *v = NULL;

    TRY(kind_find(call, &aws_policy_use, NULL, p->name, &use));
    v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "PolicyName", p->name, "PolicyId",
                  p->id, "Arn", p->arn, "Path", p->path, "DefaultVersionId", p->default_version,
                  "Document", p->document, AWS_MANAGED, true);
    ENSURE(v, CU_E_NOMEM);
    TRY(aws_versions(p, v));
    if (p->description)
        TRY(tree_set_str(v, "Description", p->description));
    TRY(tree_set_int(v, "CreateDate", p->create_ms));
    TRY(tree_set_int(v, "UpdateDate", p->update_ms));
    TRY(tree_set_int(v, "AttachmentCount",
                     json_integer_value(json_object_get(use, "AttachmentCount"))));
    TRY(tree_set_int(v, "PermissionsBoundaryUsageCount",
                     json_integer_value(json_object_get(use, "PermissionsBoundaryUsageCount"))));
    *out = v;
    v = NULL;
out:
    json_decref(use);
    json_decref(v);
    return rc;
}

cu_rc iam_policy_find(struct call *call, const char *arn, json_t **doc)
{
    const struct aws_managed_policy *p;

    *doc = NULL;
    if (!aws_managed_is_arn(arn))
        return kind_find(call, &iam_kind_managed_policy, NULL, arn, doc);
    p = aws_managed_find(arn);
    return p ? aws_view(call, p, doc) : CU_OK;
}

cu_rc iam_policy_load(struct call *call, const struct kind *k, const char *arn, json_t **doc)
{
    cu_rc rc = CU_OK;

    TRY(iam_policy_find(call, arn, doc));
    ENSURE(*doc, kind_not_found(call, k, arn));
out:
    return rc;
}

bool iam_policy_is_aws(const json_t *doc)
{
    return json_is_true(json_object_get(doc, AWS_MANAGED));
}

cu_rc iam_policy_save(struct call *call, const json_t *doc)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(doc, "PolicyName"));
    json_int_t attached = json_integer_value(json_object_get(doc, "AttachmentCount"));
    json_int_t bounds = json_integer_value(json_object_get(doc, "PermissionsBoundaryUsageCount"));
    json_t *use = NULL, *old = NULL;

    if (!iam_policy_is_aws(doc))
        return kind_update(call, &iam_kind_managed_policy, NULL, doc);
    ENSURE(name && attached >= 0 && bounds >= 0, CU_E_INTERNAL);
    if (attached == 0 && bounds == 0) {
        TRY(kind_find(call, &aws_policy_use, NULL, name, &old));
        if (old)
            TRY(kind_delete(call, &aws_policy_use, NULL, name));
        goto out;
    }
    use = json_pack("{s:s, s:O, s:I, s:I}", "PolicyName", name, "Arn",
                    json_object_get(doc, "Arn"), "AttachmentCount", attached,
                    "PermissionsBoundaryUsageCount", bounds);
    ENSURE(use, CU_E_NOMEM);
    TRY(kind_put(call, &aws_policy_use, NULL, use));
out:
    json_decref(old);
    json_decref(use);
    return rc;
}

cu_rc iam_policy_refuse_aws(struct call *call, const json_t *policy, const char *what)
{
    if (!iam_policy_is_aws(policy))
        return CU_OK;
    return cu_err_set(&call->err, CU_E_ACCESS_DENIED, "Cannot %s policies outside your own account.",
                      what);
}

cu_rc iam_aws_policies_each(struct call *call, iam_aws_policy_fn each, void *ctx)
{
    cu_rc rc = CU_OK;
    char key[RECORD_NAME_MAX];
    json_t *view = NULL;

    for (size_t i = 0; i < aws_managed_policies_n; i++) {
        TRY(aws_view(call, &aws_managed_policies[i], &view));
        record_fold(aws_managed_policies[i].name, key);
        TRY(each(key, view, ctx));
        json_decref(view);
        view = NULL;
    }
out:
    json_decref(view);
    return rc;
}
