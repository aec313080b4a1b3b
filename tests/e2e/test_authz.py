"""Authorization on every call: IAM users get only what their policies allow; KMS keys
apply the key-policy rule; denials carry AWS's AccessDenied wording."""
import json

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class Authorization(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.kms = cls.server.client("kms")
        cls.key = cls.kms.create_key()["KeyMetadata"]

    def new_user(self, name, *statements):
        self.iam.create_user(UserName=name)
        if statements:
            self.iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*statements))
        k = self.iam.create_access_key(UserName=name)["AccessKey"]
        self.addCleanup(self.drop_user, name, k["AccessKeyId"], bool(statements))
        return k["AccessKeyId"], k["SecretAccessKey"]

    def drop_user(self, name, akid, has_policy):
        self.iam.delete_access_key(UserName=name, AccessKeyId=akid)
        if has_policy:
            self.iam.delete_user_policy(UserName=name, PolicyName="p")
        self.iam.delete_user(UserName=name)

    def test_user_without_policy_is_denied_with_aws_wording(self):
        akid, secret = self.new_user("nopolicy")
        iam = self.server.client("iam", key=akid, secret=secret)
        with self.assertRaises(ClientError) as e:
            iam.list_users()
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"User: arn:aws:iam::{ACCT}:user/nopolicy is not authorized to perform: "
                         f"iam:ListUsers on resource: arn:aws:iam::{ACCT}:user/ because no "
                         f"identity-based policy allows the iam:ListUsers action")
        kms = self.server.client("kms", key=akid, secret=secret)
        with self.assertRaises(ClientError) as e:
            kms.encrypt(KeyId=self.key["KeyId"], Plaintext=b"x")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertIn(f"is not authorized to perform: kms:Encrypt on resource: {self.key['Arn']}",
                      e.exception.response["Error"]["Message"])
        # GetCallerIdentity needs no permission
        sts = self.server.client("sts", key=akid, secret=secret)
        self.assertEqual(sts.get_caller_identity()["Arn"], f"arn:aws:iam::{ACCT}:user/nopolicy")

    def test_allow_with_wildcards_and_explicit_deny(self):
        akid, secret = self.new_user(
            "reader",
            {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
            {"Effect": "Allow", "Action": "kms:*", "Resource": self.key["Arn"]},
            {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:GetUser", "Resource": f"arn:aws:iam::{ACCT}:user/secret-*"})
        iam = self.server.client("iam", key=akid, secret=secret)
        iam.list_users()
        self.assertEqual(iam.get_user(UserName="reader")["User"]["UserName"], "reader")
        with self.assertRaises(ClientError) as e:
            iam.create_user(UserName="not-allowed")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")
        self.iam.create_user(UserName="secret-agent")
        self.addCleanup(self.iam.delete_user, UserName="secret-agent")
        with self.assertRaises(ClientError) as e:
            iam.get_user(UserName="secret-agent")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"User: arn:aws:iam::{ACCT}:user/reader is not authorized to perform: "
                         f"iam:GetUser on resource: arn:aws:iam::{ACCT}:user/secret-agent with an "
                         f"explicit deny in an identity-based policy")
        kms = self.server.client("kms", key=akid, secret=secret)
        blob = kms.encrypt(KeyId=self.key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
        with self.assertRaises(ClientError) as e:
            kms.decrypt(CiphertextBlob=blob)
        self.assertIn("with an explicit deny in an identity-based policy",
                      e.exception.response["Error"]["Message"])
        other = self.kms.create_key()["KeyMetadata"]
        with self.assertRaises(ClientError) as e:
            kms.encrypt(KeyId=other["KeyId"], Plaintext=b"x")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")

    def test_not_action(self):
        akid, secret = self.new_user(
            "notaction", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
        kms = self.server.client("kms", key=akid, secret=secret)
        kms.generate_data_key(KeyId=self.key["KeyId"], KeySpec="AES_256")
        iam = self.server.client("iam", key=akid, secret=secret)
        with self.assertRaises(ClientError):
            iam.list_users()

    def test_key_policy_that_omits_the_account_locks_out_iam_policies_and_root(self):
        akid, secret = self.new_user("keyuser", {"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
        user_arn = f"arn:aws:iam::{ACCT}:user/keyuser"
        # a key whose policy names only the user: identity policies do not count, root is out
        only_user = policy({"Sid": "user", "Effect": "Allow", "Principal": {"AWS": user_arn},
                            "Action": ["kms:Encrypt", "kms:DescribeKey", "kms:PutKeyPolicy"], "Resource": "*"})
        user_kms = self.server.client("kms", key=akid, secret=secret)
        locked = user_kms.create_key(Policy=only_user)["KeyMetadata"]
        user_kms.encrypt(KeyId=locked["KeyId"], Plaintext=b"ok")
        with self.assertRaises(ClientError) as e:
            user_kms.generate_data_key(KeyId=locked["KeyId"], KeySpec="AES_256")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        with self.assertRaises(ClientError) as e:
            self.kms.encrypt(KeyId=locked["KeyId"], Plaintext=b"root")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")

    def test_create_key_lockout_check(self):
        other_principal = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/somebody"},
                                  "Action": "kms:*", "Resource": "*"})
        with self.assertRaises(ClientError) as e:
            self.kms.create_key(Policy=other_principal)
        self.assertEqual(e.exception.response["Error"]["Code"], "MalformedPolicyDocumentException")
        self.kms.create_key(Policy=other_principal, BypassPolicyLockoutSafetyCheck=True)


    def alias_user(self, name, resources):
        akid, secret = self.new_user(name, {"Effect": "Allow", "Action": ["kms:CreateAlias", "kms:DeleteAlias"],
                                            "Resource": resources})
        return f"arn:aws:iam::{ACCT}:user/{name}", self.server.client("kms", key=akid, secret=secret)

    def assert_alias_denied(self, fn, user_arn, action, resource):
        with self.assertRaises(ClientError) as e:
            fn()
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"User: {user_arn} is not authorized to perform: {action} on resource: "
                         f"{resource} because no identity-based policy allows the {action} action")

    def test_alias_changes_need_the_action_on_alias_and_key(self):
        """KMS developer guide, alias-access: CreateAlias and DeleteAlias need permission on
        the alias and on its key (kms.ops: also=...@kms_resolve_alias_name); the denial names
        the resource that lacks it, the key first."""
        alias_arn = f"arn:aws:kms:{harness.REGION}:{ACCT}:alias/both-ways"
        key_arn = self.key["Arn"]
        on_alias_arn, on_alias = self.alias_user("alias-only", alias_arn)
        on_key_arn, on_key = self.alias_user("key-only", key_arn)
        both_arn, both = self.alias_user("alias-and-key", [alias_arn, key_arn])
        neither_arn, neither = self.alias_user("other-alias", f"arn:aws:kms:{harness.REGION}:{ACCT}:alias/other")
        create = lambda kms: lambda: kms.create_alias(AliasName="alias/both-ways", TargetKeyId=self.key["KeyId"])
        self.assert_alias_denied(create(on_alias), on_alias_arn, "kms:CreateAlias", key_arn)
        self.assert_alias_denied(create(on_key), on_key_arn, "kms:CreateAlias", alias_arn)
        self.assert_alias_denied(create(neither), neither_arn, "kms:CreateAlias", key_arn)
        self.assertNotIn("alias/both-ways", [a["AliasName"] for a in self.kms.list_aliases()["Aliases"]])
        create(both)()
        self.assertIn(("alias/both-ways", self.key["KeyId"]),
                      [(a["AliasName"], a.get("TargetKeyId")) for a in self.kms.list_aliases()["Aliases"]])
        delete = lambda kms: lambda: kms.delete_alias(AliasName="alias/both-ways")
        self.assert_alias_denied(delete(on_alias), on_alias_arn, "kms:DeleteAlias", key_arn)
        self.assert_alias_denied(delete(on_key), on_key_arn, "kms:DeleteAlias", alias_arn)
        self.assertIn("alias/both-ways", [a["AliasName"] for a in self.kms.list_aliases()["Aliases"]])
        delete(both)()
        self.assertNotIn("alias/both-ways", [a["AliasName"] for a in self.kms.list_aliases()["Aliases"]])

    def test_alias_denied_by_the_key_policy(self):
        """The key's half of an alias change is judged with the key policy: a key policy that
        denies the user CreateAlias refuses it, though its IAM policy allows both ARNs."""
        locked = self.kms.create_key(Policy=policy(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/alias-denied"},
             "Action": "kms:CreateAlias", "Resource": "*"}))["KeyMetadata"]
        alias_arn = f"arn:aws:kms:{harness.REGION}:{ACCT}:alias/on-locked"
        user_arn, kms = self.alias_user("alias-denied", [alias_arn, locked["Arn"]])
        with self.assertRaises(ClientError) as e:
            kms.create_alias(AliasName="alias/on-locked", TargetKeyId=locked["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"User: {user_arn} is not authorized to perform: kms:CreateAlias on resource: "
                         f"{locked['Arn']} with an explicit deny in a resource-based policy")

if __name__ == "__main__":
    harness.main()
