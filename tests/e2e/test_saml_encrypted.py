"""AssumeRoleWithSAML with encrypted assertions: the IdP signs its Assertion, then encrypts it
(xmlsec1 --encrypt: AES-256-CBC under a session key wrapped with RSA-OAEP to the service
provider's certificate) into a saml:EncryptedAssertion; the IAM SAML provider holds the
private key (CreateSAMLProvider/UpdateSAMLProvider AddPrivateKey, sealed at rest), and STS
decrypts the assertion with it before checking its signature. A provider whose
AssertionEncryptionMode is Required refuses an unencrypted assertion; an assertion
encrypted to a key the provider does not hold, or to a key it no longer holds
(RemovePrivateKey), or tampered, is refused; decrypting is no substitute for the IdP's
signature. The private key never reaches the trail or the log. boto3 and the aws CLI."""
import base64
import json
import os
import re
import subprocess
import tempfile

import botocore
from botocore.exceptions import ClientError

import harness
from test_saml_federation import ENTITY, response
from test_saml_providers import metadata, openssl_pair

ACCT = harness.ACCOUNT
TEMPLATE = ('<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" '
            'Type="http://www.w3.org/2001/04/xmlenc#Element">'
            '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>'
            '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey>'
            '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>'
            '<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>'
            '<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>')
INVALID = ("InvalidIdentityToken", 400, "Invalid SAML response")


class SamlEncrypted(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="saml-enc-")
        cls.cert, _ = openssl_pair(cls.tmp, "idp")
        _, cls.sp_key = openssl_pair(cls.tmp, "sp")
        _, cls.other_key = openssl_pair(cls.tmp, "sp2")
        with open(os.path.join(cls.tmp, "tmpl.xml"), "w") as f:
            f.write(TEMPLATE)
        cls.iam = cls.server.client("iam")
        cls.provider = cls.iam.create_saml_provider(
            Name="EncIdp", SAMLMetadataDocument=metadata(cls.cert, entity_id=ENTITY),
            AssertionEncryptionMode="Required", AddPrivateKey=cls.sp_key)["SAMLProviderArn"]
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": cls.provider},
            "Action": "sts:AssumeRoleWithSAML"}]}
        cls.role = cls.iam.create_role(RoleName="SamlEnc", AssumeRolePolicyDocument=json.dumps(
            trust))["Role"]["Arn"]
        cls.sts = cls.server.client("sts", signature_version=botocore.UNSIGNED)

    def run_xmlsec(self, *args):
        subprocess.run(["xmlsec1", *args], check=True, capture_output=True)

    def sign(self, xml):
        src, out = os.path.join(self.tmp, "in.xml"), os.path.join(self.tmp, "signed.xml")
        with open(src, "w") as f:
            f.write(xml)
        self.run_xmlsec("--sign", "--privkey-pem", os.path.join(self.tmp, "idp.key"), "--id-attr:ID",
                        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", "--output", out, src)
        with open(out) as f:
            return f.read()

    def encrypt(self, xml, to="sp"):
        """The Assertion of xml encrypted to the certificate `to`, in an EncryptedAssertion."""
        src, out = os.path.join(self.tmp, "plain.xml"), os.path.join(self.tmp, "enc.xml")
        with open(src, "w") as f:
            f.write(xml)
        self.run_xmlsec("--encrypt", "--pubkey-cert-pem", os.path.join(self.tmp, to + ".crt"),
                        "--session-key", "aes-256", "--xml-data", src, "--node-name",
                        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", "--output", out,
                        os.path.join(self.tmp, "tmpl.xml"))
        with open(out) as f:
            text = f.read()
        return re.sub(r"(<xenc:EncryptedData .*</xenc:EncryptedData>)",
                      r'<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">'
                      r"\1</saml:EncryptedAssertion>", text, flags=re.S)

    def assume(self, xml):
        return self.sts.assume_role_with_saml(RoleArn=self.role, PrincipalArn=self.provider,
                                              SAMLAssertion=base64.b64encode(xml.encode()).decode())

    def refused(self, xml, want=INVALID):
        with self.assertRaises(ClientError) as e:
            self.assume(xml)
        r = e.exception.response
        self.assertEqual((r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"],
                          r["Error"]["Message"]), want)

    def pair(self):
        return f"{self.role},{self.provider}"

    def test_encrypted_assertion_assumes_the_role(self):
        xml = self.encrypt(self.sign(response([self.pair()], subject="enc-alice")))
        self.assertIn("EncryptedAssertion", xml)
        self.assertNotIn("enc-alice", xml)
        r = self.assume(xml)
        self.assertEqual(r["Subject"], "enc-alice")
        self.assertEqual(r["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCT}:assumed-role/SamlEnc/alice")
        c = r["Credentials"]
        me = self.server.client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                token=c["SessionToken"]).get_caller_identity()
        self.assertEqual(me["Arn"], r["AssumedRoleUser"]["Arn"])
        # the aws CLI sends it the same way
        rc, out, err = self.server.cli("sts", "assume-role-with-saml", "--role-arn", self.role,
                                       "--principal-arn", self.provider, "--saml-assertion",
                                       base64.b64encode(self.encrypt(self.sign(
                                           response([self.pair()]))).encode()).decode(),
                                       "--no-sign-request", check=False)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Subject"], "alice")
        # the private key is nowhere in the trail or the log
        body = "".join(l for l in self.sp_key.splitlines() if "PRIVATE" not in l)[:64]
        self.assertNotIn(body, json.dumps(self.server.audit_records()))
        self.assertNotIn(body, self.server.read_log())

    def test_refusals(self):
        signed = self.sign(response([self.pair()]))
        # Required: an unencrypted (if signed) assertion is refused
        self.refused(signed)
        # encrypted to a key the provider does not hold
        self.refused(self.encrypt(signed, to="sp2"))
        # decrypts, but the IdP never signed it
        self.refused(self.encrypt(response([self.pair()], signed=False)),
                     ("InvalidIdentityToken", 400, "Response signature invalid"))
        # tampered ciphertext
        enc = self.encrypt(signed)
        values = re.findall(r"<xenc:CipherValue>([^<]+)</xenc:CipherValue>", enc)
        data = base64.b64decode(values[-1])
        bad = base64.b64encode(data[:-20] + bytes(b ^ 0x5A for b in data[-20:])).decode()
        self.refused(enc.replace(values[-1], bad))
        # two assertions, one of them encrypted
        both = enc.replace("</samlp:Response>", re.search(r"<saml:Assertion .*</saml:Assertion>",
                                                             signed, re.S).group(0) + "</samlp:Response>")
        self.refused(both)

    def test_key_rotation_and_allowed_mode(self):
        name = "EncRotate"
        arn = self.iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata(self.cert, entity_id=ENTITY),
                                            AddPrivateKey=self.sp_key)["SAMLProviderArn"]
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": arn},
                                                         "Action": "sts:AssumeRoleWithSAML"}]}
        role = self.iam.create_role(RoleName="SamlEncRotate", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        sts = self.sts

        def assume(xml):
            return sts.assume_role_with_saml(RoleArn=role, PrincipalArn=arn,
                                             SAMLAssertion=base64.b64encode(xml.encode()).decode())
        signed = self.sign(response([f"{role},{arn}"]))
        # Allowed (the default): both plain and encrypted assertions
        self.assertEqual(self.iam.get_saml_provider(SAMLProviderArn=arn)["AssertionEncryptionMode"], "Allowed")
        assume(signed)
        assume(self.encrypt(signed))
        # a second key, then the first removed: only assertions to the second decrypt
        self.iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=self.other_key)
        assume(self.encrypt(signed, to="sp2"))
        keys = self.iam.get_saml_provider(SAMLProviderArn=arn)["PrivateKeyList"]
        self.assertEqual(len(keys), 2)
        self.iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey=keys[0]["KeyId"])
        assume(self.encrypt(signed, to="sp2"))
        with self.assertRaises(ClientError) as e:
            assume(self.encrypt(signed, to="sp"))
        self.assertEqual(e.exception.response["Error"]["Message"], "Invalid SAML response")


if __name__ == "__main__":
    harness.main()
