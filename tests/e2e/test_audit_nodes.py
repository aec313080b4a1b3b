#!/usr/bin/env python3
"""The audit trail of two custos nodes on one PostgreSQL store (audit.h, "Several nodes"):
each node keeps its own chain in its own data dir, named by --node-id, and reads the
other's through --audit-peer-dir. Calls go through both; LookupEvents on either finds
both nodes' records, merged newest first, paged with NextTokens that either node takes;
`custos audit verify A B` checks both chains and that no store commit (commitSeq) is
recorded as taking effect twice, and exits 1 on a record edited or deleted on either
node, and on a record (chained properly) copied from one node's trail into the other's;
--public-key is given once per DIR (each node signs with its own key); `custos audit export
A B` writes both nodes' records of a window merged oldest first, each once and as stored.
The test runs its own PostgreSQL (tests/pg_server.py)."""
import glob
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import harness

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pg_server import PgServer  # noqa: E402

harness.PG_URL_FILE = None  # this file's nodes share the store it starts
CLI = os.environ.get("CUSTOS_REAL_BIN", harness.CUSTOS_BIN)


def verify(*dirs):
    p = subprocess.run([CLI, "audit", "verify", *dirs], capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout + p.stderr


def lines_of(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rt") as f:
            return f.read().split("\n")[:-1]
    with open(path) as f:
        return f.read().split("\n")[:-1]


def write_lines(path, lines):
    text = "".join(line + "\n" for line in lines)
    if path.endswith(".gz"):
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)


def sealed(data_dir):
    return sorted(glob.glob(os.path.join(data_dir, "audit-trail", "trail_*.jsonl.gz")))


class TwoNodes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer().start()
        cls.tmp = tempfile.mkdtemp(prefix="custos-nodes-")
        cls.dirs = {n: os.path.join(cls.tmp, n) for n in ("node-a", "node-b")}
        for d in cls.dirs.values():
            os.mkdir(d)
        key = os.path.join(cls.tmp, "master.key")
        cls.nodes = {}
        try:
            for name, other in (("node-a", "node-b"), ("node-b", "node-a")):
                cls.nodes[name] = harness.Server(
                    data_dir=cls.dirs[name],
                    extra_args=["--store", cls.pg.url, "--master-key-file", key,
                                "--node-id", name, "--audit-peer-dir", cls.dirs[other]]).start()
            a, b = cls.nodes["node-a"].client("iam"), cls.nodes["node-b"].client("iam")
            cls.users = []
            for i in range(6):
                name = f"nodes-user-{i}"
                (a if i % 2 == 0 else b).create_user(UserName=name)
                cls.users.append(name)
            # over a second apart from the calls before and after them, so that the export's
            # window (test_4) can hold these two calls' records alone
            time.sleep(1.1)
            b.get_user(UserName="nodes-user-0")  # made on a, read through b
            a.delete_user(UserName="nodes-user-1")  # made on b, deleted through a
            time.sleep(1.1)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for n in cls.nodes.values():
            n.stop()
        cls.pg.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def lookup_all(self, node, page_size, token_from=None):
        """Every CreateUser/DeleteUser event through node, in pages; each next page asked of
        token_from (another node) when given."""
        events, token = [], None
        while True:
            kw = {"LookupAttributes": [{"AttributeKey": "EventSource",
                                        "AttributeValue": "iam.amazonaws.com"}],
                  "MaxResults": page_size}
            if token:
                kw["NextToken"] = token
            asked = self.nodes[token_from] if token and token_from else self.nodes[node]
            r = asked.client("cloudtrail").lookup_events(**kw)
            events += r["Events"]
            token = r.get("NextToken")
            if not token:
                return events

    def test_1_lookup_across_nodes(self):
        whole = self.lookup_all("node-a", 50)
        names = [e["EventName"] for e in whole]
        made = [json.loads(e["CloudTrailEvent"])["requestParameters"]["userName"]
                for e in whole if e["EventName"] == "CreateUser"]
        self.assertEqual(sorted(made), sorted(self.users))  # both nodes' records
        self.assertIn("DeleteUser", names)
        self.assertIn("GetUser", names)  # node b's read
        times = [e["EventTime"] for e in whole]
        self.assertEqual(times, sorted(times, reverse=True))  # newest first across nodes
        ids = [e["EventId"] for e in whole]
        self.assertEqual(len(ids), len(set(ids)))
        # pages of 2 through a, through b, and started on a then carried on through b: the
        # same records in the same order (one merge order on every node)
        self.assertEqual([e["EventId"] for e in self.lookup_all("node-a", 2)], ids)
        self.assertEqual([e["EventId"] for e in self.lookup_all("node-b", 2)], ids)
        self.assertEqual([e["EventId"] for e in self.lookup_all("node-a", 3, "node-b")], ids)
        # each record is in the trail of the node that took the call, and only there
        for node, mine, theirs in (("node-a", "nodes-user-0", "nodes-user-1"),
                                   ("node-b", "nodes-user-1", "nodes-user-0")):
            made = [l for l in lines_of(os.path.join(self.dirs[node], "audit.log"))
                    if '"eventName":"CreateUser"' in l]
            self.assertTrue(any(f'"userName":"{mine}"' in l for l in made), node)
            self.assertFalse(any(f'"userName":"{theirs}"' in l for l in made), node)
        # a NextToken of another query is refused
        r = self.nodes["node-a"].client("cloudtrail").lookup_events(MaxResults=1)
        with self.assertRaises(Exception) as cm:
            self.nodes["node-b"].client("cloudtrail").lookup_events(
                MaxResults=1, NextToken=r["NextToken"],
                LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetUser"}])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidNextTokenException")

    def stopped(self):
        """Both nodes stopped (the shutdown seal: every record in a sealed, signed file)."""
        for n in self.nodes.values():
            if n.proc.poll() is None:
                n.stop()

    def test_2_verify_both_trails(self):
        self.stopped()
        code, out = verify(self.dirs["node-a"], self.dirs["node-b"])
        self.assertEqual(code, 0, out)
        self.assertIn("node node-a (", out)
        self.assertIn("node node-b (", out)
        self.assertIn("across nodes: OK: commitSeq", out)
        self.assertIn("each once", out)
        # an edited record on either node
        for victim in ("node-a", "node-b"):
            with self.subTest(edit=victim):
                copy = self.copy_of()
                path = sealed(os.path.join(copy, victim))[-1]
                lines = lines_of(path)
                i = next(k for k, l in enumerate(lines) if '"CreateUser"' in l)
                lines[i] = lines[i].replace("nodes-user-", "nodes-uzer-", 1)
                write_lines(path, lines)
                code, out = verify(os.path.join(copy, "node-a"), os.path.join(copy, "node-b"))
                self.assertEqual(code, 1, out)
                self.assertIn(f"node {victim} (", out.split("FAILED")[0].splitlines()[-1])
                self.assertIn("was edited", out)
        # a deleted record on either node
        for victim in ("node-a", "node-b"):
            with self.subTest(delete=victim):
                copy = self.copy_of()
                path = sealed(os.path.join(copy, victim))[-1]
                lines = lines_of(path)
                i = next(k for k, l in enumerate(lines) if '"CreateUser"' in l)
                del lines[i]
                write_lines(path, lines)
                code, out = verify(os.path.join(copy, "node-a"), os.path.join(copy, "node-b"))
                self.assertEqual(code, 1, out)
                self.assertIn("FAILED", out)
        # one node's trail given twice
        code, out = verify(self.dirs["node-a"], self.dirs["node-a"] + "/")
        self.assertEqual(code, 1, out)
        self.assertIn("are trails of one node name, node-a", out)

    def test_3_commit_recorded_twice(self):
        self.stopped()
        copy = self.copy_of()
        a, b = os.path.join(copy, "node-a"), os.path.join(copy, "node-b")
        # a mutation record of node a, chained onto node b's trail: b's chain holds, and
        # the store commit it names is then recorded twice
        rec = next(l for f in sealed(a) for l in lines_of(f)
                   if '"CreateUser"' in l and '"commitSeq"' in l)
        seq = json.loads(rec)["additionalEventData"]["commitSeq"]
        digests = sorted(glob.glob(os.path.join(b, "audit-trail", "digest_*.json")))
        with open(digests[-1]) as f:
            head = json.load(f)["lastRecordHash"]
        forged = rec[:-(64 + 3)] + head + '"}}'
        with open(os.path.join(b, "audit.log"), "a") as f:
            f.write(forged + "\n")
        code, out = verify(a, b)
        self.assertEqual(code, 1, out)
        self.assertIn(f"FAILED: commitSeq {seq} is recorded as taking effect twice", out)
        self.assertIn("node node-a requestID", out)
        self.assertIn("node node-b requestID", out)
        # each trail alone is intact: only the check across nodes sees it
        self.assertEqual(verify(b)[0], 0)

    def test_4_command_line(self):
        a, b = self.dirs["node-a"], self.dirs["node-b"]
        code, out = verify("--public-key", os.path.join(a, "audit-trail", "public-key.pem"), a, b)
        self.assertEqual(code, 2, out)
        self.assertIn("one per DIR", out)
        self.stopped()
        code, out = verify("--public-key", os.path.join(a, "audit-trail", "public-key.pem"),
                           "--public-key", os.path.join(b, "audit-trail", "public-key.pem"), a, b)
        self.assertEqual(code, 0, out)
        # each node signs with a key of its own: b's trail under a's key fails
        code, out = verify("--public-key", os.path.join(a, "audit-trail", "public-key.pem"),
                           "--public-key", os.path.join(a, "audit-trail", "public-key.pem"), a, b)
        self.assertEqual(code, 1, out)
        self.assertIn("signed by another key", out)
        self.export_both_nodes()

    def trail_of(self, node):
        """node's records in its trail's order: its sealed files by number, then audit.log
        (up to its last newline, as a reader stops)."""
        d = self.dirs[node]
        lines = [l for f in sealed(d) for l in lines_of(f)]
        live = os.path.join(d, "audit.log")
        if os.path.exists(live):
            with open(live) as f:
                text = f.read()
            lines += text[:text.rfind("\n") + 1].split("\n")[:-1]
        return lines

    def export(self, since, until, *dirs, fmt="jsonl"):
        p = subprocess.run([CLI, "audit", "export", "--since", since, "--until", until,
                            "--format", fmt, *dirs], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def export_both_nodes(self):
        a, b = self.dirs["node-a"], self.dirs["node-b"]
        # (time, node, place in its trail, line) of every record of both trails
        every = [(json.loads(l)["eventTime"], node, i, l)
                 for node in ("node-a", "node-b") for i, l in enumerate(self.trail_of(node))]
        self.assertTrue(every)
        # the window: the seconds of setUpClass's GetUser (on b) and DeleteUser (on a),
        # which no other call shares
        middle = [t for t, _, _, l in every
                  if '"eventName":"GetUser"' in l or '"eventName":"DeleteUser"' in l]
        since, until = min(middle), max(middle)
        inside = sorted(r for r in every if since <= r[0] <= until)
        self.assertEqual({r[1] for r in inside}, {"node-a", "node-b"})
        self.assertTrue(any(r[0] < since for r in every))
        self.assertTrue(any(r[0] > until for r in every))
        # every record of both trails in the window, each once and as stored (its own chain
        # member), oldest first, a tie to node-a (the name that sorts first), each node's
        # in its trail's order — the DIRs given in either order
        for dirs in ((a, b), (b, a)):
            out = self.export(since, until, *dirs).split("\n")
            self.assertEqual(out[-1], "")
            self.assertEqual(out[:-1], [r[3] for r in inside])
        times = [r[0] for r in inside]
        self.assertEqual(times, sorted(times))
        ids = [json.loads(r[3])["eventID"] for r in inside]
        self.assertEqual(len(ids), len(set(ids)))
        # all of both trails: the whole of each, nothing twice
        out = self.export("2000-01-01", "2100-01-01", a, b).split("\n")[:-1]
        self.assertEqual(sorted(out), sorted(r[3] for r in every))
        self.assertEqual([json.loads(l)["eventTime"] for l in out],
                         sorted(r[0] for r in every))
        # one CloudTrail log file for the merged set, the records without custos's member
        doc = json.loads(self.export(since, until, a, b, fmt="cloudtrail"))
        want = [{k: v for k, v in json.loads(r[3]).items() if k != "custos"} for r in inside]
        self.assertEqual(doc["Records"], want)
        # one node's trail named twice would export its records twice: refused
        p = subprocess.run([CLI, "audit", "export", "--since", since, "--until", until, a,
                            a + "/"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("are trails of one node name, node-a", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_5_killed_between_record_and_commit(self):
        # node a dies after its CreateUser's record is on disk and before the commit: the
        # seq it had reserved goes back to the store, node b commits it (and more), and a's
        # restart must still settle the record as not taken effect: the store's last seq
        # is past it, a's own last commit (store_node_seq) is not
        a, b = self.nodes["node-a"], self.nodes["node-b"]
        self.stopped()
        plain = list(a.extra_args)
        a.extra_args = plain + ["--test-exit-before-commit", "CreateUser"]
        a.env_overrides = {"CUSTOS_TEST_HOOKS": "1"}
        try:
            a.start()
            b.start()
            with self.assertRaises(Exception):
                a.client("iam").create_user(UserName="cut-off")
            # PIPELINE_TEST_EXIT; under valgrind, what _exit leaves allocated is a leak,
            # and valgrind's error exit (99) replaces it
            self.assertIn(a.proc.wait(timeout=60),
                          (86, 99) if os.environ.get("CUSTOS_UNDER_VALGRIND") else (86,))
        finally:
            a.extra_args, a.env_overrides = plain, None
        cut = [r for r in a.audit_records()
               if (r.get("requestParameters") or {}).get("userName") == "cut-off"]
        self.assertEqual(len(cut), 1)
        seq = cut[0]["additionalEventData"]["commitSeq"]
        iam_b = b.client("iam")
        iam_b.create_user(UserName="after-cut-off")
        after = [r for r in b.audit_records() if r["eventName"] == "CreateUser"
                 and (r.get("requestParameters") or {}).get("userName") == "after-cut-off"]
        self.assertGreaterEqual(after[0]["additionalEventData"]["commitSeq"], seq,
                                "node b did not commit past the seq node a gave back")
        a.start()
        cut = [r for r in a.audit_records()
               if (r.get("requestParameters") or {}).get("userName") == "cut-off"]
        self.assertEqual(len(cut), 2, "the cut-off call's record was not settled")
        self.assertEqual(cut[1]["requestID"], cut[0]["requestID"])
        self.assertEqual(cut[1]["errorCode"], "ServiceFailure")
        self.assertIn("did not take effect", cut[1]["errorMessage"])
        with self.assertRaises(Exception) as cm:
            a.client("iam").get_user(UserName="cut-off")
        self.assertIn("NoSuchEntity", str(cm.exception))
        self.stopped()
        code, out = verify(self.dirs["node-a"], self.dirs["node-b"])
        self.assertEqual(code, 0, out)

    def copy_of(self):
        copy = tempfile.mkdtemp(dir=self.tmp)
        for n, d in self.dirs.items():
            shutil.copytree(d, os.path.join(copy, n))
        return copy


if __name__ == "__main__":
    unittest.main()
