"""Customer managed policies and permissions boundaries on users: the boundary caps what
the user's own policies allow, on real calls and in the simulator."""
import json

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class Boundaries(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def test_managed_policy_lifecycle(self):
        text = doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
        p = self.iam.create_policy(PolicyName="KmsOnly", Path="/bounds/", PolicyDocument=text,
                                   Description="kms only")["Policy"]
        self.assertEqual(p["Arn"], f"arn:aws:iam::{ACCT}:policy/bounds/KmsOnly")
        self.assertRegex(p["PolicyId"], r"^ANPA[A-Z2-7]{17}$")
        self.assertEqual(p["DefaultVersionId"], "v1")
        got = self.iam.get_policy(PolicyArn=p["Arn"])["Policy"]
        self.assertEqual(got["PolicyName"], "KmsOnly")
        version = self.iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
        self.assertEqual(version["Document"], json.loads(text))
        self.assertIn("KmsOnly", [x["PolicyName"] for x in self.iam.list_policies(Scope="Local")["Policies"]])
        aws = [x["Arn"] for x in self.iam.list_policies(Scope="AWS")["Policies"]]
        self.assertIn("arn:aws:iam::aws:policy/AdministratorAccess", aws)
        self.assertNotIn(p["Arn"], aws)
        with self.assertRaises(ClientError) as e:
            self.iam.create_policy(PolicyName="kmsonly", PolicyDocument=text)
        self.assertEqual(e.exception.response["Error"]["Code"], "EntityAlreadyExists")
        with self.assertRaises(ClientError) as e:
            self.iam.create_policy(PolicyName="Bad", PolicyDocument='{"Statement":[{"Effect":"Allow"}]}')
        self.assertEqual(e.exception.response["Error"]["Code"], "MalformedPolicyDocument")
        self.iam.delete_policy(PolicyArn=p["Arn"])
        with self.assertRaises(ClientError) as e:
            self.iam.get_policy(PolicyArn=p["Arn"])
        self.assertEqual(e.exception.response["Error"]["Code"], "NoSuchEntity")

    def test_boundary_caps_the_users_policies(self):
        boundary = self.iam.create_policy(PolicyName="OnlyKms", PolicyDocument=doc(
            {"Effect": "Allow", "Action": ["kms:*", "sts:*"], "Resource": "*"}))["Policy"]["Arn"]
        self.iam.create_user(UserName="bounded")
        self.iam.put_user_policy(UserName="bounded", PolicyName="all",
                                 PolicyDocument=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
        k = self.iam.create_access_key(UserName="bounded")["AccessKey"]
        iam = self.server.client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        kms = self.server.client("kms", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        iam.list_users()
        self.iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=boundary)
        self.assertEqual(self.iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"],
                         {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary})
        with self.assertRaises(ClientError) as e:
            iam.list_users()
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")
        self.assertIn("because no permissions boundary allows the iam:ListUsers action",
                      e.exception.response["Error"]["Message"])
        kms.list_keys()
        sim = self.iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCT}:user/bounded",
                                                 ActionNames=["iam:ListUsers", "kms:ListKeys"])
        got = {r["EvalActionName"]: r for r in sim["EvaluationResults"]}
        self.assertEqual(got["iam:ListUsers"]["EvalDecision"], "implicitDeny")
        self.assertFalse(got["iam:ListUsers"]["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"])
        self.assertEqual(got["kms:ListKeys"]["EvalDecision"], "allowed")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_policy(PolicyArn=boundary)
        self.assertEqual(e.exception.response["Error"]["Code"], "DeleteConflict")
        self.iam.delete_user_permissions_boundary(UserName="bounded")
        iam.list_users()
        self.iam.delete_policy(PolicyArn=boundary)

    def test_create_user_with_boundary_and_delegated_admin(self):
        # the classic delegation: an admin may create users only with a given boundary
        boundary = self.iam.create_policy(PolicyName="Delegated", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))["Policy"]["Arn"]
        self.iam.create_user(UserName="delegate")
        self.iam.put_user_policy(UserName="delegate", PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*",
             "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}}}))
        k = self.iam.create_access_key(UserName="delegate")["AccessKey"]
        admin = self.server.client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        with self.assertRaises(ClientError):
            admin.create_user(UserName="unbounded")
        u = admin.create_user(UserName="bounded-by-creator", PermissionsBoundary=boundary)["User"]
        self.assertEqual(u["PermissionsBoundary"]["PermissionsBoundaryArn"], boundary)
        self.assertEqual(self.iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"], 1)
        # deleting the bounded user releases the boundary, so the policy can go too
        self.iam.delete_user(UserName="bounded-by-creator")
        self.assertEqual(self.iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"], 0)
        with self.assertRaises(ClientError) as e:
            self.iam.create_user(UserName="bad-boundary", PermissionsBoundary=f"arn:aws:iam::{ACCT}:policy/none")
        self.assertEqual(e.exception.response["Error"]["Code"], "NoSuchEntity")
        with self.assertRaises(ClientError):
            self.iam.get_user(UserName="bad-boundary")

    def test_unknown_boundary(self):
        self.iam.create_user(UserName="nobound")
        with self.assertRaises(ClientError) as e:
            self.iam.put_user_permissions_boundary(UserName="nobound",
                                                   PermissionsBoundary=f"arn:aws:iam::{ACCT}:policy/none")
        self.assertEqual(e.exception.response["Error"]["Code"], "NoSuchEntity")
        with self.assertRaises(ClientError) as e:
            self.iam.put_user_permissions_boundary(UserName="nobound",
                                                   PermissionsBoundary="arn:aws:iam::aws:policy/NoSuchAwsPolicy")
        self.assertEqual(e.exception.response["Error"]["Code"], "NoSuchEntity")


if __name__ == "__main__":
    harness.main()
