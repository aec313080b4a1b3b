"""MFA-authenticated STS sessions: GetSessionToken and AssumeRole with SerialNumber and
TokenCode checked against the caller's IAM virtual MFA device (codes computed here from
the device's seed, RFC 6238), AWS's AccessDenied wordings for a wrong, replayed or
missing code and for a serial that is not the caller's device, aws:MultiFactorAuthPresent
and aws:MultiFactorAuthAge in policy evaluation (present false only for temporary
credentials without MFA), IAM refused to non-MFA GetSessionToken sessions and allowed to
MFA ones, an MFA-gated trust policy on AssumeRole, an MFA session's role session keeping
MFA, the trail's sessionContext.attributes.mfaAuthenticated, and the aws CLI."""
import base64
import hashlib
import hmac
import json
import struct
import time

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
WRONG = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
NOT_DEVICE = ("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify "
              "your MFA serial number is valid and associated with this user.")
BOTH = "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."


def code(seed_b32, step):
    """RFC 6238 TOTP (HMAC-SHA1, 6 digits) of a base32 seed at a 30-second step."""
    key = base64.b32decode(seed_b32 + b"=" * (-len(seed_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return f"{value % 1000000:06d}"


def settle():
    """Stay clear of a step boundary, so that the server sees the step computed here."""
    if time.time() % 30 > 26:
        time.sleep(31 - time.time() % 30)
    return int(time.time()) // 30


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


MFA_PRESENT = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


class Device:
    """A user's enabled virtual MFA device whose codes are handed out step by step: enabled
    with the codes of steps now-2 and now-1, so the steps now and now+1 are unused."""

    def __init__(self, iam, user):
        name = f"{user}-mfa"
        v = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        self.serial, self.seed = v["SerialNumber"], v["Base32StringSeed"]
        now = settle()
        iam.enable_mfa_device(UserName=user, SerialNumber=self.serial,
                              AuthenticationCode1=code(self.seed, now - 2),
                              AuthenticationCode2=code(self.seed, now - 1))
        self.next = now

    def take(self):
        """The next unused code (the window reaches one step ahead of the server)."""
        c = code(self.seed, self.next)
        self.next += 1
        return c


class MfaSessions(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.n = 0

    def name(self, what):
        MfaSessions.n += 1
        return f"{what}-{MfaSessions.n}"

    def user(self, *statements):
        name = self.name("user")
        arn, key, secret = self.server.user(name, *statements)
        return name, arn, key, secret

    def mfa_user(self, *statements):
        name, arn, key, secret = self.user(*statements)
        return name, arn, key, secret, Device(self.iam, name)

    def sts(self, key, secret, token=None):
        return self.server.client("sts", key=key, secret=secret, token=token)

    def as_creds(self, service, c):
        return self.server.client(service, key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                  token=c["SessionToken"])

    def denied(self, call, message, code="AccessDenied", status=403):
        with self.assertRaises(ClientError) as e:
            call()
        err = e.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["Error"]["Message"], message)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status)

    # GetSessionToken ------------------------------------------------------------------

    def test_mfa_session_calls_iam_and_passes_mfa_conditions(self):
        gated = {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*",
                 "Condition": MFA_PRESENT}
        name, arn, key, secret, dev = self.mfa_user(
            gated, {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"})
        sts = self.sts(key, secret)
        plain = sts.get_session_token()["Credentials"]
        used = dev.take()
        mfa = sts.get_session_token(SerialNumber=dev.serial, TokenCode=used)["Credentials"]
        self.assertTrue(mfa["AccessKeyId"].startswith("ASIA"))
        # the trail names the device the session was authenticated with
        issued = [r for r in self.server.audit_records() if r["eventName"] == "GetSessionToken"
                  and r["userIdentity"].get("arn") == arn]
        self.assertIn(dev.serial, json.dumps(issued))
        ident = self.as_creds("sts", mfa).get_caller_identity()
        self.assertEqual(ident["Arn"], arn)
        # the gated action: only the MFA session (long-term keys lack the key, a session
        # without MFA has it false)
        self.as_creds("kms", mfa).list_keys()
        for kms in (self.server.client("kms", key=key, secret=secret), self.as_creds("kms", plain)):
            with self.assertRaises(ClientError) as e:
                kms.list_keys()
            self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        # IAM: the MFA session may call it; the plain session is refused as a bad token
        self.assertEqual(self.as_creds("iam", mfa).get_user()["User"]["Arn"], arn)
        self.denied(lambda: self.as_creds("iam", plain).get_user(),
                    "The security token included in the request is invalid.",
                    code="InvalidClientTokenId")
        # the trail: the MFA session's calls say mfaAuthenticated true, the plain one's false
        recs = [r for r in self.server.audit_records()
                if r["userIdentity"].get("accessKeyId") in (mfa["AccessKeyId"], plain["AccessKeyId"])
                and r["eventName"] in ("GetCallerIdentity", "ListKeys")]
        flags = {(r["userIdentity"]["accessKeyId"] == mfa["AccessKeyId"],
                  r["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"])
                 for r in recs}
        self.assertEqual(flags, {(True, "true"), (False, "false")})

    def test_multi_factor_auth_age(self):
        young = {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*",
                 "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}
        old = {"Effect": "Allow", "Action": "kms:ListAliases", "Resource": "*",
               "Condition": {"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "2"}}}
        name, arn, key, secret, dev = self.mfa_user(young, old)
        sts = self.sts(key, secret)
        mfa = self.as_creds("kms", sts.get_session_token(SerialNumber=dev.serial,
                                                         TokenCode=dev.take())["Credentials"])
        plain = self.as_creds("kms", sts.get_session_token()["Credentials"])
        mfa.list_keys()
        # no MFA: the key is absent, so a numeric condition on it does not match
        with self.assertRaises(ClientError):
            plain.list_keys()
        # the age grows with time: at least 2 seconds after a sleep of 3
        time.sleep(3)
        mfa.list_aliases()
        with self.assertRaises(ClientError):
            plain.list_aliases()

    def test_wrong_missing_and_foreign_codes(self):
        name, arn, key, secret, dev = self.mfa_user()
        other = self.mfa_user()[4]
        sts = self.sts(key, secret)
        good = dev.take()
        wrong = f"{(int(good) + 1) % 1000000:06d}"
        self.denied(lambda: sts.get_session_token(SerialNumber=dev.serial, TokenCode=wrong), WRONG)
        self.denied(lambda: sts.get_session_token(SerialNumber=dev.serial), BOTH)
        self.denied(lambda: sts.get_session_token(TokenCode=good), BOTH)
        # another user's device, a device that does not exist, a non-device ARN
        self.denied(lambda: sts.get_session_token(SerialNumber=other.serial, TokenCode=other.take()),
                    NOT_DEVICE)
        self.denied(lambda: sts.get_session_token(
            SerialNumber=f"arn:aws:iam::{ACCT}:mfa/nobody", TokenCode=good), NOT_DEVICE)
        self.denied(lambda: sts.get_session_token(SerialNumber=arn, TokenCode=good), NOT_DEVICE)
        # the model's limits: six digits
        raw = self.server.client("sts", key=key, secret=secret, parameter_validation=False)
        with self.assertRaises(ClientError) as e:
            raw.get_session_token(SerialNumber=dev.serial, TokenCode="12345")
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationError")
        # a code from the device's past (before the enabling codes) and a spent one
        self.denied(lambda: sts.get_session_token(SerialNumber=dev.serial,
                                                  TokenCode=code(dev.seed, dev.next - 4)), WRONG)
        sts.get_session_token(SerialNumber=dev.serial, TokenCode=good)
        self.denied(lambda: sts.get_session_token(SerialNumber=dev.serial, TokenCode=good), WRONG)
        # root holds no virtual device of its own here
        self.denied(lambda: self.server.client("sts").get_session_token(
            SerialNumber=dev.serial, TokenCode=dev.take()), NOT_DEVICE)

    def test_deactivated_device_no_longer_authenticates(self):
        name, arn, key, secret, dev = self.mfa_user()
        self.iam.deactivate_mfa_device(UserName=name, SerialNumber=dev.serial)
        self.denied(lambda: self.sts(key, secret).get_session_token(
            SerialNumber=dev.serial, TokenCode=dev.take()), NOT_DEVICE)

    # AssumeRole -----------------------------------------------------------------------

    def test_mfa_gated_trust_policy(self):
        name, arn, key, secret, dev = self.mfa_user(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
        role = self.iam.create_role(
            RoleName=self.name("role"),
            AssumeRolePolicyDocument=doc({"Effect": "Allow", "Principal": {"AWS": arn},
                                          "Action": "sts:AssumeRole", "Condition": MFA_PRESENT}))["Role"]
        self.iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*", "Condition": MFA_PRESENT}))
        sts = self.sts(key, secret)
        refused = f"User: {arn} is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}"
        self.denied(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1"), refused)
        # a wrong code, one half only
        self.denied(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1",
                                            SerialNumber=dev.serial, TokenCode="000000"
                                            if dev.take() != "000000" else "111111"), WRONG)
        self.denied(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1",
                                            SerialNumber=dev.serial), BOTH)
        got = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1",
                              SerialNumber=dev.serial, TokenCode=dev.take())
        c = got["Credentials"]
        self.assertEqual(self.as_creds("sts", c).get_caller_identity()["Arn"],
                         f"arn:aws:sts::{ACCT}:assumed-role/{role['RoleName']}/s1")
        # the role session is MFA-authenticated for its own calls too
        self.as_creds("kms", c).list_keys()
        rec = [r for r in self.server.audit_records()
               if r["userIdentity"].get("accessKeyId") == c["AccessKeyId"]][-1]
        self.assertEqual(rec["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"], "true")

    def test_role_session_of_an_mfa_session_keeps_mfa(self):
        name, arn, key, secret, dev = self.mfa_user(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
        role = self.iam.create_role(
            RoleName=self.name("role"),
            AssumeRolePolicyDocument=doc({"Effect": "Allow", "Principal": {"AWS": arn},
                                          "Action": "sts:AssumeRole", "Condition": MFA_PRESENT}))["Role"]
        sts = self.sts(key, secret)
        mfa = sts.get_session_token(SerialNumber=dev.serial, TokenCode=dev.take())["Credentials"]
        plain = sts.get_session_token()["Credentials"]
        self.as_creds("sts", mfa).assume_role(RoleArn=role["Arn"], RoleSessionName="m1")
        with self.assertRaises(ClientError) as e:
            self.as_creds("sts", plain).assume_role(RoleArn=role["Arn"], RoleSessionName="p1")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")
        # a non-MFA session may still authenticate the AssumeRole itself
        self.as_creds("sts", plain).assume_role(RoleArn=role["Arn"], RoleSessionName="q1",
                                                SerialNumber=dev.serial, TokenCode=dev.take())

    def test_role_session_has_no_device(self):
        name, arn, key, secret, dev = self.mfa_user(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
        role = self.iam.create_role(
            RoleName=self.name("role"),
            AssumeRolePolicyDocument=doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                                          "Action": "sts:AssumeRole"}))["Role"]
        self.iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
        c = self.sts(key, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]
        self.denied(lambda: self.as_creds("sts", c).assume_role(
            RoleArn=role["Arn"], RoleSessionName="t1", SerialNumber=dev.serial,
            TokenCode=dev.take()), NOT_DEVICE)

    # the aws CLI ----------------------------------------------------------------------

    def test_cli(self):
        name, arn, key, secret, dev = self.mfa_user(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
        rc, out, _ = self.server.cli("sts", "get-session-token", "--serial-number", dev.serial,
                                     "--token-code", dev.take(), key=key, secret=secret)
        self.assertTrue(out["Credentials"]["AccessKeyId"].startswith("ASIA"))
        rc, out, err = self.server.cli("sts", "get-session-token", "--serial-number", dev.serial,
                                       "--token-code", "123456" if dev.take() != "123456" else "654321",
                                       key=key, secret=secret, check=False)
        self.assertEqual(rc, 254)
        self.assertIn(f"(AccessDenied) when calling the GetSessionToken operation: {WRONG.strip()}", err)
        rc, out, err = self.server.cli("sts", "get-session-token", "--serial-number", dev.serial,
                                       key=key, secret=secret, check=False)
        self.assertEqual(rc, 254)
        self.assertIn(BOTH, err)
        role = self.iam.create_role(
            RoleName=self.name("role"),
            AssumeRolePolicyDocument=doc({"Effect": "Allow", "Principal": {"AWS": arn},
                                          "Action": "sts:AssumeRole", "Condition": MFA_PRESENT}))["Role"]
        dev2 = Device(self.iam, self.user()[0])  # a fresh device: two more codes for this user
        self.iam.deactivate_mfa_device(UserName=name, SerialNumber=dev.serial)
        self.iam.delete_virtual_mfa_device(SerialNumber=dev.serial)
        dev3 = Device(self.iam, name)
        rc, out, _ = self.server.cli("sts", "assume-role", "--role-arn", role["Arn"],
                                     "--role-session-name", "cli", "--serial-number", dev3.serial,
                                     "--token-code", dev3.take(), key=key, secret=secret)
        self.assertEqual(out["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{ACCT}:assumed-role/{role['RoleName']}/cli")
        rc, out, err = self.server.cli("sts", "assume-role", "--role-arn", role["Arn"],
                                       "--role-session-name", "cli", "--serial-number", dev2.serial,
                                       "--token-code", dev2.take(), key=key, secret=secret, check=False)
        self.assertEqual(rc, 254)
        self.assertIn(NOT_DEVICE, err)


if __name__ == "__main__":
    harness.main()
