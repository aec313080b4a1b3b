"""KMS grants (KMS developer guide, grants; KMS API reference, CreateGrant, ListGrants,
RetireGrant, RevokeGrant): a grant lets its grantee use the key for its operations on
its own, within its encryption-context constraint, never past an explicit deny; grants
are listed, retired by their retiring principal or with their token, and revoked."""
import json

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


class Grants(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.kms = cls.server.client("kms")
        cls.n = 0

    def setUp(self):
        self.key = self.kms.create_key()["KeyMetadata"]["KeyId"]

    def user(self, *statements):
        Grants.n += 1
        arn, key, secret = self.server.user(f"grantee-{Grants.n}", *statements)
        return arn, self.server.client("kms", key=key, secret=secret)

    def denied(self, fn, code="AccessDeniedException"):
        with self.assertRaises(ClientError) as e:
            fn()
        self.assertEqual(e.exception.response["Error"]["Code"], code)
        return e.exception.response["Error"]["Message"]

    def test_grant_allows_its_operations_only(self):
        arn, kms = self.user()
        self.denied(lambda: kms.encrypt(KeyId=self.key, Plaintext=b"x"))
        g = self.kms.create_grant(KeyId=self.key, GranteePrincipal=arn,
                                  Operations=["Encrypt", "Decrypt", "GenerateDataKey"])
        self.assertEqual(len(g["GrantId"]), 64)
        blob = kms.encrypt(KeyId=self.key, Plaintext=b"x")["CiphertextBlob"]
        self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"x")
        kms.generate_data_key(KeyId=self.key, KeySpec="AES_256")
        msg = self.denied(lambda: kms.generate_data_key_without_plaintext(KeyId=self.key, KeySpec="AES_256"))
        self.assertIn("kms:GenerateDataKeyWithoutPlaintext", msg)
        self.denied(lambda: kms.describe_key(KeyId=self.key))
        # a grant on one key says nothing about another
        other = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.denied(lambda: kms.encrypt(KeyId=other, Plaintext=b"x"))

    def test_constraints(self):
        arn, kms = self.user()
        self.kms.create_grant(KeyId=self.key, GranteePrincipal=arn, Operations=["Encrypt"],
                              Constraints={"EncryptionContextSubset": {"app": "x"}})
        kms.encrypt(KeyId=self.key, Plaintext=b"x", EncryptionContext={"app": "x", "more": "y"})
        self.denied(lambda: kms.encrypt(KeyId=self.key, Plaintext=b"x"))
        self.denied(lambda: kms.encrypt(KeyId=self.key, Plaintext=b"x", EncryptionContext={"app": "z"}))
        arn2, kms2 = self.user()
        self.kms.create_grant(KeyId=self.key, GranteePrincipal=arn2, Operations=["Encrypt"],
                              Constraints={"EncryptionContextEquals": {"app": "x"}})
        kms2.encrypt(KeyId=self.key, Plaintext=b"x", EncryptionContext={"app": "x"})
        self.denied(lambda: kms2.encrypt(KeyId=self.key, Plaintext=b"x", EncryptionContext={"app": "x", "more": "y"}))

    def test_create_grant_by_grant_cannot_escalate(self):
        """A grantee allowed CreateGrant only by a grant passes on no more than it holds."""
        arn, kms = self.user()
        other_arn, other = self.user()
        self.kms.create_grant(KeyId=self.key, GranteePrincipal=arn, Operations=["Decrypt", "CreateGrant"])
        kms.create_grant(KeyId=self.key, GranteePrincipal=other_arn, Operations=["Decrypt"])
        msg = self.denied(lambda: kms.create_grant(KeyId=self.key, GranteePrincipal=other_arn,
                                                    Operations=["Encrypt"]))
        self.assertIn("kms:CreateGrant", msg)
        self.denied(lambda: kms.create_grant(KeyId=self.key, GranteePrincipal=arn, Operations=["Encrypt"]))
        self.denied(lambda: other.encrypt(KeyId=self.key, Plaintext=b"x"))

    def test_create_grant_by_policy_is_not_limited_by_held_grants(self):
        """The delegation rule binds only a grantee whose CreateGrant comes from a grant
        alone (kms.ops: CreateGrant by-policy): with a policy that allows kms:CreateGrant
        too, the grantee may grant what its own grant lacks; without it, it may not."""
        arn, kms = self.user({"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*"})
        other_arn, other = self.user()
        self.kms.create_grant(KeyId=self.key, GranteePrincipal=arn, Operations=["Decrypt", "CreateGrant"])
        kms.create_grant(KeyId=self.key, GranteePrincipal=other_arn, Operations=["Encrypt"])
        other.encrypt(KeyId=self.key, Plaintext=b"x")
        # a condition the request fails takes the policy's allow away: the grant alone decides
        cond_arn, cond = self.user({"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*",
                                    "Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]}}})
        self.kms.create_grant(KeyId=self.key, GranteePrincipal=cond_arn, Operations=["Decrypt", "CreateGrant"])
        cond.create_grant(KeyId=self.key, GranteePrincipal=other_arn, Operations=["Decrypt"])
        msg = self.denied(lambda: cond.create_grant(KeyId=self.key, GranteePrincipal=other_arn,
                                                     Operations=["Encrypt"]))
        self.assertIn("because no grant allows the requested operations and constraints", msg)

    def test_explicit_deny_wins(self):
        arn, kms = self.user({"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*"})
        self.kms.create_grant(KeyId=self.key, GranteePrincipal=arn, Operations=["Encrypt"])
        msg = self.denied(lambda: kms.encrypt(KeyId=self.key, Plaintext=b"x"))
        self.assertIn("with an explicit deny in an identity-based policy", msg)

    def test_list_retire_revoke(self):
        arn, kms = self.user()
        retirer_arn, retirer = self.user()
        a = self.kms.create_grant(KeyId=self.key, GranteePrincipal=arn, Operations=["Encrypt"],
                                  RetiringPrincipal=retirer_arn, Name="first")
        b = self.kms.create_grant(KeyId=self.key, GranteePrincipal=arn, Operations=["Decrypt"])
        grants = self.kms.list_grants(KeyId=self.key)["Grants"]
        self.assertEqual(sorted(g["GrantId"] for g in grants), sorted([a["GrantId"], b["GrantId"]]))
        first = [g for g in grants if g["GrantId"] == a["GrantId"]][0]
        self.assertEqual((first["Name"], first["GranteePrincipal"], first["RetiringPrincipal"], first["Operations"]),
                         ("first", arn, retirer_arn, ["Encrypt"]))
        self.assertEqual(first["IssuingAccount"], f"arn:aws:iam::{ACCT}:root")
        self.assertTrue(first["KeyId"].endswith(self.key))
        page = self.kms.list_grants(KeyId=self.key, Limit=1)
        self.assertTrue(page["Truncated"])
        rest = self.kms.list_grants(KeyId=self.key, Marker=page["NextMarker"])
        self.assertEqual(len(page["Grants"]) + len(rest["Grants"]), 2)
        self.assertEqual([g["GrantId"] for g in self.kms.list_grants(KeyId=self.key, GrantId=b["GrantId"])["Grants"]],
                         [b["GrantId"]])
        # the same Name and parameters: the same grant
        again = self.kms.create_grant(KeyId=self.key, GranteePrincipal=arn, Operations=["Encrypt"],
                                      RetiringPrincipal=retirer_arn, Name="first")
        self.assertEqual(again["GrantId"], a["GrantId"])
        # ListRetirableGrants finds the grants a principal may retire, across keys
        other_key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        c = self.kms.create_grant(KeyId=other_key, GranteePrincipal=arn, Operations=["Decrypt"],
                                  RetiringPrincipal=retirer_arn)
        retirable = self.kms.list_retirable_grants(RetiringPrincipal=retirer_arn)
        self.assertEqual(sorted(g["GrantId"] for g in retirable["Grants"]), sorted([a["GrantId"], c["GrantId"]]))
        self.assertFalse(retirable["Truncated"])
        first_page = self.kms.list_retirable_grants(RetiringPrincipal=retirer_arn, Limit=1)
        self.assertTrue(first_page["Truncated"])
        second_page = self.kms.list_retirable_grants(RetiringPrincipal=retirer_arn, Limit=1,
                                                     Marker=first_page["NextMarker"])
        self.assertEqual(sorted([first_page["Grants"][0]["GrantId"], second_page["Grants"][0]["GrantId"]]),
                         sorted([a["GrantId"], c["GrantId"]]))
        self.assertEqual(self.kms.list_retirable_grants(RetiringPrincipal=arn)["Grants"], [])
        retirer.retire_grant(KeyId=other_key, GrantId=c["GrantId"])
        # retiring: not the grantee (no RetireGrant operation), but the retiring principal, by token
        self.denied(lambda: kms.retire_grant(KeyId=self.key, GrantId=a["GrantId"]))
        kms.encrypt(KeyId=self.key, Plaintext=b"x")
        retirer.retire_grant(GrantToken=a["GrantToken"])
        self.denied(lambda: kms.encrypt(KeyId=self.key, Plaintext=b"x"))
        self.denied(lambda: retirer.retire_grant(GrantToken=a["GrantToken"]), "InvalidGrantTokenException")
        # revoking needs kms:RevokeGrant (root has it); the grant is gone
        self.kms.revoke_grant(KeyId=self.key, GrantId=b["GrantId"])
        self.assertEqual(self.kms.list_grants(KeyId=self.key)["Grants"], [])
        self.denied(lambda: self.kms.revoke_grant(KeyId=self.key, GrantId=b["GrantId"]), "NotFoundException")

    def test_create_grant_condition_keys_and_audit(self):
        """kms:GrantOperations and kms:GranteePrincipal on CreateGrant (KMS developer
        guide, conditions-kms); the grant token never reaches the trail."""
        grantee_arn, _ = self.user()
        _, admin = self.user({"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*",
                              "Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]},
                                            "StringEquals": {"kms:GranteePrincipal": grantee_arn}}})
        g = admin.create_grant(KeyId=self.key, GranteePrincipal=grantee_arn, Operations=["Decrypt"])
        self.denied(lambda: admin.create_grant(KeyId=self.key, GranteePrincipal=grantee_arn,
                                               Operations=["Decrypt", "Encrypt"]))
        self.denied(lambda: admin.create_grant(KeyId=self.key, GranteePrincipal=f"arn:aws:iam::{ACCT}:user/other",
                                               Operations=["Decrypt"]))
        self.denied(lambda: self.kms.create_grant(KeyId=self.key, GranteePrincipal="bob", Operations=["Decrypt"]),
                    "InvalidArnException")
        trail = json.dumps(self.server.audit_records())
        self.assertNotIn(g["GrantToken"], trail)
        self.assertIn(g["GrantId"], trail)


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
