#!/usr/bin/env python3
"""A node cut off from the database while another node still reaches it (issue 14). Two
custos nodes on one PostgreSQL (a throwaway server of this file's own: tests/pg_server.py):
node B reaches it directly, node A through a TCP proxy this file runs, which can be cut.
Node A's caches hold a user's access key, its policy, a KMS key and its grants; the proxy is
cut; node B deletes the access key, detaches the policy, disables the KMS key, revokes the
grant or deletes a secret (which no cache holds). Within the documented bound
(STORE_STALE_MS + STORE_WATCH_MS: store.h, README's --store) node A no longer answers the
old allow: it answers 503 ServiceUnavailable, since it can no longer trust its caches and
the database is out of its reach. Two ways of being cut off: the proxy drops every
connection and refuses new ones (the follower's reads fail at once), or it keeps them and
stops forwarding (a black hole: the follower's read hangs, so only the store's watchdog
can notice). Once the proxy heals, node A follows the change log again and serves what
node B changed: the deleted key is refused with InvalidClientTokenId, the rest works, and
from its caches again once it is current (health's store state "ok")."""
import json
import os
import select
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import boto3
import botocore.config
import botocore.exceptions
from botocore.exceptions import ClientError

import harness

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pg_server import PgServer  # noqa: E402

harness.PG_URL_FILE = None  # this file runs its own PostgreSQL

# STORE_STALE_MS + STORE_WATCH_MS (store.h): how long after its last read of the change log
# a node may still answer from its caches; a little more for the poll's own request
BOUND_S = 3.0 + 0.25
VALGRIND = bool(os.environ.get("CUSTOS_UNDER_VALGRIND"))
SLACK_S = 1.5 if VALGRIND else 0.5
# how long a call to node A may take before it counts as held (a black hole)
TIMEOUT_S = 10 if VALGRIND else 1.5


class Proxy:
    """127.0.0.1:port forwarded to target_port, one thread per direction of each
    connection. cut(): drop every connection and refuse new ones (the port is closed);
    cut(blackhole=True): a black hole, as a network that fails silently is to node A: the
    connections it holds stay open on node A's side and new ones are accepted, but nothing
    passes (the database's side is closed at once, so that PostgreSQL frees whatever node A
    held, its write lock above all). heal(): forward again (after a black hole, the
    connections it held are dropped first: what they carried is lost)."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = harness.free_port()
        self.lock = threading.Lock()
        self.conns = []           # [client socket, server socket or None] pairs
        self.listener = None
        self.cut_off = False
        self.blackhole = False
        self.open_port()

    def open_port(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.listener = s
        threading.Thread(target=self.accept, args=(s,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # shut by cut()
            with self.lock:
                if self.blackhole:  # under the lock: heal() drops every one held
                    self.conns.append([client, None])
                    continue
                if self.cut_off or listener is not self.listener:
                    client.close()  # came in as cut() shut the port: refused too
                    return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            pair = [client, server]
            with self.lock:
                if self.cut_off and not self.blackhole:
                    # cut() ran while this one was being connected: it must not pass
                    self.close_socket(client)
                    self.close_socket(server)
                    return
                self.conns.append(pair)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self.pump, args=(pair, a, b), daemon=True).start()

    def pump(self, pair, src, dst):
        while True:
            try:
                ready, _, _ = select.select([src], [], [], 0.05)
                if self.blackhole:
                    time.sleep(0.05)  # nothing passes; what came in stays unread
                    continue
                if not ready:
                    continue
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
            except (OSError, ValueError):
                if self.blackhole:
                    return  # the black hole holds node A's side until heal()
                break
        self.drop(pair)

    @staticmethod
    def close_socket(s):
        if s is None:
            return
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def drop(self, pair):
        for s in pair:
            self.close_socket(s)
        with self.lock:
            if pair in self.conns:
                self.conns.remove(pair)

    def drop_all(self):
        with self.lock:
            pairs = list(self.conns)
        for pair in pairs:
            self.drop(pair)

    def cut(self, blackhole=False):
        with self.lock:
            self.cut_off = True
            self.blackhole = blackhole
        if blackhole:
            with self.lock:
                pairs = list(self.conns)
            for pair in pairs:
                self.close_socket(pair[1])
            return
        self.close_listener()
        self.drop_all()

    def close_listener(self):
        """Shut, then close: a close alone leaves a thread's accept() waiting, and the
        port listening for it (Linux), so the next connection would still pass."""
        listener, self.listener = self.listener, None
        try:
            listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        listener.close()

    def heal(self):
        with self.lock:
            was_blackhole, self.blackhole, self.cut_off = self.blackhole, False, False
            held = list(self.conns) if was_blackhole else []
        for pair in held:
            self.drop(pair)
        if not was_blackhole:
            self.open_port()

    def close(self):
        self.blackhole = False
        if self.listener:
            self.close_listener()
        self.drop_all()


def code(exc):
    return exc.response["Error"]["Code"]


def health(node):
    """GET /_custos/health's body (200: the store answers)."""
    with urllib.request.urlopen(node.endpoint + "/_custos/health", timeout=60) as r:
        return json.loads(r.read())


class Partition(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer().start()
        cls.proxy = Proxy(cls.pg.port)
        cls.key_dir = tempfile.mkdtemp(prefix="custos-partition-key-")
        key_file = os.path.join(cls.key_dir, "master.key")
        via_proxy = cls.pg.url.replace(f":{cls.pg.port}/", f":{cls.proxy.port}/")
        cls.nodes = []
        try:
            cls.b = cls.node(["--store", cls.pg.url, "--master-key-file", key_file])
            cls.a = cls.node(["--store", via_proxy, "--master-key-file", key_file])
        except Exception:
            cls.tearDownClass()
            raise
        cls.measured = []

    @classmethod
    def node(cls, args):
        n = harness.Server(extra_args=args).start()
        cls.nodes.append(n)
        return n

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "measured", None):
            sys.stderr.write("partition: node A stopped answering the old allow after (s): " +
                             ", ".join(f"{w} {t:.3f}" for w, t in cls.measured) + "\n")
        for n in cls.nodes:
            n.stop()
            shutil.rmtree(n.data_dir, ignore_errors=True)
        cls.proxy.close()
        cls.pg.stop()
        shutil.rmtree(cls.key_dir, ignore_errors=True)

    def tearDown(self):
        # a failed test must not leave node A cut off for the next one
        if self.proxy.cut_off:
            self.proxy.heal()
        self.wait_serving()

    def wait_serving(self):
        """Until node A answers root again through the proxy (its store reads again)."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.a.client("iam").get_user()
                return
            except (ClientError, botocore.exceptions.BotoCoreError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def client_a(self, service, key, secret, timeout=TIMEOUT_S):
        """A client of node A that tries once, with a short read timeout: a node cut off by
        a black hole holds a call that reaches for the database until the proxy heals."""
        config = botocore.config.Config(retries={"total_max_attempts": 1},
                                        read_timeout=timeout, connect_timeout=timeout)
        return boto3.client(service, endpoint_url=self.a.endpoint, region_name=harness.REGION,
                            aws_access_key_id=key, aws_secret_access_key=secret, config=config)

    def user(self, name, kms_actions):
        """A user made through node B, with a managed policy allowing kms_actions attached:
        (key id, secret, policy ARN)."""
        iam = self.b.client("iam")
        iam.create_user(UserName=name)
        arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": kms_actions, "Resource": "*"}]}))["Policy"]["Arn"]
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
        k = iam.create_access_key(UserName=name)["AccessKey"]
        return k["AccessKeyId"], k["SecretAccessKey"], arn

    def until_refused(self, what, call, refused):
        """Poll call on node A until it no longer succeeds; it must stop within the bound
        of the change (measured from now, just after node B committed it) and fail with a
        code in refused, or time out (a black hole). Records how long it took."""
        start = time.monotonic()
        while True:
            attempt = time.monotonic()
            try:
                call()
            except ClientError as e:
                self.assertIn(code(e), refused, e)
                break
            except botocore.exceptions.ReadTimeoutError:
                # held by a black hole: no answer is no allow; a refused connection fails
                # at once, so nothing is held then
                self.assertTrue(self.proxy.blackhole, f"{what}: node A held the call")
                break
            if attempt - start > BOUND_S + SLACK_S:
                self.fail(f"{what}: node A, cut off, still answers the old allow "
                          f"{attempt - start:.1f} s after node B revoked it")
            time.sleep(0.05)
        # from the start of the first call not answered with the allow
        took = attempt - start
        self.measured.append((what, took))
        # and it stays refused while the partition lasts
        time.sleep(0.3)
        held = (botocore.exceptions.ReadTimeoutError,) if self.proxy.blackhole else ()
        with self.assertRaises((ClientError,) + held) as cm:
            call()
        if isinstance(cm.exception, ClientError):
            self.assertIn(code(cm.exception), refused)

    def partition(self, blackhole):
        akid, secret, arn = self.user(f"part-{int(blackhole)}", ["kms:GenerateDataKey"])
        kms_b = self.b.client("kms")
        key = kms_b.create_key()["KeyMetadata"]["KeyId"]
        gdk_key = kms_b.create_key()["KeyMetadata"]["KeyId"]
        sts_a, kms_a = self.client_a("sts", akid, secret), self.client_a("kms", akid, secret)
        root_kms_a = self.client_a("kms", harness.ROOT_KEY, harness.ROOT_SECRET)
        # warm node A's caches: the principal, its policy set, both keys
        self.warm([sts_a.get_caller_identity,
                   lambda: kms_a.generate_data_key(KeyId=gdk_key, KeySpec="AES_256"),
                   lambda: root_kms_a.generate_data_key(KeyId=key, KeySpec="AES_256")])
        self.proxy.cut(blackhole=blackhole)
        # node A still answers from its caches, now that it cannot reach the database
        sts_a.get_caller_identity()
        # node B revokes all three
        iam_b = self.b.client("iam")
        iam_b.delete_access_key(UserName=f"part-{int(blackhole)}", AccessKeyId=akid)
        akid2 = iam_b.create_access_key(UserName=f"part-{int(blackhole)}")["AccessKey"]
        iam_b.detach_user_policy(UserName=f"part-{int(blackhole)}", PolicyArn=arn)
        kms_b.disable_key(KeyId=key)
        mode = "black hole" if blackhole else "refused"
        unavailable = ("ServiceUnavailable", "ServiceUnavailableException")
        self.until_refused(f"access key deleted ({mode})", sts_a.get_caller_identity,
                           unavailable)
        self.until_refused(f"key disabled ({mode})", lambda: root_kms_a.generate_data_key(
            KeyId=key, KeySpec="AES_256"), unavailable)
        # heal: node A reads the change log again, and serves what node B changed (the
        # calls a black hole held may still be ending: no short timeouts from here on)
        self.proxy.heal()
        self.wait_serving()
        sts_a = self.client_a("sts", akid, secret, timeout=60)
        root_kms_a = self.client_a("kms", harness.ROOT_KEY, harness.ROOT_SECRET, timeout=60)
        with self.assertRaises(ClientError) as cm:
            sts_a.get_caller_identity()
        self.assertEqual(code(cm.exception), "InvalidClientTokenId")
        with self.assertRaises(ClientError) as cm:
            root_kms_a.generate_data_key(KeyId=key, KeySpec="AES_256")
        self.assertEqual(code(cm.exception), "DisabledException")
        kms2_a = self.client_a("kms", akid2["AccessKeyId"], akid2["SecretAccessKey"], timeout=60)
        with self.assertRaises(ClientError) as cm:
            kms2_a.generate_data_key(KeyId=gdk_key, KeySpec="AES_256")
        self.assertEqual(code(cm.exception), "AccessDeniedException")
        # the rest works, and from node A's caches again once it is current
        sts2_a = self.client_a("sts", akid2["AccessKeyId"], akid2["SecretAccessKey"], timeout=60)
        self.assertIn(f"user/part-{int(blackhole)}", sts2_a.get_caller_identity()["Arn"])
        root_kms_a.generate_data_key(KeyId=gdk_key, KeySpec="AES_256")
        self.wait_current()
        sts2_a.get_caller_identity()
        root_kms_a.generate_data_key(KeyId=gdk_key, KeySpec="AES_256")
        loads = health(self.a)["cache_loads"]
        sts2_a.get_caller_identity()
        root_kms_a.generate_data_key(KeyId=gdk_key, KeySpec="AES_256")
        self.assertEqual(health(self.a)["cache_loads"], loads)

    def warm(self, calls):
        """Run calls through node A until a round of them loads nothing into its caches:
        a load is not kept when the node applied later changes meanwhile (node B's, just
        made), so one round alone may leave them cold."""
        time.sleep(1.5)  # STORE_FOLLOW_MS and more: node B's last writes have reached A
        deadline = time.monotonic() + 30
        while True:
            loads = health(self.a)["cache_loads"]
            for call in calls:
                call()
            if health(self.a)["cache_loads"] == loads:
                return
            self.assertLess(time.monotonic(), deadline, "node A's caches stay cold")
            time.sleep(0.1)

    def wait_current(self):
        """Until node A's health says its store is current (it read the change log)."""
        deadline = time.monotonic() + 30
        while health(self.a)["store"]["state"] != "ok":
            self.assertLess(time.monotonic(), deadline, "node A stays stale")
            time.sleep(0.05)

    def test_refused(self):
        self.partition(blackhole=False)

    def test_blackhole(self):
        self.partition(blackhole=True)

    def test_policy_grant_secret_while_cut(self):
        """What node A's caches hold besides principals: a user's policy set (its principal
        and the KMS key stay valid, only the policy goes) and a key's grants; and a secret,
        which no cache holds (a cut-off node answers 503 at once)."""
        akid, secret, arn = self.user("part-policy", ["kms:GenerateDataKey"])
        gakid, gsecret, _ = self.user("part-grantee", ["kms:DescribeKey"])
        kms_b = self.b.client("kms")
        key = kms_b.create_key()["KeyMetadata"]["KeyId"]
        grant = kms_b.create_grant(KeyId=key, Operations=["GenerateDataKey"],
                                   GranteePrincipal=f"arn:aws:iam::{harness.ACCOUNT}:user/part-grantee")
        self.b.client("secretsmanager").create_secret(Name="part-secret", SecretString="v")
        kms_a, grantee_a = self.client_a("kms", akid, secret), self.client_a("kms", gakid, gsecret)
        sm_a = self.client_a("secretsmanager", harness.ROOT_KEY, harness.ROOT_SECRET)
        self.warm([lambda: kms_a.generate_data_key(KeyId=key, KeySpec="AES_256"),
                   lambda: grantee_a.generate_data_key(KeyId=key, KeySpec="AES_256")])
        self.assertEqual(sm_a.get_secret_value(SecretId="part-secret")["SecretString"], "v")
        self.proxy.cut()
        # node A still answers from its caches, now that it cannot reach the database
        kms_a.generate_data_key(KeyId=key, KeySpec="AES_256")
        grantee_a.generate_data_key(KeyId=key, KeySpec="AES_256")
        self.b.client("iam").detach_user_policy(UserName="part-policy", PolicyArn=arn)
        kms_b.revoke_grant(KeyId=key, GrantId=grant["GrantId"])
        self.b.client("secretsmanager").delete_secret(SecretId="part-secret",
                                                      ForceDeleteWithoutRecovery=True)
        unavailable = ("ServiceUnavailableException",)
        self.until_refused("policy detached", lambda: kms_a.generate_data_key(
            KeyId=key, KeySpec="AES_256"), unavailable)
        self.until_refused("grant revoked", lambda: grantee_a.generate_data_key(
            KeyId=key, KeySpec="AES_256"), unavailable)
        self.until_refused("secret deleted", lambda: sm_a.get_secret_value(
            SecretId="part-secret"), unavailable)
        self.proxy.heal()
        self.wait_serving()
        for call, want in ((lambda: kms_a.generate_data_key(KeyId=key, KeySpec="AES_256"),
                            "AccessDeniedException"),
                           (lambda: grantee_a.generate_data_key(KeyId=key, KeySpec="AES_256"),
                            "AccessDeniedException"),
                           (lambda: sm_a.get_secret_value(SecretId="part-secret"),
                            "ResourceNotFoundException")):
            with self.assertRaises(ClientError) as cm:
                call()
            self.assertEqual(code(cm.exception), want)

if __name__ == "__main__":
    unittest.main()
