"""The daemon itself: first start, generated root credentials, restart keeps everything,
HTTPS, clean shutdown on SIGTERM."""
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import unittest

import boto3
import botocore.config

import harness


class FirstStart(unittest.TestCase):
    def test_generated_root_credentials(self):
        srv = harness.Server(env={"CUSTOS_ROOT_ACCESS_KEY_ID": None, "CUSTOS_ROOT_SECRET_ACCESS_KEY": None})
        try:
            srv.start()
            path = os.path.join(srv.data_dir, "root-credentials")
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(srv.data_dir, "master.key")).st_mode), 0o600)
            creds = dict(line.split(" ", 1)[1].split("=", 1) for line in open(path).read().splitlines()
                         if line.startswith("export "))
            self.assertIn("export AWS_SECRET_ACCESS_KEY=" + creds["AWS_SECRET_ACCESS_KEY"], srv.stdout)
            self.assertIn("export AWS_ENDPOINT_URL=" + srv.endpoint, srv.stdout)
            sts = srv.client("sts", key=creds["AWS_ACCESS_KEY_ID"], secret=creds["AWS_SECRET_ACCESS_KEY"])
            self.assertEqual(sts.get_caller_identity()["Arn"], f"arn:aws:iam::{harness.ACCOUNT}:root")
            # printed once: a restart does not print the secret again
            srv.stop()
            srv.start()
            self.assertNotIn(creds["AWS_SECRET_ACCESS_KEY"], srv.stdout)
            sts = srv.client("sts", key=creds["AWS_ACCESS_KEY_ID"], secret=creds["AWS_SECRET_ACCESS_KEY"])
            sts.get_caller_identity()
        finally:
            srv.cleanup()

    def test_restart_keeps_everything(self):
        srv = harness.Server().start()
        try:
            iam, kms = srv.client("iam"), srv.client("kms")
            iam.create_user(UserName="persist")
            iam.put_user_policy(UserName="persist", PolicyName="p",
                                PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}')
            k = iam.create_access_key(UserName="persist")["AccessKey"]
            key = kms.create_key()["KeyMetadata"]
            kms.create_alias(AliasName="alias/persist", TargetKeyId=key["KeyId"])
            blob = kms.encrypt(KeyId="alias/persist", Plaintext=b"survives", EncryptionContext={"k": "v"})["CiphertextBlob"]
            srv.stop()
            srv.start()
            user_kms = srv.client("kms", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
            self.assertEqual(user_kms.decrypt(CiphertextBlob=blob, EncryptionContext={"k": "v"})["Plaintext"], b"survives")
            self.assertEqual(srv.client("iam").list_user_policies(UserName="persist")["PolicyNames"], ["p"])
            self.assertEqual(srv.client("kms").describe_key(KeyId="alias/persist")["KeyMetadata"]["KeyId"], key["KeyId"])
        finally:
            srv.cleanup()

    def test_root_create_date_is_the_account_creation_time(self):
        before = int(time.time())
        srv = harness.Server().start()
        try:
            after = time.time()
            created = srv.client("iam").get_user()["User"]["CreateDate"].timestamp()
            self.assertGreaterEqual(created, before)
            self.assertLessEqual(created, after)
            time.sleep(1.2)
            # not the time of the call: the same later, and after a restart
            self.assertEqual(srv.client("iam").get_user()["User"]["CreateDate"].timestamp(), created)
            srv.stop()
            srv.start()
            self.assertEqual(srv.client("iam").get_user()["User"]["CreateDate"].timestamp(), created)
        finally:
            srv.cleanup()

    def test_store_files_are_private(self):
        srv = harness.Server().start()
        try:
            srv.client("iam").create_user(UserName="mode")  # a write, so the WAL exists
            names = ["custos.db", "custos.db-wal", "custos.db-shm"]
            for name in names:
                path = os.path.join(srv.data_dir, name)
                self.assertTrue(os.path.exists(path), name)
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, name)
            srv.stop()
            # files an older custos left readable are made private on the next start
            for name in names:
                path = os.path.join(srv.data_dir, name)
                if os.path.exists(path):
                    os.chmod(path, 0o644)
            srv.start()
            for name in names:
                path = os.path.join(srv.data_dir, name)
                if os.path.exists(path):
                    self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, name)
            self.assertEqual(srv.client("iam").get_user(UserName="mode")["User"]["UserName"], "mode")
        finally:
            srv.cleanup()

    def test_environment_root_credentials_replace_old_ones(self):
        srv = harness.Server().start()
        try:
            srv.client("sts").get_caller_identity()
            srv.stop()
            new_key, new_secret = "AKIAROOTROTATED00001", "rotatedRootSecret/0123456789abcdefghijk"
            srv.env_overrides = {"CUSTOS_ROOT_ACCESS_KEY_ID": new_key, "CUSTOS_ROOT_SECRET_ACCESS_KEY": new_secret}
            srv.start()
            self.assertEqual(srv.client("sts", key=new_key, secret=new_secret).get_caller_identity()["Arn"],
                             f"arn:aws:iam::{harness.ACCOUNT}:root")
            with self.assertRaises(Exception) as e:
                srv.client("sts").get_caller_identity()
            self.assertIn("InvalidClientTokenId", str(e.exception))
        finally:
            srv.cleanup()

    def test_sigterm_exits_cleanly(self):
        srv = harness.Server().start()
        try:
            srv.proc.send_signal(signal.SIGTERM)
            self.assertEqual(srv.proc.wait(timeout=20), 0)
        finally:
            srv.cleanup()

    def test_bad_flags(self):
        p = subprocess.run([harness.CUSTOS_BIN, "serve", "--no-such-flag", "x"], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unknown flag", p.stderr)


class Tls(unittest.TestCase):
    def test_https(self):
        d = tempfile.mkdtemp(prefix="custos-tls-")
        try:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", d + "/key.pem", "-out", d + "/cert.pem"],
                           check=True, capture_output=True)
            srv = harness.Server(extra_args=["--tls-cert", d + "/cert.pem", "--tls-key", d + "/key.pem"]).start()
            try:
                self.assertTrue(srv.endpoint.startswith("https://"))
                sts = boto3.client("sts", endpoint_url=srv.endpoint, region_name=harness.REGION,
                                   aws_access_key_id=harness.ROOT_KEY, aws_secret_access_key=harness.ROOT_SECRET,
                                   verify=d + "/cert.pem", config=botocore.config.Config(retries={"max_attempts": 1}))
                self.assertEqual(sts.get_caller_identity()["Account"], harness.ACCOUNT)
                # CloudTrail's tlsDetails: the connection's protocol and cipher suite in
                # OpenSSL's names, and the Host header the client sent
                rec = [r for r in srv.audit_records() if r.get("eventName") == "GetCallerIdentity"][-1]
                tls = rec["tlsDetails"]
                self.assertRegex(tls["tlsVersion"], r"^TLSv1\.[23]$")
                self.assertTrue(tls["cipherSuite"])
                self.assertEqual(tls["clientProvidedHostHeader"], srv.endpoint.split("//")[1])
                self.assertEqual(rec["eventCategory"], "Management")
            finally:
                srv.cleanup()
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    harness.main()
