"""The account: its alias (one at most, replaced by a new one), GetAccountSummary (counts
that follow what the store holds, AWS's default quotas), SetSecurityTokenServicePreferences
(the token version the summary reports), and UpdateAccessKey's Inactive keys refused as
AWS refuses them."""
import json

from botocore.exceptions import ClientError

import harness

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
DOC = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})

# AWS's GetAccountSummary example output (API reference): the quotas of a new account
QUOTAS = {"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500,
          "InstanceProfilesQuota": 1000, "ServerCertificatesQuota": 20,
          "AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2,
          "GroupsPerUserQuota": 10, "AttachedPoliciesPerUserQuota": 10,
          "AttachedPoliciesPerGroupQuota": 10, "AttachedPoliciesPerRoleQuota": 10,
          "UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120,
          "RolePolicySizeQuota": 10240, "AssumeRolePolicySizeQuota": 2048,
          "PolicySizeQuota": 6144, "VersionsPerPolicyQuota": 5,
          "PolicyVersionsInUseQuota": 10000}


class Account(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def summary(self):
        return self.iam.get_account_summary()["SummaryMap"]

    def test_alias_lifecycle(self):
        iam = self.iam
        self.assertEqual(iam.list_account_aliases()["AccountAliases"], [])
        self.assertFalse(iam.list_account_aliases()["IsTruncated"])
        iam.create_account_alias(AccountAlias="examplecorp")
        self.assertEqual(iam.list_account_aliases()["AccountAliases"], ["examplecorp"])
        # the same alias again is no error; a new one replaces it (one alias per account)
        iam.create_account_alias(AccountAlias="examplecorp")
        iam.create_account_alias(AccountAlias="example-two")
        self.assertEqual(iam.list_account_aliases()["AccountAliases"], ["example-two"])
        pages = list(iam.get_paginator("list_account_aliases").paginate(
            PaginationConfig={"PageSize": 1}))
        self.assertEqual([a for p in pages for a in p["AccountAliases"]], ["example-two"])
        self.assertEqual(self.error(lambda: iam.delete_account_alias(AccountAlias="examplecorp")),
                         ("NoSuchEntity", 404, "The account alias examplecorp cannot be found."))
        iam.delete_account_alias(AccountAlias="example-two")
        self.assertEqual(iam.list_account_aliases()["AccountAliases"], [])
        self.assertEqual(self.error(lambda: iam.delete_account_alias(AccountAlias="example-two")),
                         ("NoSuchEntity", 404, "The account alias example-two cannot be found."))

    def test_alias_pattern_and_cli(self):
        # the model's pattern: lowercase, digits, single dashes, not at either end
        for bad in ("Upper", "-lead", "trail-", "two--dashes", "under_score"):
            code, status, msg = self.error(
                lambda: self.iam.create_account_alias(AccountAlias=bad))
            self.assertEqual((code, status), ("ValidationError", 400), bad)
            self.assertEqual(msg, f"1 validation error detected: Value '{bad}' at "
                             "'accountAlias' failed to satisfy constraint: Member must satisfy "
                             "regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}"
                             "[a-z0-9]$")
        self.assertEqual(self.iam.list_account_aliases()["AccountAliases"], [])
        self.server.cli("iam", "create-account-alias", "--account-alias", "cli-corp")
        _, out, _ = self.server.cli("iam", "list-account-aliases")
        self.assertEqual(out["AccountAliases"], ["cli-corp"])
        self.server.cli("iam", "delete-account-alias", "--account-alias", "cli-corp")
        _, out, _ = self.server.cli("iam", "list-account-aliases")
        self.assertEqual(out["AccountAliases"], [])

    def test_alias_denied_without_permission(self):
        _, key, secret = self.server.user("alias-nobody")
        iam = self.server.client("iam", key=key, secret=secret)
        code, status, msg = self.error(lambda: iam.create_account_alias(AccountAlias="nope-corp"))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("iam:CreateAccountAlias", msg)

    def test_summary_keys_and_quotas(self):
        s = self.summary()
        # every key the model's summaryKeyType names, none other
        self.assertEqual(set(s), set(self.iam.meta.service_model.shape_for(
            "summaryKeyType").enum))
        for k, v in QUOTAS.items():
            self.assertEqual(s[k], v, k)
        for k in ("MFADevices", "MFADevicesInUse", "AccountMFAEnabled", "ServerCertificates",
                  "AccountSigningCertificatesPresent", "Providers"):
            self.assertEqual(s[k], 0, k)
        # the harness signs as root with root's access key
        self.assertEqual(s["AccountAccessKeysPresent"], 1)

    def test_summary_counts_follow_the_store(self):
        iam = self.iam
        before = self.summary()
        iam.create_user(UserName="sum-u1")
        iam.create_user(UserName="sum-u2")
        iam.create_group(GroupName="sum-g")
        iam.create_role(RoleName="sum-r", AssumeRolePolicyDocument=TRUST)
        arn = iam.create_policy(PolicyName="sum-p", PolicyDocument=DOC)["Policy"]["Arn"]
        iam.attach_user_policy(UserName="sum-u1", PolicyArn=arn)
        iam.attach_role_policy(RoleName="sum-r", PolicyArn=arn)
        iam.create_instance_profile(InstanceProfileName="sum-ip")
        s = self.summary()
        for k, d in (("Users", 2), ("Groups", 1), ("Roles", 1), ("Policies", 1),
                     ("PolicyVersionsInUse", 2), ("InstanceProfiles", 1)):
            self.assertEqual(s[k], before[k] + d, k)
        iam.detach_user_policy(UserName="sum-u1", PolicyArn=arn)
        iam.detach_role_policy(RoleName="sum-r", PolicyArn=arn)
        iam.delete_policy(PolicyArn=arn)
        iam.delete_instance_profile(InstanceProfileName="sum-ip")
        iam.delete_role(RoleName="sum-r")
        iam.delete_group(GroupName="sum-g")
        iam.delete_user(UserName="sum-u1")
        iam.delete_user(UserName="sum-u2")
        s = self.summary()
        for k in ("Users", "Groups", "Roles", "Policies", "PolicyVersionsInUse"):
            self.assertEqual(s[k], before[k], k)
        _, out, _ = self.server.cli("iam", "get-account-summary")
        self.assertEqual(out["SummaryMap"]["Users"], before["Users"])

    def test_token_version(self):
        iam = self.iam
        self.assertEqual(self.summary()["GlobalEndpointTokenVersion"], 1)
        iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
        self.assertEqual(self.summary()["GlobalEndpointTokenVersion"], 2)
        self.server.cli("iam", "set-security-token-service-preferences",
                        "--global-endpoint-token-version", "v1Token")
        self.assertEqual(self.summary()["GlobalEndpointTokenVersion"], 1)
        code, status, _ = self.error(lambda: iam.set_security_token_service_preferences(
            GlobalEndpointTokenVersion="v3Token"))
        self.assertEqual((code, status), ("ValidationError", 400))

    def test_inactive_key_is_refused(self):
        _, key, secret = self.server.user("inactive-u")
        sts = self.server.client("sts", key=key, secret=secret)
        self.assertIn("inactive-u", sts.get_caller_identity()["Arn"])
        self.iam.update_access_key(UserName="inactive-u", AccessKeyId=key, Status="Inactive")
        meta = self.iam.list_access_keys(UserName="inactive-u")["AccessKeyMetadata"]
        self.assertEqual(meta[0]["Status"], "Inactive")
        # AWS answers a call signed with an inactive key as one with an unknown key
        self.assertEqual(self.error(sts.get_caller_identity),
                         ("InvalidClientTokenId", 403,
                          "The security token included in the request is invalid."))
        self.iam.update_access_key(UserName="inactive-u", AccessKeyId=key, Status="Active")
        self.assertIn("inactive-u", sts.get_caller_identity()["Arn"])


if __name__ == "__main__":
    harness.main()
