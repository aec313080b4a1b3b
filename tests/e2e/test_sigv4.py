"""SigV4 authentication failures, each with AWS's error code for the protocol."""
import datetime
import json
import re

import harness
import rawhttp

GCI = {"Action": "GetCallerIdentity", "Version": "2011-06-15"}


def xml_code(body):
    m = re.search(rb"<Code>([^<]+)</Code>", body)
    return m.group(1).decode() if m else None


class SigV4(harness.ServerTest):
    def test_valid_signature(self):
        status, _, body = rawhttp.query(self.server, GCI, service="sts")
        self.assertEqual(status, 200, body)
        self.assertIn(f"<Arn>arn:aws:iam::{harness.ACCOUNT}:root</Arn>".encode(), body)
        self.assertIn(b"<RequestId>", body)

    def test_missing_authentication(self):
        status, _, body = rawhttp.query(self.server, GCI, service="sts", sign=False)
        self.assertEqual((status, xml_code(body)), (403, "MissingAuthenticationToken"))
        status, _, body = rawhttp.kms(self.server, "ListKeys", {}, sign=False)
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "MissingAuthenticationTokenException")

    def test_wrong_secret(self):
        status, _, body = rawhttp.query(self.server, GCI, service="sts", secret="wrong" * 8)
        self.assertEqual((status, xml_code(body)), (403, "SignatureDoesNotMatch"))
        status, _, body = rawhttp.kms(self.server, "ListKeys", {}, secret="wrong" * 8)
        self.assertEqual((status, json.loads(body)["__type"]), (400, "InvalidSignatureException"))

    def test_unknown_access_key(self):
        status, _, body = rawhttp.query(self.server, GCI, service="sts", key="AKIAUNKNOWNUNKNOWN00")
        self.assertEqual((status, xml_code(body)), (403, "InvalidClientTokenId"))
        status, _, body = rawhttp.kms(self.server, "ListKeys", {}, key="AKIAUNKNOWNUNKNOWN00")
        self.assertEqual((status, json.loads(body)["__type"]), (400, "UnrecognizedClientException"))

    def test_incomplete_signature(self):
        req = rawhttp.build(self.server, "sts", "Action=GetCallerIdentity&Version=2011-06-15",
                            {"Content-Type": "application/x-www-form-urlencoded"})
        req.headers.replace_header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAROOTTESTKEY00001/20240101/us-east-1/sts/aws4_request")
        status, _, body = rawhttp.send(self.server, req)
        self.assertEqual((status, xml_code(body)), (400, "IncompleteSignature"))

    def test_clock_skew_windows(self):
        now = rawhttp.now()
        # STS and IAM accept 15 minutes either way, KMS 5 (AWS-NOTES section 6)
        for minutes, ok in ((14, True), (-14, True), (16, False), (-16, False)):
            status, _, body = rawhttp.query(self.server, GCI, service="sts",
                                            when=now - datetime.timedelta(minutes=minutes))
            self.assertEqual(status == 200, ok, (minutes, body))
            if not ok:
                self.assertEqual(xml_code(body), "SignatureDoesNotMatch")
                self.assertIn(b"Signature expired" if minutes > 0 else b"Signature not yet current", body)
        for minutes, ok in ((4, True), (-4, True), (6, False), (-6, False)):
            status, _, body = rawhttp.kms(self.server, "ListKeys", {},
                                          when=now - datetime.timedelta(minutes=minutes))
            self.assertEqual(status == 200, ok, (minutes, body))
            if not ok:
                self.assertEqual(json.loads(body)["__type"], "InvalidSignatureException")

    def test_wrong_region_or_service_in_scope(self):
        # every region of the partition is served (the scope's region selects the call's
        # region: test_kms_regions); a name that is no region of it does not fit the endpoint
        status, _, body = rawhttp.query(self.server, GCI, service="sts", region="eu-west-1")
        self.assertEqual(status, 200, body)
        status, _, body = rawhttp.query(self.server, GCI, service="sts", region="xx-nowhere-1")
        self.assertEqual(status, 403, body)
        self.assertEqual(xml_code(body), "SignatureDoesNotMatch")
        self.assertIn(b"Credential should be scoped to a valid region", body)
        status, _, body = rawhttp.kms(self.server, "ListKeys", {}, headers={}, region="us-east-1",
                                      key=harness.ROOT_KEY)
        self.assertEqual(status, 200)

    def test_presigned_get(self):
        req = rawhttp.presigned_url(self.server, "sts", GCI, expires=60)
        status, _, body = rawhttp.send(self.server, req)
        self.assertEqual(status, 200, body)
        self.assertIn(b"GetCallerIdentityResult", body)
        bad = rawhttp.presigned_url(self.server, "sts", GCI, expires=60, secret="x" * 40)
        status, _, body = rawhttp.send(self.server, bad)
        self.assertEqual((status, xml_code(body)), (403, "SignatureDoesNotMatch"))

    def test_body_tampered_after_signing(self):
        req = rawhttp.build(self.server, "sts", "Action=GetCallerIdentity&Version=2011-06-15",
                            {"Content-Type": "application/x-www-form-urlencoded"})
        req.data = b"Action=GetCallerIdentity&Version=2011-06-16"
        status, _, body = rawhttp.send(self.server, req)
        self.assertEqual((status, xml_code(body)), (403, "SignatureDoesNotMatch"))

    def test_failed_authentication_is_audited(self):
        rawhttp.query(self.server, GCI, service="sts", key="AKIAAUDITPROBE000001")
        records = [r for r in self.server.audit_records()
                   if r["userIdentity"].get("accessKeyId") == "AKIAAUDITPROBE000001"]
        self.assertEqual(len(records), 1)
        self.assertEqual(records[0]["errorCode"], "InvalidClientTokenId")


if __name__ == "__main__":
    harness.main()
