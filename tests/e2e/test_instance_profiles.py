"""IAM instance profiles through boto3 and the AWS CLI: Create/Get/Delete/ListInstanceProfiles,
Add/RemoveRoleToInstanceProfile, ListInstanceProfilesForRole, their tags, the one-role quota,
DeleteConflict both ways (a profile holding a role, a role held by a profile), PathPrefix,
pagination and authorization (src/services/iam/instance_profiles.c,
instance_profile_tags.c)."""
import datetime
import json
import urllib.parse

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


class IamInstanceProfiles(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def role(self, name, **kw):
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST),
                                    **kw)["Role"]

    def assert_error(self, e, code, status, message):
        self.assertEqual(self.error_code(e.exception), code)
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        self.assertEqual(e.exception.response["Error"]["Message"], message)

    def test_create_get_delete(self):
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        p = self.iam.create_instance_profile(InstanceProfileName="web", Path="/app/",
                                             Tags=[{"Key": "team", "Value": "a"}])
        p = p["InstanceProfile"]
        self.assertEqual(p["InstanceProfileName"], "web")
        self.assertEqual(p["Path"], "/app/")
        self.assertEqual(p["Arn"], f"arn:aws:iam::{ACCT}:instance-profile/app/web")
        self.assertRegex(p["InstanceProfileId"], r"^AIPA[A-Z2-7]{17}$")
        self.assertEqual(p["Roles"], [])
        self.assertEqual(p["Tags"], [{"Key": "team", "Value": "a"}])
        self.assertGreaterEqual(p["CreateDate"], before)
        got = self.iam.get_instance_profile(InstanceProfileName="WEB")["InstanceProfile"]
        self.assertEqual(got["InstanceProfileId"], p["InstanceProfileId"])
        self.assertEqual(got["Arn"], p["Arn"])
        self.assertEqual(got["Roles"], [])
        self.assertEqual(got["CreateDate"], p["CreateDate"])
        with self.assertRaises(ClientError) as e:
            self.iam.create_instance_profile(InstanceProfileName="Web")
        self.assert_error(e, "EntityAlreadyExists", 409, "Instance Profile Web already exists.")
        self.iam.delete_instance_profile(InstanceProfileName="web")
        with self.assertRaises(ClientError) as e:
            self.iam.get_instance_profile(InstanceProfileName="web")
        self.assert_error(e, "NoSuchEntity", 404, "Instance Profile web cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_instance_profile(InstanceProfileName="web")
        self.assert_error(e, "NoSuchEntity", 404, "Instance Profile web cannot be found.")

    def test_roles_in_a_profile(self):
        r = self.role("ip-role", Path="/svc/")
        self.iam.create_instance_profile(InstanceProfileName="ip-one")
        self.iam.add_role_to_instance_profile(InstanceProfileName="ip-one", RoleName="ip-role")
        roles = self.iam.get_instance_profile(InstanceProfileName="ip-one")[
            "InstanceProfile"]["Roles"]
        self.assertEqual(len(roles), 1)
        self.assertEqual(roles[0]["RoleName"], "ip-role")
        self.assertEqual(roles[0]["RoleId"], r["RoleId"])
        self.assertEqual(roles[0]["Arn"], r["Arn"])
        self.assertEqual(roles[0]["Path"], "/svc/")
        # URL-encoded as GetRole returns it; boto3 hands it back decoded
        self.assertEqual(roles[0]["AssumeRolePolicyDocument"], TRUST)
        # raw Query response: the document URL-encoded
        raw = self.server.client("iam")
        raw.meta.events.register("before-parse.iam.GetInstanceProfile",
                                 lambda response_dict, **_: setattr(
                                     self, "raw_body", response_dict["body"]))
        raw.get_instance_profile(InstanceProfileName="ip-one")
        self.assertIn(b"<AssumeRolePolicyDocument>", self.raw_body)
        doc = self.raw_body.split(b"<AssumeRolePolicyDocument>")[1].split(b"<")[0]
        self.assertEqual(json.loads(urllib.parse.unquote(doc.decode())), TRUST)
        self.assertNotIn(b"{", doc)
        # one role per profile
        self.role("ip-role-2")
        with self.assertRaises(ClientError) as e:
            self.iam.add_role_to_instance_profile(InstanceProfileName="ip-one",
                                                  RoleName="ip-role-2")
        self.assert_error(e, "LimitExceeded", 409,
                          "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
        # DeleteConflict both ways
        with self.assertRaises(ClientError) as e:
            self.iam.delete_instance_profile(InstanceProfileName="ip-one")
        self.assert_error(e, "DeleteConflict", 409,
                          "Cannot delete entity, must remove roles from instance profile first.")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_role(RoleName="ip-role")
        self.assert_error(e, "DeleteConflict", 409,
                          "Cannot delete entity, must remove roles from instance profile first.")
        # a role in two profiles, listed for the role
        self.iam.create_instance_profile(InstanceProfileName="ip-two", Path="/x/")
        self.iam.add_role_to_instance_profile(InstanceProfileName="ip-two", RoleName="IP-ROLE")
        listed = self.iam.list_instance_profiles_for_role(RoleName="ip-role")
        self.assertFalse(listed["IsTruncated"])
        self.assertEqual([p["InstanceProfileName"] for p in listed["InstanceProfiles"]],
                         ["ip-one", "ip-two"])
        self.assertEqual([p["Roles"][0]["RoleId"] for p in listed["InstanceProfiles"]],
                         [r["RoleId"]] * 2)
        self.assertEqual(self.iam.list_instance_profiles_for_role(
            RoleName="ip-role-2")["InstanceProfiles"], [])
        # removal errors
        with self.assertRaises(ClientError) as e:
            self.iam.remove_role_from_instance_profile(InstanceProfileName="ip-one",
                                                       RoleName="ip-role-2")
        self.assert_error(e, "NoSuchEntity", 404, "The role with name ip-role-2 cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.remove_role_from_instance_profile(InstanceProfileName="ip-one",
                                                       RoleName="nope")
        self.assert_error(e, "NoSuchEntity", 404, "The role with name nope cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.add_role_to_instance_profile(InstanceProfileName="ip-none",
                                                  RoleName="ip-role")
        self.assert_error(e, "NoSuchEntity", 404, "Instance Profile ip-none cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.add_role_to_instance_profile(InstanceProfileName="ip-one", RoleName="nope")
        self.assert_error(e, "NoSuchEntity", 404, "The role with name nope cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.list_instance_profiles_for_role(RoleName="nope")
        self.assert_error(e, "NoSuchEntity", 404, "The role with name nope cannot be found.")
        # removed from both: the role and the profiles can go
        self.iam.remove_role_from_instance_profile(InstanceProfileName="ip-one",
                                                   RoleName="ip-role")
        self.assertEqual(self.iam.get_instance_profile(InstanceProfileName="ip-one")[
            "InstanceProfile"]["Roles"], [])
        self.assertEqual([p["InstanceProfileName"] for p in
                          self.iam.list_instance_profiles_for_role(
                              RoleName="ip-role")["InstanceProfiles"]], ["ip-two"])
        self.iam.remove_role_from_instance_profile(InstanceProfileName="ip-two",
                                                   RoleName="ip-role")
        self.iam.delete_role(RoleName="ip-role")
        self.iam.delete_instance_profile(InstanceProfileName="ip-one")
        self.iam.delete_instance_profile(InstanceProfileName="ip-two")

    def test_list_path_prefix_and_pagination(self):
        for i in range(5):
            self.iam.create_instance_profile(InstanceProfileName=f"pg-{i}", Path="/pg/")
        self.iam.create_instance_profile(InstanceProfileName="pg-other", Path="/other/")
        page = self.iam.list_instance_profiles(PathPrefix="/pg/", MaxItems=2)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual([p["InstanceProfileName"] for p in page["InstanceProfiles"]],
                         ["pg-0", "pg-1"])
        self.assertNotIn("pg-1", page["Marker"])
        names = []
        for p in self.iam.get_paginator("list_instance_profiles").paginate(
                PathPrefix="/pg/", PaginationConfig={"PageSize": 2}):
            names += [x["InstanceProfileName"] for x in p["InstanceProfiles"]]
        self.assertEqual(names, [f"pg-{i}" for i in range(5)])
        every = self.iam.list_instance_profiles()["InstanceProfiles"]
        self.assertIn("pg-other", [p["InstanceProfileName"] for p in every])
        listed = [p for p in every if p["InstanceProfileName"] == "pg-0"][0]
        self.assertEqual(listed["Roles"], [])
        self.assertEqual(listed["Arn"], f"arn:aws:iam::{ACCT}:instance-profile/pg/pg-0")
        with self.assertRaises(ClientError) as e:
            self.iam.list_instance_profiles(Marker="bogus")
        self.assertEqual(self.error_code(e.exception), "ValidationError")
        # a role's profiles, paginated
        self.role("pg-role")
        for i in range(3):
            self.iam.add_role_to_instance_profile(InstanceProfileName=f"pg-{i}",
                                                  RoleName="pg-role")
        names = []
        for p in self.iam.get_paginator("list_instance_profiles_for_role").paginate(
                RoleName="pg-role", PaginationConfig={"PageSize": 2}):
            names += [x["InstanceProfileName"] for x in p["InstanceProfiles"]]
        self.assertEqual(names, ["pg-0", "pg-1", "pg-2"])
        first = self.iam.list_instance_profiles_for_role(RoleName="pg-role", MaxItems=1)
        self.assertTrue(first["IsTruncated"])
        rest = self.iam.list_instance_profiles_for_role(RoleName="pg-role",
                                                        Marker=first["Marker"])
        self.assertEqual([p["InstanceProfileName"] for p in rest["InstanceProfiles"]],
                         ["pg-1", "pg-2"])

    def test_tags(self):
        self.iam.create_instance_profile(InstanceProfileName="tagged")
        self.iam.tag_instance_profile(InstanceProfileName="tagged", Tags=[
            {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}, {"Key": "c", "Value": "3"}])
        self.iam.untag_instance_profile(InstanceProfileName="tagged", TagKeys=["b"])
        tags = self.iam.list_instance_profile_tags(InstanceProfileName="tagged")
        self.assertEqual(tags["Tags"], [{"Key": "a", "Value": "1"}, {"Key": "c", "Value": "3"}])
        self.assertFalse(tags["IsTruncated"])
        page = self.iam.list_instance_profile_tags(InstanceProfileName="tagged", MaxItems=1)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual(page["Tags"], [{"Key": "a", "Value": "1"}])
        self.assertEqual(self.iam.get_instance_profile(InstanceProfileName="tagged")[
            "InstanceProfile"]["Tags"], [{"Key": "a", "Value": "1"}, {"Key": "c", "Value": "3"}])
        with self.assertRaises(ClientError) as e:
            self.iam.tag_instance_profile(InstanceProfileName="untagged-none",
                                          Tags=[{"Key": "a", "Value": "1"}])
        self.assert_error(e, "NoSuchEntity", 404, "Instance Profile untagged-none cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.tag_instance_profile(InstanceProfileName="tagged", Tags=[
                {"Key": f"k{i}", "Value": "v"} for i in range(49)])
        self.assertEqual(self.error_code(e.exception), "LimitExceeded")

    def test_cli(self):
        _, out, _ = self.server.cli("iam", "create-instance-profile", "--instance-profile-name",
                                    "cli-prof")
        self.assertEqual(out["InstanceProfile"]["Arn"],
                         f"arn:aws:iam::{ACCT}:instance-profile/cli-prof")
        self.role("cli-role")
        self.server.cli("iam", "add-role-to-instance-profile", "--instance-profile-name",
                        "cli-prof", "--role-name", "cli-role")
        _, out, _ = self.server.cli("iam", "get-instance-profile", "--instance-profile-name",
                                    "cli-prof")
        self.assertEqual(out["InstanceProfile"]["Roles"][0]["AssumeRolePolicyDocument"], TRUST)
        _, out, _ = self.server.cli("iam", "list-instance-profiles-for-role", "--role-name",
                                    "cli-role")
        self.assertEqual([p["InstanceProfileName"] for p in out["InstanceProfiles"]],
                         ["cli-prof"])
        rc, _, err = self.server.cli("iam", "delete-role", "--role-name", "cli-role", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("DeleteConflict", err)
        self.server.cli("iam", "remove-role-from-instance-profile", "--instance-profile-name",
                        "cli-prof", "--role-name", "cli-role")
        self.server.cli("iam", "tag-instance-profile", "--instance-profile-name", "cli-prof",
                        "--tags", "Key=k,Value=v")
        _, out, _ = self.server.cli("iam", "list-instance-profile-tags",
                                    "--instance-profile-name", "cli-prof")
        self.assertEqual(out["Tags"], [{"Key": "k", "Value": "v"}])
        self.server.cli("iam", "untag-instance-profile", "--instance-profile-name", "cli-prof",
                        "--tag-keys", "k")
        _, out, _ = self.server.cli("iam", "list-instance-profiles")
        self.assertIn("cli-prof", [p["InstanceProfileName"] for p in out["InstanceProfiles"]])
        self.server.cli("iam", "delete-instance-profile", "--instance-profile-name", "cli-prof")
        rc, _, err = self.server.cli("iam", "get-instance-profile", "--instance-profile-name",
                                     "cli-prof", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchEntity", err)

    def test_authorization(self):
        prof = self.iam.create_instance_profile(InstanceProfileName="guarded-ip",
                                                Path="/g/")["InstanceProfile"]
        user, key, secret = self.server.user("no-ip-rights")
        iam = self.server.client("iam", key=key, secret=secret)
        for call, action, resource in (
                (lambda: iam.get_instance_profile(InstanceProfileName="guarded-ip"),
                 "iam:GetInstanceProfile", prof["Arn"]),
                (lambda: iam.delete_instance_profile(InstanceProfileName="guarded-ip"),
                 "iam:DeleteInstanceProfile", prof["Arn"]),
                (lambda: iam.tag_instance_profile(InstanceProfileName="guarded-ip",
                                                  Tags=[{"Key": "a", "Value": "b"}]),
                 "iam:TagInstanceProfile", prof["Arn"]),
                (lambda: iam.create_instance_profile(InstanceProfileName="new-ip"),
                 "iam:CreateInstanceProfile", f"arn:aws:iam::{ACCT}:instance-profile/new-ip"),
                (lambda: iam.list_instance_profiles(PathPrefix="/g/"),
                 "iam:ListInstanceProfiles", f"arn:aws:iam::{ACCT}:instance-profile/g/")):
            with self.assertRaises(ClientError) as e:
                call()
            self.assert_error(e, "AccessDenied", 403,
                              f"User: {user} is not authorized to perform: {action} on "
                              f"resource: {resource} because no identity-based policy allows "
                              f"the {action} action")
        self.iam.put_user_policy(UserName="no-ip-rights", PolicyName="one", PolicyDocument=
                                 json.dumps({"Version": "2012-10-17", "Statement": [{
                                     "Effect": "Allow", "Action": "iam:GetInstanceProfile",
                                     "Resource": prof["Arn"]}]}))
        self.assertEqual(iam.get_instance_profile(InstanceProfileName="guarded-ip")[
            "InstanceProfile"]["Arn"], prof["Arn"])

    def test_adding_a_role_needs_pass_role(self):
        """AddRoleToInstanceProfile needs iam:PassRole on the role besides the action on the
        profile; each denial names its own resource."""
        prof = self.iam.create_instance_profile(InstanceProfileName="pass-ip")["InstanceProfile"]
        role = self.role("pass-role", Path="/p/")
        user, key, secret = self.server.user("passer", {
            "Effect": "Allow", "Action": "iam:AddRoleToInstanceProfile", "Resource": prof["Arn"]})
        iam = self.server.client("iam", key=key, secret=secret)
        with self.assertRaises(ClientError) as e:
            iam.add_role_to_instance_profile(InstanceProfileName="pass-ip", RoleName="pass-role")
        self.assert_error(e, "AccessDenied", 403,
                          f"User: {user} is not authorized to perform: iam:PassRole on "
                          f"resource: {role['Arn']} because no identity-based policy allows "
                          f"the iam:PassRole action")
        self.iam.put_user_policy(UserName="passer", PolicyName="pass", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role["Arn"]}]}))
        # PassRole alone does not grant the action on another profile
        self.iam.create_instance_profile(InstanceProfileName="other-ip")
        with self.assertRaises(ClientError) as e:
            iam.add_role_to_instance_profile(InstanceProfileName="other-ip", RoleName="pass-role")
        self.assertEqual(self.error_code(e.exception), "AccessDenied")
        self.assertIn("iam:AddRoleToInstanceProfile", e.exception.response["Error"]["Message"])
        iam.add_role_to_instance_profile(InstanceProfileName="pass-ip", RoleName="pass-role")
        got = self.iam.get_instance_profile(InstanceProfileName="pass-ip")["InstanceProfile"]
        self.assertEqual([r["RoleName"] for r in got["Roles"]], ["pass-role"])

    def test_audit_records(self):
        p = self.iam.create_instance_profile(InstanceProfileName="audited-ip",
                                             Path="/a/")["InstanceProfile"]
        self.iam.get_instance_profile(InstanceProfileName="audited-ip")
        with self.assertRaises(ClientError):
            self.iam.create_instance_profile(InstanceProfileName="AUDITED-IP")
        trail = self.server.audit_records()
        created = [x for x in trail if x["eventName"] == "CreateInstanceProfile"
                   and x["requestParameters"].get("instanceProfileName") == "audited-ip"]
        self.assertEqual(len(created), 1)
        rec = created[0]
        self.assertEqual(rec["eventSource"], "iam.amazonaws.com")
        self.assertFalse(rec["readOnly"])
        self.assertEqual(rec["requestParameters"]["path"], "/a/")
        self.assertEqual(rec["responseElements"]["instanceProfile"]["instanceProfileId"],
                         p["InstanceProfileId"])
        dup = [x for x in trail if x["eventName"] == "CreateInstanceProfile"
               and x["requestParameters"].get("instanceProfileName") == "AUDITED-IP"]
        self.assertEqual(dup[0]["errorCode"], "EntityAlreadyExists")
        got = [x for x in trail if x["eventName"] == "GetInstanceProfile"
               and x["requestParameters"].get("instanceProfileName") == "audited-ip"]
        self.assertTrue(got and got[0]["readOnly"])


if __name__ == "__main__":
    harness.main()
