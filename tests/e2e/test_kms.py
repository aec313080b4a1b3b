"""KMS keys, aliases and symmetric cryptography through boto3 and the AWS CLI v2."""
import base64
import json

from botocore.exceptions import ClientError

import harness


class KmsKeys(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def test_create_describe_list(self):
        meta = self.kms.create_key(Description="first")["KeyMetadata"]
        self.assertRegex(meta["KeyId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertEqual(meta["Arn"], f"arn:aws:kms:{harness.REGION}:{harness.ACCOUNT}:key/{meta['KeyId']}")
        self.assertEqual(meta["KeySpec"], "SYMMETRIC_DEFAULT")
        self.assertEqual(meta["KeyUsage"], "ENCRYPT_DECRYPT")
        self.assertEqual(meta["KeyState"], "Enabled")
        self.assertTrue(meta["Enabled"])
        self.assertEqual(meta["EncryptionAlgorithms"], ["SYMMETRIC_DEFAULT"])
        for ident in (meta["KeyId"], meta["Arn"]):
            self.assertEqual(self.kms.describe_key(KeyId=ident)["KeyMetadata"]["KeyId"], meta["KeyId"])
        ids = [k["KeyId"] for p in self.kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1})
               for k in p["Keys"]]
        self.assertIn(meta["KeyId"], ids)
        self.assertEqual(len(ids), len(set(ids)))

    def test_unknown_key(self):
        with self.assertRaises(ClientError) as e:
            self.kms.describe_key(KeyId="11111111-2222-4333-8444-555555555555")
        self.assertEqual(self.error_code(e.exception), "NotFoundException")
        with self.assertRaises(ClientError) as e:
            self.kms.describe_key(KeyId="alias/none")
        self.assertEqual(self.error_code(e.exception), "NotFoundException")

    def test_unsupported_key_spec_is_refused(self):
        with self.assertRaises(ClientError) as e:
            self.kms.create_key(KeySpec="ML_DSA_44", KeyUsage="SIGN_VERIFY")
        self.assertEqual(self.error_code(e.exception), "UnsupportedOperationException")

    def test_create_key_without_policy_needs_only_create_key(self):
        # The lockout check applies to a supplied policy only (KMS API reference, CreateKey,
        # Policy): a user who may CreateKey but not PutKeyPolicy gets the default policy.
        arn, key, secret = self.server.user("creator-only", {
            "Effect": "Allow", "Action": ["kms:CreateKey", "kms:DescribeKey"], "Resource": "*"})
        kms = self.server.client("kms", key=key, secret=secret)
        meta = kms.create_key(Description="by a user")["KeyMetadata"]
        # the default policy enables the account's IAM policies, so the user's DescribeKey counts
        self.assertEqual(kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["Description"], "by a user")
        # a policy the user supplies that locks them out is still refused, and creates nothing
        before = len(self.kms.list_keys()["Keys"])
        lockout = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "kms:Encrypt", "Resource": "*"}]}
        with self.assertRaises(ClientError) as e:
            kms.create_key(Policy=json.dumps(lockout))
        self.assertEqual(self.error_code(e.exception), "MalformedPolicyDocumentException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "The new key policy will not allow you to update the key policy in the future.")
        self.assertEqual(len(self.kms.list_keys()["Keys"]), before)
        # ... unless the caller bypasses the check on purpose
        kms.create_key(Policy=json.dumps(lockout), BypassPolicyLockoutSafetyCheck=True)


class KmsAliases(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def test_alias_lifecycle(self):
        key = self.kms.create_key()["KeyMetadata"]
        self.kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
        with self.assertRaises(ClientError) as e:
            self.kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
        self.assertEqual(self.error_code(e.exception), "AlreadyExistsException")
        alias_arn = f"arn:aws:kms:{harness.REGION}:{harness.ACCOUNT}:alias/app"
        for ident in ("alias/app", alias_arn):
            self.assertEqual(self.kms.describe_key(KeyId=ident)["KeyMetadata"]["KeyId"], key["KeyId"])
        aliases = self.kms.list_aliases(KeyId=key["KeyId"])["Aliases"]
        self.assertEqual([(a["AliasName"], a["AliasArn"], a["TargetKeyId"]) for a in aliases],
                         [("alias/app", alias_arn, key["KeyId"])])
        ct = self.kms.encrypt(KeyId="alias/app", Plaintext=b"via alias")["CiphertextBlob"]
        self.assertEqual(self.kms.decrypt(CiphertextBlob=ct)["Plaintext"], b"via alias")
        self.kms.delete_alias(AliasName="alias/app")
        with self.assertRaises(ClientError) as e:
            self.kms.describe_key(KeyId="alias/app")
        self.assertEqual(self.error_code(e.exception), "NotFoundException")

    def test_bad_alias_names(self):
        key = self.kms.create_key()["KeyMetadata"]
        for name, code in (("noprefix", "ValidationException"), ("alias/aws/mine", "InvalidAliasNameException")):
            with self.assertRaises(ClientError) as e:
                self.kms.create_alias(AliasName=name, TargetKeyId=key["KeyId"])
            self.assertEqual(self.error_code(e.exception), code, name)


class KmsCrypto(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")
        self.key = self.kms.create_key()["KeyMetadata"]

    def test_encrypt_decrypt_with_context(self):
        ctx = {"purpose": "test", "tenant": "t1"}
        r = self.kms.encrypt(KeyId=self.key["KeyId"], Plaintext=b"hello world", EncryptionContext=ctx)
        self.assertEqual(r["KeyId"], self.key["Arn"])
        self.assertEqual(r["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT")
        blob = r["CiphertextBlob"]
        d = self.kms.decrypt(CiphertextBlob=blob, EncryptionContext=dict(reversed(list(ctx.items()))))
        self.assertEqual(d["Plaintext"], b"hello world")
        self.assertEqual(d["KeyId"], self.key["Arn"])
        for wrong in ({}, {"purpose": "test"}, {"purpose": "Test", "tenant": "t1"},
                      {"purpose": "test", "tenant": "t1", "x": "y"}):
            with self.assertRaises(ClientError) as e:
                self.kms.decrypt(CiphertextBlob=blob, EncryptionContext=wrong)
            self.assertEqual(self.error_code(e.exception), "InvalidCiphertextException", wrong)

    def test_tampered_truncated_foreign_ciphertext(self):
        blob = bytearray(self.kms.encrypt(KeyId=self.key["KeyId"], Plaintext=b"secret")["CiphertextBlob"])
        for i in range(len(blob)):
            bad = bytearray(blob)
            bad[i] ^= 0x01
            with self.assertRaises(ClientError) as e:
                self.kms.decrypt(CiphertextBlob=bytes(bad))
            self.assertIn(self.error_code(e.exception), ("InvalidCiphertextException",), i)
        for n in (1, 10, len(blob) - 1):
            with self.assertRaises(ClientError) as e:
                self.kms.decrypt(CiphertextBlob=bytes(blob[:n]))
            self.assertEqual(self.error_code(e.exception), "InvalidCiphertextException")
        with self.assertRaises(ClientError) as e:
            self.kms.decrypt(CiphertextBlob=b"\x00" * 200)
        self.assertEqual(self.error_code(e.exception), "InvalidCiphertextException")

    def test_decrypt_with_wrong_key_id(self):
        other = self.kms.create_key()["KeyMetadata"]
        blob = self.kms.encrypt(KeyId=self.key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
        with self.assertRaises(ClientError) as e:
            self.kms.decrypt(CiphertextBlob=blob, KeyId=other["KeyId"])
        self.assertEqual(self.error_code(e.exception), "IncorrectKeyException")
        self.assertEqual(self.kms.decrypt(CiphertextBlob=blob, KeyId=self.key["Arn"])["Plaintext"], b"x")

    def test_plaintext_limits(self):
        ok = self.kms.encrypt(KeyId=self.key["KeyId"], Plaintext=b"a" * 4096)["CiphertextBlob"]
        self.assertEqual(self.kms.decrypt(CiphertextBlob=ok)["Plaintext"], b"a" * 4096)
        with self.assertRaises(ClientError) as e:
            self.kms.encrypt(KeyId=self.key["KeyId"], Plaintext=b"a" * 4097)
        self.assertEqual(self.error_code(e.exception), "ValidationException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "1 validation error detected: Value at 'plaintext' failed to satisfy "
                         "constraint: Member must have length less than or equal to 4096")

    def test_generate_data_key(self):
        r = self.kms.generate_data_key(KeyId=self.key["KeyId"], KeySpec="AES_256", EncryptionContext={"a": "b"})
        self.assertEqual(len(r["Plaintext"]), 32)
        self.assertEqual(self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"], EncryptionContext={"a": "b"})["Plaintext"],
                         r["Plaintext"])
        r = self.kms.generate_data_key(KeyId=self.key["KeyId"], NumberOfBytes=7)
        self.assertEqual(len(r["Plaintext"]), 7)
        r2 = self.kms.generate_data_key(KeyId=self.key["KeyId"], KeySpec="AES_128")
        self.assertEqual(len(r2["Plaintext"]), 16)
        self.assertNotEqual(r2["Plaintext"], self.kms.generate_data_key(KeyId=self.key["KeyId"], KeySpec="AES_128")["Plaintext"])
        w = self.kms.generate_data_key_without_plaintext(KeyId=self.key["KeyId"], KeySpec="AES_256")
        self.assertNotIn("Plaintext", w)
        self.assertEqual(len(self.kms.decrypt(CiphertextBlob=w["CiphertextBlob"])["Plaintext"]), 32)
        for kw in ({}, {"KeySpec": "AES_256", "NumberOfBytes": 32}):
            with self.assertRaises(ClientError) as e:
                self.kms.generate_data_key(KeyId=self.key["KeyId"], **kw)
            self.assertEqual(self.error_code(e.exception), "ValidationException")
        with self.assertRaises(ClientError) as e:
            self.kms.generate_data_key(KeyId=self.key["KeyId"], NumberOfBytes=1025)
        self.assertEqual(self.error_code(e.exception), "ValidationException")

    def test_plaintext_never_in_audit_trail(self):
        secret = b"do-not-log-this-plaintext-0123456789"
        blob = self.kms.encrypt(KeyId=self.key["KeyId"], Plaintext=secret)["CiphertextBlob"]
        dk = self.kms.generate_data_key(KeyId=self.key["KeyId"], KeySpec="AES_256")["Plaintext"]
        self.kms.decrypt(CiphertextBlob=blob)
        trail = json.dumps(self.server.audit_records())
        for needle in (secret, base64.b64encode(secret), base64.b64encode(dk)):
            self.assertNotIn(needle.decode(errors="replace"), trail)
        names = [r["eventName"] for r in self.server.audit_records()]
        for op in ("Encrypt", "Decrypt", "GenerateDataKey"):
            self.assertIn(op, names)

    def test_request_id_header_matches_the_trail(self):
        """AWS sends the request id as x-amzn-RequestId, where the SDKs read it; it is the
        audit record's requestID, for answers and for errors alike."""
        meta = self.kms.list_keys()["ResponseMetadata"]
        self.assertEqual(meta["HTTPHeaders"]["x-amzn-requestid"], meta["RequestId"])
        with self.assertRaises(ClientError) as e:
            self.kms.describe_key(KeyId="alias/does-not-exist")
        failed = e.exception.response["ResponseMetadata"]["RequestId"]
        ids = {r["requestID"] for r in self.server.audit_records()}
        self.assertIn(meta["RequestId"], ids)
        self.assertIn(failed, ids)

    def test_cli_encrypt_decrypt(self):
        s = self.server
        _, out, _ = s.cli("kms", "encrypt", "--key-id", self.key["KeyId"],
                          "--plaintext", base64.b64encode(b"cli text").decode(),
                          "--encryption-context", "app=cli")
        blob_path = s.data_dir + "/blob.bin"
        with open(blob_path, "wb") as f:
            f.write(base64.b64decode(out["CiphertextBlob"]))
        _, out, _ = s.cli("kms", "decrypt", "--ciphertext-blob", "fileb://" + blob_path,
                          "--encryption-context", "app=cli")
        self.assertEqual(base64.b64decode(out["Plaintext"]), b"cli text")


if __name__ == "__main__":
    harness.main()
