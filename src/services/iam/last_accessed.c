/* last_accessed.c — IAM's access advisor: GenerateServiceLastAccessedDetails,
 * GetServiceLastAccessedDetails, GetServiceLastAccessedDetailsWithEntities and
 * ListPoliciesGrantingServiceAccess (what a report says: last_accessed_report.c).
 *
 * Jobs. AWS computes a report in the background (JobStatus IN_PROGRESS, then COMPLETED);
 * custos computes it at Generate time inside the call's transaction, from the use records
 * the flusher has written (auth/key_usage.c: a use shows up to one flush interval later,
 * where AWS says "within four hours"), so every job is COMPLETED when its JobId is
 * returned, with JobCompletionDate equal to JobCreationDate. The job record keeps the
 * whole report, so a later Get pages through the same answer. AWS documents no retention
 * for a job: custos keeps one JOB_KEEP_MS, sweeping the account's expired jobs at each
 * Generate. A JobId "must be used by the same role within a session, or by the same user"
 * (IAM API reference, GenerateServiceLastAccessedDetails): another principal's JobId is
 * answered as an unknown one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "last_accessed.h"
#include "policy/policy.h"
#include "services/render.h"

#define JOB_KEEP_MS (7LL * 24 * 3600 * 1000) /* custos's choice: AWS publishes none */

/* None of the three has a botocore paginator; their Marker and MaxItems are IAM's usual
 * ones (model: markerType, maxItemsType), paged by hand as service_credentials.c does. */
static const struct page_desc services_page = {
    .op = "GetServiceLastAccessedDetails", .input_token = "Marker",
    .limit_key = "MaxItems", .output_token = "Marker",
    .more_results = "IsTruncated", .result_key = "ServicesLastAccessed",
    .limit_default = 100, .limit_max = 1000,
    .bad_marker = CU_E_VALIDATION, .bad_marker_message = "Invalid Marker."};
static const struct page_desc entities_page = {
    .op = "GetServiceLastAccessedDetailsWithEntities", .input_token = "Marker",
    .limit_key = "MaxItems", .output_token = "Marker",
    .more_results = "IsTruncated", .result_key = "EntityDetailsList",
    .limit_default = 100, .limit_max = 1000,
    .bad_marker = CU_E_VALIDATION, .bad_marker_message = "Invalid Marker."};
/* no MaxItems here: at most 200 namespaces (model), one page always */
static const struct page_desc granting_page = {
    .op = "ListPoliciesGrantingServiceAccess", .input_token = "Marker",
    .limit_key = "MaxItems", .output_token = "Marker",
    .more_results = "IsTruncated", .result_key = "PoliciesGrantingServiceAccess",
    .limit_default = 1000, .limit_max = 1000,
    .bad_marker = CU_E_VALIDATION, .bad_marker_message = "Invalid Marker."};

static const struct kind *kind_of(enum last_accessed_type type)
{
    switch (type) {
    case LAST_ACCESSED_USER:
        return &iam_kind_user;
    case LAST_ACCESSED_GROUP:
        return &iam_kind_group;
    case LAST_ACCESSED_ROLE:
        return &iam_kind_role;
    case LAST_ACCESSED_POLICY:
        break;
    }
    return &iam_kind_managed_policy;
}

/* The entity the request's Arn names — the record the resolver loaded — or InvalidInput
 * (not an entity ARN of this account, or a policy where policies are not allowed) or the
 * kind's NoSuchEntity. */
static cu_rc request_entity(struct call *call, const json_t *in, bool policies,
                            enum last_accessed_type *type, json_t **rec)
{
    const char *arn = in_str(in, "Arn"), *name = NULL;
    static const char aws_managed[] = "arn:aws:iam::aws:policy/";

    /* an AWS managed policy is a policy ARN AWS knows; custos keeps none of them */
    if (policies && arn && strncmp(arn, aws_managed, sizeof(aws_managed) - 1) == 0)
        return kind_not_found(call, &iam_kind_managed_policy, arn);
    if (!last_accessed_parse_arn(arn, call->env->account_id, type, &name) ||
        (*type == LAST_ACCESSED_POLICY && !policies))
        return cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                          "Invalid ARN %.300s: specify the ARN of an IAM user, group, role%s of "
                          "this account.",
                          arn ? arn : "", policies ? " or managed policy" : "");
    return kind_target(call, kind_of(*type), *type == LAST_ACCESSED_POLICY ? arn : name, rec);
}

/* Delete the account's jobs past their time. */
struct expired {
    json_t *keys;
    int64_t now_ms;
};

static cu_rc note_expired(const char *key, const json_t *doc, void *ctx)
{
    struct expired *e = ctx;

    if (json_integer_value(json_object_get(doc, "ExpiresAt")) > e->now_ms)
        return CU_OK;
    return tree_append_new(e->keys, json_string(key));
}

static cu_rc sweep_jobs(struct call *call)
{
    cu_rc rc = CU_OK;
    struct expired e = {json_array(), call->now_ms};
    size_t i;
    json_t *key;

    ENSURE(e.keys, CU_E_NOMEM);
    TRY(store_each(call->tx, RECORD_LAST_ACCESSED_JOB, call->env->account_id, note_expired, &e));
    json_array_foreach(e.keys, i, key)
        TRY(store_delete(call->tx, RECORD_LAST_ACCESSED_JOB, call->env->account_id,
                         json_string_value(key), NULL));
out:
    json_decref(e.keys);
    return rc;
}

cu_rc iam_generate_service_last_accessed_details(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    enum last_accessed_type type;
    json_t *rec = NULL, *services = NULL, *principals = NULL, *job = NULL;
    const char *granularity = in_str_or(in, "Granularity", "SERVICE_LEVEL");
    char id[40];

    TRY(request_entity(call, in, true, &type, &rec));
    TRY(last_accessed_report(call, type, rec, strcmp(granularity, "ACTION_LEVEL") == 0,
                             &services, &principals));
    TRY(ids_uuid(id));
    job = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:O?, s:o, s:o}", "JobId", id, "JobType",
                    granularity, "JobStatus", "COMPLETED", "JobCreationDate",
                    (json_int_t)call->now_ms, "JobCompletionDate", (json_int_t)call->now_ms,
                    "ExpiresAt", (json_int_t)(call->now_ms + JOB_KEEP_MS), "Owner",
                    call->principal->arn, "Arn", json_object_get(rec, "Arn"),
                    "ServicesLastAccessed", services, "Entities", principals);
    services = principals = NULL; /* "o" stole them, even on failure */
    ENSURE(job, CU_E_NOMEM);
    TRY(sweep_jobs(call));
    TRY(store_put(call->tx, RECORD_LAST_ACCESSED_JOB, call->env->account_id, id, job,
                  STORE_CREATE));
    TRY(tree_set_str(out, "JobId", id));
out:
    json_decref(services);
    json_decref(principals);
    json_decref(job);
    return rc;
}

/* The caller's own unexpired job named by JobId, or NoSuchEntity. */
static cu_rc load_job(struct call *call, const json_t *in, json_t **job)
{
    cu_rc rc = CU_OK;
    const char *id = in_str(in, "JobId");
    const char *owner;

    TRY(store_get(call->tx, RECORD_LAST_ACCESSED_JOB, call->env->account_id, id, job));
    owner = json_string_value(json_object_get(*job, "Owner"));
    if (*job && owner && strcmp(owner, call->principal->arn) == 0 &&
        json_integer_value(json_object_get(*job, "ExpiresAt")) > call->now_ms)
        goto out;
    json_decref(*job);
    *job = NULL;
    rc = cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY, "The job with ID %s cannot be found.",
                    id);
out:
    return rc;
}

/* The members every Get answers: the job's status and dates. */
static cu_rc job_header(const json_t *job, bool with_type, json_t *out)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_str(out, "JobStatus", json_string_value(json_object_get(job, "JobStatus"))));
    if (with_type)
        TRY(tree_set_str(out, "JobType", json_string_value(json_object_get(job, "JobType"))));
    TRY(tree_set_time_ms(out, "JobCreationDate",
                         json_integer_value(json_object_get(job, "JobCreationDate"))));
    TRY(tree_set_time_ms(out, "JobCompletionDate",
                         json_integer_value(json_object_get(job, "JobCompletionDate"))));
out:
    return rc;
}

/* Page through list, each element rendered through the element shape of op's `member`. */
static cu_rc page_list(struct call *call, const struct page_desc *desc, const json_t *in,
                       const json_t *list, const char *op, const char *member, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    const struct shape *shape = model_list_element(model_output_shape("iam", op, member));
    size_t first, i;
    json_t *item, *shown;

    TRY(page_begin(call, desc, in, &page));
    TRY(page_first_index(call, &page, &first));
    json_array_foreach(list, i, item)
    {
        if (i < first)
            continue;
        if (page_full(&page))
            break;
        TRY(render_record(item, shape, &shown));
        TRY(page_add_index(&page, i, shown));
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_get_service_last_accessed_details(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *job = NULL;

    TRY(load_job(call, in, &job));
    TRY(job_header(job, true, out));
    TRY(page_list(call, &services_page, in, json_object_get(job, "ServicesLastAccessed"),
                  "GetServiceLastAccessedDetails", "ServicesLastAccessed", out));
out:
    json_decref(job);
    return rc;
}

/* A service's EntityDetailsList: the report's principals that attempted it, most recent
 * first, with LastAuthenticated, then the others in report order, without. */
static cu_rc entity_details(const json_t *job, const json_t *service, json_t **out)
{
    cu_rc rc = CU_OK;
    const json_t *all = json_object_get(job, "Entities");
    size_t n = json_array_size(all), i;
    bool *shown = calloc(n ? n : 1, sizeof(*shown));
    json_t *list = json_array(), *used, *info;

    ENSURE(shown && list, CU_E_NOMEM);
    json_array_foreach(json_object_get(service, "Used"), i, used)
    {
        size_t at = (size_t)json_integer_value(json_object_get(used, "i"));

        ENSURE(at < n, CU_E_STORE);
        shown[at] = true;
        TRY(tree_append_new(list, json_pack("{s:O, s:O}", "EntityInfo", json_array_get(all, at),
                                            "LastAuthenticated", json_object_get(used, "t"))));
    }
    json_array_foreach(all, i, info)
        if (!shown[i])
            TRY(tree_append_new(list, json_pack("{s:O}", "EntityInfo", info)));
    *out = list;
    list = NULL;
out:
    free(shown);
    json_decref(list);
    return rc;
}

cu_rc iam_get_service_last_accessed_details_with_entities(struct call *call, const json_t *in,
                                                          json_t *out)
{
    cu_rc rc = CU_OK;
    const char *ns = in_str(in, "ServiceNamespace");
    json_t *job = NULL, *item, *list = NULL;
    size_t i;

    TRY(load_job(call, in, &job));
    TRY(job_header(job, false, out));
    json_array_foreach(json_object_get(job, "ServicesLastAccessed"), i, item)
        if (!list && strcmp(json_string_value(json_object_get(item, "ServiceNamespace")), ns) == 0)
            TRY(entity_details(job, item, &list));
    /* a service the report does not list has no entity that used it through the report's
     * policies: an empty list */
    if (!list)
        list = json_array();
    ENSURE(list, CU_E_NOMEM);
    TRY(page_list(call, &entities_page, in, list, "GetServiceLastAccessedDetailsWithEntities",
                  "EntityDetailsList", out));
out:
    json_decref(list);
    json_decref(job);
    return rc;
}

/* ListPoliciesGrantingServiceAccess: for each namespace asked, in the order asked, the
 * entity's permissions policies that allow some action of it (IAM API reference: a
 * user's own and its groups' policies, a group's or a role's own; never a boundary). */
cu_rc iam_list_policies_granting_service_access(struct call *call, const json_t *in,
                                                json_t *out)
{
    cu_rc rc = CU_OK;
    enum last_accessed_type type;
    struct last_accessed_policies pol = {0};
    json_t *rec = NULL, *list = json_array(), *ns, *entry = NULL;
    size_t i;

    ENSURE(list, CU_E_NOMEM);
    TRY(request_entity(call, in, false, &type, &rec));
    TRY(last_accessed_policies_load(call, type, rec, &pol));
    json_array_foreach(in_list(in, "ServiceNamespaces"), i, ns)
    {
        json_t *policies;

        entry = json_pack("{s:O, s:[]}", "ServiceNamespace", ns, "Policies");
        ENSURE(entry, CU_E_NOMEM);
        policies = json_object_get(entry, "Policies");
        for (size_t p = 0; p < pol.n; p++)
            if (policy_grants_service(pol.v[p].compiled, json_string_value(ns)))
                ENSURE(json_array_append(policies, pol.v[p].entry) == 0, CU_E_NOMEM);
        TRY(tree_append_new(list, entry));
        entry = NULL;
    }
    TRY(page_list(call, &granting_page, in, list, "ListPoliciesGrantingServiceAccess",
                  "PoliciesGrantingServiceAccess", out));
out:
    json_decref(entry);
    json_decref(list);
    last_accessed_policies_release(&pol);
    return rc;
}

/* Resolver for GenerateServiceLastAccessedDetails and ListPoliciesGrantingServiceAccess:
 * the resource is the entity the Arn names (IAM Service Authorization Reference: user,
 * group, role, policy), as given; its record, when it names one of this account, stays in
 * call->target.doc for the handler. */
cu_rc iam_resolve_last_accessed_entity(struct call *call, const json_t *in)
{
    const char *arn = in_str(in, "Arn"), *name = NULL;
    enum last_accessed_type type;

    snprintf(call->target.arn, sizeof(call->target.arn), "%s", arn ? arn : "*");
    iam_set_account_target(call);
    if (!last_accessed_parse_arn(arn, call->env->account_id, &type, &name))
        return CU_OK;
    return kind_find(call, kind_of(type), NULL, type == LAST_ACCESSED_POLICY ? arn : name,
                     &call->target.doc);
}
