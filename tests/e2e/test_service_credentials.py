"""Service-specific credentials: CodeCommit and Keyspaces passwords, Bedrock API keys,
returned once by Create and Reset, then only listed without them; the quota of two per
user and service, unsupported services, Status updates, deletion, AllUsers listing; the
passwords never in the audit trail, the log or the data directory; DeleteUser and
UpdateUser know them."""
import base64
import datetime
import os

from botocore.exceptions import ClientError

import harness

ACCOUNT = harness.ACCOUNT
CC = "codecommit.amazonaws.com"
KS = "cassandra.amazonaws.com"
BR = "bedrock.amazonaws.com"


class ServiceCredentials(harness.ServerTest):
    secrets = []

    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def create(self, user, service, **kw):
        c = self.iam.create_service_specific_credential(UserName=user, ServiceName=service, **kw)
        c = c["ServiceSpecificCredential"]
        ServiceCredentials.secrets.append(c.get("ServicePassword") or c["ServiceCredentialSecret"])
        return c

    def test_a_lifecycle(self):
        iam = self.iam
        iam.create_user(UserName="coder")
        c = self.create("coder", CC)
        self.assertEqual(set(c), {"CreateDate", "ServiceName", "ServiceUserName",
                                  "ServicePassword", "ServiceSpecificCredentialId", "UserName",
                                  "Status"})
        self.assertEqual((c["ServiceName"], c["UserName"], c["Status"], c["ServiceUserName"]),
                         (CC, "coder", "Active", f"coder-at-{ACCOUNT}"))
        self.assertRegex(c["ServiceSpecificCredentialId"], r"^ACCA[A-Z2-7]{17}$")
        self.assertEqual(len(base64.b64decode(c["ServicePassword"])), 32)
        cid = c["ServiceSpecificCredentialId"]

        listed = iam.list_service_specific_credentials(UserName="coder")
        self.assertEqual(len(listed["ServiceSpecificCredentials"]), 1)
        m = listed["ServiceSpecificCredentials"][0]
        self.assertNotIn("ServicePassword", m)
        self.assertEqual({k: m[k] for k in ("ServiceSpecificCredentialId", "ServiceUserName",
                                            "Status", "ServiceName")},
                         {"ServiceSpecificCredentialId": cid, "ServiceUserName": f"coder-at-{ACCOUNT}",
                          "Status": "Active", "ServiceName": CC})

        r = iam.reset_service_specific_credential(UserName="coder", ServiceSpecificCredentialId=cid)
        r = r["ServiceSpecificCredential"]
        ServiceCredentials.secrets.append(r["ServicePassword"])
        self.assertEqual(r["ServiceSpecificCredentialId"], cid)
        self.assertNotEqual(r["ServicePassword"], c["ServicePassword"])

        iam.update_service_specific_credential(UserName="coder", ServiceSpecificCredentialId=cid,
                                               Status="Inactive")
        self.assertEqual(iam.list_service_specific_credentials(UserName="coder")[
            "ServiceSpecificCredentials"][0]["Status"], "Inactive")
        self.assertEqual(self.error(lambda: iam.update_service_specific_credential(
            UserName="coder", ServiceSpecificCredentialId=cid, Status="Expired"))[:2],
            ("InvalidInput", 400))

        self.assertEqual(self.error(lambda: iam.delete_user(UserName="coder")),
                         ("DeleteConflict", 409,
                          "Cannot delete entity, must remove referenced objects first."))
        iam.delete_service_specific_credential(UserName="coder", ServiceSpecificCredentialId=cid)
        missing = ("NoSuchEntity", 404,
                   f"The Service Specific Credential with id {cid} cannot be found.")
        self.assertEqual(self.error(lambda: iam.delete_service_specific_credential(
            UserName="coder", ServiceSpecificCredentialId=cid)), missing)
        self.assertEqual(self.error(lambda: iam.reset_service_specific_credential(
            UserName="coder", ServiceSpecificCredentialId=cid)), missing)
        iam.delete_user(UserName="coder")

    def test_b_quota_services_filters(self):
        iam = self.iam
        iam.create_user(UserName="multi")
        self.create("multi", CC)
        self.create("multi", CC)
        self.assertEqual(self.error(lambda: iam.create_service_specific_credential(
            UserName="multi", ServiceName=CC)),
            ("LimitExceeded", 409,
             "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2"))
        # the quota is per service
        ks = self.create("multi", KS)
        self.assertEqual(ks["ServiceUserName"], f"multi-at-{ACCOUNT}")
        code, status, _ = self.error(lambda: iam.create_service_specific_credential(
            UserName="multi", ServiceName="s3.amazonaws.com"))
        self.assertEqual((code, status), ("NotSupportedService", 404))
        self.assertEqual(self.error(lambda: iam.create_service_specific_credential(
            UserName="nobody", ServiceName=CC)),
            ("NoSuchEntity", 404, "The user with name nobody cannot be found."))
        self.assertEqual(self.error(lambda: iam.create_service_specific_credential(
            UserName="multi", ServiceName=CC, CredentialAgeDays=5))[:2], ("ValidationError", 400))
        all_mine = iam.list_service_specific_credentials(UserName="multi")[
            "ServiceSpecificCredentials"]
        self.assertEqual(sorted(c["ServiceName"] for c in all_mine), [KS, CC, CC])
        only_ks = iam.list_service_specific_credentials(UserName="multi", ServiceName=KS)
        self.assertEqual([c["ServiceName"] for c in only_ks["ServiceSpecificCredentials"]], [KS])
        page = iam.list_service_specific_credentials(UserName="multi", MaxItems=2)
        self.assertTrue(page["IsTruncated"])
        rest = iam.list_service_specific_credentials(UserName="multi", MaxItems=2,
                                                     Marker=page["Marker"])
        self.assertFalse(rest["IsTruncated"])
        ids = [c["ServiceSpecificCredentialId"] for c in
               page["ServiceSpecificCredentials"] + rest["ServiceSpecificCredentials"]]
        self.assertEqual(sorted(ids), sorted(c["ServiceSpecificCredentialId"] for c in all_mine))
        self.assertEqual(self.error(lambda: iam.list_service_specific_credentials(
            UserName="multi", Marker="nope"))[:2], ("ValidationError", 400))

    def test_c_bedrock_api_key(self):
        iam = self.iam
        iam.create_user(UserName="llm")
        c = self.create("llm", BR, CredentialAgeDays=30)
        self.assertNotIn("ServicePassword", c)
        self.assertRegex(c["ServiceCredentialAlias"], rf"^BedrockAPIKey-[A-Z2-7]{{4}}-at-{ACCOUNT}$")
        self.assertTrue(c["ServiceCredentialSecret"].startswith("ABSK"))
        decoded = base64.b64decode(c["ServiceCredentialSecret"][4:]).decode()
        self.assertTrue(decoded.startswith(c["ServiceCredentialAlias"] + ":"))
        self.assertEqual(c["ExpirationDate"] - c["CreateDate"], datetime.timedelta(days=30))
        listed = iam.list_service_specific_credentials(UserName="llm")["ServiceSpecificCredentials"]
        self.assertEqual(listed[0]["ServiceCredentialAlias"], c["ServiceCredentialAlias"])
        self.assertNotIn("ServiceCredentialSecret", listed[0])

    def test_d_all_users_rename_caller(self):
        s, iam = self.server, self.iam
        arn, akid, secret = s.user("self-cred", {"Effect": "Allow", "Action": [
            "iam:ListServiceSpecificCredentials"], "Resource": "*"})
        self.create("self-cred", KS)
        me = s.client("iam", key=akid, secret=secret)
        self.assertEqual([c["UserName"] for c in
                          me.list_service_specific_credentials()["ServiceSpecificCredentials"]],
                         ["self-cred"])
        with self.assertRaises(ClientError) as e:
            me.create_service_specific_credential(UserName="self-cred", ServiceName=CC)
        self.assertIn("iam:CreateServiceSpecificCredential", e.exception.response["Error"]["Message"])
        self.assertIn(arn, e.exception.response["Error"]["Message"])
        everyone = iam.list_service_specific_credentials(AllUsers=True)["ServiceSpecificCredentials"]
        self.assertIn("self-cred", {c["UserName"] for c in everyone})
        self.assertIn("multi", {c["UserName"] for c in everyone})
        iam.update_user(UserName="self-cred", NewUserName="cred-renamed")
        got = iam.list_service_specific_credentials(UserName="cred-renamed")[
            "ServiceSpecificCredentials"]
        self.assertEqual([c["UserName"] for c in got], ["cred-renamed"])

    def test_e_cli(self):
        s = self.server
        s.cli("iam", "create-user", "--user-name", "cli-cred")
        _, out, _ = s.cli("iam", "create-service-specific-credential", "--user-name", "cli-cred",
                          "--service-name", CC)
        c = out["ServiceSpecificCredential"]
        ServiceCredentials.secrets.append(c["ServicePassword"])
        cid = c["ServiceSpecificCredentialId"]
        _, out, _ = s.cli("iam", "reset-service-specific-credential", "--user-name", "cli-cred",
                          "--service-specific-credential-id", cid)
        ServiceCredentials.secrets.append(out["ServiceSpecificCredential"]["ServicePassword"])
        _, out, _ = s.cli("iam", "list-service-specific-credentials", "--user-name", "cli-cred")
        self.assertEqual([x["ServiceSpecificCredentialId"] for x in
                          out["ServiceSpecificCredentials"]], [cid])
        s.cli("iam", "update-service-specific-credential", "--user-name", "cli-cred",
              "--service-specific-credential-id", cid, "--status", "Inactive")
        rc, _, err = s.cli("iam", "create-service-specific-credential", "--user-name", "cli-cred",
                           "--service-name", "nope.amazonaws.com", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NotSupportedService", err)
        s.cli("iam", "delete-service-specific-credential", "--user-name", "cli-cred",
              "--service-specific-credential-id", cid)
        s.cli("iam", "delete-user", "--user-name", "cli-cred")

    def test_z_secrets_never_stored_or_logged(self):
        self.assertGreaterEqual(len(ServiceCredentials.secrets), 5)
        log = self.server.read_log()
        names = set()
        for r in self.server.audit_records():
            names.add(r["eventName"])
        for op in ("CreateServiceSpecificCredential", "ResetServiceSpecificCredential"):
            self.assertIn(op, names)
        for root, _, files in os.walk(self.server.data_dir):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                for secret in ServiceCredentials.secrets:
                    self.assertNotIn(secret.encode(), data, name)
        for secret in ServiceCredentials.secrets:
            self.assertNotIn(secret, log)


if __name__ == "__main__":
    harness.main()
