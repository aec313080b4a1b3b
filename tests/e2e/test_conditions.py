"""Real calls allowed or denied by policy conditions: aws:SourceIp, aws:RequestedRegion,
aws:MultiFactorAuthPresent, aws:CurrentTime, aws:PrincipalType, kms:EncryptionContext:<key>,
kms:RequestAlias and kms:CallerAccount."""
import json

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


class Conditions(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.key = cls.server.client("kms").create_key()["KeyMetadata"]
        cls.n = 0

    def user_with(self, *statements):
        Conditions.n += 1
        _, key, secret = self.server.user(f"cond-user-{Conditions.n}", *statements)
        return self.server.client("kms", key=key, secret=secret)

    def allow_kms(self, condition):
        return {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": condition}

    def assert_denied(self, fn, reason="because no identity-based policy allows"):
        with self.assertRaises(ClientError) as e:
            fn()
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertIn(reason, e.exception.response["Error"]["Message"])

    def encrypt(self, kms, **kw):
        return kms.encrypt(KeyId=self.key["KeyId"], Plaintext=b"x", **kw)

    def test_source_ip(self):
        inside = self.user_with(self.allow_kms({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))
        self.encrypt(inside)
        outside = self.user_with(self.allow_kms({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}}))
        self.assert_denied(lambda: self.encrypt(outside))

    def test_requested_region(self):
        here = self.user_with(self.allow_kms({"StringEquals": {"aws:RequestedRegion": harness.REGION}}))
        self.encrypt(here)
        elsewhere = self.user_with(self.allow_kms({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))
        self.assert_denied(lambda: self.encrypt(elsewhere))

    def test_mfa_required(self):
        # long-term access keys carry no MFA: the key is absent, so BoolIfExists false matches
        kms = self.user_with({"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
                             {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*",
                              "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
        self.assert_denied(lambda: self.encrypt(kms), "with an explicit deny in an identity-based policy")
        kms.generate_data_key(KeyId=self.key["KeyId"], KeySpec="AES_256")

    def test_current_time(self):
        valid = self.user_with(self.allow_kms({"DateLessThan": {"aws:CurrentTime": "2999-01-01T00:00:00Z"}}))
        self.encrypt(valid)
        expired = self.user_with(self.allow_kms({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}))
        self.assert_denied(lambda: self.encrypt(expired))

    def test_encryption_context(self):
        kms = self.user_with(self.allow_kms({"StringEquals": {"kms:EncryptionContext:app": "demo"}}))
        blob = self.encrypt(kms, EncryptionContext={"app": "demo"})["CiphertextBlob"]
        self.assertEqual(kms.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "demo"})["Plaintext"], b"x")
        self.assert_denied(lambda: self.encrypt(kms, EncryptionContext={"app": "other"}))
        self.assert_denied(lambda: self.encrypt(kms))
        keys_only = self.user_with(self.allow_kms({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["app", "tenant"]},
                                                   "Null": {"kms:EncryptionContextKeys": "false"}}))
        self.encrypt(keys_only, EncryptionContext={"tenant": "t1"})
        self.assert_denied(lambda: self.encrypt(keys_only, EncryptionContext={"other": "v"}))
        self.assert_denied(lambda: self.encrypt(keys_only))

    def test_create_key_keys(self):
        """kms:KeyOrigin, kms:MultiRegion and kms:BypassPolicyLockoutSafetyCheck on
        CreateKey (KMS developer guide, conditions-kms), from the request or its defaults."""
        # (no kms:PutKeyPolicy: the default key policy is not lockout-checked)
        kms = self.user_with({"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
                              "Condition": {"StringEquals": {"kms:KeyOrigin": "AWS_KMS"},
                                            "Bool": {"kms:MultiRegion": "false",
                                                     "kms:BypassPolicyLockoutSafetyCheck": "false"}}})
        kms.create_key()
        self.assert_denied(lambda: kms.create_key(BypassPolicyLockoutSafetyCheck=True))

    def test_request_alias_and_caller_account(self):
        """KMS developer guide, conditions-kms: kms:RequestAlias is the alias the request
        names the key by (given as a name or an alias ARN); kms:CallerAccount the caller's
        account."""
        alias = f"alias/cond-{self.key['KeyId'][:8]}"
        self.server.client("kms").create_alias(AliasName=alias, TargetKeyId=self.key["KeyId"])
        kms = self.user_with(self.allow_kms({"StringEquals": {"kms:RequestAlias": alias}}))
        kms.encrypt(KeyId=alias, Plaintext=b"x")
        kms.encrypt(KeyId=f"arn:aws:kms:{harness.REGION}:{ACCT}:{alias}", Plaintext=b"x")
        self.assert_denied(lambda: self.encrypt(kms))  # by key id: no alias in the request
        self.assert_denied(lambda: kms.encrypt(KeyId=self.key["Arn"], Plaintext=b"x"))
        same = self.user_with(self.allow_kms({"StringEquals": {"kms:CallerAccount": ACCT}}))
        self.encrypt(same)
        other = self.user_with(self.allow_kms({"StringEquals": {"kms:CallerAccount": "999999999999"}}))
        self.assert_denied(lambda: self.encrypt(other))

    def test_caller_account_on_every_key_operation(self):
        """kms:CallerAccount is in the context of every operation on a key (KMS developer
        guide, conditions-kms), whichever resolver found the key: the blob's key for
        Decrypt, TargetKeyId for CreateAlias, the alias's key for DeleteAlias (custos
        assembled it for KeyId resolvers only: these three were denied)."""
        blob = self.encrypt(self.server.client("kms"))["CiphertextBlob"]
        alias = f"alias/ca-{self.key['KeyId'][:8]}"
        same = self.user_with(self.allow_kms({"StringEquals": {"kms:CallerAccount": ACCT}}))
        self.assertEqual(same.decrypt(CiphertextBlob=blob)["Plaintext"], b"x")
        same.create_alias(AliasName=alias, TargetKeyId=self.key["KeyId"])
        # kms:RequestAlias on Decrypt too, when its KeyId names the key by an alias
        by_alias = self.user_with(self.allow_kms({"StringEquals": {"kms:RequestAlias": alias}}))
        self.assertEqual(by_alias.decrypt(CiphertextBlob=blob, KeyId=alias)["Plaintext"], b"x")
        self.assert_denied(lambda: by_alias.decrypt(CiphertextBlob=blob))
        same.delete_alias(AliasName=alias)
        other = self.user_with(self.allow_kms({"StringEquals": {"kms:CallerAccount": "999999999999"}}))
        self.assert_denied(lambda: other.decrypt(CiphertextBlob=blob))

    def test_principal_type(self):
        """aws:PrincipalType (IAM guide, reference_policies_variables, "Principal key values"):
        User for an IAM user and for the GetSessionToken session it asks for (the session acts
        as the user), Account for the root user."""
        def only_for(kind):
            return self.allow_kms({"StringEquals": {"aws:PrincipalType": kind}})
        Conditions.n += 1
        _, key, secret = self.server.user(f"cond-user-{Conditions.n}", only_for("User"))
        as_user = self.server.client("kms", key=key, secret=secret)
        self.encrypt(as_user)
        c = self.server.client("sts", key=key, secret=secret).get_session_token()["Credentials"]
        as_session = self.server.client("kms", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                        token=c["SessionToken"])
        self.encrypt(as_session)
        for other in ("Account", "AssumedRole", "FederatedUser"):
            Conditions.n += 1
            _, key, secret = self.server.user(f"cond-user-{Conditions.n}", only_for(other))
            self.assert_denied(lambda: self.encrypt(self.server.client("kms", key=key, secret=secret)))
            c = self.server.client("sts", key=key, secret=secret).get_session_token()["Credentials"]
            self.assert_denied(lambda: self.encrypt(self.server.client(
                "kms", key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])))
        # root: an explicit deny in a key policy applies to it, keyed on its type
        root = self.server.client("kms")
        def key_denying(kind):
            return root.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*",
                 "Resource": "*"},
                {"Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalType": kind}}}]}))["KeyMetadata"]["KeyId"]
        denied = key_denying("Account")
        with self.assertRaises(ClientError) as e:
            root.encrypt(KeyId=denied, Plaintext=b"x")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        root.encrypt(KeyId=key_denying("User"), Plaintext=b"x")
        rc = self.server.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
        root_session = self.server.client("kms", key=rc["AccessKeyId"], secret=rc["SecretAccessKey"],
                                          token=rc["SessionToken"])
        with self.assertRaises(ClientError) as e:
            root_session.encrypt(KeyId=denied, Plaintext=b"x")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")


class PolicyVariables(harness.ServerTest):
    def test_self_service_with_aws_username(self):
        iam = self.server.client("iam")
        for name in ("self-a", "self-b"):
            iam.create_user(UserName=name)
        iam.put_user_policy(UserName="self-a", PolicyName="self", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListAccessKeys"],
                           "Resource": f"arn:aws:iam::{ACCT}:user/${{aws:username}}"}]}))
        k = iam.create_access_key(UserName="self-a")["AccessKey"]
        mine = self.server.client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        self.assertEqual(mine.get_user(UserName="self-a")["User"]["UserName"], "self-a")
        self.assertEqual(len(mine.list_access_keys()["AccessKeyMetadata"]), 1)
        with self.assertRaises(ClientError) as e:
            mine.get_user(UserName="self-b")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")


class TagConditions(harness.ServerTest):
    """aws:RequestTag/<key>, aws:TagKeys and aws:ResourceTag/<key> on real calls."""

    def test_request_and_resource_tags(self):
        iam = self.server.client("iam")
        kms_root = self.server.client("kms")
        iam.create_user(UserName="tagger")
        iam.put_user_policy(UserName="tagger", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "CreateTeamUsers", "Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"},
                               "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}},
                {"Sid": "ReadBlue", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}},
                {"Sid": "UseBlueKeys", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}]}))
        k = iam.create_access_key(UserName="tagger")["AccessKey"]
        me = self.server.client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        me.create_user(UserName="blue-1", Tags=[{"Key": "team", "Value": "blue"}])
        for tags in ([{"Key": "team", "Value": "red"}], [], [{"Key": "team", "Value": "blue"}, {"Key": "x", "Value": "y"}]):
            with self.assertRaises(ClientError, msg=tags):
                me.create_user(UserName="other-1", Tags=tags)
        iam.create_user(UserName="red-1", Tags=[{"Key": "team", "Value": "red"}])
        self.assertEqual(me.get_user(UserName="blue-1")["User"]["UserName"], "blue-1")
        with self.assertRaises(ClientError):
            me.get_user(UserName="red-1")
        blue_key = kms_root.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]["KeyId"]
        red_key = kms_root.create_key(Tags=[{"TagKey": "team", "TagValue": "red"}])["KeyMetadata"]["KeyId"]
        kms = self.server.client("kms", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        kms.encrypt(KeyId=blue_key, Plaintext=b"x")
        with self.assertRaises(ClientError):
            kms.encrypt(KeyId=red_key, Plaintext=b"x")


class PrincipalTags(harness.ServerTest):
    def test_tag_untag_list_and_principal_tag_condition(self):
        iam = self.server.client("iam")
        kms_root = self.server.client("kms")
        key = kms_root.create_key()["KeyMetadata"]
        iam.create_user(UserName="tagged", Tags=[{"Key": "team", "Value": "blue"}])
        iam.put_user_policy(UserName="tagged", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
                           "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}]}))
        k = iam.create_access_key(UserName="tagged")["AccessKey"]
        kms = self.server.client("kms", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        with self.assertRaises(ClientError):
            kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        iam.tag_user(UserName="tagged", Tags=[{"Key": "team", "Value": "red"}, {"Key": "cost", "Value": "42"}])
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in iam.list_user_tags(UserName="tagged")["Tags"]),
                         [("cost", "42"), ("team", "red")])
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        iam.untag_user(UserName="tagged", TagKeys=["team"])
        self.assertEqual([t["Key"] for t in iam.list_user_tags(UserName="tagged")["Tags"]], ["cost"])
        with self.assertRaises(ClientError):
            kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        with self.assertRaises(ClientError) as e:
            iam.tag_user(UserName="tagged", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
        self.assertEqual(e.exception.response["Error"]["Code"], "LimitExceeded")
        with self.assertRaises(ClientError) as e:
            iam.list_user_tags(UserName="nobody")
        self.assertEqual(e.exception.response["Error"]["Code"], "NoSuchEntity")


if __name__ == "__main__":
    harness.main()
