"""STS AssumeRoleWithSAML end to end: a test IdP (an RSA key and self-signed certificate made
here with openssl) whose metadata is registered with CreateSAMLProvider, Responses signed here
with the xmlsec1 CLI from a signature template as IdPs sign them, the role assumed unsigned with
boto3 and the AWS CLI, the session acting (allowed and denied), trust-policy conditions on
saml:aud and saml:sub, and each refusal: unsigned, another key, tampered after signing,
signature wrapping, expired, not yet valid, wrong audience, role not in the assertion, provider
mismatch (STS API reference, AssumeRoleWithSAML; IAM guide, id_roles_providers_saml,
id_roles_providers_create_saml_assertions, reference_policies_iam-condition-keys)."""
import base64
import datetime
import hashlib
import json
import os
import subprocess
import tempfile

import botocore
from botocore.exceptions import ClientError

import harness
from test_saml_providers import metadata, openssl_pair

ACCT = harness.ACCOUNT
ENTITY = "https://idp.example.com/saml"
ATTR = "https://aws.amazon.com/SAML/Attributes/"
SIG = ('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
       '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
       '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
       '<ds:Reference URI="#{id}"><ds:Transforms>'
       '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
       '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
       '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>'
       '</ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>')


def iso(delta_s):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta_s)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def attribute(name, *values):
    vals = "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>" for v in values)
    return f'<saml:Attribute Name="{name}">{vals}</saml:Attribute>'


def response(roles, subject="alice", session="alice", issuer=ENTITY, audience=
             "https://signin.aws.amazon.com/saml", not_before=-60, not_after=300, signed=True,
             extra_attrs="", issued=0):
    """A samlp:Response with one Assertion, its signature template in the Assertion."""
    attrs = attribute(ATTR + "Role", *roles) + attribute(ATTR + "RoleSessionName", session)
    return f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_resp1" \
Version="2.0" IssueInstant="{iso(0)}" Destination="https://signin.aws.amazon.com/saml">\
<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{issuer}</saml:Issuer>\
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>\
<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_assert1" Version="2.0" \
IssueInstant="{iso(issued)}"><saml:Issuer>{issuer}</saml:Issuer>{SIG.format(id="_assert1") if signed else ""}\
<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{subject}\
</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">\
<saml:SubjectConfirmationData NotOnOrAfter="{iso(not_after)}" Recipient="https://signin.aws.amazon.com/saml"/>\
</saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{iso(not_before)}" \
NotOnOrAfter="{iso(not_after)}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience>\
</saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{iso(0)}"/>\
<saml:AttributeStatement>{attrs}{extra_attrs}</saml:AttributeStatement></saml:Assertion></samlp:Response>"""


class SamlFederation(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="saml-idp-")
        cls.cert, _ = openssl_pair(cls.tmp, "idp")
        cls.other_cert, _ = openssl_pair(cls.tmp, "other")
        cls.iam = cls.server.client("iam")
        cls.provider = cls.iam.create_saml_provider(
            Name="TestIdp", SAMLMetadataDocument=metadata(cls.cert, entity_id=ENTITY))["SAMLProviderArn"]
        cls.provider2 = cls.iam.create_saml_provider(
            Name="OtherIdp", SAMLMetadataDocument=metadata(
                cls.other_cert, entity_id="https://other.example.com/saml"))["SAMLProviderArn"]
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": cls.provider},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
        cls.role = cls.iam.create_role(RoleName="SamlDev", AssumeRolePolicyDocument=json.dumps(
            trust))["Role"]["Arn"]
        cls.iam.put_role_policy(RoleName="SamlDev", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]}))
        trust["Statement"][0]["Condition"] = {"StringEquals": {"saml:sub": "alice"}}
        cls.alice_role = cls.iam.create_role(RoleName="AliceOnly", AssumeRolePolicyDocument=
                                             json.dumps(trust))["Role"]["Arn"]
        # AssumeRoleWithSAML is sent unsigned, as boto3 and the CLI send it
        cls.sts = cls.server.client("sts", signature_version=botocore.UNSIGNED)

    def sign(self, xml, key="idp", element="urn:oasis:names:tc:SAML:2.0:assertion:Assertion"):
        src, out = os.path.join(self.tmp, "in.xml"), os.path.join(self.tmp, "out.xml")
        with open(src, "w") as f:
            f.write(xml)
        subprocess.run(["xmlsec1", "--sign", "--privkey-pem", os.path.join(self.tmp, key + ".key"),
                        "--id-attr:ID", element,
                        "--output", out, src], check=True, capture_output=True)
        with open(out) as f:
            return f.read()

    def b64(self, xml):
        return base64.b64encode(xml.encode()).decode()

    def pair(self, role=None, provider=None):
        return f"{role or self.role},{provider or self.provider}"

    def assume(self, xml, role=None, provider=None, **kw):
        return self.sts.assume_role_with_saml(RoleArn=role or self.role,
                                              PrincipalArn=provider or self.provider,
                                              SAMLAssertion=self.b64(xml), **kw)

    def refused(self, xml, code, status, message, **kw):
        with self.assertRaises(ClientError) as e:
            self.assume(xml, **kw)
        err = e.exception.response
        self.assertEqual((err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
                          err["Error"]["Message"]), (code, status, message))

    def test_assume_and_act(self):
        r = self.assume(self.sign(response([self.pair()])), DurationSeconds=900)
        self.assertEqual(r["Subject"], "alice")
        self.assertEqual(r["SubjectType"], "persistent")
        self.assertEqual(r["Issuer"], ENTITY)
        self.assertEqual(r["Audience"], "https://signin.aws.amazon.com/saml")
        want = base64.b64encode(hashlib.sha1((ENTITY + ACCT + "/TestIdp").encode()).digest()).decode()
        self.assertEqual(r["NameQualifier"], want)
        self.assertEqual(r["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCT}:assumed-role/SamlDev/alice")
        self.assertNotIn("PackedPolicySize", r)
        c = r["Credentials"]
        self.assertTrue(c["AccessKeyId"].startswith("ASIA"))
        left = (c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(800 < left <= 900, left)
        kw = dict(key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
        me = self.server.client("sts", **kw).get_caller_identity()
        self.assertEqual(me["Arn"], r["AssumedRoleUser"]["Arn"])
        iam = self.server.client("iam", **kw)
        self.assertIn("SamlDev", [x["RoleName"] for x in iam.list_roles()["Roles"]])
        with self.assertRaises(ClientError) as e:
            iam.list_users()
        self.assertEqual(self.error_code(e.exception), "AccessDenied")
        # the trail: the call's caller is a SAMLUser, the assertion never written down
        recs = [x for x in self.server.audit_records() if x["eventName"] == "AssumeRoleWithSAML"
                and not x.get("errorCode")]
        ident = recs[-1]["userIdentity"]
        self.assertEqual(ident, {"type": "SAMLUser", "principalId": want + ":alice",
                                 "userName": "alice", "identityProvider": want})
        self.assertNotIn(self.b64(self.sign(response([self.pair()])))[:40], json.dumps(recs))
        later = [x for x in self.server.audit_records() if x["eventName"] == "ListRoles"
                 and x["userIdentity"].get("accessKeyId") == c["AccessKeyId"]]
        self.assertEqual(later[-1]["userIdentity"]["type"], "AssumedRole")
        self.assertEqual(later[-1]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"],
                         self.role)

    def test_session_policy_tags_and_either_order(self):
        # session tags need sts:TagSession in the trust policy: this one lacks it
        extra = attribute(ATTR + "PrincipalTag:team", "blue")
        with self.assertRaises(ClientError) as e:
            self.assume(self.sign(response([self.pair()], extra_attrs=extra)))
        self.assertEqual(self.error_code(e.exception), "AccessDenied")
        r = self.assume(self.sign(response([f"{self.provider}, {self.role}"])),
                        Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*"}]}))
        c = r["Credentials"]
        self.assertIn("PackedPolicySize", r)
        iam = self.server.client("iam", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                 token=c["SessionToken"])
        with self.assertRaises(ClientError):
            iam.list_roles()

    def test_tags_source_identity_duration_and_response_signature(self):
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": self.provider},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"]}]}
        role = self.iam.create_role(RoleName="SamlTagged", AssumeRolePolicyDocument=json.dumps(
            trust))["Role"]["Arn"]
        self.iam.put_role_policy(RoleName="SamlTagged", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}]}))
        extra = (attribute(ATTR + "PrincipalTag:team", "blue")
                 + attribute(ATTR + "SourceIdentity", "alice-src")
                 + attribute(ATTR + "SessionDuration", "1200"))
        # signed on the Response only (the Assertion inside carries no signature)
        xml = response([self.pair(role=role)], signed=False, extra_attrs=extra).replace(
            "<samlp:Status>", SIG.format(id="_resp1") + "<samlp:Status>", 1)
        signed = self.sign(xml, element="urn:oasis:names:tc:SAML:2.0:protocol:Response")
        r = self.assume(signed, role=role)
        self.assertEqual(r["SourceIdentity"], "alice-src")
        self.assertIn("PackedPolicySize", r)
        c = r["Credentials"]
        left = (c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(1100 < left <= 1200, left)
        iam = self.server.client("iam", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                 token=c["SessionToken"])
        self.assertIn("SamlTagged", [x["RoleName"] for x in iam.list_roles()["Roles"]])
        # DurationSeconds above the SessionDuration attribute: the attribute caps it
        r = self.assume(signed, role=role, DurationSeconds=3000)
        left = (r["Credentials"]["Expiration"]
                - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(1100 < left <= 1200, left)

    def test_cli_unsigned(self):
        xml = self.sign(response([self.pair()], session="cli-user"))
        rc, out, err = self.server.cli("sts", "assume-role-with-saml", "--no-sign-request",
                                       "--role-arn", self.role, "--principal-arn", self.provider,
                                       "--saml-assertion", self.b64(xml))
        self.assertEqual(out["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{ACCT}:assumed-role/SamlDev/cli-user")
        rc, out, err = self.server.cli("sts", "assume-role-with-saml", "--no-sign-request",
                                       "--role-arn", self.role, "--principal-arn", self.provider,
                                       "--saml-assertion", self.b64(response([self.pair()],
                                                                             signed=False)),
                                       check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidIdentityToken", err)
        self.assertIn("Response signature invalid", err)

    def test_trust_condition_on_subject(self):
        pair = self.pair(role=self.alice_role)
        r = self.assume(self.sign(response([pair])), role=self.alice_role)
        self.assertEqual(r["Subject"], "alice")
        self.refused(self.sign(response([pair], subject="bob", session="bob")), "AccessDenied", 403,
                     "Not authorized to perform sts:AssumeRoleWithSAML", role=self.alice_role)

    def test_refusals(self):
        good = self.sign(response([self.pair()]))
        bad_sig = ("InvalidIdentityToken", 400, "Response signature invalid")
        self.refused(response([self.pair()], signed=False), *bad_sig)
        self.refused(self.sign(response([self.pair()]), key="other"), *bad_sig)
        self.refused(good.replace(">alice<", ">admin<", 1), *bad_sig)
        # wrapping: the signed assertion moved into Extensions, a forged one in its place
        start, end = good.index("<saml:Assertion"), good.index("</saml:Assertion>") + 17
        signed_part = good[start:end]
        forged = signed_part.replace(">alice\n<", ">admin\n<").replace(">alice<", ">admin<")
        for f in (forged, forged.replace('ID="_assert1"', 'ID="_evil"')):
            wrapped = (good[:start] + "<samlp:Extensions>" + signed_part + "</samlp:Extensions>"
                       + f + good[end:])
            self.refused(wrapped, *bad_sig)
        self.refused(self.sign(response([self.pair()], not_before=-600, not_after=-300)),
                     "ExpiredTokenException", 400, "Response has expired")
        self.refused(self.sign(response([self.pair()], issued=-360, not_before=-360, not_after=3600)),
                     "ExpiredTokenException", 400,
                     "Token must be redeemed within 5 minutes of issuance")
        self.refused(self.sign(response([self.pair()], issuer="https://elsewhere.example.com")),
                     "InvalidIdentityToken", 400, "Issuer not present in specified provider")
        self.refused(self.sign(response([self.pair()], session="bad name!")),
                     "InvalidIdentityToken", 400,
                     "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
        self.refused(self.sign(response([self.pair()], not_before=300, not_after=600)),
                     "InvalidIdentityToken", 400, "SAML assertion is not yet valid")
        self.refused(self.sign(response([self.pair()], audience="https://sp.example.com")),
                     "InvalidIdentityToken", 400, "Invalid audience")
        other_role = f"arn:aws:iam::{ACCT}:role/AliceOnly"
        self.refused(good, "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML",
                     role=other_role)
        # the assertion pairs the role with TestIdp; PrincipalArn names another provider
        self.refused(good, "InvalidIdentityToken", 400, bad_sig[2], provider=self.provider2)
        self.refused(self.sign(response([self.pair(provider=self.provider2)])), "AccessDenied",
                     403, "Not authorized to perform sts:AssumeRoleWithSAML")
        self.refused(good, "InvalidIdentityToken", 400, "Specified provider doesn't exist",
                     provider=f"arn:aws:iam::{ACCT}:saml-provider/Nope")
        with self.assertRaises(ClientError) as e:
            self.sts.assume_role_with_saml(RoleArn=self.role, PrincipalArn=self.provider,
                                           SAMLAssertion="!!!!not-base64!!!!")
        self.assertEqual(self.error_code(e.exception), "InvalidIdentityToken")
        # the server keeps serving
        self.assertTrue(self.assume(self.sign(response([self.pair()])))["Credentials"])


if __name__ == "__main__":
    harness.main()
