"""The AWS SDK for JavaScript v3 (@aws-sdk/client-secrets-manager, installed by
scripts/install-deps into tests/interop) reads a custos secret: the seeds' JSON database
credentials by AWSCURRENT and the value before it by AWSPREVIOUS, DescribeSecret's
VersionIdsToStages, ListSecretVersionIds, and a missing secret answered with the SDK's
ResourceNotFoundException; the reads are in the trail as the caller's."""
import json
import os
import subprocess

import harness

INTEROP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")
SCRIPT = os.path.join(INTEROP, "secretsmanager_read.js")


class JavaScriptSdk(harness.ServerTest):
    def test_sdk_v3_reads_a_secret(self):
        self.assertTrue(os.path.isdir(os.path.join(INTEROP, "node_modules", "@aws-sdk",
                                                   "client-secrets-manager")),
                        "tests/interop has no client-secrets-manager: run scripts/install-deps")
        sm = self.server.client("secretsmanager")
        creds = {"username": "ml_app", "password": "s3cr3t-pw", "host": "db.internal", "port": 5432}
        first = sm.create_secret(Name="ml/database-credentials", SecretString="old")
        second = sm.put_secret_value(SecretId="ml/database-credentials", SecretString=json.dumps(creds))
        env = dict(os.environ, SM_ENDPOINT=self.server.endpoint, SM_SECRET_ID="ml/database-credentials",
                   AWS_REGION=harness.REGION, AWS_ACCESS_KEY_ID=harness.ROOT_KEY,
                   AWS_SECRET_ACCESS_KEY=harness.ROOT_SECRET)
        p = subprocess.run(["node", SCRIPT], cwd=INTEROP, env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertEqual(out["arn"], first["ARN"])
        self.assertEqual(out["current"], creds)
        self.assertEqual(out["currentVersion"], second["VersionId"])
        self.assertTrue(out["createdIsDate"])
        self.assertEqual(out["previous"], "old")
        self.assertEqual(out["stages"], {first["VersionId"]: ["AWSPREVIOUS"], second["VersionId"]: ["AWSCURRENT"]})
        self.assertEqual(out["versions"], sorted([first["VersionId"], second["VersionId"]]))
        self.assertEqual(out["missing"], {"name": "ResourceNotFoundException", "status": 400})
        reads = [r for r in self.server.audit_records() if r.get("eventName") == "GetSecretValue"
                 and "aws-sdk-js" in r.get("userAgent", "")]
        self.assertEqual(len(reads), 3)


if __name__ == "__main__":
    harness.main()
