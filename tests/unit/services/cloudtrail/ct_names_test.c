/* Tests for services/cloudtrail/ct_names.c: which strings are CloudTrail ARNs of a resource
 * type (the shape every ARN error of cloudtrail's operation files rests on), adversarial
 * ones included — truncated, wrong service or type, a short or non-digit account, no id —
 * and the target a resolver sets from an ARN or from a bare name or id. */
#include <string.h>

#include "check.h"
#include "services/cloudtrail/cloudtrail.h"

#define EDS "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/"

static void test_arns_of_a_type(void)
{
    CHECK(cloudtrail_arn_is(EDS "0c7ae3b8", "eventdatastore"));
    CHECK(cloudtrail_arn_is("arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/t", "trail"));
    CHECK(cloudtrail_arn_is("arn:aws:cloudtrail:eu-west-1:123456789012:channel/a:b", "channel"));
    CHECK(!cloudtrail_arn_is(EDS "0c7ae3b8", "channel"));
    CHECK(!cloudtrail_arn_is(EDS, "eventdatastore"));                   /* no id */
    CHECK(!cloudtrail_arn_is(EDS "x", "eventdata"));                    /* type is a prefix */
    CHECK(!cloudtrail_arn_is("arn:aws:kms:us-east-1:123456789012:eventdatastore/x",
                             "eventdatastore"));                         /* another service */
    CHECK(!cloudtrail_arn_is("arn:aws:cloudtrail::123456789012:trail/t", "trail")); /* region */
    CHECK(!cloudtrail_arn_is("arn:aws:cloudtrail:us-east-1:12345678901:trail/t", "trail"));
    CHECK(!cloudtrail_arn_is("arn:aws:cloudtrail:us-east-1:1234567890123:trail/t", "trail"));
    CHECK(!cloudtrail_arn_is("arn:aws:cloudtrail:us-east-1:12345678901x:trail/t", "trail"));
    CHECK(!cloudtrail_arn_is("arn:aws:cloudtrail:us-east-1", "trail"));  /* truncated */
    CHECK(!cloudtrail_arn_is("arn:aws:cloudtrail:us-east-1:123456789012:", "trail"));
    CHECK(!cloudtrail_arn_is("arn:", "trail"));
    CHECK(!cloudtrail_arn_is("custos", "trail"));
    CHECK(!cloudtrail_arn_is("", "trail"));
    CHECK(!cloudtrail_arn_is(NULL, "trail"));
}

static void test_targets(void)
{
    struct call_env env = {.region = "us-east-1", .account_id = "123456789012"};
    struct call call = {.env = &env, .region = "eu-west-1"};

    cloudtrail_target(&call, "custos", "trail"); /* a trail's home region: the server's */
    CHECK_STR(call.target.arn, "arn:aws:cloudtrail:us-east-1:123456789012:trail/custos");
    CHECK_STR(call.target.account_id, "123456789012");
    cloudtrail_target(&call, "0c7ae3b8", "eventdatastore"); /* the call's region */
    CHECK_STR(call.target.arn, "arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/0c7ae3b8");
    cloudtrail_target(&call, EDS "x", "channel"); /* an ARN is taken as it is */
    CHECK_STR(call.target.arn, EDS "x");
    cloudtrail_target(&call, NULL, "dashboard");
    CHECK_STR(call.target.arn, "arn:aws:cloudtrail:eu-west-1:123456789012:dashboard/");
}

int main(void)
{
    test_arns_of_a_type();
    test_targets();
    TEST_END();
}
