"""Regions: the SigV4 credential scope's region selects the region of a call; KMS keys,
aliases and grants belong to a region; IAM and STS are global; --regions restricts what
is served. Multi-Region keys and AWS managed keys follow in their own classes."""
import base64
import json

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
