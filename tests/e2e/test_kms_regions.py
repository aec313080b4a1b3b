"""Regions: the SigV4 credential scope's region selects the region of a call; KMS keys,
aliases and grants belong to a region; IAM and STS are global; --regions restricts what
is served. Multi-Region keys and AWS managed keys follow in their own classes."""
import base64
import json
import os

from botocore.exceptions import ClientError

import harness
import rawhttp

WEST, EU = "us-west-2", "eu-west-1"


class Regions(harness.ServerTest):
    # served: three regions, the default among them
    server_args = ("--regions", f"{harness.REGION},{WEST},{EU}")

    def kms(self, region):
        return self.server.client("kms", region=region)

    def test_keys_belong_to_their_region(self):
        west = self.kms(WEST).create_key(Description="west")["KeyMetadata"]
        self.assertEqual(west["Arn"], f"arn:aws:kms:{WEST}:{harness.ACCOUNT}:key/{west['KeyId']}")
        # the same key id from another region is another key: not there
        with self.assertRaises(ClientError) as e:
            self.kms(EU).describe_key(KeyId=west["KeyId"])
        self.assertEqual(self.error_code(e.exception), "NotFoundException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"Key 'arn:aws:kms:{EU}:{harness.ACCOUNT}:key/{west['KeyId']}' does not exist")
        # its ARN given in another region: KMS answers "Invalid arn <region>"
        # (nakedible/openssl-engine-kms#1: "Invalid arn us-west-1" from AWS)
        with self.assertRaises(ClientError) as e:
            self.kms(EU).describe_key(KeyId=west["Arn"])
        self.assertEqual(self.error_code(e.exception), "NotFoundException")
        self.assertEqual(e.exception.response["Error"]["Message"], f"Invalid arn {WEST}")
        self.assertNotIn(west["KeyId"], [k["KeyId"] for k in self.kms(EU).list_keys()["Keys"]])
        self.assertIn(west["KeyId"], [k["KeyId"] for k in self.kms(WEST).list_keys()["Keys"]])
        # ciphertexts decrypt in their key's region only
        blob = self.kms(WEST).encrypt(KeyId=west["KeyId"], Plaintext=b"regional")["CiphertextBlob"]
        self.assertEqual(self.kms(WEST).decrypt(CiphertextBlob=blob)["Plaintext"], b"regional")
        with self.assertRaises(ClientError) as e:
            self.kms(EU).decrypt(CiphertextBlob=blob)
        # a well-formed blob naming no key of this region is not this region's ciphertext
        self.assertEqual(self.error_code(e.exception), "InvalidCiphertextException")

    def test_aliases_and_grants_are_regional(self):
        for region in (WEST, EU):
            key = self.kms(region).create_key()["KeyMetadata"]
            self.kms(region).create_alias(AliasName="alias/same-name", TargetKeyId=key["KeyId"])
            meta = self.kms(region).describe_key(KeyId="alias/same-name")["KeyMetadata"]
            self.assertEqual(meta["KeyId"], key["KeyId"])
            alias = [a for a in self.kms(region).list_aliases()["Aliases"] if a["AliasName"] == "alias/same-name"]
            self.assertEqual(alias[0]["AliasArn"], f"arn:aws:kms:{region}:{harness.ACCOUNT}:alias/same-name")
            grant = self.kms(region).create_grant(
                KeyId=key["KeyId"], GranteePrincipal=f"arn:aws:iam::{harness.ACCOUNT}:root",
                Operations=["Encrypt"])
            grants = self.kms(region).list_grants(KeyId=key["KeyId"])["Grants"]
            self.assertEqual([g["GrantId"] for g in grants], [grant["GrantId"]])
            self.assertEqual(grants[0]["KeyId"], key["Arn"])

    def test_cli_with_region(self):
        _, out, _ = self.server.cli("kms", "create-key", "--region", EU, "--description", "cli")
        meta = out["KeyMetadata"]
        self.assertTrue(meta["Arn"].startswith(f"arn:aws:kms:{EU}:"))
        _, out, _ = self.server.cli("kms", "describe-key", "--region", EU, "--key-id", meta["KeyId"])
        self.assertEqual(out["KeyMetadata"]["Description"], "cli")
        rc, _, err = self.server.cli("kms", "describe-key", "--region", WEST, "--key-id", meta["KeyId"],
                                     check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NotFoundException", err)

    def test_unserved_region_is_refused_as_a_region_not_enabled(self):
        # AWS answers a call to a Region the account has not enabled (an opt-in Region) as
        # for a bad token: UnrecognizedClientException on JSON services such as KMS
        # (awslabs/landing-zone-accelerator-on-aws#269, ap-southeast-4; nccgroup/ScoutSuite
        # #1389, me-south-1), InvalidClientTokenId 403 on Query services such as STS
        # (remotion-dev/github-unwrapped-2022#34, eu-south-1 GetCallerIdentity).
        with self.assertRaises(ClientError) as e:
            self.kms("ap-southeast-2").list_keys()
        self.assertEqual(self.error_code(e.exception), "UnrecognizedClientException")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "The security token included in the request is invalid.")
        with self.assertRaises(ClientError) as e:
            self.server.client("sts", region="ap-southeast-2").get_caller_identity()
        self.assertEqual(self.error_code(e.exception), "InvalidClientTokenId")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        rc, _, err = self.server.cli("kms", "list-keys", "--region", "ap-southeast-2", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("UnrecognizedClientException", err)
        # a name that is no region of the partition: the scope does not fit the endpoint
        status, _, body = rawhttp.kms(self.server, "ListKeys", {}, region="mars-east-1")
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)["__type"], "InvalidSignatureException")

    def test_iam_and_sts_are_global(self):
        iam_west = self.server.client("iam", region=WEST)
        iam_west.create_user(UserName="global-user")
        users = [u["UserName"] for u in self.server.client("iam", region=EU).list_users()["Users"]]
        self.assertIn("global-user", users)
        for region in (harness.REGION, WEST, EU):
            ident = self.server.client("sts", region=region).get_caller_identity()
            self.assertEqual(ident["Account"], harness.ACCOUNT)

    def test_requested_region_condition_and_trail(self):
        # aws:RequestedRegion is the call's region: a user allowed KMS in us-west-2 only
        _, key, secret = self.server.user("west-only", {
            "Effect": "Allow", "Action": "kms:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": WEST}}})
        self.server.client("kms", key=key, secret=secret, region=WEST).list_keys()
        with self.assertRaises(ClientError) as e:
            self.server.client("kms", key=key, secret=secret, region=EU).list_keys()
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        records = [r for r in self.server.audit_records()
                   if r.get("eventName") == "ListKeys" and r.get("userIdentity", {}).get("accessKeyId") == key]
        self.assertEqual(sorted(r["awsRegion"] for r in records), sorted([WEST, EU]))


class MultiRegionKeys(harness.ServerTest):
    server_args = ("--regions", f"{harness.REGION},{WEST},{EU}")

    def kms(self, region=harness.REGION):
        return self.server.client("kms", region=region)

    def test_create_replicate_decrypt_across_regions(self):
        meta = self.kms().create_key(MultiRegion=True, Description="mrk")["KeyMetadata"]
        self.assertRegex(meta["KeyId"], r"^mrk-[0-9a-f]{32}$")
        self.assertTrue(meta["MultiRegion"])
        conf = meta["MultiRegionConfiguration"]
        self.assertEqual(conf["MultiRegionKeyType"], "PRIMARY")
        self.assertEqual(conf["PrimaryKey"], {"Arn": meta["Arn"], "Region": harness.REGION})
        self.assertEqual(conf["ReplicaKeys"], [])
        blob = self.kms().encrypt(KeyId=meta["KeyId"], Plaintext=b"across",
                                  EncryptionContext={"a": "b"})["CiphertextBlob"]
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{harness.ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"}]})
        out = self.kms().replicate_key(KeyId=meta["KeyId"], ReplicaRegion=WEST, Description="west copy",
                                       Policy=policy, Tags=[{"TagKey": "k", "TagValue": "v"}])
        replica = out["ReplicaKeyMetadata"]
        west_arn = f"arn:aws:kms:{WEST}:{harness.ACCOUNT}:key/{meta['KeyId']}"
        self.assertEqual(replica["Arn"], west_arn)
        self.assertEqual(replica["KeyId"], meta["KeyId"])
        self.assertEqual(replica["Description"], "west copy")
        self.assertEqual(replica["KeyState"], "Enabled")
        self.assertEqual(replica["MultiRegionConfiguration"]["MultiRegionKeyType"], "REPLICA")
        self.assertEqual(out["ReplicaPolicy"], policy)
        self.assertEqual(out["ReplicaTags"], [{"TagKey": "k", "TagValue": "v"}])
        # the replica decrypts the primary's ciphertext, and the primary the replica's
        self.assertEqual(self.kms(WEST).decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})["Plaintext"],
                         b"across")
        back = self.kms(WEST).encrypt(KeyId=west_arn, Plaintext=b"back")["CiphertextBlob"]
        self.assertEqual(self.kms().decrypt(CiphertextBlob=back)["Plaintext"], b"back")
        # one material: the same KeyMaterialId in both Regions
        self.assertEqual(self.kms(WEST).describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"],
                         self.kms().describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"])
        # each member of the set describes the whole set
        for region in (harness.REGION, WEST):
            conf = self.kms(region).describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
            self.assertEqual(conf["PrimaryKey"]["Region"], harness.REGION)
            self.assertEqual(conf["ReplicaKeys"], [{"Arn": west_arn, "Region": WEST}])
        # its own policy, description and tags
        self.assertEqual(self.kms(WEST).get_key_policy(KeyId=meta["KeyId"], PolicyName="default")["Policy"], policy)
        self.assertEqual(self.kms().describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["Description"], "mrk")
        # a second replica in the same Region, or one in the primary's Region: AlreadyExists
        for region in (WEST, harness.REGION):
            with self.assertRaises(ClientError) as e:
                self.kms().replicate_key(KeyId=meta["KeyId"], ReplicaRegion=region)
            self.assertEqual(self.error_code(e.exception), "AlreadyExistsException")
        # a replica cannot be replicated (LocalStack PR #13102 records AWS's
        # UnsupportedOperationException; the wording is the one AWS clients match)
        with self.assertRaises(ClientError) as e:
            self.kms(WEST).replicate_key(KeyId=meta["KeyId"], ReplicaRegion=EU)
        self.assertEqual(self.error_code(e.exception), "UnsupportedOperationException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"{west_arn} is not a multi-Region primary key.")
        # a Region this node does not serve (not enabled for the account)
        with self.assertRaises(ClientError) as e:
            self.kms().replicate_key(KeyId=meta["KeyId"], ReplicaRegion="ap-south-1")
        self.assertEqual(self.error_code(e.exception), "UnsupportedOperationException")

    def test_single_region_key_is_not_replicated(self):
        key = self.kms().create_key()["KeyMetadata"]
        self.assertFalse(key["MultiRegion"])
        self.assertNotIn("MultiRegionConfiguration", key)
        with self.assertRaises(ClientError) as e:
            self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)
        self.assertEqual(self.error_code(e.exception), "UnsupportedOperationException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"{key['Arn']} is not a multi-Region primary key.")

    def test_replicate_key_state_errors(self):
        key = self.kms().create_key(MultiRegion=True)["KeyMetadata"]
        self.kms().disable_key(KeyId=key["KeyId"])
        with self.assertRaises(ClientError) as e:
            self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)
        self.assertEqual((self.error_code(e.exception), e.exception.response["Error"]["Message"]),
                         ("DisabledException", f"{key['Arn']} is disabled."))
        self.kms().schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        with self.assertRaises(ClientError) as e:
            self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)
        self.assertEqual((self.error_code(e.exception), e.exception.response["Error"]["Message"]),
                         ("KMSInvalidStateException", f"{key['Arn']} is pending deletion."))
        # the model's RegionType pattern
        with self.assertRaises(ClientError) as e:
            self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion="Not A Region")
        self.assertEqual(self.error_code(e.exception), "ValidationException")
        # UpdatePrimaryRegion of a single-Region key
        single = self.kms().create_key()["KeyMetadata"]
        with self.assertRaises(ClientError) as e:
            self.kms().update_primary_region(KeyId=single["KeyId"], PrimaryRegion=WEST)
        self.assertEqual((self.error_code(e.exception), e.exception.response["Error"]["Message"]),
                         ("UnsupportedOperationException", f"{single['Arn']} is not a multi-Region key."))

    def test_replica_of_imported_material_takes_the_same_material_only(self):
        from test_kms_import import wrap

        # each GetParametersForImport generates an RSA wrapping key: tens of seconds under
        # valgrind (the valgrind-e2e run), so these calls may wait longer, and the replica's
        # two imports share one set of parameters
        def client(region):
            return self.server.client("kms", region=region, read_timeout=600)

        def params(region, key_id):
            return client(region).get_parameters_for_import(
                KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")

        def import_into(region, key_id, p, material):
            client(region).import_key_material(
                KeyId=key_id, ImportToken=p["ImportToken"], ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                EncryptedKeyMaterial=wrap(p["PublicKey"], material, "RSAES_OAEP_SHA_256"))

        key = self.kms().create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]
        material = os.urandom(32)
        import_into(harness.REGION, key["KeyId"], params(harness.REGION, key["KeyId"]), material)
        blob = self.kms().encrypt(KeyId=key["KeyId"], Plaintext=b"imported")["CiphertextBlob"]
        # "If you replicate a multi-Region primary key with imported key material, the replica
        # key is created with no key material. You must import the same key material"
        replica = self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)["ReplicaKeyMetadata"]
        self.assertEqual(replica["KeyState"], "PendingImport")
        self.assertEqual(replica["Origin"], "EXTERNAL")
        p = params(WEST, key["KeyId"])
        with self.assertRaises(ClientError) as e:
            import_into(WEST, key["KeyId"], p, os.urandom(32))
        self.assertEqual(self.error_code(e.exception), "IncorrectKeyMaterialException")
        import_into(WEST, key["KeyId"], p, material)
        self.assertEqual(self.kms(WEST).describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"], "Enabled")
        self.assertEqual(self.kms(WEST).decrypt(CiphertextBlob=blob)["Plaintext"], b"imported")

    def test_asymmetric_and_hmac_replicas(self):
        for spec, usage in (("ECC_NIST_P256", "SIGN_VERIFY"), ("HMAC_256", "GENERATE_VERIFY_MAC")):
            key = self.kms().create_key(MultiRegion=True, KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
            self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=EU)
            if usage == "SIGN_VERIFY":
                sig = self.kms().sign(KeyId=key["KeyId"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
                ok = self.kms(EU).verify(KeyId=key["KeyId"], Message=b"m", Signature=sig,
                                         SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"]
                self.assertTrue(ok)
                self.assertEqual(self.kms().get_public_key(KeyId=key["KeyId"])["PublicKey"],
                                 self.kms(EU).get_public_key(KeyId=key["KeyId"])["PublicKey"])
            else:
                mac = self.kms().generate_mac(KeyId=key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
                self.assertTrue(self.kms(EU).verify_mac(KeyId=key["KeyId"], Message=b"m", Mac=mac,
                                                        MacAlgorithm="HMAC_SHA_256")["MacValid"])

    def test_update_primary_region(self):
        key = self.kms().create_key(MultiRegion=True)["KeyMetadata"]
        self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=EU)
        # the CLI: update-primary-region from the current primary's Region
        self.server.cli("kms", "update-primary-region", "--region", harness.REGION,
                        "--key-id", key["KeyId"], "--primary-region", EU)
        _, out, _ = self.server.cli("kms", "describe-key", "--region", EU, "--key-id", key["KeyId"])
        conf = out["KeyMetadata"]["MultiRegionConfiguration"]
        self.assertEqual(conf["MultiRegionKeyType"], "PRIMARY")
        self.assertEqual(conf["PrimaryKey"]["Region"], EU)
        self.assertEqual([r["Region"] for r in conf["ReplicaKeys"]], [harness.REGION])
        # the old primary is now a replica: it can no longer replicate or rotate
        with self.assertRaises(ClientError) as e:
            self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)
        self.assertEqual(self.error_code(e.exception), "UnsupportedOperationException")
        with self.assertRaises(ClientError) as e:
            self.kms().enable_key_rotation(KeyId=key["KeyId"])
        self.assertEqual(self.error_code(e.exception), "UnsupportedOperationException")
        # to a Region with no replica: NotFound
        with self.assertRaises(ClientError) as e:
            self.kms(EU).update_primary_region(KeyId=key["KeyId"], PrimaryRegion=WEST)
        self.assertEqual(self.error_code(e.exception), "NotFoundException")
        # the new primary replicates
        self.kms(EU).replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)

    def test_rotation_of_the_primary_reaches_replicas(self):
        key = self.kms().create_key(MultiRegion=True)["KeyMetadata"]
        self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)
        old = self.kms().encrypt(KeyId=key["KeyId"], Plaintext=b"v1")["CiphertextBlob"]
        self.kms().enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
        status = self.kms(WEST).get_key_rotation_status(KeyId=key["KeyId"])
        self.assertTrue(status["KeyRotationEnabled"])
        self.assertEqual(status["RotationPeriodInDays"], 90)
        self.kms().rotate_key_on_demand(KeyId=key["KeyId"])
        new = self.kms().encrypt(KeyId=key["KeyId"], Plaintext=b"v2")["CiphertextBlob"]
        for blob, text in ((old, b"v1"), (new, b"v2")):
            self.assertEqual(self.kms(WEST).decrypt(CiphertextBlob=blob)["Plaintext"], text)
        with self.assertRaises(ClientError) as e:
            self.kms(WEST).rotate_key_on_demand(KeyId=key["KeyId"])
        self.assertEqual(self.error_code(e.exception), "UnsupportedOperationException")

    def test_primary_waits_for_its_replicas_before_deletion(self):
        key = self.kms().create_key(MultiRegion=True)["KeyMetadata"]
        self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)
        out = self.kms().schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        self.assertEqual(out["KeyState"], "PendingReplicaDeletion")
        self.assertNotIn("DeletionDate", out)
        meta = self.kms().describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        self.assertEqual(meta["KeyState"], "PendingReplicaDeletion")
        with self.assertRaises(ClientError) as e:
            self.kms().encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        self.assertEqual(self.error_code(e.exception), "KMSInvalidStateException")
        # cancelled like a PendingDeletion key: Disabled
        self.kms().cancel_key_deletion(KeyId=key["KeyId"])
        self.assertEqual(self.kms().describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"], "Disabled")
        # without replicas a primary goes straight to PendingDeletion
        lone = self.kms().create_key(MultiRegion=True)["KeyMetadata"]
        self.assertEqual(self.kms().schedule_key_deletion(KeyId=lone["KeyId"], PendingWindowInDays=7)["KeyState"],
                         "PendingDeletion")

    def test_multi_region_condition_keys(self):
        key = self.kms().create_key(MultiRegion=True)["KeyMetadata"]
        self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)
        # kms:MultiRegionKeyType: this user may encrypt with replicas only
        _, ak, sk = self.server.user("replica-user", {
            "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:MultiRegionKeyType": "REPLICA"}}})
        self.server.client("kms", key=ak, secret=sk, region=WEST).encrypt(KeyId=key["KeyId"], Plaintext=b"r")
        with self.assertRaises(ClientError) as e:
            self.server.client("kms", key=ak, secret=sk).encrypt(KeyId=key["KeyId"], Plaintext=b"p")
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")

    def test_authorization_of_update_primary_region(self):
        key = self.kms().create_key(MultiRegion=True)["KeyMetadata"]
        # the replica's own key policy must allow kms:UpdatePrimaryRegion too
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{harness.ACCOUNT}:root"},
             "NotAction": "kms:UpdatePrimaryRegion", "Resource": "*"}]})
        self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST, Policy=policy,
                                 BypassPolicyLockoutSafetyCheck=True)
        with self.assertRaises(ClientError) as e:
            self.kms().update_primary_region(KeyId=key["KeyId"], PrimaryRegion=WEST)
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        self.assertIn(f"arn:aws:kms:{WEST}:{harness.ACCOUNT}:key/{key['KeyId']}",
                      e.exception.response["Error"]["Message"])
        # kms:PrimaryRegion limits where the primary may move
        self.kms().replicate_key(KeyId=key["KeyId"], ReplicaRegion=EU)
        _, ak, sk = self.server.user("mover", {
            "Effect": "Allow", "Action": "kms:UpdatePrimaryRegion", "Resource": "*",
            "Condition": {"StringEquals": {"kms:PrimaryRegion": WEST}}})
        with self.assertRaises(ClientError) as e:
            self.server.client("kms", key=ak, secret=sk).update_primary_region(KeyId=key["KeyId"], PrimaryRegion=EU)
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        self.assertEqual(self.kms().describe_key(KeyId=key["KeyId"])["KeyMetadata"]
                         ["MultiRegionConfiguration"]["MultiRegionKeyType"], "PRIMARY")

    def test_authorization_of_replicate_key(self):
        key = self.kms().create_key(MultiRegion=True)["KeyMetadata"]
        # kms:ReplicateKey alone (no kms:CreateKey in the replica Region) is not enough
        _, ak, sk = self.server.user("replicator", {
            "Effect": "Allow", "Action": ["kms:ReplicateKey"], "Resource": "*"})
        kms = self.server.client("kms", key=ak, secret=sk)
        with self.assertRaises(ClientError) as e:
            kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion=EU)
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        self.assertIn("kms:CreateKey", e.exception.response["Error"]["Message"])
        # kms:ReplicaRegion limits where replicas may go
        _, ak, sk = self.server.user("replicator-west", {
            "Effect": "Allow", "Action": ["kms:ReplicateKey", "kms:CreateKey"], "Resource": "*",
            "Condition": {"StringEquals": {"kms:ReplicaRegion": WEST}}}, {
            "Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"})
        kms = self.server.client("kms", key=ak, secret=sk)
        with self.assertRaises(ClientError) as e:
            kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion=EU)
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST, BypassPolicyLockoutSafetyCheck=True)
        # Tags need kms:TagResource in the replica Region as well
        other = self.kms().create_key(MultiRegion=True)["KeyMetadata"]
        with self.assertRaises(ClientError) as e:
            kms.replicate_key(KeyId=other["KeyId"], ReplicaRegion=WEST, Tags=[{"TagKey": "a", "TagValue": "b"}])
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        self.assertIn("kms:TagResource", e.exception.response["Error"]["Message"])


DAY = 86400


class AwsManagedKeys(harness.ServerTest):
    """alias/aws/<service>: made on first use (API reference, DescribeKey: "If you call the
    DescribeKey operation on a predefined AWS alias, that is, an AWS alias with no key ID,
    KMS creates an AWS managed key"), KeyManager AWS, AWS's key policy for such keys, yearly
    rotation, and not editable: that policy allows the account only Describe*, Get*, List*
    and RevokeGrant, and use through the service (kms:ViaService)."""
    server_args = ("--regions", f"{harness.REGION},{WEST}")

    def test_describe_key_makes_the_key(self):
        kms = self.server.client("kms")
        before = len(kms.list_keys()["Keys"])
        meta = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]
        self.assertEqual(meta["KeyManager"], "AWS")
        self.assertEqual(meta["Description"],
                         "Default key that protects my Secrets Manager data when no other key is defined")
        self.assertEqual(meta["KeyState"], "Enabled")
        self.assertTrue(meta["Arn"].startswith(f"arn:aws:kms:{harness.REGION}:{harness.ACCOUNT}:key/"))
        # the same key the second time; one more key in the account
        self.assertEqual(kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["KeyId"], meta["KeyId"])
        self.assertEqual(len(kms.list_keys()["Keys"]), before + 1)
        aliases = {a["AliasName"]: a for a in kms.list_aliases()["Aliases"]}
        self.assertEqual(aliases["alias/aws/secretsmanager"]["TargetKeyId"], meta["KeyId"])
        # AWS's key policy for AWS managed keys (Secrets Manager user guide, "auto-secretsmanager-1")
        policy = json.loads(kms.get_key_policy(KeyId=meta["KeyId"], PolicyName="default")["Policy"])
        self.assertEqual(policy["Id"], "auto-secretsmanager-1")
        use, meta_stmt = policy["Statement"]
        self.assertEqual(use["Principal"], {"AWS": "*"})
        self.assertEqual(use["Condition"]["StringEquals"],
                         {"kms:ViaService": f"secretsmanager.{harness.REGION}.amazonaws.com",
                          "kms:CallerAccount": harness.ACCOUNT})
        self.assertEqual(meta_stmt["Action"], ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"])
        rotation = kms.get_key_rotation_status(KeyId=meta["KeyId"])
        self.assertTrue(rotation["KeyRotationEnabled"])
        self.assertEqual(rotation["RotationPeriodInDays"], 365)
        # made by KMS: a CreateKey service event in the trail
        events = [r for r in self.server.audit_records()
                  if r.get("eventName") == "CreateKey" and r.get("eventType") == "AwsServiceEvent"]
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["resources"][0]["ARN"], meta["Arn"])

    def test_per_region_and_via_cli(self):
        _, out, _ = self.server.cli("kms", "describe-key", "--region", WEST, "--key-id", "alias/aws/ssm")
        meta = out["KeyMetadata"]
        self.assertTrue(meta["Arn"].startswith(f"arn:aws:kms:{WEST}:"))
        self.assertEqual(meta["Description"], "Default key that protects my SSM parameters when no other key is defined")
        east = self.server.client("kms").describe_key(KeyId="alias/aws/ssm")["KeyMetadata"]
        self.assertNotEqual(east["KeyId"], meta["KeyId"])

    def test_direct_use_and_changes_are_refused(self):
        kms = self.server.client("kms")
        # Encrypt by a person, not through the service: the key is made, the call denied
        with self.assertRaises(ClientError) as e:
            kms.encrypt(KeyId="alias/aws/ebs", Plaintext=b"x")
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        key = kms.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]
        self.assertEqual(key["Description"], "Default key that protects my EBS volumes when no other key is defined")
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{harness.ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"}]})
        for call in (lambda: kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=policy),
                     lambda: kms.schedule_key_deletion(KeyId=key["KeyId"]),
                     lambda: kms.disable_key(KeyId=key["KeyId"]),
                     lambda: kms.disable_key_rotation(KeyId=key["KeyId"]),
                     lambda: kms.update_key_description(KeyId=key["KeyId"], Description="mine"),
                     lambda: kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": "a", "TagValue": "b"}])):
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        # no alias of one's own on it (its key policy does not allow kms:CreateAlias)
        with self.assertRaises(ClientError) as e:
            kms.create_alias(AliasName="alias/mine", TargetKeyId=key["KeyId"])
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        # its alias stays reserved
        mine = kms.create_key()["KeyMetadata"]["KeyId"]
        for call in (lambda: kms.create_alias(AliasName="alias/aws/ebs", TargetKeyId=mine),
                     lambda: kms.update_alias(AliasName="alias/aws/ebs", TargetKeyId=mine),
                     lambda: kms.delete_alias(AliasName="alias/aws/ebs")):
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(self.error_code(e.exception), "InvalidAliasNameException")
        # an alias/aws/ name of no AWS service is simply not found
        with self.assertRaises(ClientError) as e:
            kms.describe_key(KeyId="alias/aws/no-such-service")
        self.assertEqual(self.error_code(e.exception), "NotFoundException")



class ReplicaDeletion(harness.ServerTest):
    """The primary's waiting period begins when its last replica is deleted (KMS developer
    guide, multi-region-keys-delete): a replica's window passes (the test clock moves it),
    the sweep deletes it, and the primary turns PendingDeletion with a DeletionDate."""
    server_args = ("--regions", f"{harness.REGION},{WEST}")

    def test_last_replica_deleted_starts_the_primary_window(self):
        s = self.server
        kms, west = s.client("kms"), s.client("kms", region=WEST)
        key = kms.create_key(MultiRegion=True)["KeyMetadata"]
        kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion=WEST)
        west.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        self.assertEqual(kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)["KeyState"],
                         "PendingReplicaDeletion")
        offset = 7 * DAY + 120
        s.restart_later(offset)
        with harness.shifted_clock(offset):
            kms, west = s.client("kms"), s.client("kms", region=WEST)
            with self.assertRaises(ClientError) as e:
                west.describe_key(KeyId=key["KeyId"])
            self.assertEqual(self.error_code(e.exception), "NotFoundException")
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            self.assertEqual(meta["KeyState"], "PendingDeletion")
            self.assertIn("DeletionDate", meta)
            self.assertEqual(meta["MultiRegionConfiguration"]["ReplicaKeys"], [])


class RegionFlags(harness.ServerTest):
    def test_default_serves_every_region(self):
        for region in ("ap-southeast-2", "sa-east-1", "me-central-1"):
            meta = self.server.client("kms", region=region).create_key()["KeyMetadata"]
            self.assertTrue(meta["Arn"].startswith(f"arn:aws:kms:{region}:"))

    def test_bad_regions_flag_stops_the_start(self):
        for args in (("--regions", "us-east-1,mars-1"), ("--regions", "eu-west-1")):
            srv = harness.Server(extra_args=args)
            with self.assertRaises(RuntimeError):
                srv.start()
            srv.cleanup()


if __name__ == "__main__":
    harness.main()
