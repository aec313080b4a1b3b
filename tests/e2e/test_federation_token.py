"""STS GetFederationToken: a federated user's credentials for an IAM user's long-term keys
(Name, Policy, PolicyArns, Tags, DurationSeconds; STS API reference, GetFederationToken),
its ARN arn:aws:sts::<acct>:federated-user/<Name> and id <acct>:<Name>, PackedPolicySize,
permissions the intersection of the user's identity policies and the session policies (none
without a session policy; IAM guide, id_credentials_temp_control-access_getfederationtoken),
IAM and STS other than GetCallerIdentity refused, every error path, the root user's one-hour
cap, the trail's FederatedUser userIdentity with its IAMUser sessionIssuer, and the aws CLI."""
import datetime
import json

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(*actions):
    return {"Effect": "Allow", "Action": list(actions), "Resource": "*"}


FEDERATE = allow("sts:GetFederationToken")


class FederationToken(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.n = 0

    def name(self, what):
        FederationToken.n += 1
        return f"{what}-{FederationToken.n}"

    def user(self, *statements):
        name = self.name("user")
        arn, key, secret = self.server.user(name, *statements)
        return name, arn, key, secret

    def sts(self, key, secret, token=None, **cfg):
        return self.server.client("sts", key=key, secret=secret, token=token, **cfg)

    def as_creds(self, service, c):
        return self.server.client(service, key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                  token=c["SessionToken"])

    def error(self, call):
        with self.assertRaises(ClientError) as e:
            call()
        r = e.exception.response
        return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]

    def test_identity_and_response(self):
        name, arn, key, secret = self.user(FEDERATE, allow("kms:ListKeys"))
        user_id = self.iam.get_user(UserName=name)["User"]["UserId"]
        got = self.sts(key, secret).get_federation_token(Name="bob", Policy=doc(allow("kms:ListKeys")))
        fed_arn = f"arn:aws:sts::{ACCT}:federated-user/bob"
        self.assertEqual(got["FederatedUser"], {"FederatedUserId": f"{ACCT}:bob", "Arn": fed_arn})
        self.assertIsInstance(got["PackedPolicySize"], int)
        self.assertGreater(got["PackedPolicySize"], 0)
        c = got["Credentials"]
        self.assertTrue(c["AccessKeyId"].startswith("ASIA"))
        # the default duration: 12 hours
        left = c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(43200 - 120 < left.total_seconds() <= 43200, left)
        ident = self.as_creds("sts", c).get_caller_identity()
        self.assertEqual((ident["Arn"], ident["UserId"], ident["Account"]), (fed_arn, f"{ACCT}:bob", ACCT))
        self.as_creds("kms", c).list_keys()
        rec = [r for r in self.server.audit_records()
               if r["userIdentity"].get("accessKeyId") == c["AccessKeyId"]][-1]
        ui = rec["userIdentity"]
        self.assertEqual((ui["type"], ui["principalId"], ui["arn"], ui["accountId"]),
                         ("FederatedUser", f"{ACCT}:bob", fed_arn, ACCT))
        self.assertEqual(ui["sessionContext"]["sessionIssuer"],
                         {"type": "IAMUser", "principalId": user_id, "arn": arn,
                          "accountId": ACCT, "userName": name})
        self.assertEqual(ui["sessionContext"]["attributes"]["mfaAuthenticated"], "false")
        # the issuing call's own record keeps the token out
        issue = [r for r in self.server.audit_records() if r["eventName"] == "GetFederationToken"
                 and r["userIdentity"].get("arn") == arn][-1]
        self.assertNotIn(c["SessionToken"], json.dumps(issue))

    def test_permissions_are_the_intersection(self):
        name, arn, key, secret = self.user(FEDERATE, allow("kms:ListKeys", "kms:ListAliases"))
        sts = self.sts(key, secret)
        c = sts.get_federation_token(Name="alice", Policy=doc(allow("kms:ListKeys", "kms:CreateKey")))["Credentials"]
        kms = self.as_creds("kms", c)
        kms.list_keys()                                   # allowed by both
        for call in (kms.list_aliases,                    # the session policy lacks it
                     kms.create_key):                     # the user's policies lack it
            code, msg, status = self.error(call)
            self.assertEqual((code, status), ("AccessDeniedException", 400))
            self.assertIn(f"arn:aws:sts::{ACCT}:federated-user/alice", msg)
        # no session policy: nothing
        bare = self.as_creds("kms", sts.get_federation_token(Name="carol")["Credentials"])
        self.assertEqual(self.error(bare.list_keys)[0], "AccessDeniedException")
        # a managed session policy (PolicyArns) works the same way
        pol = self.iam.create_policy(PolicyName=self.name("pol"), PolicyDocument=doc(allow("kms:ListAliases")))
        m = self.as_creds("kms", sts.get_federation_token(
            Name="dave", PolicyArns=[{"arn": pol["Policy"]["Arn"]}])["Credentials"])
        m.list_aliases()
        self.assertEqual(self.error(m.list_keys)[0], "AccessDeniedException")
        # the issuing user's later changes reach the session (its policies are the ceiling)
        self.iam.delete_user_policy(UserName=name, PolicyName="p")
        self.assertEqual(self.error(kms.list_keys)[0], "AccessDeniedException")

    def test_iam_and_sts_refused(self):
        name, arn, key, secret = self.user(FEDERATE, allow("*"))
        c = self.sts(key, secret).get_federation_token(Name="eve", Policy=doc(allow("*")))["Credentials"]
        fed_arn = f"arn:aws:sts::{ACCT}:federated-user/eve"
        self.assertEqual(self.error(self.as_creds("iam", c).list_users),
                         ("InvalidClientTokenId", "The security token included in the request is invalid.", 403))
        sts = self.as_creds("sts", c)
        self.assertEqual(self.error(lambda: sts.get_federation_token(Name="x2")),
                         ("AccessDenied", "Cannot call GetFederationToken with session credentials", 403))
        self.assertEqual(self.error(sts.get_session_token),
                         ("AccessDenied", "Cannot call GetSessionToken with session credentials", 403))
        role = self.iam.create_role(RoleName=self.name("role"), AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}))["Role"]
        self.assertEqual(self.error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")),
                         ("AccessDenied", f"User: {fed_arn} is not authorized to perform: "
                                          f"sts:AssumeRole on resource: {role['Arn']}", 403))
        self.assertEqual(self.error(lambda: sts.get_access_key_info(AccessKeyId=key))[0], "AccessDenied")
        # the STS operations added beside: a federated user calls none of them either
        self.assertEqual(self.error(lambda: sts.decode_authorization_message(EncodedMessage="x" * 20)),
                         ("AccessDenied", f"User: {fed_arn} is not authorized to perform: "
                                          f"sts:DecodeAuthorizationMessage on resource: *", 403))
        self.assertEqual(self.error(lambda: sts.get_web_identity_token(
            Audience=["https://example.com"], SigningAlgorithm="RS256"))[0], "AccessDenied")
        self.assertEqual(sts.get_caller_identity()["Arn"], fed_arn)

    def test_errors(self):
        name, arn, key, secret = self.user(allow("kms:ListKeys"))
        code, msg, status = self.error(lambda: self.sts(key, secret).get_federation_token(Name="bob"))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertTrue(msg.startswith(f"User: {arn} is not authorized to perform: sts:GetFederationToken "
                                       f"on resource: arn:aws:sts::{ACCT}:federated-user/bob"), msg)
        name, arn, key, secret = self.user(FEDERATE)
        raw = self.sts(key, secret, parameter_validation=False)
        for bad in ({"Name": "b"}, {"Name": "a" * 33}, {"Name": "bad name"}, {"Name": "bad/name"},
                    {"Name": "bob", "DurationSeconds": 899}, {"Name": "bob", "DurationSeconds": 129601}):
            code, msg, status = self.error(lambda: raw.get_federation_token(**bad))
            self.assertEqual((code, status), ("ValidationError", 400), (bad, msg))
        code, msg, status = self.error(lambda: raw.get_federation_token(Name="bob", Policy="{not json"))
        self.assertEqual((code, status), ("MalformedPolicyDocument", 400), msg)
        code, msg, status = self.error(lambda: raw.get_federation_token(
            Name="bob", PolicyArns=[{"arn": f"arn:aws:iam::{ACCT}:policy/nope"}]))
        self.assertEqual(status // 100, 4, (code, msg))
        # session tags need sts:TagSession
        code, msg, status = self.error(lambda: raw.get_federation_token(
            Name="bob", Tags=[{"Key": "team", "Value": "blue"}]))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("sts:TagSession", msg)
        # session credentials of the user itself (GetSessionToken) cannot federate
        s = self.sts(key, secret).get_session_token()["Credentials"]
        self.assertEqual(self.error(lambda: self.as_creds("sts", s).get_federation_token(Name="bob")),
                         ("AccessDenied", "Cannot call GetFederationToken with session credentials", 403))
        # the packed limit: a policy near its 2,048 characters with tags beside it
        name, arn, key, secret = self.user(FEDERATE, allow("sts:TagSession"))
        big = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": f"kms:Describe{i:04d}", "Resource": "*"} for i in range(31)]},
            separators=(",", ":"))
        self.assertLess(len(big), 2048)
        tags = [{"Key": f"k{i}", "Value": "v" * 100} for i in range(3)]
        code, msg, status = self.error(lambda: self.sts(key, secret).get_federation_token(
            Name="bob", Policy=big, Tags=tags))
        self.assertEqual((code, status), ("PackedPolicyTooLarge", 400), msg)

    def test_tags_with_tag_session(self):
        name, arn, key, secret = self.user(FEDERATE, allow("sts:TagSession", "kms:ListKeys"))
        got = self.sts(key, secret).get_federation_token(
            Name="tagged", Policy=doc({"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*",
                                       "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}),
            Tags=[{"Key": "team", "Value": "blue"}])
        self.as_creds("kms", got["Credentials"]).list_keys()

    def test_duration_and_root(self):
        name, arn, key, secret = self.user(FEDERATE)
        c = self.sts(key, secret).get_federation_token(Name="short", DurationSeconds=900)["Credentials"]
        left = (c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(780 < left <= 900, left)
        # the root user: at most an hour, its permissions all (so the session policy's)
        got = self.server.client("sts").get_federation_token(Name="rooty", DurationSeconds=7200,
                                                             Policy=doc(allow("kms:ListKeys")))
        left = (got["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(3480 < left <= 3600, left)
        kms = self.as_creds("kms", got["Credentials"])
        kms.list_keys()
        self.assertEqual(self.error(kms.list_aliases)[0], "AccessDeniedException")
        rec = [r for r in self.server.audit_records()
               if r["userIdentity"].get("accessKeyId") == got["Credentials"]["AccessKeyId"]][-1]
        self.assertEqual(rec["userIdentity"]["sessionContext"]["sessionIssuer"],
                         {"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root",
                          "accountId": ACCT})

    def test_cli(self):
        name, arn, key, secret = self.user(FEDERATE, allow("kms:ListKeys"))
        rc, out, _ = self.server.cli("sts", "get-federation-token", "--name", "cli-user",
                                     "--policy", doc(allow("kms:ListKeys")), "--duration-seconds", "1800",
                                     key=key, secret=secret)
        self.assertEqual(out["FederatedUser"]["Arn"], f"arn:aws:sts::{ACCT}:federated-user/cli-user")
        self.assertTrue(out["Credentials"]["AccessKeyId"].startswith("ASIA"))
        rc, out, err = self.server.cli("sts", "get-federation-token", "--name", "cli-user",
                                       "--policy", "{nope", key=key, secret=secret, check=False)
        self.assertEqual(rc, 254)
        self.assertIn("(MalformedPolicyDocument) when calling the GetFederationToken operation", err)
        other = self.user(allow("kms:ListKeys"))
        rc, out, err = self.server.cli("sts", "get-federation-token", "--name", "cli-user",
                                       key=other[2], secret=other[3], check=False)
        self.assertEqual(rc, 254)
        self.assertIn("(AccessDenied) when calling the GetFederationToken operation: User: "
                      f"{other[1]} is not authorized to perform: sts:GetFederationToken", err)


if __name__ == "__main__":
    harness.main()
