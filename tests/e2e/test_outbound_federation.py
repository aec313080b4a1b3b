"""Outbound web identity federation: IAM Enable/Disable/GetOutboundWebIdentityFederationInfo
(FeatureEnabled 409, FeatureDisabled 404; IAM API reference) and STS GetWebIdentityToken
(OutboundWebIdentityFederationDisabledException while disabled, SessionDurationEscalation-
Exception, DurationSeconds 60-3,600 default 300, RS256 and ES384; STS API reference), the
token verified here as an external service would: the issuer's openid-configuration and JWKS
fetched unauthenticated from custos's endpoint, the signature checked with
python3-cryptography, then iss, aud, sub and exp (IAM guide,
id_roles_providers_outbound_token_claims). Tokens never reach the trail. Driven with boto3
and the AWS CLI v2 (given the machine's botocore models with `aws configure add-model`,
since /usr/bin/aws predates these operations)."""
import base64
import glob
import gzip
import json
import os
import shutil
import time
import urllib.error
import urllib.request

import botocore.session
from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

import harness

ACCT = harness.ACCOUNT


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url_int(s):
    return int.from_bytes(b64url(s), "big")


def fetch(url):
    """GET url with no credentials at all: (status, parsed JSON body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def public_key(jwk):
    if jwk["kty"] == "RSA":
        return rsa.RSAPublicNumbers(b64url_int(jwk["e"]), b64url_int(jwk["n"])).public_key()
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-384", jwk
    x, y = b64url(jwk["x"]), b64url(jwk["y"])
    assert len(x) == 48 and len(y) == 48, "P-384 coordinates are 48 bytes each"
    return ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                         ec.SECP384R1()).public_key()


def verify(token, jwks):
    """Check the JWS signature against the JWKS as a relying party would; returns
    (header, claims). Raises InvalidSignature on a bad signature."""
    h64, p64, s64 = token.split(".")
    header, claims, sig = json.loads(b64url(h64)), json.loads(b64url(p64)), b64url(s64)
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert jwk["alg"] == header["alg"], (jwk, header)
    key, data = public_key(jwk), f"{h64}.{p64}".encode()
    if header["alg"] == "RS256":
        key.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert len(sig) == 96, "ES384 signatures are R || S, 48 bytes each (RFC 7518 3.4)"
        der = encode_dss_signature(int.from_bytes(sig[:48], "big"), int.from_bytes(sig[48:], "big"))
        key.verify(der, data, ec.ECDSA(hashes.SHA384()))
    return header, claims


def add_cli_models(home):
    """Give the CLI (HOME=home) the machine's botocore IAM and STS models."""
    data = os.path.join(os.path.dirname(botocore.session.__file__), "data")
    for svc in ("iam", "sts"):
        src = sorted(glob.glob(os.path.join(data, svc, "*", "service-2.json*")))[-1]
        dst = os.path.join(home, f"{svc}-model.json")
        opener = gzip.open if src.endswith(".gz") else open
        with opener(src, "rb") as f, open(dst, "wb") as g:
            shutil.copyfileobj(f, g)
        env = {"PATH": "/usr/bin:/bin", "HOME": home}
        import subprocess
        subprocess.run([harness.AWS_CLI, "configure", "add-model", "--service-model",
                        f"file://{dst}", "--service-name", svc], env=env, check=True,
                       capture_output=True, timeout=60)


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class Base(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.sts = cls.server.client("sts")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]


class Lifecycle(Base):
    """One account's switch, from never enabled to enabled, disabled and enabled again."""

    def test_enable_disable_info(self):
        code, status, msg = self.error(self.iam.get_outbound_web_identity_federation_info)
        self.assertEqual((code, status), ("FeatureDisabled", 404))
        self.assertIn("disabled", msg)
        self.assertEqual(self.error(self.iam.disable_outbound_web_identity_federation)[:2],
                         ("FeatureDisabled", 404))
        code, status, msg = self.error(lambda: self.sts.get_web_identity_token(
            Audience=["https://api.example.com"], SigningAlgorithm="RS256"))
        self.assertEqual((code, status), ("OutboundWebIdentityFederationDisabledException", 403))
        self.assertIn("not enabled", msg)

        issuer = self.iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
        prefix = f"{self.server.endpoint}/_custos/outbound/"
        self.assertTrue(issuer.startswith(prefix), issuer)
        self.assertRegex(issuer[len(prefix):], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")
        code, status, msg = self.error(self.iam.enable_outbound_web_identity_federation)
        self.assertEqual((code, status), ("FeatureEnabled", 409))
        self.assertIn("GetOutboundWebIdentityFederationInfo", msg)
        info = self.iam.get_outbound_web_identity_federation_info()
        self.assertEqual((info["IssuerIdentifier"], info["JwtVendingEnabled"]), (issuer, True))
        token = self.sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256")

        self.iam.disable_outbound_web_identity_federation()
        info = self.iam.get_outbound_web_identity_federation_info()
        self.assertEqual((info["IssuerIdentifier"], info["JwtVendingEnabled"]), (issuer, False))
        self.assertEqual(self.error(lambda: self.sts.get_web_identity_token(
            Audience=["a"], SigningAlgorithm="ES384"))[:2],
            ("OutboundWebIdentityFederationDisabledException", 403))
        self.assertEqual(self.error(self.iam.disable_outbound_web_identity_federation)[:2],
                         ("FeatureDisabled", 404))
        # "does not affect tokens that were issued before the feature was disabled": the
        # keys stay published, so the earlier token still verifies
        status, jwks = fetch(issuer + "/.well-known/jwks.json")
        self.assertEqual(status, 200)
        verify(token["WebIdentityToken"], jwks)

        self.assertEqual(self.iam.enable_outbound_web_identity_federation()["IssuerIdentifier"], issuer)
        self.sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="ES384")

    def test_survives_restart(self):
        try:
            self.iam.enable_outbound_web_identity_federation()
        except ClientError:
            pass
        issuer = self.iam.get_outbound_web_identity_federation_info()["IssuerIdentifier"]
        tok = self.sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="ES384")
        self.server.stop()
        self.server.start()
        iam, sts = self.server.client("iam"), self.server.client("sts")
        # the new port changes the public URL; the issuer id and keys stay
        issuer2 = iam.get_outbound_web_identity_federation_info()["IssuerIdentifier"]
        self.assertEqual(issuer.rsplit("/", 1)[1], issuer2.rsplit("/", 1)[1])
        _, jwks = fetch(issuer2 + "/.well-known/jwks.json")
        verify(tok["WebIdentityToken"], jwks)
        verify(sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="ES384")["WebIdentityToken"], jwks)
        Lifecycle.iam, Lifecycle.sts = iam, sts


class Tokens(Base):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.issuer = cls.iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
        cls.n = 0

    def name(self, what):
        Tokens.n += 1
        return f"{what}-{Tokens.n}"

    def discovery(self):
        status, config = fetch(self.issuer + "/.well-known/openid-configuration")
        self.assertEqual(status, 200)
        self.assertEqual(config["issuer"], self.issuer)
        self.assertEqual(config["jwks_uri"], self.issuer + "/.well-known/jwks.json")
        self.assertEqual(sorted(config["id_token_signing_alg_values_supported"]), ["ES384", "RS256"])
        status, jwks = fetch(config["jwks_uri"])
        self.assertEqual(status, 200)
        return config, jwks

    def check(self, out, jwks, config, alg, sub, aud, duration):
        before = time.time()
        header, claims = verify(out["WebIdentityToken"], jwks)
        self.assertEqual((header["alg"], header["typ"]), (alg, "JWT"))
        self.assertEqual(claims["iss"], config["issuer"])
        self.assertEqual(claims["aud"], aud)
        self.assertEqual(claims["sub"], sub)
        self.assertEqual(claims["exp"] - claims["iat"], duration)
        self.assertLessEqual(abs(claims["iat"] - before), 5)
        self.assertEqual(int(out["Expiration"].timestamp()), claims["exp"])
        self.assertRegex(claims["jti"], r"^[0-9a-f-]{36}$")
        aws = claims["https://sts.amazonaws.com/"]
        self.assertEqual((aws["aws_account"], aws["source_region"]), (ACCT, harness.REGION))
        return claims

    def test_rs256_and_es384_verify_against_the_served_jwks(self):
        config, jwks = self.discovery()
        self.assertEqual(sorted(k["alg"] for k in jwks["keys"]), ["ES384", "RS256"])
        for k in jwks["keys"]:
            self.assertNotIn("d", k, "a JWKS publishes no private member")
            self.assertEqual(k["use"], "sig")
        root = f"arn:aws:iam::{ACCT}:root"
        jtis = set()
        for alg in ("RS256", "ES384"):
            out = self.sts.get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm=alg,
                                                  Tags=[{"Key": "job-id", "Value": "job-1"}])
            claims = self.check(out, jwks, config, alg, root, "https://api.example.com", 300)
            self.assertEqual(claims["https://sts.amazonaws.com/"]["request_tags"], {"job-id": "job-1"})
            jtis.add(claims["jti"])
            # any edit breaks the signature
            h, p, s = out["WebIdentityToken"].split(".")
            forged = json.loads(b64url(p))
            forged["sub"] = "arn:aws:iam::999999999999:root"
            p2 = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
            with self.assertRaises(InvalidSignature):
                verify(f"{h}.{p2}.{s}", jwks)
        self.assertEqual(len(jtis), 2)

    def test_audiences_and_duration(self):
        config, jwks = self.discovery()
        out = self.sts.get_web_identity_token(Audience=["https://a", "https://b"], SigningAlgorithm="RS256",
                                              DurationSeconds=3600)
        self.check(out, jwks, config, "RS256", f"arn:aws:iam::{ACCT}:root", ["https://a", "https://b"], 3600)
        out = self.sts.get_web_identity_token(Audience=["x"], SigningAlgorithm="ES384", DurationSeconds=60)
        self.check(out, jwks, config, "ES384", f"arn:aws:iam::{ACCT}:root", "x", 60)
        raw = self.server.client("sts", parameter_validation=False)
        for bad in (59, 3601):
            self.assertEqual(self.error(lambda: raw.get_web_identity_token(
                Audience=["x"], SigningAlgorithm="RS256", DurationSeconds=bad))[:2], ("ValidationError", 400))
        self.assertEqual(self.error(lambda: raw.get_web_identity_token(
            Audience=["x"], SigningAlgorithm="HS256"))[:2], ("ValidationError", 400))
        self.assertEqual(self.error(lambda: raw.get_web_identity_token(
            Audience=[f"a{i}" for i in range(11)], SigningAlgorithm="RS256"))[:2], ("ValidationError", 400))

    def test_role_session_subject_tags_and_escalation(self):
        config, jwks = self.discovery()
        name = self.name("role")
        role = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
             "Action": ["sts:AssumeRole", "sts:TagSession"]}),
            Tags=[{"Key": "team", "Value": "platform"}, {"Key": "cost", "Value": "ml"}])["Role"]
        self.iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": ["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"], "Resource": "*"}))
        _, key, secret = self.server.user(self.name("user"), {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"})
        c = self.server.client("sts", key=key, secret=secret).assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=900,
                                 Tags=[{"Key": "team", "Value": "data"}])["Credentials"]
        sess = self.server.client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                  token=c["SessionToken"])
        code, status, msg = self.error(lambda: sess.get_web_identity_token(
            Audience=["x"], SigningAlgorithm="RS256", DurationSeconds=3600))
        self.assertEqual((code, status), ("SessionDurationEscalationException", 403))
        self.assertIn("beyond its original expiration", msg)
        out = sess.get_web_identity_token(Audience=["x"], SigningAlgorithm="RS256", DurationSeconds=600)
        # the IAM guide's sample token: a role session's subject is its role's ARN
        claims = self.check(out, jwks, config, "RS256", role["Arn"], "x", 600)
        # the role's tags, the session's overriding the one they share
        self.assertEqual(claims["https://sts.amazonaws.com/"]["principal_tags"], {"team": "data", "cost": "ml"})

    def test_user_needs_permission_and_audience_condition(self):
        config, jwks = self.discovery()
        name = self.name("user")
        arn, key, secret = self.server.user(name)
        sts = self.server.client("sts", key=key, secret=secret)
        code, status, msg = self.error(lambda: sts.get_web_identity_token(Audience=["x"], SigningAlgorithm="RS256"))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn(f"User: {arn} is not authorized to perform: sts:GetWebIdentityToken", msg)
        self.iam.tag_user(UserName=name, Tags=[{"Key": "env", "Value": "prod"}])
        # the outbound federation guide's policy shape: audiences and lifetime restricted
        self.iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "sts:GetWebIdentityToken", "Resource": "*",
             "Condition": {"ForAllValues:StringEquals": {"sts:IdentityTokenAudience": "https://ok"},
                           "NumericLessThanEquals": {"sts:DurationSeconds": 300}}}))
        out = sts.get_web_identity_token(Audience=["https://ok"], SigningAlgorithm="ES384")
        claims = self.check(out, jwks, config, "ES384", arn, "https://ok", 300)
        self.assertEqual(claims["https://sts.amazonaws.com/"]["principal_tags"], {"env": "prod"})
        for kw in ({"Audience": ["https://ok", "https://other"]}, {"Audience": ["https://ok"], "DurationSeconds": 301}):
            self.assertEqual(self.error(lambda: sts.get_web_identity_token(SigningAlgorithm="RS256", **kw))[:2],
                             ("AccessDenied", 403))
        # passing Tags takes sts:TagGetWebIdentityToken besides (IAM guide,
        # id_roles_providers_outbound_policies)
        tags = [{"Key": "job", "Value": "1"}]
        code, status, msg = self.error(lambda: sts.get_web_identity_token(
            Audience=["https://ok"], SigningAlgorithm="RS256", Tags=tags))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("sts:TagGetWebIdentityToken", msg)
        self.iam.put_user_policy(UserName=name, PolicyName="tags", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "sts:TagGetWebIdentityToken", "Resource": "*"}))
        out = sts.get_web_identity_token(Audience=["https://ok"], SigningAlgorithm="RS256", Tags=tags)
        claims = self.check(out, jwks, config, "RS256", arn, "https://ok", 300)
        self.assertEqual(claims["https://sts.amazonaws.com/"]["request_tags"], {"job": "1"})
        # sts:SigningAlgorithm is the request's SigningAlgorithm
        self.iam.put_user_policy(UserName=name, PolicyName="alg", PolicyDocument=doc(
            {"Effect": "Deny", "Action": "sts:GetWebIdentityToken", "Resource": "*",
             "Condition": {"StringEquals": {"sts:SigningAlgorithm": "RS256"}}}))
        self.assertEqual(self.error(lambda: sts.get_web_identity_token(
            Audience=["https://ok"], SigningAlgorithm="RS256"))[:2], ("AccessDenied", 403))
        sts.get_web_identity_token(Audience=["https://ok"], SigningAlgorithm="ES384")

    def test_tokens_never_in_the_trail(self):
        tokens = [self.sts.get_web_identity_token(Audience=["t"], SigningAlgorithm=a)["WebIdentityToken"]
                  for a in ("RS256", "ES384")]
        with open(os.path.join(self.server.data_dir, "audit.log")) as f:
            trail = f.read()
        for t in tokens:
            for part in t.split("."):
                self.assertNotIn(part, trail)
        recs = [r for r in self.server.audit_records() if r["eventName"] == "GetWebIdentityToken"
                and (r.get("requestParameters") or {}).get("audience") == ["t"]]
        self.assertEqual(len(recs), 2)

    def test_discovery_errors(self):
        base = self.issuer.rsplit("/", 1)[0]
        for path in ("/00000000-0000-4000-8000-000000000000/.well-known/jwks.json",
                     "/" + self.issuer.rsplit("/", 1)[1] + "/.well-known/other",
                     "/" + self.issuer.rsplit("/", 1)[1], "/x"):
            status, body = fetch(base + path)
            self.assertEqual(status, 404, path)
            self.assertEqual(body, {"error": "not_found"})
        status, _ = fetch(self.issuer + "/.well-known/jwks.json")
        self.assertEqual(status, 200)

    def test_cli(self):
        add_cli_models(self.server.data_dir)
        rc, out, err = self.server.cli("iam", "get-outbound-web-identity-federation-info")
        self.assertEqual((out["IssuerIdentifier"], out["JwtVendingEnabled"]), (self.issuer, True))
        rc, out, err = self.server.cli("iam", "enable-outbound-web-identity-federation", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("FeatureEnabled", err)
        rc, out, err = self.server.cli("sts", "get-web-identity-token", "--audience", "https://cli",
                                       "--signing-algorithm", "ES384", "--duration-seconds", "120")
        config, jwks = self.discovery()
        _, claims = verify(out["WebIdentityToken"], jwks)
        self.assertEqual((claims["aud"], claims["exp"] - claims["iat"], claims["iss"]),
                         ("https://cli", 120, self.issuer))
        rc, out, err = self.server.cli("sts", "get-web-identity-token", "--audience", "x",
                                       "--signing-algorithm", "RS512", check=False)
        self.assertNotEqual(rc, 0)


class CliLifecycle(Base):
    def test_cli_enable_disable(self):
        add_cli_models(self.server.data_dir)
        rc, out, err = self.server.cli("iam", "get-outbound-web-identity-federation-info", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("FeatureDisabled", err)
        rc, out, err = self.server.cli("sts", "get-web-identity-token", "--audience", "x",
                                       "--signing-algorithm", "RS256", check=False)
        self.assertIn("OutboundWebIdentityFederationDisabledException", err)
        rc, out, err = self.server.cli("iam", "enable-outbound-web-identity-federation")
        self.assertIn("/_custos/outbound/", out["IssuerIdentifier"])
        rc, out, err = self.server.cli("iam", "disable-outbound-web-identity-federation")
        rc, out, err = self.server.cli("iam", "disable-outbound-web-identity-federation", check=False)
        self.assertIn("FeatureDisabled", err)


class PublicUrl(Base):
    server_args = ("--public-url", "https://custos.example.com/base/")

    def test_issuer_uses_public_url(self):
        issuer = self.iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
        self.assertTrue(issuer.startswith("https://custos.example.com/base/_custos/outbound/"), issuer)
        tok = self.sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256")["WebIdentityToken"]
        # the documents are served at the issuer's path on this endpoint
        path = issuer[len("https://custos.example.com/base"):]
        status, config = fetch(self.server.endpoint + path + "/.well-known/openid-configuration")
        self.assertEqual((status, config["issuer"]), (200, issuer))
        _, claims = verify(tok, fetch(self.server.endpoint + path + "/.well-known/jwks.json")[1])
        self.assertEqual(claims["iss"], issuer)


if __name__ == "__main__":
    harness.main()
