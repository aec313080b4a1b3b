"""Durability: SIGKILL the server in the middle of a burst of CreateUser calls; after a
restart every user whose creation was acknowledged exists, and so does its audit record.
The killed server leaves reserved space (NULs) after its last record, perhaps a record cut
short; the restarted one cuts that off and appends whole records after it."""
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import harness  # noqa: E402


class SigkillDuringBurst(unittest.TestCase):
    def test_acknowledged_users_survive(self):
        srv = harness.Server().start()
        acknowledged, lock, stop = [], threading.Lock(), threading.Event()

        def burst(worker):
            iam = srv.client("iam")
            i = 0
            while not stop.is_set():
                name = f"burst-{worker}-{i}"
                try:
                    iam.create_user(UserName=name)
                except Exception:
                    return  # the server died under us: this call was not acknowledged
                with lock:
                    acknowledged.append(name)
                i += 1

        try:
            threads = [threading.Thread(target=burst, args=(w,)) for w in range(4)]
            for t in threads:
                t.start()
            time.sleep(2.0)
            srv.kill()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            self.assertGreater(len(acknowledged), 20)
            srv.start()
            iam = srv.client("iam")
            stored = {u["UserName"] for p in iam.get_paginator("list_users").paginate() for u in p["Users"]}
            missing = [n for n in acknowledged if n not in stored]
            self.assertEqual(missing, [])
            # and the store is consistent: every listed user can be read back
            for name in list(stored)[:50]:
                iam.get_user(UserName=name)
            # every acknowledged creation has its record; the trail is whole lines only
            with open(os.path.join(srv.data_dir, "audit.log"), "rb") as f:
                raw = f.read()
            records, _, tail = raw.rpartition(b"\n")
            self.assertEqual(tail.strip(b"\0"), b"")
            self.assertNotIn(b"\0", records)
            audited = set()
            for line in records.split(b"\n"):
                rec = json.loads(line)
                if rec["eventName"] == "CreateUser" and "errorCode" not in rec:
                    audited.add(rec["requestParameters"]["userName"])
            self.assertEqual([n for n in acknowledged if n not in audited], [])
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
