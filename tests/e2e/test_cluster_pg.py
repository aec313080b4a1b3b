#!/usr/bin/env python3
"""Two custos nodes on one PostgreSQL schema (a throwaway server of this file's own:
tests/pg_server.py), each with its own data dir and the same master key file, behave as
one server. Read-after-write: what node A creates (user, access key, policy, KMS key,
alias, grant, secret) works through node B at the next request. Revocation: a deleted
access key, detached policy, disabled key, revoked grant or deleted secret stops working
on B, whose caches held it, within the documented bound (STORE_FOLLOW_MS, 1 s: README's
--store), polled for no longer. Races from both nodes at once: CreateUser, CreateAlias,
CreateGrant (Name) and PutSecretValue (ClientRequestToken) have exactly one outcome each.
A node killed with SIGKILL mid-load leaves the other serving, with every acknowledged
write kept; so does a restart of PostgreSQL under load, after which both nodes serve and
follow each other again. A node given another master key refuses to start, saying so."""
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

import harness

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pg_server import PgServer  # noqa: E402

harness.PG_URL_FILE = None  # this file runs its own PostgreSQL

BOUND_S = 1.0        # STORE_FOLLOW_MS: how long a node may serve what another revoked


def healthy(server):
    try:
        with urllib.request.urlopen(server.endpoint + "/_custos/health", timeout=5) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def code(exc):
    return exc.response["Error"]["Code"]


class Cluster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer().start()
        cls.key_dir = tempfile.mkdtemp(prefix="custos-cluster-key-")
        cls.key_file = os.path.join(cls.key_dir, "master.key")
        cls.args = ["--store", cls.pg.url, "--master-key-file", cls.key_file]
        cls.nodes = []
        try:
            cls.a = cls.node()
            cls.b = cls.node()
        except Exception:
            cls.tearDownClass()
            raise
        cls.kms_key = cls.a.client("kms").create_key()["KeyMetadata"]["Arn"]
        cls.measured = []

    @classmethod
    def node(cls, data_dir=None):
        n = harness.Server(data_dir=data_dir, extra_args=cls.args).start()
        cls.nodes.append(n)
        return n

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "measured", None):
            sys.stderr.write("cluster: revocations seen on node B after (s): " +
                             ", ".join(f"{w} {t:.3f}" for w, t in cls.measured) + "\n")
        for n in cls.nodes:
            n.stop()
            shutil.rmtree(n.data_dir, ignore_errors=True)
        cls.pg.stop()
        shutil.rmtree(cls.key_dir, ignore_errors=True)

    def user_with_key(self, name, *statements):
        """A user on node A with an inline policy of statements; (key id, secret)."""
        iam = self.a.client("iam")
        iam.create_user(UserName=name)
        if statements:
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": list(statements)}))
        k = iam.create_access_key(UserName=name)["AccessKey"]
        return k["AccessKeyId"], k["SecretAccessKey"]

    def until_fails(self, what, call, want):
        """Poll call on node B until it raises ClientError with code want; at most the bound
        (and a little for the poll's own request). Records how long it took."""
        start = time.monotonic()
        while True:
            try:
                call()
            except ClientError as e:
                self.assertEqual(code(e), want, e)
                self.measured.append((what, time.monotonic() - start))
                return
            if time.monotonic() - start > BOUND_S + 0.25:
                self.fail(f"{what}: node B still serves it {BOUND_S} s after node A revoked it")
            time.sleep(0.01)

    # --- read-after-write -----------------------------------------------------------------

    def test_read_after_write(self):
        allow = {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey",
                                                "secretsmanager:GetSecretValue"],
                 "Resource": "*"}
        akid, secret = self.user_with_key("raw-user")
        iam_a, kms_a = self.a.client("iam"), self.a.client("kms")
        arn = iam_a.create_policy(PolicyName="raw-policy", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [allow]}))["Policy"]["Arn"]
        iam_a.attach_user_policy(UserName="raw-user", PolicyArn=arn)
        key = kms_a.create_key()["KeyMetadata"]["KeyId"]
        kms_a.create_alias(AliasName="alias/raw", TargetKeyId=key)
        self.a.client("secretsmanager").create_secret(Name="raw-secret", SecretString="s3")
        # through node B, at once: the user and its key, its policy, the key, the alias
        user_b = lambda svc: self.b.client(svc, key=akid, secret=secret)
        self.assertIn("raw-user", user_b("sts").get_caller_identity()["Arn"])
        self.assertEqual(user_b("kms").describe_key(KeyId="alias/raw")["KeyMetadata"]["KeyId"],
                         key)
        user_b("kms").encrypt(KeyId="alias/raw", Plaintext=b"x")
        self.assertEqual(user_b("secretsmanager").get_secret_value(
            SecretId="raw-secret")["SecretString"], "s3")
        # a grant made on A lets a user with no KMS policy encrypt through B
        gakid, gsecret = self.user_with_key("raw-grantee")
        kms_a.create_grant(KeyId=key, GranteePrincipal=f"arn:aws:iam::{harness.ACCOUNT}:user/raw-grantee",
                           Operations=["Encrypt"])
        self.b.client("kms", key=gakid, secret=gsecret).encrypt(
            KeyId=key, Plaintext=b"x")

    # --- revocation -----------------------------------------------------------------------

    def test_revoked_access_key(self):
        akid, secret = self.user_with_key("rev-key")
        sts_b = self.b.client("sts", key=akid, secret=secret)
        sts_b.get_caller_identity()  # node B's principal cache holds it now
        self.a.client("iam").delete_access_key(UserName="rev-key", AccessKeyId=akid)
        self.until_fails("access key deleted", sts_b.get_caller_identity, "InvalidClientTokenId")

    def test_detached_policy(self):
        akid, secret = self.user_with_key("rev-policy")
        iam_a = self.a.client("iam")
        arn = iam_a.create_policy(PolicyName="rev-policy", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}))["Policy"]["Arn"]
        iam_a.attach_user_policy(UserName="rev-policy", PolicyArn=arn)
        kms_b = self.b.client("kms", key=akid, secret=secret)
        kms_b.encrypt(KeyId=self.kms_key, Plaintext=b"x")
        iam_a.detach_user_policy(UserName="rev-policy", PolicyArn=arn)
        self.until_fails("policy detached",
                         lambda: kms_b.encrypt(KeyId=self.kms_key, Plaintext=b"x"),
                         "AccessDeniedException")

    def test_disabled_key(self):
        kms_a, kms_b = self.a.client("kms"), self.b.client("kms")
        key = kms_a.create_key()["KeyMetadata"]["KeyId"]
        kms_b.encrypt(KeyId=key, Plaintext=b"x")
        kms_a.disable_key(KeyId=key)
        self.until_fails("key disabled", lambda: kms_b.encrypt(KeyId=key, Plaintext=b"x"),
                         "DisabledException")

    def test_revoked_grant(self):
        akid, secret = self.user_with_key("rev-grant")
        kms_a = self.a.client("kms")
        gid = kms_a.create_grant(KeyId=self.kms_key, Operations=["Encrypt"],
                                 GranteePrincipal=f"arn:aws:iam::{harness.ACCOUNT}:user/rev-grant")["GrantId"]
        kms_b = self.b.client("kms", key=akid, secret=secret)
        kms_b.encrypt(KeyId=self.kms_key, Plaintext=b"x")
        kms_a.revoke_grant(KeyId=self.kms_key, GrantId=gid)
        self.until_fails("grant revoked",
                         lambda: kms_b.encrypt(KeyId=self.kms_key, Plaintext=b"x"),
                         "AccessDeniedException")

    def test_deleted_secret(self):
        sm_a, sm_b = self.a.client("secretsmanager"), self.b.client("secretsmanager")
        sm_a.create_secret(Name="rev-secret", SecretString="v")
        sm_b.get_secret_value(SecretId="rev-secret")
        sm_a.delete_secret(SecretId="rev-secret", ForceDeleteWithoutRecovery=True)
        self.until_fails("secret deleted", lambda: sm_b.get_secret_value(SecretId="rev-secret"),
                         "ResourceNotFoundException")

    # --- races from both nodes ------------------------------------------------------------

    def race(self, calls):
        """Run calls (one per thread) at once; their results: ("ok", value) or ("err", code)."""
        out = [None] * len(calls)
        barrier = threading.Barrier(len(calls))

        def run(i):
            barrier.wait()
            try:
                out[i] = ("ok", calls[i]())
            except ClientError as e:
                out[i] = ("err", code(e))
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return out

    def clients(self, service):
        return [n.client(service) for n in (self.a, self.b, self.a, self.b)]

    def test_races(self):
        # CreateUser: one user, three EntityAlreadyExists
        got = self.race([lambda c=c: c.create_user(UserName="racer")["User"]["UserId"]
                         for c in self.clients("iam")])
        self.assertEqual(sum(r[0] == "ok" for r in got), 1, got)
        self.assertTrue(all(r == ("err", "EntityAlreadyExists") for r in got if r[0] == "err"), got)
        winner = [r[1] for r in got if r[0] == "ok"][0]
        self.assertEqual(self.b.client("iam").get_user(UserName="racer")["User"]["UserId"], winner)
        # CreateAlias: one alias, three AlreadyExistsException; it names the winner's key
        kms = self.a.client("kms")
        keys = [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(4)]
        got = self.race([lambda c=c, k=k: c.create_alias(AliasName="alias/racer", TargetKeyId=k)
                         and k for c, k in zip(self.clients("kms"), keys)])
        oks = [i for i, r in enumerate(got) if r[0] == "ok"]
        self.assertEqual(len(oks), 1, got)
        self.assertTrue(all(r == ("err", "AlreadyExistsException") for r in got if r[0] == "err"), got)
        self.assertEqual(self.b.client("kms").describe_key(KeyId="alias/racer")
                         ["KeyMetadata"]["KeyId"], keys[oks[0]])
        # CreateGrant with one Name and the same parameters: one grant, every caller its id
        grantee = f"arn:aws:iam::{harness.ACCOUNT}:user/racer"
        got = self.race([lambda c=c: c.create_grant(KeyId=self.kms_key, Name="racer-grant",
                                                    GranteePrincipal=grantee,
                                                    Operations=["Encrypt"])["GrantId"]
                         for c in self.clients("kms")])
        self.assertTrue(all(r[0] == "ok" for r in got), got)
        self.assertEqual(len({r[1] for r in got}), 1, got)
        grants = self.b.client("kms").list_grants(KeyId=self.kms_key)["Grants"]
        self.assertEqual(sum(g.get("Name") == "racer-grant" for g in grants), 1, grants)
        # PutSecretValue with one ClientRequestToken: one version, the same for everyone
        self.a.client("secretsmanager").create_secret(Name="racer-secret", SecretString="0")
        token = "racer-token-0123456789abcdefghijklmnop"
        got = self.race([lambda c=c: c.put_secret_value(SecretId="racer-secret", SecretString="1",
                                                        ClientRequestToken=token)["VersionId"]
                         for c in self.clients("secretsmanager")])
        self.assertTrue(all(r == ("ok", token) for r in got), got)
        versions = self.b.client("secretsmanager").list_secret_version_ids(
            SecretId="racer-secret")["Versions"]
        self.assertEqual(len(versions), 2, versions)
        self.assertEqual(self.b.client("secretsmanager").get_secret_value(
            SecretId="racer-secret")["SecretString"], "1")

    # --- failures under load --------------------------------------------------------------

    def load(self, nodes, prefix, stop):
        """Threads creating users through nodes until stop is set; the names acknowledged."""
        acked, lock = [], threading.Lock()

        def run(node, t):
            iam = node.client("iam")
            i = 0
            while not stop.is_set():
                name = f"{prefix}-{t}-{i}"
                i += 1
                try:
                    iam.create_user(UserName=name)
                    with lock:
                        acked.append(name)
                except Exception:  # refused, 503, connection reset: not acknowledged
                    time.sleep(0.02)
        threads = [threading.Thread(target=run, args=(n, t)) for t, n in enumerate(nodes)]
        for t in threads:
            t.start()
        return threads, acked

    def assert_all_kept(self, node, acked):
        users = set()
        for page in node.client("iam").get_paginator("list_users").paginate():
            users.update(u["UserName"] for u in page["Users"])
        self.assertEqual(set(acked) - users, set())

    def test_sigkill_one_node(self):
        victim = self.node()
        stop = threading.Event()
        threads, acked = self.load([victim, victim, self.b], "kill", stop)
        time.sleep(1.0)
        victim.kill()
        before = len(acked)
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join()
        self.assertGreater(before, 0)
        self.assertGreater(len(acked), before, "node B stopped serving when the other died")
        self.assert_all_kept(self.b, acked)
        # the killed node's data dir starts again, and sees it all
        again = self.node(victim.data_dir)
        self.assert_all_kept(again, acked)
        again.stop()

    def test_postgres_restart_under_load(self):
        stop = threading.Event()
        threads, acked = self.load([self.a, self.b], "pgrestart", stop)
        time.sleep(0.5)
        self.pg.restart()
        deadline = time.time() + 30
        while not (healthy(self.a) and healthy(self.b)) and time.time() < deadline:
            time.sleep(0.1)
        self.assertTrue(healthy(self.a) and healthy(self.b))
        seen = len(acked)
        time.sleep(0.7)
        stop.set()
        for t in threads:
            t.join()
        self.assertGreater(len(acked), seen, "no write acknowledged after the restart")
        self.assert_all_kept(self.a, acked)
        self.assert_all_kept(self.b, acked)
        # both follow each other again (node B's listener reconnected): a revocation on A
        # reaches B's caches within the bound
        akid, secret = self.user_with_key("after-restart")
        sts_b = self.b.client("sts", key=akid, secret=secret)
        sts_b.get_caller_identity()
        self.a.client("iam").delete_access_key(UserName="after-restart", AccessKeyId=akid)
        self.until_fails("access key deleted after a restart", sts_b.get_caller_identity,
                         "InvalidClientTokenId")

    # --- the master key -------------------------------------------------------------------

    def test_wrong_master_key(self):
        other = os.path.join(self.key_dir, "other.key")
        with open(os.open(other, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(os.urandom(32))
        n = harness.Server(extra_args=["--store", self.pg.url, "--master-key-file", other])
        try:
            with self.assertRaises(RuntimeError) as cm:
                n.start()
            self.assertIn(f"the master key {other} is not the one this store's data is sealed "
                          "under", str(cm.exception))
            self.assertIn("--master-key-file", str(cm.exception))
        finally:
            n.cleanup()
        # the store is untouched: both nodes still serve root (whose key it would have resealed)
        for node in (self.a, self.b):
            node.client("sts").get_caller_identity()


if __name__ == "__main__":
    unittest.main()
