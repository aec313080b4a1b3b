"""The AWS Encryption SDK for JavaScript (@aws-crypto/client-node, installed by
scripts/install-deps into tests/interop) against custos: a KMS keyring on a custos key, the
KMS client's endpoint overridden to the test server, encrypts a 1 MiB message and decrypts
it; a keyring on another key cannot; the message's encrypted data key is a custos
ciphertext that custos decrypts with the right key and the message's encryption context;
the calls reach the trail under the key. Not run under valgrind (node and 1 MiB)."""
import base64
import json
import os
import subprocess

import harness

INTEROP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")
SCRIPT = os.path.join(INTEROP, "esdk_roundtrip.js")
MIB = 1 << 20


class EncryptionSdk(harness.ServerTest):
    def test_esdk_round_trip_1_mib(self):
        self.assertTrue(os.path.isdir(os.path.join(INTEROP, "node_modules", "@aws-crypto",
                                                   "client-node")),
                        "tests/interop has no node_modules: run scripts/install-deps")
        kms = self.server.client("kms")
        key = kms.create_key(Description="esdk")["KeyMetadata"]
        other = kms.create_key(Description="other")["KeyMetadata"]
        env = dict(os.environ, ESDK_ENDPOINT=self.server.endpoint, ESDK_KEY_ARN=key["Arn"],
                   ESDK_OTHER_KEY_ARN=other["Arn"], ESDK_SIZE=str(MIB),
                   AWS_ACCESS_KEY_ID=harness.ROOT_KEY, AWS_SECRET_ACCESS_KEY=harness.ROOT_SECRET)
        p = subprocess.run(["node", SCRIPT], cwd=INTEROP, env=env, capture_output=True,
                           text=True, timeout=240)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertEqual(out["size"], MIB)
        self.assertGreater(out["ciphertextSize"], MIB)
        self.assertTrue(out["roundTrip"])
        self.assertEqual(out["decryptedContext"]["purpose"], "custos interop")
        # one data key, wrapped by custos under the key the keyring names
        self.assertEqual((out["edks"], out["edkProvider"], out["edkKey"]),
                         (1, "aws-kms", key["Arn"]))
        # a keyring on another key finds no data key it may unwrap
        self.assertIsNotNone(out["otherError"])
        # custos opens the encrypted data key with the right key and the message's context
        blob = base64.b64decode(out["edkBlob"])
        d = kms.decrypt(CiphertextBlob=blob, EncryptionContext=out["context"])
        self.assertEqual(d["KeyId"], key["Arn"])
        self.assertEqual(len(d["Plaintext"]), 32)  # the committing suite's AES-256 data key
        with self.assertRaises(Exception):
            kms.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "other"})
        with self.assertRaises(Exception):
            kms.decrypt(CiphertextBlob=blob, KeyId=other["Arn"], EncryptionContext=out["context"])
        # the SDK's calls are in the trail, under the key
        names = {(r.get("eventName"), (r.get("resources") or [{}])[0].get("ARN"))
                 for r in self.server.audit_records()}
        self.assertIn(("GenerateDataKey", key["Arn"]), names)
        self.assertIn(("Decrypt", key["Arn"]), names)


if __name__ == "__main__":
    harness.main()
