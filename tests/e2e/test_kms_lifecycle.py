"""KMS key lifecycle through boto3 and the AWS CLI v2: EnableKey, DisableKey,
ScheduleKeyDeletion, CancelKeyDeletion, UpdateKeyDescription; what every other operation
answers for a disabled key and for one pending deletion; real deletion when the window ends
(moved there with the test-only clock)."""
import base64
import datetime
import json
import os
import sqlite3

from botocore.exceptions import ClientError

import harness

DAY = 86400


class Lifecycle(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def describe(self, key_id):
        return self.kms.describe_key(KeyId=key_id)["KeyMetadata"]

    def test_disable_enable(self):
        key = self.kms.create_key()["KeyMetadata"]
        self.kms.disable_key(KeyId=key["KeyId"])
        meta = self.describe(key["KeyId"])
        self.assertEqual((meta["KeyState"], meta["Enabled"]), ("Disabled", False))
        self.kms.disable_key(KeyId=key["Arn"])  # again: no error, as AWS
        self.kms.enable_key(KeyId=key["KeyId"])
        meta = self.describe(key["KeyId"])
        self.assertEqual((meta["KeyState"], meta["Enabled"]), ("Enabled", True))
        blob = self.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
        self.assertEqual(self.kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"x")

    def test_update_description(self):
        key = self.kms.create_key(Description="old")["KeyMetadata"]
        self.kms.update_key_description(KeyId=key["KeyId"], Description="new one")
        self.assertEqual(self.describe(key["KeyId"])["Description"], "new one")
        self.kms.update_key_description(KeyId=key["KeyId"], Description="")
        self.assertEqual(self.describe(key["KeyId"])["Description"], "")
        code, msg, status = self.err(self.kms.update_key_description, KeyId=key["KeyId"],
                                     Description="d" * 8193)
        self.assertEqual((code, status), ("ValidationException", 400))

    def test_schedule_and_cancel(self):
        key = self.kms.create_key()["KeyMetadata"]
        before = datetime.datetime.now(datetime.timezone.utc)
        r = self.kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        self.assertEqual(r["KeyId"], key["Arn"])
        self.assertEqual(r["KeyState"], "PendingDeletion")
        self.assertEqual(r["PendingWindowInDays"], 7)
        delta = (r["DeletionDate"] - before).total_seconds()
        self.assertTrue(7 * DAY - 5 <= delta <= 7 * DAY + 5, delta)
        meta = self.describe(key["KeyId"])
        self.assertEqual((meta["KeyState"], meta["Enabled"]), ("PendingDeletion", False))
        self.assertEqual(meta["PendingDeletionWindowInDays"], 7)
        self.assertEqual(meta["DeletionDate"], r["DeletionDate"])
        self.assertIn(key["KeyId"], [k["KeyId"] for k in self.kms.list_keys(Limit=1000)["Keys"]])
        pending = (f"{key['Arn']} is pending deletion.")
        self.assertEqual(self.err(self.kms.schedule_key_deletion, KeyId=key["KeyId"]),
                         ("KMSInvalidStateException", pending, 400))
        self.assertEqual(self.kms.cancel_key_deletion(KeyId=key["KeyId"])["KeyId"], key["Arn"])
        meta = self.describe(key["KeyId"])
        # AWS leaves a key whose deletion is cancelled Disabled
        self.assertEqual(meta["KeyState"], "Disabled")
        self.assertNotIn("DeletionDate", meta)
        self.assertNotIn("PendingDeletionWindowInDays", meta)
        self.assertEqual(self.err(self.kms.cancel_key_deletion, KeyId=key["KeyId"]),
                         ("KMSInvalidStateException", f"{key['Arn']} is not pending deletion.", 400))
        # the default window is 30 days
        r = self.kms.schedule_key_deletion(KeyId=key["KeyId"])
        self.assertEqual(r["PendingWindowInDays"], 30)
        self.assertEqual(self.describe(key["KeyId"])["PendingDeletionWindowInDays"], 30)

    def test_window_range(self):
        key = self.kms.create_key()["KeyMetadata"]
        for days, bound in ((6, "greater than or equal to 7"), (31, "less than or equal to 30"),
                            (1, "greater than or equal to 7"), (365, "less than or equal to 30")):
            self.assertEqual(self.err(self.kms.schedule_key_deletion, KeyId=key["KeyId"],
                                      PendingWindowInDays=days),
                             ("ValidationException",
                              f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' "
                              f"failed to satisfy constraint: Member must have value {bound}", 400))
        self.assertEqual(self.describe(key["KeyId"])["KeyState"], "Enabled")
        for days in (7, 30):
            self.assertEqual(self.kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=days)
                             ["PendingWindowInDays"], days)
            self.kms.cancel_key_deletion(KeyId=key["KeyId"])

    def test_unknown_key(self):
        missing = "11111111-2222-4333-8444-555555555555"
        arn = f"arn:aws:kms:{harness.REGION}:{harness.ACCOUNT}:key/{missing}"
        for op in (self.kms.enable_key, self.kms.disable_key, self.kms.schedule_key_deletion,
                   self.kms.cancel_key_deletion):
            self.assertEqual(self.err(op, KeyId=missing),
                             ("NotFoundException", f"Key '{arn}' does not exist", 400))
        self.assertEqual(self.err(self.kms.update_key_description, KeyId=missing, Description="x"),
                         ("NotFoundException", f"Key '{arn}' does not exist", 400))

    def test_key_state_matrix(self):
        """What each operation answers on a Disabled key and on one PendingDeletion (KMS
        developer guide, key-state.html)."""
        key = self.kms.create_key()["KeyMetadata"]
        kid, arn = key["KeyId"], key["Arn"]
        blob = self.kms.encrypt(KeyId=kid, Plaintext=b"data")["CiphertextBlob"]
        user_arn = f"arn:aws:iam::{harness.ACCOUNT}:root"
        crypto = {
            "Encrypt": lambda: self.kms.encrypt(KeyId=kid, Plaintext=b"x"),
            "Decrypt": lambda: self.kms.decrypt(CiphertextBlob=blob),
            "GenerateDataKey": lambda: self.kms.generate_data_key(KeyId=kid, KeySpec="AES_256"),
            "GenerateDataKeyWithoutPlaintext":
                lambda: self.kms.generate_data_key_without_plaintext(KeyId=kid, NumberOfBytes=16),
        }
        n = [0]

        def alias():
            n[0] += 1
            return self.kms.create_alias(AliasName=f"alias/matrix-{n[0]}", TargetKeyId=kid)

        management = {
            "CreateAlias": alias,
            "CreateGrant": lambda: self.kms.create_grant(KeyId=kid, GranteePrincipal=user_arn,
                                                         Operations=["Encrypt"]),
            "EnableKey": lambda: self.kms.enable_key(KeyId=kid),
            "DisableKey": lambda: self.kms.disable_key(KeyId=kid),
            "UpdateKeyDescription": lambda: self.kms.update_key_description(KeyId=kid, Description="d"),
        }
        self.kms.disable_key(KeyId=kid)
        for name, call in crypto.items():
            with self.assertRaises(ClientError, msg=name) as e:
                call()
            self.assertEqual((e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"]),
                             ("DisabledException", f"{arn} is disabled."), name)
        self.assertEqual(self.describe(kid)["KeyState"], "Disabled")
        for name in ("CreateAlias", "CreateGrant", "UpdateKeyDescription", "DisableKey"):
            management[name]()  # allowed on a disabled key
        self.kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        for name, call in list(crypto.items()) + list(management.items()):
            with self.assertRaises(ClientError, msg=name) as e:
                call()
            self.assertEqual((e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"],
                              e.exception.response["ResponseMetadata"]["HTTPStatusCode"]),
                             ("KMSInvalidStateException", f"{arn} is pending deletion.", 400), name)
        # reading, listing and revoking still work on a key pending deletion
        self.assertEqual(self.describe(kid)["KeyState"], "PendingDeletion")
        grants = self.kms.list_grants(KeyId=kid)["Grants"]
        self.assertEqual(len(grants), 1)
        self.kms.revoke_grant(KeyId=kid, GrantId=grants[0]["GrantId"])
        self.kms.delete_alias(AliasName="alias/matrix-1")
        self.kms.cancel_key_deletion(KeyId=kid)
        self.kms.enable_key(KeyId=kid)
        self.assertEqual(self.kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"data")

    def test_cli(self):
        s = self.server
        _, out, _ = s.cli("kms", "create-key", "--description", "cli")
        kid = out["KeyMetadata"]["KeyId"]
        s.cli("kms", "disable-key", "--key-id", kid)
        _, out, _ = s.cli("kms", "describe-key", "--key-id", kid)
        self.assertEqual(out["KeyMetadata"]["KeyState"], "Disabled")
        s.cli("kms", "enable-key", "--key-id", kid)
        s.cli("kms", "update-key-description", "--key-id", kid, "--description", "changed")
        _, out, _ = s.cli("kms", "describe-key", "--key-id", kid)
        self.assertEqual((out["KeyMetadata"]["KeyState"], out["KeyMetadata"]["Description"]),
                         ("Enabled", "changed"))
        _, out, _ = s.cli("kms", "schedule-key-deletion", "--key-id", kid, "--pending-window-in-days", "10")
        self.assertEqual((out["KeyState"], out["PendingWindowInDays"]), ("PendingDeletion", 10))
        rc, _, err = s.cli("kms", "encrypt", "--key-id", kid, "--plaintext",
                           base64.b64encode(b"x").decode(), check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("KMSInvalidStateException", err)
        self.assertIn("is pending deletion.", err)
        rc, _, err = s.cli("kms", "schedule-key-deletion", "--key-id", kid, "--pending-window-in-days", "3",
                           check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("Member must have value greater than or equal to 7", err)
        _, out, _ = s.cli("kms", "cancel-key-deletion", "--key-id", kid)
        self.assertTrue(out["KeyId"].endswith(kid))
        _, out, _ = s.cli("kms", "describe-key", "--key-id", kid)
        self.assertEqual(out["KeyMetadata"]["KeyState"], "Disabled")

    def test_audit_records(self):
        key = self.kms.create_key()["KeyMetadata"]
        self.kms.disable_key(KeyId=key["KeyId"])
        self.kms.enable_key(KeyId=key["KeyId"])
        self.kms.update_key_description(KeyId=key["KeyId"], Description="audited")
        self.kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=8)
        self.err(self.kms.schedule_key_deletion, KeyId=key["KeyId"])
        self.kms.cancel_key_deletion(KeyId=key["KeyId"])
        mine = [r for r in self.server.audit_records()
                if r.get("requestParameters", {}) and r["requestParameters"].get("keyId") == key["KeyId"]]
        names = [(r["eventName"], r.get("errorCode")) for r in mine]
        self.assertEqual(names, [("DisableKey", None), ("EnableKey", None), ("UpdateKeyDescription", None),
                                 ("ScheduleKeyDeletion", None),
                                 ("ScheduleKeyDeletion", "KMSInvalidStateException"),
                                 ("CancelKeyDeletion", None)])
        for r in mine:
            self.assertFalse(r["readOnly"])
            self.assertEqual(r["resources"][0]["ARN"], key["Arn"])
        scheduled = mine[3]
        self.assertEqual(scheduled["requestParameters"]["pendingWindowInDays"], 8)
        self.assertEqual(scheduled["responseElements"]["keyState"], "PendingDeletion")


class LifecycleAuthorization(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def test_identity_policy_needs_the_action(self):
        key = self.kms.create_key()["KeyMetadata"]
        arn, ak, sk = self.server.user("describer", {
            "Effect": "Allow", "Action": ["kms:DescribeKey", "kms:EnableKey"], "Resource": "*"})
        kms = self.server.client("kms", key=ak, secret=sk)
        kms.enable_key(KeyId=key["KeyId"])
        for name, call in (("DisableKey", lambda: kms.disable_key(KeyId=key["KeyId"])),
                           ("ScheduleKeyDeletion", lambda: kms.schedule_key_deletion(KeyId=key["KeyId"])),
                           ("CancelKeyDeletion", lambda: kms.cancel_key_deletion(KeyId=key["KeyId"])),
                           ("UpdateKeyDescription",
                            lambda: kms.update_key_description(KeyId=key["KeyId"], Description="x"))):
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException", name)
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"User: {arn} is not authorized to perform: kms:{name} on resource: "
                             f"{key['Arn']} because no identity-based policy allows the kms:{name} action")
        self.assertEqual(kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"], "Enabled")

    def test_key_policy_and_rule(self):
        """An identity policy counts only when the key policy enables the account; a key
        policy naming the user is enough alone."""
        arn, ak, sk = self.server.user("lifecycle-admin", {
            "Effect": "Allow", "Action": "kms:*", "Resource": "*"})
        kms = self.server.client("kms", key=ak, secret=sk)
        root = f"arn:aws:iam::{harness.ACCOUNT}:root"
        no_account = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:PutKeyPolicy", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}},
            {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:DescribeKey", "Resource": "*"}]}
        closed = self.kms.create_key(Policy=json.dumps(no_account), BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
        with self.assertRaises(ClientError) as e:
            kms.disable_key(KeyId=closed["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"User: {arn} is not authorized to perform: kms:DisableKey on resource: "
                         f"{closed['Arn']} because no resource-based policy allows the kms:DisableKey action")
        only_user = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}},
            {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": ["kms:DisableKey", "kms:ScheduleKeyDeletion"],
             "Resource": "*"}]}
        _, bk, bs = self.server.user("bare-user")
        bare = self.server.client("kms", key=bk, secret=bs)
        bare_arn = f"arn:aws:iam::{harness.ACCOUNT}:user/bare-user"
        only_user["Statement"][1]["Principal"]["AWS"] = bare_arn
        named = self.kms.create_key(Policy=json.dumps(only_user), BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
        bare.disable_key(KeyId=named["KeyId"])  # the key policy alone allows it
        with self.assertRaises(ClientError) as e:
            bare.enable_key(KeyId=named["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")

    def test_pending_window_condition_key(self):
        arn, ak, sk = self.server.user("scheduler", {
            "Effect": "Allow", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
            "Condition": {"NumericGreaterThanEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": "20"}}})
        kms = self.server.client("kms", key=ak, secret=sk)
        key = self.kms.create_key()["KeyMetadata"]
        with self.assertRaises(ClientError) as e:
            kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        with self.assertRaises(ClientError) as e:
            kms.schedule_key_deletion(KeyId=key["KeyId"])  # no value: the condition cannot match
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertEqual(kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=20)
                         ["PendingWindowInDays"], 20)


def key_policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ROOT = f"arn:aws:iam::{harness.ACCOUNT}:root"
ACCOUNT_STATEMENT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": ROOT},
                     "Action": "kms:*", "Resource": "*"}


class KeyPolicies(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def test_default_policy_get_and_list(self):
        key = self.kms.create_key()["KeyMetadata"]
        r = self.kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")
        self.assertEqual(r["PolicyName"], "default")
        doc = json.loads(r["Policy"])
        self.assertEqual(doc["Id"], "key-default-1")
        self.assertEqual(doc["Statement"], [ACCOUNT_STATEMENT])
        # PolicyName is optional today; its default is "default"
        self.assertEqual(self.kms.get_key_policy(KeyId=key["Arn"])["Policy"], r["Policy"])
        r = self.kms.list_key_policies(KeyId=key["KeyId"])
        self.assertEqual((r["PolicyNames"], r["Truncated"]), (["default"], False))
        self.assertNotIn("NextMarker", r)
        pages = list(self.kms.get_paginator("list_key_policies").paginate(
            KeyId=key["KeyId"], PaginationConfig={"PageSize": 1}))
        self.assertEqual([n for p in pages for n in p["PolicyNames"]], ["default"])
        code, msg, status = self.err(self.kms.get_key_policy, KeyId=key["KeyId"], PolicyName="other")
        self.assertEqual((code, status), ("NotFoundException", 400))
        self.assertEqual(self.err(self.kms.list_key_policies, KeyId=key["KeyId"], Marker="bogus"),
                         ("ValidationException", "Invalid Marker.", 400))
        missing = "11111111-2222-4333-8444-555555555555"
        for op in (self.kms.get_key_policy, self.kms.list_key_policies):
            self.assertEqual(self.err(op, KeyId=missing),
                             ("NotFoundException", f"Key 'arn:aws:kms:{harness.REGION}:{harness.ACCOUNT}:key/"
                              f"{missing}' does not exist", 400))

    def test_put_key_policy(self):
        key = self.kms.create_key()["KeyMetadata"]
        text = key_policy(ACCOUNT_STATEMENT, {"Sid": "extra", "Effect": "Deny", "Principal": "*",
                                              "Action": "kms:Encrypt", "Resource": "*"})
        self.kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=text)
        self.assertEqual(self.kms.get_key_policy(KeyId=key["KeyId"])["Policy"], text)
        # the new policy governs the very next call: its Deny stops Encrypt
        with self.assertRaises(ClientError) as e:
            self.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        self.kms.put_key_policy(KeyId=key["KeyId"], Policy=key_policy(ACCOUNT_STATEMENT))
        self.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        # PolicyName is optional; a key pending deletion still takes a new policy
        self.kms.schedule_key_deletion(KeyId=key["KeyId"])
        self.kms.put_key_policy(KeyId=key["KeyId"], Policy=text)
        self.assertEqual(self.kms.get_key_policy(KeyId=key["KeyId"])["Policy"], text)

    def test_put_key_policy_errors(self):
        key = self.kms.create_key()["KeyMetadata"]
        before = self.kms.get_key_policy(KeyId=key["KeyId"])["Policy"]
        code, msg, status = self.err(self.kms.put_key_policy, KeyId=key["KeyId"], Policy="{not json")
        self.assertEqual((code, status), ("MalformedPolicyDocumentException", 400))
        code, msg, status = self.err(self.kms.put_key_policy, KeyId=key["KeyId"], Policy=key_policy(
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))  # no Principal in a key policy
        self.assertEqual((code, status), ("MalformedPolicyDocumentException", 400))
        code, msg, status = self.err(self.kms.put_key_policy, KeyId=key["KeyId"], PolicyName="mine",
                                     Policy=key_policy(ACCOUNT_STATEMENT))
        self.assertEqual((code, status), ("NotFoundException", 400))
        big = key_policy(dict(ACCOUNT_STATEMENT, Sid="x" * 33000))
        self.assertEqual(self.err(self.kms.put_key_policy, KeyId=key["KeyId"], Policy=big),
                         ("LimitExceededException", "Policy exceeds the maximum size of 32768 bytes.", 400))
        self.assertEqual(self.kms.get_key_policy(KeyId=key["KeyId"])["Policy"], before)

    def test_lockout_safety_check(self):
        arn, ak, sk = self.server.user("policy-admin", {"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
        kms = self.server.client("kms", key=ak, secret=sk)
        key = self.kms.create_key()["KeyMetadata"]
        lockout = key_policy({"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "kms:Encrypt",
                              "Resource": "*"})
        self.assertEqual(self.err(kms.put_key_policy, KeyId=key["KeyId"], Policy=lockout),
                         ("MalformedPolicyDocumentException",
                          "The new key policy will not allow you to update the key policy in the future.", 400))
        # a policy naming the caller for PutKeyPolicy passes the check
        keeps = key_policy({"Effect": "Allow", "Principal": {"AWS": arn},
                            "Action": ["kms:PutKeyPolicy", "kms:GetKeyPolicy"], "Resource": "*"},
                           ACCOUNT_STATEMENT)
        kms.put_key_policy(KeyId=key["KeyId"], Policy=keeps)
        # the check may be bypassed on purpose; the caller is then locked out
        kms.put_key_policy(KeyId=key["KeyId"], Policy=lockout, BypassPolicyLockoutSafetyCheck=True)
        with self.assertRaises(ClientError) as e:
            kms.get_key_policy(KeyId=key["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")

    def test_authorization(self):
        key = self.kms.create_key()["KeyMetadata"]
        arn, ak, sk = self.server.user("policy-reader", {"Effect": "Allow", "Action": "kms:GetKeyPolicy",
                                                         "Resource": "*"})
        kms = self.server.client("kms", key=ak, secret=sk)
        kms.get_key_policy(KeyId=key["KeyId"])
        for name, call in (("PutKeyPolicy", lambda: kms.put_key_policy(KeyId=key["KeyId"],
                                                                       Policy=key_policy(ACCOUNT_STATEMENT))),
                           ("ListKeyPolicies", lambda: kms.list_key_policies(KeyId=key["KeyId"]))):
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"User: {arn} is not authorized to perform: kms:{name} on resource: "
                             f"{key['Arn']} because no identity-based policy allows the kms:{name} action")
        # the AND rule: without the account statement the identity policy counts for nothing
        closed = self.kms.create_key(Policy=key_policy({"Effect": "Allow", "Principal": {"AWS": ROOT},
                                                        "Action": "kms:PutKeyPolicy", "Resource": "*",
                                                        "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}}),
                                     BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
        with self.assertRaises(ClientError) as e:
            kms.get_key_policy(KeyId=closed["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"User: {arn} is not authorized to perform: kms:GetKeyPolicy on resource: "
                         f"{closed['Arn']} because no resource-based policy allows the kms:GetKeyPolicy action")

    def test_bypass_condition_key(self):
        arn, ak, sk = self.server.user("no-bypass", {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
                                       {"Effect": "Deny", "Action": "kms:PutKeyPolicy", "Resource": "*",
                                        "Condition": {"Bool": {"kms:BypassPolicyLockoutSafetyCheck": "true"}}})
        kms = self.server.client("kms", key=ak, secret=sk)
        key = self.kms.create_key()["KeyMetadata"]
        with self.assertRaises(ClientError) as e:
            kms.put_key_policy(KeyId=key["KeyId"], Policy=key_policy(ACCOUNT_STATEMENT),
                               BypassPolicyLockoutSafetyCheck=True)
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        kms.put_key_policy(KeyId=key["KeyId"], Policy=key_policy(ACCOUNT_STATEMENT))

    def test_cli_and_audit(self):
        s = self.server
        key = self.kms.create_key()["KeyMetadata"]
        path = os.path.join(s.data_dir, "policy.json")
        text = key_policy(ACCOUNT_STATEMENT)
        with open(path, "w") as f:
            f.write(text)
        s.cli("kms", "put-key-policy", "--key-id", key["KeyId"], "--policy-name", "default",
              "--policy", "file://" + path)
        _, out, _ = s.cli("kms", "get-key-policy", "--key-id", key["KeyId"], "--policy-name", "default")
        # (this CLI's older model has no PolicyName in the response; boto3's has, above)
        self.assertEqual(out["Policy"], text)
        _, out, _ = s.cli("kms", "list-key-policies", "--key-id", key["KeyId"])
        self.assertEqual(out["PolicyNames"], ["default"])
        rc, _, err = s.cli("kms", "put-key-policy", "--key-id", key["KeyId"], "--policy-name", "default",
                           "--policy", "{", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("MalformedPolicyDocumentException", err)
        mine = [(r["eventName"], r.get("errorCode"), r["readOnly"]) for r in s.audit_records()
                if (r.get("requestParameters") or {}).get("keyId") == key["KeyId"]]
        self.assertEqual(mine, [("PutKeyPolicy", None, False), ("GetKeyPolicy", None, True),
                                ("ListKeyPolicies", None, True),
                                ("PutKeyPolicy", "MalformedPolicyDocumentException", False)])


def tags(*pairs):
    return [{"TagKey": k, "TagValue": v} for k, v in pairs]


class Tags(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def test_tag_untag_list(self):
        key = self.kms.create_key(Tags=tags(("team", "a")))["KeyMetadata"]
        kid = key["KeyId"]
        self.kms.tag_resource(KeyId=kid, Tags=tags(("env", "prod"), ("team", "b")))
        r = self.kms.list_resource_tags(KeyId=kid)
        self.assertEqual(r["Tags"], tags(("team", "b"), ("env", "prod")))
        self.assertFalse(r["Truncated"])
        self.kms.untag_resource(KeyId=kid, TagKeys=["team", "not-there"])
        self.assertEqual(self.kms.list_resource_tags(KeyId=key["Arn"])["Tags"], tags(("env", "prod")))
        self.kms.untag_resource(KeyId=kid, TagKeys=["env"])
        r = self.kms.list_resource_tags(KeyId=kid)
        self.assertEqual((r["Tags"], r["Truncated"]), ([], False))
        # empty values are tags too
        self.kms.tag_resource(KeyId=kid, Tags=tags(("empty", "")))
        self.assertEqual(self.kms.list_resource_tags(KeyId=kid)["Tags"], tags(("empty", "")))

    def test_pagination(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        want = tags(*[(f"k{i:02d}", f"v{i}") for i in range(7)])
        self.kms.tag_resource(KeyId=kid, Tags=want)
        r = self.kms.list_resource_tags(KeyId=kid, Limit=3)
        self.assertEqual((r["Tags"], r["Truncated"]), (want[:3], True))
        self.assertNotIn("k02", r["NextMarker"])  # opaque
        got = [t for p in self.kms.get_paginator("list_resource_tags").paginate(
            KeyId=kid, PaginationConfig={"PageSize": 2}) for t in p["Tags"]]
        self.assertEqual(got, want)
        self.assertEqual(self.err(self.kms.list_resource_tags, KeyId=kid, Marker=r["NextMarker"][:-2] + "xx"),
                         ("InvalidMarkerException", "Invalid marker", 400))

    def test_tag_errors(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.assertEqual(self.err(self.kms.tag_resource, KeyId=kid, Tags=tags(("aws:x", "1"))),
                         ("TagException", "Tags beginning with aws: are reserved", 400))
        self.assertEqual(self.err(self.kms.tag_resource, KeyId=kid, Tags=tags(("AWS:x", "1"))),
                         ("TagException", "Tags beginning with aws: are reserved", 400))
        self.assertEqual(self.err(self.kms.tag_resource, KeyId=kid, Tags=tags(("d", "1"), ("d", "2"))),
                         ("TagException", "Duplicate tag keys", 400))
        self.assertEqual(self.err(self.kms.tag_resource, KeyId=kid,
                                  Tags=tags(*[(f"t{i}", "v") for i in range(51)])),
                         ("TagException", "Too many tags", 400))
        self.assertEqual(self.err(self.kms.create_key, Tags=tags(("aws:reserved", "1"))),
                         ("TagException", "Tags beginning with aws: are reserved", 400))
        # 50 on the key in all: 40 and then 10 more is fine, one more is not
        self.kms.tag_resource(KeyId=kid, Tags=tags(*[(f"t{i}", "v") for i in range(40)]))
        self.kms.tag_resource(KeyId=kid, Tags=tags(*[(f"t{i}", "w") for i in range(30, 50)]))
        self.assertEqual(len(self.kms.list_resource_tags(KeyId=kid)["Tags"]), 50)
        self.assertEqual(self.err(self.kms.tag_resource, KeyId=kid, Tags=tags(("one-more", "v"))),
                         ("TagException", "Too many tags", 400))
        self.assertEqual(len(self.kms.list_resource_tags(KeyId=kid)["Tags"]), 50)
        code, msg, status = self.err(self.kms.tag_resource, KeyId=kid, Tags=tags(("k" * 129, "v")))
        self.assertEqual((code, msg), ("ValidationException",
                                       f"1 validation error detected: Value '{'k' * 129}' at 'tags.1.member.tagKey' "
                                       "failed to satisfy constraint: Member must have length less than or equal to 128"))
        code, msg, status = self.err(self.kms.tag_resource, KeyId=kid, Tags=tags(("k", "v" * 257)))
        self.assertEqual(code, "ValidationException")
        self.assertIn("'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less "
                      "than or equal to 256", msg)

    def test_key_states(self):
        key = self.kms.create_key()["KeyMetadata"]
        kid = key["KeyId"]
        self.kms.disable_key(KeyId=kid)
        self.kms.tag_resource(KeyId=kid, Tags=tags(("a", "1")))  # a disabled key takes tags
        self.kms.schedule_key_deletion(KeyId=kid)
        pending = ("KMSInvalidStateException", f"{key['Arn']} is pending deletion.", 400)
        self.assertEqual(self.err(self.kms.tag_resource, KeyId=kid, Tags=tags(("b", "2"))), pending)
        self.assertEqual(self.err(self.kms.untag_resource, KeyId=kid, TagKeys=["a"]), pending)
        self.assertEqual(self.kms.list_resource_tags(KeyId=kid)["Tags"], tags(("a", "1")))
        missing = "11111111-2222-4333-8444-555555555555"
        self.assertEqual(self.err(self.kms.list_resource_tags, KeyId=missing)[0], "NotFoundException")

    def test_abac_condition_keys(self):
        arn, ak, sk = self.server.user("tagger", {
            "Effect": "Allow", "Action": ["kms:TagResource", "kms:UntagResource"], "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]},
                          "StringEqualsIfExists": {"aws:RequestTag/env": ["dev", "test"]}}},
            {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}})
        kms = self.server.client("kms", key=ak, secret=sk)
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        kms.tag_resource(KeyId=kid, Tags=tags(("env", "dev")))
        for bad in (tags(("owner", "x")), tags(("env", "prod"))):
            with self.assertRaises(ClientError) as e:
                kms.tag_resource(KeyId=kid, Tags=bad)
            self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException", bad)
        with self.assertRaises(ClientError) as e:
            kms.untag_resource(KeyId=kid, TagKeys=["owner"])
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        # aws:ResourceTag follows the key's tags as they change
        with self.assertRaises(ClientError) as e:
            kms.encrypt(KeyId=kid, Plaintext=b"x")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        kms.tag_resource(KeyId=kid, Tags=tags(("team", "blue")))
        kms.encrypt(KeyId=kid, Plaintext=b"x")
        kms.untag_resource(KeyId=kid, TagKeys=["team"])
        with self.assertRaises(ClientError) as e:
            kms.encrypt(KeyId=kid, Plaintext=b"x")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")

    def test_authorization(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        arn, ak, sk = self.server.user("tag-reader", {"Effect": "Allow", "Action": "kms:ListResourceTags",
                                                      "Resource": "*"})
        kms = self.server.client("kms", key=ak, secret=sk)
        kms.list_resource_tags(KeyId=kid)
        key_arn = f"arn:aws:kms:{harness.REGION}:{harness.ACCOUNT}:key/{kid}"
        for name, call in (("TagResource", lambda: kms.tag_resource(KeyId=kid, Tags=tags(("a", "b")))),
                           ("UntagResource", lambda: kms.untag_resource(KeyId=kid, TagKeys=["a"]))):
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"User: {arn} is not authorized to perform: kms:{name} on resource: {key_arn} "
                             f"because no identity-based policy allows the kms:{name} action")

    def test_cli_and_audit(self):
        s = self.server
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        s.cli("kms", "tag-resource", "--key-id", kid, "--tags", "TagKey=cli,TagValue=yes")
        _, out, _ = s.cli("kms", "list-resource-tags", "--key-id", kid)
        self.assertEqual(out["Tags"], tags(("cli", "yes")))
        s.cli("kms", "untag-resource", "--key-id", kid, "--tag-keys", "cli")
        _, out, _ = s.cli("kms", "list-resource-tags", "--key-id", kid)
        self.assertEqual(out["Tags"], [])
        rc, _, err = s.cli("kms", "tag-resource", "--key-id", kid, "--tags", "TagKey=aws:no,TagValue=x", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("TagException", err)
        self.assertIn("Tags beginning with aws: are reserved", err)
        mine = [(r["eventName"], r.get("errorCode"), r["readOnly"]) for r in s.audit_records()
                if (r.get("requestParameters") or {}).get("keyId") == kid]
        self.assertEqual(mine, [("TagResource", None, False), ("ListResourceTags", None, True),
                                ("UntagResource", None, False), ("ListResourceTags", None, True),
                                ("TagResource", "TagException", False)])


class UpdateAlias(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def alias_entry(self, name):
        return [a for a in self.kms.list_aliases()["Aliases"] if a["AliasName"] == name][0]

    def test_update_alias(self):
        old = self.kms.create_key()["KeyMetadata"]
        new = self.kms.create_key()["KeyMetadata"]
        self.kms.create_alias(AliasName="alias/moving", TargetKeyId=old["KeyId"])
        before = self.alias_entry("alias/moving")
        blob = self.kms.encrypt(KeyId="alias/moving", Plaintext=b"under old")["CiphertextBlob"]
        self.kms.update_alias(AliasName="alias/moving", TargetKeyId=new["Arn"])
        after = self.alias_entry("alias/moving")
        self.assertEqual(after["TargetKeyId"], new["KeyId"])
        self.assertEqual(after["CreationDate"], before["CreationDate"])
        self.assertGreaterEqual(after["LastUpdatedDate"], before["LastUpdatedDate"])
        self.assertEqual(self.kms.describe_key(KeyId="alias/moving")["KeyMetadata"]["KeyId"], new["KeyId"])
        self.assertEqual(self.kms.list_aliases(KeyId=old["KeyId"])["Aliases"], [])
        self.assertEqual([a["AliasName"] for a in self.kms.list_aliases(KeyId=new["KeyId"])["Aliases"]],
                         ["alias/moving"])
        # what the old key encrypted still decrypts; the alias now encrypts under the new key
        self.assertEqual(self.kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"under old")
        self.assertEqual(self.kms.encrypt(KeyId="alias/moving", Plaintext=b"n")["KeyId"], new["Arn"])
        # a disabled key may be the new target
        self.kms.disable_key(KeyId=old["KeyId"])
        self.kms.update_alias(AliasName="alias/moving", TargetKeyId=old["KeyId"])
        self.assertEqual(self.alias_entry("alias/moving")["TargetKeyId"], old["KeyId"])

    def test_errors(self):
        key = self.kms.create_key()["KeyMetadata"]
        prefix = f"arn:aws:kms:{harness.REGION}:{harness.ACCOUNT}"
        self.assertEqual(self.err(self.kms.update_alias, AliasName="alias/none", TargetKeyId=key["KeyId"]),
                         ("NotFoundException", f"Alias {prefix}:alias/none is not found.", 400))
        self.kms.create_alias(AliasName="alias/fixed", TargetKeyId=key["KeyId"])
        missing = "11111111-2222-4333-8444-555555555555"
        self.assertEqual(self.err(self.kms.update_alias, AliasName="alias/fixed", TargetKeyId=missing),
                         ("NotFoundException", f"Key '{prefix}:key/{missing}' does not exist", 400))
        code, msg, status = self.err(self.kms.update_alias, AliasName="fixed", TargetKeyId=key["KeyId"])
        self.assertEqual((code, status), ("ValidationException", 400))
        doomed = self.kms.create_key()["KeyMetadata"]
        self.kms.schedule_key_deletion(KeyId=doomed["KeyId"])
        self.assertEqual(self.err(self.kms.update_alias, AliasName="alias/fixed", TargetKeyId=doomed["KeyId"]),
                         ("KMSInvalidStateException", f"{doomed['Arn']} is pending deletion.", 400))
        self.assertEqual(self.alias_entry("alias/fixed")["TargetKeyId"], key["KeyId"])

    def test_needs_the_action_on_alias_and_both_keys(self):
        old = self.kms.create_key()["KeyMetadata"]
        new = self.kms.create_key()["KeyMetadata"]
        self.kms.create_alias(AliasName="alias/guarded", TargetKeyId=old["KeyId"])
        alias_arn = f"arn:aws:kms:{harness.REGION}:{harness.ACCOUNT}:alias/guarded"
        cases = (("no-alias", [old["Arn"], new["Arn"]], alias_arn),
                 ("no-old-key", [alias_arn, new["Arn"]], old["Arn"]),
                 ("no-new-key", [alias_arn, old["Arn"]], new["Arn"]))
        for name, resources, denied in cases:
            arn, ak, sk = self.server.user(f"alias-{name}", {"Effect": "Allow", "Action": "kms:UpdateAlias",
                                                             "Resource": resources})
            kms = self.server.client("kms", key=ak, secret=sk)
            with self.assertRaises(ClientError) as e:
                kms.update_alias(AliasName="alias/guarded", TargetKeyId=new["KeyId"])
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"User: {arn} is not authorized to perform: kms:UpdateAlias on resource: {denied} "
                             "because no identity-based policy allows the kms:UpdateAlias action", name)
        self.assertEqual(self.alias_entry("alias/guarded")["TargetKeyId"], old["KeyId"])
        arn, ak, sk = self.server.user("alias-all", {"Effect": "Allow", "Action": "kms:UpdateAlias",
                                                     "Resource": [alias_arn, old["Arn"], new["Arn"]]})
        self.server.client("kms", key=ak, secret=sk).update_alias(AliasName="alias/guarded",
                                                                  TargetKeyId=new["KeyId"])
        self.assertEqual(self.alias_entry("alias/guarded")["TargetKeyId"], new["KeyId"])

    def test_cli_and_audit(self):
        s = self.server
        a = self.kms.create_key()["KeyMetadata"]
        b = self.kms.create_key()["KeyMetadata"]
        self.kms.create_alias(AliasName="alias/cli-moved", TargetKeyId=a["KeyId"])
        s.cli("kms", "update-alias", "--alias-name", "alias/cli-moved", "--target-key-id", b["KeyId"])
        _, out, _ = s.cli("kms", "list-aliases", "--key-id", b["KeyId"])
        self.assertEqual([x["AliasName"] for x in out["Aliases"]], ["alias/cli-moved"])
        rec = [r for r in s.audit_records() if r["eventName"] == "UpdateAlias"][-1]
        self.assertEqual(rec["requestParameters"], {"aliasName": "alias/cli-moved", "targetKeyId": b["KeyId"]})
        self.assertFalse(rec["readOnly"])
        self.assertNotIn("errorCode", rec)


class GenerateRandom(harness.ServerTest):
    def setUp(self):
        self.kms = self.server.client("kms")

    def err(self, client, **kw):
        with self.assertRaises(ClientError) as e:
            client.generate_random(**kw)
        r = e.exception.response
        return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]

    def test_lengths(self):
        for n in (1, 32, 1024):
            self.assertEqual(len(self.kms.generate_random(NumberOfBytes=n)["Plaintext"]), n)
        draws = {self.kms.generate_random(NumberOfBytes=16)["Plaintext"] for _ in range(20)}
        self.assertEqual(len(draws), 20)
        self.assertNotIn("CiphertextForRecipient", self.kms.generate_random(NumberOfBytes=8))

    def test_errors(self):
        raw = self.server.client("kms", parameter_validation=False)
        self.assertEqual(self.err(raw, NumberOfBytes=0),
                         ("ValidationException", "1 validation error detected: Value '0' at 'numberOfBytes' "
                          "failed to satisfy constraint: Member must have value greater than or equal to 1", 400))
        self.assertEqual(self.err(raw, NumberOfBytes=1025),
                         ("ValidationException", "1 validation error detected: Value '1025' at 'numberOfBytes' "
                          "failed to satisfy constraint: Member must have value less than or equal to 1024", 400))
        self.assertEqual(self.err(raw), ("ValidationException", "NumberOfBytes is required.", 400))
        self.assertEqual(self.err(self.kms, NumberOfBytes=8, CustomKeyStoreId="cks-1234567890abcdef0"),
                         ("CustomKeyStoreNotFoundException",
                          "The request was rejected because KMS cannot find a custom key store with the "
                          "specified key store name or ID.", 400))
        code, msg, status = self.err(self.kms, NumberOfBytes=8, Recipient={
            "KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": b"not a document"})
        # no attestation document verifies here (test_kms_recipient.py)
        self.assertEqual((code, status), ("ValidationException", 400))

    def test_authorization_and_trail(self):
        arn, ak, sk = self.server.user("no-random", {"Effect": "Allow", "Action": "kms:DescribeKey",
                                                     "Resource": "*"})
        code, msg, status = self.err(self.server.client("kms", key=ak, secret=sk), NumberOfBytes=8)
        self.assertEqual((code, status), ("AccessDeniedException", 400))
        self.assertEqual(msg, f"User: {arn} is not authorized to perform: kms:GenerateRandom because no "
                              "identity-based policy allows the kms:GenerateRandom action")
        _, ak2, sk2 = self.server.user("random", {"Effect": "Allow", "Action": "kms:GenerateRandom",
                                                  "Resource": "*"})
        got = self.server.client("kms", key=ak2, secret=sk2).generate_random(NumberOfBytes=48)["Plaintext"]
        _, out, _ = self.server.cli("kms", "generate-random", "--number-of-bytes", "40")
        cli_bytes = base64.b64decode(out["Plaintext"])
        self.assertEqual(len(cli_bytes), 40)
        trail = self.server.audit_records()
        text = json.dumps(trail)
        for secret in (got, cli_bytes):
            self.assertNotIn(base64.b64encode(secret).decode(), text)
        recs = [r for r in trail if r["eventName"] == "GenerateRandom"]
        self.assertTrue(any(r.get("errorCode") == "AccessDeniedException" for r in recs))
        ok = [r for r in recs if "errorCode" not in r]
        self.assertTrue(ok and all(r["readOnly"] for r in ok))
        self.assertEqual(ok[-1]["requestParameters"], {"numberOfBytes": 40})


class RealDeletion(harness.ServerTest):
    def test_deleted_when_the_window_ends(self):
        s = self.server
        kms = s.client("kms")
        doomed = kms.create_key(Description="doomed")["KeyMetadata"]
        later = kms.create_key(Description="later")["KeyMetadata"]
        kept = kms.create_key(Description="kept")["KeyMetadata"]
        kms.create_alias(AliasName="alias/doomed", TargetKeyId=doomed["KeyId"])
        kms.create_alias(AliasName="alias/kept", TargetKeyId=kept["KeyId"])
        kms.create_grant(KeyId=doomed["KeyId"], GranteePrincipal=f"arn:aws:iam::{harness.ACCOUNT}:root",
                         Operations=["Decrypt"])
        blob = kms.encrypt(KeyId=doomed["KeyId"], Plaintext=b"gone soon")["CiphertextBlob"]
        kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)
        kms.schedule_key_deletion(KeyId=later["KeyId"], PendingWindowInDays=30)

        def stored(key_id):
            db = sqlite3.connect(os.path.join(s.data_dir, "custos.db"))
            try:
                return db.execute("SELECT kind, key FROM objects WHERE key = ? OR doc LIKE ?",
                                  (key_id, f"%{key_id}%")).fetchall()
            finally:
                db.close()

        self.assertTrue(stored(doomed["KeyId"]))
        offset = 7 * DAY + 120
        s.restart_later(offset)
        try:
            with harness.shifted_clock(offset):
                kms = s.client("kms")
                arn = doomed["Arn"]
                for call in (lambda: kms.describe_key(KeyId=doomed["KeyId"]),
                             lambda: kms.cancel_key_deletion(KeyId=doomed["KeyId"]),
                             lambda: kms.encrypt(KeyId=doomed["KeyId"], Plaintext=b"x")):
                    with self.assertRaises(ClientError) as e:
                        call()
                    self.assertEqual((e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"]),
                                     ("NotFoundException", f"Key '{arn}' does not exist"))
                # a ciphertext under a key that no longer exists (custos's Decrypt answers a
                # blob naming an unknown key as one it cannot read)
                with self.assertRaises(ClientError) as e:
                    kms.decrypt(CiphertextBlob=blob)
                self.assertEqual(e.exception.response["Error"]["Code"], "InvalidCiphertextException")
                with self.assertRaises(ClientError) as e:
                    kms.describe_key(KeyId="alias/doomed")
                self.assertEqual(e.exception.response["Error"]["Code"], "NotFoundException")
                ids = [k["KeyId"] for k in kms.list_keys(Limit=1000)["Keys"]]
                self.assertNotIn(doomed["KeyId"], ids)
                self.assertIn(later["KeyId"], ids)
                self.assertIn(kept["KeyId"], ids)
                self.assertEqual([a["AliasName"] for a in kms.list_aliases()["Aliases"]], ["alias/kept"])
                self.assertEqual(kms.describe_key(KeyId=later["KeyId"])["KeyMetadata"]["KeyState"], "PendingDeletion")
                self.assertEqual(kms.decrypt(CiphertextBlob=kms.encrypt(KeyId="alias/kept", Plaintext=b"k")
                                             ["CiphertextBlob"])["Plaintext"], b"k")
            # the record, its sealed material, its grant and its alias are gone from the store
            self.assertEqual(stored(doomed["KeyId"]), [])
            self.assertTrue(stored(later["KeyId"]))
            self.assertIn("deleted 1 key(s) whose deletion window ended", s.read_log())
            # the deletion is in the trail, as CloudTrail shows KMS deleting a key itself
            deletions = [r for r in s.audit_records() if r["eventName"] == "DeleteKey"]
            self.assertEqual(len(deletions), 1)
            d = deletions[0]
            self.assertEqual(d["eventType"], "AwsServiceEvent")
            self.assertEqual(d["userIdentity"], {"accountId": harness.ACCOUNT, "invokedBy": "kms.amazonaws.com"})
            self.assertEqual((d["eventSource"], d["sourceIPAddress"], d["userAgent"]),
                             ("kms.amazonaws.com",) * 3)
            self.assertEqual(d["resources"], [{"accountId": harness.ACCOUNT, "type": "AWS::KMS::Key",
                                               "ARN": doomed["Arn"]}])
            self.assertFalse(d["readOnly"])
            self.assertIsNone(d["requestParameters"])
            self.assertNotIn("errorCode", d)
            self.assertGreater(d["additionalEventData"]["commitSeq"], 0)
        finally:
            s.stop()
            del s.extra_args[-2:]
            s.env_overrides = None
            s.start()


if __name__ == "__main__":
    harness.main()
