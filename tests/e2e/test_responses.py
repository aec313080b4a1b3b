"""Responses are stored records seen through the operation's output shape
(src/services/render.c): exactly the shape's members reach the client and the audit trail's
responseElements — never a member stored only for custos (a managed policy's Document, a
user's AttachedManagedPolicies) — empty optional lists are left out as AWS leaves them out,
and members IAM computes (a policy's IsAttachable, UpdateDate) are there. Checked on the
raw Query XML boto3 receives, so nothing the SDK drops or adds hides a difference."""
import json
import re

import harness

POLICY = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]})


class RenderedResponses(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")
        self.bodies = {}
        self.iam.meta.events.register("before-parse.iam.*", self.grab)

    def grab(self, operation_model, response_dict, **kw):
        self.bodies[operation_model.name] = response_dict["body"].decode()

    def elements(self, op, wrapper):
        """The child element names of <wrapper> in op's last response body, in order."""
        body = self.bodies[op]
        inner = re.search(rf"<{wrapper}>(.*?)</{wrapper}>", body, re.S).group(1)
        names, depth = [], 0
        for close, name in re.findall(r"<(/?)(\w+)>", inner):
            if close:
                depth -= 1
            else:
                if depth == 0:
                    names.append(name)
                depth += 1
        return names

    def test_user_members(self):
        arn = self.iam.create_policy(PolicyName="RespEdge", PolicyDocument=POLICY)["Policy"]["Arn"]
        self.iam.create_user(UserName="resp-plain")
        self.iam.get_user(UserName="resp-plain")
        # no tags, no boundary: neither member, not even empty
        self.assertEqual(self.elements("GetUser", "User"), ["Path", "UserName", "UserId", "Arn", "CreateDate"])
        self.iam.create_user(UserName="resp-full", Path="/r/", PermissionsBoundary=arn,
                             Tags=[{"Key": "k", "Value": "v"}])
        self.iam.attach_user_policy(UserName="resp-full", PolicyArn=arn)
        self.iam.get_user(UserName="resp-full")
        self.assertEqual(self.elements("GetUser", "User"),
                         ["Path", "UserName", "UserId", "Arn", "CreateDate", "PermissionsBoundary", "Tags"])
        self.assertNotIn("AttachedManagedPolicies", self.bodies["GetUser"])
        self.assertRegex(self.bodies["GetUser"],
                         r"<CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</CreateDate>")
        self.assertIn("<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType>"
                      f"<PermissionsBoundaryArn>{arn}</PermissionsBoundaryArn></PermissionsBoundary>",
                      self.bodies["GetUser"])
        self.assertIn("<Tags><member><Key>k</Key><Value>v</Value></member></Tags>", self.bodies["GetUser"])
        self.iam.list_users(PathPrefix="/r/")
        self.assertNotIn("AttachedManagedPolicies", self.bodies["ListUsers"])
        trail = self.server.audit_records()
        created = [r for r in trail if r["eventName"] == "CreateUser"
                   and r["requestParameters"].get("userName") == "resp-full"][0]
        self.assertEqual(sorted(created["responseElements"]["user"]),
                         ["arn", "createDate", "path", "permissionsBoundary", "tags", "userId", "userName"])
        self.iam.detach_user_policy(UserName="resp-full", PolicyArn=arn)

    def test_policy_members(self):
        arn = self.iam.create_policy(PolicyName="RespDoc", Path="/r/", PolicyDocument=POLICY,
                                     Description="d")["Policy"]["Arn"]
        expected = ["PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "AttachmentCount",
                    "PermissionsBoundaryUsageCount", "IsAttachable", "Description", "CreateDate",
                    "UpdateDate"]
        self.assertEqual(self.elements("CreatePolicy", "Policy"), expected)
        self.iam.get_policy(PolicyArn=arn)
        self.assertEqual(self.elements("GetPolicy", "Policy"), expected)
        self.iam.list_policies(PathPrefix="/r/")
        for op in ("CreatePolicy", "GetPolicy", "ListPolicies"):
            # the stored document is no member of the Policy shape
            self.assertNotIn("Document", self.bodies[op])
            self.assertNotIn("s3:Get", self.bodies[op])
        trail = self.server.audit_records()
        created = [r for r in trail if r["eventName"] == "CreatePolicy"
                   and r["requestParameters"].get("policyName") == "RespDoc"][0]
        self.assertNotIn("document", created["responseElements"]["policy"])
        self.assertTrue(created["responseElements"]["policy"]["isAttachable"])
        # GetPolicyVersion is where the document belongs, URL-encoded as IAM sends it
        self.iam.get_policy_version(PolicyArn=arn, VersionId="v1")
        self.assertEqual(self.elements("GetPolicyVersion", "PolicyVersion"),
                         ["Document", "VersionId", "IsDefaultVersion", "CreateDate"])

    def test_group_members(self):
        self.iam.create_group(GroupName="resp-g")
        self.iam.get_group(GroupName="resp-g")
        self.assertEqual(self.elements("GetGroup", "Group"), ["Path", "GroupName", "GroupId", "Arn", "CreateDate"])
        # the group's member list is required: present, and empty
        self.assertIn("<Users></Users>", self.bodies["GetGroup"])


KEY_METADATA = ["AWSAccountId", "KeyId", "Arn", "CreationDate", "Description", "KeyUsage", "KeyState",
                "Origin", "KeyManager", "KeySpec", "Enabled", "CustomerMasterKeySpec",
                "EncryptionAlgorithms", "MultiRegion", "CurrentKeyMaterialId"]


class RenderedKmsResponses(harness.ServerTest):
    """KMS records rendered through KeyMetadata, KeyListEntry, AliasListEntry and
    GrantListEntry (src/services/kms): a key record's Policy, Tags and sealed backing keys,
    a grant's token hashes, never reach a response or the trail; the members KMS computes
    (Enabled, CustomerMasterKeySpec, a grant's KeyId and IssuingAccount) are there. Checked
    on the raw JSON bodies."""

    def setUp(self):
        self.kms = self.server.client("kms")
        self.bodies = {}
        self.kms.meta.events.register("before-parse.kms.*", self.grab)

    def grab(self, operation_model, response_dict, **kw):
        self.bodies[operation_model.name] = json.loads(response_dict["body"].decode() or "{}")

    def test_key_alias_and_grant_members(self):
        key = self.kms.create_key(Description="rendered", Tags=[{"TagKey": "t", "TagValue": "v"}])
        key_id = key["KeyMetadata"]["KeyId"]
        self.assertEqual(list(self.bodies["CreateKey"]["KeyMetadata"]), KEY_METADATA)
        self.kms.describe_key(KeyId=key_id)
        meta = self.bodies["DescribeKey"]["KeyMetadata"]
        self.assertEqual(list(meta), KEY_METADATA)
        self.assertIsInstance(meta["CreationDate"], float)
        self.assertEqual((meta["Enabled"], meta["CustomerMasterKeySpec"], meta["EncryptionAlgorithms"],
                          meta["MultiRegion"]), (True, "SYMMETRIC_DEFAULT", ["SYMMETRIC_DEFAULT"], False))
        self.kms.list_keys()
        entry = next(k for k in self.bodies["ListKeys"]["Keys"] if k["KeyId"] == key_id)
        self.assertEqual(entry, {"KeyId": key_id, "KeyArn": meta["Arn"]})
        self.kms.create_alias(AliasName="alias/rendered", TargetKeyId=key_id)
        self.kms.list_aliases(KeyId=key_id)
        self.assertEqual([list(a) for a in self.bodies["ListAliases"]["Aliases"]],
                         [["AliasName", "AliasArn", "TargetKeyId", "CreationDate", "LastUpdatedDate"]])
        grant = self.kms.create_grant(KeyId=key_id, GranteePrincipal=f"arn:aws:iam::{harness.ACCOUNT}:user/g",
                                      Operations=["Encrypt"], Name="rendered")
        self.kms.list_grants(KeyId=key_id)
        (g,) = self.bodies["ListGrants"]["Grants"]
        self.assertEqual(sorted(g), sorted(["KeyId", "GrantId", "Name", "CreationDate", "GranteePrincipal",
                                            "IssuingAccount", "Operations"]))
        self.assertEqual((g["KeyId"], g["GrantId"], g["IssuingAccount"]),
                         (meta["Arn"], grant["GrantId"], f"arn:aws:iam::{harness.ACCOUNT}:root"))
        self.assertIsInstance(g["CreationDate"], int)  # epoch seconds, as grants are stored
        for body in self.bodies.values():
            text = json.dumps(body)
            for stored_only in ("Backing", "Sealed", "Policy", "TokenHashes", "TagKey"):
                self.assertNotIn(f'"{stored_only}"', text)
        created = [r for r in self.server.audit_records() if r["eventName"] == "CreateKey"][-1]
        self.assertEqual(sorted(created["responseElements"]["keyMetadata"]),
                         sorted(k[0].lower() + k[1:] for k in KEY_METADATA))


if __name__ == "__main__":
    harness.main()
