"""Pagination of every list operation (src/services/page.c, driven by botocore's
paginators-1.json): boto3's own paginator over more items than one page, with a small
MaxItems/Limit. Each test checks that the pages put together are the full list in order,
that the marker is opaque (it does not spell the last key), that a tampered or foreign
marker is refused with AWS's error, and the IsTruncated/Truncated flags."""
import base64

from botocore.exceptions import ClientError

import harness
import test_mfa  # RFC 6238 codes from an MFA device's seed


def tamper(marker):
    """The same marker with one payload byte changed, still valid base64url."""
    pad = "=" * (-len(marker) % 4)
    raw = bytearray(base64.urlsafe_b64decode(marker + pad))
    raw[-1] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


class Paging(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")
        self.kms = self.server.client("kms")

    def pages(self, client, op, limit_key, full_key, size, **params):
        """Walk op by hand and with boto3's paginator; returns the items in order."""
        proto = client.meta.service_model.operation_model(
            client.meta.method_to_api_mapping[op]).metadata["protocol"]
        more, token_out = ("Truncated", "NextMarker") if proto == "json" else (
            "IsTruncated", "Marker")
        method = getattr(client, op)
        items, marker, flags, markers = [], None, [], []
        while True:
            args = dict(params, **{limit_key: size})
            if marker:
                args["Marker"] = marker
            r = method(**args)
            self.assertLessEqual(len(r[full_key]), size)
            items += r[full_key]
            flags.append(r[more])
            if not r[more]:
                self.assertNotIn(token_out, r)
                break
            marker = r[token_out]
            markers.append(marker)
        self.assertTrue(all(flags[:-1]) and not flags[-1], flags)
        paged = []
        for page in client.get_paginator(op).paginate(
                PaginationConfig={"PageSize": size}, **params):
            paged += page[full_key]
        self.assertEqual(paged, items)
        return items, markers

    def check_marker(self, client, op, markers, code, **params):
        """Markers are opaque and refuse tampering (and their use by another operation)."""
        self.assertTrue(markers, "the list did not span pages")
        for m in markers:
            self.assertRegex(m, r"^[A-Za-z0-9_-]+$")
        method = getattr(client, op)
        for bad in (tamper(markers[0]), "not-a-marker", markers[0][:-2]):
            with self.assertRaises(ClientError) as cm:
                method(Marker=bad, **params)
            self.assertEqual(self.error_code(cm.exception), code, bad)

    # --- IAM ---------------------------------------------------------------------------

    def test_list_users(self):
        names = [f"pu{i:02d}" for i in range(7)]
        for n in names:
            self.iam.create_user(UserName=n, Path="/paging/")
        self.iam.create_user(UserName="pu03x", Path="/other/")
        items, markers = self.pages(self.iam, "list_users", "MaxItems", "Users", 3,
                                    PathPrefix="/paging/")
        self.assertEqual([u["UserName"] for u in items], names)
        for m in markers:
            self.assertNotIn("pu0", m)
        self.check_marker(self.iam, "list_users", markers, "ValidationError")
        # a ListUsers marker means nothing to ListGroups
        with self.assertRaises(ClientError) as cm:
            self.iam.list_groups(Marker=markers[0])
        self.assertEqual(self.error_code(cm.exception), "ValidationError")
        # exactly one page: not truncated
        r = self.iam.list_users(PathPrefix="/paging/", MaxItems=7)
        self.assertEqual(len(r["Users"]), 7)
        self.assertFalse(r["IsTruncated"])

    def test_list_groups(self):
        names = [f"pg{i:02d}" for i in range(5)]
        for n in names:
            self.iam.create_group(GroupName=n, Path="/paging/")
        items, markers = self.pages(self.iam, "list_groups", "MaxItems", "Groups", 2,
                                    PathPrefix="/paging/")
        self.assertEqual([g["GroupName"] for g in items], names)
        self.check_marker(self.iam, "list_groups", markers, "ValidationError")

    def test_list_access_keys(self):
        self.iam.create_user(UserName="pkeys")
        ids = sorted(self.iam.create_access_key(UserName="pkeys")["AccessKey"]["AccessKeyId"]
                     for _ in range(2))
        items, markers = self.pages(self.iam, "list_access_keys", "MaxItems",
                                    "AccessKeyMetadata", 1, UserName="pkeys")
        self.assertEqual([k["AccessKeyId"] for k in items], ids)
        self.assertTrue(all(k["UserName"] == "pkeys" for k in items))
        for m in markers:
            self.assertNotIn(ids[0], m)
        self.check_marker(self.iam, "list_access_keys", markers, "ValidationError",
                          UserName="pkeys")

    def test_list_user_policies(self):
        self.iam.create_user(UserName="ppol")
        doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",' \
              '"Resource":"*"}]}'
        names = [f"inline{i}" for i in range(5)]
        for n in names:
            self.iam.put_user_policy(UserName="ppol", PolicyName=n, PolicyDocument=doc)
        items, markers = self.pages(self.iam, "list_user_policies", "MaxItems", "PolicyNames",
                                    2, UserName="ppol")
        self.assertEqual(items, names)
        self.check_marker(self.iam, "list_user_policies", markers, "ValidationError",
                          UserName="ppol")

    def test_list_user_tags(self):
        # AWS allows 50 tags a user; all of them, a page of 7 at a time
        tags = [{"Key": f"k{i:02d}", "Value": f"v{i}"} for i in range(50)]
        self.iam.create_user(UserName="ptags")
        self.iam.tag_user(UserName="ptags", Tags=tags[:25])
        self.iam.tag_user(UserName="ptags", Tags=tags[25:])
        items, markers = self.pages(self.iam, "list_user_tags", "MaxItems", "Tags", 7,
                                    UserName="ptags")
        self.assertEqual(items, tags)
        self.assertEqual(len(markers), 7)
        self.check_marker(self.iam, "list_user_tags", markers, "ValidationError",
                          UserName="ptags")
        r = self.iam.list_user_tags(UserName="ptags")
        self.assertEqual(len(r["Tags"]), 50)
        self.assertFalse(r["IsTruncated"])

    def test_get_group_members_page(self):
        # GetGroup pages its Users (in user-name order); its markers are opaque and checked
        self.iam.create_group(GroupName="pgmembers")
        r = self.iam.get_group(GroupName="pgmembers", MaxItems=1)
        self.assertEqual((r["Users"], r["IsTruncated"]), ([], False))
        self.assertNotIn("Marker", r)
        names = [f"pgm{i}" for i in range(5)]
        for n in names:
            self.iam.create_user(UserName=n, Path="/pgm/")
            self.iam.add_user_to_group(GroupName="pgmembers", UserName=n)
        items, markers = self.pages(self.iam, "get_group", "MaxItems", "Users", 2,
                                    GroupName="pgmembers")
        self.assertEqual([u["UserName"] for u in items], names)
        for m in markers:
            self.assertNotIn("pgm", m)
        self.check_marker(self.iam, "get_group", markers, "ValidationError",
                          GroupName="pgmembers")
        # a marker of another operation is refused too
        users = self.pages(self.iam, "list_users", "MaxItems", "Users", 1, PathPrefix="/pgm/")[1]
        with self.assertRaises(ClientError) as cm:
            self.iam.get_group(GroupName="pgmembers", Marker=users[0])
        self.assertEqual(self.error_code(cm.exception), "ValidationError")

    def test_list_groups_for_user(self):
        self.iam.create_user(UserName="pgfu")
        names = [f"pgfu-group{i}" for i in range(5)]
        for n in names:
            self.iam.create_group(GroupName=n)
            self.iam.add_user_to_group(GroupName=n, UserName="pgfu")
        items, markers = self.pages(self.iam, "list_groups_for_user", "MaxItems", "Groups", 2,
                                    UserName="pgfu")
        self.assertEqual([g["GroupName"] for g in items], names)
        self.check_marker(self.iam, "list_groups_for_user", markers, "ValidationError",
                          UserName="pgfu")

    def test_list_group_policies_and_attached(self):
        self.iam.create_group(GroupName="pgpol")
        names = [f"ginline{i}" for i in range(5)]
        for n in names:
            self.iam.put_group_policy(GroupName="pgpol", PolicyName=n, PolicyDocument=self.POLICY)
        items, markers = self.pages(self.iam, "list_group_policies", "MaxItems", "PolicyNames",
                                    2, GroupName="pgpol")
        self.assertEqual(items, names)
        self.check_marker(self.iam, "list_group_policies", markers, "ValidationError",
                          GroupName="pgpol")
        arns = [self.iam.create_policy(PolicyName=f"pgatt{i}", PolicyDocument=self.POLICY)
                ["Policy"]["Arn"] for i in range(4)]
        for a in reversed(arns):
            self.iam.attach_group_policy(GroupName="pgpol", PolicyArn=a)
        items, markers = self.pages(self.iam, "list_attached_group_policies", "MaxItems",
                                    "AttachedPolicies", 3, GroupName="pgpol")
        self.assertEqual([x["PolicyArn"] for x in items], list(reversed(arns)))
        self.check_marker(self.iam, "list_attached_group_policies", markers, "ValidationError",
                          GroupName="pgpol")

    POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",' \
             '"Resource":"*"}]}'

    def test_list_policies(self):
        names = [f"ppolicy{i}" for i in range(5)]
        arns = [self.iam.create_policy(PolicyName=n, Path="/paging/",
                                       PolicyDocument=self.POLICY)["Policy"]["Arn"]
                for n in names]
        self.iam.create_policy(PolicyName="elsewhere", Path="/other/", PolicyDocument=self.POLICY)
        items, markers = self.pages(self.iam, "list_policies", "MaxItems", "Policies", 2,
                                    PathPrefix="/paging/")
        self.assertEqual(sorted(p["Arn"] for p in items), sorted(arns))
        self.assertEqual(len(items), 5)
        for m in markers:
            self.assertFalse(any(p["PolicyId"] in m or p["PolicyName"] in m for p in items))
        self.check_marker(self.iam, "list_policies", markers, "ValidationError",
                          PathPrefix="/paging/")

    def test_list_attached_user_policies(self):
        self.iam.create_user(UserName="pattach")
        arns = [self.iam.create_policy(PolicyName=f"pattach{i}", Path="/att/",
                                       PolicyDocument=self.POLICY)["Policy"]["Arn"]
                for i in range(5)]
        for a in arns:
            self.iam.attach_user_policy(UserName="pattach", PolicyArn=a)
        items, markers = self.pages(self.iam, "list_attached_user_policies", "MaxItems",
                                    "AttachedPolicies", 2, UserName="pattach")
        self.assertEqual([p["PolicyArn"] for p in items], arns)
        self.check_marker(self.iam, "list_attached_user_policies", markers, "ValidationError",
                          UserName="pattach")
        # the path filter applies before the page is cut
        r = self.iam.list_attached_user_policies(UserName="pattach", PathPrefix="/none/",
                                                 MaxItems=1)
        self.assertEqual((r["AttachedPolicies"], r["IsTruncated"]), ([], False))

    # roles (test_roles.py has the rest)
    TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",' \
            '"Principal":{"Service":"ec2.amazonaws.com"}}]}'

    def test_list_roles(self):
        names = [f"prole{i:02d}" for i in range(5)]
        for n in names:
            self.iam.create_role(RoleName=n, Path="/paging-roles/",
                                 AssumeRolePolicyDocument=self.TRUST)
        items, markers = self.pages(self.iam, "list_roles", "MaxItems", "Roles", 2,
                                    PathPrefix="/paging-roles/")
        self.assertEqual([r["RoleName"] for r in items], names)
        self.check_marker(self.iam, "list_roles", markers, "ValidationError")

    def test_role_lists(self):
        self.iam.create_role(RoleName="prlists", AssumeRolePolicyDocument=self.TRUST)
        names = [f"inline{i}" for i in range(5)]
        for n in names:
            self.iam.put_role_policy(RoleName="prlists", PolicyName=n, PolicyDocument=self.POLICY)
        items, markers = self.pages(self.iam, "list_role_policies", "MaxItems", "PolicyNames",
                                    2, RoleName="prlists")
        self.assertEqual(items, names)
        self.check_marker(self.iam, "list_role_policies", markers, "ValidationError",
                          RoleName="prlists")
        tags = [{"Key": f"k{i:02d}", "Value": f"v{i}"} for i in range(50)]
        self.iam.tag_role(RoleName="prlists", Tags=tags)
        items, markers = self.pages(self.iam, "list_role_tags", "MaxItems", "Tags", 7,
                                    RoleName="prlists")
        self.assertEqual(items, tags)
        self.check_marker(self.iam, "list_role_tags", markers, "ValidationError",
                          RoleName="prlists")
        arns = [self.iam.create_policy(PolicyName=f"prattach{i}", PolicyDocument=self.POLICY)[
            "Policy"]["Arn"] for i in range(5)]
        for a in arns:
            self.iam.attach_role_policy(RoleName="prlists", PolicyArn=a)
        items, markers = self.pages(self.iam, "list_attached_role_policies", "MaxItems",
                                    "AttachedPolicies", 2, RoleName="prlists")
        self.assertEqual([p["PolicyArn"] for p in items], arns)
        self.check_marker(self.iam, "list_attached_role_policies", markers, "ValidationError",
                          RoleName="prlists")

    def test_instance_profile_lists(self):
        names = [f"pprof{i:02d}" for i in range(5)]
        self.iam.create_role(RoleName="pprof-role", AssumeRolePolicyDocument=self.TRUST)
        for n in names:
            self.iam.create_instance_profile(InstanceProfileName=n, Path="/paging-profiles/")
            self.iam.add_role_to_instance_profile(InstanceProfileName=n, RoleName="pprof-role")
        items, markers = self.pages(self.iam, "list_instance_profiles", "MaxItems",
                                    "InstanceProfiles", 2, PathPrefix="/paging-profiles/")
        self.assertEqual([p["InstanceProfileName"] for p in items], names)
        self.check_marker(self.iam, "list_instance_profiles", markers, "ValidationError")
        items, markers = self.pages(self.iam, "list_instance_profiles_for_role", "MaxItems",
                                    "InstanceProfiles", 2, RoleName="pprof-role")
        self.assertEqual([p["InstanceProfileName"] for p in items], names)
        self.check_marker(self.iam, "list_instance_profiles_for_role", markers,
                          "ValidationError", RoleName="pprof-role")
        tags = [{"Key": f"k{i:02d}", "Value": f"v{i}"} for i in range(12)]
        self.iam.tag_instance_profile(InstanceProfileName="pprof00", Tags=tags)
        items, markers = self.pages(self.iam, "list_instance_profile_tags", "MaxItems", "Tags",
                                    5, InstanceProfileName="pprof00")
        self.assertEqual(items, tags)
        self.check_marker(self.iam, "list_instance_profile_tags", markers, "ValidationError",
                          InstanceProfileName="pprof00")

    def test_simulate_custom_policy(self):
        actions = [f"s3:Get{n}" for n in ("Object", "Bucket", "Acl", "Tagging", "Policy")]
        actions += ["iam:GetUser", "iam:ListUsers"]
        params = {"PolicyInputList": [self.POLICY], "ActionNames": actions}
        items, markers = self.pages(self.iam, "simulate_custom_policy", "MaxItems",
                                    "EvaluationResults", 3, **params)
        self.assertEqual([r["EvalActionName"] for r in items], actions)
        self.assertEqual([r["EvalDecision"] for r in items],
                         ["allowed"] * 5 + ["implicitDeny"] * 2)
        self.check_marker(self.iam, "simulate_custom_policy", markers, "ValidationError",
                          **params)

    def test_simulate_principal_policy(self):
        arn = self.iam.create_user(UserName="psim")["User"]["Arn"]
        self.iam.put_user_policy(UserName="psim", PolicyName="s3", PolicyDocument=self.POLICY)
        actions = ["iam:GetUser", "s3:GetObject", "s3:PutObject", "kms:Encrypt"]
        params = {"PolicySourceArn": arn, "ActionNames": actions}
        items, markers = self.pages(self.iam, "simulate_principal_policy", "MaxItems",
                                    "EvaluationResults", 1, **params)
        self.assertEqual([(r["EvalActionName"], r["EvalDecision"]) for r in items],
                         [("iam:GetUser", "implicitDeny"), ("s3:GetObject", "allowed"),
                          ("s3:PutObject", "allowed"), ("kms:Encrypt", "implicitDeny")])
        self.assertEqual(len(markers), 3)
        self.check_marker(self.iam, "simulate_principal_policy", markers, "ValidationError",
                          **params)

    def test_mfa_device_lists(self):
        self.iam.create_user(UserName="pmfa-user")
        devices = [self.iam.create_virtual_mfa_device(
            VirtualMFADeviceName=f"pmfa{i:02d}")["VirtualMFADevice"] for i in range(5)]
        for d in devices:
            first = test_mfa.now_step() - 1
            self.iam.enable_mfa_device(
                UserName="pmfa-user", SerialNumber=d["SerialNumber"],
                AuthenticationCode1=test_mfa.code(d["Base32StringSeed"], first),
                AuthenticationCode2=test_mfa.code(d["Base32StringSeed"], first + 1))
        serials = [d["SerialNumber"] for d in devices]
        items, markers = self.pages(self.iam, "list_mfa_devices", "MaxItems", "MFADevices", 2,
                                    UserName="pmfa-user")
        self.assertEqual([m["SerialNumber"] for m in items], serials)
        self.check_marker(self.iam, "list_mfa_devices", markers, "ValidationError",
                          UserName="pmfa-user")
        items, markers = self.pages(self.iam, "list_virtual_mfa_devices", "MaxItems",
                                    "VirtualMFADevices", 2, AssignmentStatus="Assigned")
        self.assertEqual([v["SerialNumber"] for v in items], serials)
        self.check_marker(self.iam, "list_virtual_mfa_devices", markers, "ValidationError",
                          AssignmentStatus="Assigned")
        tags = [{"Key": f"k{i:02d}", "Value": f"v{i}"} for i in range(12)]
        self.iam.tag_mfa_device(SerialNumber=serials[0], Tags=tags)
        items, markers = self.pages(self.iam, "list_mfa_device_tags", "MaxItems", "Tags", 5,
                                    SerialNumber=serials[0])
        self.assertEqual(items, tags)
        self.check_marker(self.iam, "list_mfa_device_tags", markers, "ValidationError",
                          SerialNumber=serials[0])

    # --- KMS ---------------------------------------------------------------------------

    def test_list_keys(self):
        for _ in range(5):
            self.kms.create_key()
        full = self.kms.list_keys(Limit=1000)
        self.assertFalse(full["Truncated"])
        self.assertNotIn("NextMarker", full)
        self.assertGreaterEqual(len(full["Keys"]), 5)
        items, markers = self.pages(self.kms, "list_keys", "Limit", "Keys", 2)
        self.assertEqual(items, full["Keys"])
        for m in markers:
            self.assertFalse(any(k["KeyId"] in m for k in items))
        self.check_marker(self.kms, "list_keys", markers, "InvalidMarkerException")

    def test_list_aliases(self):
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        other = self.kms.create_key()["KeyMetadata"]["KeyId"]
        names = [f"alias/paging-{i}" for i in range(6)]
        for i, n in enumerate(names):
            self.kms.create_alias(AliasName=n, TargetKeyId=key)
            self.kms.create_alias(AliasName=f"{n}-other", TargetKeyId=other)
        items, markers = self.pages(self.kms, "list_aliases", "Limit", "Aliases", 4, KeyId=key)
        self.assertEqual([a["AliasName"] for a in items], names)
        self.check_marker(self.kms, "list_aliases", markers, "InvalidMarkerException", KeyId=key)

    def test_list_grants(self):
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        grantee = f"arn:aws:iam::{harness.ACCOUNT}:root"
        ids = sorted(self.kms.create_grant(KeyId=key, GranteePrincipal=grantee,
                                           Operations=["Encrypt"], Name=f"g{i}")["GrantId"]
                     for i in range(5))
        items, markers = self.pages(self.kms, "list_grants", "Limit", "Grants", 2, KeyId=key)
        self.assertEqual([g["GrantId"] for g in items], ids)
        for m in markers:
            self.assertFalse(any(i in m for i in ids))
        self.check_marker(self.kms, "list_grants", markers, "InvalidMarkerException", KeyId=key)

    def test_list_retirable_grants(self):
        retirer = f"arn:aws:iam::{harness.ACCOUNT}:user/pretirer"
        grantee = f"arn:aws:iam::{harness.ACCOUNT}:root"
        want = []
        for k in range(3):
            key = self.kms.create_key()["KeyMetadata"]["KeyId"]
            for i in range(2):
                g = self.kms.create_grant(KeyId=key, GranteePrincipal=grantee,
                                          RetiringPrincipal=retirer, Operations=["Decrypt"],
                                          Name=f"r{k}{i}")
                want.append((key, g["GrantId"]))
        items, markers = self.pages(self.kms, "list_retirable_grants", "Limit", "Grants", 4,
                                    RetiringPrincipal=retirer)
        got = [(g["KeyId"].rsplit("/", 1)[1], g["GrantId"]) for g in items]
        self.assertEqual(got, sorted(want))
        self.check_marker(self.kms, "list_retirable_grants", markers, "InvalidMarkerException",
                          RetiringPrincipal=retirer)


if __name__ == "__main__":
    harness.main()
