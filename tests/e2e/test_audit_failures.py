"""A trail that cannot take a record: no change is committed without its record, the
server stays up (no SIGBUS), /_custos/health answers 503 with the reason, and service
comes back as soon as a record fits again.

  - chattr +a (append-only) and chattr +i (immutable) on DIR/audit.log while serving;
  - a full disk: the data directory on a small tmpfs, filled up, then a little freed
    (far less than the trail's usual 4 MiB reservation step).
Every case ends with a restart and checks the store against the trail: a user exists
exactly when its CreateUser was acknowledged, and has its record. Flags and mounts are
undone in finally blocks, whatever happens."""
import json
import os
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

import harness


def chattr(flag, path):
    subprocess.run(["chattr", flag, path], check=True)


def health(srv):
    """(status, parsed body) of GET /_custos/health."""
    try:
        with urllib.request.urlopen(srv.endpoint + "/_custos/health", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_health(srv, status, timeout=10):
    deadline = time.time() + timeout
    got = None
    while time.time() < deadline:
        got = health(srv)
        if got[0] == status:
            return got
        time.sleep(0.05)
    raise AssertionError(f"health never answered {status}: last {got}")


def try_create(iam, name):
    """True when CreateUser was acknowledged; False when it failed with a 500."""
    try:
        iam.create_user(UserName=name)
        return True
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 500, e.response
        return False


def users(srv):
    iam = srv.client("iam")
    return {u["UserName"] for p in iam.get_paginator("list_users").paginate() for u in p["Users"]}


def created_in_trail(srv):
    """Users whose CreateUser has a record and whose last record of that requestID shows
    no error (a commit that failed after its record was written is followed by one)."""
    last = {}
    for rec in srv.audit_records():
        if rec.get("eventName") == "CreateUser":
            last[rec["requestID"]] = rec
    return {r["requestParameters"]["userName"] for r in last.values() if "errorCode" not in r}


class UnwritableTrail(unittest.TestCase):
    def check_outcomes(self, srv, outcomes):
        """After a restart: each user exists exactly when acknowledged, with its record."""
        srv.stop()
        srv.start()
        present, audited = users(srv), created_in_trail(srv)
        for name, acknowledged in outcomes.items():
            self.assertEqual(name in present, acknowledged, name)
            self.assertEqual(name in audited, acknowledged, name)
        for name in present:
            self.assertIn(name, audited, f"{name} exists with no record")

    def run_flag_case(self, flag, words):
        srv = harness.Server().start()
        trail = os.path.join(srv.data_dir, "audit.log")
        outcomes = {}
        try:
            iam = srv.client("iam")
            self.assertTrue(try_create(iam, "before"))
            outcomes["before"] = True
            chattr(flag, trail)
            try:
                # right after the flag: either outcome is fine, but never a change without
                # its record (checked after the restart)
                for i in range(3):
                    outcomes[f"during-{i}"] = try_create(iam, f"during-{i}")
                status, body = wait_health(srv, 503)
                self.assertEqual(body["status"], "unavailable")
                self.assertIn("audit trail cannot be written", body["reason"])
                self.assertIn(words, body["reason"])
                self.assertNotIn(srv.data_dir, body["reason"])
                # once health says so, mutations fail closed, and so do reads
                for i in range(3):
                    name = f"refused-{i}"
                    outcomes[name] = try_create(iam, name)
                    self.assertFalse(outcomes[name], name)
                with self.assertRaises(ClientError) as ctx:
                    srv.client("sts").get_caller_identity()
                self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)
                self.assertIsNone(srv.proc.poll(), "the server died")
            finally:
                chattr(flag.replace("+", "-"), trail)
            # the flag is gone: service comes back without a restart
            wait_health(srv, 200)
            self.assertTrue(try_create(iam, "after"))
            outcomes["after"] = True
            self.assertIsNone(srv.proc.poll(), "the server died")
            self.check_outcomes(srv, outcomes)
        finally:
            subprocess.run(["chattr", "-a", "-i", trail], capture_output=True)
            srv.cleanup()

    def test_append_only_trail(self):
        self.run_flag_case("+a", "append-only")

    def test_immutable_trail(self):
        self.run_flag_case("+i", "immutable")


class FullDisk(unittest.TestCase):
    def test_full_disk_fails_closed_and_recovers_when_a_little_is_freed(self):
        mnt = tempfile.mkdtemp(prefix="custos-tmpfs-")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", mnt], check=True)
        srv = None
        try:
            os.mkdir(os.path.join(mnt, "data"), 0o700)
            srv = harness.Server(data_dir=os.path.join(mnt, "data")).start()
            iam = srv.client("iam")
            filler = os.path.join(mnt, "filler")
            chunk = b"\xff" * 65536
            with open(filler, "wb", buffering=0) as f:
                try:
                    while True:
                        f.write(chunk)
                except OSError:
                    pass
            outcomes = {}
            for i in range(3):
                name = f"full-{i}"
                outcomes[name] = try_create(iam, name)
                self.assertFalse(outcomes[name], name)
            status, body = wait_health(srv, 503)
            self.assertEqual(body["status"], "unavailable")
            self.assertIn("no space left on device", body["reason"].lower())
            self.assertIsNone(srv.proc.poll(), "the server died")
            # free 1 MiB: a quarter of the trail's usual reservation step
            os.truncate(filler, os.path.getsize(filler) - (1 << 20))
            wait_health(srv, 200)
            self.assertTrue(try_create(iam, "freed"))
            outcomes["freed"] = True
            present, audited = users(srv), created_in_trail(srv)
            for name, acknowledged in outcomes.items():
                self.assertEqual(name in present, acknowledged, name)
                self.assertEqual(name in audited, acknowledged, name)
            srv.stop()
            srv.start()
            self.assertEqual(users(srv), {"freed"})
        finally:
            if srv:
                srv.stop()
            subprocess.run(["umount", mnt], check=False)
            subprocess.run(["umount", "-l", mnt], capture_output=True)
            os.rmdir(mnt)


if __name__ == "__main__":
    harness.main()
