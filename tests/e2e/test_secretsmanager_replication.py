"""Secrets Manager replication across custos's regions: CreateSecret AddReplicaRegions,
ReplicateSecretToRegions (KmsKeyId per replica, ForceOverwriteReplicaSecret),
RemoveRegionsFromReplication, StopReplicationToReplica; replicas read-only, with the
primary's versions and labels re-sealed under their own region's key, and PrimaryRegion /
ReplicationStatus in DescribeSecret."""
import json

import harness
from botocore.exceptions import ClientError

REPLICA_REFUSED = ("Operation not permitted on a replica secret. Call must be made in "
                   "primary secret's region.")


class Replication(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.east = cls.server.client("secretsmanager")
        cls.west = cls.server.client("secretsmanager", region="us-west-2")
        cls.eu = cls.server.client("secretsmanager", region="eu-west-1")

    def key_ids(self, client, name):
        return [v["KmsKeyIds"] for v in client.list_secret_version_ids(SecretId=name)["Versions"]]

    def test_replica_follows_its_primary(self):
        r = self.east.create_secret(Name="rep/db", SecretString=json.dumps({"password": "one"}),
                                    AddReplicaRegions=[{"Region": "us-west-2"}])
        self.assertEqual(r["ReplicationStatus"], [{"Region": "us-west-2", "KmsKeyId": "alias/aws/secretsmanager",
                                                   "Status": "InSync", "StatusMessage": "Replication succeeded"}])
        arn = r["ARN"]
        west_arn = arn.replace(":us-east-1:", ":us-west-2:")
        d = self.west.describe_secret(SecretId="rep/db")
        self.assertEqual(d["ARN"], west_arn)
        self.assertEqual(d["PrimaryRegion"], "us-east-1")
        self.assertNotIn("ReplicationStatus", d)
        self.assertEqual(self.east.describe_secret(SecretId="rep/db")["ReplicationStatus"][0]["Status"], "InSync")
        self.assertNotIn("PrimaryRegion", self.east.describe_secret(SecretId="rep/db"))
        self.assertEqual(self.west.get_secret_value(SecretId=west_arn)["SecretString"], json.dumps({"password": "one"}))
        # sealed under us-west-2's own aws/secretsmanager key
        [[west_key]] = self.key_ids(self.west, "rep/db")
        [[east_key]] = self.key_ids(self.east, "rep/db")
        self.assertIn(":us-west-2:", west_key)
        self.assertIn(":us-east-1:", east_key)
        # new versions and label moves reach the replica in the same call
        v2 = self.east.put_secret_value(SecretId="rep/db", SecretString="two")["VersionId"]
        self.assertEqual(self.west.get_secret_value(SecretId="rep/db")["SecretString"], "two")
        v3 = self.east.put_secret_value(SecretId="rep/db", SecretString="three", VersionStages=["STAGED"])["VersionId"]
        self.east.update_secret_version_stage(SecretId="rep/db", VersionStage="AWSCURRENT", MoveToVersionId=v3,
                                              RemoveFromVersionId=v2)
        stages = self.west.describe_secret(SecretId="rep/db")["VersionIdsToStages"]
        self.assertEqual(sorted(stages[v3]), ["AWSCURRENT", "STAGED"])
        self.assertEqual(stages[v2], ["AWSPREVIOUS"])
        self.east.update_secret(SecretId="rep/db", Description="replicated")
        self.east.tag_resource(SecretId="rep/db", Tags=[{"Key": "team", "Value": "db"}])
        d = self.west.describe_secret(SecretId="rep/db")
        self.assertEqual((d["Description"], d["Tags"]), ("replicated", [{"Key": "team", "Value": "db"}]))
        # a replica is read-only
        for call in (lambda: self.west.put_secret_value(SecretId="rep/db", SecretString="no"),
                     lambda: self.west.update_secret(SecretId="rep/db", Description="no"),
                     lambda: self.west.tag_resource(SecretId="rep/db", Tags=[{"Key": "k", "Value": "v"}]),
                     lambda: self.west.delete_secret(SecretId="rep/db"),
                     lambda: self.west.replicate_secret_to_regions(SecretId="rep/db",
                                                                   AddReplicaRegions=[{"Region": "eu-west-1"}])):
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(self.error_code(e.exception), "InvalidParameterException")
            self.assertEqual(e.exception.response["Error"]["Message"], REPLICA_REFUSED)
        # a primary with replicas is not deleted
        with self.assertRaises(ClientError) as e:
            self.east.delete_secret(SecretId="rep/db", ForceDeleteWithoutRecovery=True)
        self.assertEqual(self.error_code(e.exception), "InvalidParameterException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"You can't delete secret {arn} that still has replica regions [us-west-2].")
        # removed: the replica is gone
        r = self.east.remove_regions_from_replication(SecretId="rep/db", RemoveReplicaRegions=["us-west-2"])
        self.assertEqual((r["ARN"], r["ReplicationStatus"]), (arn, []))
        with self.assertRaises(ClientError) as e:
            self.west.describe_secret(SecretId="rep/db")
        self.assertEqual(self.error_code(e.exception), "ResourceNotFoundException")
        self.assertNotIn("ReplicationStatus", self.east.describe_secret(SecretId="rep/db"))
        self.east.delete_secret(SecretId="rep/db", ForceDeleteWithoutRecovery=True)

    def test_replicate_with_a_key_of_the_region_and_stop_replication(self):
        kms_eu = self.server.client("kms", region="eu-west-1")
        key = kms_eu.create_key()["KeyMetadata"]["Arn"]
        self.east.create_secret(Name="rep/key", SecretString="s3cret")
        r = self.east.replicate_secret_to_regions(SecretId="rep/key",
                                                  AddReplicaRegions=[{"Region": "eu-west-1", "KmsKeyId": key}])
        self.assertEqual(r["ReplicationStatus"][0]["KmsKeyId"], key)
        self.assertEqual(self.key_ids(self.eu, "rep/key"), [[key]])
        self.assertEqual(self.eu.describe_secret(SecretId="rep/key")["KmsKeyId"], key)
        self.assertEqual(self.eu.get_secret_value(SecretId="rep/key")["SecretString"], "s3cret")
        # the CLI, a second replica
        _, out, _ = self.server.cli("secretsmanager", "replicate-secret-to-regions", "--secret-id", "rep/key",
                                    "--add-replica-regions", "Region=us-west-2")
        self.assertEqual([s["Region"] for s in out["ReplicationStatus"]], ["eu-west-1", "us-west-2"])
        # promoted in its own region: standalone and writable, gone from the primary's list
        r = self.eu.stop_replication_to_replica(SecretId="rep/key")
        self.assertIn(":eu-west-1:", r["ARN"])
        self.assertNotIn("PrimaryRegion", self.eu.describe_secret(SecretId="rep/key"))
        self.eu.put_secret_value(SecretId="rep/key", SecretString="mine now")
        self.assertEqual([s["Region"] for s in self.east.describe_secret(SecretId="rep/key")["ReplicationStatus"]],
                         ["us-west-2"])
        self.east.put_secret_value(SecretId="rep/key", SecretString="primary's")
        self.assertEqual(self.eu.get_secret_value(SecretId="rep/key")["SecretString"], "mine now")
        self.assertEqual(self.west.get_secret_value(SecretId="rep/key")["SecretString"], "primary's")
        with self.assertRaises(ClientError) as e:
            self.east.stop_replication_to_replica(SecretId="rep/key")
        self.assertEqual(self.error_code(e.exception), "InvalidRequestException")

    def test_a_name_taken_in_the_region_needs_force(self):
        self.west.create_secret(Name="rep/taken", SecretString="west's own")
        self.east.create_secret(Name="rep/taken", SecretString="east's")
        r = self.east.replicate_secret_to_regions(SecretId="rep/taken", AddReplicaRegions=[{"Region": "us-west-2"}])
        self.assertEqual(r["ReplicationStatus"][0]["Status"], "Failed")
        self.assertEqual(self.west.get_secret_value(SecretId="rep/taken")["SecretString"], "west's own")
        self.east.remove_regions_from_replication(SecretId="rep/taken", RemoveReplicaRegions=["us-west-2"])
        self.assertEqual(self.west.get_secret_value(SecretId="rep/taken")["SecretString"], "west's own")
        r = self.east.replicate_secret_to_regions(SecretId="rep/taken", AddReplicaRegions=[{"Region": "us-west-2"}],
                                                  ForceOverwriteReplicaSecret=True)
        self.assertEqual(r["ReplicationStatus"][0]["Status"], "InSync")
        self.assertEqual(self.west.get_secret_value(SecretId="rep/taken")["SecretString"], "east's")
        self.assertEqual(self.west.describe_secret(SecretId="rep/taken")["PrimaryRegion"], "us-east-1")

    def test_errors(self):
        self.east.create_secret(Name="rep/errors", SecretString="x", AddReplicaRegions=[{"Region": "us-east-2"}])
        for regions, message in (([{"Region": "us-east-1"}], "primary region"),
                                 ([{"Region": "us-east-2"}], "already replicated"),
                                 ([{"Region": "mars-north-1"}], "Invalid replica region")):
            with self.assertRaises(ClientError) as e:
                self.east.replicate_secret_to_regions(SecretId="rep/errors", AddReplicaRegions=regions)
            self.assertEqual(self.error_code(e.exception), "InvalidParameterException")
            self.assertIn(message, e.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as e:
            self.east.remove_regions_from_replication(SecretId="rep/errors", RemoveReplicaRegions=["eu-west-3"])
        self.assertEqual(self.error_code(e.exception), "InvalidParameterException")

    def test_a_replica_the_caller_cannot_seal_there_is_failed(self):
        # KMS in the replica's region refuses the caller: the replication fails, the call does not
        key = self.server.client("kms", region="ap-south-1").create_key()["KeyMetadata"]["Arn"]
        _, key_id, secret = self.server.user("rep-writer", {"Effect": "Allow", "Action": "secretsmanager:*",
                                                            "Resource": "*"},
                                             {"Effect": "Allow", "Action": "kms:*",
                                              "Resource": "arn:aws:kms:us-east-1:*"})
        sm = self.server.client("secretsmanager", key=key_id, secret=secret)
        r = sm.create_secret(Name="rep/nokms", SecretString="x",
                             AddReplicaRegions=[{"Region": "ap-south-1", "KmsKeyId": key}])
        self.assertEqual(r["ReplicationStatus"][0]["Status"], "Failed")
        self.assertEqual(r["ReplicationStatus"][0]["StatusMessage"], "Replication failed: Access to KMS is not allowed")
        self.assertEqual(sm.get_secret_value(SecretId="rep/nokms")["SecretString"], "x")
        with self.assertRaises(ClientError) as e:
            self.server.client("secretsmanager", region="ap-south-1").describe_secret(SecretId="rep/nokms")
        self.assertEqual(self.error_code(e.exception), "ResourceNotFoundException")

if __name__ == "__main__":
    harness.main()
