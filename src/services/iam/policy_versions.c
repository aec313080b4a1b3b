/* policy_versions.c — the versions and tags of a customer managed policy:
 * CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
 * SetDefaultPolicyVersion, TagPolicy, UntagPolicy, ListPolicyTags.
 *
 * The versions live in the policy record (managed_policies.c), which stays the one record
 * authorization reads: "Versions" lists every kept version ({VersionId, Document,
 * CreateDate}, oldest first) and "Document" is always the default version's document, so
 * the identity set (auth/identity_set.c) compiles the default without knowing versions
 * exist, and a change of default is a change of the policy record, which the identity
 * cache answers by evicting every set: it takes effect on the next request. A policy keeps
 * at most 5 versions (IAM: "A managed policy can have up to five versions"), so the record
 * stays bounded: 5 documents of at most POLICY_QUOTA_MANAGED characters. Version ids count
 * up and are never reused ("NextVersion"), as IAM's are. A record written before versions
 * existed (no "Versions") holds its one version, v1, in "Document". */
#include <stdio.h>
#include <string.h>

#include "aws_managed_policies.h"
#include "core/tree.h"
#include "core/uri.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "policy/policy.h"

#define VERSIONS_PER_POLICY 5

/* The policy the resolver (iam_resolve_policy_arn) loaded, or NoSuchEntity. Borrowed. */
static cu_rc target_policy(struct call *call, const json_t *in, json_t **doc)
{
    return kind_target(call, &iam_kind_managed_policy, in_str(in, "PolicyArn"), doc);
}

/* The record's version list, made from "Document" when the record predates versions.
 * Borrowed from policy; NULL only when memory runs out. */
static json_t *versions_of(json_t *policy)
{
    json_t *list = json_object_get(policy, "Versions");

    if (json_is_array(list))
        return list;
    list = json_pack("[{s:s, s:O, s:O}]", "VersionId", "v1", "Document",
                     json_object_get(policy, "Document"), "CreateDate",
                     json_object_get(policy, "CreateDate"));
    if (!list || json_object_set_new(policy, "Versions", list) != 0)
        return NULL;
    return list;
}

/* The version named id in list, its index in *at; NULL when it is not kept. */
static json_t *version_find(json_t *list, const char *id, size_t *at)
{
    size_t i;
    json_t *v;

    json_array_foreach(list, i, v)
        if (strcmp(json_string_value(json_object_get(v, "VersionId")), id) == 0) {
            *at = i;
            return v;
        }
    return NULL;
}

static cu_rc version_not_found(struct call *call, const json_t *in)
{
    return cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                      "Policy %s version %s does not exist or is not attachable.",
                      in_str(in, "PolicyArn"), in_str(in, "VersionId"));
}

/* Whether v is the default; a record without DefaultVersionId has only v1. */
static bool is_default(const json_t *policy, const json_t *v)
{
    const char *id = json_string_value(json_object_get(policy, "DefaultVersionId"));

    return strcmp(id ? id : "v1", json_string_value(json_object_get(v, "VersionId"))) == 0;
}

/* Version v as IAM shows it: id, default or not, date; its document (URL-encoded, as
 * IAM returns documents in Query responses; the SDKs decode them) only when with_doc. */
static cu_rc version_view(const json_t *policy, const json_t *v, bool with_doc, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *item = NULL;
    struct buf encoded;

    buf_init(&encoded, BUF_NO_LIMIT);
    item = json_pack("{s:O, s:b}", "VersionId", json_object_get(v, "VersionId"),
                     "IsDefaultVersion", is_default(policy, v));
    ENSURE(item, CU_E_NOMEM);
    if (with_doc) {
        TRY(uri_encode(bytes_str(json_string_value(json_object_get(v, "Document"))), true,
                       &encoded));
        TRY(tree_set_str(item, "Document", encoded.p));
    }
    TRY(tree_set_time_ms(item, "CreateDate", json_integer_value(json_object_get(v, "CreateDate"))));
    *out = item;
    item = NULL;
out:
    buf_release(&encoded);
    json_decref(item);
    return rc;
}

/* Make version v the default: the record's "Document" is what authorization evaluates. */
static cu_rc set_default(struct call *call, json_t *policy, const json_t *v)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_new(policy, "DefaultVersionId", json_copy(json_object_get(v, "VersionId"))));
    TRY(tree_set_new(policy, "Document", json_copy(json_object_get(v, "Document"))));
    TRY(tree_set_int(policy, "UpdateDate", call->now_ms / 1000 * 1000));
out:
    return rc;
}

cu_rc iam_create_policy_version(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *text = in_str(in, "PolicyDocument");
    struct policy *compiled = NULL;
    json_t *policy, *list, *v = NULL, *view = NULL;
    json_int_t next;
    char id[24];

    TRY(target_policy(call, in, &policy));
    TRY(iam_policy_refuse_aws(call, policy, "create versions of"));
    list = versions_of(policy);
    ENSURE(list, CU_E_NOMEM);
    TRY(policy_compile(bytes_str(text), POLICY_MANAGED, kind_name(&iam_kind_managed_policy, policy),
                       &compiled, &call->err));
    ENSURE(policy_size_without_whitespace(bytes_str(text)) <= POLICY_QUOTA_MANAGED,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED, "Cannot exceed quota for PolicySize: %d",
                      POLICY_QUOTA_MANAGED));
    ENSURE(json_array_size(list) < VERSIONS_PER_POLICY,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "A managed policy can have up to %d versions. Before you create a new "
                      "version, you must delete an existing version.",
                      VERSIONS_PER_POLICY));
    next = json_integer_value(json_object_get(policy, "NextVersion"));
    if (next < 2)
        next = 2; /* v1 was made by CreatePolicy */
    snprintf(id, sizeof(id), "v%lld", (long long)next);
    v = json_pack("{s:s, s:s, s:I}", "VersionId", id, "Document", text, "CreateDate",
                  (json_int_t)(call->now_ms / 1000 * 1000));
    ENSURE(v, CU_E_NOMEM);
    TRY(tree_append_new(list, json_incref(v)));
    TRY(tree_set_int(policy, "NextVersion", next + 1));
    if (in_bool(in, "SetAsDefault", false))
        TRY(set_default(call, policy, v));
    TRY(kind_update(call, &iam_kind_managed_policy, NULL, policy));
    TRY(version_view(policy, v, false, &view));
    TRY(tree_set_new(out, "PolicyVersion", view));
out:
    policy_free(compiled);
    json_decref(v);
    return rc;
}

/* The policy the request names (its resolver's), its versions and the one VersionId
 * names (*at: its index); NoSuchEntity in AWS's wording when that version is not kept. */
static cu_rc target_version(struct call *call, const json_t *in, json_t **policy,
                            json_t **list, json_t **v, size_t *at)
{
    cu_rc rc = CU_OK;

    TRY(target_policy(call, in, policy));
    *list = versions_of(*policy);
    ENSURE(*list, CU_E_NOMEM);
    *v = version_find(*list, in_str(in, "VersionId"), at);
    ENSURE(*v, version_not_found(call, in));
out:
    return rc;
}

cu_rc iam_get_policy_version(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *policy, *list, *v, *view = NULL;
    size_t at;

    TRY(target_version(call, in, &policy, &list, &v, &at));
    TRY(version_view(policy, v, true, &view));
    TRY(tree_set_new(out, "PolicyVersion", view));
out:
    return rc;
}

cu_rc iam_list_policy_versions(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    json_t *policy, *list, *item = NULL;
    size_t i, n;

    TRY(page_begin(call, &iam_list_policy_versions_page, in, &page));
    TRY(target_policy(call, in, &policy));
    list = versions_of(policy);
    ENSURE(list, CU_E_NOMEM);
    n = json_array_size(list);
    /* IAM lists the newest version first; a page's position counts from the newest */
    TRY(page_first_index(call, &page, &i));
    for (; i < n && !page_full(&page); i++) {
        TRY(version_view(policy, json_array_get(list, n - 1 - i), false, &item));
        TRY(page_add_index(&page, i, item)); /* steals item */
        item = NULL;
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_delete_policy_version(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *policy, *list, *v;
    size_t at;

    TRY(target_version(call, in, &policy, &list, &v, &at));
    TRY(iam_policy_refuse_aws(call, policy, "delete versions of"));
    ENSURE(!is_default(policy, v), cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                                              "Cannot delete the default version of a policy."));
    ENSURE(json_array_remove(list, at) == 0, CU_E_NOMEM);
    TRY(kind_update(call, &iam_kind_managed_policy, NULL, policy));
out:
    return rc;
}

cu_rc iam_set_default_policy_version(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *policy, *list, *v;
    size_t at;

    TRY(target_version(call, in, &policy, &list, &v, &at));
    TRY(iam_policy_refuse_aws(call, policy, "set the default version of"));
    TRY(set_default(call, policy, v));
    TRY(kind_update(call, &iam_kind_managed_policy, NULL, policy));
out:
    return rc;
}

cu_rc iam_tag_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *policy;

    TRY(target_policy(call, in, &policy));
    TRY(iam_policy_refuse_aws(call, policy, "tag"));
    TRY(iam_tags_add(call, policy, in_list(in, "Tags"), "TagsPerPolicy"));
    TRY(kind_update(call, &iam_kind_managed_policy, NULL, policy));
out:
    return rc;
}

cu_rc iam_untag_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *policy;

    TRY(target_policy(call, in, &policy));
    TRY(iam_policy_refuse_aws(call, policy, "untag"));
    iam_tags_remove(policy, in_list(in, "TagKeys"));
    TRY(kind_update(call, &iam_kind_managed_policy, NULL, policy));
out:
    return rc;
}

cu_rc iam_list_policy_tags(struct call *call, const json_t *in, json_t *out)
{
    return iam_tags_list(call, &iam_list_policy_tags_page, in, &iam_kind_managed_policy,
                         in_str(in, "PolicyArn"), out);
}
