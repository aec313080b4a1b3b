"""IAM users, access keys, inline and attached managed policies through boto3 and the AWS CLI v2."""
import json

from botocore.exceptions import ClientError

import harness


class IamUsers(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def test_create_get_delete_user(self):
        u = self.iam.create_user(UserName="alice", Path="/eng/")["User"]
        self.assertEqual(u["UserName"], "alice")
        self.assertEqual(u["Path"], "/eng/")
        self.assertEqual(u["Arn"], f"arn:aws:iam::{harness.ACCOUNT}:user/eng/alice")
        self.assertRegex(u["UserId"], r"^AIDA[A-Z2-7]{17}$")
        got = self.iam.get_user(UserName="alice")["User"]
        self.assertEqual(got["UserId"], u["UserId"])
        self.assertEqual(got["CreateDate"], u["CreateDate"])
        self.iam.delete_user(UserName="alice")
        with self.assertRaises(ClientError) as e:
            self.iam.get_user(UserName="alice")
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "The user with name alice cannot be found.")

    def test_duplicate_names_differ_only_in_case(self):
        self.iam.create_user(UserName="Bob")
        with self.assertRaises(ClientError) as e:
            self.iam.create_user(UserName="bob")
        self.assertEqual(self.error_code(e.exception), "EntityAlreadyExists")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)
        self.iam.delete_user(UserName="BOB")

    def test_list_users_paginates(self):
        names = [f"page-user-{i:02d}" for i in range(7)]
        for n in names:
            self.iam.create_user(UserName=n, Path="/paged/")
        seen, marker, pages = [], None, 0
        while True:
            kw = {"PathPrefix": "/paged/", "MaxItems": 3}
            if marker:
                kw["Marker"] = marker
            r = self.iam.list_users(**kw)
            pages += 1
            seen += [u["UserName"] for u in r["Users"]]
            if not r["IsTruncated"]:
                break
            marker = r["Marker"]
        self.assertEqual(seen, names)
        self.assertEqual(pages, 3)
        # the paginator the SDK ships uses the same Marker protocol
        pag = self.iam.get_paginator("list_users")
        all_names = [u["UserName"] for p in pag.paginate(PathPrefix="/paged/", PaginationConfig={"PageSize": 2})
                     for u in p["Users"]]
        self.assertEqual(all_names, names)
        for n in names:
            self.iam.delete_user(UserName=n)

    def test_validation_errors_name_the_member(self):
        with self.assertRaises(ClientError) as e:
            self.iam.create_user(UserName="bad name!")
        self.assertEqual(self.error_code(e.exception), "ValidationError")
        self.assertIn("userName", e.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as e:
            self.iam.create_user(UserName="x" * 65)
        self.assertEqual(self.error_code(e.exception), "ValidationError")
        self.assertIn("length less than or equal to 64", e.exception.response["Error"]["Message"])


class IamAccessKeys(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def test_key_lifecycle_and_quota(self):
        self.iam.create_user(UserName="carol")
        k1 = self.iam.create_access_key(UserName="carol")["AccessKey"]
        self.assertRegex(k1["AccessKeyId"], r"^AKIA[A-Z2-7]{16}$")
        self.assertEqual(len(k1["SecretAccessKey"]), 40)
        self.assertEqual(k1["Status"], "Active")
        k2 = self.iam.create_access_key(UserName="carol")["AccessKey"]
        with self.assertRaises(ClientError) as e:
            self.iam.create_access_key(UserName="carol")
        self.assertEqual(self.error_code(e.exception), "LimitExceeded")
        listed = self.iam.list_access_keys(UserName="carol")["AccessKeyMetadata"]
        self.assertEqual(sorted(k["AccessKeyId"] for k in listed),
                         sorted([k1["AccessKeyId"], k2["AccessKeyId"]]))
        self.assertNotIn("SecretAccessKey", json.dumps(listed, default=str))
        # the new key works, then stops working when made inactive
        sts = self.server.client("sts", key=k1["AccessKeyId"], secret=k1["SecretAccessKey"])
        ident = sts.get_caller_identity()
        self.assertEqual(ident["Arn"], f"arn:aws:iam::{harness.ACCOUNT}:user/carol")
        self.iam.update_access_key(UserName="carol", AccessKeyId=k1["AccessKeyId"], Status="Inactive")
        with self.assertRaises(ClientError) as e:
            sts.get_caller_identity()
        self.assertEqual(self.error_code(e.exception), "InvalidClientTokenId")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_user(UserName="carol")
        self.assertEqual(self.error_code(e.exception), "DeleteConflict")
        for k in (k1, k2):
            self.iam.delete_access_key(UserName="carol", AccessKeyId=k["AccessKeyId"])
        with self.assertRaises(ClientError) as e:
            self.iam.delete_access_key(UserName="carol", AccessKeyId=k1["AccessKeyId"])
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        self.iam.delete_user(UserName="carol")

    def test_secret_never_in_audit_trail(self):
        self.iam.create_user(UserName="dave")
        k = self.iam.create_access_key(UserName="dave")["AccessKey"]
        trail = json.dumps(self.server.audit_records())
        self.assertNotIn(k["SecretAccessKey"], trail)
        self.assertNotIn(harness.ROOT_SECRET, trail)
        self.assertIn(k["AccessKeyId"], trail)
        self.iam.delete_access_key(UserName="dave", AccessKeyId=k["AccessKeyId"])
        self.iam.delete_user(UserName="dave")


class IamUserPolicies(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def test_put_get_list_delete(self):
        self.iam.create_user(UserName="erin")
        doc = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}
        self.iam.put_user_policy(UserName="erin", PolicyName="p1", PolicyDocument=json.dumps(doc))
        got = self.iam.get_user_policy(UserName="erin", PolicyName="p1")
        self.assertEqual(got["PolicyDocument"], doc)  # boto3 decodes IAM's URL-encoded document
        self.assertEqual(self.iam.list_user_policies(UserName="erin")["PolicyNames"], ["p1"])
        with self.assertRaises(ClientError) as e:
            self.iam.delete_user(UserName="erin")
        self.assertEqual(self.error_code(e.exception), "DeleteConflict")
        self.iam.delete_user_policy(UserName="erin", PolicyName="p1")
        with self.assertRaises(ClientError) as e:
            self.iam.get_user_policy(UserName="erin", PolicyName="p1")
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        self.iam.delete_user(UserName="erin")

    def test_malformed_and_oversized_policies(self):
        self.iam.create_user(UserName="frank")
        for bad in ["{not json", json.dumps({"Version": "2012-10-17", "Statement": [{"Action": "*", "Resource": "*"}]}),
                    json.dumps({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})]:
            with self.assertRaises(ClientError) as e:
                self.iam.put_user_policy(UserName="frank", PolicyName="bad", PolicyDocument=bad)
            self.assertEqual(self.error_code(e.exception), "MalformedPolicyDocument", bad)
        big = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": f"kms:Action{i:04d}", "Resource": "*"} for i in range(60)]}
        with self.assertRaises(ClientError) as e:
            self.iam.put_user_policy(UserName="frank", PolicyName="big", PolicyDocument=json.dumps(big))
        self.assertEqual(self.error_code(e.exception), "LimitExceeded")
        self.assertEqual(self.iam.list_user_policies(UserName="frank")["PolicyNames"], [])
        self.iam.delete_user(UserName="frank")


def _stmt(**kw):
    st = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}
    st.update(kw)
    return st


def _doc(*statements, version="2012-10-17", **top):
    d = {"Statement": list(statements) if len(statements) != 1 else statements[0], **top}
    if version:
        d["Version"] = version
    return json.dumps(d)


class IamPolicyValidation(harness.ServerTest):
    """CreatePolicy and PutUserPolicy answer MalformedPolicyDocument with IAM's own words
    (tests/unit/policy/validation_test.c has the full table), and accept what IAM accepts."""

    MANAGED_ONLY = [
        (_doc(_stmt(), version=None), "Policy document must be version 2012-10-17 or greater."),
        (_doc(_stmt(), version="2008-10-17"), "Policy document must be version 2012-10-17 or greater."),
    ]
    BOTH = [
        (json.dumps({"Version": "2012-10-17", "Statement": []}), "Syntax errors in policy."),
        (_doc(_stmt(), Id=["x"]), "Syntax errors in policy."),
        (_doc(_stmt(Effect="denY")), "The policy failed legacy parsing"),
        (_doc(_stmt(Resource="arn:aws:s3::example_bucket")), "The policy failed legacy parsing"),
        (_doc(_stmt(Resource="arn:error:s3:::example_bucket")),
         'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".'),
        (_doc(_stmt(Resource="arn:aws:iam:::example_bucket")),
         'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, '
         'instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, '
         'report/, access-report/.'),
        (_doc(_stmt(Resource="arn:aws:iam:us-east-1::user/x")),
         "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information."),
        (_doc(_stmt(Resource="arn:aws")), "Resource vendor must be fully qualified and cannot contain regexes."),
        (_doc(_stmt(Action="a a:ListBucket")), "Vendor a a is not valid"),
    ]
    ACCEPTED = [
        _doc(_stmt(Condition={})),
        _doc(_stmt(Condition={"DateGreaterThan": {}, "NoSuchOperator": {}})),
        _doc(_stmt(Condition={"StringEquals": {"aws:username": []}})),
    ]

    def setUp(self):
        self.iam = self.server.client("iam")

    def malformed(self, call, text, **kw):
        with self.assertRaises(ClientError, msg=text) as e:
            call(PolicyDocument=text, **kw)
        err = e.exception.response["Error"]
        return err["Code"], err["Message"]

    def test_create_policy_messages(self):
        for i, (text, msg) in enumerate(self.MANAGED_ONLY + self.BOTH):
            self.assertEqual(self.malformed(self.iam.create_policy, text, PolicyName=f"bad{i}"),
                             ("MalformedPolicyDocument", msg))
        for i, text in enumerate(self.ACCEPTED):
            self.iam.create_policy(PolicyName=f"ok{i}", PolicyDocument=text)

    def test_put_user_policy_messages(self):
        self.iam.create_user(UserName="validated")
        for text, msg in self.BOTH:
            self.assertEqual(self.malformed(self.iam.put_user_policy, text, UserName="validated",
                                            PolicyName="bad"), ("MalformedPolicyDocument", msg))
        # an inline policy may omit Version or say 2008-10-17
        for i, text in enumerate(self.ACCEPTED + [t for t, _ in self.MANAGED_ONLY]):
            self.iam.put_user_policy(UserName="validated", PolicyName=f"ok{i}", PolicyDocument=text)
        self.assertEqual(len(self.iam.list_user_policies(UserName="validated")["PolicyNames"]), 5)


class IamWithCli(harness.ServerTest):
    def test_cli_round_trip(self):
        s = self.server
        _, out, _ = s.cli("iam", "create-user", "--user-name", "cli-user")
        self.assertEqual(out["User"]["UserName"], "cli-user")
        _, out, _ = s.cli("iam", "list-users")
        self.assertIn("cli-user", [u["UserName"] for u in out["Users"]])
        _, key, _ = s.cli("iam", "create-access-key", "--user-name", "cli-user")
        akid = key["AccessKey"]["AccessKeyId"]
        _, ident, _ = s.cli("sts", "get-caller-identity", key=akid, secret=key["AccessKey"]["SecretAccessKey"])
        self.assertEqual(ident["Arn"], f"arn:aws:iam::{harness.ACCOUNT}:user/cli-user")
        rc, _, err = s.cli("iam", "get-user", "--user-name", "nobody", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchEntity", err)
        s.cli("iam", "delete-access-key", "--user-name", "cli-user", "--access-key-id", akid)
        s.cli("iam", "delete-user", "--user-name", "cli-user")


class IamAttachedPolicies(harness.ServerTest):
    """AttachUserPolicy / DetachUserPolicy / ListAttachedUserPolicies, and the Policy shape's
    AttachmentCount: the number of identities the policy is attached to (a permissions
    boundary use is PermissionsBoundaryUsageCount, not an attachment)."""

    def setUp(self):
        self.iam = self.server.client("iam")

    def count(self, arn):
        return self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"]

    def test_attachment_count_follows_attach_and_detach(self):
        acct = harness.ACCOUNT
        arn = self.iam.create_policy(PolicyName="Counted", Path="/team/", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]}))["Policy"]["Arn"]
        self.assertEqual(self.count(arn), 0)
        self.assertNotIn(arn, [p["Arn"] for p in self.iam.list_policies(OnlyAttached=True)["Policies"]])
        _, key, secret = self.server.user("att-a")
        self.iam.create_user(UserName="att-b")  # no access key: only the attachment holds it
        kms_a = self.server.client("kms", key=key, secret=secret)
        with self.assertRaises(ClientError):
            kms_a.list_keys()
        self.iam.attach_user_policy(UserName="att-a", PolicyArn=arn)
        self.assertEqual(self.count(arn), 1)
        # attaching it again changes nothing
        self.iam.attach_user_policy(UserName="att-a", PolicyArn=arn)
        self.assertEqual(self.count(arn), 1)
        self.iam.attach_user_policy(UserName="att-b", PolicyArn=arn)
        self.assertEqual(self.count(arn), 2)
        self.assertEqual(self.iam.list_policies(OnlyAttached=True, Scope="Local")["Policies"][0]["AttachmentCount"], 2)
        # a boundary use is counted apart
        self.iam.put_user_permissions_boundary(UserName="att-b", PermissionsBoundary=arn)
        p = self.iam.get_policy(PolicyArn=arn)["Policy"]
        self.assertEqual((p["AttachmentCount"], p["PermissionsBoundaryUsageCount"]), (2, 1))
        self.iam.delete_user_permissions_boundary(UserName="att-b")
        self.assertEqual(self.iam.list_attached_user_policies(UserName="att-a")["AttachedPolicies"],
                         [{"PolicyName": "Counted", "PolicyArn": arn}])
        self.assertEqual(self.iam.list_attached_user_policies(UserName="att-a", PathPrefix="/other/")["AttachedPolicies"], [])
        # the attached policy takes part in authorization and in the simulator
        self.assertIn("Keys", kms_a.list_keys())
        sim = self.iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{acct}:user/att-a",
                                                 ActionNames=["kms:ListKeys"])
        self.assertEqual(sim["EvaluationResults"][0]["EvalDecision"], "allowed")
        # in use: neither the policy nor the user can be deleted
        with self.assertRaises(ClientError) as e:
            self.iam.delete_policy(PolicyArn=arn)
        self.assertEqual(self.error_code(e.exception), "DeleteConflict")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_user(UserName="att-b")
        self.assertEqual(self.error_code(e.exception), "DeleteConflict")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Cannot delete entity, must detach all policies first.")
        self.iam.detach_user_policy(UserName="att-b", PolicyArn=arn)
        self.assertEqual(self.count(arn), 1)
        self.iam.detach_user_policy(UserName="att-a", PolicyArn=arn)
        self.assertEqual(self.count(arn), 0)
        self.assertEqual(self.iam.list_attached_user_policies(UserName="att-a")["AttachedPolicies"], [])
        with self.assertRaises(ClientError):
            kms_a.list_keys()
        with self.assertRaises(ClientError) as e:
            self.iam.detach_user_policy(UserName="att-a", PolicyArn=arn)
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        self.assertEqual(e.exception.response["Error"]["Message"], f"Policy {arn} was not found.")
        self.iam.delete_user(UserName="att-b")
        self.iam.delete_policy(PolicyArn=arn)

    def test_attach_errors(self):
        self.iam.create_user(UserName="att-c")
        missing = f"arn:aws:iam::{harness.ACCOUNT}:policy/Nope"
        with self.assertRaises(ClientError) as e:
            self.iam.attach_user_policy(UserName="att-c", PolicyArn=missing)
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"Policy {missing} does not exist or is not attachable.")
        arn = self.iam.create_policy(PolicyName="Exists", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]}))["Policy"]["Arn"]
        with self.assertRaises(ClientError) as e:
            self.iam.attach_user_policy(UserName="nobody", PolicyArn=arn)
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        self.assertEqual(self.count(arn), 0)
        arns = [self.iam.create_policy(PolicyName=f"Many{i}", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]}))["Policy"]["Arn"]
            for i in range(10)]
        for a in arns:
            self.iam.attach_user_policy(UserName="att-c", PolicyArn=a)
        with self.assertRaises(ClientError) as e:
            self.iam.attach_user_policy(UserName="att-c", PolicyArn=arn)
        self.assertEqual(self.error_code(e.exception), "LimitExceeded")
        self.assertEqual(self.count(arn), 0)
        page = self.iam.list_attached_user_policies(UserName="att-c", MaxItems=4)
        seen = [p["PolicyArn"] for p in page["AttachedPolicies"]]
        while page["IsTruncated"]:
            page = self.iam.list_attached_user_policies(UserName="att-c", MaxItems=4, Marker=page["Marker"])
            seen += [p["PolicyArn"] for p in page["AttachedPolicies"]]
        self.assertEqual(seen, arns)


if __name__ == "__main__":
    harness.main()
