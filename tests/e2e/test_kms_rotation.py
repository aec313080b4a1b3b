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
        s.restart_later(offset)
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


class ReEncrypt(harness.ServerTest):
    def test_across_keys_and_contexts(self):
        kms = self.server.client("kms")
        a = kms.create_key()["KeyMetadata"]
        b = kms.create_key()["KeyMetadata"]
        blob = kms.encrypt(KeyId=a["KeyId"], Plaintext=b"secret text",
                           EncryptionContext={"stage": "one"})["CiphertextBlob"]
        out = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"stage": "one"},
                             DestinationKeyId=b["KeyId"], DestinationEncryptionContext={"stage": "two"})
        self.assertEqual((out["SourceKeyId"], out["KeyId"]), (a["Arn"], b["Arn"]))
        self.assertEqual((out["SourceEncryptionAlgorithm"], out["DestinationEncryptionAlgorithm"]),
                         ("SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT"))
        self.assertEqual(out["SourceKeyMaterialId"], a["CurrentKeyMaterialId"])
        self.assertEqual(out["DestinationKeyMaterialId"], b["CurrentKeyMaterialId"])
        got = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"stage": "two"})
        self.assertEqual((got["Plaintext"], got["KeyId"]), (b"secret text", b["Arn"]))
        self.assertEqual(error_of(lambda: kms.decrypt(CiphertextBlob=out["CiphertextBlob"],
                                                      EncryptionContext={"stage": "one"}))[0],
                         "InvalidCiphertextException")
        # SourceKeyId may name the source key by alias; another key is IncorrectKeyException
        kms.create_alias(AliasName="alias/src", TargetKeyId=a["KeyId"])
        again = kms.re_encrypt(CiphertextBlob=blob, SourceKeyId="alias/src", SourceEncryptionContext={"stage": "one"},
                               DestinationKeyId="alias/src")
        self.assertEqual(kms.decrypt(CiphertextBlob=again["CiphertextBlob"])["Plaintext"], b"secret text")
        self.assertEqual(error_of(lambda: kms.re_encrypt(CiphertextBlob=blob, SourceKeyId=b["KeyId"],
                                                         SourceEncryptionContext={"stage": "one"},
                                                         DestinationKeyId=b["KeyId"])),
                         ("IncorrectKeyException", "The key ID in the request does not identify a KMS key "
                                                   "that can perform this operation.", 400))
        # a wrong source context, a tampered blob
        self.assertEqual(error_of(lambda: kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=b["KeyId"]))[0],
                         "InvalidCiphertextException")
        bad = bytearray(blob)
        bad[-1] ^= 1
        self.assertEqual(error_of(lambda: kms.re_encrypt(CiphertextBlob=bytes(bad), SourceEncryptionContext={"stage": "one"},
                                                         DestinationKeyId=b["KeyId"]))[0],
                         "InvalidCiphertextException")
        self.assertEqual(error_of(lambda: kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"stage": "one"},
                                                         DestinationKeyId=b["KeyId"],
                                                         DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256"))[0],
                         "InvalidKeyUsageException")
        self.assertEqual(error_of(lambda: kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"stage": "one"},
                                                         DestinationKeyId="alias/none"))[0], "NotFoundException")
        self.assertEqual(error_of(lambda: kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"stage": "one"},
                                                         DestinationKeyId=b["KeyId"], DryRun=True))[:2],
                         ("DryRunOperationException", "The request would have succeeded, but the DryRun option is set."))
        kms.disable_key(KeyId=b["KeyId"])
        self.assertEqual(error_of(lambda: kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"stage": "one"},
                                                         DestinationKeyId=b["KeyId"])),
                         ("DisabledException", f"{b['Arn']} is disabled.", 400))
        kms.enable_key(KeyId=b["KeyId"])
        # the trail has the call, never the plaintext
        recs = [r for r in self.server.audit_records() if r["eventName"] == "ReEncrypt"]
        ok = [r for r in recs if "errorCode" not in r]
        self.assertTrue(ok and all(r["readOnly"] for r in ok))
        self.assertNotIn(base64.b64encode(b"secret text").decode(), json.dumps(recs))
        self.assertNotIn("secret text", json.dumps(recs))

    def test_after_rotation_and_cli(self):
        s = self.server
        kms = s.client("kms")
        key = kms.create_key()["KeyMetadata"]
        old = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"old")["CiphertextBlob"]
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
        current = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
        out = kms.re_encrypt(CiphertextBlob=old, DestinationKeyId=key["KeyId"])
        self.assertEqual(out["SourceKeyMaterialId"], key["CurrentKeyMaterialId"])
        self.assertEqual(out["DestinationKeyMaterialId"], current)
        self.assertEqual(kms.decrypt(CiphertextBlob=out["CiphertextBlob"])["KeyMaterialId"], current)
        path = s.data_dir + "/old.bin"
        with open(path, "wb") as f:
            f.write(old)
        other = kms.create_key()["KeyMetadata"]
        _, res, _ = s.cli("kms", "re-encrypt", "--ciphertext-blob", f"fileb://{path}",
                          "--destination-key-id", other["KeyId"])
        self.assertEqual((res["SourceKeyId"], res["KeyId"]), (key["Arn"], other["Arn"]))
        got = kms.decrypt(CiphertextBlob=base64.b64decode(res["CiphertextBlob"]))
        self.assertEqual((got["Plaintext"], got["KeyId"]), (b"old", other["Arn"]))

    def test_authorized_twice(self):
        s = self.server
        kms = s.client("kms")
        a = kms.create_key()["KeyMetadata"]
        b = kms.create_key()["KeyMetadata"]
        blob = kms.encrypt(KeyId=a["KeyId"], Plaintext=b"p")["CiphertextBlob"]
        _, fk, fs = s.user("from-only", {"Effect": "Allow", "Action": "kms:ReEncryptFrom", "Resource": "*"})
        _, tk, ts = s.user("to-only", {"Effect": "Allow", "Action": "kms:ReEncryptTo", "Resource": "*"})
        _, bk, bs = s.user("both", {"Effect": "Allow", "Action": ["kms:ReEncrypt*"], "Resource": "*"})
        _, ok_, os_ = s.user("same-only", {"Effect": "Allow", "Action": "kms:ReEncrypt*", "Resource": "*",
                                           "Condition": {"Bool": {"kms:ReEncryptOnSameKey": "true"}}})
        code, msg, status = error_of(lambda: s.client("kms", key=fk, secret=fs).re_encrypt(
            CiphertextBlob=blob, DestinationKeyId=b["KeyId"]))
        self.assertEqual((code, status), ("AccessDeniedException", 400))
        self.assertIn("kms:ReEncryptTo", msg)
        self.assertIn(b["Arn"], msg)
        code, msg, _ = error_of(lambda: s.client("kms", key=tk, secret=ts).re_encrypt(
            CiphertextBlob=blob, DestinationKeyId=b["KeyId"]))
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("kms:ReEncryptFrom", msg)
        self.assertIn(a["Arn"], msg)
        # a destination that does not exist: denied first without kms:ReEncryptFrom, then
        # NotFoundException once it is allowed
        missing = "alias/no-such-key"
        self.assertEqual(error_of(lambda: s.client("kms", key=tk, secret=ts).re_encrypt(
            CiphertextBlob=blob, DestinationKeyId=missing))[0], "AccessDeniedException")
        self.assertEqual(error_of(lambda: s.client("kms", key=fk, secret=fs).re_encrypt(
            CiphertextBlob=blob, DestinationKeyId=missing))[0], "NotFoundException")
        out = s.client("kms", key=bk, secret=bs).re_encrypt(CiphertextBlob=blob, DestinationKeyId=b["KeyId"])
        self.assertEqual(out["KeyId"], b["Arn"])
        same = s.client("kms", key=ok_, secret=os_)
        self.assertEqual(same.re_encrypt(CiphertextBlob=blob, DestinationKeyId=a["KeyId"])["KeyId"], a["Arn"])
        self.assertEqual(error_of(lambda: same.re_encrypt(CiphertextBlob=blob, DestinationKeyId=b["KeyId"]))[0],
                         "AccessDeniedException")
        denied = [r["userIdentity"].get("userName") for r in s.audit_records()
                  if r["eventName"] == "ReEncrypt" and r.get("errorCode") == "AccessDeniedException"]
        self.assertEqual(sorted(n for n in denied if n in ("from-only", "to-only", "same-only")),
                         ["from-only", "same-only", "to-only", "to-only"])

    def test_grants_for_each_half(self):
        s = self.server
        kms = s.client("kms")
        a = kms.create_key()["KeyMetadata"]
        b = kms.create_key()["KeyMetadata"]
        blob = kms.encrypt(KeyId=a["KeyId"], Plaintext=b"g", EncryptionContext={"t": "1"})["CiphertextBlob"]
        arn, gk, gs = s.user("grantee")
        u = s.client("kms", key=gk, secret=gs)
        call = lambda: u.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"t": "1"},
                                    DestinationKeyId=b["KeyId"], DestinationEncryptionContext={"t": "2"})
        self.assertEqual(error_of(call)[0], "AccessDeniedException")
        kms.create_grant(KeyId=a["KeyId"], GranteePrincipal=arn, Operations=["ReEncryptFrom"],
                         Constraints={"EncryptionContextSubset": {"t": "1"}})
        code, msg, _ = error_of(call)
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("kms:ReEncryptTo", msg)
        # a ReEncryptTo grant whose constraint names another context does not cover it
        kms.create_grant(KeyId=b["KeyId"], GranteePrincipal=arn, Operations=["ReEncryptTo"],
                         Constraints={"EncryptionContextEquals": {"t": "3"}})
        self.assertEqual(error_of(call)[0], "AccessDeniedException")
        kms.create_grant(KeyId=b["KeyId"], GranteePrincipal=arn, Operations=["ReEncryptTo"],
                         Constraints={"EncryptionContextEquals": {"t": "2"}})
        out = call()
        self.assertEqual(kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"t": "2"})["Plaintext"], b"g")


if __name__ == "__main__":
    harness.main()
