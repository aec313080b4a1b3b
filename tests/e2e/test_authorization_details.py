"""GetAccountAuthorizationDetails through boto3 and the AWS CLI: users with inline and
attached policies, groups, tags and boundary; groups with theirs; roles with trust policy,
instance profiles and RoleLastUsed; customer managed policies with every version; each
Filter; documents URL-encoded on the wire; Marker/MaxItems pagination across the four
lists, a tampered marker, and authorization (src/services/iam/authorization_details.c)."""
import json
import urllib.parse

from botocore.exceptions import ClientError

import harness
import rawhttp

ACCT = harness.ACCOUNT


def doc(action):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": "*"}]}


TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


class AuthorizationDetails(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        iam = cls.server.client("iam")
        cls.policy = iam.create_policy(PolicyName="ad-managed", Path="/ad/",
                                       PolicyDocument=json.dumps(doc("s3:GetObject")))["Policy"]
        iam.create_policy_version(PolicyArn=cls.policy["Arn"],
                                  PolicyDocument=json.dumps(doc("s3:PutObject")),
                                  SetAsDefault=True)
        iam.create_group(GroupName="ad-group")
        iam.put_group_policy(GroupName="ad-group", PolicyName="g-inline",
                             PolicyDocument=json.dumps(doc("sqs:SendMessage")))
        iam.attach_group_policy(GroupName="ad-group", PolicyArn=cls.policy["Arn"])
        iam.create_user(UserName="ad-user", Path="/people/", Tags=[{"Key": "team", "Value": "x"}],
                        PermissionsBoundary=cls.policy["Arn"])
        iam.put_user_policy(UserName="ad-user", PolicyName="u-inline",
                            PolicyDocument=json.dumps(doc("sns:Publish")))
        iam.attach_user_policy(UserName="ad-user", PolicyArn=cls.policy["Arn"])
        iam.add_user_to_group(GroupName="ad-group", UserName="ad-user")
        iam.create_role(RoleName="ad-role", AssumeRolePolicyDocument=json.dumps(TRUST),
                        Tags=[{"Key": "env", "Value": "prod"}])
        iam.put_role_policy(RoleName="ad-role", PolicyName="r-inline",
                            PolicyDocument=json.dumps(doc("kms:Decrypt")))
        iam.create_instance_profile(InstanceProfileName="ad-profile")
        iam.add_role_to_instance_profile(InstanceProfileName="ad-profile", RoleName="ad-role")

    def setUp(self):
        self.iam = self.server.client("iam")

    def all_pages(self, **kw):
        pages = list(self.iam.get_paginator("get_account_authorization_details").paginate(**kw))
        out = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
        for p in pages:
            for k in out:
                out[k] += p.get(k, [])
        return pages, out

    def test_everything(self):
        got = self.iam.get_account_authorization_details()
        self.assertFalse(got["IsTruncated"])
        users = {u["UserName"]: u for u in got["UserDetailList"]}
        u = users["ad-user"]
        self.assertEqual(u["Path"], "/people/")
        self.assertEqual(u["Arn"], f"arn:aws:iam::{ACCT}:user/people/ad-user")
        self.assertTrue(u["UserId"].startswith("AIDA"))
        self.assertEqual(u["UserPolicyList"], [{"PolicyName": "u-inline",
                                                "PolicyDocument": doc("sns:Publish")}])
        self.assertEqual(u["GroupList"], ["ad-group"])
        self.assertEqual(u["AttachedManagedPolicies"],
                         [{"PolicyName": "ad-managed", "PolicyArn": self.policy["Arn"]}])
        self.assertEqual(u["PermissionsBoundary"], {"PermissionsBoundaryType": "Policy",
                                                    "PermissionsBoundaryArn": self.policy["Arn"]})
        self.assertEqual(u["Tags"], [{"Key": "team", "Value": "x"}])

        g = [g for g in got["GroupDetailList"] if g["GroupName"] == "ad-group"][0]
        self.assertEqual(g["GroupPolicyList"], [{"PolicyName": "g-inline",
                                                 "PolicyDocument": doc("sqs:SendMessage")}])
        self.assertEqual(g["AttachedManagedPolicies"],
                         [{"PolicyName": "ad-managed", "PolicyArn": self.policy["Arn"]}])
        self.assertEqual(g["Arn"], f"arn:aws:iam::{ACCT}:group/ad-group")

        r = [r for r in got["RoleDetailList"] if r["RoleName"] == "ad-role"][0]
        self.assertEqual(r["AssumeRolePolicyDocument"], TRUST)
        self.assertEqual(r["RolePolicyList"], [{"PolicyName": "r-inline",
                                                "PolicyDocument": doc("kms:Decrypt")}])
        self.assertEqual(len(r["InstanceProfileList"]), 1)
        ip = r["InstanceProfileList"][0]
        self.assertEqual(ip["InstanceProfileName"], "ad-profile")
        self.assertEqual(ip["Arn"], f"arn:aws:iam::{ACCT}:instance-profile/ad-profile")
        self.assertEqual([x["RoleName"] for x in ip["Roles"]], ["ad-role"])
        self.assertEqual(r["Tags"], [{"Key": "env", "Value": "prod"}])
        self.assertEqual(r["RoleLastUsed"], {})
        self.assertEqual(r["AttachedManagedPolicies"], [])

        (p,) = [p for p in got["Policies"] if p["PolicyName"] == "ad-managed"]
        self.assertEqual((p["Arn"], p["Path"], p["DefaultVersionId"]),
                         (self.policy["Arn"], "/ad/", "v2"))
        self.assertEqual((p["AttachmentCount"], p["PermissionsBoundaryUsageCount"],
                          p["IsAttachable"]), (2, 1, True))
        versions = {v["VersionId"]: v for v in p["PolicyVersionList"]}
        self.assertEqual(set(versions), {"v1", "v2"})
        self.assertEqual(versions["v1"]["Document"], doc("s3:GetObject"))
        self.assertEqual(versions["v2"]["Document"], doc("s3:PutObject"))
        self.assertEqual((versions["v1"]["IsDefaultVersion"], versions["v2"]["IsDefaultVersion"]),
                         (False, True))

    def test_filters(self):
        iam = self.iam
        for f, present in (("User", "UserDetailList"), ("Group", "GroupDetailList"),
                           ("Role", "RoleDetailList"), ("LocalManagedPolicy", "Policies")):
            got = iam.get_account_authorization_details(Filter=[f])
            for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
                if k == present:
                    self.assertTrue(got.get(k), (f, k))
                else:
                    self.assertFalse(got.get(k), (f, k))
        # no AWS managed policy is in use in this account
        got = iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])
        self.assertFalse(got.get("Policies"))
        got = iam.get_account_authorization_details(Filter=["User", "Role"])
        self.assertTrue(got["UserDetailList"] and got["RoleDetailList"])
        self.assertFalse(got.get("GroupDetailList") or got.get("Policies"))
        _, out, _ = self.server.cli("iam", "get-account-authorization-details", "--filter", "Role")
        self.assertEqual([r["RoleName"] for r in out["RoleDetailList"]], ["ad-role"])
        self.assertEqual(out["RoleDetailList"][0]["AssumeRolePolicyDocument"], TRUST)
        self.assertFalse(out.get("UserDetailList"))
        with self.assertRaises(ClientError) as e:
            iam.get_account_authorization_details(Filter=["Nonsense"])
        self.assertEqual(self.error_code(e.exception), "ValidationError")

    def test_documents_are_url_encoded_on_the_wire(self):
        status, _, body = rawhttp.query(self.server, {
            "Action": "GetAccountAuthorizationDetails", "Version": "2010-05-08",
            "Filter.member.1": "User"}, service="iam")
        self.assertEqual(status, 200)
        text = body.decode()
        encoded = urllib.parse.quote(json.dumps(doc("sns:Publish")), safe="")
        self.assertIn(f"<PolicyDocument>{encoded}</PolicyDocument>", text)

    def test_pagination_across_lists(self):
        iam = self.iam
        for i in range(3):
            iam.create_user(UserName=f"ad-more-{i}")
        pages, whole = self.all_pages(PaginationConfig={"PageSize": 2})
        self.assertGreater(len(pages), 3)
        for p in pages[:-1]:
            self.assertTrue(p["IsTruncated"])
            self.assertEqual(sum(len(p.get(k, [])) for k in
                                 ("UserDetailList", "GroupDetailList", "RoleDetailList",
                                  "Policies")), 2)
        self.assertFalse(pages[-1]["IsTruncated"])
        one = iam.get_account_authorization_details()
        for k in whole:
            self.assertEqual([json.dumps(x, default=str, sort_keys=True) for x in whole[k]],
                             [json.dumps(x, default=str, sort_keys=True) for x in one[k]], k)
        first = iam.get_account_authorization_details(MaxItems=1)
        self.assertTrue(first["IsTruncated"])
        self.assertNotIn("ad-more-0", first["Marker"])
        with self.assertRaises(ClientError) as e:
            iam.get_account_authorization_details(Marker=first["Marker"][:-2] + "xx")
        self.assertEqual(self.error_code(e.exception), "ValidationError")
        self.assertEqual(e.exception.response["Error"]["Message"], "Invalid Marker.")
        # the CLI pages it all by itself
        _, out, _ = self.server.cli("iam", "get-account-authorization-details", "--page-size", "1")
        self.assertEqual(sorted(u["UserName"] for u in out["UserDetailList"]),
                         sorted(u["UserName"] for u in whole["UserDetailList"]))
        for i in range(3):
            iam.delete_user(UserName=f"ad-more-{i}")

    def test_authorization(self):
        arn, key, secret = self.server.user("ad-nobody")
        with self.assertRaises(ClientError) as e:
            self.server.client("iam", key=key, secret=secret).get_account_authorization_details()
        self.assertEqual(self.error_code(e.exception), "AccessDenied")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"User: {arn} is not authorized to perform: "
                         f"iam:GetAccountAuthorizationDetails because no identity-based policy "
                         f"allows the iam:GetAccountAuthorizationDetails action")
        self.iam.delete_access_key(UserName="ad-nobody", AccessKeyId=key)
        self.iam.delete_user(UserName="ad-nobody")


if __name__ == "__main__":
    harness.main()
