"""The Recipient parameter (a Nitro Enclaves / NitroTPM attestation document) of Decrypt,
GenerateDataKey, GenerateDataKeyPair, GenerateRandom and DeriveSharedSecret, through boto3
(the AWS CLI v2 on the test machine, 2.9.19, predates Recipient and cannot send it). custos verifies no Nitro attestation, so every document is answered as
AWS answers one whose signature does not verify: a ValidationException (the code AWS
gives a malformed request; its exact wording for this case is unconfirmed), after
authorization and the key's checks, and nothing is returned in the clear."""

import harness

RECIPIENT = {"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
             "AttestationDocument": b"\x84\x44\xa1\x01\x38\x22\xa0not a signed document"}
INVALID = ("ValidationException",
           "The attestation document in the Recipient parameter is not valid: its signature does not "
           "verify against the AWS Nitro Attestation PKI.", 400)


class Recipient(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def test_every_operation(self):
        sym = self.kms.create_key()["KeyMetadata"]["KeyId"]
        ecdh = self.kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]["KeyId"]
        peer = self.kms.get_public_key(KeyId=ecdh)["PublicKey"]
        blob = self.kms.encrypt(KeyId=sym, Plaintext=b"sealed")["CiphertextBlob"]
        calls = {
            "GenerateRandom": lambda: self.kms.generate_random(NumberOfBytes=16, Recipient=RECIPIENT),
            "Decrypt": lambda: self.kms.decrypt(CiphertextBlob=blob, Recipient=RECIPIENT),
            "GenerateDataKey": lambda: self.kms.generate_data_key(KeyId=sym, KeySpec="AES_256", Recipient=RECIPIENT),
            "GenerateDataKeyPair": lambda: self.kms.generate_data_key_pair(KeyId=sym, KeyPairSpec="ECC_NIST_P256",
                                                                           Recipient=RECIPIENT),
            "DeriveSharedSecret": lambda: self.kms.derive_shared_secret(KeyId=ecdh, KeyAgreementAlgorithm="ECDH",
                                                                        PublicKey=peer, Recipient=RECIPIENT),
        }
        for op, call in calls.items():
            with self.subTest(op=op):
                self.assertEqual(self.err(call), INVALID)
        # the same calls without a Recipient work
        self.assertEqual(self.kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"sealed")
        # and no refused call left a plaintext in the trail
        recs = [r for r in self.server.audit_records() if r.get("errorCode") == "ValidationException"
                and r["eventName"] in calls]
        self.assertEqual({r["eventName"] for r in recs}, set(calls))

    def test_after_authorization_and_key_state(self):
        key = self.kms.create_key()["KeyMetadata"]
        arn, ak, sk = self.server.user("no-kms", {"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"})
        user = self.server.client("kms", key=ak, secret=sk)
        code, message, _ = self.err(user.generate_random, NumberOfBytes=8, Recipient=RECIPIENT)
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("kms:GenerateRandom", message)
        code, _, _ = self.err(user.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256", Recipient=RECIPIENT)
        self.assertEqual(code, "AccessDeniedException")
        # a disabled key is refused as disabled first
        self.kms.disable_key(KeyId=key["KeyId"])
        self.assertEqual(self.err(self.kms.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256",
                                  Recipient=RECIPIENT),
                         ("DisabledException", f"{key['Arn']} is disabled.", 400))


if __name__ == "__main__":
    harness.main()
