"""STS AssumeRole: the trust policy evaluated with the caller as principal and AWS's
same-account rule (a trust policy naming the caller suffices; one naming the account needs
the caller's identity policy too), RoleSessionName and DurationSeconds rules (MaxSessionDuration,
one hour when chaining), session policies narrowing the role, sts:ExternalId, the role
session acting with its role's policies (IAM, KMS), GetCallerIdentity, the trail's
AssumedRole userIdentity, tampered tokens, and RoleLastUsed (STS API reference, AssumeRole;
IAM guide, id_roles_use_permissions-to-switch, reference_policies_evaluation-logic-cross-account)."""
import base64
import datetime
import json

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(principal, **condition):
    st = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return doc(st)


ASSUME_ANY = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}


class AssumeRole(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.kms_key = cls.server.client("kms").create_key()["KeyMetadata"]["KeyId"]
        cls.n = 0

    def name(self, what):
        AssumeRole.n += 1
        return f"{what}-{AssumeRole.n}"

    def role(self, trust_doc, *statements, max_session=None):
        name = self.name("role")
        kw = {"MaxSessionDuration": max_session} if max_session else {}
        r = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_doc, **kw)["Role"]
        if statements:
            self.iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(*statements))
        return r

    def user(self, *statements):
        return self.server.user(self.name("user"), *statements)

    def sts(self, key, secret, token=None):
        return self.server.client("sts", key=key, secret=secret, token=token)

    def as_creds(self, service, c, **kw):
        return self.server.client(service, key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                  token=c["SessionToken"], **kw)

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        return e.exception.response["Error"]

    def test_assume_and_act(self):
        kms_use = {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}
        user_arn, key, secret = self.user(ASSUME_ANY)
        role = self.role(trust(f"arn:aws:iam::{ACCT}:root"), kms_use)
        out = self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="work@x.y")
        c = out["Credentials"]
        self.assertTrue(c["AccessKeyId"].startswith("ASIA"))
        self.assertEqual(len(c["SecretAccessKey"]), 40)
        left = c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(datetime.timedelta(minutes=58) < left <= datetime.timedelta(hours=1))
        session_arn = f"arn:aws:sts::{ACCT}:assumed-role/{role['RoleName']}/work@x.y"
        self.assertEqual(out["AssumedRoleUser"], {"Arn": session_arn,
                                                  "AssumedRoleId": f"{role['RoleId']}:work@x.y"})
        self.assertNotIn("PackedPolicySize", out)
        me = self.as_creds("sts", c).get_caller_identity()
        self.assertEqual((me["Arn"], me["UserId"], me["Account"]),
                         (session_arn, f"{role['RoleId']}:work@x.y", ACCT))
        # the role's permissions: KMS allowed, the rest denied with the session's ARN
        kms = self.as_creds("kms", c)
        blob = kms.encrypt(KeyId=self.kms_key, Plaintext=b"hi")["CiphertextBlob"]
        self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"hi")
        err = self.error(lambda: kms.create_key())
        self.assertEqual(err["Code"], "AccessDeniedException")
        self.assertIn(f"User: {session_arn} is not authorized to perform: kms:CreateKey", err["Message"])
        # role sessions may call IAM as their policies allow (unlike GetSessionToken's)
        err = self.error(lambda: self.as_creds("iam", c).list_users())
        self.assertEqual(err["Code"], "AccessDenied")
        self.assertIn(f"User: {session_arn} is not authorized to perform: iam:ListUsers", err["Message"])
        # the trail: AssumedRole with its issuer, never the token or secret
        trail = self.server.audit_records()
        text = json.dumps(trail)
        self.assertNotIn(c["SessionToken"], text)
        self.assertNotIn(c["SecretAccessKey"], text)
        used = [r for r in trail if r["userIdentity"].get("accessKeyId") == c["AccessKeyId"]
                and r["eventName"] == "Encrypt"][-1]
        ident = used["userIdentity"]
        self.assertEqual((ident["type"], ident["arn"], ident["principalId"]),
                         ("AssumedRole", session_arn, f"{role['RoleId']}:work@x.y"))
        self.assertEqual(ident["sessionContext"]["sessionIssuer"],
                         {"type": "Role", "principalId": role["RoleId"], "arn": role["Arn"],
                          "accountId": ACCT, "userName": role["RoleName"]})
        self.assertEqual(ident["sessionContext"]["attributes"]["mfaAuthenticated"], "false")
        issued = [r for r in trail if r["eventName"] == "AssumeRole" and "errorCode" not in r][-1]
        self.assertEqual(issued["userIdentity"]["arn"], user_arn)
        self.assertEqual(issued["responseElements"]["credentials"]["sessionToken"],
                         "HIDDEN_DUE_TO_SECURITY_REASONS")

    def test_same_account_rule(self):
        """Trust naming the account: the identity policy must allow sts:AssumeRole too;
        trust naming the user: no identity policy needed."""
        user_arn, key, secret = self.user()  # no policy at all
        by_account = self.role(trust(f"arn:aws:iam::{ACCT}:root"))
        err = self.error(lambda: self.sts(key, secret).assume_role(RoleArn=by_account["Arn"],
                                                                    RoleSessionName="s1"))
        self.assertEqual((err["Code"], err["Message"]),
                         ("AccessDenied", f"User: {user_arn} is not authorized to perform: "
                                          f"sts:AssumeRole on resource: {by_account['Arn']}"))
        by_user = self.role(trust(user_arn))
        self.sts(key, secret).assume_role(RoleArn=by_user["Arn"], RoleSessionName="s1")
        # an identity allow without the trust policy's is not enough either way
        _, key2, secret2 = self.user(ASSUME_ANY)
        err = self.error(lambda: self.sts(key2, secret2).assume_role(RoleArn=by_user["Arn"],
                                                                      RoleSessionName="s1"))
        self.assertEqual(err["Code"], "AccessDenied")
        self.sts(key2, secret2).assume_role(RoleArn=by_account["Arn"], RoleSessionName="s1")
        # an explicit deny in the identity policy wins over the trust policy naming the user
        self.iam.put_user_policy(UserName=user_arn.split("/")[-1], PolicyName="deny",
                                 PolicyDocument=doc({"Effect": "Deny", "Action": "sts:AssumeRole",
                                                     "Resource": "*"}))
        err = self.error(lambda: self.sts(key, secret).assume_role(RoleArn=by_user["Arn"],
                                                                    RoleSessionName="s1"))
        self.assertEqual(err["Code"], "AccessDenied")

    def test_missing_role_root_and_cli(self):
        user_arn, key, secret = self.user(ASSUME_ANY)
        missing = f"arn:aws:iam::{ACCT}:role/no-such-role"
        err = self.error(lambda: self.sts(key, secret).assume_role(RoleArn=missing, RoleSessionName="s1"))
        self.assertEqual((err["Code"], err["Message"]),
                         ("AccessDenied", f"User: {user_arn} is not authorized to perform: "
                                          f"sts:AssumeRole on resource: {missing}"))
        role = self.role(trust(f"arn:aws:iam::{ACCT}:root"))
        # the ARN must carry the role's path
        err = self.error(lambda: self.sts(key, secret).assume_role(
            RoleArn=role["Arn"].replace(":role/", ":role/other/"), RoleSessionName="s1"))
        self.assertEqual(err["Code"], "AccessDenied")
        err = self.error(lambda: self.server.client("sts").assume_role(RoleArn=role["Arn"],
                                                                       RoleSessionName="s1"))
        self.assertEqual((err["Code"], err["Message"]),
                         ("AccessDenied", "Roles may not be assumed by root accounts."))
        rc, out, _ = self.server.cli("sts", "assume-role", "--role-arn", role["Arn"],
                                     "--role-session-name", "cli-session", key=key, secret=secret)
        self.assertEqual(out["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{ACCT}:assumed-role/{role['RoleName']}/cli-session")
        c = out["Credentials"]
        me = self.as_creds("sts", c).get_caller_identity()
        self.assertEqual(me["Arn"], out["AssumedRoleUser"]["Arn"])

    def test_session_name_and_duration(self):
        _, key, secret = self.user(ASSUME_ANY)
        role = self.role(trust(f"arn:aws:iam::{ACCT}:root"), ASSUME_ANY, max_session=7200)
        sts = self.server.client("sts", key=key, secret=secret, parameter_validation=False)
        for bad in ("a", "x" * 65, "has space", "semi;colon"):
            err = self.error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName=bad))
            self.assertEqual(err["Code"], "ValidationError", bad)
        self.assertEqual(self.error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ok",
                                                            DurationSeconds=899))["Code"], "ValidationError")
        err = self.error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ok",
                                                 DurationSeconds=7201))
        self.assertEqual((err["Code"], err["Message"]),
                         ("ValidationError",
                          "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."))
        c = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ok", DurationSeconds=7200)["Credentials"]
        left = c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(datetime.timedelta(minutes=119) < left <= datetime.timedelta(hours=2))
        # chaining: the role session assumes a role (itself, trusted through the account)
        chain = self.server.client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                   token=c["SessionToken"], parameter_validation=False)
        err = self.error(lambda: chain.assume_role(RoleArn=role["Arn"], RoleSessionName="hop",
                                                   DurationSeconds=3601))
        self.assertEqual((err["Code"], err["Message"]),
                         ("ValidationError", "The requested DurationSeconds exceeds the 1 hour "
                                             "session limit for roles assumed by role chaining."))
        hop = chain.assume_role(RoleArn=role["Arn"], RoleSessionName="hop", DurationSeconds=3600)
        self.assertEqual(self.as_creds("sts", hop["Credentials"]).get_caller_identity()["Arn"],
                         f"arn:aws:sts::{ACCT}:assumed-role/{role['RoleName']}/hop")

    def test_session_policy_narrows(self):
        _, key, secret = self.user(ASSUME_ANY)
        role = self.role(trust(f"arn:aws:iam::{ACCT}:root"),
                         {"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
        only_encrypt = doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"})
        out = self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="narrow",
                                                Policy=only_encrypt)
        self.assertTrue(1 <= out["PackedPolicySize"] <= 100)
        kms = self.as_creds("kms", out["Credentials"])
        blob = kms.encrypt(KeyId=self.kms_key, Plaintext=b"x")["CiphertextBlob"]
        err = self.error(lambda: kms.decrypt(CiphertextBlob=blob))
        self.assertEqual(err["Code"], "AccessDeniedException")
        self.assertIn("because no session policy allows the kms:Decrypt action", err["Message"])
        # a session policy cannot widen the role
        wide = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
        out = self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="wide", Policy=wide)
        self.assertEqual(self.error(lambda: self.as_creds("iam", out["Credentials"]).list_users())["Code"],
                         "AccessDenied")
        # a managed session policy (PolicyArns) narrows the same way
        arn = self.iam.create_policy(PolicyName=self.name("sp"), PolicyDocument=doc(
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}))["Policy"]["Arn"]
        out = self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="managed",
                                                PolicyArns=[{"arn": arn}])
        kms = self.as_creds("kms", out["Credentials"])
        self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"x")
        self.assertEqual(self.error(lambda: kms.encrypt(KeyId=self.kms_key, Plaintext=b"x"))["Code"],
                         "AccessDeniedException")
        # bad documents and oversized ones
        err = self.error(lambda: self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="bad",
                                                                    Policy="{not json"))
        self.assertEqual(err["Code"], "MalformedPolicyDocument")
        # 1,900 characters of policy and ten 67-character ARNs: 126% of the 2,048
        shape = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:%s","Resource":"*"}]}'
        big = shape % ("y" * (1900 - len(shape % "")))
        self.assertEqual(len(big), 1900)
        arns = [{"arn": f"arn:aws:iam::{ACCT}:policy/" + f"p{i}".ljust(34, "x")} for i in range(10)]
        err = self.error(lambda: self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="big",
                                                                    PolicyArns=arns, Policy=big))
        # the policy's characters, the ARNs' and their separators, over 2,048, rounded up
        percent = -(-(1900 + sum(len(a["arn"]) for a in arns) + 9) * 100 // 2048)
        self.assertEqual(percent, 126)
        self.assertEqual((err["Code"], err["Message"]),
                         ("PackedPolicyTooLarge", f"Packed size of session policies and session tags "
                                                  f"consumes {percent}% of allotted space."))
        err = self.error(lambda: self.sts(key, secret).assume_role(
            RoleArn=role["Arn"], RoleSessionName="missing",
            PolicyArns=[{"arn": f"arn:aws:iam::{ACCT}:policy/not-there"}]))
        self.assertEqual(err["Code"], "NoSuchEntity")

    def test_external_id_and_source_ip(self):
        _, key, secret = self.user(ASSUME_ANY)
        role = self.role(trust(f"arn:aws:iam::{ACCT}:root",
                               StringEquals={"sts:ExternalId": "tenant-42"}))
        sts = self.sts(key, secret)
        self.assertEqual(self.error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ext"))["Code"],
                         "AccessDenied")
        self.assertEqual(self.error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ext",
                                                            ExternalId="tenant-41"))["Code"], "AccessDenied")
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ext", ExternalId="tenant-42")
        far = self.role(trust(f"arn:aws:iam::{ACCT}:root", IpAddress={"aws:SourceIp": "203.0.113.0/24"}))
        self.assertEqual(self.error(lambda: sts.assume_role(RoleArn=far["Arn"], RoleSessionName="ext"))["Code"],
                         "AccessDenied")
        near = self.role(trust(f"arn:aws:iam::{ACCT}:root", IpAddress={"aws:SourceIp": "127.0.0.0/8"}))
        sts.assume_role(RoleArn=near["Arn"], RoleSessionName="ext")

    def test_mfa_condition(self):
        """aws:MultiFactorAuthPresent: absent for long-term keys and false for sessions
        without MFA, so an MFA-gated trust policy refuses both."""
        _, key, secret = self.user(ASSUME_ANY)
        gated = self.role(trust(f"arn:aws:iam::{ACCT}:root", Bool={"aws:MultiFactorAuthPresent": "true"}))
        self.assertEqual(self.error(lambda: self.sts(key, secret).assume_role(
            RoleArn=gated["Arn"], RoleSessionName="mfa"))["Code"], "AccessDenied")
        c = self.sts(key, secret).get_session_token()["Credentials"]
        self.assertEqual(self.error(lambda: self.sts(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
                                    .assume_role(RoleArn=gated["Arn"], RoleSessionName="mfa"))["Code"], "AccessDenied")
        # a GetSessionToken session may assume a role like its user
        open_role = self.role(trust(f"arn:aws:iam::{ACCT}:root"))
        self.sts(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]).assume_role(
            RoleArn=open_role["Arn"], RoleSessionName="mfa")

    def test_principal_tag_condition(self):
        arn, key, secret = self.user(ASSUME_ANY)
        self.iam.tag_user(UserName=arn.split("/")[-1], Tags=[{"Key": "team", "Value": "blue"}])
        blue = self.role(trust(f"arn:aws:iam::{ACCT}:root", StringEquals={"aws:PrincipalTag/team": "blue"}))
        red = self.role(trust(f"arn:aws:iam::{ACCT}:root", StringEquals={"aws:PrincipalTag/team": "red"}))
        self.sts(key, secret).assume_role(RoleArn=blue["Arn"], RoleSessionName="tt")
        self.assertEqual(self.error(lambda: self.sts(key, secret).assume_role(
            RoleArn=red["Arn"], RoleSessionName="tt"))["Code"], "AccessDenied")

    def test_tampered_token_and_deleted_role(self):
        _, key, secret = self.user(ASSUME_ANY)
        role = self.role(trust(f"arn:aws:iam::{ACCT}:root"),
                         {"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
        c = self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="tt")["Credentials"]
        raw = bytearray(base64.b64decode(c["SessionToken"]))
        raw[len(raw) // 2] ^= 1
        bad = dict(c, SessionToken=base64.b64encode(bytes(raw)).decode())
        err = self.error(lambda: self.as_creds("sts", bad).get_caller_identity())
        self.assertEqual((err["Code"], err["Message"]),
                         ("InvalidClientTokenId", "The security token included in the request is invalid."))
        self.assertEqual(self.error(lambda: self.as_creds("kms", bad).list_keys())["Code"],
                         "UnrecognizedClientException")
        # a token moved to another ASIA key id
        other = self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="uu")["Credentials"]
        swapped = dict(c, AccessKeyId=other["AccessKeyId"])
        self.assertEqual(self.error(lambda: self.as_creds("sts", swapped).get_caller_identity())["Code"],
                         "InvalidClientTokenId")
        self.as_creds("kms", c).list_keys()
        # the role deleted and made again under its name: not the same role, no permissions
        self.iam.delete_role_policy(RoleName=role["RoleName"], PolicyName="p")
        self.iam.delete_role(RoleName=role["RoleName"])
        self.iam.create_role(RoleName=role["RoleName"], AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCT}:root"))
        self.iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p",
                                 PolicyDocument=doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))
        self.assertEqual(self.error(lambda: self.as_creds("kms", c).list_keys())["Code"],
                         "AccessDeniedException")

    def test_source_identity(self):
        """SourceIdentity needs sts:SetSourceIdentity (trust and identity policy), reaches
        aws:SourceIdentity and the trail, and is kept, unchangeable, through chaining."""
        set_si = {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Resource": "*"}
        _, key, secret = self.user(set_si)
        both = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                    "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]})
        role = self.role(both, set_si, {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*",
                                        "Condition": {"StringEquals": {"aws:SourceIdentity": "alice"}}})
        plain = self.role(trust(f"arn:aws:iam::{ACCT}:root"))
        sts = self.sts(key, secret)
        err = self.error(lambda: sts.assume_role(RoleArn=plain["Arn"], RoleSessionName="si", SourceIdentity="alice"))
        self.assertEqual(err["Code"], "AccessDenied")
        self.assertIn("sts:SetSourceIdentity", err["Message"])
        out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="si", SourceIdentity="alice")
        self.assertEqual(out["SourceIdentity"], "alice")
        c = out["Credentials"]
        self.as_creds("kms", c).list_keys()  # aws:SourceIdentity holds "alice"
        used = [r for r in self.server.audit_records()
                if r["userIdentity"].get("accessKeyId") == c["AccessKeyId"]][-1]
        self.assertEqual(used["userIdentity"]["sessionContext"]["sourceIdentity"], "alice")
        chain = self.sts(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        err = self.error(lambda: chain.assume_role(RoleArn=role["Arn"], RoleSessionName="si2", SourceIdentity="bob"))
        self.assertEqual(err["Code"], "AccessDenied")
        # kept without asking, and the next role must allow it too
        hop = chain.assume_role(RoleArn=role["Arn"], RoleSessionName="si2")
        self.assertEqual(hop["SourceIdentity"], "alice")
        self.assertEqual(self.error(lambda: chain.assume_role(RoleArn=plain["Arn"], RoleSessionName="si3"))["Code"],
                         "AccessDenied")
        # without a source identity the condition fails
        other = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="nosi")
        self.assertNotIn("SourceIdentity", other)
        self.assertEqual(self.error(lambda: self.as_creds("kms", other["Credentials"]).list_keys())["Code"],
                         "AccessDeniedException")

    def test_session_tags(self):
        """Session tags need sts:TagSession, reach aws:PrincipalTag (overriding the role's
        tag of the same key), and transitive ones pass through chaining unchangeable."""
        tag_ok = {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}
        _, key, secret = self.user(tag_ok)
        both = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                    "Action": ["sts:AssumeRole", "sts:TagSession"]})
        role = self.role(both, tag_ok, {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*",
                                        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}})
        self.iam.tag_role(RoleName=role["RoleName"], Tags=[{"Key": "team", "Value": "red"}])
        plain = self.role(trust(f"arn:aws:iam::{ACCT}:root"))
        sts = self.sts(key, secret)
        err = self.error(lambda: sts.assume_role(RoleArn=plain["Arn"], RoleSessionName="tg",
                                                 Tags=[{"Key": "team", "Value": "blue"}]))
        self.assertEqual(err["Code"], "AccessDenied")
        self.assertIn("sts:TagSession", err["Message"])
        # the role's own tag says red: denied without a session tag, allowed with blue
        untagged = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="tg0")["Credentials"]
        self.assertEqual(self.error(lambda: self.as_creds("kms", untagged).list_keys())["Code"],
                         "AccessDeniedException")
        out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="tg", TransitiveTagKeys=["TEAM"],
                              Tags=[{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "7"}])
        self.assertIn("PackedPolicySize", out)
        c = out["Credentials"]
        self.as_creds("kms", c).list_keys()
        # TransitiveTagKeys must be tags of the request; duplicate keys (case aside) refused
        err = self.error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="tg",
                                                 Tags=[{"Key": "a", "Value": "1"}], TransitiveTagKeys=["b"]))
        self.assertEqual(err["Code"], "ValidationError")
        err = self.error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="tg",
                                                 Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]))
        self.assertEqual(err["Code"], "ValidationError")
        # chaining keeps the transitive tag (team=blue), not the other one, and refuses to override it
        chain = self.sts(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        err = self.error(lambda: chain.assume_role(RoleArn=role["Arn"], RoleSessionName="hop",
                                                   Tags=[{"Key": "Team", "Value": "green"}]))
        self.assertEqual(err["Code"], "ValidationError")
        hop = chain.assume_role(RoleArn=role["Arn"], RoleSessionName="hop")["Credentials"]
        self.as_creds("kms", hop).list_keys()

    def test_revoke_older_sessions(self):
        """The console's revocation: a Deny on aws:TokenIssueTime in the role's inline policy
        AWSRevokeOlderSessions stops the sessions issued before it, not later ones."""
        _, key, secret = self.user(ASSUME_ANY)
        role = self.role(trust(f"arn:aws:iam::{ACCT}:root"),
                         {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"})
        old = self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="old")["Credentials"]
        self.as_creds("kms", old).list_keys()
        cutoff = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        self.iam.put_role_policy(RoleName=role["RoleName"], PolicyName="AWSRevokeOlderSessions",
                                 PolicyDocument=doc({"Effect": "Deny", "Action": "*", "Resource": "*",
                                                     "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}}}))
        err = self.error(lambda: self.as_creds("kms", old).list_keys())
        self.assertEqual(err["Code"], "AccessDeniedException")
        self.assertIn("with an explicit deny in an identity-based policy", err["Message"])
        import time
        time.sleep(3)
        new = self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="new")["Credentials"]
        self.as_creds("kms", new).list_keys()

    def test_role_last_used(self):
        _, key, secret = self.user(ASSUME_ANY)
        role = self.role(trust(f"arn:aws:iam::{ACCT}:root"))
        self.assertEqual(self.iam.get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"], {})
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="lu")
        used = self.iam.get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"]
        self.assertEqual(used["Region"], harness.REGION)
        self.assertTrue(before <= used["LastUsedDate"] <= before + datetime.timedelta(minutes=1))
        # a denied attempt is no use
        denied = self.role(trust(f"arn:aws:iam::{ACCT}:root", StringEquals={"sts:ExternalId": "never"}))
        self.error(lambda: self.sts(key, secret).assume_role(RoleArn=denied["Arn"], RoleSessionName="lu"))
        self.assertEqual(self.iam.get_role(RoleName=denied["RoleName"])["Role"]["RoleLastUsed"], {})


class RoleSessionExpiry(harness.ServerTest):
    def test_900_second_session_stops_working(self):
        """A 900-second role session works at 840 s and is refused at 901 s (the clock moved
        with the test-only --test-clock-offset; nothing is stored, so a restart keeps it)."""
        s, iam = self.server, self.server.client("iam")
        _, key, secret = s.user("expiring", ASSUME_ANY)
        iam.create_role(RoleName="short", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCT}:root"))
        iam.put_role_policy(RoleName="short", PolicyName="p",
                            PolicyDocument=doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))
        c = s.client("sts", key=key, secret=secret).assume_role(
            RoleArn=f"arn:aws:iam::{ACCT}:role/short", RoleSessionName="brief",
            DurationSeconds=900)["Credentials"]
        kms = lambda: s.client("kms", key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
        for offset, expired in ((840, False), (901, True)):
            s.stop()
            s.extra_args = ["--test-clock-offset", str(offset)]
            s.env_overrides = {"CUSTOS_TEST_HOOKS": "1"}
            s.start()
            with harness.shifted_clock(offset):
                if not expired:
                    kms().list_keys()
                    continue
                with self.assertRaises(ClientError) as e:
                    kms().list_keys()
                self.assertEqual((e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"]),
                                 ("ExpiredTokenException", "The security token included in the request is expired"))
        s.stop()
        s.extra_args, s.env_overrides = [], None
        s.start()


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
