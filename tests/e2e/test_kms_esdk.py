"""The AWS Encryption SDK for JavaScript (@aws-crypto/client-node, installed by
scripts/install-deps into tests/interop) against custos: a KMS keyring on a custos key, the
KMS client's endpoint overridden to the test server, encrypts a 1 MiB message and decrypts
it; a keyring on another key cannot; the message's encrypted data key is a custos
ciphertext that custos decrypts with the right key and the message's encryption context;
the calls reach the trail under the key. And with a multi-Region key (esdk_mrk.js): a
message encrypted under the mrk- primary in us-east-1 decrypts through its replica in
eu-west-1 with an MRK-aware keyring, the SDK's KMS client for each region pointed at the
same custos. Not run under valgrind (node and 1 MiB)."""
import base64
import json
import os
import subprocess

import harness

INTEROP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")
SCRIPT = os.path.join(INTEROP, "esdk_roundtrip.js")
MRK_SCRIPT = os.path.join(INTEROP, "esdk_mrk.js")
EU = "eu-west-1"
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


class MultiRegionKey(harness.ServerTest):
    server_args = ("--regions", f"{harness.REGION},{EU}")

    def test_primary_encrypts_replica_decrypts(self):
        east, eu = self.server.client("kms"), self.server.client("kms", region=EU)
        primary = east.create_key(MultiRegion=True, Description="esdk mrk")["KeyMetadata"]
        replica = east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion=EU)["ReplicaKeyMetadata"]
        self.assertEqual(replica["Arn"], f"arn:aws:kms:{EU}:{harness.ACCOUNT}:key/{primary['KeyId']}")
        env = dict(os.environ, ESDK_ENDPOINT=self.server.endpoint, ESDK_PRIMARY_ARN=primary["Arn"],
                   ESDK_REPLICA_ARN=replica["Arn"], ESDK_SIZE=str(MIB),
                   AWS_ACCESS_KEY_ID=harness.ROOT_KEY, AWS_SECRET_ACCESS_KEY=harness.ROOT_SECRET)
        p = subprocess.run(["node", MRK_SCRIPT], cwd=INTEROP, env=env, capture_output=True,
                           text=True, timeout=240)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertTrue(out["roundTrip"])
        self.assertEqual(out["size"], MIB)
        self.assertEqual(out["decryptedContext"]["purpose"], "custos mrk interop")
        # the data key is wrapped under the primary; the replica's region unwrapped it
        self.assertEqual((out["edks"], out["edkKey"]), (1, primary["Arn"]))
        self.assertEqual(set(out["encryptRegions"]), {harness.REGION})
        self.assertEqual(set(out["decryptRegions"]), {EU})
        # a keyring that is not MRK-aware does not take the replica for the primary
        self.assertIsNotNone(out["plainKeyringError"])
        # custos served the Decrypt in eu-west-1, under the replica
        decrypts = [r for r in self.server.audit_records()
                    if r.get("eventName") == "Decrypt" and "errorCode" not in r]
        self.assertTrue(any(r.get("awsRegion") == EU and
                            (r.get("resources") or [{}])[0].get("ARN") == replica["Arn"] for r in decrypts),
                        decrypts)
        self.assertIsNotNone(eu.describe_key(KeyId=replica["Arn"]))


if __name__ == "__main__":
    harness.main()
