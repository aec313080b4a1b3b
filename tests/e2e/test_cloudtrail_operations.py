"""CloudTrail's operations beyond the trail's descriptions and LookupEvents (test_cloudtrail.py),
answered as CloudTrail answers an account whose one trail is custos's: the trail's settings
(GetEventSelectors, GetInsightSelectors, GetEventConfiguration, StartLogging), the changes
refused because the trail is the compliance record (StopLogging, DeleteTrail, UpdateTrail,
PutEventSelectors, PutInsightSelectors, PutEventConfiguration: OperationNotPermittedException,
each refused call itself recorded and the trail still logging), CreateTrail's checks, the
trail's tags, CloudTrail Lake, channels, dashboards and resource policies (none exist),
delegated administrators (no organization), and authorization on the resource's ARN."""
import json
import unittest

import harness
from botocore.exceptions import ClientError

TRAIL_ARN = f"arn:aws:cloudtrail:{harness.REGION}:{harness.ACCOUNT}:trail/custos"
EDS_ARN = f"arn:aws:cloudtrail:{harness.REGION}:{harness.ACCOUNT}:eventdatastore/" \
          "0c7ae3b8-8ca3-4f6b-9c1d-2b8e1f3a4d5e"
CHANNEL_ARN = f"arn:aws:cloudtrail:{harness.REGION}:{harness.ACCOUNT}:channel/" \
              "2a3b4c5d-1111-2222-3333-444455556666"
DASHBOARD_ARN = f"arn:aws:cloudtrail:{harness.REGION}:{harness.ACCOUNT}:dashboard/mine"
QUERY_ID = "5f0a7c4e-1b2d-4e3f-8a9b-0c1d2e3f4a5b"
IMPORT_ID = "7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9"

EDS_NOT_FOUND = ("EventDataStoreNotFoundException", "The event data store was not found.")
EDS_ARN_INVALID = ("EventDataStoreARNInvalidException",
                   "The specified event data store ARN is not valid or does not map to an "
                   "event data store in your account.")
NOT_PERMITTED = "This operation is not permitted: the trail custos is custos's audit trail, " \
                "the compliance record of every call, and "


def unknown_trail(name):
    return ("TrailNotFoundException", f"Unknown trail: {name} for the user: {harness.ACCOUNT}")


class Operations(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ct = cls.server.client("cloudtrail")

    def error(self, fn, **kw):
        """(code, message) of a call that must fail with HTTP 400."""
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        err = cm.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400, err)
        return err["Error"]["Code"], err["Error"]["Message"]

    def cli_error(self, *args):
        rc, _, stderr = self.server.cli("cloudtrail", *args, check=False)
        self.assertNotEqual(rc, 0)
        return stderr

    def records_of(self, name):
        return [r for r in self.server.audit_records() if r.get("eventName") == name]

    # -- the trail's settings --------------------------------------------------------

    def test_event_selectors_are_every_management_event(self):
        want = {"TrailARN": TRAIL_ARN, "EventSelectors": [{
            "ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
            "ExcludeManagementEventSources": []}]}
        for name in ("custos", TRAIL_ARN):
            got = self.ct.get_event_selectors(TrailName=name)
            got.pop("ResponseMetadata")
            self.assertEqual(got, want)
        _, out, _ = self.server.cli("cloudtrail", "get-event-selectors", "--trail-name", "custos")
        self.assertEqual(out, want)
        self.assertEqual(self.error(self.ct.get_event_selectors, TrailName="other"),
                         unknown_trail("other"))

    def test_insight_selectors_are_not_enabled(self):
        msg = (f"Trail {TRAIL_ARN} does not have Insights enabled. Edit the trail settings to "
               "enable Insights, and then try the operation again.")
        self.assertEqual(self.error(self.ct.get_insight_selectors, TrailName="custos"),
                         ("InsightNotEnabledException", msg))
        self.assertIn("InsightNotEnabledException",
                      self.cli_error("get-insight-selectors", "--trail-name", TRAIL_ARN))
        self.assertEqual(self.error(self.ct.get_insight_selectors, TrailName="nope"),
                         unknown_trail("nope"))
        self.assertEqual(self.error(self.ct.get_insight_selectors, EventDataStore=EDS_ARN),
                         EDS_NOT_FOUND)
        code, _ = self.error(self.ct.get_insight_selectors)
        self.assertEqual(code, "InvalidParameterCombinationException")
        code, _ = self.error(self.ct.get_insight_selectors, TrailName="custos",
                             EventDataStore=EDS_ARN)
        self.assertEqual(code, "InvalidParameterCombinationException")

    def test_event_configuration_has_no_aggregation(self):
        got = self.ct.get_event_configuration(TrailName="custos")
        self.assertEqual((got["TrailARN"], got["AggregationConfigurations"]), (TRAIL_ARN, []))
        self.assertNotIn("MaxEventSize", got)
        self.assertEqual(self.error(self.ct.get_event_configuration, TrailName="x-trail"),
                         unknown_trail("x-trail"))
        self.assertEqual(self.error(self.ct.get_event_configuration, EventDataStore="abc"),
                         EDS_NOT_FOUND)

    def test_start_logging_a_logging_trail_succeeds(self):
        self.ct.start_logging(Name="custos")
        self.server.cli("cloudtrail", "start-logging", "--name", TRAIL_ARN)
        self.assertTrue(self.ct.get_trail_status(Name="custos")["IsLogging"])
        self.assertEqual(self.error(self.ct.start_logging, Name="elsewhere"),
                         unknown_trail("elsewhere"))
        self.assertEqual([r.get("errorCode") for r in self.records_of("StartLogging")],
                         [None, None, "TrailNotFoundException"])

    # -- changes refused: the trail is the compliance record --------------------------

    def test_stopping_deleting_or_narrowing_the_trail_is_refused_and_recorded(self):
        refused = [
            ("StopLogging", self.ct.stop_logging, {"Name": "custos"}, "cannot be stopped"),
            ("DeleteTrail", self.ct.delete_trail, {"Name": TRAIL_ARN}, "cannot be deleted"),
            ("UpdateTrail", self.ct.update_trail,
             {"Name": "custos", "IsMultiRegionTrail": False}, "cannot change"),
            ("PutEventSelectors", self.ct.put_event_selectors,
             {"TrailName": "custos", "EventSelectors": [{"ReadWriteType": "WriteOnly"}]},
             "cannot be narrowed"),
            ("PutInsightSelectors", self.ct.put_insight_selectors,
             {"TrailName": "custos", "InsightSelectors": [{"InsightType": "ApiCallRateInsight"}]},
             "custos computes no Insights"),
            ("PutEventConfiguration", self.ct.put_event_configuration,
             {"TrailName": "custos", "MaxEventSize": "Large"}, "cannot change"),
        ]
        for op, fn, kw, why in refused:
            with self.subTest(op=op):
                code, msg = self.error(fn, **kw)
                self.assertEqual(code, "OperationNotPermittedException")
                self.assertTrue(msg.startswith(NOT_PERMITTED), msg)
                self.assertIn(why, msg)
                # still logging, and the refused call is in the trail and found by lookup
                self.assertTrue(self.ct.get_trail_status(Name="custos")["IsLogging"])
                recs = self.records_of(op)
                self.assertEqual(recs[-1]["errorCode"], "OperationNotPermittedException")
                self.assertEqual(recs[-1]["errorMessage"], msg)
                events = self.ct.lookup_events(LookupAttributes=[
                    {"AttributeKey": "EventName", "AttributeValue": op}])["Events"]
                self.assertEqual(json.loads(events[0]["CloudTrailEvent"])["requestID"],
                                 recs[-1]["requestID"])
        # another trail is not found before anything is refused
        self.assertEqual(self.error(self.ct.stop_logging, Name="mine"), unknown_trail("mine"))
        self.assertEqual(self.error(self.ct.put_event_selectors, TrailName="mine",
                                    EventSelectors=[]), unknown_trail("mine"))
        self.assertEqual(self.error(self.ct.put_insight_selectors, EventDataStore=EDS_ARN,
                                    InsightSelectors=[]), EDS_NOT_FOUND)
        stderr = self.cli_error("stop-logging", "--name", "custos")
        self.assertIn("OperationNotPermittedException", stderr)
        self.assertIn("cannot be stopped", stderr)
        self.assertTrue(self.ct.get_trail_status(Name="custos")["IsLogging"])

    # -- CreateTrail ----------------------------------------------------------------

    def test_create_trail_checks_the_name_then_the_bucket(self):
        bad = {
            "ab": "Trail name too short. Minimum allowed length: 3 characters. Specified name "
                  "length: 2 characters.",
            "a" * 129: "Trail name too long. Maximum allowed length: 128 characters. Specified "
                       "name length: 129 characters.",
            "-abc": "Trail name must starts with a letter or number.",
            "abc_": "Trail name must ends with a letter or number.",
            "my trail": "Trail name or ARN can only contain uppercase letters, lowercase letters, "
                        "numbers, periods (.), hyphens (-), and underscores (_).",
            "my-_trail": "Trail name cannot have adjacent periods (.), hyphens (-), or "
                         "underscores (_).",
            "my--trail": "Trail name cannot have adjacent periods (.), hyphens (-), or "
                         "underscores (_).",
            "192.168.5.4": "Trail name cannot be formatted as an IP address.",
        }
        for name, msg in bad.items():
            with self.subTest(name=name):
                self.assertEqual(self.error(self.ct.create_trail, Name=name, S3BucketName="b"),
                                 ("InvalidTrailNameException", msg))
        self.assertEqual(self.error(self.ct.create_trail, Name="custos", S3BucketName="b"),
                         ("TrailAlreadyExistsException",
                          f"Trail custos already exists for customer: {harness.ACCOUNT}"))
        code, _ = self.error(self.ct.create_trail, Name="org-trail", S3BucketName="b",
                             IsOrganizationTrail=True)
        self.assertEqual(code, "OrganizationsNotInUseException")
        for name in ("my.trail_1", "192.168.5", "Trail-2"):
            self.assertEqual(self.error(self.ct.create_trail, Name=name, S3BucketName="my-logs"),
                             ("S3BucketDoesNotExistException", "S3 bucket my-logs does not exist!"))
        self.assertIn("S3BucketDoesNotExistException", self.cli_error(
            "create-trail", "--name", "cli-trail", "--s3-bucket-name", "cli-logs"))
        self.assertEqual([t["Name"] for t in self.ct.list_trails()["Trails"]], ["custos"])

    # -- the trail's tags -------------------------------------------------------------

    def tags(self):
        got = self.ct.list_tags(ResourceIdList=[TRAIL_ARN])["ResourceTagList"]
        self.assertEqual([r["ResourceId"] for r in got], [TRAIL_ARN])
        return {t["Key"]: t.get("Value") for t in got[0].get("TagsList", [])}

    def test_tags_are_kept_with_cloudtrails_limits(self):
        self.assertEqual(self.tags(), {})
        self.ct.add_tags(ResourceId=TRAIL_ARN, TagsList=[
            {"Key": "team", "Value": "audit"}, {"Key": "gxp"}])
        self.ct.add_tags(ResourceId="custos", TagsList=[{"Key": "team", "Value": "qa"}])
        self.assertEqual(self.tags(), {"team": "qa", "gxp": None})
        _, out, _ = self.server.cli("cloudtrail", "list-tags", "--resource-id-list", TRAIL_ARN)
        self.assertEqual(out["ResourceTagList"][0]["TagsList"],
                         [{"Key": "team", "Value": "qa"}, {"Key": "gxp"}])
        code, _ = self.error(self.ct.add_tags, ResourceId=TRAIL_ARN, TagsList=[
            {"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
        self.assertEqual(code, "InvalidTagParameterException")
        code, msg = self.error(self.ct.add_tags, ResourceId=TRAIL_ARN, TagsList=[
            {"Key": f"k{i}", "Value": "v"} for i in range(49)])
        self.assertEqual((code, msg), ("TagsLimitExceededException",
                                       "The number of tags per trail has exceeded the permitted "
                                       "amount. Currently, the limit is 50."))
        self.assertEqual(self.tags(), {"team": "qa", "gxp": None})   # nothing half-added
        self.ct.add_tags(ResourceId=TRAIL_ARN, TagsList=[
            {"Key": f"k{i}", "Value": "v"} for i in range(48)])
        self.assertEqual(len(self.tags()), 50)
        self.ct.remove_tags(ResourceId=TRAIL_ARN, TagsList=[
            {"Key": f"k{i}"} for i in range(48)] + [{"Key": "absent"}])
        self.server.cli("cloudtrail", "remove-tags", "--resource-id", TRAIL_ARN,
                        "--tags-list", "Key=gxp")
        self.assertEqual(self.tags(), {"team": "qa"})
        other = TRAIL_ARN.replace("trail/custos", "trail/other")
        self.assertEqual(self.error(self.ct.add_tags, ResourceId=other, TagsList=[{"Key": "a"}]),
                         ("ResourceNotFoundException", "The specified resource is not found."))
        self.assertEqual(self.error(self.ct.list_tags, ResourceIdList=[EDS_ARN]), EDS_NOT_FOUND)
        code, _ = self.error(self.ct.remove_tags, ResourceId=CHANNEL_ARN, TagsList=[{"Key": "a"}])
        self.assertEqual(code, "ChannelNotFoundException")
        code, msg = self.error(self.ct.list_tags, ResourceIdList=["arn:aws:s3:::bucket"])
        self.assertEqual(code, "CloudTrailARNInvalidException")
        self.assertIn("arn:aws:s3:::bucket", msg)

    # -- CloudTrail Lake: no event data store, query or import --------------------------

    def test_event_data_stores_are_none(self):
        ops = [
            (self.ct.get_event_data_store, {}), (self.ct.update_event_data_store, {}),
            (self.ct.delete_event_data_store, {}), (self.ct.restore_event_data_store, {}),
            (self.ct.start_event_data_store_ingestion, {}),
            (self.ct.stop_event_data_store_ingestion, {}),
            (self.ct.enable_federation, {"FederationRoleArn": "arn:aws:iam::123456789012:role/f"}),
            (self.ct.disable_federation, {}), (self.ct.list_queries, {}),
        ]
        for fn, extra in ops:
            with self.subTest(op=fn.__name__):
                for store in (EDS_ARN, "0c7ae3b8-8ca3-4f6b-9c1d-2b8e1f3a4d5e"):
                    self.assertEqual(self.error(fn, EventDataStore=store, **extra), EDS_NOT_FOUND)
                for bad in ("arn:aws:cloudtrail:us-east-1:123456789012:trail/custos",
                            "arn:aws:cloudtrail:us-east-1:999999999999:eventdatastore/x",
                            "arn:aws:s3:::bucket"):
                    self.assertEqual(self.error(fn, EventDataStore=bad, **extra), EDS_ARN_INVALID)
        self.assertEqual(self.error(self.ct.generate_query, EventDataStores=[EDS_ARN],
                                    Prompt="who disabled keys?"), EDS_NOT_FOUND)
        code, msg = self.error(self.ct.create_event_data_store, Name="lake")
        self.assertEqual(code, "UnsupportedOperationException")
        self.assertIn("custos does not provide CloudTrail Lake", msg)
        self.assertIn("UnsupportedOperationException", self.cli_error(
            "create-event-data-store", "--name", "lake"))
        self.assertIn("EventDataStoreNotFoundException", self.cli_error(
            "get-event-data-store", "--event-data-store", EDS_ARN))
        got = self.ct.list_event_data_stores()
        self.assertEqual((got["EventDataStores"], "NextToken" in got), ([], False))
        _, out, _ = self.server.cli("cloudtrail", "list-event-data-stores")
        self.assertEqual(out["EventDataStores"], [])
        code, _ = self.error(self.ct.list_event_data_stores, NextToken="never-issued")
        self.assertEqual(code, "InvalidNextTokenException")

    def test_queries_and_imports_are_not_found(self):
        not_found = ("QueryIdNotFoundException",
                     "The query ID does not exist or does not map to a query.")
        self.assertEqual(self.error(self.ct.describe_query, QueryId=QUERY_ID), not_found)
        self.assertEqual(self.error(self.ct.get_query_results, QueryId=QUERY_ID), not_found)
        self.assertEqual(self.error(self.ct.cancel_query, QueryId=QUERY_ID), not_found)
        self.assertEqual(self.error(self.ct.describe_query, QueryId=QUERY_ID,
                                    EventDataStore=EDS_ARN), EDS_NOT_FOUND)
        self.assertEqual(self.error(self.ct.start_query, QueryStatement=(
            "SELECT eventName FROM 0c7ae3b8-8ca3-4f6b-9c1d-2b8e1f3a4d5e")), EDS_NOT_FOUND)
        code, _ = self.error(self.ct.start_query, QueryAlias="top-errors")
        self.assertEqual(code, "InvalidParameterException")
        code, _ = self.error(self.ct.search_sample_queries, SearchPhrase="failed logins")
        self.assertEqual(code, "UnsupportedOperationException")
        imp = ("ImportNotFoundException", "The specified import was not found.")
        self.assertEqual(self.error(self.ct.get_import, ImportId=IMPORT_ID), imp)
        self.assertEqual(self.error(self.ct.stop_import, ImportId=IMPORT_ID), imp)
        self.assertEqual(self.error(self.ct.start_import, ImportId=IMPORT_ID), imp)
        self.assertEqual(self.error(self.ct.start_import, Destinations=[EDS_ARN], ImportSource={
            "S3": {"S3LocationUri": "s3://b/p", "S3BucketRegion": "us-east-1",
                   "S3BucketAccessRoleArn": "arn:aws:iam::123456789012:role/r"}}), EDS_NOT_FOUND)
        self.assertIn("ImportNotFoundException", self.cli_error("get-import", "--import-id",
                                                                IMPORT_ID))
        self.assertEqual(self.ct.list_imports()["Imports"], [])
        self.assertEqual(self.ct.list_import_failures(ImportId=IMPORT_ID)["Failures"], [])
        pages = list(self.ct.get_paginator("list_imports").paginate(PaginationConfig={"PageSize": 5}))
        self.assertEqual([p["Imports"] for p in pages], [[]])
        code, _ = self.error(self.ct.list_imports, NextToken="forged-token")
        self.assertEqual(code, "InvalidNextTokenException")

    def test_insights_data_is_empty(self):
        got = self.ct.list_insights_data(InsightSource=TRAIL_ARN, DataType="InsightsEvents")
        self.assertEqual((got["Events"], "NextToken" in got), ([], False))
        code, _ = self.error(self.ct.list_insights_data, InsightSource=EDS_ARN,
                             DataType="InsightsEvents")
        self.assertEqual(code, "InvalidParameterException")
        got = self.ct.list_insights_metric_data(TrailName="custos", EventSource="kms.amazonaws.com",
                                                EventName="Decrypt",
                                                InsightType="ApiCallRateInsight")
        got.pop("ResponseMetadata")
        self.assertEqual(got, {"TrailARN": TRAIL_ARN, "EventSource": "kms.amazonaws.com",
                               "EventName": "Decrypt", "InsightType": "ApiCallRateInsight",
                               "Timestamps": [], "Values": []})
        code, _ = self.error(self.ct.list_insights_metric_data, TrailName="other",
                             EventSource="kms.amazonaws.com", EventName="Decrypt",
                             InsightType="ApiCallRateInsight")
        self.assertEqual(code, "InvalidTrailNameException")

    # -- channels, dashboards, resource policies ----------------------------------------

    def test_channels_and_dashboards_are_none(self):
        channel = ("ChannelNotFoundException", "CloudTrail cannot find the specified channel.")
        invalid = ("ChannelARNInvalidException", "The specified value of ChannelARN is not valid.")
        for fn in (self.ct.get_channel, self.ct.update_channel, self.ct.delete_channel):
            with self.subTest(op=fn.__name__):
                self.assertEqual(self.error(fn, Channel=CHANNEL_ARN), channel)
                self.assertEqual(self.error(fn, Channel="2a3b4c5d-1111"), channel)
                self.assertEqual(self.error(fn, Channel=EDS_ARN), invalid)
        code, msg = self.error(self.ct.create_channel, Name="chan", Source="Custom", Destinations=[
            {"Type": "EVENT_DATA_STORE", "Location": EDS_ARN}])
        self.assertEqual(code, "UnsupportedOperationException")
        self.assertIn("channels", msg)
        self.assertEqual(self.ct.list_channels()["Channels"], [])
        dash = ("ResourceNotFoundException", "The specified resource is not found.")
        self.assertEqual(self.error(self.ct.get_dashboard, DashboardId=DASHBOARD_ARN), dash)
        self.assertEqual(self.error(self.ct.update_dashboard, DashboardId="mine"), dash)
        self.assertEqual(self.error(self.ct.delete_dashboard, DashboardId="mine"), dash)
        self.assertEqual(self.error(self.ct.start_dashboard_refresh, DashboardId="mine"), dash)
        code, _ = self.error(self.ct.create_dashboard, Name="mine")
        self.assertEqual(code, "UnsupportedOperationException")
        self.assertEqual(self.ct.list_dashboards()["Dashboards"], [])
        _, out, _ = self.server.cli("cloudtrail", "list-channels")
        self.assertEqual(out["Channels"], [])
        self.assertIn("ChannelNotFoundException", self.cli_error(
            "get-channel", "--channel", CHANNEL_ARN))

    def test_resource_policies(self):
        none = ("ResourcePolicyNotFoundException", "The specified resource policy is not found.")
        self.assertEqual(self.error(self.ct.get_resource_policy, ResourceArn=TRAIL_ARN), none)
        self.assertEqual(self.error(self.ct.delete_resource_policy, ResourceArn=TRAIL_ARN), none)
        code, _ = self.error(self.ct.put_resource_policy, ResourceArn=TRAIL_ARN,
                             ResourcePolicy="{}")
        self.assertEqual(code, "ResourceTypeNotSupportedException")
        for arn in (EDS_ARN, CHANNEL_ARN, DASHBOARD_ARN):
            self.assertEqual(self.error(self.ct.get_resource_policy, ResourceArn=arn),
                             ("ResourceNotFoundException", "The specified resource is not found."))
        code, _ = self.error(self.ct.get_resource_policy, ResourceArn="arn:aws:s3:::bucket")
        self.assertEqual(code, "ResourceARNNotValidException")

    def test_delegated_administrators_need_an_organization(self):
        for fn, kw in ((self.ct.register_organization_delegated_admin,
                        {"MemberAccountId": "111122223333"}),
                       (self.ct.deregister_organization_delegated_admin,
                        {"DelegatedAdminAccountId": "111122223333"})):
            code, msg = self.error(fn, **kw)
            self.assertEqual(code, "OrganizationsNotInUseException")
            self.assertTrue(msg.startswith("This account is not a member of an organization"))
        self.assertIn("OrganizationsNotInUseException", self.cli_error(
            "register-organization-delegated-admin", "--member-account-id", "111122223333"))

    # -- authorization on the resource's ARN -------------------------------------------

    def test_actions_are_authorized_on_the_resource(self):
        _, key, secret = self.server.user("ct-ops-reader", {
            "Effect": "Allow", "Action": ["cloudtrail:GetEventSelectors", "cloudtrail:StopLogging",
                                          "cloudtrail:ListTags", "cloudtrail:GetEventDataStore"],
            "Resource": [TRAIL_ARN, EDS_ARN]})
        ct = self.server.client("cloudtrail", key=key, secret=secret)
        self.assertEqual(ct.get_event_selectors(TrailName="custos")["TrailARN"], TRAIL_ARN)
        self.assertEqual(ct.list_tags(ResourceIdList=[TRAIL_ARN])["ResourceTagList"][0]["ResourceId"],
                         TRAIL_ARN)
        # allowed, then refused for what it is
        self.assertEqual(self.error(ct.stop_logging, Name="custos")[0],
                         "OperationNotPermittedException")
        self.assertEqual(self.error(ct.get_event_data_store, EventDataStore=EDS_ARN), EDS_NOT_FOUND)
        denials = [
            (ct.get_event_selectors, {"TrailName": "other"}, "cloudtrail:GetEventSelectors",
             TRAIL_ARN.replace("custos", "other")),
            (ct.delete_trail, {"Name": "custos"}, "cloudtrail:DeleteTrail", TRAIL_ARN),
            (ct.get_channel, {"Channel": CHANNEL_ARN}, "cloudtrail:GetChannel", CHANNEL_ARN),
            (ct.get_event_data_store, {"EventDataStore": "abc"}, "cloudtrail:GetEventDataStore",
             EDS_ARN.rpartition("/")[0] + "/abc"),
        ]
        for fn, kw, action, arn in denials:
            with self.subTest(action=action):
                code, msg = self.error(fn, **kw)
                self.assertEqual(code, "AccessDeniedException")
                self.assertIn(f"perform: {action} on resource: {arn} ", msg)
        code, msg = self.error(ct.list_channels)
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("perform: cloudtrail:ListChannels because", msg)


if __name__ == "__main__":
    harness.main()
