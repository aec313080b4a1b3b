"""AWS managed policies (arn:aws:iam::aws:policy/...): the built-in set, readable with
GetPolicy/GetPolicyVersion/ListPolicyVersions, listed with ListPolicies' scopes, attached
to users, groups and roles and used as boundaries with real per-account counts, refused
every change, and evaluated like any other policy on real calls and in the simulator."""
import json
import os
import tempfile

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
AWS = "arn:aws:iam::aws:policy/"
ADMIN = AWS + "AdministratorAccess"
IAM_RO = AWS + "IAMReadOnlyAccess"
READ_ONLY = AWS + "ReadOnlyAccess"
EMR_EC2 = AWS + "service-role/AmazonElasticMapReduceforEC2Role"
GLUE = AWS + "service-role/AWSGlueServiceRole"
S3_RO = AWS + "AmazonS3ReadOnlyAccess"
KMS_POWER = AWS + "AWSKeyManagementServicePowerUser"
SAGEMAKER = AWS + "AmazonSageMakerFullAccess"
SECRETS = AWS + "SecretsManagerReadWrite"
STATES = AWS + "AWSStepFunctionsFullAccess"
BUILT_IN = {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "IAMReadOnlyAccess",
            "AWSKeyManagementServicePowerUser", "SecretsManagerReadWrite",
            "AmazonSSMReadOnlyAccess", "AmazonElasticMapReduceforEC2Role", "AWSGlueServiceRole",
            "AWSStepFunctionsFullAccess", "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess",
            "AmazonSageMakerFullAccess", "ReadOnlyAccess"}


def trust(service):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class AwsManagedPolicies(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def count(self, arn, member="AttachmentCount"):
        return self.iam.get_policy(PolicyArn=arn)["Policy"][member]

    def user_clients(self, name, *arns, boundary=None):
        self.iam.create_user(UserName=name)
        for arn in arns:
            self.iam.attach_user_policy(UserName=name, PolicyArn=arn)
        if boundary:
            self.iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary)
        k = self.iam.create_access_key(UserName=name)["AccessKey"]
        return k["AccessKeyId"], k["SecretAccessKey"]

    def test_get_policy_and_its_version(self):
        p = self.iam.get_policy(PolicyArn=ADMIN)["Policy"]
        self.assertEqual((p["PolicyName"], p["PolicyId"], p["Path"], p["DefaultVersionId"]),
                         ("AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "/", "v1"))
        self.assertTrue(p["IsAttachable"])
        self.assertEqual(p["CreateDate"].isoformat(), "2015-02-06T18:39:46+00:00")
        self.assertEqual(p["Description"], "Provides full access to AWS services and resources.")
        v = self.iam.get_policy_version(PolicyArn=ADMIN, VersionId="v1")["PolicyVersion"]
        self.assertTrue(v["IsDefaultVersion"])
        self.assertEqual(v["Document"], {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        glue = self.iam.get_policy(PolicyArn=GLUE)["Policy"]
        self.assertEqual((glue["Path"], glue["DefaultVersionId"]), ("/service-role/", "v5"))
        self.assertEqual(self.iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["PolicyId"],
                         "ANPAILL3HVNFSB6DCOWYQ")
        versions = self.iam.list_policy_versions(PolicyArn=GLUE)["Versions"]
        self.assertEqual([(x["VersionId"], x["IsDefaultVersion"]) for x in versions],
                         [("v5", True), ("v4", False), ("v3", False), ("v2", False), ("v1", False)])
        gv = self.iam.get_policy_version(PolicyArn=GLUE, VersionId="v5")["PolicyVersion"]["Document"]
        self.assertIn("glue:*", gv["Statement"][0]["Action"])
        _, out, _ = self.server.cli("iam", "get-policy-version", "--policy-arn", IAM_RO,
                                    "--version-id", "v4")
        self.assertIn("iam:List*", out["PolicyVersion"]["Document"]["Statement"][0]["Action"])
        for arn, version, msg in (
                (AWS + "NoSuchPolicy", None, f"Policy {AWS}NoSuchPolicy was not found."),
                # the path is part of the ARN
                (AWS + "AWSGlueServiceRole", None, f"Policy {AWS}AWSGlueServiceRole was not found."),
                (ADMIN, "v2", f"Policy {ADMIN} version v2 does not exist or is not attachable.")):
            with self.assertRaises(ClientError) as e:
                if version:
                    self.iam.get_policy_version(PolicyArn=arn, VersionId=version)
                else:
                    self.iam.get_policy(PolicyArn=arn)
            self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
            self.assertEqual(e.exception.response["Error"]["Message"], msg)

    def test_older_versions_are_the_published_ones_held(self):
        """ListPolicyVersions lists the default version and the older versions whose
        published document and date the data file holds (aws_managed_policies.json's comment
        says why not every version AWS published): newest first, paginated; each older id
        answers its own document; an id not held is answered as a version that does not
        exist."""
        sm = self.iam.list_policy_versions(PolicyArn=SAGEMAKER)["Versions"]
        self.assertEqual(sm[0]["VersionId"], "v29")
        self.assertTrue(sm[0]["IsDefaultVersion"])
        self.assertEqual(sm[0]["CreateDate"].isoformat(), "2026-02-12T17:58:32+00:00")
        self.assertEqual([v["VersionId"] for v in sm[1:]], [f"v{n}" for n in range(24, 0, -1)])
        self.assertFalse(any(v["IsDefaultVersion"] for v in sm[1:]))
        self.assertTrue(all("Document" not in v for v in sm))
        page = self.iam.list_policy_versions(PolicyArn=SAGEMAKER, MaxItems=2)
        self.assertTrue(page["IsTruncated"])
        rest = self.iam.list_policy_versions(PolicyArn=SAGEMAKER, Marker=page["Marker"], MaxItems=100)
        self.assertEqual([v["VersionId"] for v in page["Versions"] + rest["Versions"]],
                         [v["VersionId"] for v in sm])
        v1 = self.iam.get_policy_version(PolicyArn=GLUE, VersionId="v1")["PolicyVersion"]
        self.assertFalse(v1["IsDefaultVersion"])
        self.assertEqual(v1["CreateDate"].isoformat(), "2017-08-14T13:37:21+00:00")
        self.assertIn("glue:*", v1["Document"]["Statement"][0]["Action"])
        v5 = self.iam.get_policy_version(PolicyArn=GLUE, VersionId="v5")["PolicyVersion"]["Document"]
        self.assertNotEqual(v1["Document"], v5)
        secrets_v1 = self.iam.get_policy_version(PolicyArn=SECRETS, VersionId="v1")["PolicyVersion"]
        self.assertEqual(secrets_v1["CreateDate"].isoformat(), "2018-04-04T18:05:29+00:00")
        self.assertIn("secretsmanager:*", secrets_v1["Document"]["Statement"][0]["Action"])
        # ReadOnlyAccess: v188 and the dated older versions within the size bound
        ro = [v["VersionId"] for v in self.iam.list_policy_versions(PolicyArn=READ_ONLY)["Versions"]]
        self.assertEqual(ro, ["v188", "v104", "v103", "v102", "v101", "v100"])
        for held_not in ("v187", "v87", "v99"):
            with self.assertRaises(ClientError) as e:
                self.iam.get_policy_version(PolicyArn=READ_ONLY, VersionId=held_not)
            self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"Policy {READ_ONLY} version {held_not} does not exist or is not attachable.")
        # the aws CLI lists and reads them too
        _, out, _ = self.server.cli("iam", "list-policy-versions", "--policy-arn", IAM_RO)
        self.assertEqual([(v["VersionId"], v["IsDefaultVersion"]) for v in out["Versions"]],
                         [("v4", True), ("v3", False), ("v2", False), ("v1", False)])
        _, out, _ = self.server.cli("iam", "get-policy-version", "--policy-arn", IAM_RO, "--version-id", "v1")
        self.assertFalse(out["PolicyVersion"]["IsDefaultVersion"])
        self.assertEqual(out["PolicyVersion"]["CreateDate"], "2015-02-06T18:40:39+00:00")

    def test_seed_workflow_one_role_per_service(self):
        roles = {"seed-emr-ec2": ("ec2.amazonaws.com", [EMR_EC2, S3_RO]),
                 "seed-glue": ("glue.amazonaws.com", [GLUE, S3_RO]),
                 "seed-sagemaker": ("sagemaker.amazonaws.com", [SAGEMAKER]),
                 "seed-states": ("states.amazonaws.com", [STATES])}
        with tempfile.TemporaryDirectory() as d:
            for role, (service, arns) in roles.items():
                path = os.path.join(d, role + ".json")
                with open(path, "w") as f:
                    json.dump(trust(service), f)
                self.server.cli("iam", "create-role", "--role-name", role,
                                "--assume-role-policy-document", "file://" + path)
                for arn in arns:
                    self.server.cli("iam", "attach-role-policy", "--role-name", role,
                                    "--policy-arn", arn)
        for role, (_, arns) in roles.items():
            _, out, _ = self.server.cli("iam", "list-attached-role-policies", "--role-name", role)
            self.assertEqual([(a["PolicyName"], a["PolicyArn"]) for a in out["AttachedPolicies"]],
                             [(arn.rsplit("/", 1)[1], arn) for arn in arns])
        self.assertEqual(self.count(S3_RO), 2)
        self.assertEqual(self.count(GLUE), 1)
        # the roles' policies are the AWS documents, evaluated as any other
        for role, allowed, denied in (
                ("seed-sagemaker", "sagemaker:CreateTrainingJob", "iam:CreateUser"),
                ("seed-states", "states:StartExecution", "s3:GetObject"),
                ("seed-glue", "glue:GetTable", "kms:CreateKey")):
            sim = self.iam.simulate_principal_policy(
                PolicySourceArn=f"arn:aws:iam::{ACCT}:role/{role}", ActionNames=[allowed, denied])
            self.assertEqual([r["EvalDecision"] for r in sim["EvaluationResults"]],
                             ["allowed", "implicitDeny"], role)
        got = self.iam.list_entities_for_policy(PolicyArn=S3_RO)
        self.assertEqual(sorted(r["RoleName"] for r in got["PolicyRoles"]),
                         ["seed-emr-ec2", "seed-glue"])
        _, out, _ = self.server.cli("iam", "list-attached-role-policies", "--role-name",
                                    "seed-glue", "--path-prefix", "/service-role/")
        self.assertEqual([a["PolicyArn"] for a in out["AttachedPolicies"]], [GLUE])
        self.iam.detach_role_policy(RoleName="seed-glue", PolicyArn=S3_RO)
        self.assertEqual(self.count(S3_RO), 1)
        with self.assertRaises(ClientError) as e:
            self.iam.attach_role_policy(RoleName="seed-glue", PolicyArn=AWS + "NotAPolicy")
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"Policy {AWS}NotAPolicy does not exist or is not attachable.")
        # the account's use of the AWS managed policies, as GetAccountAuthorizationDetails lists it
        details = self.iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])
        listed = {p["Arn"]: p for p in details["Policies"]}
        self.assertIn(GLUE, listed)
        self.assertNotIn(ADMIN, listed)
        self.assertEqual(listed[GLUE]["AttachmentCount"], 1)
        default = [v for v in listed[GLUE]["PolicyVersionList"] if v["IsDefaultVersion"]]
        self.assertEqual([v["VersionId"] for v in default], ["v5"])
        self.assertEqual(sorted(v["VersionId"] for v in listed[GLUE]["PolicyVersionList"]),
                         ["v1", "v2", "v3", "v4", "v5"])
        self.assertIn("glue:*", default[0]["Document"]["Statement"][0]["Action"])
        for role, (_, arns) in roles.items():
            for arn in arns:
                if not (role == "seed-glue" and arn == S3_RO):
                    self.iam.detach_role_policy(RoleName=role, PolicyArn=arn)
            self.iam.delete_role(RoleName=role)
        self.assertEqual(self.count(S3_RO), 0)
        details = self.iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])
        self.assertNotIn(GLUE, [p["Arn"] for p in details.get("Policies", [])])

    def test_boundary_caps_administrator_access(self):
        cap = self.iam.create_policy(PolicyName="KmsCap", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))["Policy"]["Arn"]
        key, secret = self.user_clients("capped-admin", ADMIN)
        iam = self.server.client("iam", key=key, secret=secret)
        kms = self.server.client("kms", key=key, secret=secret)
        iam.list_users()  # AdministratorAccess alone allows IAM
        self.iam.put_user_permissions_boundary(UserName="capped-admin", PermissionsBoundary=cap)
        kms.create_key(Description="allowed by both")
        kms.list_keys()
        with self.assertRaises(ClientError) as e:
            iam.list_users()
        self.assertEqual(self.error_code(e.exception), "AccessDenied")
        self.assertIn("permissions boundary", e.exception.response["Error"]["Message"])
        rc, _, err = self.server.cli("iam", "list-roles", key=key, secret=secret, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("AccessDenied", err)
        self.assertEqual(self.count(ADMIN), 1)
        # an AWS managed policy as a boundary counts as one, and caps as one
        self.iam.put_user_permissions_boundary(UserName="capped-admin", PermissionsBoundary=KMS_POWER)
        self.assertEqual(self.count(KMS_POWER, "PermissionsBoundaryUsageCount"), 1)
        self.assertEqual(self.count(cap, "PermissionsBoundaryUsageCount"), 0)
        iam.list_users()  # AWSKeyManagementServicePowerUser allows iam:ListUsers
        with self.assertRaises(ClientError) as e:
            iam.list_policies()
        self.assertEqual(self.error_code(e.exception), "AccessDenied")
        bounded = self.iam.list_entities_for_policy(PolicyArn=KMS_POWER,
                                                    PolicyUsageFilter="PermissionsBoundary")
        self.assertEqual([u["UserName"] for u in bounded["PolicyUsers"]], ["capped-admin"])
        self.iam.delete_user_permissions_boundary(UserName="capped-admin")
        self.assertEqual(self.count(KMS_POWER, "PermissionsBoundaryUsageCount"), 0)
        iam.list_policies()
        self.iam.detach_user_policy(UserName="capped-admin", PolicyArn=ADMIN)
        self.assertEqual(self.count(ADMIN), 0)

    def test_read_only_policies_allow_reads_and_deny_writes(self):
        key, secret = self.user_clients("iam-reader", IAM_RO)
        iam = self.server.client("iam", key=key, secret=secret)
        iam.list_users()
        iam.get_policy(PolicyArn=ADMIN)
        iam.list_policies(Scope="AWS")
        for write in (lambda: iam.create_user(UserName="not-made"),
                      lambda: iam.attach_user_policy(UserName="iam-reader", PolicyArn=ADMIN),
                      lambda: iam.create_access_key(UserName="iam-reader")):
            with self.assertRaises(ClientError) as e:
                write()
            self.assertEqual(self.error_code(e.exception), "AccessDenied")
        rc, _, err = self.server.cli("iam", "create-group", "--group-name", "nope", key=key,
                                     secret=secret, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("AccessDenied", err)
        sim = self.iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{ACCT}:user/iam-reader",
            ActionNames=["iam:ListRoles", "iam:DeleteRole", "kms:CreateKey"])
        self.assertEqual({r["EvalActionName"]: r["EvalDecision"] for r in sim["EvaluationResults"]},
                         {"iam:ListRoles": "allowed", "iam:DeleteRole": "implicitDeny",
                          "kms:CreateKey": "implicitDeny"})
        # the same policy through a group
        self.iam.create_group(GroupName="kms-power")
        self.iam.attach_group_policy(GroupName="kms-power", PolicyArn=KMS_POWER)
        self.iam.add_user_to_group(GroupName="kms-power", UserName="iam-reader")
        kms = self.server.client("kms", key=key, secret=secret)
        made = kms.create_key()["KeyMetadata"]["KeyId"]
        with self.assertRaises(ClientError) as e:
            kms.encrypt(KeyId=made, Plaintext=b"x")
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        self.assertEqual(self.count(KMS_POWER), 1)

    def test_read_only_access_reads_iam_and_kms_and_writes_nothing(self):
        p = self.iam.get_policy(PolicyArn=READ_ONLY)["Policy"]
        self.assertEqual(p["DefaultVersionId"], "v188")
        self.assertEqual(p["UpdateDate"].isoformat(), "2026-07-21T18:42:30+00:00")
        self.assertEqual(p["CreateDate"].isoformat(), "2015-02-06T18:39:48+00:00")
        statements = self.iam.get_policy_version(PolicyArn=READ_ONLY, VersionId="v188")[
            "PolicyVersion"]["Document"]["Statement"]
        self.assertEqual([s["Sid"] for s in statements], ["ReadOnlyActionsGroup1", "ReadOnlyActionsGroup2",
                                                          "S3ExpressReadOnlySessionObjectAccess"])
        actions = [a for s in statements for a in s["Action"]]
        self.assertEqual(len(actions), 2914)
        self.assertIn("kms:Describe*", actions)
        made = self.server.client("kms").create_key()["KeyMetadata"]["KeyId"]
        key, secret = self.user_clients("reader", READ_ONLY)
        iam = self.server.client("iam", key=key, secret=secret)
        kms = self.server.client("kms", key=key, secret=secret)
        iam.list_users()
        iam.get_user(UserName="reader")
        iam.list_policies(Scope="AWS", MaxItems=2)
        kms.list_keys()
        kms.describe_key(KeyId=made)
        for write, code in ((lambda: iam.create_user(UserName="not-made"), "AccessDenied"),
                            (lambda: iam.delete_user(UserName="reader"), "AccessDenied"),
                            (lambda: kms.create_key(), "AccessDeniedException"),
                            (lambda: kms.encrypt(KeyId=made, Plaintext=b"x"), "AccessDeniedException")):
            with self.assertRaises(ClientError) as e:
                write()
            self.assertEqual(self.error_code(e.exception), code)
        _, out, _ = self.server.cli("iam", "list-users", key=key, secret=secret)
        self.assertIn("reader", [u["UserName"] for u in out["Users"]])
        rc, _, err = self.server.cli("kms", "create-key", key=key, secret=secret, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("AccessDeniedException", err)

    def test_list_policies_scopes_paths_and_pages(self):
        local = self.iam.create_policy(PolicyName="LocalOne", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))["Policy"]["Arn"]
        aws = {p["PolicyName"]: p for p in self.iam.list_policies(Scope="AWS")["Policies"]}
        self.assertEqual(set(aws), BUILT_IN)
        self.assertEqual(aws["AdministratorAccess"]["Arn"], ADMIN)
        self.assertNotIn("LocalOne", aws)
        mine = [p["Arn"] for p in self.iam.list_policies(Scope="Local")["Policies"]]
        self.assertIn(local, mine)
        self.assertFalse([a for a in mine if a.startswith(AWS)])
        every = [p["Arn"] for p in self.iam.list_policies()["Policies"]]
        self.assertEqual(set(every), {p["Arn"] for p in aws.values()} | set(mine))
        service = self.iam.list_policies(Scope="AWS", PathPrefix="/service-role/")["Policies"]
        self.assertEqual({p["Arn"] for p in service}, {EMR_EC2, GLUE})
        # pages run across both sets, each policy once
        seen, marker = [], None
        while True:
            page = self.iam.list_policies(MaxItems=4, **({"Marker": marker} if marker else {}))
            self.assertLessEqual(len(page["Policies"]), 4)
            seen += [p["Arn"] for p in page["Policies"]]
            if not page["IsTruncated"]:
                break
            marker = page["Marker"]
        self.assertEqual(seen, every)
        _, out, _ = self.server.cli("iam", "list-policies", "--scope", "AWS", "--page-size", "5")
        self.assertEqual({p["PolicyName"] for p in out["Policies"]}, BUILT_IN)
        # OnlyAttached and the usage filter read this account's counts
        self.iam.create_user(UserName="lister")
        self.iam.attach_user_policy(UserName="lister", PolicyArn=S3_RO)
        self.iam.attach_user_policy(UserName="lister", PolicyArn=local)
        self.iam.put_user_permissions_boundary(UserName="lister", PermissionsBoundary=ADMIN)
        attached = self.iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
        self.assertEqual([(p["Arn"], p["AttachmentCount"]) for p in attached], [(S3_RO, 1)])
        bounds = self.iam.list_policies(Scope="AWS", OnlyAttached=True,
                                        PolicyUsageFilter="PermissionsBoundary")["Policies"]
        self.assertEqual([(p["Arn"], p["PermissionsBoundaryUsageCount"]) for p in bounds],
                         [(ADMIN, 1)])
        both = {p["Arn"] for p in self.iam.list_policies(OnlyAttached=True)["Policies"]}
        self.assertEqual(both, {S3_RO, local})
        self.iam.detach_user_policy(UserName="lister", PolicyArn=S3_RO)
        self.iam.detach_user_policy(UserName="lister", PolicyArn=local)
        self.iam.delete_user_permissions_boundary(UserName="lister")
        self.assertFalse(self.iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"])

    def test_aws_managed_policies_cannot_be_changed(self):
        text = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
        for call, verb in (
                (lambda: self.iam.delete_policy(PolicyArn=S3_RO), "delete"),
                (lambda: self.iam.create_policy_version(PolicyArn=S3_RO, PolicyDocument=text,
                                                        SetAsDefault=True), "create versions of"),
                (lambda: self.iam.delete_policy_version(PolicyArn=S3_RO, VersionId="v3"),
                 "delete versions of"),
                (lambda: self.iam.set_default_policy_version(PolicyArn=S3_RO, VersionId="v3"),
                 "set the default version of"),
                (lambda: self.iam.tag_policy(PolicyArn=S3_RO, Tags=[{"Key": "k", "Value": "v"}]),
                 "tag"),
                (lambda: self.iam.untag_policy(PolicyArn=S3_RO, TagKeys=["k"]), "untag")):
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(self.error_code(e.exception), "AccessDenied", verb)
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"Cannot {verb} policies outside your own account.")
            self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        rc, _, err = self.server.cli("iam", "delete-policy", "--policy-arn", ADMIN, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("AccessDenied", err)
        # nothing changed
        p = self.iam.get_policy(PolicyArn=S3_RO)["Policy"]
        self.assertEqual(p["DefaultVersionId"], "v3")
        self.assertEqual([v["VersionId"] for v in self.iam.list_policy_versions(PolicyArn=S3_RO)["Versions"]],
                         ["v3", "v2", "v1"])
        self.assertIn(S3_RO, [x["Arn"] for x in self.iam.list_policies(Scope="AWS")["Policies"]])


if __name__ == "__main__":
    harness.main()
