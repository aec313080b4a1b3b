"""GetAccessKeyLastUsed through boto3 and the AWS CLI: "N/A" for a key never used, the
service and region of the last use once the usage flusher has run (src/auth/key_usage.c;
its interval is CUSTOS_KEY_USAGE_FLUSH_MS, short here), no store write per request, the
record surviving a restart, a clean shutdown flushing what was pending, the record gone
with DeleteAccessKey, and authorization on the key's owner
(src/services/iam/access_key_last_used.c)."""
import datetime
import os
import sqlite3
import time

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
FLUSH_MS = 300


def store_seq(server):
    db = sqlite3.connect(os.path.join(server.data_dir, "custos.db"))
    try:
        return db.execute("SELECT MAX(seq) FROM change_log").fetchone()[0] or 0
    finally:
        db.close()


def usage_records(server, akid):
    db = sqlite3.connect(os.path.join(server.data_dir, "custos.db"))
    try:
        return db.execute("SELECT COUNT(*) FROM objects WHERE kind = 'access_key_last_used' "
                          "AND key = ?", (akid,)).fetchone()[0]
    finally:
        db.close()


class AccessKeyLastUsed(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(env={"CUSTOS_KEY_USAGE_FLUSH_MS": str(FLUSH_MS)}).start()

    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def wait_used(self, akid, service, timeout=10):
        deadline = time.time() + timeout
        while True:
            got = self.iam.get_access_key_last_used(AccessKeyId=akid)
            if got["AccessKeyLastUsed"].get("ServiceName") == service or time.time() > deadline:
                return got
            time.sleep(0.1)

    def test_a_never_used_then_used_against_sts(self):
        iam = self.iam
        iam.create_user(UserName="caller")
        key = iam.create_access_key(UserName="caller")["AccessKey"]
        got = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        self.assertEqual(got["UserName"], "caller")
        self.assertEqual(got["AccessKeyLastUsed"], {"ServiceName": "N/A", "Region": "N/A"})
        _, out, _ = self.server.cli("iam", "get-access-key-last-used", "--access-key-id",
                                    key["AccessKeyId"])
        self.assertEqual(out, {"UserName": "caller",
                               "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}})

        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        sts = self.server.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        self.assertEqual(sts.get_caller_identity()["Arn"], f"arn:aws:iam::{ACCT}:user/caller")
        got = self.wait_used(key["AccessKeyId"], "sts")
        used = got["AccessKeyLastUsed"]
        self.assertEqual((used["ServiceName"], used["Region"]), ("sts", harness.REGION))
        self.assertGreaterEqual(used["LastUsedDate"], before)
        self.assertLessEqual(used["LastUsedDate"], datetime.datetime.now(datetime.timezone.utc))
        _, out, _ = self.server.cli("iam", "get-access-key-last-used", "--access-key-id",
                                    key["AccessKeyId"])
        self.assertEqual(out["AccessKeyLastUsed"]["ServiceName"], "sts")
        self.assertEqual(out["AccessKeyLastUsed"]["Region"], harness.REGION)

    def test_b_many_requests_few_store_writes(self):
        iam = self.iam
        iam.create_user(UserName="busy")
        key = iam.create_access_key(UserName="busy")["AccessKey"]
        sts = self.server.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        sts.get_caller_identity()
        self.wait_used(key["AccessKeyId"], "sts")
        seq_before = self.store_seq()
        started = time.time()
        for _ in range(60):
            sts.get_caller_identity()
        intervals = (time.time() - started) * 1000 / FLUSH_MS + 2
        self.wait_used(key["AccessKeyId"], "sts")
        time.sleep(2 * FLUSH_MS / 1000)
        # 60 requests: one store write per flush interval at most, not one each
        self.assertLessEqual(self.store_seq() - seq_before, intervals)
        self.assertLess(self.store_seq() - seq_before, 60)

    def store_seq(self):
        return store_seq(self.server)

    def test_c_deleted_with_its_key_and_errors(self):
        iam = self.iam
        iam.create_user(UserName="gone")
        key = iam.create_access_key(UserName="gone")["AccessKey"]
        self.server.client("sts", key=key["AccessKeyId"],
                           secret=key["SecretAccessKey"]).get_caller_identity()
        self.wait_used(key["AccessKeyId"], "sts")
        self.assertEqual(usage_records(self.server, key["AccessKeyId"]), 1)
        iam.delete_access_key(UserName="gone", AccessKeyId=key["AccessKeyId"])
        self.assertEqual(usage_records(self.server, key["AccessKeyId"]), 0)
        missing = ("NoSuchEntity", 404,
                   f"The Access Key with id {key['AccessKeyId']} cannot be found.")
        self.assertEqual(self.error(lambda: iam.get_access_key_last_used(
            AccessKeyId=key["AccessKeyId"])), missing)
        rc, _, err = self.server.cli("iam", "get-access-key-last-used", "--access-key-id",
                                     key["AccessKeyId"], check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchEntity", err)
        # the root user's keys name no user
        got = iam.get_access_key_last_used(AccessKeyId=harness.ROOT_KEY)
        self.assertNotIn("UserName", got)
        self.assertEqual(self.wait_used(harness.ROOT_KEY, "iam")["AccessKeyLastUsed"]["Region"],
                         harness.REGION)
        iam.delete_user(UserName="gone")

    def test_d_authorization_names_the_owner(self):
        s = self.server
        iam = self.iam
        iam.create_user(UserName="owner", Path="/team/")
        key = iam.create_access_key(UserName="owner")["AccessKey"]
        arn, k, secret = s.user("auditor")
        code, status, message = self.error(lambda: s.client("iam", key=k, secret=secret)
                                           .get_access_key_last_used(AccessKeyId=key["AccessKeyId"]))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertEqual(message, f"User: {arn} is not authorized to perform: "
                                  f"iam:GetAccessKeyLastUsed on resource: arn:aws:iam::{ACCT}:"
                                  f"user/team/owner because no identity-based policy allows the "
                                  f"iam:GetAccessKeyLastUsed action")


class ShutdownFlush(harness.ServerTest):
    """The default interval (60 s): nothing is written while the server runs this test,
    so what a restart shows was written by the clean shutdown."""

    def test_pending_use_written_at_shutdown_and_kept(self):
        s = self.server
        iam = s.client("iam")
        iam.create_user(UserName="late")
        key = iam.create_access_key(UserName="late")["AccessKey"]
        sts = s.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        sts.get_caller_identity()
        time.sleep(0.5)
        self.assertEqual(iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
                         ["AccessKeyLastUsed"], {"ServiceName": "N/A", "Region": "N/A"})
        s.stop()
        s.start()
        used = s.client("iam").get_access_key_last_used(
            AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        self.assertEqual((used["ServiceName"], used["Region"]), ("sts", harness.REGION))
        self.assertIn("LastUsedDate", used)
        # and survives a second restart untouched
        s.stop()
        s.start()
        again = s.client("iam").get_access_key_last_used(
            AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        self.assertEqual(again["LastUsedDate"], used["LastUsedDate"])


if __name__ == "__main__":
    harness.main()
