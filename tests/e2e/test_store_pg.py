#!/usr/bin/env python3
"""custos on a PostgreSQL store of its own (tests/pg_server.py: a throwaway server this file
starts and stops): /_custos/health names the store; when the database goes away calls and
health answer 503 ServiceUnavailable in the protocol's shape while the server keeps
serving (past the staleness bound, calls its caches held too), and both recover by
themselves when it returns, with every acknowledged write
kept; the store URL's password never reaches the log. `custos store migrate` moves an
embedded installation into PostgreSQL: a server on the copy knows its users, access keys,
KMS keys (old ciphertexts decrypt) and secrets; a second copy into the same database is
refused."""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

import harness

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pg_server import PgServer  # noqa: E402

# this file runs its own PostgreSQL: its embedded servers stay embedded
harness.PG_URL_FILE = None
CLI_BIN = os.environ.get("CUSTOS_REAL_BIN", harness.CUSTOS_BIN)


def health(server):
    """(status, body) of GET /_custos/health."""
    try:
        with urllib.request.urlopen(server.endpoint + "/_custos/health", timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


class StoreOnPostgres(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer().start()
        try:
            cls.server = harness.Server(extra_args=["--store", cls.pg.url]).start()
        except Exception:
            cls.pg.stop()
            raise
        cls.iam = cls.server.client("iam")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.pg.stop()

    def test_database_lost_and_back(self):
        status, body = health(self.server)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["store"], {"backend": "postgres", "state": "ok"})
        self.iam.create_user(UserName="before-outage")
        sts = self.server.client("sts")
        sts.get_caller_identity()  # root's key in the principal cache
        halted = time.monotonic()
        self.pg.halt()
        try:
            status, body = health(self.server)
            self.assertEqual(status, 503, body)
            self.assertEqual(body["status"], "unavailable")
            self.assertIn("postgres store does not answer", body["reason"])
            with self.assertRaises(ClientError) as cm:
                self.iam.create_user(UserName="during-outage")
            err = cm.exception.response
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 503)
            self.assertEqual(err["Error"]["Code"], "ServiceUnavailable")
            # still serving: past the staleness bound (STORE_STALE_MS + STORE_WATCH_MS, 3.25
            # s: store.h), no cache answers either, since this node cannot tell an outage
            # from being cut off while other nodes change what it caches; the caller is told
            # to come back (what needs no store, the health check, still answers)
            time.sleep(max(0.0, 3.25 + 0.25 - (time.monotonic() - halted)))
            with self.assertRaises(ClientError) as cm:
                sts.get_caller_identity()
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
            self.assertEqual(cm.exception.response["Error"]["Code"], "ServiceUnavailable")
            self.assertEqual(health(self.server)[0], 503)
        finally:
            self.pg.resume()
        deadline = time.time() + 20
        while health(self.server)[0] != 200 and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(health(self.server)[0], 200)
        self.assertEqual(self.iam.get_user(UserName="before-outage")["User"]["UserName"],
                         "before-outage")
        self.assertEqual(sts.get_caller_identity()["Account"], harness.ACCOUNT)
        self.iam.create_user(UserName="after-outage")
        with self.assertRaises(ClientError):
            self.iam.get_user(UserName="during-outage")

    def test_migrate_an_embedded_installation(self):
        src = harness.Server().start()
        try:
            iam = src.client("iam")
            iam.create_user(UserName="moved")
            key = iam.create_access_key(UserName="moved")["AccessKey"]
            kms = src.client("kms")
            key_id = kms.create_key()["KeyMetadata"]["KeyId"]
            blob = kms.encrypt(KeyId=key_id, Plaintext=b"carried over")["CiphertextBlob"]
            src.client("secretsmanager").create_secret(Name="moved/secret", SecretString="s3")
            src.stop()
            self.pg.psql("postgres", "CREATE DATABASE moved")
            url = self.pg.url.replace("/custos?", "/moved?")
            run = subprocess.run([CLI_BIN, "store", "migrate", "--from", src.data_dir, "--to", url],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertIn("the copy is verified", run.stdout)
            self.assertIn("postgres://custos:***@", run.stdout)
            self.assertNotIn(self.pg.password, run.stdout + run.stderr)
            again = subprocess.run([CLI_BIN, "store", "migrate", "--from", src.data_dir, "--to", url],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(again.returncode, 1)
            self.assertIn("not empty", again.stderr)
            node = harness.Server(data_dir=src.data_dir, extra_args=["--store", url]).start()
            try:
                self.assertEqual(node.client("iam").get_user(UserName="moved")["User"]["UserName"],
                                 "moved")
                ident = node.client("sts", key=key["AccessKeyId"],
                                    secret=key["SecretAccessKey"]).get_caller_identity()
                self.assertTrue(ident["Arn"].endswith(":user/moved"), ident)
                self.assertEqual(node.client("kms").decrypt(CiphertextBlob=blob)["Plaintext"],
                                 b"carried over")
                self.assertEqual(node.client("secretsmanager").get_secret_value(
                    SecretId="moved/secret")["SecretString"], "s3")
                self.assertIn("store: PostgreSQL at", node.read_log())
            finally:
                node.stop()
        finally:
            src.cleanup()

    def test_password_not_in_log(self):
        # the whole log (read_log gives its tail only, and an outage logs a lot)
        with open(os.path.join(self.server.data_dir, "server.log"), "rb") as f:
            log = f.read().decode(errors="replace")
        self.assertIn("store: PostgreSQL at postgres://custos:***@127.0.0.1:", log)
        self.assertNotIn(self.pg.password, log)
        self.assertNotIn(self.pg.password, self.server.stdout)

    def test_password_holding_a_question_mark(self):
        # libpq reads "leaky:pw?Leak3d@" as user and password (its userinfo ends at the
        # first '@' or '/'): the log masks all of it, not up to the '?'
        self.pg.psql("postgres", "CREATE ROLE leaky LOGIN PASSWORD 'pw?Leak3d'")
        self.pg.psql("postgres", "CREATE DATABASE leaky OWNER leaky")
        url = f"postgres://leaky:pw?Leak3d@127.0.0.1:{self.pg.port}/leaky?sslmode=disable"
        node = harness.Server(extra_args=["--store", url]).start()
        try:
            self.assertEqual(health(node)[1]["store"], {"backend": "postgres", "state": "ok"})
            with open(os.path.join(node.data_dir, "server.log"), "rb") as f:
                log = f.read().decode(errors="replace")
            self.assertIn(f"store: PostgreSQL at postgres://leaky:***@127.0.0.1:{self.pg.port}/leaky", log)
            self.assertNotIn("Leak3d", log + node.stdout)
        finally:
            node.cleanup()


class StoreUrlPassword(unittest.TestCase):
    """URLs libpq cannot use, their passwords holding what a URL should have encoded: the
    server that cannot start and `custos store migrate` name the URL and libpq's reason,
    never the password (libpq quotes the token it could not decode)."""

    PASSWORD = "pw?Secret%zz"

    def test_a_server_that_cannot_start(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            run = subprocess.run([CLI_BIN, "serve", "--listen", f"127.0.0.1:{harness.free_port()}",
                                  "--data-dir", d, "--store", f"postgres://custos:{self.PASSWORD}@127.0.0.1:1/db"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
            self.assertNotEqual(run.returncode, 0)
            self.assertIn('invalid percent-encoded token: "***"', run.stderr)
            self.assertIn("postgres://custos:***@127.0.0.1:1/db", run.stderr)
            self.assertNotIn("Secret", run.stdout + run.stderr)

    def test_migrate_to_a_mistyped_url(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            open(os.path.join(d, "custos.db"), "w").close()
            run = subprocess.run([CLI_BIN, "store", "migrate", "--from", d, "--to",
                                  f"postgress://custos:{self.PASSWORD}@127.0.0.1/db"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
            self.assertEqual(run.returncode, 2)
            self.assertIn("not postgress://custos:***@127.0.0.1/db", run.stderr)
            self.assertNotIn("Secret", run.stdout + run.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
