"""The AWS SDK for JavaScript v3 (@aws-sdk/client-ssm, installed by scripts/install-deps
into tests/interop) reads custos parameters: a SecureString decrypted and not (the
ciphertext without WithDecryption), a hierarchy by path with decryption, a Secrets Manager
secret through /aws/reference/secretsmanager/, and a missing parameter answered with the
SDK's ParameterNotFound; the reads are in the trail as the caller's."""
import json
import os
import subprocess

import harness

INTEROP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")
SCRIPT = os.path.join(INTEROP, "ssm_read.js")


class JavaScriptSdk(harness.ServerTest):
    def test_sdk_v3_reads_parameters(self):
        self.assertTrue(os.path.isdir(os.path.join(INTEROP, "node_modules", "@aws-sdk", "client-ssm")),
                        "tests/interop has no client-ssm: run scripts/install-deps")
        ssm = self.server.client("ssm")
        ssm.put_parameter(Name="/ml/db/password", Value="s3cr3t-pw", Type="SecureString")
        ssm.put_parameter(Name="/ml/db/host", Value="db.internal", Type="String")
        ssm.put_parameter(Name="/ml/db/replica/host", Value="db2.internal", Type="String")
        self.server.client("secretsmanager").create_secret(Name="ml/api-token", SecretString="tok-123")
        env = dict(os.environ, SSM_ENDPOINT=self.server.endpoint, SSM_PATH="/ml/db",
                   SSM_SECRET_ID="ml/api-token", AWS_REGION=harness.REGION,
                   AWS_ACCESS_KEY_ID=harness.ROOT_KEY, AWS_SECRET_ACCESS_KEY=harness.ROOT_SECRET)
        p = subprocess.run(["node", SCRIPT], cwd=INTEROP, env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertEqual((out["value"], out["type"], out["version"]), ("s3cr3t-pw", "SecureString", 1))
        self.assertTrue(out["modifiedIsDate"])
        self.assertTrue(out["sealedDiffers"])
        self.assertEqual(out["byPath"], {"/ml/db/password": "s3cr3t-pw", "/ml/db/host": "db.internal",
                                         "/ml/db/replica/host": "db2.internal"})
        self.assertEqual(out["reference"], "tok-123")
        self.assertEqual(out["missing"], {"name": "ParameterNotFound", "status": 400})
        reads = [r for r in self.server.audit_records() if r.get("eventName") == "GetParameter"
                 and "aws-sdk-js" in r.get("userAgent", "")]
        self.assertEqual(len(reads), 4)


if __name__ == "__main__":
    harness.main()
