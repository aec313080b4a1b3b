"""Server certificates: certificates and keys made with openssl (and chains with python's
cryptography), uploaded with their private key, read back without it, listed by path and
paged, renamed and moved, tagged, deleted; malformed certificates, keys and chains, a key
of another certificate, a taken name and the quota of 20 refused with AWS's errors while
the server keeps serving. The private key never reaches a response, the audit trail, the
log, or the data directory in the clear."""
import os

from botocore.exceptions import ClientError

import certgen
import harness

ACCOUNT = harness.ACCOUNT


def key_marker(key):
    """A line of the key's base64 body: present anywhere means the key leaked."""
    return key.strip().split("\n")[2]


class ServerCertificates(harness.ServerTest):
    keys = []

    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def pair(self):
        body, key = certgen.openssl_pair()
        ServerCertificates.keys.append(key)
        return body, key

    def test_a_lifecycle(self):
        iam = self.iam
        body, key = self.pair()
        r = iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body,
                                          PrivateKey=key, Path="/cloudfront/",
                                          Tags=[{"Key": "env", "Value": "prod"}])
        m = r["ServerCertificateMetadata"]
        self.assertEqual(r["Tags"], [{"Key": "env", "Value": "prod"}])
        self.assertEqual(set(m), {"Path", "ServerCertificateName", "ServerCertificateId", "Arn",
                                  "UploadDate", "Expiration"})
        self.assertEqual((m["Path"], m["ServerCertificateName"]), ("/cloudfront/", "web"))
        self.assertEqual(m["Arn"], f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/web")
        self.assertRegex(m["ServerCertificateId"], r"^ASCA[A-Z2-7]{17}$")
        self.assertEqual(m["Expiration"], certgen.not_after(body))

        got = iam.get_server_certificate(ServerCertificateName="WEB")["ServerCertificate"]
        self.assertEqual(got["ServerCertificateMetadata"], m)
        self.assertEqual(got["CertificateBody"], body)
        self.assertEqual(got["Tags"], [{"Key": "env", "Value": "prod"}])
        self.assertNotIn("CertificateChain", got)
        self.assertNotIn("PrivateKey", str(got))

        listed = iam.list_server_certificates()["ServerCertificateMetadataList"]
        self.assertEqual(listed, [m])
        self.assertEqual(iam.list_server_certificates(PathPrefix="/cloudfront/")[
            "ServerCertificateMetadataList"], [m])
        self.assertEqual(iam.list_server_certificates(PathPrefix="/other/")[
            "ServerCertificateMetadataList"], [])
        self.assertEqual(iam.get_account_summary()["SummaryMap"]["ServerCertificates"], 1)

        iam.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="site",
                                      NewPath="/shop/")
        self.assertEqual(self.error(lambda: iam.get_server_certificate(
            ServerCertificateName="web")),
            ("NoSuchEntity", 404, "The Server Certificate with name web cannot be found."))
        moved = iam.get_server_certificate(ServerCertificateName="site")["ServerCertificate"][
            "ServerCertificateMetadata"]
        self.assertEqual((moved["Path"], moved["Arn"], moved["ServerCertificateId"]),
                         ("/shop/", f"arn:aws:iam::{ACCOUNT}:server-certificate/shop/site",
                          m["ServerCertificateId"]))

        iam.tag_server_certificate(ServerCertificateName="site",
                                   Tags=[{"Key": "team", "Value": "web"}])
        tags = iam.list_server_certificate_tags(ServerCertificateName="site")
        self.assertEqual(sorted(t["Key"] for t in tags["Tags"]), ["env", "team"])
        self.assertFalse(tags["IsTruncated"])
        iam.untag_server_certificate(ServerCertificateName="site", TagKeys=["env"])
        self.assertEqual(iam.list_server_certificate_tags(ServerCertificateName="site")["Tags"],
                         [{"Key": "team", "Value": "web"}])

        iam.delete_server_certificate(ServerCertificateName="site")
        self.assertEqual(iam.list_server_certificates()["ServerCertificateMetadataList"], [])
        self.assertEqual(self.error(lambda: iam.delete_server_certificate(
            ServerCertificateName="site"))[:2], ("NoSuchEntity", 404))
        self.assertEqual(iam.get_account_summary()["SummaryMap"]["ServerCertificates"], 0)

    def test_b_chain(self):
        iam = self.iam
        leaf, key, chain, _ = certgen.chained()
        ServerCertificates.keys.append(key)
        iam.upload_server_certificate(ServerCertificateName="chained", CertificateBody=leaf,
                                      PrivateKey=key, CertificateChain="".join(chain))
        got = iam.get_server_certificate(ServerCertificateName="chained")["ServerCertificate"]
        self.assertEqual(got["CertificateChain"], "".join(chain))
        self.assertEqual(self.error(lambda: iam.upload_server_certificate(
            ServerCertificateName="misordered", CertificateBody=leaf, PrivateKey=key,
            CertificateChain=chain[1] + chain[0])),
            ("MalformedCertificate", 400,
             "Unable to validate certificate chain. The certificate chain must start with the "
             "immediate signing certificate, followed by any intermediaries in order. The index "
             "within the chain of the invalid certificate is: 0"))
        self.assertEqual(self.error(lambda: iam.upload_server_certificate(
            ServerCertificateName="badchain", CertificateBody=leaf, PrivateKey=key,
            CertificateChain="garbage"))[:2], ("MalformedCertificate", 400))
        iam.delete_server_certificate(ServerCertificateName="chained")

    def test_c_bad_uploads(self):
        iam = self.iam
        body, key = self.pair()
        other_body, other_key = self.pair()
        expired, expired_key = certgen.expired_pair()
        ServerCertificates.keys.append(expired_key)

        def up(b, k, name="bad"):
            return self.error(lambda: iam.upload_server_certificate(
                ServerCertificateName=name, CertificateBody=b, PrivateKey=k))

        self.assertEqual(up("nonsense", key), ("MalformedCertificate", 400,
                         "Unable to parse certificate. Please ensure the certificate is in PEM "
                         "format."))
        self.assertEqual(up(body, other_key), ("KeyPairMismatch", 400,
                         "The public key certificate and the private key do not match."))
        self.assertEqual(up(body, "not a key")[:2], ("MalformedCertificate", 400))
        truncated = "\n".join(key.strip().split("\n")[:5])
        self.assertEqual(up(body, truncated)[:2], ("MalformedCertificate", 400))
        self.assertEqual(up(expired, expired_key),
                         ("MalformedCertificate", 400, "The certificate has expired."))
        self.assertEqual(iam.list_server_certificates()["ServerCertificateMetadataList"], [])
        # the server keeps serving, and a name is taken without regard to case
        iam.upload_server_certificate(ServerCertificateName="taken", CertificateBody=body,
                                      PrivateKey=key)
        self.assertEqual(up(other_body, other_key, "TAKEN"), ("EntityAlreadyExists", 409,
                         "The Server Certificate with name TAKEN already exists."))
        iam.upload_server_certificate(ServerCertificateName="free", CertificateBody=other_body,
                                      PrivateKey=other_key)
        self.assertEqual(self.error(lambda: iam.update_server_certificate(
            ServerCertificateName="free", NewServerCertificateName="Taken")),
            ("EntityAlreadyExists", 409, "The Server Certificate with name Taken already exists."))
        for name in ("taken", "free"):
            iam.delete_server_certificate(ServerCertificateName=name)

    def test_d_quota_and_pages(self):
        iam = self.iam
        body, key = self.pair()
        for i in range(20):
            iam.upload_server_certificate(ServerCertificateName=f"q{i:02d}", CertificateBody=body,
                                          PrivateKey=key, Path="/q/" if i % 2 else "/")
        self.assertEqual(self.error(lambda: iam.upload_server_certificate(
            ServerCertificateName="q20", CertificateBody=body, PrivateKey=key)),
            ("LimitExceeded", 409, "Cannot exceed quota for ServerCertificatesPerAccount: 20"))
        p = iam.get_paginator("list_server_certificates")
        pages = list(p.paginate(PaginationConfig={"PageSize": 6}))
        self.assertEqual(len(pages), 4)
        names = [m["ServerCertificateName"] for x in pages for m in x["ServerCertificateMetadataList"]]
        self.assertEqual(names, [f"q{i:02d}" for i in range(20)])
        self.assertEqual(len(iam.list_server_certificates(PathPrefix="/q/")[
            "ServerCertificateMetadataList"]), 10)
        self.assertEqual(self.error(lambda: iam.list_server_certificates(Marker="x" * 20))[:2],
                         ("ValidationError", 400))
        for i in range(20):
            iam.delete_server_certificate(ServerCertificateName=f"q{i:02d}")

    def test_e_denied(self):
        s = self.server
        body, key = self.pair()
        self.iam.upload_server_certificate(ServerCertificateName="guarded", CertificateBody=body,
                                           PrivateKey=key, Path="/p/")
        arn, akid, secret = s.user("cert-reader", {
            "Effect": "Allow", "Action": ["iam:GetServerCertificate",
                                          "iam:UpdateServerCertificate"],
            "Resource": f"arn:aws:iam::{ACCOUNT}:server-certificate/p/*"})
        them = s.client("iam", key=akid, secret=secret)
        them.get_server_certificate(ServerCertificateName="guarded")
        with self.assertRaises(ClientError) as e:
            them.delete_server_certificate(ServerCertificateName="guarded")
        msg = e.exception.response["Error"]["Message"]
        self.assertIn("iam:DeleteServerCertificate", msg)
        self.assertIn(f"arn:aws:iam::{ACCOUNT}:server-certificate/p/guarded", msg)
        # a move needs the permission on the new ARN too
        with self.assertRaises(ClientError) as e:
            them.update_server_certificate(ServerCertificateName="guarded", NewPath="/elsewhere/")
        self.assertIn(f"server-certificate/elsewhere/guarded", e.exception.response["Error"]["Message"])
        them.update_server_certificate(ServerCertificateName="guarded", NewPath="/p/q/")
        self.iam.delete_server_certificate(ServerCertificateName="guarded")

    def test_f_cli(self):
        s = self.server
        body, key = self.pair()
        cert_path, key_path = certgen.write(body, "srv.crt"), certgen.write(key, "srv.key")
        _, out, _ = s.cli("iam", "upload-server-certificate", "--server-certificate-name",
                          "cli-cert", "--certificate-body", "file://" + cert_path,
                          "--private-key", "file://" + key_path, "--path", "/cloudfront/")
        self.assertEqual(out["ServerCertificateMetadata"]["Path"], "/cloudfront/")
        _, out, _ = s.cli("iam", "get-server-certificate", "--server-certificate-name", "cli-cert")
        self.assertEqual(out["ServerCertificate"]["CertificateBody"], body)
        _, out, _ = s.cli("iam", "list-server-certificates")
        self.assertEqual([m["ServerCertificateName"] for m in out["ServerCertificateMetadataList"]],
                         ["cli-cert"])
        s.cli("iam", "tag-server-certificate", "--server-certificate-name", "cli-cert",
              "--tags", "Key=a,Value=b")
        _, out, _ = s.cli("iam", "list-server-certificate-tags", "--server-certificate-name",
                          "cli-cert")
        self.assertEqual(out["Tags"], [{"Key": "a", "Value": "b"}])
        s.cli("iam", "untag-server-certificate", "--server-certificate-name", "cli-cert",
              "--tag-keys", "a")
        s.cli("iam", "update-server-certificate", "--server-certificate-name", "cli-cert",
              "--new-server-certificate-name", "cli-cert2")
        rc, _, err = s.cli("iam", "upload-server-certificate", "--server-certificate-name", "x",
                           "--certificate-body", "file://" + cert_path, "--private-key",
                           "file://" + certgen.write(self.pair()[1], "other.key"), check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("KeyPairMismatch", err)
        s.cli("iam", "delete-server-certificate", "--server-certificate-name", "cli-cert2")

    def test_z_private_keys_never_leak(self):
        self.assertTrue(ServerCertificates.keys)
        markers = [key_marker(k) for k in ServerCertificates.keys]
        with open(os.path.join(self.server.data_dir, "audit.log"), "rb") as f:
            trail = f.read().decode(errors="replace")
        log = self.server.read_log()
        uploads = [r for r in self.server.audit_records()
                   if r["eventName"] == "UploadServerCertificate"]
        self.assertTrue(uploads)
        for m in markers:
            self.assertNotIn(m, trail)
            self.assertNotIn(m, log)
        # nor in the data directory in the clear (the store holds it sealed)
        sealed = False
        for root, _, files in os.walk(self.server.data_dir):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                for m in markers:
                    self.assertNotIn(m.encode(), data, name)
                self.assertNotIn(b"PRIVATE KEY", data, name)
                sealed = sealed or b"SealedPrivateKey" in data
        self.assertTrue(sealed, "the store holds no sealed private key")


if __name__ == "__main__":
    harness.main()
