"""CloudTrail over custos's own trail: LookupEvents (every lookup attribute, time bounds,
paging, errors) through boto3 and the AWS CLI, events of the IAM and KMS calls made here,
a record sealed into a gzip file before a restart, and the trail's descriptions
(DescribeTrails, GetTrail, GetTrailStatus, ListTrails, ListPublicKeys)."""
import base64
import datetime
import gzip
import hashlib
import json
import os
import re
import time
import unittest

import harness
from botocore.exceptions import ClientError

PLAINTEXT = b"cloudtrail-lookup-plaintext-must-not-appear-0123456789"
TRAIL_ARN = f"arn:aws:cloudtrail:{harness.REGION}:{harness.ACCOUNT}:trail/custos"


def strip_chain(line):
    """A trail line as CloudTrail's record: without custos's chain member."""
    rec = json.loads(line)
    rec.pop("custos", None)
    return rec


class LookupEvents(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.ct = s.client("cloudtrail")
        iam = s.client("iam")
        cls.user_arn, cls.akid, secret = s.user("ct-alice", {
            "Effect": "Allow", "Action": ["iam:GetUser", "kms:*"], "Resource": "*"})
        cls.alice_iam = s.client("iam", key=cls.akid, secret=secret)
        cls.alice_kms = s.client("kms", key=cls.akid, secret=secret)
        for _ in range(3):
            cls.alice_iam.get_user(UserName="ct-alice")
        cls.key_arn = cls.alice_kms.create_key()["KeyMetadata"]["Arn"]
        cls.alice_kms.encrypt(KeyId=cls.key_arn, Plaintext=PLAINTEXT)
        iam.create_user(UserName="ct-bob")

    def lookup(self, key, value, **kw):
        return self.ct.lookup_events(
            LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}], **kw)["Events"]

    def cli_lookup(self, *args):
        return self.server.cli("cloudtrail", "lookup-events", *args)[1]["Events"]

    def test_every_attribute_with_boto3_and_the_cli(self):
        alice = self.lookup("Username", "ct-alice")
        names = [e["EventName"] for e in alice]
        self.assertEqual(names[:5], ["Encrypt", "CreateKey", "GetUser", "GetUser", "GetUser"])
        encrypt = alice[0]
        self.assertEqual(encrypt["EventSource"], "kms.amazonaws.com")
        self.assertEqual(encrypt["AccessKeyId"], self.akid)
        self.assertEqual(encrypt["ReadOnly"], "true")
        self.assertEqual(encrypt["Resources"], [{"ResourceType": "AWS::KMS::Key",
                                                  "ResourceName": self.key_arn}])
        ev = json.loads(encrypt["CloudTrailEvent"])
        self.assertNotIn("custos", ev)
        self.assertEqual(ev["eventID"], encrypt["EventId"])
        self.assertEqual(ev["userIdentity"]["userName"], "ct-alice")
        self.assertIsInstance(encrypt["EventTime"], datetime.datetime)
        wanted = {
            "EventId": (encrypt["EventId"], lambda e: e["EventId"] == encrypt["EventId"]),
            "EventName": ("CreateKey", lambda e: e["EventName"] == "CreateKey"),
            "ReadOnly": ("false", lambda e: e["ReadOnly"] == "false"),
            "Username": ("ct-alice", lambda e: e.get("Username") == "ct-alice"),
            "ResourceType": ("AWS::KMS::Key", lambda e: any(
                r["ResourceType"] == "AWS::KMS::Key" for r in e["Resources"])),
            "ResourceName": (self.key_arn, lambda e: any(
                r["ResourceName"] == self.key_arn for r in e["Resources"])),
            "EventSource": ("kms.amazonaws.com", lambda e: e["EventSource"] == "kms.amazonaws.com"),
            "AccessKeyId": (self.akid, lambda e: e.get("AccessKeyId") == self.akid),
        }
        for key, (value, ok) in wanted.items():
            with self.subTest(key=key):
                got = self.lookup(key, value)
                self.assertTrue(got, key)
                self.assertTrue(all(ok(e) for e in got), key)
                cli = self.cli_lookup("--lookup-attributes",
                                      f"AttributeKey={key},AttributeValue={value}")
                self.assertEqual([e["EventId"] for e in cli][:len(got)],
                                 [e["EventId"] for e in got][:len(cli)])
                self.assertTrue(all(ok(e) for e in cli), key)
        self.assertEqual([e["EventId"] for e in self.lookup("EventId", encrypt["EventId"])],
                         [encrypt["EventId"]])
        self.assertEqual(self.lookup("EventName", "NoSuchEventName"), [])
        # the event of another user's call: root's CreateUser of ct-bob
        bob = self.lookup("ResourceName", f"arn:aws:iam::{harness.ACCOUNT}:user/ct-bob")
        self.assertEqual(bob[0]["EventName"], "CreateUser")
        self.assertEqual(bob[0]["Username"], "root")

    def test_cloud_trail_event_is_the_record_without_the_chain(self):
        ev = self.lookup("EventName", "CreateUser")[0]
        line = next(l for l in self.server.trail_text().split("\n") if ev["EventId"] in l)
        self.assertEqual(json.loads(ev["CloudTrailEvent"]), strip_chain(line))
        self.assertNotIn("previousHash", ev["CloudTrailEvent"])

    def test_the_plaintext_of_encrypt_is_in_no_event(self):
        plain_b64 = base64.b64encode(PLAINTEXT).decode()
        events = self.ct.lookup_events(MaxResults=50)["Events"]
        events += self.lookup("EventName", "Encrypt")
        self.assertTrue(any(e.get("EventName") == "Encrypt" for e in events))
        for e in events:
            self.assertNotIn(PLAINTEXT.decode(), e["CloudTrailEvent"])
            self.assertNotIn(plain_b64, e["CloudTrailEvent"])
        enc = json.loads(self.lookup("EventName", "Encrypt")[0]["CloudTrailEvent"])
        self.assertEqual(enc["requestParameters"]["plaintext"], "HIDDEN_DUE_TO_SECURITY_REASONS")

    def test_lookup_events_is_itself_recorded(self):
        self.ct.lookup_events(MaxResults=1)
        got = self.lookup("EventName", "LookupEvents")
        self.assertTrue(got)
        self.assertEqual(got[0]["EventSource"], "cloudtrail.amazonaws.com")
        self.assertEqual(got[0]["ReadOnly"], "true")

    def test_time_bounds(self):
        first = self.lookup("Username", "ct-alice")[-1]
        t = first["EventTime"]
        after = self.lookup("Username", "ct-alice", StartTime=t + datetime.timedelta(hours=1))
        self.assertEqual(after, [])
        before = self.lookup("Username", "ct-alice", EndTime=t - datetime.timedelta(seconds=1))
        self.assertEqual(before, [])
        within = self.lookup("Username", "ct-alice", StartTime=t - datetime.timedelta(seconds=1),
                             EndTime=t + datetime.timedelta(hours=1))
        self.assertIn(first["EventId"], [e["EventId"] for e in within])
        start = (t - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        cli = self.cli_lookup("--lookup-attributes", "AttributeKey=Username,AttributeValue=ct-alice",
                              "--start-time", start, "--end-time", "2099-01-01T00:00:00Z")
        self.assertEqual([e["EventId"] for e in cli], [e["EventId"] for e in within])
        cli = self.cli_lookup("--lookup-attributes", "AttributeKey=Username,AttributeValue=ct-alice",
                              "--start-time", "2099-01-01T00:00:00Z")
        self.assertEqual(cli, [])

    def test_paging_newest_first(self):
        every = self.lookup("Username", "ct-alice")
        pages, token = [], None
        while True:
            kw = {"NextToken": token} if token else {}
            r = self.ct.lookup_events(LookupAttributes=[{"AttributeKey": "Username",
                                                          "AttributeValue": "ct-alice"}],
                                      MaxResults=2, **kw)
            self.assertLessEqual(len(r["Events"]), 2)
            pages.append(r["Events"])
            token = r.get("NextToken")
            if not token:
                break
        self.assertGreaterEqual(len(pages), 3)
        self.assertEqual([e["EventId"] for p in pages for e in p], [e["EventId"] for e in every])
        times = [e["EventTime"] for p in pages for e in p]
        self.assertEqual(times, sorted(times, reverse=True))
        # boto3's paginator and the CLI's (which pages on its own, --page-size per call)
        pag = self.ct.get_paginator("lookup_events").paginate(
            LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "ct-alice"}],
            PaginationConfig={"PageSize": 2})
        self.assertEqual([e["EventId"] for p in pag for e in p["Events"]],
                         [e["EventId"] for e in every])
        cli = self.cli_lookup("--lookup-attributes", "AttributeKey=Username,AttributeValue=ct-alice",
                              "--page-size", "2")
        self.assertEqual([e["EventId"] for e in cli], [e["EventId"] for e in every])
        rc, out, _ = self.server.cli("cloudtrail", "lookup-events", "--lookup-attributes",
                                     "AttributeKey=Username,AttributeValue=ct-alice",
                                     "--max-items", "3")
        self.assertEqual([e["EventId"] for e in out["Events"]], [e["EventId"] for e in every[:3]])
        self.assertIn("NextToken", out)
        # the default page is 50
        self.assertLessEqual(len(self.ct.lookup_events()["Events"]), 50)

    def test_errors(self):
        def code(fn, **kw):
            with self.assertRaises(ClientError) as cm:
                fn(**kw)
            return (cm.exception.response["Error"]["Code"],
                    cm.exception.response["ResponseMetadata"]["HTTPStatusCode"])

        two = [{"AttributeKey": "EventName", "AttributeValue": "GetUser"},
               {"AttributeKey": "Username", "AttributeValue": "ct-alice"}]
        self.assertEqual(code(self.ct.lookup_events, LookupAttributes=two),
                         ("InvalidLookupAttributesException", 400))
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertEqual(code(self.ct.lookup_events, StartTime=now,
                              EndTime=now - datetime.timedelta(days=1)),
                         ("InvalidTimeRangeException", 400))
        self.assertEqual(code(self.ct.lookup_events, NextToken="not-a-token"),
                         ("InvalidNextTokenException", 400))
        # MaxResults past 50 and an EventCategory of no kind: the operation's own errors,
        # not the model's ValidationException (botocore refuses MaxResults 0 itself)
        for n in (51, 1000):
            self.assertEqual(code(self.ct.lookup_events, MaxResults=n),
                             ("InvalidMaxResultsException", 400))
        with self.assertRaises(ClientError) as cm:
            self.ct.lookup_events(MaxResults=51)
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "This exception is thrown if the limit specified is not valid.")
        self.assertEqual(code(self.ct.lookup_events, EventCategory="management"),
                         ("InvalidEventCategoryException", 400))
        self.assertEqual(self.ct.lookup_events(EventCategory="insight")["Events"], [])
        r = self.ct.lookup_events(MaxResults=1)
        self.assertIn("NextToken", r)
        # a token of another query ("previously used in a request with different parameters")
        self.assertEqual(code(self.ct.lookup_events, MaxResults=1, NextToken=r["NextToken"],
                              LookupAttributes=[{"AttributeKey": "EventName",
                                                 "AttributeValue": "GetUser"}]),
                         ("InvalidNextTokenException", 400))
        rc, _, err = self.server.cli("cloudtrail", "lookup-events", "--lookup-attributes",
                                     "AttributeKey=EventName,AttributeValue=a",
                                     "AttributeKey=Username,AttributeValue=b", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidLookupAttributesException", err)

    def test_denied_without_cloudtrail_permission(self):
        _, key, secret = self.server.user("ct-noperm")
        ct = self.server.client("cloudtrail", key=key, secret=secret)
        with self.assertRaises(ClientError) as cm:
            ct.lookup_events()
        self.assertEqual(cm.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertIn("cloudtrail:LookupEvents", cm.exception.response["Error"]["Message"])
        denied = self.lookup("Username", "ct-noperm")
        self.assertEqual(denied[0]["EventName"], "LookupEvents")
        self.assertEqual(json.loads(denied[0]["CloudTrailEvent"])["errorCode"],
                         "AccessDeniedException")

    def test_trail_descriptions(self):
        trails = self.ct.describe_trails()["trailList"]
        self.assertEqual(len(trails), 1)
        t = trails[0]
        self.assertEqual((t["Name"], t["TrailARN"], t["HomeRegion"]), ("custos", TRAIL_ARN, harness.REGION))
        self.assertTrue(t["IsMultiRegionTrail"] and t["LogFileValidationEnabled"]
                        and t["IncludeGlobalServiceEvents"])
        self.assertEqual(self.ct.describe_trails(trailNameList=[TRAIL_ARN])["trailList"], trails)
        self.assertEqual(self.ct.describe_trails(trailNameList=["other"])["trailList"], [])
        self.assertEqual(self.ct.get_trail(Name="custos")["Trail"], t)
        self.assertEqual(self.ct.get_trail(Name=TRAIL_ARN)["Trail"], t)
        self.assertEqual(self.ct.list_trails()["Trails"],
                         [{"TrailARN": TRAIL_ARN, "Name": "custos", "HomeRegion": harness.REGION}])
        status = self.ct.get_trail_status(Name="custos")
        self.assertTrue(status["IsLogging"])
        with self.assertRaises(ClientError) as cm:
            self.ct.get_trail(Name="nope")
        self.assertEqual(cm.exception.response["Error"]["Code"], "TrailNotFoundException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         f"Unknown trail: nope for the user: {harness.ACCOUNT}")
        with self.assertRaises(ClientError) as cm:
            self.ct.get_trail_status(Name="nope")
        self.assertEqual(cm.exception.response["Error"]["Code"], "TrailNotFoundException")
        cli = self.server.cli("cloudtrail", "describe-trails")[1]
        self.assertEqual(cli["trailList"][0]["TrailARN"], TRAIL_ARN)

    def test_list_public_keys_is_the_signing_key(self):
        keys = self.ct.list_public_keys()["PublicKeyList"]
        self.assertEqual(len(keys), 1)
        with open(os.path.join(self.server.data_dir, "audit-trail", "public-key.pem")) as f:
            pem = f.read()
        der = base64.b64decode("".join(l for l in pem.splitlines() if "-----" not in l))
        self.assertEqual(keys[0]["Value"], der)
        self.assertEqual(keys[0]["Fingerprint"], hashlib.sha256(der).hexdigest())
        self.assertLessEqual(keys[0]["ValidityStartTime"], keys[0]["ValidityEndTime"])
        with self.assertRaises(ClientError) as cm:
            now = datetime.datetime.now(datetime.timezone.utc)
            self.ct.list_public_keys(StartTime=now, EndTime=now - datetime.timedelta(days=1))
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidTimeRangeException")
        old = datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc)
        self.assertEqual(self.ct.list_public_keys(StartTime=old, EndTime=old)["PublicKeyList"], [])


def pinned_trail_files(pid):
    """Removed trail files the server still holds open (their disk is not freed)."""
    fds = f"/proc/{pid}/fd"
    targets = []
    for fd in os.listdir(fds):
        try:
            targets.append(os.readlink(os.path.join(fds, fd)))
        except OSError:
            pass
    return [t for t in targets if "audit-trail" in t and t.endswith(" (deleted)")]


class SealedFiles(unittest.TestCase):
    def test_sealed_and_rotated_records_are_found(self):
        # a small rotation size: the sealer rotates the live file while the index follows it
        srv = harness.Server(extra_args=["--audit-rotate-bytes", "4096"]).start()
        try:
            iam = srv.client("iam")
            iam.create_user(UserName="ct-sealed")
            ct = srv.client("cloudtrail")
            first = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                        "AttributeValue": "CreateUser"}])["Events"]
            self.assertEqual(len(first), 1)
            trail = os.path.join(srv.data_dir, "audit-trail")
            deadline = time.time() + 20
            n = 0
            while not any(f.endswith(".jsonl.gz") for f in os.listdir(trail)):
                iam.get_user(UserName="ct-sealed")
                n += 1
                self.assertLess(time.time(), deadline, "the live file was never rotated")
            for _ in range(3):
                iam.get_user(UserName="ct-sealed")
            got = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventId",
                                                      "AttributeValue": first[0]["EventId"]}])
            self.assertEqual([e["EventId"] for e in got["Events"]], [first[0]["EventId"]])
            reads = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                        "AttributeValue": "GetUser"}],
                                     MaxResults=50)["Events"]
            self.assertEqual(len(reads), min(n + 3, 50))
            # the index lets go of the plain files the sealer compressed and removed
            deadline = time.time() + 20
            while pinned_trail_files(srv.proc.pid):
                self.assertLess(time.time(), deadline, pinned_trail_files(srv.proc.pid))
                ct.lookup_events(MaxResults=1)
                time.sleep(0.2)
            srv.stop()
            # the shutdown sealed the live file: after a restart every record is in gzip files
            sealed = "".join(gzip.open(os.path.join(trail, f), "rt").read()
                             for f in sorted(os.listdir(trail)) if f.endswith(".jsonl.gz"))
            self.assertIn(first[0]["EventId"], sealed)
            srv.start()
            ct = srv.client("cloudtrail")
            got = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventId",
                                                      "AttributeValue": first[0]["EventId"]}])
            self.assertEqual([e["EventId"] for e in got["Events"]], [first[0]["EventId"]])
            self.assertEqual(json.loads(got["Events"][0]["CloudTrailEvent"])["eventName"], "CreateUser")
            rc, out, _ = srv.cli("cloudtrail", "lookup-events", "--lookup-attributes",
                                 "AttributeKey=ResourceName,AttributeValue="
                                 f"arn:aws:iam::{harness.ACCOUNT}:user/ct-sealed", "--max-items", "1")
            self.assertEqual(out["Events"][0]["Resources"][0]["ResourceName"],
                             f"arn:aws:iam::{harness.ACCOUNT}:user/ct-sealed")
            self.assertEqual(out["Events"][0]["EventName"], "GetUser")
            status = ct.get_trail_status(Name="custos")
            self.assertIn("LatestDeliveryTime", status)
            self.assertIn("LatestDigestDeliveryTime", status)
            # every sealed file has its .idx beside it now; the next start takes the files
            # from them, and one made garbage is rebuilt, with the same answers
            sealed = sorted(f[:-len(".jsonl.gz")] for f in os.listdir(trail)
                            if f.endswith(".jsonl.gz"))
            self.assertEqual(sorted(f[:-len(".idx")] for f in os.listdir(trail)
                                    if f.endswith(".idx")), sealed)
            srv.stop()
            with open(os.path.join(trail, sealed[0] + ".idx"), "wb") as f:
                f.write(b"CUSTIDX1 garbage")
            srv.start()
            ct = srv.client("cloudtrail")
            got = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventId",
                                                      "AttributeValue": first[0]["EventId"]}])
            self.assertEqual([e["EventId"] for e in got["Events"]], [first[0]["EventId"]])
            reads = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                        "AttributeValue": "GetUser"}],
                                     MaxResults=50)["Events"]
            self.assertEqual(len(reads), min(n + 3, 50))
            self.assertGreater(os.path.getsize(os.path.join(trail, sealed[0] + ".idx")), 100)
        finally:
            srv.cleanup()


if __name__ == "__main__":
    harness.main()
