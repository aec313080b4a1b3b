"""`custos policy check` and `custos policy eval`: the engine offline."""
import json
import os
import subprocess
import tempfile
import unittest

import harness


def run(*args, doc=None, after=()):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    try:
        p = subprocess.run([harness.CUSTOS_BIN, "policy", *args, f.name, *after], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    return p


ALLOW_KMS = {"Version": "2012-10-17", "Statement": [{"Sid": "K", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}


class PolicyCli(unittest.TestCase):
    def test_check(self):
        p = run("check", doc=ALLOW_KMS)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "ok"))
        p = run("check", doc='{"Statement":[{"Effect":"Allow","Resource":"*"}]}')
        self.assertEqual(p.returncode, 1)
        self.assertIn("Policy statement must contain actions.", p.stderr)
        p = run("check", doc="{not json")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Syntax errors in policy.", p.stderr)
        key_policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}
        self.assertEqual(run("check", doc=key_policy).returncode, 1)  # a principal in an identity policy
        p = subprocess.run([harness.CUSTOS_BIN, "policy", "check", "/nonexistent.json"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)

    def test_check_speaks_iams_words(self):
        """The texts CreatePolicy and PutUserPolicy answer (src/policy/messages.c)."""
        no_version = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
        p = run("check", after=("--type", "managed"), doc=no_version)
        self.assertEqual(p.returncode, 1)
        self.assertIn("MalformedPolicyDocument: Policy document must be version 2012-10-17 or greater.", p.stderr)
        self.assertEqual(run("check", after=("--type", "user"), doc=no_version).returncode, 0)
        bad_partition = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:error:s3:::b/k"}]}
        p = run("check", after=("--type", "managed"), doc=bad_partition)
        self.assertIn('Partition "error" is not valid for resource "arn:error:s3:::b/k".', p.stderr)
        empty_blocks = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"StringEquals": {}, "SomeFutureOperator": {}}}]}
        p = run("check", after=("--type", "managed"), doc=empty_blocks)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "ok"), p.stderr)

    def test_eval_explains(self):
        request = {"action": "kms:Decrypt", "resource": "arn:aws:kms:us-east-1:111122223333:key/k",
                   "principal_arn": "arn:aws:iam::111122223333:user/alice", "principal_account": "111122223333",
                   "context": {"aws:SourceIp": "10.1.2.3"}}
        deny_outside = {"Version": "2012-10-17", "Statement": [{"Sid": "Net", "Effect": "Deny", "Action": "*", "Resource": "*",
                        "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}
        p = run("eval", doc={"identity": [ALLOW_KMS, deny_outside], "request": request})
        self.assertEqual(p.returncode, 1)
        out = json.loads(p.stdout)
        self.assertEqual(out["decision"], "explicitDeny")
        self.assertIn({"policy": "identity[1]", "statement": 0, "sid": "Net", "effect": "Deny"}, out["matched"])
        self.assertIn("with an explicit deny in an identity-based policy", out["message"])
        request["context"]["aws:SourceIp"] = "192.0.2.9"
        p = run("eval", doc={"identity": [ALLOW_KMS, deny_outside], "request": request})
        self.assertEqual((p.returncode, json.loads(p.stdout)["decision"]), (0, "allowed"))
        p = run("eval", doc={"identity": [ALLOW_KMS], "resource_type": "key", "request": request,
                             "resource": {"Version": "2012-10-17", "Statement": [
                                 {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/bob"},
                                  "Action": "kms:*", "Resource": "*"}]}})
        out = json.loads(p.stdout)
        self.assertEqual((out["decision"], out["source"]), ("implicitDeny", "resource-based"))

    def test_check_types_and_quotas(self):
        """Each type's grammar and size quota (IAM guide reference_iam-quotas: user inline
        2,048, group 5,120, role 10,240, managed 6,144, whitespace outside strings not
        counted; KMS key policy 32 KiB and Organizations 5,120, every character counted)."""
        def identity_of(n_chars):
            stmt = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/"}
            base = len(json.dumps({"Version": "2012-10-17", "Statement": [stmt]}, separators=(",", ":")))
            stmt["Resource"] += "x" * (n_chars - base)
            return json.dumps({"Version": "2012-10-17", "Statement": [stmt]}, indent=4)

        for kind, limit in (("user", 2048), ("group", 5120), ("role", 10240), ("managed", 6144)):
            self.assertEqual(run("check", after=("--type", kind), doc=identity_of(limit)).returncode, 0, kind)
            p = run("check", after=("--type", kind), doc=identity_of(limit + 1))
            self.assertEqual(p.returncode, 1, kind)
            self.assertIn(f"LimitExceeded: {limit + 1} characters", p.stderr)
        # the same 3,000-character policy: too big inline for a user, fine for a group
        self.assertEqual(run("check", after=("--type", "user"), doc=identity_of(3000)).returncode, 1)
        self.assertEqual(run("check", after=("--type", "group"), doc=identity_of(3000)).returncode, 0)

        rcp_deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                    "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
        self.assertEqual(run("check", after=("--type", "rcp"), doc=rcp_deny).returncode, 0)
        # Organizations counts whitespace: the same RCP padded past 5,120 characters fails
        padded = json.dumps(rcp_deny, indent=2000)
        p = run("check", after=("--type", "rcp"), doc=padded)
        self.assertEqual(p.returncode, 1)
        self.assertIn("a resource control policy may have at most 5120", p.stderr)
        rcp_allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}
        p = run("check", after=("--type", "rcp"), doc=rcp_allow)
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not meet the requirements of the specified policy type", p.stderr)
        self.assertEqual(run("check", after=("--type", "scp"), doc=ALLOW_KMS).returncode, 0)

    def test_eval_with_rcps(self):
        """RCPs (Organizations guide, orgs_manage_policies_rcps_evaluation): every level
        needs RCPFullAWSAccess or an equivalent, and a Deny binds even the account root."""
        full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
        deny_decrypt = {"Version": "2012-10-17", "Statement": [{"Sid": "NoDecrypt", "Effect": "Deny", "Principal": "*",
                        "Action": "kms:Decrypt", "Resource": "*"}]}
        request = {"action": "kms:Decrypt", "resource": "arn:aws:kms:us-east-1:111122223333:key/k",
                   "principal_arn": "arn:aws:iam::111122223333:root", "principal_account": "111122223333",
                   "principal_type": "root"}
        p = run("eval", doc={"rcps": [[full], [full]], "request": request})
        self.assertEqual((p.returncode, json.loads(p.stdout)["decision"]), (0, "allowed"))
        p = run("eval", doc={"rcps": [[full], [full, deny_decrypt]], "request": request})
        out = json.loads(p.stdout)
        self.assertEqual((p.returncode, out["decision"], out["source"]), (1, "explicitDeny", "resource control policy"))
        self.assertIn({"policy": "rcps[1][1]", "statement": 0, "sid": "NoDecrypt", "effect": "Deny"}, out["matched"])
        self.assertIn("with an explicit deny in a resource control policy", out["message"])
        p = run("eval", doc={"rcps": [[full], [deny_decrypt]], "request": dict(request, action="kms:Encrypt")})
        out = json.loads(p.stdout)
        self.assertEqual((out["decision"], out["source"]), ("implicitDeny", "resource control policy"))
        self.assertIn("because no resource control policy allows the kms:Encrypt action", out["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
