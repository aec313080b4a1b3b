"""Signing certificates of IAM users and of the root user: X.509 certificates made with
openssl, uploaded, listed, updated, deleted; malformed and expired ones, duplicates (in the
whole account) and the quota of two refused with AWS's errors while the server keeps
serving; DeleteUser, UpdateUser and GetAccountSummary know them."""
from botocore.exceptions import ClientError

import certgen
import harness

MALFORMED = ("MalformedCertificate", 400,
             "Unable to parse certificate. Please ensure the certificate is in PEM format.")


class SigningCertificates(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def test_a_lifecycle(self):
        iam = self.iam
        iam.create_user(UserName="signer")
        body, _ = certgen.openssl_pair()
        c = iam.upload_signing_certificate(UserName="signer", CertificateBody=body)["Certificate"]
        self.assertEqual(set(c), {"UserName", "CertificateId", "CertificateBody", "Status",
                                  "UploadDate"})
        self.assertEqual((c["UserName"], c["Status"], c["CertificateBody"]),
                         ("signer", "Active", body))
        self.assertRegex(c["CertificateId"], r"^[A-Z2-7]{32}$")
        cid = c["CertificateId"]
        listed = iam.list_signing_certificates(UserName="signer")
        self.assertFalse(listed["IsTruncated"])
        self.assertEqual(listed["Certificates"], [c])
        iam.update_signing_certificate(UserName="signer", CertificateId=cid, Status="Inactive")
        self.assertEqual(iam.list_signing_certificates(UserName="signer")["Certificates"][0][
            "Status"], "Inactive")
        self.assertEqual(self.error(lambda: iam.update_signing_certificate(
            UserName="signer", CertificateId="A" * 32, Status="Active")),
            ("NoSuchEntity", 404, f"The Certificate with id {'A' * 32} cannot be found."))
        self.assertEqual(self.error(lambda: iam.delete_user(UserName="signer")),
                         ("DeleteConflict", 409,
                          "Cannot delete entity, must delete certificates first."))
        iam.delete_signing_certificate(UserName="signer", CertificateId=cid)
        self.assertEqual(iam.list_signing_certificates(UserName="signer")["Certificates"], [])
        self.assertEqual(self.error(lambda: iam.delete_signing_certificate(
            UserName="signer", CertificateId=cid))[:2], ("NoSuchEntity", 404))
        iam.delete_user(UserName="signer")

    def test_b_bad_certificates(self):
        iam = self.iam
        iam.create_user(UserName="bad-signer")
        body, key = certgen.openssl_pair()
        lines = body.strip().split("\n")
        expired, _ = certgen.expired_pair()
        cases = [
            ("hello", MALFORMED),
            ("\n".join(lines[:-3] + lines[-1:]), MALFORMED),          # truncated
            ("\n".join(lines[:3] + ["AAAA" + lines[3][4:]] + lines[4:]), MALFORMED),  # tampered
            (key, MALFORMED),                                         # a key, not a cert
            (body + body, MALFORMED),                                 # two certificates
            (body + "trailing text", MALFORMED),
            (expired, ("MalformedCertificate", 400, "The certificate has expired.")),
        ]
        for text, want in cases:
            with self.subTest(text=text[:40]):
                self.assertEqual(self.error(lambda: iam.upload_signing_certificate(
                    UserName="bad-signer", CertificateBody=text)), want)
        self.assertEqual(iam.list_signing_certificates(UserName="bad-signer")["Certificates"], [])
        # the server still serves
        iam.upload_signing_certificate(UserName="bad-signer", CertificateBody=body)

    def test_c_duplicate_and_quota(self):
        iam = self.iam
        iam.create_user(UserName="q1")
        iam.create_user(UserName="q2")
        one, two, three = (certgen.openssl_pair()[0] for _ in range(3))
        iam.upload_signing_certificate(UserName="q1", CertificateBody=one)
        dup = ("DuplicateCertificate", 409,
               "The same certificate is already associated with an IAM user in the account.")
        self.assertEqual(self.error(lambda: iam.upload_signing_certificate(
            UserName="q1", CertificateBody=one)), dup)
        # held by one user of the account only
        self.assertEqual(self.error(lambda: iam.upload_signing_certificate(
            UserName="q2", CertificateBody="\n" + one + "\n")), dup)
        iam.upload_signing_certificate(UserName="q1", CertificateBody=two)
        self.assertEqual(self.error(lambda: iam.upload_signing_certificate(
            UserName="q1", CertificateBody=three)),
            ("LimitExceeded", 409, "Cannot exceed quota for SigningCertificatesPerUser: 2"))
        page = iam.list_signing_certificates(UserName="q1", MaxItems=1)
        self.assertTrue(page["IsTruncated"])
        rest = iam.list_signing_certificates(UserName="q1", MaxItems=1, Marker=page["Marker"])
        self.assertFalse(rest["IsTruncated"])
        self.assertNotEqual(page["Certificates"][0]["CertificateId"],
                            rest["Certificates"][0]["CertificateId"])
        self.assertEqual(self.error(lambda: iam.list_signing_certificates(
            UserName="q1", Marker="bogus"))[:2], ("ValidationError", 400))
        p = iam.get_paginator("list_signing_certificates")
        self.assertEqual(sum(len(x["Certificates"]) for x in
                             p.paginate(UserName="q1", PaginationConfig={"PageSize": 1})), 2)

    def test_d_root_and_summary(self):
        iam = self.iam
        summary = iam.get_account_summary()["SummaryMap"]
        self.assertEqual(summary["AccountSigningCertificatesPresent"], 0)
        body, _ = certgen.openssl_pair()
        c = iam.upload_signing_certificate(CertificateBody=body)["Certificate"]
        self.assertNotIn("UserName", c)
        self.assertEqual([x["CertificateId"] for x in
                          iam.list_signing_certificates()["Certificates"]], [c["CertificateId"]])
        self.assertEqual(iam.get_account_summary()["SummaryMap"][
            "AccountSigningCertificatesPresent"], 1)
        iam.delete_signing_certificate(CertificateId=c["CertificateId"])
        self.assertEqual(iam.get_account_summary()["SummaryMap"][
            "AccountSigningCertificatesPresent"], 0)

    def test_e_rename_and_caller(self):
        s = self.server
        iam = self.iam
        arn, akid, secret = s.user("cert-self", {"Effect": "Allow", "Action": [
            "iam:UploadSigningCertificate", "iam:ListSigningCertificates"], "Resource": "*"})
        me = s.client("iam", key=akid, secret=secret)
        body, _ = certgen.openssl_pair()
        cid = me.upload_signing_certificate(CertificateBody=body)["Certificate"]["CertificateId"]
        self.assertEqual([c["UserName"] for c in me.list_signing_certificates()["Certificates"]],
                         ["cert-self"])
        with self.assertRaises(ClientError) as e:
            me.delete_signing_certificate(CertificateId=cid)
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")
        self.assertIn("iam:DeleteSigningCertificate", e.exception.response["Error"]["Message"])
        self.assertIn(arn, e.exception.response["Error"]["Message"])
        iam.update_user(UserName="cert-self", NewUserName="cert-renamed")
        got = iam.list_signing_certificates(UserName="cert-renamed")["Certificates"]
        self.assertEqual([(c["CertificateId"], c["UserName"]) for c in got],
                         [(cid, "cert-renamed")])
        self.assertEqual(iam.list_signing_certificates(UserName="cert-renamed")["Certificates"][0][
            "CertificateBody"], body)

    def test_f_cli(self):
        s = self.server
        s.cli("iam", "create-user", "--user-name", "cli-signer")
        body, _ = certgen.openssl_pair()
        path = certgen.write(body, "cli.crt")
        _, out, _ = s.cli("iam", "upload-signing-certificate", "--user-name", "cli-signer",
                          "--certificate-body", "file://" + path)
        cid = out["Certificate"]["CertificateId"]
        _, out, _ = s.cli("iam", "list-signing-certificates", "--user-name", "cli-signer")
        self.assertEqual([c["CertificateId"] for c in out["Certificates"]], [cid])
        s.cli("iam", "update-signing-certificate", "--user-name", "cli-signer",
              "--certificate-id", cid, "--status", "Inactive")
        rc, _, err = s.cli("iam", "upload-signing-certificate", "--user-name", "cli-signer",
                           "--certificate-body", "not a certificate", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("MalformedCertificate", err)
        s.cli("iam", "delete-signing-certificate", "--user-name", "cli-signer",
              "--certificate-id", cid)
        s.cli("iam", "delete-user", "--user-name", "cli-signer")


if __name__ == "__main__":
    harness.main()
