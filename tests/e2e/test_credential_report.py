"""GenerateCredentialReport and GetCredentialReport through boto3 and the AWS CLI: the
CSV's exact header, the root row first, one row per user with its password, access keys
(and their last use) as AWS documents the columns, ReportNotPresent before any report,
STARTED then COMPLETE, ReportExpired past four hours (the stored report back-dated in the
store while the server is stopped), and authorization (src/services/iam/credential_report.c)."""
import base64
import csv
import datetime
import io
import json
import os
import sqlite3
import time

from botocore.exceptions import ClientError

import certgen
import harness
from test_mfa import code, now_step

ACCT = harness.ACCOUNT
HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,"
          "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
          "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
          "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          "access_key_2_last_used_date,access_key_2_last_used_region,"
          "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
          "cert_2_last_rotated")
PASSWORD = "Correct-Horse-7-Battery"


def iso(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class CredentialReport(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(env={"CUSTOS_KEY_USAGE_FLUSH_MS": "200"}).start()

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def test_a_report(self):
        s, iam = self.server, self.server.client("iam")
        self.assertEqual(self.error(lambda: iam.get_credential_report()),
                         ("ReportNotPresent", 410,
                          "The request was rejected because the credential report does not "
                          "exist. To generate a credential report, use GenerateCredentialReport."))
        rc, _, err = s.cli("iam", "get-credential-report", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("ReportNotPresent", err)

        alice = iam.create_user(UserName="alice")["User"]
        bob = iam.create_user(UserName="bob", Path="/ops/")["User"]
        iam.create_user(UserName="carol")
        iam.create_login_profile(UserName="alice", Password=PASSWORD)
        k1 = iam.create_access_key(UserName="bob")["AccessKey"]
        time.sleep(1.1)
        k2 = iam.create_access_key(UserName="bob")["AccessKey"]
        iam.update_access_key(UserName="bob", AccessKeyId=k2["AccessKeyId"], Status="Inactive")
        s.client("sts", key=k1["AccessKeyId"], secret=k1["SecretAccessKey"]).get_caller_identity()
        deadline = time.time() + 10
        while (iam.get_access_key_last_used(AccessKeyId=k1["AccessKeyId"])["AccessKeyLastUsed"]
               ["ServiceName"] != "sts" and time.time() < deadline):
            time.sleep(0.1)

        _, out, _ = s.cli("iam", "generate-credential-report")
        self.assertEqual(out, {"State": "STARTED",
                               "Description": "No report exists. Starting a new report generation task"})
        again = iam.generate_credential_report()
        self.assertEqual(again["State"], "COMPLETE")
        self.assertNotIn("Description", again)

        got = iam.get_credential_report()
        self.assertEqual(got["ReportFormat"], "text/csv")
        text = got["Content"].decode()
        lines = text.rstrip("\n").split("\n")
        self.assertEqual(lines[0], HEADER)
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual([r["user"] for r in rows], ["<root_account>", "alice", "bob", "carol"])
        root, a, b, c = rows
        self.assertEqual(root["arn"], f"arn:aws:iam::{ACCT}:root")
        self.assertEqual((root["password_enabled"], root["password_last_changed"],
                          root["password_next_rotation"]),
                         ("not_supported", "not_supported", "not_supported"))
        # the root user's own key (harness.ROOT_KEY) is active and has been used
        self.assertEqual(root["access_key_1_active"], "true")
        self.assertEqual(root["access_key_1_last_used_service"], "iam")

        self.assertEqual(a["arn"], alice["Arn"])
        self.assertEqual(a["user_creation_time"], iso(alice["CreateDate"]))
        self.assertEqual((a["password_enabled"], a["password_last_used"]), ("true", "no_information"))
        profile = iam.get_login_profile(UserName="alice")["LoginProfile"]
        self.assertEqual(a["password_last_changed"], iso(profile["CreateDate"]))
        self.assertEqual(a["password_next_rotation"], "N/A")
        self.assertEqual((a["access_key_1_active"], a["access_key_1_last_rotated"],
                          a["access_key_1_last_used_date"]), ("false", "N/A", "N/A"))

        self.assertEqual(b["arn"], f"arn:aws:iam::{ACCT}:user/ops/bob")
        self.assertEqual(b["arn"], bob["Arn"])
        self.assertEqual((b["password_enabled"], b["password_last_used"],
                          b["password_last_changed"]), ("false", "N/A", "N/A"))
        keys = {k["AccessKeyId"]: k for k in iam.list_access_keys(UserName="bob")["AccessKeyMetadata"]}
        self.assertEqual(b["access_key_1_active"], "true")
        self.assertEqual(b["access_key_1_last_rotated"], iso(keys[k1["AccessKeyId"]]["CreateDate"]))
        self.assertEqual((b["access_key_1_last_used_region"], b["access_key_1_last_used_service"]),
                         (harness.REGION, "sts"))
        used = iam.get_access_key_last_used(AccessKeyId=k1["AccessKeyId"])["AccessKeyLastUsed"]
        self.assertEqual(b["access_key_1_last_used_date"], iso(used["LastUsedDate"]))
        self.assertEqual(b["access_key_2_active"], "false")
        self.assertEqual(b["access_key_2_last_rotated"], iso(keys[k2["AccessKeyId"]]["CreateDate"]))
        self.assertEqual((b["access_key_2_last_used_date"], b["access_key_2_last_used_region"],
                          b["access_key_2_last_used_service"]), ("N/A", "N/A", "N/A"))
        for r in rows:
            # none of these has an MFA device or a signing certificate (MfaAndCertificates)
            self.assertEqual((r["mfa_active"], r["cert_1_active"], r["cert_1_last_rotated"],
                              r["cert_2_active"], r["cert_2_last_rotated"]),
                             ("false", "false", "N/A", "false", "N/A"))
        self.assertEqual(c["access_key_1_active"], "false")

        # the CLI returns the same report, base64 as the API sends it
        _, out, _ = s.cli("iam", "get-credential-report")
        self.assertEqual(base64.b64decode(out["Content"]).decode(), text)
        self.assertEqual(out["ReportFormat"], "text/csv")
        generated = datetime.datetime.fromisoformat(out["GeneratedTime"].replace("Z", "+00:00"))
        self.assertEqual(generated, got["GeneratedTime"])

        # a user made after the report is not in it until a report is generated again
        iam.create_user(UserName="dave")
        text2 = iam.get_credential_report()["Content"].decode()
        self.assertNotIn("\ndave,", text2)

    def test_b_authorization(self):
        s = self.server
        arn, key, secret = s.user("report-reader")
        iam = s.client("iam", key=key, secret=secret)
        for fn, action in ((iam.generate_credential_report, "GenerateCredentialReport"),
                           (iam.get_credential_report, "GetCredentialReport")):
            code, status, message = self.error(fn)
            self.assertEqual((code, status), ("AccessDenied", 403))
            self.assertEqual(message, f"User: {arn} is not authorized to perform: iam:{action} "
                                      f"because no identity-based policy allows the iam:{action} "
                                      f"action")


class ExpiredReport(harness.ServerTest):
    """A report older than four hours: its GeneratedTime moved back in the store while the
    server is stopped."""

    def backdate(self, hours):
        db = sqlite3.connect(os.path.join(self.server.data_dir, "custos.db"))
        try:
            (text,) = db.execute("SELECT doc FROM objects WHERE kind = 'credential_report'").fetchone()
            doc = json.loads(text)
            doc["GeneratedTime"] -= hours * 3600 * 1000
            db.execute("UPDATE objects SET doc = ? WHERE kind = 'credential_report'",
                       (json.dumps(doc),))
            db.commit()
        finally:
            db.close()

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def test_expired_then_regenerated(self):
        s = self.server
        iam = s.client("iam")
        iam.update_account_password_policy(MinimumPasswordLength=8, MaxPasswordAge=90)
        iam.create_user(UserName="rotating")
        iam.create_login_profile(UserName="rotating", Password=PASSWORD)
        changed = iam.get_login_profile(UserName="rotating")["LoginProfile"]["CreateDate"]
        self.assertEqual(iam.generate_credential_report()["State"], "STARTED")
        rows = list(csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode())))
        row = [r for r in rows if r["user"] == "rotating"][0]
        self.assertEqual(row["password_last_changed"], iso(changed))
        self.assertEqual(row["password_next_rotation"], iso(changed + datetime.timedelta(days=90)))
        s.stop()
        self.backdate(3)
        s.start()
        iam = s.client("iam")
        # three hours old: still the report, and generating reuses it
        self.assertEqual(iam.generate_credential_report()["State"], "COMPLETE")
        first = iam.get_credential_report()["GeneratedTime"]
        s.stop()
        self.backdate(2)
        s.start()
        iam = s.client("iam")
        self.assertEqual(self.error(iam.get_credential_report), (
            "ReportExpired", 410,
            "The request was rejected because the most recent credential report has "
            "expired. To generate a new credential report, use GenerateCredentialReport."))
        rc, _, err = s.cli("iam", "get-credential-report", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("ReportExpired", err)
        self.assertEqual(iam.generate_credential_report()["State"], "STARTED")
        self.assertGreater(iam.get_credential_report()["GeneratedTime"], first)


class MfaAndCertificates(harness.ServerTest):
    """mfa_active and the cert_N columns, from the MFA devices and signing certificates the
    users really hold (a server of its own: a report is reused for four hours)."""
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().start()

    def test_columns(self):
        iam = self.server.client("iam")
        for name in ("erin", "frank"):
            iam.create_user(UserName=name)
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName="erin-phone")["VirtualMFADevice"]
        step = now_step() - 1
        iam.enable_mfa_device(UserName="erin", SerialNumber=device["SerialNumber"],
                              AuthenticationCode1=code(device["Base32StringSeed"], step),
                              AuthenticationCode2=code(device["Base32StringSeed"], step + 1))
        first = iam.upload_signing_certificate(UserName="erin", CertificateBody=certgen.openssl_pair()[0])
        time.sleep(1.1)  # upload dates are whole seconds: the order must be visible
        second = iam.upload_signing_certificate(UserName="erin", CertificateBody=certgen.openssl_pair()[0])
        iam.update_signing_certificate(UserName="erin", Status="Inactive",
                                       CertificateId=first["Certificate"]["CertificateId"])
        # an MFA device that is not enabled does not count
        iam.create_virtual_mfa_device(VirtualMFADeviceName="frank-phone")
        iam.generate_credential_report()
        rows = {r["user"]: r for r in csv.DictReader(io.StringIO(
            iam.get_credential_report()["Content"].decode()))}
        e, f = rows["erin"], rows["frank"]
        self.assertEqual(e["mfa_active"], "true")
        self.assertEqual((e["cert_1_active"], e["cert_1_last_rotated"]),
                         ("false", iso(first["Certificate"]["UploadDate"])))
        self.assertEqual((e["cert_2_active"], e["cert_2_last_rotated"]),
                         ("true", iso(second["Certificate"]["UploadDate"])))
        self.assertEqual((f["mfa_active"], f["cert_1_active"], f["cert_1_last_rotated"]),
                         ("false", "false", "N/A"))
        self.assertEqual(rows["<root_account>"]["mfa_active"], "false")



if __name__ == "__main__":
    harness.main()
