/* trail_settings.c — what custos's trail records, and the requests to change it. The trail
 * records every call of every region: all management events, read and write, and no data
 * events, which is the event selector CloudTrail gives a trail created without one
 * (GetEventSelectors). It has no Insights and no aggregation. It is the compliance record
 * (issue 12: attributable, tamper-evident records of every call), so a request to stop,
 * delete or narrow it — StopLogging, DeleteTrail, UpdateTrail, Put*Selectors,
 * PutEventConfiguration — is refused with OperationNotPermittedException, the model's
 * error for an operation not permitted, saying why; the refused request is itself recorded
 * like every other. StartLogging on it succeeds with nothing to do: it is logging. Any other
 * trail answers TrailNotFoundException, as GetTrail does (trails.c). */
#include <stdio.h>
#include <string.h>

#include "cloudtrail.h"
#include "cloudtrail_ops.gen.h"
#include "core/tree.h"
#include "services/in.h"

cu_rc cloudtrail_resolve_trail(struct call *call, const json_t *in)
{
    cloudtrail_target(call, in_str(in, "Name"), "trail");
    return CU_OK;
}

cu_rc cloudtrail_resolve_selector_trail(struct call *call, const json_t *in)
{
    cloudtrail_target(call, in_str(in, "TrailName"), "trail");
    return CU_OK;
}

/* The trail is found, then refused: TrailNotFoundException for any other name. */
static cu_rc refuse(struct call *call, const char *name, const char *why)
{
    cu_rc rc = CU_OK;

    TRY(cloudtrail_need_trail(call, name));
    rc = cu_err_set(&call->err, CU_E_CT_OPERATION_NOT_PERMITTED,
                    "This operation is not permitted: the trail %s is custos's audit trail, "
                    "the compliance record of every call, and %s.",
                    CLOUDTRAIL_TRAIL_NAME, why);
out:
    return rc;
}

/* TrailName or EventDataStore, exactly one (GetInsightSelectors, GetEventConfiguration,
 * PutEventConfiguration): a data store is one custos does not have. */
static cu_rc trail_or_store(struct call *call, const json_t *in, const char **trail)
{
    const char *store = in_str(in, "EventDataStore");

    *trail = in_str(in, "TrailName");
    if ((*trail != NULL) == (store != NULL))
        return cu_err_set(&call->err, CU_E_CT_INVALID_PARAMETER_COMBINATION,
                          "You must specify either a trail or an event data store, not both.");
    if (store)
        return cloudtrail_need_event_data_store(call, store);
    return cloudtrail_need_trail(call, *trail);
}

cu_rc cloudtrail_get_event_selectors(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    char arn[CLOUDTRAIL_ARN_MAX];
    json_t *selectors = NULL;

    TRY(cloudtrail_need_trail(call, in_str(in, "TrailName")));
    cloudtrail_trail_arn(call, arn);
    selectors =
        json_pack("[{s:s, s:b, s:[], s:[]}]", "ReadWriteType", "All", "IncludeManagementEvents", 1,
                  "DataResources", "ExcludeManagementEventSources");
    TRY(tree_set_str(out, "TrailARN", arn));
    TRY(tree_set_new(out, "EventSelectors", selectors));
out:
    return rc;
}

cu_rc cloudtrail_get_insight_selectors(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *trail = NULL;
    char arn[CLOUDTRAIL_ARN_MAX];

    (void)out;
    TRY(trail_or_store(call, in, &trail));
    cloudtrail_trail_arn(call, arn);
    /* CloudTrail's wording for a trail without Insights (CloudTrail user guide,
     * logging-insights-events-with-cloudtrail) */
    rc = cu_err_set(&call->err, CU_E_CT_INSIGHT_NOT_ENABLED,
                    "Trail %s does not have Insights enabled. Edit the trail settings to "
                    "enable Insights, and then try the operation again.",
                    arn);
out:
    return rc;
}

cu_rc cloudtrail_get_event_configuration(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *trail = NULL;
    char arn[CLOUDTRAIL_ARN_MAX];

    TRY(trail_or_store(call, in, &trail));
    cloudtrail_trail_arn(call, arn);
    /* a trail's event configuration is its aggregations; the trail has none */
    TRY(tree_set_str(out, "TrailARN", arn));
    TRY(tree_set_new(out, "AggregationConfigurations", json_array()));
out:
    return rc;
}

cu_rc cloudtrail_start_logging(struct call *call, const json_t *in, json_t *out)
{
    /* logging since the server started, and never stopped: nothing to start */
    (void)out;
    return cloudtrail_need_trail(call, in_str(in, "Name"));
}

cu_rc cloudtrail_stop_logging(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return refuse(call, in_str(in, "Name"), "cannot be stopped");
}

cu_rc cloudtrail_delete_trail(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return refuse(call, in_str(in, "Name"), "cannot be deleted");
}

cu_rc cloudtrail_update_trail(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return refuse(call, in_str(in, "Name"),
                  "its settings (every region, global events, signed digests) cannot change");
}

cu_rc cloudtrail_put_event_selectors(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return refuse(call, in_str(in, "TrailName"),
                  "it records every management event, read and write; what it records "
                  "cannot be narrowed");
}

cu_rc cloudtrail_put_insight_selectors(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *trail = NULL;

    (void)out;
    TRY(trail_or_store(call, in, &trail));
    rc = refuse(call, trail, "its settings cannot change (custos computes no Insights)");
out:
    return rc;
}

cu_rc cloudtrail_put_event_configuration(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *trail = NULL;

    (void)out;
    TRY(trail_or_store(call, in, &trail));
    rc = refuse(call, trail, "what it records cannot change");
out:
    return rc;
}
