#!/usr/bin/env python3
"""KMS key rotation (EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
RotateKeyOnDemand, ListKeyRotations, the scheduled rotation of the key sweeper) and
ReEncrypt, through boto3 and the AWS CLI v2."""
import base64
import datetime
import json

from botocore.exceptions import ClientError

import harness

DAY = 86400


def error_of(call):
    try:
        call()
    except ClientError as e:
        return (e.response["Error"]["Code"], e.response["Error"]["Message"],
                e.response["ResponseMetadata"]["HTTPStatusCode"])
    raise AssertionError("no error")


class RotationStatus(harness.ServerTest):
    def test_enable_disable_status(self):
        kms = self.server.client("kms")
        key = kms.create_key()["KeyMetadata"]
        st = kms.get_key_rotation_status(KeyId=key["KeyId"])
        self.assertEqual((st["KeyRotationEnabled"], st["KeyId"]), (False, key["Arn"]))
        self.assertNotIn("RotationPeriodInDays", st)
        self.assertNotIn("NextRotationDate", st)
        before = datetime.datetime.now(datetime.timezone.utc)
        kms.enable_key_rotation(KeyId=key["KeyId"])
        st = kms.get_key_rotation_status(KeyId=key["Arn"])
        self.assertTrue(st["KeyRotationEnabled"])
        self.assertEqual(st["RotationPeriodInDays"], 365)
        delta = st["NextRotationDate"] - before
        self.assertTrue(datetime.timedelta(days=365) - datetime.timedelta(minutes=2) < delta
                        < datetime.timedelta(days=365, minutes=2), delta)
        self.assertNotIn("OnDemandRotationStartDate", st)
        # a new period on a key already rotating counts from the same base
        kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
        st2 = kms.get_key_rotation_status(KeyId=key["KeyId"])
        self.assertEqual(st2["RotationPeriodInDays"], 90)
        self.assertEqual(st2["NextRotationDate"] - st["NextRotationDate"], datetime.timedelta(days=90 - 365))
        kms.disable_key_rotation(KeyId=key["KeyId"])
        st = kms.get_key_rotation_status(KeyId=key["KeyId"])
        self.assertFalse(st["KeyRotationEnabled"])
        self.assertNotIn("NextRotationDate", st)
        # the CLI sees the same (Debian's CLI v2.9 predates RotationPeriodInDays: its model
        # knows only KeyRotationEnabled; the default period is what boto3 then reads)
        self.server.cli("kms", "enable-key-rotation", "--key-id", key["KeyId"])
        _, out, _ = self.server.cli("kms", "get-key-rotation-status", "--key-id", key["KeyId"])
        self.assertTrue(out["KeyRotationEnabled"])
        self.assertEqual(kms.get_key_rotation_status(KeyId=key["KeyId"])["RotationPeriodInDays"], 365)
        self.server.cli("kms", "disable-key-rotation", "--key-id", key["KeyId"])
        _, out, _ = self.server.cli("kms", "get-key-rotation-status", "--key-id", key["KeyId"])
        self.assertFalse(out["KeyRotationEnabled"])
        kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=2560)
        self.assertEqual(kms.get_key_rotation_status(KeyId=key["KeyId"])["RotationPeriodInDays"], 2560)

    def test_period_errors(self):
        kms = self.server.client("kms", parameter_validation=False)
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        for days, word, bound in ((89, "greater than or equal to", 90), (2561, "less than or equal to", 2560)):
            code, msg, status = error_of(lambda: kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=days))
            self.assertEqual((code, status), ("ValidationException", 400))
            self.assertEqual(msg, f"1 validation error detected: Value '{days}' at 'rotationPeriodInDays' "
                                  f"failed to satisfy constraint: Member must have value {word} {bound}")
        self.assertFalse(kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"])

    def test_state_errors(self):
        kms = self.server.client("kms")
        key = kms.create_key()["KeyMetadata"]
        kms.disable_key(KeyId=key["KeyId"])
        for call in (lambda: kms.enable_key_rotation(KeyId=key["KeyId"]),
                     lambda: kms.disable_key_rotation(KeyId=key["KeyId"]),
                     lambda: kms.rotate_key_on_demand(KeyId=key["KeyId"])):
            self.assertEqual(error_of(call), ("DisabledException", f"{key['Arn']} is disabled.", 400))
        # the status of a disabled key can still be read
        self.assertFalse(kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"])
        kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        for call in (lambda: kms.enable_key_rotation(KeyId=key["KeyId"]),
                     lambda: kms.get_key_rotation_status(KeyId=key["KeyId"]),
                     lambda: kms.rotate_key_on_demand(KeyId=key["KeyId"]),
                     lambda: kms.list_key_rotations(KeyId=key["KeyId"])):
            self.assertEqual(error_of(call), ("KMSInvalidStateException",
                                              f"{key['Arn']} is pending deletion.", 400))
        missing = "11111111-2222-3333-4444-555555555555"
        code, msg, _ = error_of(lambda: kms.rotate_key_on_demand(KeyId=missing))
        self.assertEqual(code, "NotFoundException")

    def test_rotation_period_condition_key(self):
        s = self.server
        kms = s.client("kms")
        key = kms.create_key()["KeyMetadata"]
        _, ak, sk = s.user("rotator", {
            "Effect": "Allow", "Action": "kms:EnableKeyRotation", "Resource": "*",
            "Condition": {"NumericLessThanEquals": {"kms:RotationPeriodInDays": 180}}})
        u = s.client("kms", key=ak, secret=sk)
        u.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=180)
        code, msg, status = error_of(lambda: u.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=181))
        self.assertEqual((code, status), ("AccessDeniedException", 400))
        self.assertIn("kms:EnableKeyRotation", msg)
        self.assertEqual(kms.get_key_rotation_status(KeyId=key["KeyId"])["RotationPeriodInDays"], 180)


class OnDemand(harness.ServerTest):
    def test_old_ciphertexts_decrypt_and_new_use_new_material(self):
        kms = self.server.client("kms")
        key = kms.create_key()["KeyMetadata"]
        first_material = key["CurrentKeyMaterialId"]
        self.assertRegex(first_material, "^[0-9a-f]{64}$")
        ctx = {"purpose": "rotation"}
        old = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"before", EncryptionContext=ctx)["CiphertextBlob"]
        self.assertEqual(kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"], [])
        self.assertEqual(kms.rotate_key_on_demand(KeyId=key["KeyId"])["KeyId"], key["Arn"])
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        self.assertNotEqual(meta["CurrentKeyMaterialId"], first_material)
        self.assertEqual(meta["Arn"], key["Arn"])
        new = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"after", EncryptionContext=ctx)["CiphertextBlob"]
        got_old = kms.decrypt(CiphertextBlob=old, EncryptionContext=ctx)
        got_new = kms.decrypt(CiphertextBlob=new, EncryptionContext=ctx)
        self.assertEqual((got_old["Plaintext"], got_new["Plaintext"]), (b"before", b"after"))
        self.assertEqual(got_old["KeyMaterialId"], first_material)
        self.assertEqual(got_new["KeyMaterialId"], meta["CurrentKeyMaterialId"])
        # the old blob still fails with another context: its version's AAD still binds it
        self.assertEqual(error_of(lambda: kms.decrypt(CiphertextBlob=old))[0], "InvalidCiphertextException")
        rot = kms.list_key_rotations(KeyId=key["KeyId"])
        self.assertFalse(rot["Truncated"])
        self.assertEqual(len(rot["Rotations"]), 1)
        r = rot["Rotations"][0]
        self.assertEqual((r["KeyId"], r["KeyMaterialId"], r["RotationType"], r["KeyMaterialState"]),
                         (key["KeyId"], meta["CurrentKeyMaterialId"], "ON_DEMAND", "CURRENT"))
        allm = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        self.assertEqual([m["KeyMaterialId"] for m in allm], [first_material, meta["CurrentKeyMaterialId"]])
        self.assertEqual(allm[0]["KeyMaterialState"], "NON_CURRENT")
        self.assertNotIn("RotationDate", allm[0])
        # on-demand rotation leaves the automatic schedule alone
        self.assertFalse(kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"])

    def test_limit_and_pagination(self):
        kms = self.server.client("kms")
        key = kms.create_key()["KeyMetadata"]
        blobs = [kms.encrypt(KeyId=key["KeyId"], Plaintext=b"v1")["CiphertextBlob"]]
        for i in range(25):
            kms.rotate_key_on_demand(KeyId=key["KeyId"])
            blobs.append(kms.encrypt(KeyId=key["KeyId"], Plaintext=f"v{i + 2}".encode())["CiphertextBlob"])
        code, msg, status = error_of(lambda: kms.rotate_key_on_demand(KeyId=key["KeyId"]))
        self.assertEqual((code, status), ("LimitExceededException", 400))
        self.assertIn(key["Arn"], msg)
        for i, blob in enumerate(blobs):
            self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], f"v{i + 1}".encode())
        seen, marker = [], None
        while True:
            args = {"KeyId": key["KeyId"], "Limit": 10}
            if marker:
                args["Marker"] = marker
            page = kms.list_key_rotations(**args)
            seen += page["Rotations"]
            if not page["Truncated"]:
                break
            marker = page["NextMarker"]
        self.assertEqual(len(seen), 25)
        self.assertEqual(len({r["KeyMaterialId"] for r in seen}), 25)
        self.assertEqual([r["KeyMaterialState"] for r in seen], ["NON_CURRENT"] * 24 + ["CURRENT"])
        code, _, _ = error_of(lambda: kms.list_key_rotations(KeyId=key["KeyId"], Marker="garbage"))
        self.assertEqual(code, "InvalidMarkerException")
        # boto3's paginator reads the same pages
        pages = kms.get_paginator("list_key_rotations").paginate(KeyId=key["KeyId"], PaginationConfig={"PageSize": 7})
        self.assertEqual([r["KeyMaterialId"] for p in pages for r in p["Rotations"]],
                         [r["KeyMaterialId"] for r in seen])

    def test_cli_decrypts_across_rotation(self):
        # Debian's CLI v2.9 has no rotate-key-on-demand: boto3 rotates, the CLI reads
        s = self.server
        kms = s.client("kms")
        _, key, _ = s.cli("kms", "create-key")
        kid = key["KeyMetadata"]["KeyId"]
        _, enc, _ = s.cli("kms", "encrypt", "--key-id", kid, "--plaintext", base64.b64encode(b"cli").decode())
        self.assertEqual(kms.rotate_key_on_demand(KeyId=kid)["KeyId"], key["KeyMetadata"]["Arn"])
        _, dec, _ = s.cli("kms", "decrypt", "--ciphertext-blob", enc["CiphertextBlob"])
        self.assertEqual(base64.b64decode(dec["Plaintext"]), b"cli")
        _, enc2, _ = s.cli("kms", "encrypt", "--key-id", kid, "--plaintext", base64.b64encode(b"new").decode())
        got = kms.decrypt(CiphertextBlob=base64.b64decode(enc2["CiphertextBlob"]))
        self.assertEqual(got["KeyMaterialId"], kms.list_key_rotations(KeyId=kid)["Rotations"][0]["KeyMaterialId"])
        recs = [r for r in s.audit_records() if r["eventName"] == "RotateKeyOnDemand"]
        self.assertEqual(len(recs), 1)
        self.assertEqual(recs[0]["requestParameters"], {"keyId": kid})
        self.assertNotIn("errorCode", recs[0])


class Scheduled(harness.ServerTest):
    def test_automatic_rotation_on_schedule(self):
        s = self.server
        kms = s.client("kms")
        key = kms.create_key()["KeyMetadata"]
        idle = kms.create_key()["KeyMetadata"]
        off = kms.create_key()["KeyMetadata"]
        blob0 = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"zero")["CiphertextBlob"]
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
        blob1 = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"one")["CiphertextBlob"]
        kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
        kms.enable_key_rotation(KeyId=idle["KeyId"], RotationPeriodInDays=180)
        kms.enable_key_rotation(KeyId=off["KeyId"], RotationPeriodInDays=90)
        kms.disable_key(KeyId=off["KeyId"])
        offset = 90 * DAY + 300
        s.stop()
        s.extra_args += ["--test-clock-offset", str(offset)]
        s.env_overrides = {"CUSTOS_TEST_HOOKS": "1"}
        s.start()
        try:
            with harness.shifted_clock(offset):
                kms = s.client("kms")
                rot = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
                self.assertEqual([r["RotationType"] for r in rot], ["ON_DEMAND", "AUTOMATIC"])
                self.assertEqual(kms.list_key_rotations(KeyId=idle["KeyId"])["Rotations"], [])
                self.assertEqual(kms.list_key_rotations(KeyId=off["KeyId"])["Rotations"], [])
                meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
                self.assertEqual(meta["CurrentKeyMaterialId"], rot[-1]["KeyMaterialId"])
                blob2 = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"two")["CiphertextBlob"]
                self.assertEqual(kms.decrypt(CiphertextBlob=blob2)["KeyMaterialId"], rot[-1]["KeyMaterialId"])
                for blob, text in ((blob0, b"zero"), (blob1, b"one"), (blob2, b"two")):
                    self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], text)
                st = kms.get_key_rotation_status(KeyId=key["KeyId"])
                now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset)
                delta = st["NextRotationDate"] - now
                self.assertTrue(datetime.timedelta(days=90) - datetime.timedelta(minutes=5) < delta
                                <= datetime.timedelta(days=90), delta)
            self.assertIn("rotated 1 key(s) whose rotation date came", s.read_log())
            events = [r for r in s.audit_records() if r["eventName"] == "RotateKey"]
            self.assertEqual(len(events), 1)
            e = events[0]
            self.assertEqual(e["eventType"], "AwsServiceEvent")
            self.assertEqual(e["userIdentity"], {"accountId": harness.ACCOUNT, "invokedBy": "kms.amazonaws.com"})
            self.assertEqual(e["resources"], [{"accountId": harness.ACCOUNT, "type": "AWS::KMS::Key",
                                               "ARN": key["Arn"]}])
            self.assertNotIn("errorCode", e)
        finally:
            s.stop()
            del s.extra_args[-2:]
            s.env_overrides = None
            s.start()


if __name__ == "__main__":
    harness.main()
