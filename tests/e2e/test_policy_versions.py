"""Managed policy versions and tags: CreatePolicyVersion (SetAsDefault, the 5-version
quota), GetPolicyVersion, ListPolicyVersions (paginated, newest first),
DeletePolicyVersion, SetDefaultPolicyVersion, DeletePolicy with versions left,
Tag/Untag/ListPolicyTags; and a switch of default version changing a real call's outcome
on the next request."""
import json

from botocore.exceptions import ClientError

from harness import ServerTest, main


def doc(action):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


class PolicyVersionsTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")

    def policy(self, name, action="iam:GetUser"):
        return self.iam.create_policy(PolicyName=name, PolicyDocument=doc(action))["Policy"]["Arn"]

    def assert_error(self, cm, code, message=None, status=None):
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        if status is not None:
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status)

    def test_create_get_list_set_default_delete(self):
        arn = self.policy("pv-basic")
        v2 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("iam:ListUsers"))
        self.assertEqual(v2["PolicyVersion"]["VersionId"], "v2")
        self.assertFalse(v2["PolicyVersion"]["IsDefaultVersion"])
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v1")
        v3 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("iam:ListRoles"),
                                            SetAsDefault=True)["PolicyVersion"]
        self.assertEqual((v3["VersionId"], v3["IsDefaultVersion"]), ("v3", True))
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v3")
        got = self.iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
        # boto3 decodes the URL-encoded document into a dict
        self.assertEqual(got["Document"]["Statement"][0]["Action"], "iam:ListUsers")
        self.assertFalse(got["IsDefaultVersion"])
        listed = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        self.assertEqual([(v["VersionId"], v["IsDefaultVersion"]) for v in listed],
                         [("v3", True), ("v2", False), ("v1", False)])
        self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v1")
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
        self.assertEqual([v["VersionId"] for v in
                          self.iam.list_policy_versions(PolicyArn=arn)["Versions"]], ["v2", "v1"])
        # ids are never reused: the next one is v4
        v4 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("iam:GetRole"))
        self.assertEqual(v4["PolicyVersion"]["VersionId"], "v4")

    def test_missing_version_and_default_delete(self):
        arn = self.policy("pv-errors")
        for call in (lambda: self.iam.get_policy_version(PolicyArn=arn, VersionId="v7"),
                     lambda: self.iam.delete_policy_version(PolicyArn=arn, VersionId="v7"),
                     lambda: self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v7")):
            with self.assertRaises(ClientError) as cm:
                call()
            self.assert_error(cm, "NoSuchEntity",
                              f"Policy {arn} version v7 does not exist or is not attachable.", 404)
        with self.assertRaises(ClientError) as cm:
            self.iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
        self.assert_error(cm, "DeleteConflict", "Cannot delete the default version of a policy.",
                          409)
        with self.assertRaises(ClientError) as cm:
            self.iam.create_policy_version(PolicyArn=arn + "-missing", PolicyDocument=doc("s3:*"))
        self.assert_error(cm, "NoSuchEntity", status=404)
        with self.assertRaises(ClientError) as cm:
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument="{not json")
        self.assert_error(cm, "MalformedPolicyDocument", status=400)

    def test_five_versions_at_most(self):
        arn = self.policy("pv-quota")
        for i in range(4):
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(f"iam:Get{i}"))
        with self.assertRaises(ClientError) as cm:
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("iam:Get5"))
        self.assert_error(cm, "LimitExceeded",
                          "A managed policy can have up to 5 versions. Before you create a new "
                          "version, you must delete an existing version.", 409)
        self.assertEqual(len(self.iam.list_policy_versions(PolicyArn=arn)["Versions"]), 5)

    def test_five_full_size_versions_kept(self):
        """The record holds five documents of the managed-policy size quota (6,144
        characters without whitespace), each read back whole; one more character fails."""
        def big(tag, size):
            base = {"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow",
                                                            "Action": "iam:GetUser",
                                                            "Resource": "*"}]}
            pad = size - len(json.dumps(base, separators=(",", ":")))
            base["Statement"][0]["Sid"] = (tag * pad)[:pad]
            return json.dumps(base, separators=(",", ":"))
        arn = self.iam.create_policy(PolicyName="pv-big",
                                     PolicyDocument=big("A", 6144))["Policy"]["Arn"]
        for tag in "BCDE":
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=big(tag, 6144),
                                           SetAsDefault=True)
        for i, tag in enumerate("ABCDE"):
            got = self.iam.get_policy_version(PolicyArn=arn, VersionId=f"v{i + 1}")
            self.assertEqual(got["PolicyVersion"]["Document"], json.loads(big(tag, 6144)))
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
        with self.assertRaises(ClientError) as cm:
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=big("F", 6145))
        self.assert_error(cm, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)

    def test_list_versions_paginated(self):
        arn = self.policy("pv-pages")
        for i in range(3):
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(f"iam:List{i}"))
        first = self.iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
        self.assertTrue(first["IsTruncated"])
        rest = self.iam.list_policy_versions(PolicyArn=arn, MaxItems=2, Marker=first["Marker"])
        self.assertFalse(rest["IsTruncated"])
        self.assertEqual([v["VersionId"] for v in first["Versions"] + rest["Versions"]],
                         ["v4", "v3", "v2", "v1"])
        pages = self.iam.get_paginator("list_policy_versions").paginate(
            PolicyArn=arn, PaginationConfig={"PageSize": 1})
        self.assertEqual([v["VersionId"] for p in pages for v in p["Versions"]],
                         ["v4", "v3", "v2", "v1"])

    def test_delete_policy_with_versions_refused(self):
        arn = self.policy("pv-delete")
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("iam:ListUsers"))
        with self.assertRaises(ClientError) as cm:
            self.iam.delete_policy(PolicyArn=arn)
        self.assert_error(cm, "DeleteConflict",
                          "This policy has more than one version. Before you delete a policy, "
                          "you must delete the policy's non-default versions.", 409)
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
        self.iam.delete_policy(PolicyArn=arn)
        with self.assertRaises(ClientError) as cm:
            self.iam.get_policy(PolicyArn=arn)
        self.assert_error(cm, "NoSuchEntity")

    def test_policy_tags(self):
        arn = self.iam.create_policy(PolicyName="pv-tags", PolicyDocument=doc("iam:GetUser"),
                                     Tags=[{"Key": "a", "Value": "1"}])["Policy"]["Arn"]
        self.iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"},
                                                 {"Key": "a", "Value": "3"}])
        tags = self.iam.list_policy_tags(PolicyArn=arn)
        self.assertEqual(tags["Tags"], [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}])
        self.assertFalse(tags["IsTruncated"])
        page = self.iam.list_policy_tags(PolicyArn=arn, MaxItems=1)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual(page["Tags"], [{"Key": "a", "Value": "3"}])
        self.iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
        self.assertEqual(self.iam.list_policy_tags(PolicyArn=arn)["Tags"],
                         [{"Key": "b", "Value": "2"}])
        with self.assertRaises(ClientError) as cm:
            self.iam.tag_policy(PolicyArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"}
                                                     for i in range(50)])
        self.assert_error(cm, "LimitExceeded", "Cannot exceed quota for TagsPerPolicy: 50", 409)

    def test_version_switch_changes_a_real_call(self):
        """A user with the policy attached: v1 does not allow iam:ListRoles; v2 (default)
        does; back to v1, denied again — each on the next request."""
        arn = self.policy("pv-switch", "iam:GetUser")
        _, key, secret = self.server.user("pv-switch-user")
        self.iam.attach_user_policy(UserName="pv-switch-user", PolicyArn=arn)
        user_iam = self.server.client("iam", key=key, secret=secret)
        with self.assertRaises(ClientError) as cm:
            user_iam.list_roles()
        self.assert_error(cm, "AccessDenied", status=403)
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("iam:ListRoles"),
                                       SetAsDefault=True)
        user_iam.list_roles()
        self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
        with self.assertRaises(ClientError) as cm:
            user_iam.list_roles()
        self.assert_error(cm, "AccessDenied", status=403)

    def test_list_entities_for_policy(self):
        arn = self.policy("pv-entities")
        other = self.policy("pv-entities-other")
        self.iam.create_group(GroupName="pv-ent-g", Path="/team/")
        self.iam.attach_group_policy(GroupName="pv-ent-g", PolicyArn=arn)
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"}]})
        role_id = self.iam.create_role(RoleName="pv-ent-r", AssumeRolePolicyDocument=trust,
                                       PermissionsBoundary=arn)["Role"]["RoleId"]
        user_ids = {}
        for name in ("pv-ent-u1", "pv-ent-u2", "pv-ent-u3"):
            user_ids[name] = self.iam.create_user(UserName=name)["User"]["UserId"]
        self.iam.attach_user_policy(UserName="pv-ent-u1", PolicyArn=arn)
        self.iam.attach_user_policy(UserName="pv-ent-u2", PolicyArn=arn)
        self.iam.attach_user_policy(UserName="pv-ent-u3", PolicyArn=other)
        self.iam.put_user_permissions_boundary(UserName="pv-ent-u3", PermissionsBoundary=arn)
        every = self.iam.list_entities_for_policy(PolicyArn=arn)
        self.assertEqual([g["GroupName"] for g in every["PolicyGroups"]], ["pv-ent-g"])
        self.assertEqual(every["PolicyRoles"], [{"RoleName": "pv-ent-r", "RoleId": role_id}])
        self.assertEqual(every["PolicyUsers"], [{"UserName": n, "UserId": user_ids[n]}
                                                for n in ("pv-ent-u1", "pv-ent-u2", "pv-ent-u3")])
        self.assertFalse(every["IsTruncated"])
        attached = self.iam.list_entities_for_policy(PolicyArn=arn,
                                                     PolicyUsageFilter="PermissionsPolicy")
        self.assertEqual([u["UserName"] for u in attached["PolicyUsers"]],
                         ["pv-ent-u1", "pv-ent-u2"])
        self.assertEqual(attached["PolicyRoles"], [])
        bounds = self.iam.list_entities_for_policy(PolicyArn=arn,
                                                   PolicyUsageFilter="PermissionsBoundary")
        self.assertEqual(([r["RoleName"] for r in bounds["PolicyRoles"]],
                          [u["UserName"] for u in bounds["PolicyUsers"]], bounds["PolicyGroups"]),
                         (["pv-ent-r"], ["pv-ent-u3"], []))
        users = self.iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="User")
        self.assertEqual((users["PolicyGroups"], users["PolicyRoles"], len(users["PolicyUsers"])),
                         ([], [], 3))
        team = self.iam.list_entities_for_policy(PolicyArn=arn, PathPrefix="/team/")
        self.assertEqual(([g["GroupName"] for g in team["PolicyGroups"]], team["PolicyUsers"]),
                         (["pv-ent-g"], []))
        # one page across the three lists: 5 entities, 2 at a time
        seen, marker = [], None
        while True:
            kw = {"Marker": marker} if marker else {}
            page = self.iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2, **kw)
            seen += [g["GroupName"] for g in page["PolicyGroups"]] + \
                [r["RoleName"] for r in page["PolicyRoles"]] + \
                [u["UserName"] for u in page["PolicyUsers"]]
            if not page["IsTruncated"]:
                break
            marker = page["Marker"]
        self.assertEqual(seen, ["pv-ent-g", "pv-ent-r", "pv-ent-u1", "pv-ent-u2", "pv-ent-u3"])
        pages = self.iam.get_paginator("list_entities_for_policy").paginate(
            PolicyArn=arn, PaginationConfig={"PageSize": 1})
        self.assertEqual(sum(len(p["PolicyUsers"]) + len(p["PolicyRoles"]) +
                             len(p["PolicyGroups"]) for p in pages), 5)
        # DeletePolicy is refused while the policy is attached or bounds an entity
        with self.assertRaises(ClientError) as cm:
            self.iam.delete_policy(PolicyArn=arn)
        self.assert_error(cm, "DeleteConflict", "Cannot delete a policy attached to entities.",
                          409)
        with self.assertRaises(ClientError) as cm:
            self.iam.list_entities_for_policy(PolicyArn=arn + "-missing")
        self.assert_error(cm, "NoSuchEntity", status=404)

    def test_cli(self):
        arn = self.policy("pv-cli")
        _, out, _ = self.server.cli("iam", "create-policy-version", "--policy-arn", arn,
                                    "--policy-document", doc("kms:ListKeys"), "--set-as-default")
        self.assertEqual(out["PolicyVersion"]["VersionId"], "v2")
        _, out, _ = self.server.cli("iam", "get-policy-version", "--policy-arn", arn,
                                    "--version-id", "v2")
        self.assertEqual(out["PolicyVersion"]["Document"]["Statement"][0]["Action"], "kms:ListKeys")
        self.assertTrue(out["PolicyVersion"]["IsDefaultVersion"])
        _, out, _ = self.server.cli("iam", "list-policy-versions", "--policy-arn", arn)
        self.assertEqual([v["VersionId"] for v in out["Versions"]], ["v2", "v1"])
        self.server.cli("iam", "set-default-policy-version", "--policy-arn", arn,
                        "--version-id", "v1")
        self.server.cli("iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v2")
        self.server.cli("iam", "tag-policy", "--policy-arn", arn, "--tags", "Key=team,Value=x")
        _, out, _ = self.server.cli("iam", "list-policy-tags", "--policy-arn", arn)
        self.assertEqual(out["Tags"], [{"Key": "team", "Value": "x"}])
        self.server.cli("iam", "untag-policy", "--policy-arn", arn, "--tag-keys", "team")
        self.server.cli("iam", "attach-user-policy", "--user-name",
                        self.iam.create_user(UserName="pv-cli-u")["User"]["UserName"],
                        "--policy-arn", arn)
        _, out, _ = self.server.cli("iam", "list-entities-for-policy", "--policy-arn", arn)
        self.assertEqual([u["UserName"] for u in out["PolicyUsers"]], ["pv-cli-u"])
        rc, _, err = self.server.cli("iam", "delete-policy-version", "--policy-arn", arn,
                                     "--version-id", "v1", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("DeleteConflict", err)


if __name__ == "__main__":
    main()
