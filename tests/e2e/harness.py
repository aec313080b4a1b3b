"""Start a real custos server on a free loopback port and give tests real clients.

Every end-to-end test drives the server the way a user would: boto3 clients and
Debian's AWS CLI v2 (/usr/bin/aws) pointed at it with --endpoint-url.
"""
import glob
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

CUSTOS_BIN = os.environ.get("CUSTOS_BIN", os.path.join(os.path.dirname(__file__), "../../build/custos"))
AWS_CLI = os.environ.get("AWS_CLI", "/usr/bin/aws")
ROOT_KEY = "AKIAROOTTESTKEY00001"
ROOT_SECRET = "rootSecretForTestsOnly/0123456789abcdefgh"
ACCOUNT = "123456789012"
REGION = "us-east-1"


# With the "pg" ctest fixture's URL file (tests/pg_server.py) in this variable, every
# server keeps its store in PostgreSQL: a schema of the fixture's database named after
# its data directory (a restart on the same directory finds the same records), dropped
# with a directory the harness made.
PG_URL_FILE = os.environ.get("CUSTOS_TEST_PG_URL_FILE")


def pg_psql(url, sql):
    psql = (sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or ["psql"])[-1]
    subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def pg_store(data_dir):
    """(store URL, schema) of the PostgreSQL schema that serves data_dir."""
    with open(PG_URL_FILE) as f:
        base = f.read().strip()
    schema = "e2e_" + hashlib.sha256(os.path.realpath(data_dir).encode()).hexdigest()[:20]
    pg_psql(base, f"CREATE SCHEMA IF NOT EXISTS {schema}")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


class shifted_clock:
    """Sign requests as if the client's clock ran `seconds` ahead: with a server started
    with --test-clock-offset (and CUSTOS_TEST_HOOKS=1) by the same amount, both sides see
    the same moved time, so signatures stay within the allowed skew while sessions expire."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        import datetime
        import botocore.auth
        self.orig = botocore.auth.get_current_datetime
        delta = datetime.timedelta(seconds=self.seconds)
        botocore.auth.get_current_datetime = lambda *a, **k: self.orig(*a, **k) + delta
        return self

    def __exit__(self, *exc):
        import botocore.auth
        botocore.auth.get_current_datetime = self.orig
        return False


def openssl(*args, data=None):
    """Run the openssl command line; its standard output (raises when it fails)."""
    return subprocess.run(["openssl"] + list(args), input=data, capture_output=True, check=True).stdout


def kms_wrap(public_key, material, algorithm):
    """Wrap key material for KMS ImportKeyMaterial under the DER wrapping public key
    GetParametersForImport returned, as the KMS developer guide's OpenSSL example does
    (importing-keys-encrypt-key-material, Step 3): RSAES_OAEP_* wraps the material itself;
    RSA_AES_KEY_WRAP_* wraps a fresh AES-256 key with OAEP and the material under it with
    AES key wrap with padding (RFC 5649)."""
    with tempfile.TemporaryDirectory() as d:
        pub, mat = os.path.join(d, "WrappingPublicKey.bin"), os.path.join(d, "material")
        with open(pub, "wb") as f:
            f.write(public_key)
        with open(mat, "wb") as f:
            f.write(material)
        md = "sha1" if algorithm.endswith("SHA_1") else "sha256"
        oaep = ["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", pub,
                "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", f"rsa_oaep_md:{md}",
                "-pkeyopt", f"rsa_mgf1_md:{md}"]
        if algorithm.startswith("RSAES_OAEP"):
            return openssl(*oaep, "-in", mat)
        aes = os.path.join(d, "aes-key.bin")
        openssl("rand", "-out", aes, "32")
        with open(aes, "rb") as f:
            aes_hex = f.read().hex()
        key_wrapped = openssl("enc", "-id-aes256-wrap-pad", "-K", aes_hex, "-iv", "A65959A6",
                              "-in", mat)
        aes_wrapped = openssl(*oaep, "-in", aes)
        return aes_wrapped + key_wrapped


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One custos process with its own data directory."""

    def __init__(self, data_dir=None, extra_args=(), env=None):
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="custos-test-")
        self.extra_args = list(extra_args)
        self.env_overrides = env
        self.port = None
        self.proc = None
        self.stdout = ""
        self.pg_schema = None

    @property
    def endpoint(self):
        scheme = "https" if "--tls-cert" in self.extra_args else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self):
        self.port = free_port()
        env = dict(os.environ)
        env.update({"CUSTOS_ROOT_ACCESS_KEY_ID": ROOT_KEY, "CUSTOS_ROOT_SECRET_ACCESS_KEY": ROOT_SECRET})
        if self.env_overrides is not None:
            for k, v in self.env_overrides.items():
                if v is None:
                    env.pop(k, None)
                else:
                    env[k] = v
        self.log = open(os.path.join(self.data_dir, "server.log"), "ab")
        self.out_path = os.path.join(self.data_dir, "server.out")
        store = []
        if PG_URL_FILE and "--store" not in self.extra_args:
            url, self.pg_schema = pg_store(self.data_dir)
            store = ["--store", url]
        with open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(
                [CUSTOS_BIN, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
                 "--account-id", ACCOUNT, "--region", REGION] + store + self.extra_args,
                stdout=out, stderr=self.log, env=env)
        self.wait_healthy()
        # the banner is printed just after the listener starts, so health can answer before
        # it is written (seen under valgrind): wait for its last line
        deadline = time.time() + 20
        while True:
            with open(self.out_path) as f:
                self.stdout = f.read()
            if "# custos: serving" in self.stdout or time.time() > deadline:
                break
            time.sleep(0.02)
        return self

    def wait_healthy(self, timeout=None):
        # valgrind's start (OpenSSL's TLS set-up above all) takes far longer on a loaded machine
        if timeout is None:
            timeout = 90 if os.environ.get("CUSTOS_UNDER_VALGRIND") else 20
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"custos exited with {self.proc.returncode}: " + self.read_log())
            try:
                ctx = None
                if self.endpoint.startswith("https"):
                    import ssl
                    ctx = ssl._create_unverified_context()
                with urllib.request.urlopen(self.endpoint + "/_custos/health", timeout=1, context=ctx) as r:
                    if r.status == 200:
                        return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("custos did not become healthy: " + self.read_log())

    def read_log(self):
        try:
            with open(os.path.join(self.data_dir, "server.log"), "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def restart_later(self, seconds):
        """Stop the server and start it again on its data directory with its clock `seconds`
        ahead (the test-only --test-clock-offset, which wants CUSTOS_TEST_HOOKS=1): what was
        due by then (a sweep runs at start) is done. Tests then read times through
        shifted_clock(seconds)."""
        self.stop()
        self.extra_args += ["--test-clock-offset", str(seconds)]
        self.env_overrides = {"CUSTOS_TEST_HOOKS": "1"}
        return self.start()

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            # under valgrind (tests/valgrind-server) a memory error or leak exits 99
            if sig == signal.SIGTERM and os.environ.get("CUSTOS_UNDER_VALGRIND") and self.proc.returncode:
                raise AssertionError(f"custos exited {self.proc.returncode} under valgrind: "
                                     + self.read_log())
        if getattr(self, "log", None):
            self.log.close()

    def kill(self):
        self.stop(signal.SIGKILL)

    def store_docs(self):
        """Every stored document's text, from whichever store the server runs on."""
        if self.pg_schema:
            with open(PG_URL_FILE) as f:
                base = f.read().strip()
            psql = (sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or ["psql"])[-1]
            p = subprocess.run([psql, "-X", "-tA", "-d", base, "-c",
                                f"SELECT doc FROM {self.pg_schema}.objects"],
                               check=True, stdout=subprocess.PIPE, text=True)
            return p.stdout.splitlines()
        import sqlite3
        db = sqlite3.connect(os.path.join(self.data_dir, "custos.db"))
        try:
            return [row[0] for row in db.execute("SELECT doc FROM objects")]
        finally:
            db.close()

    def cleanup(self):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            if getattr(self, "pg_schema", None):
                with open(PG_URL_FILE) as f:
                    pg_psql(f.read().strip(), f"DROP SCHEMA IF EXISTS {self.pg_schema} CASCADE")

    def client(self, service, key=ROOT_KEY, secret=ROOT_SECRET, token=None, region=REGION, **cfg):
        config = botocore.config.Config(retries={"max_attempts": 1}, **cfg)
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            aws_session_token=token, config=config, verify=False)

    def cli(self, *args, key=ROOT_KEY, secret=ROOT_SECRET, check=True):
        """Run the AWS CLI v2 against the server; returns (rc, parsed JSON or text, stderr)."""
        env = {"PATH": "/usr/bin:/bin", "HOME": self.data_dir, "AWS_ACCESS_KEY_ID": key,
               "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": REGION,
               "AWS_PAGER": "", "AWS_EC2_METADATA_DISABLED": "true"}
        p = subprocess.run([AWS_CLI, "--endpoint-url", self.endpoint, "--output", "json"] + list(args),
                           capture_output=True, text=True, env=env, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        out = p.stdout
        try:
            out = json.loads(p.stdout) if p.stdout.strip() else None
        except ValueError:
            pass
        return p.returncode, out, p.stderr

    def user(self, name, *statements):
        """Create an IAM user (with an inline policy of these statements, if any) and an
        access key for it, as root; returns (arn, access key id, secret access key)."""
        iam = self.client("iam")
        arn = iam.create_user(UserName=name)["User"]["Arn"]
        if statements:
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": list(statements)}))
        k = iam.create_access_key(UserName=name)["AccessKey"]
        return arn, k["AccessKeyId"], k["SecretAccessKey"]

    def trail_text(self):
        """The whole trail as text, oldest first: the sealed log files of DIR/audit-trail
        (gzip, by number), one a crash left unsealed, then the live DIR/audit.log."""
        import gzip
        import re
        trail = os.path.join(self.data_dir, "audit-trail")
        names = sorted(n for n in (os.listdir(trail) if os.path.isdir(trail) else [])
                       if re.fullmatch(r"trail_\d{8}_\w{16}\.jsonl(\.gz)?", n))
        parts = []
        for n in names:
            if not n.endswith(".gz") and n + ".gz" in names:
                continue  # sealed meanwhile: the plain copy is about to go
            opener = gzip.open if n.endswith(".gz") else open
            with opener(os.path.join(trail, n), "rt") as f:
                parts.append(f.read())
        live = os.path.join(self.data_dir, "audit.log")
        if os.path.exists(live):
            with open(live) as f:
                parts.append(f.read())
        return "".join(parts)

    def audit_records(self):
        """Every audit record so far, read straight from the trail (trail_text). While
        the server runs, the space it has reserved after the last record reads as NULs."""
        text = self.trail_text()
        records, _, tail = text.rpartition("\n")
        assert tail.strip("\0") == "", "the trail ends inside a record"
        return [json.loads(line) for line in records.split("\n") if line]


class ServerTest(unittest.TestCase):
    """A test case with one server for the whole class."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra_args=cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def error_code(self, exc):
        return exc.response["Error"]["Code"]

    def err(self, fn, **kw):
        """Call fn(**kw), which must fail: its error's (code, message, HTTP status); the
        message is None when the error has none."""
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            fn(**kw)
        r = e.exception.response
        return r["Error"]["Code"], r["Error"].get("Message"), r["ResponseMetadata"]["HTTPStatusCode"]


def main():
    unittest.main(verbosity=2)
