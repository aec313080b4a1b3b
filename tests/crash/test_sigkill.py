"""Durability: SIGKILL the server in the middle of a burst of CreateUser calls; after a
restart every user whose creation was acknowledged exists, and so does its audit record.
The killed server leaves reserved space (NULs) after its last record, perhaps a record cut
short; the restarted one cuts that off and appends whole records after it.

Two more kill the server again and again, during a mix of CreateUser, CreateKey and
CreateAlias, and during concurrent CreateUser calls alone, and check after each restart
that the store and the trail agree both ways (audit.h, write-ahead): every user, key and
alias the store holds has the record of its creation, and every creation the trail records
as done is in the store. A mutation's record is durable before its change commits, so a
kill can leave a record of a change that did not happen, never a change with no record;
and the restart follows such a record with one of its requestID saying it did not take
effect (the last record of a requestID decides), before it serves."""
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


def created(records):
    """Users, KMS keys and aliases whose creation the trail records as done (the last
    record of a requestID decides: a failed commit is followed by one with errorCode)."""
    last = {}
    for rec in records:
        last[rec["requestID"]] = rec
    users, keys, aliases = set(), set(), set()
    for rec in last.values():
        if "errorCode" in rec:
            continue
        if rec["eventName"] == "CreateUser":
            users.add(rec["requestParameters"]["userName"])
        elif rec["eventName"] == "CreateKey":
            keys.add(rec["responseElements"]["keyMetadata"]["keyId"])
        elif rec["eventName"] == "CreateAlias":
            aliases.add(rec["requestParameters"]["aliasName"])
    return users, keys, aliases


class SigkillLoop(unittest.TestCase):
    ROUNDS, SECONDS, WORKERS = 4, 1.0, 6

    def test_every_change_has_its_record_after_each_kill(self):
        srv = harness.Server().start()
        try:
            for rnd in range(self.ROUNDS):
                stop = threading.Event()

                def burst(worker):
                    iam, kms = srv.client("iam"), srv.client("kms")
                    i = 0
                    while not stop.is_set():
                        try:
                            if worker % 2 == 0:
                                iam.create_user(UserName=f"loop-{rnd}-{worker}-{i}")
                            else:
                                key = kms.create_key()["KeyMetadata"]["KeyId"]
                                kms.create_alias(AliasName=f"alias/loop-{rnd}-{worker}-{i}", TargetKeyId=key)
                        except Exception:
                            return  # the server died under us
                        i += 1

                threads = [threading.Thread(target=burst, args=(w,)) for w in range(self.WORKERS)]
                for t in threads:
                    t.start()
                time.sleep(self.SECONDS)
                srv.kill()
                stop.set()
                for t in threads:
                    t.join(timeout=30)
                srv.start()
                iam, kms = srv.client("iam"), srv.client("kms")
                users = {u["UserName"] for p in iam.get_paginator("list_users").paginate() for u in p["Users"]}
                keys = {k["KeyId"] for p in kms.get_paginator("list_keys").paginate() for k in p["Keys"]}
                aliases = {a["AliasName"] for p in kms.get_paginator("list_aliases").paginate()
                           for a in p["Aliases"] if a["AliasName"].startswith("alias/loop-")}
                r_users, r_keys, r_aliases = created(srv.audit_records())
                self.assertEqual(users - r_users, set(), f"round {rnd}: users with no record")
                self.assertEqual(keys - r_keys, set(), f"round {rnd}: keys with no record")
                self.assertEqual(aliases - r_aliases, set(), f"round {rnd}: aliases with no record")
                self.assertEqual(r_users - users, set(), f"round {rnd}: users recorded, not stored")
                self.assertEqual(r_keys - keys, set(), f"round {rnd}: keys recorded, not stored")
                self.assertEqual(r_aliases - aliases, set(), f"round {rnd}: aliases recorded, not stored")
                self.assertTrue(users and keys and aliases)
        finally:
            srv.cleanup()


class SigkillCreateUserLoop(unittest.TestCase):
    """Concurrent CreateUser calls only, so that a kill often lands while a mutation is
    between its durable record and its commit."""
    ROUNDS, SECONDS, WORKERS = 8, 1.0, 8

    def test_store_and_trail_agree_after_each_kill(self):
        srv = harness.Server().start()
        settled = 0
        try:
            for rnd in range(self.ROUNDS):
                stop = threading.Event()

                def burst(worker):
                    iam = srv.client("iam")
                    i = 0
                    while not stop.is_set():
                        try:
                            iam.create_user(UserName=f"cu-{rnd}-{worker}-{i}")
                        except Exception:
                            return  # the server died under us
                        i += 1

                threads = [threading.Thread(target=burst, args=(w,)) for w in range(self.WORKERS)]
                for t in threads:
                    t.start()
                time.sleep(self.SECONDS)
                srv.kill()
                stop.set()
                for t in threads:
                    t.join(timeout=30)
                srv.start()
                iam = srv.client("iam")
                stored = {u["UserName"] for p in iam.get_paginator("list_users").paginate() for u in p["Users"]}
                records = srv.audit_records()
                recorded, _, _ = created(records)
                self.assertEqual(stored - recorded, set(), f"round {rnd}: users with no record")
                self.assertEqual(recorded - stored, set(), f"round {rnd}: users recorded, not stored")
                # a success record of a user not stored is followed by a record of its
                # requestID saying it did not take effect, and never more than one such
                by_id = {}
                for rec in records:
                    if rec["eventName"] == "CreateUser":
                        by_id.setdefault(rec["requestID"], []).append(rec)
                for rid, recs in by_id.items():
                    done = [r for r in recs if "errorCode" not in r]
                    if done and done[0]["requestParameters"]["userName"] not in stored:
                        self.assertEqual(len(recs), 2, f"round {rnd}: {rid}")
                        self.assertIn("errorCode", recs[1])
                        self.assertNotIn("additionalEventData", recs[1])
                    if done:
                        self.assertIn("commitSeq", done[0]["additionalEventData"])
                # one writer at a time: a kill leaves at most one call between its durable
                # record and its commit, so a restart settles at most one
                now = sum("did not take effect" in r.get("errorMessage", "") for r in records)
                self.assertLessEqual(now - settled, 1, f"round {rnd}")
                settled = now
            self.assertTrue(stored)
            print(f"\n{settled} record(s) reconciled at restart over {self.ROUNDS} kills",
                  file=sys.stderr)
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
