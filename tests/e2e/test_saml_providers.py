"""IAM SAML identity providers through boto3 and the AWS CLI: Create/Get/List/Update/
DeleteSAMLProvider and the provider tags, with realistic IdP metadata built here around a
self-signed certificate made by `openssl req -x509`; malformed, non-SAML and hostile
(DTD) documents refused as AWS words it while the server keeps serving; ValidUntil from
the metadata; private keys for encrypted assertions (kept sealed: never in the trail or the
store in clear); quotas, authorization and GetAccountSummary's Providers
(src/services/iam/saml_providers.c, saml_metadata.c, providers.c)."""
import datetime
import json
import os
import subprocess
import tempfile
import urllib.request

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"


def openssl_pair(workdir, name):
    """A self-signed RSA certificate and its key: (base64 DER body of the cert, key PEM)."""
    key, crt = os.path.join(workdir, name + ".key"), os.path.join(workdir, name + ".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "30", "-subj", f"/CN={name}.idp.example.com"],
                   check=True, capture_output=True)
    with open(crt) as f:
        body = "".join(line for line in f.read().splitlines() if "CERTIFICATE" not in line)
    with open(key) as f:
        return body, f.read()


def metadata(cert, entity_id="https://idp.example.com/saml", valid_until=None,
             role="IDPSSODescriptor", use="signing", protocol="urn:oasis:names:tc:SAML:2.0:protocol"):
    """IdP metadata as IdPs publish it: md:EntityDescriptor, md:IDPSSODescriptor, a signing
    KeyDescriptor with the certificate, name id formats and SSO endpoints."""
    until = f' validUntil="{valid_until}"' if valid_until else ""
    use_attr = f' use="{use}"' if use else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="{MD_NS}" entityID="{entity_id}"{until}>
  <md:{role} WantAuthnRequestsSigned="false" protocolSupportEnumeration="{protocol}">
    <md:KeyDescriptor{use_attr}>
      <ds:KeyInfo xmlns:ds="{DS_NS}">
        <ds:X509Data>
          <ds:X509Certificate>
{cert}
          </ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/saml/sso/redirect"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="https://idp.example.com/saml/sso/post"/>
  </md:{role}>
</md:EntityDescriptor>
"""


def arn_of(name):
    return f"arn:aws:iam::{ACCT}:saml-provider/{name}"


class SamlProviders(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = tempfile.mkdtemp(prefix="custos-saml-")
        cls.cert, cls.key_pem = openssl_pair(cls.work, "one")
        cls.cert2, cls.key2_pem = openssl_pair(cls.work, "two")
        cls.doc = metadata(cls.cert)

    def setUp(self):
        self.iam = self.server.client("iam")

    def assert_error(self, e, code, status, message):
        self.assertEqual(self.error_code(e.exception), code)
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        self.assertEqual(e.exception.response["Error"]["Message"], message)

    def assert_serving(self):
        with urllib.request.urlopen(self.server.endpoint + "/_custos/health", timeout=5) as r:
            self.assertEqual(r.status, 200)
        self.iam.list_saml_providers()

    def test_create_get_list_update_delete(self):
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        doc = metadata(self.cert, valid_until="2031-02-03T04:05:06.789Z")
        r = self.iam.create_saml_provider(Name="Corp_IdP-1.x", SAMLMetadataDocument=doc)
        arn = r["SAMLProviderArn"]
        self.assertEqual(arn, arn_of("Corp_IdP-1.x"))
        self.assertNotIn("Tags", r)
        got = self.iam.get_saml_provider(SAMLProviderArn=arn)
        self.assertEqual(got["SAMLMetadataDocument"], doc)
        self.assertEqual(got["ValidUntil"], datetime.datetime(2031, 2, 3, 4, 5, 6,
                                                              tzinfo=datetime.timezone.utc))
        self.assertGreaterEqual(got["CreateDate"], before)
        self.assertRegex(got["SAMLProviderUUID"], r"^[A-Z0-9]{22,64}$")
        self.assertEqual(got["AssertionEncryptionMode"], "Allowed")
        self.assertEqual(got["PrivateKeyList"], [])
        self.assertEqual(got["Tags"], [])
        # what STS needs stays in the record, never in a response
        self.assertNotIn("EntityId", got)
        self.assertNotIn("SigningCertificates", got)
        listed = [p for p in self.iam.list_saml_providers()["SAMLProviderList"] if p["Arn"] == arn]
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]["ValidUntil"], got["ValidUntil"])
        self.assertEqual(listed[0]["CreateDate"], got["CreateDate"])
        self.assertEqual(set(listed[0]), {"Arn", "ValidUntil", "CreateDate"})
        # an update without validUntil: valid for 100 calendar years from now (AWS's default)
        new_doc = metadata(self.cert2, entity_id="https://idp2.example.com/saml")
        up = self.iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=new_doc)
        self.assertEqual(up["SAMLProviderArn"], arn)
        got2 = self.iam.get_saml_provider(SAMLProviderArn=arn)
        self.assertEqual(got2["SAMLMetadataDocument"], new_doc)
        now = datetime.datetime.now(datetime.timezone.utc)
        until = got2["ValidUntil"]
        self.assertEqual((until.year, until.month), (before.year + 100, before.month))
        self.assertLessEqual(abs(until.replace(year=now.year) - now).total_seconds(), 5)
        self.assertEqual(got2["SAMLProviderUUID"], got["SAMLProviderUUID"])
        self.assertEqual(got2["CreateDate"], got["CreateDate"])
        self.iam.delete_saml_provider(SAMLProviderArn=arn)
        self.assertNotIn(arn, [p["Arn"] for p in self.iam.list_saml_providers()["SAMLProviderList"]])
        msg = f"Manifest not found for arn {arn}"
        for call in (lambda: self.iam.get_saml_provider(SAMLProviderArn=arn),
                     lambda: self.iam.delete_saml_provider(SAMLProviderArn=arn),
                     lambda: self.iam.update_saml_provider(SAMLProviderArn=arn,
                                                           SAMLMetadataDocument=new_doc),
                     lambda: self.iam.tag_saml_provider(SAMLProviderArn=arn,
                                                        Tags=[{"Key": "k", "Value": "v"}]),
                     lambda: self.iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["k"]),
                     lambda: self.iam.list_saml_provider_tags(SAMLProviderArn=arn)):
            with self.assertRaises(ClientError) as e:
                call()
            self.assert_error(e, "NoSuchEntity", 404, msg)

    def test_duplicate(self):
        self.iam.create_saml_provider(Name="dup", SAMLMetadataDocument=self.doc)
        with self.assertRaises(ClientError) as e:
            self.iam.create_saml_provider(Name="dup", SAMLMetadataDocument=self.doc)
        self.assert_error(e, "EntityAlreadyExists", 409, "Provider with name dup already exists.")
        self.iam.delete_saml_provider(SAMLProviderArn=arn_of("dup"))

    def test_bad_metadata(self):
        pad = "<!--" + "x" * 1000 + "-->"
        good = self.doc
        laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
                            for i in range(10))
                  + ']>' + good.split("?>", 1)[1].replace('entityID="', 'entityID="&lol9;'))
        external = ('<?xml version="1.0"?><!DOCTYPE md [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    + good.split("?>", 1)[1].replace('entityID="', 'entityID="&x;'))
        cases = {
            "not xml": "this is not XML at all " + "y" * 1000,
            "truncated": good[:len(good) // 2],
            "unclosed": good.replace("</md:EntityDescriptor>", ""),
            "html": f"<html><body>{pad}</body></html>",
            "other namespace": good.replace(MD_NS, "urn:example:not-saml"),
            "sp metadata": metadata(self.cert, role="SPSSODescriptor"),
            "no entityID": good.replace('entityID="https://idp.example.com/saml"', ""),
            "saml 1.1 only": metadata(self.cert, protocol="urn:oasis:names:tc:SAML:1.1:protocol"),
            "encryption key only": metadata(self.cert, use="encryption"),
            "certificate not base64": metadata("!!not base64!!" + "A" * 200),
            "certificate not x509": metadata("QUJD" * 300),
            "bad validUntil": metadata(self.cert, valid_until="next tuesday"),
            "billion laughs": laughs,
            "external entity": external,
        }
        for what, doc in cases.items():
            with self.assertRaises(ClientError, msg=what) as e:
                self.iam.create_saml_provider(Name="bad", SAMLMetadataDocument=doc)
            self.assert_error(e, "InvalidInput", 400, "Could not parse metadata")
            self.assert_serving()
        with self.assertRaises(ClientError) as e:
            self.iam.get_saml_provider(SAMLProviderArn=arn_of("bad"))
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        # shorter than the model's 1,000 characters: the validator's error
        with self.assertRaises(ClientError) as e:
            self.server.client("iam", parameter_validation=False).create_saml_provider(
                Name="short", SAMLMetadataDocument="<x/>")
        self.assertEqual(self.error_code(e.exception), "ValidationError")
        # an update with a bad document leaves the provider as it was
        arn = self.iam.create_saml_provider(Name="keep", SAMLMetadataDocument=good)[
            "SAMLProviderArn"]
        with self.assertRaises(ClientError) as e:
            self.iam.update_saml_provider(SAMLProviderArn=arn,
                                          SAMLMetadataDocument=cases["sp metadata"])
        self.assert_error(e, "InvalidInput", 400, "Could not parse metadata")
        self.assertEqual(self.iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"],
                         good)
        self.iam.delete_saml_provider(SAMLProviderArn=arn)

    def test_metadata_variants_accepted(self):
        # a KeyDescriptor without `use` signs too; two signing certificates; no XML prolog
        doc = metadata(self.cert, use=None).replace(
            "</md:KeyDescriptor>", "</md:KeyDescriptor>" + metadata(self.cert2).split(
                "<md:KeyDescriptor use=\"signing\">")[1].split("</md:KeyDescriptor>")[0]
            .join(['<md:KeyDescriptor use="signing">', "</md:KeyDescriptor>"]), 1)
        doc = doc.split("?>", 1)[1].lstrip()
        arn = self.iam.create_saml_provider(Name="variants", SAMLMetadataDocument=doc)[
            "SAMLProviderArn"]
        self.assertEqual(self.iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"],
                         doc)
        self.iam.delete_saml_provider(SAMLProviderArn=arn)

    def test_private_keys(self):
        arn = self.iam.create_saml_provider(Name="enc", SAMLMetadataDocument=self.doc,
                                            AssertionEncryptionMode="Required",
                                            AddPrivateKey=self.key_pem)["SAMLProviderArn"]
        got = self.iam.get_saml_provider(SAMLProviderArn=arn)
        self.assertEqual(got["AssertionEncryptionMode"], "Required")
        self.assertEqual(len(got["PrivateKeyList"]), 1)
        first = got["PrivateKeyList"][0]
        self.assertRegex(first["KeyId"], r"^[A-Z0-9]{22,64}$")
        self.assertEqual(set(first), {"KeyId", "Timestamp"})
        self.iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=self.key2_pem)
        keys = self.iam.get_saml_provider(SAMLProviderArn=arn)["PrivateKeyList"]
        self.assertEqual(len(keys), 2)
        with self.assertRaises(ClientError) as e:
            self.iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=self.key_pem)
        self.assert_error(e, "LimitExceeded", 409,
                          "Cannot exceed quota for PrivateKeysPerSamlProvider: 2")
        with self.assertRaises(ClientError) as e:
            self.iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey="not a key " * 10)
        self.assert_error(e, "InvalidInput", 400, "The private key is not valid.")
        with self.assertRaises(ClientError) as e:
            self.iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey="A" * 32)
        self.assert_error(e, "InvalidInput", 400, f"The private key {'A' * 32} does not exist.")
        # rotation in one call: remove the old, add a new
        self.iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey=first["KeyId"],
                                      AddPrivateKey=self.key_pem)
        keys2 = self.iam.get_saml_provider(SAMLProviderArn=arn)["PrivateKeyList"]
        self.assertNotIn(first["KeyId"], [k["KeyId"] for k in keys2])
        self.assertEqual(len(keys2), 2)
        for k in keys2:
            self.iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey=k["KeyId"],
                                          AssertionEncryptionMode="Allowed")
        self.assertEqual(self.iam.get_saml_provider(SAMLProviderArn=arn)["PrivateKeyList"], [])
        with self.assertRaises(ClientError) as e:
            self.iam.update_saml_provider(SAMLProviderArn=arn, AssertionEncryptionMode="Required")
        self.assert_error(e, "InvalidInput", 400,
                          "AssertionEncryptionMode Required needs a private key.")
        with self.assertRaises(ClientError) as e:
            self.iam.create_saml_provider(Name="enc2", SAMLMetadataDocument=self.doc,
                                          AssertionEncryptionMode="Required")
        self.assertEqual(self.error_code(e.exception), "InvalidInput")
        # the keys are secrets: not in the trail, not in clear in the data directory
        # (lines near the PEM's end: CRT values, private; earlier ones carry the public
        # modulus, which the certificate in the metadata shows as well)
        secrets = [line for pem in (self.key_pem, self.key2_pem)
                   for line in pem.splitlines()[-4:-1]]
        trail = json.dumps(self.server.audit_records())
        self.assertIn("CreateSAMLProvider", trail)
        self.assertIn("HIDDEN_DUE_TO_SECURITY_REASONS", trail)
        self.assertFalse([s for s in secrets if s in trail])
        self.assertNotIn("PRIVATE KEY", trail)
        for root, _, files in os.walk(self.server.data_dir):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    data = fh.read()
                self.assertFalse([s for s in secrets if s.encode() in data], f)
                self.assertNotIn(b"PRIVATE KEY", data, f)
        self.iam.delete_saml_provider(SAMLProviderArn=arn)

    def test_tags_and_pagination(self):
        tags = [{"Key": f"k{i:02d}", "Value": f"v{i}"} for i in range(7)]
        r = self.iam.create_saml_provider(Name="tagged", SAMLMetadataDocument=self.doc, Tags=tags)
        arn = r["SAMLProviderArn"]
        self.assertEqual(r["Tags"], tags)
        page = self.iam.list_saml_provider_tags(SAMLProviderArn=arn, MaxItems=5)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual(page["Tags"], tags[:5])
        rest = self.iam.list_saml_provider_tags(SAMLProviderArn=arn, Marker=page["Marker"])
        self.assertFalse(rest["IsTruncated"])
        self.assertEqual(rest["Tags"], tags[5:])
        pages = self.iam.get_paginator("list_saml_provider_tags").paginate(
            SAMLProviderArn=arn, PaginationConfig={"PageSize": 2})
        self.assertEqual([t for p in pages for t in p["Tags"]], tags)
        self.iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["k00"])
        self.iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "k01", "Value": "x"}])
        got = self.iam.get_saml_provider(SAMLProviderArn=arn)["Tags"]
        self.assertEqual(got[0], {"Key": "k01", "Value": "x"})
        self.assertEqual(len(got), 6)
        self.iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[
            {"Key": f"m{i}", "Value": "v"} for i in range(44)])
        with self.assertRaises(ClientError) as e:
            self.iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "over", "Value": "v"}])
        self.assert_error(e, "LimitExceeded", 409,
                          "The number of tags has reached the maximum limit.")
        self.iam.delete_saml_provider(SAMLProviderArn=arn)

    def test_account_summary_counts_both_kinds(self):
        def providers():
            return self.iam.get_account_summary()["SummaryMap"]["Providers"]
        start = providers()
        saml = self.iam.create_saml_provider(Name="counted", SAMLMetadataDocument=self.doc)[
            "SAMLProviderArn"]
        oidc = self.iam.create_open_id_connect_provider(Url="https://counted.example.com")[
            "OpenIDConnectProviderArn"]
        self.assertEqual(providers(), start + 2)
        self.iam.delete_saml_provider(SAMLProviderArn=saml)
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=oidc)
        self.assertEqual(providers(), start)

    def test_authorization(self):
        arn = self.iam.create_saml_provider(Name="guarded", SAMLMetadataDocument=self.doc)[
            "SAMLProviderArn"]
        user, key, secret = self.server.user("no-saml-rights")
        iam = self.server.client("iam", key=key, secret=secret)
        for call, action, resource in (
                (lambda: iam.get_saml_provider(SAMLProviderArn=arn), "iam:GetSAMLProvider", arn),
                (lambda: iam.delete_saml_provider(SAMLProviderArn=arn),
                 "iam:DeleteSAMLProvider", arn),
                (lambda: iam.update_saml_provider(SAMLProviderArn=arn,
                                                  SAMLMetadataDocument=self.doc),
                 "iam:UpdateSAMLProvider", arn),
                (lambda: iam.create_saml_provider(Name="new-one", SAMLMetadataDocument=self.doc),
                 "iam:CreateSAMLProvider", arn_of("new-one")),
                (lambda: iam.list_saml_providers(), "iam:ListSAMLProviders", "*")):
            with self.assertRaises(ClientError) as e:
                call()
            on = "" if resource == "*" else f" on resource: {resource}"
            self.assert_error(e, "AccessDenied", 403,
                              f"User: {user} is not authorized to perform: {action}{on} "
                              f"because no identity-based policy allows the {action} action")
        self.iam.put_user_policy(UserName="no-saml-rights", PolicyName="one", PolicyDocument=
                                 json.dumps({"Version": "2012-10-17", "Statement": [{
                                     "Effect": "Allow", "Action": "iam:GetSAMLProvider",
                                     "Resource": arn}]}))
        self.assertEqual(iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"],
                         self.doc)
        self.iam.delete_saml_provider(SAMLProviderArn=arn)

    def test_cli(self):
        path = os.path.join(self.work, "idp.xml")
        with open(path, "w") as f:
            f.write(self.doc)
        _, out, _ = self.server.cli("iam", "create-saml-provider", "--name", "cli-idp",
                                    "--saml-metadata-document", "file://" + path,
                                    "--tags", "Key=env,Value=test")
        arn = out["SAMLProviderArn"]
        self.assertEqual(arn, arn_of("cli-idp"))
        _, out, _ = self.server.cli("iam", "get-saml-provider", "--saml-provider-arn", arn)
        self.assertEqual(out["SAMLMetadataDocument"], self.doc)
        self.assertEqual(out["Tags"], [{"Key": "env", "Value": "test"}])
        _, out, _ = self.server.cli("iam", "list-saml-providers")
        self.assertIn(arn, [p["Arn"] for p in out["SAMLProviderList"]])
        with open(path, "w") as f:
            f.write(metadata(self.cert2))
        _, out, _ = self.server.cli("iam", "update-saml-provider", "--saml-provider-arn", arn,
                                    "--saml-metadata-document", "file://" + path)
        self.assertEqual(out["SAMLProviderArn"], arn)
        self.server.cli("iam", "tag-saml-provider", "--saml-provider-arn", arn, "--tags",
                        "Key=k,Value=v")
        self.server.cli("iam", "untag-saml-provider", "--saml-provider-arn", arn, "--tag-keys",
                        "env")
        _, out, _ = self.server.cli("iam", "list-saml-provider-tags", "--saml-provider-arn", arn)
        self.assertEqual(out["Tags"], [{"Key": "k", "Value": "v"}])
        with open(path, "w") as f:
            f.write("<notsaml>" + "z" * 1000 + "</notsaml>")
        rc, _, err = self.server.cli("iam", "create-saml-provider", "--name", "cli-bad",
                                     "--saml-metadata-document", "file://" + path, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidInput", err)
        self.assertIn("Could not parse metadata", err)
        self.server.cli("iam", "delete-saml-provider", "--saml-provider-arn", arn)
        rc, _, err = self.server.cli("iam", "get-saml-provider", "--saml-provider-arn", arn,
                                     check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("Manifest not found", err)


class SamlProviderQuota(harness.ServerTest):
    def test_one_hundred_per_account(self):
        work = tempfile.mkdtemp(prefix="custos-saml-q-")
        doc = metadata(openssl_pair(work, "q")[0])
        iam = self.server.client("iam")
        for i in range(100):
            iam.create_saml_provider(Name=f"q{i}", SAMLMetadataDocument=doc)
        with self.assertRaises(ClientError) as e:
            iam.create_saml_provider(Name="q100", SAMLMetadataDocument=doc)
        self.assertEqual(self.error_code(e.exception), "LimitExceeded")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Cannot exceed quota for SAMLProvidersPerAccount: 100")
        self.assertEqual(len(iam.list_saml_providers()["SAMLProviderList"]), 100)
        # the OIDC quota is its own
        iam.create_open_id_connect_provider(Url="https://other-quota.example.com")
        self.assertEqual(iam.get_account_summary()["SummaryMap"]["Providers"], 101)


if __name__ == "__main__":
    harness.main()
