"""A trail that cannot take a record: no change is committed without its record, the
server stays up (no SIGBUS), /_custos/health answers 503 with the reason, and service
comes back as soon as a record fits again.

  - chattr +a (append-only) and chattr +i (immutable) on DIR/audit.log while serving;
  - a full disk: the data directory on a small tmpfs, filled up, then a little freed
    (far less than the trail's usual 4 MiB reservation step); the tmpfs is below
    --audit-disk-warn-bytes's 1 GiB, so health says "degraded" with a disk warning and the
    metrics show the filesystem's free and total bytes;
  - a seal that fails (DIR/audit-trail made immutable, seals every second): health says
    "degraded" with the seal's failure and the metrics count it, until a seal works again.
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


def metric(srv, name):
    """The value of the sample `name` (no labels) in GET /_custos/metrics, or None."""
    with urllib.request.urlopen(srv.endpoint + "/_custos/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.split(" ")[0] == name:
                return float(line.split(" ")[1])
    return None


def wait_for(probe, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = probe()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError("the condition never held")


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
            # an 8 MiB filesystem is below the default --audit-disk-warn-bytes (1 GiB):
            # health still answers 200, degraded, and says why
            status, body = health(srv)
            self.assertEqual((status, body["status"]), (200, "degraded"))
            self.assertEqual(len(body["warnings"]), 1, body)
            self.assertIn("audit trail disk nearly full", body["warnings"][0])
            self.assertNotIn(mnt, body["warnings"][0])
            self.assertEqual(metric(srv, "custos_audit_disk_size_bytes"), 8 << 20)
            self.assertLess(metric(srv, "custos_audit_disk_free_bytes"), 8 << 20)
            self.assertEqual(metric(srv, "custos_audit_disk_warn_bytes"), 1 << 30)
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
            # the sealer's sample (once a second) sees the filesystem full
            wait_for(lambda: metric(srv, "custos_audit_disk_free_bytes") < 65536)
            # free 1 MiB: a quarter of the trail's usual reservation step
            os.truncate(filler, os.path.getsize(filler) - (1 << 20))
            status, body = wait_health(srv, 200)
            self.assertEqual(body["status"], "degraded")
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


class FailedSeal(unittest.TestCase):
    def test_a_failed_seal_is_reported_until_one_works(self):
        srv = harness.Server(extra_args=["--audit-digest-interval", "1",
                                         "--audit-disk-warn-bytes", "1"]).start()
        sealed = os.path.join(srv.data_dir, "audit-trail")
        try:
            iam = srv.client("iam")
            self.assertTrue(try_create(iam, "before-seal"))
            status, body = health(srv)
            self.assertEqual((status, body["status"]), (200, "ok"))
            self.assertEqual(metric(srv, "custos_audit_seal_failing"), 0)
            chattr("+i", sealed)
            try:
                status, body = wait_for(lambda: (lambda h: h if h[1]["status"] == "degraded"
                                                 else None)(health(srv)))
                self.assertEqual(status, 200)  # the records are still written and synced
                self.assertEqual(len(body["warnings"]), 1, body)
                self.assertIn("audit trail seal failed", body["warnings"][0])
                self.assertNotIn(srv.data_dir, body["warnings"][0])
                self.assertEqual(metric(srv, "custos_audit_seal_failing"), 1)
                self.assertGreaterEqual(metric(srv, "custos_audit_seal_failures_total"), 1)
                # the calls themselves go on: the live file takes their records
                self.assertTrue(try_create(iam, "during-seal-failure"))
            finally:
                chattr("-i", sealed)
            wait_for(lambda: health(srv)[1]["status"] == "ok")
            self.assertEqual(metric(srv, "custos_audit_seal_failing"), 0)
            self.assertGreaterEqual(metric(srv, "custos_audit_seals_total"), 1)
            srv.stop()
            verify = subprocess.run([harness.CUSTOS_BIN, "audit", "verify", srv.data_dir],
                                    capture_output=True, text=True)
            self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        finally:
            subprocess.run(["chattr", "-i", sealed], capture_output=True)
            srv.cleanup()


if __name__ == "__main__":
    harness.main()
