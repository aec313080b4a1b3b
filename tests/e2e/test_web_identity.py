"""STS AssumeRoleWithWebIdentity: OIDC ID tokens signed here by test keys (RS256, ES256)
against the JSON Web Key Sets given with `custos serve --oidc-jwks`, the EKS IRSA and
GitHub Actions trust policies as AWS documents them (IAM guide, id_roles_providers_oidc;
EKS user guide, associate-service-account-role; GitHub's "Configuring OpenID Connect in
Amazon Web Services"), each bad-token case with AWS's error code, HTTP status and words,
the session acting with its role's policies (allowed and denied), SIGHUP re-reading a
key set (a bad file keeps the old keys), session tags and source identity from the token,
and the trail: the call's WebIdentityUser and the session's webIdFederationData. Driven
with boto3 and /usr/bin/aws, both of which send the call unsigned."""
import base64
import json
import os
import shutil
import signal
import tempfile
import time
import unittest

import botocore
import botocore.config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

import harness

ACCT = harness.ACCOUNT
EKS = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
GITHUB = "token.actions.githubusercontent.com"
SA = "system:serviceaccount:default:my-service-account"


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def int_b64(i, n=None):
    return b64url(i.to_bytes(n or (i.bit_length() + 7) // 8, "big"))


def jwk(key, kid):
    pub = key.public_key().public_numbers()
    if isinstance(key, rsa.RSAPrivateKey):
        return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": int_b64(pub.n),
                "e": int_b64(pub.e)}
    return {"kty": "EC", "kid": kid, "crv": "P-256", "x": int_b64(pub.x, 32),
            "y": int_b64(pub.y, 32)}


def sign(key, claims, kid, alg=None):
    alg = alg or ("RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256")
    head = b64url(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    data = f"{head}.{body}".encode()
    if isinstance(key, rsa.RSAPrivateKey):
        sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{head}.{body}.{b64url(sig)}"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def irsa_trust(sub=SA):
    """The EKS user guide's trust policy for a service account, verbatim but for the ids."""
    return doc({
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCT}:oidc-provider/{EKS}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{EKS}:sub": sub, f"{EKS}:aud": "sts.amazonaws.com"}},
    })


def github_trust(repo="octo-org/octo-repo"):
    """The IAM guide's / GitHub's trust policy for GitHub Actions."""
    return doc({
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCT}:oidc-provider/{GITHUB}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GITHUB}:sub": f"repo:{repo}:*"},
        },
    })


class WebIdentity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="custos-oidc-")
        cls.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.ec = ec.generate_private_key(ec.SECP256R1())
        cls.other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.eks_jwks = os.path.join(cls.dir, "eks.json")
        cls.gh_jwks = os.path.join(cls.dir, "github.json")
        cls.write_jwks(cls.eks_jwks, [jwk(cls.rsa, "rsa-1"), jwk(cls.ec, "ec-1")])
        cls.write_jwks(cls.gh_jwks, [jwk(cls.ec, "gh-1")])
        cls.server = harness.Server(extra_args=[
            "--oidc-jwks", f"https://{EKS}={cls.eks_jwks}",
            "--oidc-jwks", f"https://{GITHUB}={cls.gh_jwks}"]).start()
        cls.iam = cls.server.client("iam")
        for url in (EKS, GITHUB, "unkeyed.example.com"):
            cls.iam.create_open_id_connect_provider(
                Url=f"https://{url}", ClientIDList=["sts.amazonaws.com"],
                ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])
        cls.kms_key = cls.server.client("kms").create_key()["KeyMetadata"]["KeyId"]
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @staticmethod
    def write_jwks(path, keys):
        with open(path + ".tmp", "w") as f:
            json.dump({"keys": keys}, f)
        os.replace(path + ".tmp", path)

    def claims(self, iss=f"https://{EKS}", sub=SA, aud="sts.amazonaws.com", **extra):
        now = int(time.time())
        c = {"iss": iss, "sub": sub, "aud": aud, "iat": now, "nbf": now, "exp": now + 3600}
        c.update(extra)
        return c

    def role(self, trust_doc, *statements, max_session=None):
        WebIdentity.n += 1
        name = f"web-role-{WebIdentity.n}"
        kw = {"MaxSessionDuration": max_session} if max_session else {}
        r = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_doc, **kw)["Role"]
        if statements:
            self.iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(*statements))
        return r

    def sts(self, **cfg):
        # no credentials at all: the SDK sends this operation unsigned (its model's auth is none)
        return self.server.client("sts", key=None, secret=None,
                                  signature_version=botocore.UNSIGNED, **cfg)

    def assume(self, role_arn, token, session="app", **kw):
        return self.sts().assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName=session, WebIdentityToken=token, **kw)

    def refused(self, role_arn, token, code, status, message=None, contains=None):
        with self.assertRaises(ClientError) as cm:
            self.assume(role_arn, token)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        if contains is not None:
            self.assertIn(contains, err["Error"]["Message"])
        return err

    def as_session(self, service, c):
        return self.server.client(service, key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                  token=c["SessionToken"])

    def test_irsa_rs256_and_the_session_acting(self):
        # the session's aws:FederatedProvider names its IdP (IAM guide,
        # reference_policies_condition-keys)
        role = self.role(irsa_trust(), {
            "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
            "Condition": {"StringEquals": {
                "aws:FederatedProvider": f"arn:aws:iam::{ACCT}:oidc-provider/{EKS}"}}})
        token = sign(self.rsa, self.claims(), "rsa-1")
        out = self.assume(role["Arn"], token, session="pod-1", DurationSeconds=900)
        c = out["Credentials"]
        self.assertTrue(c["AccessKeyId"].startswith("ASIA"))
        self.assertEqual(out["SubjectFromWebIdentityToken"], SA)
        self.assertEqual(out["Audience"], "sts.amazonaws.com")
        self.assertEqual(out["Provider"], f"arn:aws:iam::{ACCT}:oidc-provider/{EKS}")
        self.assertEqual(out["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{ACCT}:assumed-role/{role['RoleName']}/pod-1")
        self.assertEqual(out["AssumedRoleUser"]["AssumedRoleId"], f"{role['RoleId']}:pod-1")
        self.assertNotIn("PackedPolicySize", out)
        left = c["Expiration"].timestamp() - time.time()
        self.assertTrue(800 < left <= 900, left)
        ident = self.as_session("sts", c).get_caller_identity()
        self.assertEqual(ident["Arn"], out["AssumedRoleUser"]["Arn"])
        self.assertEqual(ident["UserId"], f"{role['RoleId']}:pod-1")
        # allowed by the role's policy, and denied what it does not allow
        kms = self.as_session("kms", c)
        kms.encrypt(KeyId=self.kms_key, Plaintext=b"x")
        with self.assertRaises(ClientError) as cm:
            kms.create_key()
        self.assertEqual(cm.exception.response["Error"]["Code"], "AccessDeniedException")
        with self.assertRaises(ClientError) as cm:
            self.as_session("iam", c).list_users()
        self.assertEqual(cm.exception.response["Error"]["Code"], "AccessDenied")
        self.assertIn(f"assumed-role/{role['RoleName']}/pod-1 is not authorized to perform: "
                      "iam:ListUsers", cm.exception.response["Error"]["Message"])
        # the trail: the call's caller, then the session's later call
        recs = self.server.audit_records()
        call = [r for r in recs if r["eventName"] == "AssumeRoleWithWebIdentity"
                and r.get("responseElements")
                and r["responseElements"]["assumedRoleUser"]["arn"].endswith("/pod-1")][-1]
        provider = f"arn:aws:iam::{ACCT}:oidc-provider/{EKS}"
        self.assertEqual(call["userIdentity"], {
            "type": "WebIdentityUser", "principalId": f"{provider}:sts.amazonaws.com:{SA}",
            "userName": SA, "identityProvider": provider})
        self.assertEqual(call["requestParameters"]["webIdentityToken"],
                         "HIDDEN_DUE_TO_SECURITY_REASONS")
        self.assertEqual(call["responseElements"]["credentials"]["sessionToken"],
                         "HIDDEN_DUE_TO_SECURITY_REASONS")
        self.assertNotIn(token.split(".")[2], json.dumps(recs))
        enc = [r for r in recs if r["eventName"] == "Encrypt"
               and r["userIdentity"].get("accessKeyId") == c["AccessKeyId"]][-1]
        ctx = enc["userIdentity"]["sessionContext"]
        self.assertEqual(enc["userIdentity"]["type"], "AssumedRole")
        self.assertEqual(ctx["webIdFederationData"],
                         {"federatedProvider": provider, "attributes": {}})
        self.assertEqual(ctx["sessionIssuer"]["arn"], role["Arn"])

    def test_irsa_es256_and_conditions_on_sub(self):
        role = self.role(irsa_trust())
        ok = self.assume(role["Arn"], sign(self.ec, self.claims(), "ec-1"))
        self.assertEqual(ok["SubjectFromWebIdentityToken"], SA)
        # another service account is not the one the trust policy names
        self.refused(role["Arn"],
                     sign(self.ec, self.claims(sub="system:serviceaccount:default:other"), "ec-1"),
                     "AccessDenied", 403,
                     message="Not authorized to perform sts:AssumeRoleWithWebIdentity")
        # a role that does not exist answers the same
        self.refused(f"arn:aws:iam::{ACCT}:role/no-such-role",
                     sign(self.ec, self.claims(), "ec-1"), "AccessDenied", 403,
                     message="Not authorized to perform sts:AssumeRoleWithWebIdentity")

    def test_github_actions_trust_policy(self):
        role = self.role(github_trust())
        claims = self.claims(iss=f"https://{GITHUB}",
                             sub="repo:octo-org/octo-repo:ref:refs/heads/main",
                             repository="octo-org/octo-repo", repository_owner="octo-org",
                             job_workflow_ref="octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main",
                             actor="octocat", ref="refs/heads/main", event_name="push")
        out = self.assume(role["Arn"], sign(self.ec, claims, "gh-1"))
        self.assertEqual(out["SubjectFromWebIdentityToken"], claims["sub"])
        other = dict(claims, sub="repo:evil-org/octo-repo:ref:refs/heads/main")
        self.refused(role["Arn"], sign(self.ec, other, "gh-1"), "AccessDenied", 403)
        # GitHub's other claims are condition keys too
        pinned = self.role(doc({
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{ACCT}:oidc-provider/{GITHUB}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                f"{GITHUB}:aud": "sts.amazonaws.com",
                f"{GITHUB}:job_workflow_ref":
                    "octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main",
                f"{GITHUB}:repository": "octo-org/octo-repo"}}}))
        self.assume(pinned["Arn"], sign(self.ec, claims, "gh-1"))
        moved = dict(claims, job_workflow_ref="octo-org/octo-repo/.github/workflows/x.yml@refs/heads/main")
        self.refused(pinned["Arn"], sign(self.ec, moved, "gh-1"), "AccessDenied", 403)

    def test_bad_tokens(self):
        role = self.role(irsa_trust())
        arn = role["Arn"]
        now = int(time.time())
        expired = self.claims(iat=now - 7200, nbf=now - 7200, exp=now - 600)
        err = self.refused(arn, sign(self.rsa, expired, "rsa-1"), "ExpiredTokenException", 400)
        self.assertRegex(err["Error"]["Message"],
                         r"^Token expired: current date/time \d+ must be before the expiration "
                         rf"date/time {now - 600}$")
        # IAM allows five minutes of clock skew past exp
        self.assume(arn, sign(self.rsa, self.claims(exp=now - 60), "rsa-1"))
        self.refused(arn, sign(self.rsa, self.claims(nbf=now + 3600), "rsa-1"),
                     "ExpiredTokenException", 400,
                     message="The web identity token that was passed is expired or is not "
                             "valid. Get a new identity token from the identity provider and "
                             "then retry the request.")
        self.refused(arn, sign(self.rsa, self.claims(iss="https://wrong.example.com"), "rsa-1"),
                     "InvalidIdentityToken", 400,
                     message="No OpenIDConnect provider found in your account for "
                             "https://wrong.example.com")
        self.refused(arn, sign(self.rsa, self.claims(aud="another-client"), "rsa-1"),
                     "InvalidIdentityToken", 400, message="Incorrect token audience")
        # signed by a key that is not the one of its kid
        self.refused(arn, sign(self.other, self.claims(), "rsa-1"), "InvalidIdentityToken", 400,
                     message="The web identity token that was passed could not be validated "
                             "by AWS. Get a new identity token from the identity provider and "
                             "then retry the request.")
        tampered = sign(self.rsa, self.claims(), "rsa-1").split(".")
        tampered[1] = b64url(json.dumps(self.claims(sub=SA + "x")).encode())
        self.refused(arn, ".".join(tampered), "InvalidIdentityToken", 400,
                     contains="could not be validated")
        no_key = ("Couldn't retrieve verification key from your identity provider,  please "
                  "reference AssumeRoleWithWebIdentity documentation for requirements")
        self.refused(arn, sign(self.rsa, self.claims(), "rsa-unknown"), "InvalidIdentityToken",
                     400, message=no_key)
        # a provider registered in IAM whose keys the server was not given
        self.refused(arn, sign(self.rsa, self.claims(iss="https://unkeyed.example.com"), "rsa-1"),
                     "InvalidIdentityToken", 400, message=no_key)
        not_jwt = ("The ID Token provided is not a valid JWT. (You may see this error if you "
                   "sent an Access Token)")
        self.refused(arn, "not-a-jwt-at-all", "InvalidIdentityToken", 400, message=not_jwt)
        self.refused(arn, "a.b.c", "InvalidIdentityToken", 400, message=not_jwt)
        none = b64url(b'{"alg":"none","typ":"JWT"}') + "." + \
            b64url(json.dumps(self.claims()).encode()) + "."
        self.refused(arn, none, "InvalidIdentityToken", 400, message=not_jwt)
        hs = sign(self.rsa, self.claims(), "rsa-1", alg="HS256")
        self.refused(arn, hs, "InvalidIdentityToken", 400, message=not_jwt)
        # a token the model's length limits refuse before it is read
        with self.assertRaises(ClientError) as cm:
            self.sts(parameter_validation=False).assume_role_with_web_identity(
                RoleArn=arn, RoleSessionName="app", WebIdentityToken="abc")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        # OAuth 2.0 providers (ProviderId) are verified by asking the provider: custos cannot
        with self.assertRaises(ClientError) as cm:
            self.assume(arn, sign(self.rsa, self.claims(), "rsa-1"), ProviderId="www.amazon.com")
        self.assertEqual(cm.exception.response["Error"]["Code"], "IDPCommunicationError")
        # the server kept serving, and a good token still works
        self.assume(arn, sign(self.rsa, self.claims(), "rsa-1"))

    def test_duration_and_session_policy(self):
        role = self.role(irsa_trust(), {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"],
                                        "Resource": "*"}, max_session=7200)
        token = sign(self.rsa, self.claims(), "rsa-1")
        with self.assertRaises(ClientError) as cm:
            self.assume(role["Arn"], token, DurationSeconds=7201)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                         "this role.")
        out = self.assume(role["Arn"], token, DurationSeconds=7200,
                          Policy=doc({"Effect": "Allow", "Action": "kms:Encrypt",
                                      "Resource": "*"}))
        self.assertGreater(out["PackedPolicySize"], 0)
        kms = self.as_session("kms", out["Credentials"])
        blob = kms.encrypt(KeyId=self.kms_key, Plaintext=b"x")["CiphertextBlob"]
        with self.assertRaises(ClientError) as cm:
            kms.decrypt(CiphertextBlob=blob)
        self.assertEqual(cm.exception.response["Error"]["Code"], "AccessDeniedException")
        with self.assertRaises(ClientError) as cm:
            self.assume(role["Arn"], token, Policy="{not json")
        self.assertEqual(cm.exception.response["Error"]["Code"], "MalformedPolicyDocument")

    def test_session_tags_and_source_identity_from_the_token(self):
        provider = f"arn:aws:iam::{ACCT}:oidc-provider/{EKS}"
        role = self.role(doc({
            "Effect": "Allow", "Principal": {"Federated": provider},
            "Action": ["sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"],
            "Condition": {"StringEquals": {f"{EKS}:aud": "sts.amazonaws.com"}}}, {
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:TagSession",
            "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"},
                          "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}),
            {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}})
        claims = self.claims(**{
            "https://aws.amazon.com/tags": {"principal_tags": {"team": ["blue"]},
                                             "transitive_tag_keys": ["team"]},
            "https://aws.amazon.com/source_identity": "alice"})
        out = self.assume(role["Arn"], sign(self.rsa, claims, "rsa-1"))
        self.assertEqual(out["SourceIdentity"], "alice")
        self.assertGreater(out["PackedPolicySize"], 0)
        self.as_session("kms", out["Credentials"]).encrypt(KeyId=self.kms_key, Plaintext=b"x")
        # a role whose trust policy does not allow sts:TagSession refuses tagged tokens
        plain = self.role(irsa_trust())
        tagged = self.claims(**{"https://aws.amazon.com/tags": {"principal_tags": {"team": ["blue"]}}})
        self.refused(plain["Arn"], sign(self.rsa, tagged, "rsa-1"), "AccessDenied", 403,
                     message="Not authorized to perform sts:TagSession")
        red = self.claims(**{"https://aws.amazon.com/tags": {"principal_tags": {"team": ["red"]}}})
        self.refused(role["Arn"], sign(self.rsa, red, "rsa-1"), "AccessDenied", 403,
                     message="Not authorized to perform sts:TagSession")
        bad = self.claims(**{"https://aws.amazon.com/tags": {"principal_tags": {"team": "blue"}}})
        self.refused(role["Arn"], sign(self.rsa, bad, "rsa-1"), "IDPRejectedClaim", 403)

    def test_cli(self):
        role = self.role(irsa_trust())
        token = sign(self.rsa, self.claims(), "rsa-1")
        rc, out, err = self.server.cli("sts", "assume-role-with-web-identity", "--role-arn",
                                       role["Arn"], "--role-session-name", "cli",
                                       "--web-identity-token", token)
        self.assertEqual(out["SubjectFromWebIdentityToken"], SA)
        self.assertTrue(out["Credentials"]["AccessKeyId"].startswith("ASIA"))
        self.assertEqual(out["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{ACCT}:assumed-role/{role['RoleName']}/cli")
        rc, out, err = self.server.cli("sts", "assume-role-with-web-identity", "--role-arn",
                                       role["Arn"], "--role-session-name", "cli",
                                       "--web-identity-token",
                                       sign(self.rsa, self.claims(aud="x"), "rsa-1"), check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("An error occurred (InvalidIdentityToken) when calling the "
                      "AssumeRoleWithWebIdentity operation: Incorrect token audience", err)
        # the CLI's request carried no signature: the trail names no access key for it
        rec = [r for r in self.server.audit_records()
               if r["eventName"] == "AssumeRoleWithWebIdentity" and r.get("errorCode")][-1]
        self.assertEqual(rec["errorCode"], "InvalidIdentityToken")
        self.assertNotIn("accessKeyId", rec["userIdentity"])

    def test_sighup_rereads_the_key_sets(self):
        role = self.role(github_trust())
        fresh = ec.generate_private_key(ec.SECP256R1())
        claims = self.claims(iss=f"https://{GITHUB}", sub="repo:octo-org/octo-repo:ref:refs/heads/x")
        token = sign(fresh, claims, "gh-2")
        self.refused(role["Arn"], token, "InvalidIdentityToken", 400,
                     contains="Couldn't retrieve verification key")
        try:
            self.write_jwks(self.gh_jwks, [jwk(self.ec, "gh-1"), jwk(fresh, "gh-2")])
            self.server.proc.send_signal(signal.SIGHUP)
            self.wait_for(lambda: self.try_assume(role["Arn"], token))
            # a file that no longer parses keeps the keys read before, and the log says why
            with open(self.gh_jwks, "w") as f:
                f.write("{not a key set")
            self.server.proc.send_signal(signal.SIGHUP)
            self.wait_for(lambda: "keeping the previous keys of https://" + GITHUB
                          in self.server.read_log())
            self.assume(role["Arn"], sign(fresh, claims, "gh-2"))
            self.assume(role["Arn"], sign(self.ec, claims, "gh-1"))
        finally:
            self.write_jwks(self.gh_jwks, [jwk(self.ec, "gh-1")])
            self.server.proc.send_signal(signal.SIGHUP)
        self.wait_for(lambda: not self.try_assume(role["Arn"], sign(fresh, claims, "gh-2")))
        self.assertIsNone(self.server.proc.poll())

    def try_assume(self, arn, token):
        try:
            self.assume(arn, token)
            return True
        except ClientError:
            return False

    def wait_for(self, cond, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if cond():
                return
            time.sleep(0.05)
        self.fail("condition not reached")


class Flags(unittest.TestCase):
    def test_bad_jwks_file_stops_the_start(self):
        d = tempfile.mkdtemp(prefix="custos-oidc-")
        try:
            bad = os.path.join(d, "bad.json")
            with open(bad, "w") as f:
                f.write('{"keys": []}')
            s = harness.Server(extra_args=["--oidc-jwks", f"https://{EKS}={bad}"])
            with self.assertRaises(RuntimeError) as cm:
                s.start()
            self.assertIn("holds no RSA or EC", str(cm.exception) + s.read_log())
            s.cleanup()
            s = harness.Server(extra_args=["--oidc-jwks", "no-equals-sign"])
            with self.assertRaises(RuntimeError):
                s.start()
            s.cleanup()
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    harness.main()
