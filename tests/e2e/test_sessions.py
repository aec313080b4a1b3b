"""STS GetSessionToken: temporary credentials (ASIA key, secret, session token) that act
with the caller's permissions, checked on every request (token, expiration), limited as
AWS limits them (no IAM without MFA, no GetSessionToken from a session), and the condition
keys they bring: aws:TokenIssueTime and aws:MultiFactorAuthPresent (STS API reference,
GetSessionToken; IAM guide, reference_policies_condition-keys)."""
import datetime
import json
import os
import sqlite3
import subprocess
import tempfile

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


class Sessions(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.key = cls.server.client("kms").create_key()["KeyMetadata"]["KeyId"]
        cls.n = 0

    def user_with(self, *statements):
        Sessions.n += 1
        name = f"sess-user-{Sessions.n}"
        _, key, secret = self.server.user(name, *statements)
        return name, key, secret

    def session(self, key, secret, **kw):
        c = self.server.client("sts", key=key, secret=secret).get_session_token(**kw)["Credentials"]
        return c

    def as_session(self, service, c, token=None):
        return self.server.client(service, key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                  token=token or c["SessionToken"])

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        return e.exception.response["Error"]

    def test_session_acts_as_the_user(self):
        name, key, secret = self.user_with({"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"],
                                            "Resource": "*"})
        c = self.session(key, secret)
        self.assertTrue(c["AccessKeyId"].startswith("ASIA"))
        self.assertEqual(len(c["AccessKeyId"]), 20)
        left = c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(datetime.timedelta(hours=11, minutes=58) < left <= datetime.timedelta(hours=12))
        me = self.as_session("sts", c).get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:iam::{ACCT}:user/{name}")
        kms = self.as_session("kms", c)
        blob = kms.encrypt(KeyId=self.key, Plaintext=b"x")["CiphertextBlob"]
        self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"x")
        # the user's permissions, no more
        self.assertEqual(self.error(lambda: self.as_session("kms", c).create_key())["Code"],
                         "AccessDeniedException")
        # no IAM without MFA, and no sessions from sessions
        err = self.error(lambda: self.as_session("iam", c).get_user())
        self.assertEqual((err["Code"], err["Message"]),
                         ("InvalidClientTokenId", "The security token included in the request is invalid."))
        err = self.error(lambda: self.as_session("sts", c).get_session_token())
        self.assertEqual((err["Code"], err["Message"]),
                         ("AccessDenied", "Cannot call GetSessionToken with session credentials"))

    def test_token_is_checked(self):
        _, key, secret = self.user_with({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
        c = self.session(key, secret)
        bad = c["SessionToken"][:-4] + ("AAAA" if not c["SessionToken"].endswith("AAAA") else "BBBB")
        err = self.error(lambda: self.as_session("kms", c, token=bad).list_keys())
        self.assertEqual(err["Code"], "UnrecognizedClientException")
        err = self.error(lambda: self.as_session("sts", c, token=bad).get_caller_identity())
        self.assertEqual((err["Code"], err["Message"]),
                         ("InvalidClientTokenId", "The security token included in the request is invalid."))
        # temporary credentials without their token, and a token with long-term keys
        no_token = self.server.client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"])
        self.assertEqual(self.error(no_token.get_caller_identity)["Code"], "InvalidClientTokenId")
        stray = self.server.client("sts", key=key, secret=secret, token=c["SessionToken"])
        self.assertEqual(self.error(stray.get_caller_identity)["Code"], "InvalidClientTokenId")

    def test_durations_and_mfa(self):
        _, key, secret = self.user_with({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
        now = datetime.datetime.now(datetime.timezone.utc)
        c = self.session(key, secret, DurationSeconds=900)
        self.assertLessEqual(c["Expiration"] - now, datetime.timedelta(seconds=905))
        # the root user's sessions last an hour at most
        c = self.session(harness.ROOT_KEY, harness.ROOT_SECRET, DurationSeconds=7200)
        self.assertLessEqual(c["Expiration"] - now, datetime.timedelta(seconds=3605))
        self.assertEqual(self.as_session("sts", c).get_caller_identity()["Arn"], f"arn:aws:iam::{ACCT}:root")
        unchecked = self.server.client("sts", key=key, secret=secret, parameter_validation=False)
        err = self.error(lambda: unchecked.get_session_token(DurationSeconds=899))
        self.assertEqual(err["Code"], "ValidationError")
        # no MFA device exists in custos, so no code can be right
        err = self.error(lambda: self.session(key, secret, SerialNumber=f"arn:aws:iam::{ACCT}:mfa/x",
                                              TokenCode="123456"))
        self.assertEqual(err["Code"], "AccessDenied")

    def test_condition_keys(self):
        # Bool on aws:MultiFactorAuthPresent: present and false for these sessions, absent
        # for long-term keys (so only the session is denied)
        _, key, secret = self.user_with(
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}})
        self.server.client("kms", key=key, secret=secret).encrypt(KeyId=self.key, Plaintext=b"x")
        err = self.error(lambda: self.as_session("kms", self.session(key, secret)).encrypt(KeyId=self.key, Plaintext=b"x"))
        self.assertIn("with an explicit deny in an identity-based policy", err["Message"])
        # aws:TokenIssueTime exists only for temporary credentials
        _, key, secret = self.user_with(
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*",
             "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}})
        self.as_session("kms", self.session(key, secret)).encrypt(KeyId=self.key, Plaintext=b"x")
        err = self.error(lambda: self.server.client("kms", key=key, secret=secret).encrypt(KeyId=self.key, Plaintext=b"x"))
        self.assertIn("because no identity-based policy allows", err["Message"])

    def test_cli_and_audit(self):
        _, key, secret = self.user_with({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
        _, out, _ = self.server.cli("sts", "get-session-token", "--duration-seconds", "1800", key=key, secret=secret)
        c = out["Credentials"]
        self.as_session("kms", {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                                "SessionToken": c["SessionToken"]}).list_keys()
        trail = self.server.audit_records()
        text = json.dumps(trail)
        self.assertNotIn(c["SessionToken"], text)
        self.assertNotIn(c["SecretAccessKey"], text)
        issued = [r for r in trail if r["eventName"] == "GetSessionToken" and "errorCode" not in r][-1]
        self.assertEqual(issued["responseElements"]["credentials"]["sessionToken"], "HIDDEN_DUE_TO_SECURITY_REASONS")
        used = [r for r in trail if r["userIdentity"].get("accessKeyId") == c["AccessKeyId"]][-1]
        self.assertEqual(used["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"], "false")


class SessionLifetime(harness.ServerTest):
    def test_survives_restart_and_expires(self):
        """Nothing per session is stored: the token alone survives a restart, and expires
        with the clock (moved with the test-only --test-clock-offset, which a production
        start refuses)."""
        iam = self.server.client("iam")
        iam.create_user(UserName="lifetime")
        iam.put_user_policy(UserName="lifetime", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}))
        k = iam.create_access_key(UserName="lifetime")["AccessKey"]
        sts = self.server.client("sts", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        c = sts.get_session_token(DurationSeconds=900)["Credentials"]
        session = lambda: self.server.client("kms", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                             token=c["SessionToken"])
        self.server.stop()
        self.server.start()
        session().list_keys()
        db = sqlite3.connect(os.path.join(self.server.data_dir, "custos.db"))
        self.assertEqual(db.execute("SELECT count(*) FROM objects WHERE kind='session'").fetchone(), (0,))
        db.close()
        self.server.stop()
        self.server.extra_args += ["--test-clock-offset", "840"]
        self.server.env_overrides = {"CUSTOS_TEST_HOOKS": "1"}
        self.server.start()
        with harness.shifted_clock(840):
            session().list_keys()  # 60 seconds left
        self.server.stop()
        self.server.extra_args[-1] = "901"
        self.server.start()
        with harness.shifted_clock(901):
            with self.assertRaises(ClientError) as e:
                session().list_keys()
            self.assertEqual((e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"]),
                             ("ExpiredTokenException", "The security token included in the request is expired"))
            with self.assertRaises(ClientError) as e:
                self.server.client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                   token=c["SessionToken"]).get_caller_identity()
            self.assertEqual(e.exception.response["Error"]["Code"], "ExpiredToken")
        self.server.stop()
        del self.server.extra_args[-2:]
        self.server.env_overrides = None
        self.server.start()

    def test_production_start_refuses_the_clock_hook(self):
        env = {k: v for k, v in os.environ.items() if k != "CUSTOS_TEST_HOOKS"}
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([harness.CUSTOS_BIN, "serve", "--data-dir", d, "--listen", "127.0.0.1:0",
                                "--test-clock-offset", "60"], env=env, capture_output=True, text=True,
                               timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--test-clock-offset is a test hook and a production start refuses it", p.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
