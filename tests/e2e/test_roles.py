"""IAM roles through boto3 and the AWS CLI: CreateRole with a trust policy from a file (the
seeds' one-role-per-service workflow), Get/Update/Delete/ListRoles, role tags, inline and
attached policies, the permissions boundary, their errors and quotas, and authorization
(src/services/iam/roles.c, role_policies.c, role_tags.c)."""
import datetime
import json
import os
import urllib.parse

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


def trust(service):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}


ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})


class IamRoles(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def policy(self, name):
        return self.iam.create_policy(PolicyName=name, PolicyDocument=ALLOW_ALL)["Policy"]

    def role(self, name, **kw):
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
            trust("ec2")), **kw)["Role"]

    def assert_error(self, e, code, status, message):
        self.assertEqual(self.error_code(e.exception), code)
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        self.assertEqual(e.exception.response["Error"]["Message"], message)

    def test_seed_workflow_with_the_cli(self):
        """One role per service, its trust policy from a file, a managed policy attached."""
        arn = self.policy("seed-managed")["Arn"]
        for service in ("elasticmapreduce", "glue", "sagemaker", "states"):
            path = os.path.join(self.server.data_dir, f"{service}-trust-policy.json")
            with open(path, "w") as f:
                json.dump(trust(service), f)
            _, out, _ = self.server.cli("iam", "create-role", "--role-name", f"{service}-role",
                                        "--assume-role-policy-document", f"file://{path}")
            role = out["Role"]
            self.assertEqual(role["Arn"], f"arn:aws:iam::{ACCT}:role/{service}-role")
            self.assertRegex(role["RoleId"], r"^AROA[A-Z2-7]{17}$")
            # the CLI decodes the URL-encoded document into JSON
            self.assertEqual(role["AssumeRolePolicyDocument"], trust(service))
            self.server.cli("iam", "attach-role-policy", "--role-name", f"{service}-role",
                            "--policy-arn", arn)
            _, out, _ = self.server.cli("iam", "list-attached-role-policies", "--role-name",
                                        f"{service}-role")
            self.assertEqual(out["AttachedPolicies"],
                             [{"PolicyName": "seed-managed", "PolicyArn": arn}])
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 4)
        for service in ("elasticmapreduce", "glue", "sagemaker", "states"):
            self.iam.detach_role_policy(RoleName=f"{service}-role", PolicyArn=arn)
            self.iam.delete_role(RoleName=f"{service}-role")
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 0)

    def test_create_and_get(self):
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        r = self.role("Builder", Path="/svc/ci/", Description="builds things",
                      MaxSessionDuration=7200, Tags=[{"Key": "team", "Value": "ci"}])
        self.assertEqual(r["RoleName"], "Builder")
        self.assertEqual(r["Path"], "/svc/ci/")
        self.assertEqual(r["Arn"], f"arn:aws:iam::{ACCT}:role/svc/ci/Builder")
        self.assertRegex(r["RoleId"], r"^AROA[A-Z2-7]{17}$")
        self.assertGreaterEqual(r["CreateDate"], before)
        self.assertEqual(r["Description"], "builds things")
        self.assertEqual(r["MaxSessionDuration"], 7200)
        self.assertEqual(r["Tags"], [{"Key": "team", "Value": "ci"}])
        self.assertNotIn("RoleLastUsed", r)
        got = self.iam.get_role(RoleName="builder")["Role"]
        self.assertEqual(got["RoleName"], "Builder")
        self.assertEqual(got["RoleId"], r["RoleId"])
        self.assertEqual(got["RoleLastUsed"], {})  # a role never used, as AWS answers it
        # boto3 decodes the document
        self.assertEqual(got["AssumeRolePolicyDocument"], trust("ec2"))
        d = self.role("defaults")
        self.assertEqual(d["Path"], "/")
        self.assertEqual(d["MaxSessionDuration"], 3600)
        self.assertNotIn("Description", d)

    def test_document_is_url_encoded_on_the_wire(self):
        self.role("encoded")
        raw = {}

        def grab(http_response, **kw):
            raw["body"] = http_response.text
        iam = self.server.client("iam")
        iam.meta.events.register("after-call.iam.GetRole", grab)
        iam.get_role(RoleName="encoded")
        start = raw["body"].index("<AssumeRolePolicyDocument>") + len("<AssumeRolePolicyDocument>")
        text = raw["body"][start:raw["body"].index("</AssumeRolePolicyDocument>")]
        self.assertNotIn("{", text)
        self.assertEqual(json.loads(urllib.parse.unquote(text)), trust("ec2"))
        self.assertIn("<RoleLastUsed/>", raw["body"].replace("<RoleLastUsed></RoleLastUsed>",
                                                             "<RoleLastUsed/>"))

    def test_errors(self):
        self.role("dupe")
        for name in ("dupe", "DUPE"):
            with self.assertRaises(ClientError) as e:
                self.role(name)
            self.assert_error(e, "EntityAlreadyExists", 409, f"Role with name {name} already exists.")
        with self.assertRaises(ClientError) as e:
            self.iam.get_role(RoleName="nobody")
        self.assert_error(e, "NoSuchEntity", 404, "The role with name nobody cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_role(RoleName="nobody")
        self.assert_error(e, "NoSuchEntity", 404, "The role with name nobody cannot be found.")

    def test_trust_policy_validation(self):
        no_principal = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole"}]}
        with_resource = trust("ec2")
        with_resource["Statement"][0]["Resource"] = "*"
        not_sts = trust("ec2")
        not_sts["Statement"][0]["Action"] = "s3:GetObject"
        for doc, msg in ((no_principal, "Missing required field Principal"),
                         (with_resource, "Has prohibited field Resource"),
                         (not_sts, "AssumeRole policy may only specify STS AssumeRole actions."),
                         ("{not json", "Syntax errors in policy.")):
            text = doc if isinstance(doc, str) else json.dumps(doc)
            with self.assertRaises(ClientError) as e:
                self.iam.create_role(RoleName="bad-trust", AssumeRolePolicyDocument=text)
            self.assert_error(e, "MalformedPolicyDocument", 400, msg)
        with self.assertRaises(ClientError):
            self.iam.get_role(RoleName="bad-trust")
        self.role("retrust")
        with self.assertRaises(ClientError) as e:
            self.iam.update_assume_role_policy(RoleName="retrust",
                                               PolicyDocument=json.dumps(no_principal))
        self.assert_error(e, "MalformedPolicyDocument", 400, "Missing required field Principal")
        self.iam.update_assume_role_policy(RoleName="retrust",
                                           PolicyDocument=json.dumps(trust("lambda")))
        self.assertEqual(self.iam.get_role(RoleName="retrust")["Role"]["AssumeRolePolicyDocument"],
                         trust("lambda"))

    def test_max_session_duration(self):
        # boto3 would refuse these before sending: the server's answer is what is tested
        raw = self.server.client("iam", parameter_validation=False)
        for value, bound in ((3599, "greater than or equal to 3600"),
                             (43201, "less than or equal to 43200")):
            with self.assertRaises(ClientError) as e:
                raw.create_role(RoleName="msd", MaxSessionDuration=value,
                                AssumeRolePolicyDocument=json.dumps(trust("ec2")))
            self.assert_error(e, "ValidationError", 400,
                              f"1 validation error detected: Value '{value}' at "
                              f"'maxSessionDuration' failed to satisfy constraint: Member must "
                              f"have value {bound}")
        self.role("msd-ok", MaxSessionDuration=43200)
        with self.assertRaises(ClientError) as e:
            raw.update_role(RoleName="msd-ok", MaxSessionDuration=100)
        self.assert_error(e, "ValidationError", 400,
                          "1 validation error detected: Value '100' at 'maxSessionDuration' "
                          "failed to satisfy constraint: Member must have value greater than "
                          "or equal to 3600")
        with self.assertRaises(ClientError):
            self.iam.get_role(RoleName="msd")

    def test_update(self):
        self.role("upd", Description="first")
        self.iam.update_role(RoleName="upd", Description="second", MaxSessionDuration=10800)
        r = self.iam.get_role(RoleName="upd")["Role"]
        self.assertEqual((r["Description"], r["MaxSessionDuration"]), ("second", 10800))
        self.iam.update_role(RoleName="upd", MaxSessionDuration=5000)
        r = self.iam.get_role(RoleName="upd")["Role"]
        self.assertEqual((r["Description"], r["MaxSessionDuration"]), ("second", 5000))
        r = self.iam.update_role_description(RoleName="upd", Description="third")["Role"]
        self.assertEqual(r["Description"], "third")
        self.assertEqual(r["Arn"], f"arn:aws:iam::{ACCT}:role/upd")
        self.assertEqual(self.iam.get_role(RoleName="upd")["Role"]["Description"], "third")
        with self.assertRaises(ClientError) as e:
            self.iam.update_role(RoleName="nope", Description="x")
        self.assert_error(e, "NoSuchEntity", 404, "The role with name nope cannot be found.")

    def test_list_paginates_with_path_prefix(self):
        names = [f"page-role-{i:02d}" for i in range(7)]
        for n in names:
            self.role(n, Path="/paged/", Tags=[{"Key": "k", "Value": "v"}])
        self.role("page-role-other", Path="/elsewhere/")
        seen, marker, pages = [], None, 0
        while True:
            kw = {"PathPrefix": "/paged/", "MaxItems": 3}
            if marker:
                kw["Marker"] = marker
            r = self.iam.list_roles(**kw)
            pages += 1
            for role in r["Roles"]:
                self.assertEqual(role["Path"], "/paged/")
                self.assertNotIn("Tags", role)  # ListRoles does not list them
                self.assertEqual(role["AssumeRolePolicyDocument"], trust("ec2"))
            seen += [x["RoleName"] for x in r["Roles"]]
            if not r["IsTruncated"]:
                break
            marker = r["Marker"]
        self.assertEqual(seen, names)
        self.assertEqual(pages, 3)
        every = [x["RoleName"] for p in self.iam.get_paginator("list_roles").paginate(
            PaginationConfig={"PageSize": 2}) for x in p["Roles"]]
        self.assertIn("page-role-other", every)
        self.assertEqual(every, sorted(every, key=str.lower))
        with self.assertRaises(ClientError) as e:
            self.iam.list_roles(Marker="not-a-marker")
        self.assertEqual(self.error_code(e.exception), "ValidationError")

    def test_tags(self):
        self.role("tagged")
        self.iam.tag_role(RoleName="tagged", Tags=[{"Key": "a", "Value": "1"},
                                                   {"Key": "b", "Value": "2"}])
        self.iam.tag_role(RoleName="tagged", Tags=[{"Key": "a", "Value": "3"}])
        self.assertEqual(self.iam.list_role_tags(RoleName="tagged")["Tags"],
                         [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}])
        page = self.iam.list_role_tags(RoleName="tagged", MaxItems=1)
        self.assertTrue(page["IsTruncated"])
        rest = self.iam.list_role_tags(RoleName="tagged", Marker=page["Marker"])
        self.assertEqual(rest["Tags"], [{"Key": "b", "Value": "2"}])
        self.iam.untag_role(RoleName="tagged", TagKeys=["a"])
        self.assertEqual(self.iam.get_role(RoleName="tagged")["Role"]["Tags"],
                         [{"Key": "b", "Value": "2"}])
        many = [{"Key": f"k{i}", "Value": "v"} for i in range(49)]
        self.iam.tag_role(RoleName="tagged", Tags=many)
        with self.assertRaises(ClientError) as e:
            self.iam.tag_role(RoleName="tagged", Tags=[{"Key": "one-more", "Value": "v"}])
        self.assert_error(e, "LimitExceeded", 409, "Cannot exceed quota for TagsPerRole: 50")
        self.assertEqual(len(self.iam.list_role_tags(RoleName="tagged")["Tags"]), 50)

    def test_inline_policies(self):
        self.role("inline")
        self.iam.put_role_policy(RoleName="inline", PolicyName="read", PolicyDocument=ALLOW_ALL)
        self.iam.put_role_policy(RoleName="inline", PolicyName="read2", PolicyDocument=ALLOW_ALL)
        got = self.iam.get_role_policy(RoleName="INLINE", PolicyName="read")
        self.assertEqual(got["RoleName"], "inline")
        self.assertEqual(got["PolicyDocument"], json.loads(ALLOW_ALL))
        self.assertEqual(self.iam.list_role_policies(RoleName="inline")["PolicyNames"],
                         ["read", "read2"])
        page = self.iam.list_role_policies(RoleName="inline", MaxItems=1)
        self.assertEqual((page["PolicyNames"], page["IsTruncated"]), (["read"], True))
        with self.assertRaises(ClientError) as e:
            self.iam.put_role_policy(RoleName="inline", PolicyName="bad", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                         "Resource": "*", "Principal": "*"}]}))
        self.assert_error(e, "MalformedPolicyDocument", 400,
                          "Policy document should not specify a principal.")
        big = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "x" * 6000}]})
        self.iam.put_role_policy(RoleName="inline", PolicyName="big1", PolicyDocument=big)
        with self.assertRaises(ClientError) as e:
            self.iam.put_role_policy(RoleName="inline", PolicyName="big2", PolicyDocument=big)
        self.assert_error(e, "LimitExceeded", 409,
                          "Maximum policy size of 10240 bytes exceeded for role inline")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_role(RoleName="inline")
        self.assert_error(e, "DeleteConflict", 409,
                          "Cannot delete entity, must delete policies first.")
        for name in ("read", "read2", "big1"):
            self.iam.delete_role_policy(RoleName="inline", PolicyName=name)
        with self.assertRaises(ClientError) as e:
            self.iam.get_role_policy(RoleName="inline", PolicyName="read")
        self.assert_error(e, "NoSuchEntity", 404, "The role policy with name read cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_role_policy(RoleName="inline", PolicyName="read")
        self.assert_error(e, "NoSuchEntity", 404, "The role policy with name read cannot be found.")
        self.iam.delete_role(RoleName="inline")

    def test_attached_policies(self):
        self.role("attached")
        arns = [self.policy(f"att-{i}")["Arn"] for i in range(11)]
        for arn in arns[:10]:
            self.iam.attach_role_policy(RoleName="attached", PolicyArn=arn)
        self.iam.attach_role_policy(RoleName="attached", PolicyArn=arns[0])  # again: no-op
        with self.assertRaises(ClientError) as e:
            self.iam.attach_role_policy(RoleName="attached", PolicyArn=arns[10])
        self.assert_error(e, "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: 10")
        listed = [p["PolicyArn"] for p in self.iam.get_paginator(
            "list_attached_role_policies").paginate(RoleName="attached",
                                                    PaginationConfig={"PageSize": 4})
            for p in p["AttachedPolicies"]]
        self.assertEqual(listed, arns[:10])
        self.assertEqual(self.iam.get_policy(PolicyArn=arns[0])["Policy"]["AttachmentCount"], 1)
        with self.assertRaises(ClientError) as e:
            self.iam.delete_role(RoleName="attached")
        self.assert_error(e, "DeleteConflict", 409,
                          "Cannot delete entity, must detach all policies first.")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_policy(PolicyArn=arns[0])
        self.assertEqual(self.error_code(e.exception), "DeleteConflict")
        missing = f"arn:aws:iam::{ACCT}:policy/none"
        with self.assertRaises(ClientError) as e:
            self.iam.attach_role_policy(RoleName="attached", PolicyArn=missing)
        self.assertEqual(self.error_code(e.exception), "LimitExceeded")
        self.iam.detach_role_policy(RoleName="attached", PolicyArn=arns[9])
        with self.assertRaises(ClientError) as e:
            self.iam.attach_role_policy(RoleName="attached", PolicyArn=missing)
        self.assert_error(e, "NoSuchEntity", 404,
                          f"Policy {missing} does not exist or is not attachable.")
        with self.assertRaises(ClientError) as e:
            self.iam.detach_role_policy(RoleName="attached", PolicyArn=arns[9])
        self.assert_error(e, "NoSuchEntity", 404, f"Policy {arns[9]} was not found.")
        for arn in arns[:9]:
            self.iam.detach_role_policy(RoleName="attached", PolicyArn=arn)
        self.assertEqual(self.iam.get_policy(PolicyArn=arns[0])["Policy"]["AttachmentCount"], 0)
        self.iam.delete_role(RoleName="attached")

    def test_permissions_boundary(self):
        b1, b2 = self.policy("rb-1")["Arn"], self.policy("rb-2")["Arn"]
        r = self.role("bounded", PermissionsBoundary=b1)
        self.assertEqual(r["PermissionsBoundary"], {"PermissionsBoundaryType": "Policy",
                                                    "PermissionsBoundaryArn": b1})
        count = lambda arn: self.iam.get_policy(PolicyArn=arn)["Policy"][
            "PermissionsBoundaryUsageCount"]
        self.assertEqual(count(b1), 1)
        self.iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=b2)
        self.assertEqual((count(b1), count(b2)), (0, 1))
        self.assertEqual(self.iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"][
            "PermissionsBoundaryArn"], b2)
        self.iam.delete_role_permissions_boundary(RoleName="bounded")
        self.assertEqual(count(b2), 0)
        self.assertNotIn("PermissionsBoundary", self.iam.get_role(RoleName="bounded")["Role"])
        missing = f"arn:aws:iam::{ACCT}:policy/none"
        with self.assertRaises(ClientError) as e:
            self.iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=missing)
        self.assert_error(e, "NoSuchEntity", 404,
                          f"Policy {missing} does not exist or is not attachable.")
        self.iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=b1)
        self.iam.delete_role(RoleName="bounded")
        self.assertEqual(count(b1), 0)

    def test_simulate_a_role(self):
        """SimulatePrincipalPolicy with a role's ARN evaluates the role's inline and
        attached policies under its permissions boundary."""
        doc = lambda *actions: json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})
        managed = self.iam.create_policy(PolicyName="sim-managed",
                                         PolicyDocument=doc("kms:ListKeys", "iam:GetUser"))["Policy"]
        boundary = self.iam.create_policy(PolicyName="sim-boundary",
                                          PolicyDocument=doc("kms:*", "s3:*"))["Policy"]
        r = self.role("simmed-role", Path="/sim/", PermissionsBoundary=boundary["Arn"])
        self.iam.put_role_policy(RoleName="simmed-role", PolicyName="inline",
                                 PolicyDocument=doc("s3:ListBucket"))
        self.iam.attach_role_policy(RoleName="simmed-role", PolicyArn=managed["Arn"])
        want = {"s3:ListBucket": "allowed", "kms:ListKeys": "allowed",
                "iam:GetUser": "implicitDeny", "s3:PutObject": "implicitDeny"}
        sim = self.iam.simulate_principal_policy(PolicySourceArn=r["Arn"], ActionNames=list(want))
        got = {e["EvalActionName"]: e for e in sim["EvaluationResults"]}
        self.assertEqual({a: e["EvalDecision"] for a, e in got.items()}, want)
        self.assertFalse(got["iam:GetUser"]["PermissionsBoundaryDecisionDetail"][
            "AllowedByPermissionsBoundary"])
        self.assertEqual([m["SourcePolicyId"] for m in got["s3:ListBucket"]["MatchedStatements"]],
                         ["inline", "permissions-boundary"])
        keys = self.iam.get_context_keys_for_principal_policy(PolicySourceArn=r["Arn"])
        self.assertEqual(keys["ContextKeyNames"], [])
        with self.assertRaises(ClientError) as e:
            self.iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCT}:role/none",
                                               ActionNames=["s3:ListBucket"])
        self.assert_error(e, "NoSuchEntity", 404, "The role with name none cannot be found.")

    def test_access_denied_names_the_role(self):
        r = self.role("guarded", Path="/locked/")
        _, key, secret = self.server.user("no-role-rights")
        iam = self.server.client("iam", key=key, secret=secret)
        user = f"arn:aws:iam::{ACCT}:user/no-role-rights"
        for call, action, resource in (
                (lambda: iam.get_role(RoleName="guarded"), "iam:GetRole", r["Arn"]),
                (lambda: iam.delete_role(RoleName="guarded"), "iam:DeleteRole", r["Arn"]),
                (lambda: iam.create_role(RoleName="new-one", AssumeRolePolicyDocument=json.dumps(
                    trust("ec2"))), "iam:CreateRole", f"arn:aws:iam::{ACCT}:role/new-one"),
                (lambda: iam.list_roles(PathPrefix="/locked/"), "iam:ListRoles",
                 f"arn:aws:iam::{ACCT}:role/locked/")):
            with self.assertRaises(ClientError) as e:
                call()
            self.assert_error(e, "AccessDenied", 403,
                              f"User: {user} is not authorized to perform: {action} on "
                              f"resource: {resource} because no identity-based policy allows "
                              f"the {action} action")
        # allowed on this role only, by its ARN
        self.iam.put_user_policy(UserName="no-role-rights", PolicyName="one", PolicyDocument=
                                 json.dumps({"Version": "2012-10-17", "Statement": [{
                                     "Effect": "Allow", "Action": "iam:GetRole",
                                     "Resource": r["Arn"]}]}))
        self.assertEqual(iam.get_role(RoleName="guarded")["Role"]["Arn"], r["Arn"])

    def test_audit_records(self):
        r = self.role("audited-role", Path="/a/")
        self.iam.get_role(RoleName="audited-role")
        with self.assertRaises(ClientError):
            self.role("AUDITED-ROLE")
        self.iam.list_roles(PathPrefix="/a/")
        trail = self.server.audit_records()
        created = [x for x in trail if x["eventName"] == "CreateRole"
                   and x["requestParameters"].get("roleName") == "audited-role"]
        self.assertEqual(len(created), 1)
        rec = created[0]
        self.assertEqual(rec["eventSource"], "iam.amazonaws.com")
        self.assertFalse(rec["readOnly"])
        self.assertEqual(rec["requestParameters"]["path"], "/a/")
        self.assertEqual(rec["responseElements"]["role"]["roleId"], r["RoleId"])
        dup = [x for x in trail if x["eventName"] == "CreateRole"
               and x["requestParameters"].get("roleName") == "AUDITED-ROLE"]
        self.assertEqual(dup[0]["errorCode"], "EntityAlreadyExists")
        got = [x for x in trail if x["eventName"] == "GetRole"
               and x["requestParameters"].get("roleName") == "audited-role"]
        self.assertTrue(got and got[0]["readOnly"])
        self.assertTrue(any(x["eventName"] == "ListRoles" and x["readOnly"] for x in trail))


if __name__ == "__main__":
    harness.main()
