"""`custos policy check` and `custos policy eval`: the engine offline."""
import json
import os
import subprocess
import tempfile
import unittest

import harness


def run(*args, doc=None):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    try:
        p = subprocess.run([harness.CUSTOS_BIN, "policy", *args, f.name], capture_output=True, text=True)
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
