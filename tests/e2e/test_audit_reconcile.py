"""The start-up reconciliation of the trail with the store (src/audit/audit.h), through the
real server: a mutation's record carries the store seq its change was to commit as
(additionalEventData.commitSeq). A record left by a crash between its sync and its commit
is forged here at the end of a stopped server's trail, and the restart

  - follows it, before serving, with a record of its requestID saying the call did not
    take effect (errorCode ServiceFailure for IAM), and logs it;
  - does so before bootstrap, which commits the root key from the environment and so
    takes the seq the forged record claimed;
  - does so once: a further restart leaves the trail alone;
and a record that claims a seq past the store's next one (a store behind its trail, as
after a restore from a backup) is only logged, never settled."""
import json
import os
import sqlite3
import unittest
import uuid

from botocore.exceptions import ClientError

import harness


def trail_path(srv):
    return os.path.join(srv.data_dir, "audit.log")


def store_last_seq(srv):
    """The last seq the stopped server's store committed (its change log's newest)."""
    db = sqlite3.connect(os.path.join(srv.data_dir, "custos.db"))
    try:
        return db.execute("SELECT MAX(seq) FROM change_log").fetchone()[0]
    finally:
        db.close()


def forge_after_last_create_user(srv, name, seq_offset):
    """Append to a stopped server's trail a copy of the last CreateUser record, of `name`,
    claiming the store's last commit seq + seq_offset (a clean stop commits after the last
    call: the access key uses it writes, auth/key_usage.h); returns (its requestID, the seq
    it claims)."""
    last = [r for r in srv.audit_records()
            if r["eventName"] == "CreateUser" and "errorCode" not in r][-1]
    rec = json.loads(json.dumps(last))
    rec["requestID"] = str(uuid.uuid4())
    rec["eventID"] = str(uuid.uuid4())
    rec["requestParameters"]["userName"] = name
    rec["responseElements"]["user"]["userName"] = name
    seq = store_last_seq(srv) + seq_offset
    rec["additionalEventData"]["commitSeq"] = seq
    with open(trail_path(srv), "a") as f:
        f.write(json.dumps(rec, separators=(",", ":")) + "\n")
    return rec["requestID"], seq


def of(srv, request_id):
    return [r for r in srv.audit_records() if r["requestID"] == request_id]


class Reconcile(unittest.TestCase):
    def setUp(self):
        self.srv = harness.Server().start()
        self.addCleanup(self.srv.cleanup)
        self.srv.client("iam").create_user(UserName="before")
        self.srv.stop()

    def test_uncommitted_record_is_settled_once(self):
        srv = self.srv
        rid, seq = forge_after_last_create_user(srv, "forged", 1)
        srv.start()
        recs = of(srv, rid)
        self.assertEqual(len(recs), 2)
        self.assertEqual(recs[1]["errorCode"], "ServiceFailure")
        self.assertIn("did not take effect", recs[1]["errorMessage"])
        self.assertIsNone(recs[1]["responseElements"])
        self.assertNotIn("additionalEventData", recs[1])
        self.assertEqual(recs[1]["requestParameters"]["userName"], "forged")
        self.assertIn(rid, srv.read_log())
        iam = srv.client("iam")
        with self.assertRaises(ClientError) as cm:
            iam.get_user(UserName="forged")
        self.assertEqual(cm.exception.response["Error"]["Code"], "NoSuchEntity")
        # the seq the forged record claimed was still free at the restart: the restart's
        # bootstrap took it (it stores the root key from the environment), which is why
        # the trail is reconciled before bootstrap runs; the next call commits after it
        iam.create_user(UserName="after")
        after = [r for r in srv.audit_records() if r["eventName"] == "CreateUser"
                 and r["requestParameters"]["userName"] == "after"]
        self.assertEqual(after[0]["additionalEventData"]["commitSeq"], seq + 1)
        srv.stop()
        srv.start()
        self.assertEqual(len(of(srv, rid)), 2)
        iam = srv.client("iam")
        iam.get_user(UserName="after")

    def test_store_behind_the_trail_settles_nothing(self):
        srv = self.srv
        rid, _ = forge_after_last_create_user(srv, "restored", 3)
        srv.start()
        self.assertEqual(len(of(srv, rid)), 1)
        self.assertIn("the store is behind the trail", srv.read_log())
        srv.client("iam").get_user(UserName="before")


if __name__ == "__main__":
    unittest.main(verbosity=2)
