"""`custos audit verify`, `public-key` and `export` against a real trail.

One server takes boto3 traffic with a digest every second and a small rotation size, so
its trail has several sealed log files and digests; it stops (the shutdown seal), and that
directory is kept as the pristine trail. It verifies OK, also on a copy holding nothing
but the trail's files and the public key. Then each test changes a copy the way a forger
would — edits, deletes, inserts, reorders and truncates records, log files and digests —
and sees verify name the first change and exit 1. A second server is SIGKILLed in a burst:
its trail, cut short, verifies; so does it after the restart has cut its torn tail (which
the chain then records) and a clean stop."""
import gzip
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

import harness

CLI = os.environ.get("CUSTOS_REAL_BIN", harness.CUSTOS_BIN)


def custos(*args):
    p = subprocess.run([CLI, "audit", *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def names(trail, prefix, suffix):
    return sorted(n for n in os.listdir(trail) if n.startswith(prefix) and n.endswith(suffix))


def load(path):
    with open(path) as f:
        return f.read()


def read_gz_lines(path):
    with gzip.open(path, "rt") as f:
        return f.read().split("\n")[:-1]


def write_gz_lines(path, lines):
    with gzip.open(path, "wt") as f:
        f.write("".join(line + "\n" for line in lines))


class AuditVerify(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # files of about seven records (the writer cues a rotation as the records cross
        # the page after 6000 bytes), some cut shorter by the one-second interval
        srv = harness.Server(extra_args=["--audit-digest-interval", "1",
                                         "--audit-rotate-bytes", "6000"]).start()
        cls.tmp = tempfile.mkdtemp(prefix="custos-verify-")
        try:
            iam, kms = srv.client("iam"), srv.client("kms")
            cls.t0 = time.time()
            key = kms.create_key()["KeyMetadata"]["KeyId"]
            for i in range(12):
                iam.create_user(UserName=f"verify-{i}")
                kms.generate_data_key(KeyId=key, KeySpec="AES_256")
                if i % 4 == 3:
                    time.sleep(1.1)  # let an interval's digest fall between calls
            # a lookup: LookupEvents' index writes an .idx beside each sealed file
            srv.client("cloudtrail").lookup_events(MaxResults=1)
            srv.stop()
            cls.pristine = os.path.join(cls.tmp, "pristine")
            shutil.copytree(srv.data_dir, cls.pristine)
        finally:
            srv.cleanup()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def copy(self):
        d = tempfile.mkdtemp(dir=self.tmp)
        shutil.rmtree(d)
        shutil.copytree(self.pristine, d)
        return d, os.path.join(d, "audit-trail")

    def assert_caught(self, d, *words):
        rc, out = custos("verify", d)
        self.assertEqual(rc, 1, out)
        self.assertIn("FAILED", out)
        for w in words:
            self.assertIn(w, out)
        return out

    def logs(self, trail):
        return names(trail, "trail_", ".jsonl.gz")

    def busiest_log(self, trail):
        """A sealed log file with at least three records, for edits inside it."""
        for n in self.logs(trail):
            if len(read_gz_lines(os.path.join(trail, n))) >= 3:
                return n
        self.fail("no log file holds three records")

    # ---- a clean trail ----

    def test_pristine_trail_verifies(self):
        rc, out = custos("verify", self.pristine)
        self.assertEqual(rc, 0, out)
        self.assertTrue(out.startswith("OK:"), out)
        trail = os.path.join(self.pristine, "audit-trail")
        self.assertGreaterEqual(len(self.logs(trail)), 3)
        self.assertGreaterEqual(len(names(trail, "digest_", ".json")), 3)
        # the shutdown sealed everything: nothing is left in the live file
        self.assertEqual(os.path.getsize(os.path.join(self.pristine, "audit.log")), 0)

    def test_index_files_are_not_part_of_what_is_verified(self):
        # LookupEvents' .idx files lie beside the sealed files; verify passes over them,
        # whether kept, edited, emptied, removed or made up
        d, trail = self.copy()
        idx = names(trail, "trail_", ".idx")
        self.assertGreaterEqual(len(idx), 1, os.listdir(trail))
        with open(os.path.join(trail, idx[0]), "r+b") as f:
            f.seek(100)
            f.write(b"\xff\xff")
        open(os.path.join(trail, idx[-1]), "w").close()
        with open(os.path.join(trail, "trail_00009999_20260101T000000Z.idx"), "w") as f:
            f.write("not an index")
        rc, out = custos("verify", d)
        self.assertEqual(rc, 0, out)
        for n in names(trail, "trail_", ".idx"):
            os.remove(os.path.join(trail, n))
        rc, out = custos("verify", d)
        self.assertEqual(rc, 0, out)

    def test_offline_copy_with_only_the_public_key(self):
        d, trail = self.copy()
        key = os.path.join(self.tmp, "trusted.pem")
        shutil.copy(os.path.join(trail, "public-key.pem"), key)
        for n in ("master.key", "custos.db", "audit.log"):
            if os.path.exists(os.path.join(d, n)):
                os.remove(os.path.join(d, n))
        os.remove(os.path.join(trail, "signing-key.sealed"))
        os.remove(os.path.join(trail, "public-key.pem"))
        rc, out = custos("verify", "--public-key", key, d)
        self.assertEqual(rc, 0, out)

    def test_records_carry_the_chain_and_digests_the_cloudtrail_fields(self):
        trail = os.path.join(self.pristine, "audit-trail")
        first = read_gz_lines(os.path.join(trail, self.logs(trail)[0]))[0]
        rec = json.loads(first)
        self.assertEqual(rec["custos"], {"previousHash": "0" * 64})
        digest = json.loads(load(os.path.join(trail, names(trail, "digest_", ".json")[-1])))
        for field in ("digestStartTime", "digestEndTime", "digestPublicKeyFingerprint",
                      "digestSignatureAlgorithm", "previousDigestSignature",
                      "previousDigestHashValue", "logFiles", "firstRecordHash", "lastRecordHash"):
            self.assertIn(field, digest)
        self.assertEqual(digest["digestSignatureAlgorithm"], "Ed25519")

    def test_public_key_command_prints_the_signing_key(self):
        rc, out = custos("public-key", self.pristine)
        self.assertEqual(rc, 0, out)
        with open(os.path.join(self.pristine, "audit-trail", "public-key.pem")) as f:
            self.assertEqual(out, f.read())
        self.assertTrue(out.startswith("-----BEGIN PUBLIC KEY-----"))

    def test_export_both_formats(self):
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.t0 - 5))
        until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 5))
        rc, out = custos("export", "--since", since, "--until", until, self.pristine)
        self.assertEqual(rc, 0, out)
        lines = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(sum(r["eventName"] == "CreateUser" for r in lines), 12)
        self.assertEqual(sum(r["eventName"] == "GenerateDataKey" for r in lines), 12)
        rc, out = custos("export", "--since", since, "--until", until, "--format", "cloudtrail",
                         self.pristine)
        self.assertEqual(rc, 0, out)
        doc = json.loads(out)
        self.assertEqual(len(doc["Records"]), len(lines))
        self.assertFalse(any("custos" in r for r in doc["Records"]))
        # a window before the traffic holds none of it
        rc, out = custos("export", "--since", "2001-01-01", "--until", "2001-01-02", self.pristine)
        self.assertEqual((rc, out), (0, ""))
        rc, _ = custos("export", "--since", since, "--until", until, "--format", "xml",
                       self.pristine)
        self.assertEqual(rc, 2)

    def test_time_bounds_narrow_what_is_read(self):
        rc, out = custos("verify", "--from", "2001-01-01", "--to", "2001-01-02", self.pristine)
        self.assertEqual(rc, 0, out)
        self.assertIn(" 0 log files", out)

    # ---- records changed inside a log file ----

    def edit_lines(self, change):
        d, trail = self.copy()
        name = self.busiest_log(trail)
        path = os.path.join(trail, name)
        write_gz_lines(path, change(read_gz_lines(path)))
        return d, name

    def test_edited_record(self):
        def edit(lines):
            lines[1] = lines[1].replace('"eventName":"', '"eventName":"X', 1)
            return lines
        d, name = self.edit_lines(edit)
        self.assert_caught(d, name, "line 3")

    def test_edited_last_record(self):
        def edit(lines):
            lines[-1] = lines[-1].replace('"readOnly":', '"readOnly" :', 1)
            return lines
        d, name = self.edit_lines(edit)
        self.assert_caught(d, name, "last record")

    def test_deleted_record(self):
        d, name = self.edit_lines(lambda lines: lines[:1] + lines[2:])
        self.assert_caught(d, name, "line 2")

    def test_inserted_record(self):
        d, name = self.edit_lines(lambda lines: lines[:2] + [lines[1]] + lines[2:])
        self.assert_caught(d, name, "line 3")

    def test_reordered_records(self):
        d, name = self.edit_lines(lambda lines: [lines[1], lines[0]] + lines[2:])
        self.assert_caught(d, name, "line 1")

    def test_truncated_records(self):
        d, name = self.edit_lines(lambda lines: lines[:-1])
        self.assert_caught(d, name, "records")

    def test_chain_member_removed(self):
        def edit(lines):
            rec = json.loads(lines[0])
            del rec["custos"]
            lines[0] = json.dumps(rec, separators=(",", ":"))
            return lines
        d, name = self.edit_lines(edit)
        self.assert_caught(d, name, "not a chained record")

    # ---- log files ----

    def test_truncated_gzip_file(self):
        d, trail = self.copy()
        name = self.busiest_log(trail)
        path = os.path.join(trail, name)
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.truncate(size // 2)
        self.assert_caught(d, name, "gzip")

    def test_deleted_log_file(self):
        d, trail = self.copy()
        name = self.logs(trail)[1]
        os.remove(os.path.join(trail, name))
        self.assert_caught(d, name, "missing")

    def test_inserted_log_file(self):
        d, trail = self.copy()
        src = self.logs(trail)[0]
        fake = "trail_00009999_20300101T000000Z.jsonl.gz"
        shutil.copy(os.path.join(trail, src), os.path.join(trail, fake))
        self.assert_caught(d, fake, "named by no digest")

    def test_reordered_log_files(self):
        d, trail = self.copy()
        a, b = self.logs(trail)[0], self.logs(trail)[1]
        os.rename(os.path.join(trail, a), os.path.join(trail, "swap"))
        os.rename(os.path.join(trail, b), os.path.join(trail, a))
        os.rename(os.path.join(trail, "swap"), os.path.join(trail, b))
        self.assert_caught(d, a)

    # ---- digests ----

    def digests(self, trail):
        return names(trail, "digest_", ".json")

    def test_edited_digest(self):
        d, trail = self.copy()
        name = self.digests(trail)[1]
        path = os.path.join(trail, name)
        doc = json.loads(load(path))
        doc["newestEventTime"] = "2001-01-01T00:00:00Z"
        with open(path, "w") as f:
            f.write(json.dumps(doc, separators=(",", ":")) + "\n")
        self.assert_caught(d, name, "signature does not verify")

    def test_edited_signature(self):
        d, trail = self.copy()
        name = self.digests(trail)[0]
        path = os.path.join(trail, name + ".sig")
        sig = load(path).strip()
        with open(path, "w") as f:
            f.write(("0" if sig[0] != "0" else "1") + sig[1:] + "\n")
        self.assert_caught(d, name, "signature does not verify")

    def test_deleted_digest(self):
        d, trail = self.copy()
        gone = self.digests(trail)[1]
        after = self.digests(trail)[2]
        os.remove(os.path.join(trail, gone))
        os.remove(os.path.join(trail, gone + ".sig"))
        self.assert_caught(d, after, "does not follow")

    def test_deleted_first_digest(self):
        d, trail = self.copy()
        first = self.digests(trail)[0]
        os.remove(os.path.join(trail, first))
        os.remove(os.path.join(trail, first + ".sig"))
        self.assert_caught(d, first, "missing")

    def test_deleted_signature_file(self):
        d, trail = self.copy()
        name = self.digests(trail)[1]
        os.remove(os.path.join(trail, name + ".sig"))
        self.assert_caught(d, name, "signature file")

    def test_inserted_digest(self):
        d, trail = self.copy()
        src = self.digests(trail)[1]
        fake = "digest_00000002_20300101T000000Z.json"  # sorts right after the first
        shutil.copy(os.path.join(trail, src), os.path.join(trail, fake))
        shutil.copy(os.path.join(trail, src + ".sig"), os.path.join(trail, fake + ".sig"))
        self.assert_caught(d, fake)

    def test_reordered_digests(self):
        d, trail = self.copy()
        a, b = self.digests(trail)[1], self.digests(trail)[2]
        for suffix in ("", ".sig"):
            os.rename(os.path.join(trail, a + suffix), os.path.join(trail, "swap"))
            os.rename(os.path.join(trail, b + suffix), os.path.join(trail, a + suffix))
            os.rename(os.path.join(trail, "swap"), os.path.join(trail, b + suffix))
        self.assert_caught(d, "names itself")

    def test_resigned_with_another_key(self):
        # a forger who replaces public-key.pem and re-signs: the fingerprint in the
        # digests gives it away, and a trusted copy of the key does as well
        d, trail = self.copy()
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
        other = ed25519.Ed25519PrivateKey.generate().public_key()
        with open(os.path.join(trail, "public-key.pem"), "wb") as f:
            f.write(other.public_bytes(serialization.Encoding.PEM,
                                       serialization.PublicFormat.SubjectPublicKeyInfo))
        self.assert_caught(d, "another key")


class AuditVerifyAfterSigkill(unittest.TestCase):
    def test_killed_trail_verifies_before_and_after_the_cut(self):
        # a digest every 3 s: one is out, and the next not yet, when the kill comes
        srv = harness.Server(extra_args=["--audit-digest-interval", "3"]).start()
        stop = threading.Event()

        def burst(worker):
            iam = srv.client("iam")
            i = 0
            while not stop.is_set():
                try:
                    iam.create_user(UserName=f"kill-{worker}-{i}")
                except Exception:
                    return
                i += 1

        try:
            threads = [threading.Thread(target=burst, args=(w,)) for w in range(3)]
            for t in threads:
                t.start()
            # kill once a digest is out and the live file holds a few records after it
            live = os.path.join(srv.data_dir, "audit.log")
            trail = os.path.join(srv.data_dir, "audit-trail")
            deadline = time.time() + 60
            while time.time() < deadline:
                with open(live, "rb") as f:
                    held = f.read().count(b"\n")
                if names(trail, "digest_", ".json") and held >= 4:
                    break
                time.sleep(0.05)
            srv.kill()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            rc, out = custos("verify", srv.data_dir)
            self.assertEqual(rc, 0, out)
            # what a crash inside a copy leaves after the last newline: the head of a record
            with open(live, "r+b") as f:
                data = f.read()
                end = data.rfind(b"\n") + 1
                f.seek(end)
                f.write(b'{"eventVersion":"1.08","userIdentity":{"ty')
            rc, out = custos("verify", srv.data_dir)
            self.assertEqual(rc, 0, out)
            self.assertIn("tail a crash left", out)
            # an edit of the live file is caught as well
            shutil.copytree(srv.data_dir, srv.data_dir + "-edited")
            try:
                edited = os.path.join(srv.data_dir + "-edited", "audit.log")
                with open(edited, "rb") as f:
                    lines = f.read()[:end].split(b"\n")
                self.assertGreater(len(lines), 3)  # the burst outran the last seal
                lines[0], lines[1] = lines[1], lines[0]
                with open(edited, "wb") as f:
                    f.write(b"\n".join(lines))
                rc, out = custos("verify", srv.data_dir + "-edited")
                self.assertEqual(rc, 1, out)
                self.assertIn("audit.log line 1", out)
            finally:
                shutil.rmtree(srv.data_dir + "-edited", ignore_errors=True)
            srv.start()
            srv.client("sts").get_caller_identity()
            srv.stop()
            rc, out = custos("verify", srv.data_dir)
            self.assertEqual(rc, 0, out)
            cuts = [r for r in srv.audit_records() if r["eventName"] == "AuditTrailTailCut"]
            self.assertEqual(len(cuts), 1)
            self.assertEqual(cuts[0]["serviceEventDetails"]["cutBytes"], 42)
        finally:
            stop.set()
            srv.cleanup()


if __name__ == "__main__":
    harness.main()
