"""A data dir written by custos before schema v3 opens on this build with everything intact.

Schema v2 (custos before the store owned its indexes) scoped KMS keys and aliases by the
account alone and a key's grants by "<account>/<key id>", and kept two hand-written twin
records: user_key (a user's access key ids) and kms_grant_token (grant token hash -> grant).
The test fills a data dir through the API (a user with an access key, a KMS key with
ciphertext, an alias, a grant with a token and a retiring principal), rewrites its database
into exactly that v2 layout with sqlite3, and restarts the server on it: the migration drops
the twins and builds the indexes, the first start moves the KMS records under the region,
and every record answers as before — the ciphertext decrypts, ListAliases by KeyId finds
the alias, ListRetirableGrants and RetireGrant by token find the grant, the user's key
signs requests and DeleteUser still sees it.

CUSTOS_V2_BIN, when set, names a custos binary built from before v3 (git main at the
time): the data dir is then created by that binary itself instead of rewritten by hand.
"""
import json
import os
import sqlite3
import unittest

import botocore.exceptions

import harness


SCHEMA_VERSION = "5"  # store_impl.h: STORE_SCHEMA_VERSION


def downgrade_to_v2(path):
    """Rewrite a v3 database into schema v2's layout (records.h of custos before v3)."""
    db = sqlite3.connect(path)
    acct_region = f"{harness.ACCOUNT}/{harness.REGION}"
    with db:
        db.execute("UPDATE objects SET scope = ? WHERE kind IN ('kms_key', 'kms_alias') AND scope = ?",
                   (harness.ACCOUNT, acct_region))
        for scope, key, doc in db.execute("SELECT scope, key, doc FROM objects WHERE kind = 'kms_grant'").fetchall():
            key_id = scope.rsplit("/", 1)[1]
            db.execute("UPDATE objects SET scope = ? WHERE kind = 'kms_grant' AND scope = ? AND key = ?",
                       (f"{harness.ACCOUNT}/{key_id}", scope, key))
            for h in json.loads(doc)["TokenHashes"]:
                db.execute("INSERT INTO objects VALUES ('kms_grant_token', '', ?, ?, 1, 0)",
                           (h, json.dumps({"Account": harness.ACCOUNT, "KeyId": key_id, "GrantId": key})))
        for akid, doc in db.execute("SELECT key, doc FROM objects WHERE kind = 'access_key'").fetchall():
            d = json.loads(doc)
            db.execute("INSERT INTO objects VALUES ('user_key', ?, ?, '{}', 1, 0)",
                       (f"{d['Account']}/{d['UserName'].lower()}", akid))
        db.execute("DROP TABLE record_index")
        db.execute("DELETE FROM meta WHERE name <> 'schema_version'")
        db.execute("UPDATE meta SET value = '2' WHERE name = 'schema_version'")
    db.close()


class StoreUpgrade(unittest.TestCase):
    def test_v2_data_dir_opens_intact(self):
        old_bin = os.environ.get("CUSTOS_V2_BIN")
        saved_bin = harness.CUSTOS_BIN
        if old_bin:
            harness.CUSTOS_BIN = old_bin
        server = harness.Server()
        try:
            server.start()
            iam, kms = server.client("iam"), server.client("kms")
            iam.create_user(UserName="Upgrader")
            iam.create_user(UserName="PathUser", Path="/eng/")
            ak = iam.create_access_key(UserName="Upgrader")["AccessKey"]
            iam.put_user_policy(UserName="Upgrader", PolicyName="all", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
            key_id = kms.create_key()["KeyMetadata"]["KeyId"]
            blob = kms.encrypt(KeyId=key_id, Plaintext=b"kept across the upgrade")["CiphertextBlob"]
            kms.create_alias(AliasName="alias/upgraded", TargetKeyId=key_id)
            retirer = f"arn:aws:iam::{harness.ACCOUNT}:user/Upgrader"
            grant = kms.create_grant(KeyId=key_id, GranteePrincipal=f"arn:aws:iam::{harness.ACCOUNT}:root",
                                     RetiringPrincipal=retirer, Operations=["Decrypt"])
            kept = kms.create_grant(KeyId=key_id, GranteePrincipal=f"arn:aws:iam::{harness.ACCOUNT}:root",
                                    RetiringPrincipal=retirer, Operations=["Encrypt"])
            server.stop()
            if not old_bin:
                downgrade_to_v2(os.path.join(server.data_dir, "custos.db"))
            db = sqlite3.connect(os.path.join(server.data_dir, "custos.db"))
            self.assertEqual(db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()[0], "2")
            db.close()

            harness.CUSTOS_BIN = saved_bin
            server.start()
            iam, kms = server.client("iam"), server.client("kms")
            self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"kept across the upgrade")
            self.assertEqual(kms.describe_key(KeyId="alias/upgraded")["KeyMetadata"]["KeyId"], key_id)
            aliases = kms.list_aliases(KeyId=key_id)["Aliases"]
            self.assertEqual([a["AliasName"] for a in aliases], ["alias/upgraded"])
            self.assertEqual(sorted(g["GrantId"] for g in kms.list_grants(KeyId=key_id)["Grants"]),
                             sorted([grant["GrantId"], kept["GrantId"]]))
            retirable = kms.list_retirable_grants(RetiringPrincipal=retirer)["Grants"]
            self.assertEqual(sorted(g["GrantId"] for g in retirable), sorted([grant["GrantId"], kept["GrantId"]]))
            self.assertTrue(all(g["KeyId"].endswith(key_id) for g in retirable))
            kms.retire_grant(GrantToken=grant["GrantToken"])
            self.assertEqual([g["GrantId"] for g in kms.list_grants(KeyId=key_id)["Grants"]], [kept["GrantId"]])
            # the user's key, found through the index, still signs and lists
            user = server.client("iam", key=ak["AccessKeyId"], secret=ak["SecretAccessKey"])
            self.assertEqual([k["AccessKeyId"] for k in user.list_access_keys()["AccessKeyMetadata"]],
                             [ak["AccessKeyId"]])
            with self.assertRaises(botocore.exceptions.ClientError) as e:
                iam.delete_user(UserName="Upgrader")
            self.assertEqual(e.exception.response["Error"]["Code"], "DeleteConflict")
            # PathPrefix reads the path index, which the migration built for existing users
            self.assertEqual([u["UserName"] for u in iam.list_users(PathPrefix="/eng/")["Users"]], ["PathUser"])
            # the database is at the current schema now, without the twin records
            db = sqlite3.connect(os.path.join(server.data_dir, "custos.db"))
            self.assertEqual(db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()[0],
                             SCHEMA_VERSION)
            self.assertEqual(db.execute("SELECT count(*) FROM objects WHERE kind IN ('user_key', 'kms_grant_token')")
                             .fetchone()[0], 0)
            self.assertEqual(db.execute("SELECT count(*) FROM objects WHERE kind LIKE 'kms_%' AND scope NOT LIKE ?",
                                        (f"{harness.ACCOUNT}/{harness.REGION}%",)).fetchone()[0], 0)
            db.close()
            # and a restart changes nothing
            server.stop()
            server.start()
            kms = server.client("kms")
            self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"kept across the upgrade")
            self.assertEqual(len(kms.list_aliases(KeyId=key_id)["Aliases"]), 1)
        finally:
            harness.CUSTOS_BIN = saved_bin
            server.cleanup()


if __name__ == "__main__":
    harness.main()
