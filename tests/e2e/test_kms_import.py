"""KMS imported key material through boto3, the AWS CLI v2 and the openssl command line:
CreateKey with Origin EXTERNAL, GetParametersForImport, ImportKeyMaterial (material wrapped
by `openssl pkeyutl` / `openssl enc -id-aes256-wrap-pad` under the public key KMS returned),
DeleteImportedKeyMaterial, re-import of the same material only, every error path, expiry of
tokens and of material (moved there with the test-only clock), the condition keys, and the
custom key store operations as AWS answers an account that has none."""
import datetime
import json
import os
import tempfile

from botocore.exceptions import ClientError

import harness
from harness import kms_wrap as wrap, openssl

DAY = 86400
# Under valgrind (the valgrind-e2e run) every 3072- or 4096-bit wrapping key takes minutes
# to generate; the server's code is the same for every size, so that run memchecks it with
# RSA_2048 where the size is not what a test is about, and the plain run uses each size.
UNDER_VALGRIND = bool(os.environ.get("CUSTOS_UNDER_VALGRIND"))


def wrapping_spec(spec):
    return "RSA_2048" if UNDER_VALGRIND else spec

ACCOUNT = harness.ACCOUNT
INVALID_TOKEN = ("The request was rejected because the provided import token is invalid or is "
                 "associated with a different KMS key.")
NOT_SAME = ("The key material you are importing is not the same as the key material previously "
            "imported into this KMS key.")
STORE_NOT_FOUND = ("The request was rejected because KMS cannot find a custom key store with the "
                   "specified key store name or ID.")


class Import(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def external(self):
        return self.kms.create_key(Origin="EXTERNAL", Description="imported")["KeyMetadata"]

    def params(self, key_id, algorithm="RSAES_OAEP_SHA_256", spec="RSA_2048"):
        return self.kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm,
                                                  WrappingKeySpec=spec)

    def import_material(self, key_id, material, algorithm="RSAES_OAEP_SHA_256", spec="RSA_2048",
                        **kw):
        p = self.params(key_id, algorithm, spec)
        kw.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
        return self.kms.import_key_material(KeyId=key_id, ImportToken=p["ImportToken"],
                                            EncryptedKeyMaterial=wrap(p["PublicKey"], material,
                                                                      algorithm), **kw)

    def test_created_pending_import(self):
        m = self.external()
        self.assertEqual((m["Origin"], m["KeyState"], m["Enabled"]), ("EXTERNAL", "PendingImport", False))
        self.assertNotIn("ExpirationModel", m)
        d = self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]
        self.assertEqual(d["KeyState"], "PendingImport")
        pending = (f"{m['Arn']} is pending import.")
        for call in (lambda: self.kms.encrypt(KeyId=m["KeyId"], Plaintext=b"x"),
                     lambda: self.kms.generate_data_key(KeyId=m["KeyId"], KeySpec="AES_256"),
                     lambda: self.kms.enable_key(KeyId=m["KeyId"]),
                     lambda: self.kms.disable_key(KeyId=m["KeyId"])):
            self.assertEqual(self.err(call), ("KMSInvalidStateException", pending, 400))

    def test_parameters(self):
        m = self.external()
        before = datetime.datetime.now(datetime.timezone.utc)
        p = self.params(m["KeyId"])
        self.assertEqual(p["KeyId"], m["Arn"])
        valid = p["ParametersValidTo"] - before
        self.assertTrue(datetime.timedelta(hours=23, minutes=59) < valid <= datetime.timedelta(hours=24, minutes=1))
        # the public key is an RSA SubjectPublicKeyInfo of the asked size, fresh per call
        sizes = (("RSA_2048", 2048), ("RSA_3072", 3072), ("RSA_4096", 4096))
        for spec, bits in sizes[:1] if UNDER_VALGRIND else sizes:
            der = self.params(m["KeyId"], spec=spec)["PublicKey"]
            text = openssl("pkey", "-pubin", "-inform", "DER", "-noout", "-text", data=der).decode()
            self.assertIn(f"Public-Key: ({bits} bit)", text)
        self.assertNotEqual(self.params(m["KeyId"])["PublicKey"], p["PublicKey"])
        self.assertNotEqual(self.params(m["KeyId"])["ImportToken"], p["ImportToken"])

    def test_each_wrapping_algorithm(self):
        for algorithm in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1",
                          "RSA_AES_KEY_WRAP_SHA_256"):
            with self.subTest(algorithm=algorithm):
                m = self.external()
                spec = wrapping_spec("RSA_3072") if "KEY_WRAP" in algorithm else "RSA_2048"
                self.import_material(m["KeyId"], os.urandom(32), algorithm, spec)
                d = self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]
                self.assertEqual((d["KeyState"], d["Enabled"], d["ExpirationModel"]),
                                 ("Enabled", True, "KEY_MATERIAL_DOES_NOT_EXPIRE"))
                self.assertNotIn("ValidTo", d)
                blob = self.kms.encrypt(KeyId=m["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
                self.assertEqual(self.kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"secret")

    def test_delete_and_reimport_same_material(self):
        m = self.external()
        material = os.urandom(32)
        self.import_material(m["KeyId"], material)
        blob = self.kms.encrypt(KeyId=m["KeyId"], Plaintext=b"kept")["CiphertextBlob"]
        self.kms.delete_imported_key_material(KeyId=m["KeyId"])
        d = self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]
        self.assertEqual((d["KeyState"], d["Enabled"]), ("PendingImport", False))
        self.assertNotIn("ExpirationModel", d)
        self.assertEqual(self.err(self.kms.decrypt, CiphertextBlob=blob),
                         ("KMSInvalidStateException", f"{m['Arn']} is pending import.", 400))
        # other material is refused, and leaves the key as it was
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=os.urandom(32)),
                         ("IncorrectKeyMaterialException", NOT_SAME, 400))
        self.assertEqual(self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]["KeyState"], "PendingImport")
        # the same material, under another wrapping algorithm, brings old ciphertexts back
        self.import_material(m["KeyId"], material, "RSA_AES_KEY_WRAP_SHA_256",
                             wrapping_spec("RSA_4096"))
        self.assertEqual(self.kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"kept")
        # and a key whose material is present takes only that material again too
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=os.urandom(32)),
                         ("IncorrectKeyMaterialException", NOT_SAME, 400))

    def test_import_type(self):
        m = self.external()
        material = os.urandom(32)
        self.import_material(m["KeyId"], material, ImportType="NEW_KEY_MATERIAL")
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=material,
                                  ImportType="NEW_KEY_MATERIAL"),
                         ("IncorrectKeyMaterialException",
                          "The key material you are importing is already associated with this KMS key.", 400))
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=os.urandom(32),
                                  ImportType="NEW_KEY_MATERIAL")[0], "UnsupportedOperationException")
        self.import_material(m["KeyId"], material, ImportType="EXISTING_KEY_MATERIAL")
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=material,
                                  ImportType="NEW_KEY_MATERIAL", KeyMaterialId="a" * 64),
                         ("ValidationException",
                          "You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL.", 400))

    def test_same_material_in_two_keys_stays_apart(self):
        material = os.urandom(32)
        a, b = self.external(), self.external()
        self.import_material(a["KeyId"], material)
        self.import_material(b["KeyId"], material)
        blob = self.kms.encrypt(KeyId=a["KeyId"], Plaintext=b"for a")["CiphertextBlob"]
        code, _, _ = self.err(self.kms.decrypt, CiphertextBlob=blob, KeyId=b["KeyId"])
        self.assertEqual(code, "IncorrectKeyException")

    def test_reimport_keeps_disabled(self):
        m = self.external()
        material = os.urandom(32)
        self.import_material(m["KeyId"], material)
        self.kms.disable_key(KeyId=m["KeyId"])
        self.import_material(m["KeyId"], material)
        self.assertEqual(self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]["KeyState"], "Disabled")

    def test_token_errors(self):
        m, other = self.external(), self.external()
        p = self.params(m["KeyId"])
        material = wrap(p["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256")
        # a token of another key
        self.assertEqual(self.err(self.kms.import_key_material, KeyId=other["KeyId"],
                                  ImportToken=p["ImportToken"], EncryptedKeyMaterial=material,
                                  ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE"),
                         ("InvalidImportTokenException", INVALID_TOKEN, 400))
        # a token that is not one, and one with a byte changed
        tampered = bytearray(p["ImportToken"])
        tampered[40] ^= 1
        for token in (b"not a token at all", bytes(tampered)):
            self.assertEqual(self.err(self.kms.import_key_material, KeyId=m["KeyId"],
                                      ImportToken=token, EncryptedKeyMaterial=material,
                                      ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE"),
                             ("InvalidImportTokenException", INVALID_TOKEN, 400))
        # material wrapped under another call's public key, or tampered
        p2 = self.params(m["KeyId"])
        bad = bytearray(material)
        bad[10] ^= 1
        for wrapped in (wrap(p2["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256"), bytes(bad)):
            self.assertEqual(self.err(self.kms.import_key_material, KeyId=m["KeyId"],
                                      ImportToken=p["ImportToken"], EncryptedKeyMaterial=wrapped,
                                      ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE"),
                             ("InvalidCiphertextException", "", 400))
        # wrapped under another algorithm than the token's
        self.assertEqual(self.err(self.kms.import_key_material, KeyId=m["KeyId"],
                                  ImportToken=p["ImportToken"],
                                  EncryptedKeyMaterial=wrap(p["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_1"),
                                  ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE"),
                         ("InvalidCiphertextException", "", 400))
        # material of the wrong length for a symmetric key
        self.assertEqual(self.err(self.kms.import_key_material, KeyId=m["KeyId"],
                                  ImportToken=p["ImportToken"],
                                  EncryptedKeyMaterial=wrap(p["PublicKey"], os.urandom(16), "RSAES_OAEP_SHA_256"),
                                  ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")[0],
                         "IncorrectKeyMaterialException")
        self.assertEqual(self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]["KeyState"], "PendingImport")

    def test_expiration_arguments(self):
        m = self.external()
        p = self.params(m["KeyId"])
        material = wrap(p["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256")
        now = datetime.datetime.now(datetime.timezone.utc)
        cases = [
            ({}, "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES."),
            ({"ExpirationModel": "KEY_MATERIAL_EXPIRES"},
             "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES."),
            ({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "ValidTo": now + datetime.timedelta(days=1)},
             "ValidTo must not be specified when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE."),
            ({"ValidTo": now - datetime.timedelta(minutes=1)}, "ValidTo must be a future date."),
            ({"ValidTo": now + datetime.timedelta(days=366)},
             "ValidTo must be no more than 365 days from the current date."),
        ]
        for kw, message in cases:
            with self.subTest(kw=kw):
                self.assertEqual(self.err(self.kms.import_key_material, KeyId=m["KeyId"],
                                          ImportToken=p["ImportToken"], EncryptedKeyMaterial=material, **kw),
                                 ("ValidationException", message, 400))
        valid_to = (now + datetime.timedelta(days=30)).replace(microsecond=0)
        self.kms.import_key_material(KeyId=m["KeyId"], ImportToken=p["ImportToken"],
                                     EncryptedKeyMaterial=material, ValidTo=valid_to)
        d = self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]
        self.assertEqual((d["ExpirationModel"], d["ValidTo"]), ("KEY_MATERIAL_EXPIRES", valid_to))

    def test_key_of_aws_kms_origin(self):
        k = self.kms.create_key()["KeyMetadata"]
        message = f"{k['Arn']} origin is AWS_KMS which is not valid for this operation."
        self.assertEqual(self.err(self.params, key_id=k["KeyId"]), ("UnsupportedOperationException", message, 400))
        p = self.params(self.external()["KeyId"])
        self.assertEqual(self.err(self.kms.import_key_material, KeyId=k["KeyId"], ImportToken=p["ImportToken"],
                                  EncryptedKeyMaterial=b"x" * 256,
                                  ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE"),
                         ("UnsupportedOperationException", message, 400))
        self.assertEqual(self.err(self.kms.delete_imported_key_material, KeyId=k["KeyId"]),
                         ("UnsupportedOperationException", message, 400))

    def test_pending_deletion_and_cancel(self):
        m = self.external()
        self.kms.schedule_key_deletion(KeyId=m["KeyId"], PendingWindowInDays=7)
        pending = ("KMSInvalidStateException", f"{m['Arn']} is pending deletion.", 400)
        self.assertEqual(self.err(self.params, key_id=m["KeyId"]), pending)
        self.assertEqual(self.err(self.kms.delete_imported_key_material, KeyId=m["KeyId"]), pending)
        # cancelled without material, the key waits for it again
        self.kms.cancel_key_deletion(KeyId=m["KeyId"])
        self.assertEqual(self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]["KeyState"], "PendingImport")
        material = os.urandom(32)
        self.import_material(m["KeyId"], material)
        self.kms.schedule_key_deletion(KeyId=m["KeyId"], PendingWindowInDays=7)
        self.kms.cancel_key_deletion(KeyId=m["KeyId"])
        self.assertEqual(self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]["KeyState"], "Disabled")

    def test_unsupported_wrapping(self):
        m = self.external()
        for alg, spec in (("RSAES_PKCS1_V1_5", "RSA_2048"), ("SM2PKE", "RSA_2048"), ("RSAES_OAEP_SHA_256", "SM2")):
            code, _, status = self.err(self.params, key_id=m["KeyId"], algorithm=alg, spec=spec)
            self.assertEqual((code, status), ("UnsupportedOperationException", 400))

    def test_other_origins(self):
        for origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"):
            with self.subTest(origin=origin):
                self.assertEqual(self.err(self.kms.create_key, Origin=origin),
                                 ("UnsupportedOperationException",
                                  f"CustomKeyStoreId is required when Origin is {origin}.", 400))
                self.assertEqual(self.err(self.kms.create_key, Origin=origin, CustomKeyStoreId="cks-1234567890abcdef0"),
                                 ("CustomKeyStoreNotFoundException", STORE_NOT_FOUND, 400))

    def test_secrets_stay_out_of_the_trail(self):
        m = self.external()
        p = self.params(m["KeyId"])
        wrapped = wrap(p["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256")
        self.kms.import_key_material(KeyId=m["KeyId"], ImportToken=p["ImportToken"], EncryptedKeyMaterial=wrapped,
                                     ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
        import base64
        trail = json.dumps(self.server.audit_records())
        # the token holds the wrapping private key (sealed): neither it nor the wrapped
        # material is recorded, in the request or the response
        self.assertFalse(base64.b64encode(p["ImportToken"]).decode()[:40] in trail)
        self.assertFalse(base64.b64encode(wrapped).decode()[:40] in trail)
        self.assertIn("ImportKeyMaterial", trail)

    def test_cli(self):
        s = self.server
        _, m, _ = s.cli("kms", "create-key", "--origin", "EXTERNAL")
        key_id = m["KeyMetadata"]["KeyId"]
        self.assertEqual(m["KeyMetadata"]["KeyState"], "PendingImport")
        _, p, _ = s.cli("kms", "get-parameters-for-import", "--key-id", key_id,
                        "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048")
        import base64
        with tempfile.TemporaryDirectory() as d:
            token, wrapped = os.path.join(d, "token"), os.path.join(d, "wrapped")
            with open(token, "wb") as f:
                f.write(base64.b64decode(p["ImportToken"]))
            with open(wrapped, "wb") as f:
                f.write(wrap(base64.b64decode(p["PublicKey"]), os.urandom(32), "RSAES_OAEP_SHA_256"))
            s.cli("kms", "import-key-material", "--key-id", key_id, "--import-token", f"fileb://{token}",
                  "--encrypted-key-material", f"fileb://{wrapped}",
                  "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE")
            rc, _, err = s.cli("kms", "import-key-material", "--key-id", key_id, "--import-token", f"fileb://{wrapped}",
                               "--encrypted-key-material", f"fileb://{wrapped}",
                               "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE", check=False)
            self.assertNotEqual(rc, 0)
            self.assertIn("InvalidImportTokenException", err)
        _, d, _ = s.cli("kms", "describe-key", "--key-id", key_id)
        self.assertEqual(d["KeyMetadata"]["KeyState"], "Enabled")
        s.cli("kms", "delete-imported-key-material", "--key-id", key_id)
        _, d, _ = s.cli("kms", "describe-key", "--key-id", key_id)
        self.assertEqual(d["KeyMetadata"]["KeyState"], "PendingImport")


class Authorization(harness.ServerTest):
    def test_policies_and_condition_keys(self):
        s = self.server
        kms = s.client("kms")
        key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        _, ak, sk = s.user("importer", {
            "Effect": "Allow", "Action": ["kms:GetParametersForImport", "kms:ImportKeyMaterial"],
            "Resource": key["Arn"],
            "Condition": {"StringEquals": {"kms:WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                                           "kms:WrappingKeySpec": "RSA_4096",
                                           "kms:KeyOrigin": "EXTERNAL"}}}, {
            "Effect": "Allow", "Action": "kms:ImportKeyMaterial", "Resource": key["Arn"],
            "Condition": {"StringEquals": {"kms:ExpirationModel": "KEY_MATERIAL_EXPIRES"},
                          "NumericLessThanEquals": {"kms:ValidTo": str(int(datetime.datetime.now().timestamp()) + 10 * DAY)}}})
        user = s.client("kms", key=ak, secret=sk)
        with self.assertRaises(ClientError) as e:
            user.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        p = user.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_4096")
        wrapped = wrap(p["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256")
        now = datetime.datetime.now(datetime.timezone.utc)
        # ImportKeyMaterial names no WrappingAlgorithm: only the second statement can allow it
        for kw in ({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
                   {"ValidTo": now + datetime.timedelta(days=20)}):
            with self.assertRaises(ClientError) as e:
                user.import_key_material(KeyId=key["KeyId"], ImportToken=p["ImportToken"],
                                         EncryptedKeyMaterial=wrapped, **kw)
            self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        user.import_key_material(KeyId=key["KeyId"], ImportToken=p["ImportToken"], EncryptedKeyMaterial=wrapped,
                                 ValidTo=now + datetime.timedelta(days=5))
        with self.assertRaises(ClientError) as e:
            user.delete_imported_key_material(KeyId=key["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        # kms:KeyOrigin on an operation on a key
        _, ak2, sk2 = s.user("describer", {"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*",
                                           "Condition": {"StringEquals": {"kms:KeyOrigin": "EXTERNAL"}}})
        other = s.client("kms", key=ak2, secret=sk2)
        self.assertEqual(other.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Origin"], "EXTERNAL")
        with self.assertRaises(ClientError) as e:
            other.describe_key(KeyId=kms.create_key()["KeyMetadata"]["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")

    def test_custom_key_store_calls_are_authorized(self):
        s = self.server
        _, ak, sk = s.user("nobody")
        kms = s.client("kms", key=ak, secret=sk)
        for call in (kms.describe_custom_key_stores,
                     lambda: kms.connect_custom_key_store(CustomKeyStoreId="cks-1234567890abcdef0")):
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")


class Expiry(harness.ServerTest):
    """Material and tokens past their time, seen through the test-only clock."""

    def test_material_and_token_expire(self):
        s = self.server
        kms = s.client("kms")
        key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        forever = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        material = os.urandom(32)
        for k, kw in ((key, {"ValidTo": datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)}),
                      (forever, {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})):
            p = kms.get_parameters_for_import(KeyId=k["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_1",
                                              WrappingKeySpec="RSA_2048")
            kms.import_key_material(KeyId=k["KeyId"], ImportToken=p["ImportToken"],
                                    EncryptedKeyMaterial=wrap(p["PublicKey"], material, "RSAES_OAEP_SHA_1"), **kw)
        blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"until tomorrow")["CiphertextBlob"]
        late = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                             WrappingKeySpec="RSA_2048")
        offset = 2 * DAY
        s.restart_later(offset)
        with harness.shifted_clock(offset):
            kms = s.client("kms")
            d = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            self.assertEqual((d["KeyState"], d["Enabled"]), ("PendingImport", False))
            self.assertNotIn("ValidTo", d)
            self.assertEqual(kms.describe_key(KeyId=forever["KeyId"])["KeyMetadata"]["KeyState"], "Enabled")
            pending = f"{key['Arn']} is pending import."
            for call in (lambda: kms.decrypt(CiphertextBlob=blob),
                         lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")):
                with self.assertRaises(ClientError) as e:
                    call()
                self.assertEqual((e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"]),
                                 ("KMSInvalidStateException", pending))
            # the token of two days ago has expired
            with self.assertRaises(ClientError) as e:
                kms.import_key_material(KeyId=key["KeyId"], ImportToken=late["ImportToken"],
                                        EncryptedKeyMaterial=wrap(late["PublicKey"], material, "RSAES_OAEP_SHA_256"),
                                        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
            self.assertEqual(e.exception.response["Error"]["Code"], "ExpiredImportTokenException")
            self.assertIn("the specified import token is expired", e.exception.response["Error"]["Message"])
            # re-importing the same material brings the ciphertext back
            p = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                              WrappingKeySpec="RSA_2048")
            kms.import_key_material(KeyId=key["KeyId"], ImportToken=p["ImportToken"],
                                    EncryptedKeyMaterial=wrap(p["PublicKey"], material, "RSAES_OAEP_SHA_256"),
                                    ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
            self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"until tomorrow")
            self.assertEqual(kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"], "Enabled")


class CustomKeyStores(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def test_none_exist(self):
        r = self.kms.describe_custom_key_stores()
        self.assertEqual((r["CustomKeyStores"], r["Truncated"]), ([], False))
        self.assertNotIn("NextMarker", r)
        not_found = ("CustomKeyStoreNotFoundException", STORE_NOT_FOUND, 400)
        store = "cks-1234567890abcdef0"
        self.assertEqual(self.err(self.kms.describe_custom_key_stores, CustomKeyStoreId=store), not_found)
        self.assertEqual(self.err(self.kms.describe_custom_key_stores, CustomKeyStoreName="mine"), not_found)
        for fn in (self.kms.connect_custom_key_store, self.kms.disconnect_custom_key_store,
                   self.kms.delete_custom_key_store):
            self.assertEqual(self.err(fn, CustomKeyStoreId=store), not_found)
        self.assertEqual(self.err(self.kms.update_custom_key_store, CustomKeyStoreId=store, NewCustomKeyStoreName="n"),
                         not_found)
        self.assertEqual(self.err(self.kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=store), not_found)

    def test_create_finds_nothing_to_reach(self):
        code, message, status = self.err(self.kms.create_custom_key_store, CustomKeyStoreName="hsm",
                                         CloudHsmClusterId="cluster-234567abcde", TrustAnchorCertificate="cert",
                                         KeyStorePassword="kmsuserpass")
        self.assertEqual((code, status), ("CloudHsmClusterNotFoundException", 400))
        self.assertIn("cannot find the CloudHSM cluster", message)
        self.assertEqual(self.err(self.kms.create_custom_key_store, CustomKeyStoreName="hsm")[0], "ValidationException")
        xks = dict(CustomKeyStoreName="xks", CustomKeyStoreType="EXTERNAL_KEY_STORE",
                   XksProxyUriEndpoint="https://xks.example.com", XksProxyUriPath="/kms/xks/v1",
                   XksProxyAuthenticationCredential={"AccessKeyId": "A" * 20, "RawSecretAccessKey": "s" * 43})
        code, message, _ = self.err(self.kms.create_custom_key_store, XksProxyConnectivity="PUBLIC_ENDPOINT", **xks)
        self.assertEqual(code, "XksProxyUriUnreachableException")
        self.assertIn("unable to reach the specified XksProxyUriPath", message)
        code, message, _ = self.err(self.kms.create_custom_key_store, XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
                                    XksProxyVpcEndpointServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0123", **xks)
        self.assertEqual(code, "XksProxyVpcEndpointServiceNotFoundException")
        self.assertIn("cks.kms.us-east-1.amazonaws.com", message)
        self.assertEqual(self.err(self.kms.create_custom_key_store, XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
                                  **xks)[0], "ValidationException")
        # the proxy's secret never reaches the trail
        self.assertNotIn("s" * 43, json.dumps(self.server.audit_records()))

    def test_cli(self):
        _, out, _ = self.server.cli("kms", "describe-custom-key-stores")
        self.assertEqual(out["CustomKeyStores"], [])
        rc, _, err = self.server.cli("kms", "connect-custom-key-store", "--custom-key-store-id",
                                     "cks-1234567890abcdef0", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("CustomKeyStoreNotFoundException", err)


if __name__ == "__main__":
    harness.main()
