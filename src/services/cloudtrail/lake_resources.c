/* lake_resources.c — CloudTrail's channels, dashboards and resource-based policies in
 * custos's account: none exist (custos ingests no outside events, draws no dashboards and
 * attaches no policy to a CloudTrail resource). A channel or dashboard named by id or ARN is
 * not found; an ARN of the wrong shape is refused with the operation's ARN error; the lists
 * are empty; creating one is UnsupportedOperationException. The trail has no resource
 * policy (ResourcePolicyNotFoundException) and takes none: CloudTrail attaches them to
 * channels, event data stores and dashboards only. Nothing here writes. */
#include <stdio.h>
#include <string.h>

#include "cloudtrail.h"
#include "cloudtrail_ops.gen.h"
#include "core/tree.h"
#include "services/in.h"

/* s is an ARN of that type in this account */
static bool ours(const struct call *call, const char *s, const char *type)
{
    char in_account[64];

    snprintf(in_account, sizeof(in_account), ":%s:%s/", call->env->account_id, type);
    return cloudtrail_arn_is(s, type) && strstr(s, in_account);
}

static cu_rc need_channel(struct call *call, const char *channel)
{
    if (channel && strncmp(channel, "arn:", 4) == 0 && !ours(call, channel, "channel"))
        return cu_err_set(&call->err, CU_E_CT_CHANNEL_ARN_INVALID,
                          "The specified value of ChannelARN is not valid.");
    return cu_err_set(&call->err, CU_E_CT_CHANNEL_NOT_FOUND,
                      "CloudTrail cannot find the specified channel.");
}

static cu_rc need_dashboard(struct call *call)
{
    return cu_err_set(&call->err, CU_E_CT_RESOURCE_NOT_FOUND,
                      "The specified resource is not found.");
}

static cu_rc unsupported(struct call *call, const char *what)
{
    return cu_err_set(&call->err, CU_E_CT_UNSUPPORTED_OPERATION,
                      "custos does not provide CloudTrail %s: its records are in its one "
                      "trail, custos, searched with LookupEvents.",
                      what);
}

static cu_rc empty_list(struct call *call, const json_t *in, json_t *out, const char *member)
{
    if (in_str(in, "NextToken"))
        return cu_err_set(&call->err, CU_E_CT_INVALID_NEXT_TOKEN, "Invalid NextToken.");
    return tree_set_new(out, member, json_array());
}

cu_rc cloudtrail_resolve_channel(struct call *call, const json_t *in)
{
    cloudtrail_target(call, in_str(in, "Channel"), "channel");
    return CU_OK;
}

cu_rc cloudtrail_resolve_dashboard(struct call *call, const json_t *in)
{
    cloudtrail_target(call, in_str(in, "DashboardId"), "dashboard");
    return CU_OK;
}

/* ResourceArn: the resource as named; a bare name is the trail's (the one resource custos
 * has that a name alone can mean) */
cu_rc cloudtrail_resolve_policy_resource(struct call *call, const json_t *in)
{
    cloudtrail_target(call, in_str(in, "ResourceArn"), "trail");
    return CU_OK;
}

cu_rc cloudtrail_create_channel(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return unsupported(call, "channels (events from outside AWS)");
}

cu_rc cloudtrail_get_channel(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return need_channel(call, in_str(in, "Channel"));
}

cu_rc cloudtrail_update_channel(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return need_channel(call, in_str(in, "Channel"));
}

cu_rc cloudtrail_delete_channel(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return need_channel(call, in_str(in, "Channel"));
}

cu_rc cloudtrail_list_channels(struct call *call, const json_t *in, json_t *out)
{
    return empty_list(call, in, out, "Channels");
}

cu_rc cloudtrail_create_dashboard(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return unsupported(call, "Lake dashboards");
}

cu_rc cloudtrail_get_dashboard(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return need_dashboard(call);
}

cu_rc cloudtrail_update_dashboard(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return need_dashboard(call);
}

cu_rc cloudtrail_delete_dashboard(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return need_dashboard(call);
}

cu_rc cloudtrail_start_dashboard_refresh(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return need_dashboard(call);
}

cu_rc cloudtrail_list_dashboards(struct call *call, const json_t *in, json_t *out)
{
    return empty_list(call, in, out, "Dashboards");
}

/* What ResourceArn names, for the three policy operations: CU_OK for custos's trail, else
 * the error (a policy resource that does not exist, or an ARN of no such resource). */
static cu_rc policy_resource(struct call *call, const char *arn)
{
    if (cloudtrail_names_trail(call, arn))
        return CU_OK;
    if (ours(call, arn, "channel") || ours(call, arn, "eventdatastore") ||
        ours(call, arn, "dashboard"))
        return cu_err_set(&call->err, CU_E_CT_RESOURCE_NOT_FOUND,
                          "The specified resource is not found.");
    return cu_err_set(&call->err, CU_E_CT_RESOURCE_ARN_NOT_VALID,
                      "The provided resource does not exist, or the ARN format of the resource "
                      "is not valid.");
}

static cu_rc no_policy(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;

    TRY(policy_resource(call, in_str(in, "ResourceArn")));
    rc = cu_err_set(&call->err, CU_E_CT_RESOURCE_POLICY_NOT_FOUND,
                    "The specified resource policy is not found.");
out:
    return rc;
}

cu_rc cloudtrail_get_resource_policy(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return no_policy(call, in);
}

cu_rc cloudtrail_delete_resource_policy(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return no_policy(call, in);
}

cu_rc cloudtrail_put_resource_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;

    (void)out;
    TRY(policy_resource(call, in_str(in, "ResourceArn")));
    rc = cu_err_set(&call->err, CU_E_CT_RESOURCE_TYPE_NOT_SUPPORTED,
                    "CloudTrail attaches resource-based policies to channels, event data "
                    "stores and dashboards, not to trails.");
out:
    return rc;
}
