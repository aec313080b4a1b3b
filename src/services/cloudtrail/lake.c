/* lake.c — CloudTrail Lake as it stands in custos's account: no event data store, query,
 * import or Insights event exists, since custos keeps its records in its one trail
 * (LookupEvents searches them). So a data store named by id suffix or ARN is one that does
 * not exist (EventDataStoreNotFoundException), and an ARN that is not a data store's of this
 * account is refused as one (EventDataStoreARNInvalidException); queries and imports by id
 * are not found; the lists are empty, one page; creating a data store is
 * UnsupportedOperationException naming what custos does not provide. Nothing here writes. */
#include <stdio.h>
#include <string.h>

#include "cloudtrail.h"
#include "cloudtrail_ops.gen.h"
#include "core/tree.h"
#include "services/in.h"

#define NO_LAKE                                                                                    \
    "custos does not provide CloudTrail Lake: its records are in its one trail, "                  \
    "custos, searched with LookupEvents"

cu_rc cloudtrail_need_event_data_store(struct call *call, const char *store)
{
    char in_account[64];

    snprintf(in_account, sizeof(in_account), ":%s:eventdatastore/", call->env->account_id);
    if (store && strncmp(store, "arn:", 4) == 0 &&
        (!cloudtrail_arn_is(store, "eventdatastore") || !strstr(store, in_account)))
        return cu_err_set(&call->err, CU_E_CT_EDS_ARN_INVALID,
                          "The specified event data store ARN is not valid or does not map to "
                          "an event data store in your account.");
    return cu_err_set(&call->err, CU_E_CT_EDS_NOT_FOUND, "The event data store was not found.");
}

cu_rc cloudtrail_resolve_event_data_store(struct call *call, const json_t *in)
{
    cloudtrail_target(call, in_str(in, "EventDataStore"), "eventdatastore");
    return CU_OK;
}

cu_rc cloudtrail_resolve_first_event_data_store(struct call *call, const json_t *in)
{
    const json_t *stores = in_list(in, "EventDataStores");

    cloudtrail_target(call, json_string_value(json_array_get(stores, 0)), "eventdatastore");
    return CU_OK;
}

/* The one answer of every operation on a data store custos does not have. */
static cu_rc on_store(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return cloudtrail_need_event_data_store(call, in_str(in, "EventDataStore"));
}

/* A list operation without a paginator in botocore: one page, never a NextToken, so any
 * NextToken sent is one CloudTrail did not issue. */
static cu_rc empty_list(struct call *call, const json_t *in, json_t *out, const char *member)
{
    if (in_str(in, "NextToken"))
        return cu_err_set(&call->err, CU_E_CT_INVALID_NEXT_TOKEN, "Invalid NextToken.");
    return tree_set_new(out, member, json_array());
}

/* A paged list with nothing in it: the marker is still checked (page.h). */
static cu_rc empty_page(struct call *call, const struct page_desc *desc, const json_t *in,
                        json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};

    TRY(page_begin(call, desc, in, &page));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

static cu_rc query_not_found(struct call *call)
{
    return cu_err_set(&call->err, CU_E_CT_QUERY_ID_NOT_FOUND,
                      "The query ID does not exist or does not map to a query.");
}

static cu_rc import_not_found(struct call *call)
{
    return cu_err_set(&call->err, CU_E_CT_IMPORT_NOT_FOUND, "The specified import was not found.");
}

cu_rc cloudtrail_create_event_data_store(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return cu_err_set(&call->err, CU_E_CT_UNSUPPORTED_OPERATION,
                      "%s; it creates no event data store.", NO_LAKE);
}

cu_rc cloudtrail_get_event_data_store(struct call *call, const json_t *in, json_t *out)
{
    return on_store(call, in, out);
}

cu_rc cloudtrail_update_event_data_store(struct call *call, const json_t *in, json_t *out)
{
    return on_store(call, in, out);
}

cu_rc cloudtrail_delete_event_data_store(struct call *call, const json_t *in, json_t *out)
{
    return on_store(call, in, out);
}

cu_rc cloudtrail_restore_event_data_store(struct call *call, const json_t *in, json_t *out)
{
    return on_store(call, in, out);
}

cu_rc cloudtrail_start_event_data_store_ingestion(struct call *call, const json_t *in, json_t *out)
{
    return on_store(call, in, out);
}

cu_rc cloudtrail_stop_event_data_store_ingestion(struct call *call, const json_t *in, json_t *out)
{
    return on_store(call, in, out);
}

cu_rc cloudtrail_enable_federation(struct call *call, const json_t *in, json_t *out)
{
    return on_store(call, in, out);
}

cu_rc cloudtrail_disable_federation(struct call *call, const json_t *in, json_t *out)
{
    return on_store(call, in, out);
}

cu_rc cloudtrail_list_event_data_stores(struct call *call, const json_t *in, json_t *out)
{
    return empty_list(call, in, out, "EventDataStores");
}

cu_rc cloudtrail_list_queries(struct call *call, const json_t *in, json_t *out)
{
    return on_store(call, in, out);
}

cu_rc cloudtrail_start_query(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    /* a statement queries the data store its FROM names: none of custos's, as it has none */
    if (in_str(in, "QueryStatement"))
        return cu_err_set(&call->err, CU_E_CT_EDS_NOT_FOUND, "The event data store was not found.");
    return cu_err_set(&call->err, CU_E_CT_INVALID_PARAMETER,
                      "You must specify a QueryStatement: no dashboard query alias exists.");
}

/* DescribeQuery, GetQueryResults, CancelQuery: the data store when named, else the query. */
static cu_rc on_query(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    if (in_str(in, "EventDataStore"))
        return cloudtrail_need_event_data_store(call, in_str(in, "EventDataStore"));
    return query_not_found(call);
}

cu_rc cloudtrail_describe_query(struct call *call, const json_t *in, json_t *out)
{
    return on_query(call, in, out);
}

cu_rc cloudtrail_get_query_results(struct call *call, const json_t *in, json_t *out)
{
    return on_query(call, in, out);
}

cu_rc cloudtrail_cancel_query(struct call *call, const json_t *in, json_t *out)
{
    return on_query(call, in, out);
}

cu_rc cloudtrail_generate_query(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return cloudtrail_need_event_data_store(
        call, json_string_value(json_array_get(in_list(in, "EventDataStores"), 0)));
}

cu_rc cloudtrail_search_sample_queries(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return cu_err_set(&call->err, CU_E_CT_UNSUPPORTED_OPERATION, "%s; it has no sample queries.",
                      NO_LAKE);
}

cu_rc cloudtrail_start_import(struct call *call, const json_t *in, json_t *out)
{
    const json_t *dests = in_list(in, "Destinations");

    (void)out;
    /* ImportId restarts an import; else Destinations name the data stores to fill */
    if (in_str(in, "ImportId"))
        return import_not_found(call);
    if (json_array_size(dests) > 0)
        return cloudtrail_need_event_data_store(call, json_string_value(json_array_get(dests, 0)));
    return cu_err_set(&call->err, CU_E_CT_INVALID_PARAMETER,
                      "You must specify an ImportId, or Destinations and an ImportSource.");
}

cu_rc cloudtrail_get_import(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return import_not_found(call);
}

cu_rc cloudtrail_stop_import(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return import_not_found(call);
}

cu_rc cloudtrail_list_imports(struct call *call, const json_t *in, json_t *out)
{
    return empty_page(call, &cloudtrail_list_imports_page, in, out);
}

cu_rc cloudtrail_list_import_failures(struct call *call, const json_t *in, json_t *out)
{
    /* the model lists no not-found error here: an import that never ran failed nothing */
    return empty_page(call, &cloudtrail_list_import_failures_page, in, out);
}

/* Insights: the trail computes none, so it has no Insights events and no metrics. */
cu_rc cloudtrail_list_insights_data(struct call *call, const json_t *in, json_t *out)
{
    const char *source = in_str(in, "InsightSource");

    if (!cloudtrail_names_trail(call, source))
        return cu_err_set(&call->err, CU_E_CT_INVALID_PARAMETER,
                          "InsightSource %s is not a trail or event data store of this account.",
                          source ? source : "");
    return empty_page(call, &cloudtrail_list_insights_data_page, in, out);
}

cu_rc cloudtrail_list_insights_metric_data(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *trail = in_str(in, "TrailName");
    char arn[CLOUDTRAIL_ARN_MAX];

    if (trail && !cloudtrail_names_trail(call, trail))
        TRY(cu_err_set(&call->err, CU_E_CT_INVALID_TRAIL_NAME, "Unknown trail: %s for the user: %s",
                       trail, call->env->account_id));
    if (trail) {
        cloudtrail_trail_arn(call, arn);
        TRY(tree_set_str(out, "TrailARN", arn));
    }
    TRY(tree_set_str(out, "EventSource", in_str(in, "EventSource")));
    TRY(tree_set_str(out, "EventName", in_str(in, "EventName")));
    TRY(tree_set_str(out, "InsightType", in_str(in, "InsightType")));
    if (in_str(in, "ErrorCode"))
        TRY(tree_set_str(out, "ErrorCode", in_str(in, "ErrorCode")));
    TRY(tree_set_new(out, "Timestamps", json_array()));
    TRY(tree_set_new(out, "Values", json_array()));
out:
    return rc;
}
