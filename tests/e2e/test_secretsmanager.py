"""Secrets Manager end to end (src/services/secretsmanager): the seeds' JSON credentials
round trip with boto3 and the aws CLI, versions and staging labels, deletion, restore and
the end of a recovery window on the test clock, values sealed by KMS as the caller (a
reader without kms:Decrypt is refused), AWS's errors, and no plaintext in the trail or
the log."""
import json
import os
import re

from botocore.exceptions import ClientError

import harness

DAY = 86400
NOT_FOUND = ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
MARKED = ("InvalidRequestException",
          "You can't perform this operation on the secret because it was marked for deletion.")
def trail_text(server):
    with open(os.path.join(server.data_dir, "audit.log"), errors="replace") as f:
        return f.read()


CREDS = {"username": "ml-user", "password": "pl4intext-never-in-the-trail", "host": "db.internal"}


class SecretsManager(harness.ServerTest):
    def setUp(self):
        self.sm = self.server.client("secretsmanager")

    def test_seed_round_trip(self):
        made = self.sm.create_secret(Name="ml/database-credentials", SecretString=json.dumps(CREDS),
                                     Description="db", Tags=[{"Key": "team", "Value": "ml"}])
        self.assertRegex(made["ARN"], r"^arn:aws:secretsmanager:us-east-1:123456789012:secret:"
                                      r"ml/database-credentials-[A-Za-z0-9]{6}$")
        got = self.sm.get_secret_value(SecretId="ml/database-credentials")
        self.assertEqual(json.loads(got["SecretString"]), CREDS)
        self.assertEqual(got["VersionStages"], ["AWSCURRENT"])
        self.assertEqual(got["VersionId"], made["VersionId"])
        # by full ARN and by partial ARN (without the random suffix)
        self.assertEqual(self.sm.get_secret_value(SecretId=made["ARN"])["Name"], "ml/database-credentials")
        self.assertEqual(self.sm.get_secret_value(SecretId=made["ARN"][:-7])["ARN"], made["ARN"])
        d = self.sm.describe_secret(SecretId="ml/database-credentials")
        self.assertEqual(d["ARN"], made["ARN"])
        self.assertEqual(d["Description"], "db")
        self.assertEqual(d["Tags"], [{"Key": "team", "Value": "ml"}])
        self.assertEqual(d["VersionIdsToStages"], {made["VersionId"]: ["AWSCURRENT"]})
        self.assertNotIn("KmsKeyId", d)
        self.assertNotIn("DeletedDate", d)
        self.assertEqual(d["LastAccessedDate"].timestamp() % DAY, 0)
        self.assertIn("CreatedDate", d)
        # the CLI reads it too, and writes
        _, out, _ = self.server.cli("secretsmanager", "get-secret-value", "--secret-id",
                                    "ml/database-credentials")
        self.assertEqual(json.loads(out["SecretString"]), CREDS)
        _, made_cli, _ = self.server.cli("secretsmanager", "create-secret", "--name", "cli/secret",
                                         "--secret-string", "from the cli")
        _, put, _ = self.server.cli("secretsmanager", "put-secret-value", "--secret-id", made_cli["ARN"],
                                    "--secret-string", "second")
        _, ids, _ = self.server.cli("secretsmanager", "list-secret-version-ids", "--secret-id", "cli/secret")
        self.assertEqual({v["VersionId"]: v["VersionStages"] for v in ids["Versions"]},
                         {made_cli["VersionId"]: ["AWSPREVIOUS"], put["VersionId"]: ["AWSCURRENT"]})
        _, pw, _ = self.server.cli("secretsmanager", "get-random-password", "--password-length", "12")
        self.assertEqual(len(pw["RandomPassword"]), 12)
        # the AWS managed key was made on first use
        kms = self.server.client("kms")
        key = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]
        self.assertEqual(key["KeyManager"], "AWS")
        # never the plaintext in the trail, the log or the store
        trail = trail_text(self.server)
        self.assertIn("secretsmanager.amazonaws.com", trail)
        self.assertNotIn(CREDS["password"], trail)
        self.assertNotIn(CREDS["password"], self.server.read_log())
        # GetSecretValue is a read in the trail (readOnly, no responseElements), though it
        # records the day of the access; CreateSecret a write
        recs = self.server.audit_records()
        gets = [r for r in recs if r["eventName"] == "GetSecretValue" and "errorCode" not in r]
        self.assertTrue(gets)
        self.assertTrue(all(r["readOnly"] and r.get("responseElements") is None for r in gets), gets[-1])
        made_rec = [r for r in recs if r["eventName"] == "CreateSecret" and "errorCode" not in r][0]
        self.assertFalse(made_rec["readOnly"])
        self.assertEqual(made_rec["eventSource"], "secretsmanager.amazonaws.com")
        docs = self.server.store_docs()
        self.assertTrue([d for d in docs if "ml/database-credentials" in d])  # the secret is there
        self.assertFalse([d for d in docs if CREDS["password"] in d])

    def test_versions_and_labels(self):
        v1 = self.sm.create_secret(Name="labels", SecretString="one")["VersionId"]
        v2 = self.sm.put_secret_value(SecretId="labels", SecretString="two")["VersionId"]
        v3 = self.sm.put_secret_value(SecretId="labels", SecretBinary=b"\x00three")["VersionId"]
        stages = self.sm.describe_secret(SecretId="labels")["VersionIdsToStages"]
        self.assertEqual(stages, {v3: ["AWSCURRENT"], v2: ["AWSPREVIOUS"]})
        self.assertEqual(self.sm.get_secret_value(SecretId="labels")["SecretBinary"], b"\x00three")
        self.assertEqual(self.sm.get_secret_value(SecretId="labels", VersionStage="AWSPREVIOUS")
                         ["SecretString"], "two")
        self.assertEqual(self.sm.get_secret_value(SecretId="labels", VersionId=v1)["SecretString"], "one")
        ids = self.sm.list_secret_version_ids(SecretId="labels")["Versions"]
        self.assertEqual({v["VersionId"] for v in ids}, {v2, v3})
        first = self.sm.list_secret_version_ids(SecretId="labels", IncludeDeprecated=True, MaxResults=2)
        rest = self.sm.list_secret_version_ids(SecretId="labels", IncludeDeprecated=True, MaxResults=2,
                                               NextToken=first["NextToken"])
        self.assertEqual((len(first["Versions"]), len(rest["Versions"]), "NextToken" in rest), (2, 1, False))
        self.assertEqual(self.err(self.sm.list_secret_version_ids, SecretId="labels",
                                  NextToken="x" * 40)[0], "InvalidNextTokenException")
        ids = self.sm.list_secret_version_ids(SecretId="labels", IncludeDeprecated=True)["Versions"]
        self.assertEqual({v["VersionId"]: v["VersionStages"] for v in ids}, {v1: [], v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]})
        # a pending version keeps AWSCURRENT where it is
        p = self.sm.put_secret_value(SecretId="labels", SecretString="four", VersionStages=["AWSPENDING"],
                                     ClientRequestToken="pending-token-0000000000000000000001")
        self.assertEqual(p["VersionStages"], ["AWSPENDING"])
        # idempotent token: same value ignored, another value refused
        again = self.sm.put_secret_value(SecretId="labels", SecretString="four", VersionStages=["AWSPENDING"],
                                         ClientRequestToken="pending-token-0000000000000000000001")
        self.assertEqual(again["VersionId"], p["VersionId"])
        self.assertEqual(self.err(self.sm.put_secret_value, SecretId="labels", SecretString="other",
                                  ClientRequestToken="pending-token-0000000000000000000001"),
                         ("ResourceExistsException",
                          "You can't modify an existing version, you can only create a new version.", 400))
        # moving AWSCURRENT needs RemoveFromVersionId, and leaves AWSPREVIOUS behind
        code, msg, _ = self.err(self.sm.update_secret_version_stage, SecretId="labels",
                                VersionStage="AWSCURRENT", MoveToVersionId=p["VersionId"])
        self.assertEqual(code, "InvalidParameterException")
        self.assertIn(v3, msg)
        self.sm.update_secret_version_stage(SecretId="labels", VersionStage="AWSCURRENT",
                                            MoveToVersionId=p["VersionId"], RemoveFromVersionId=v3)
        stages = self.sm.describe_secret(SecretId="labels")["VersionIdsToStages"]
        self.assertEqual(sorted(stages[p["VersionId"]]), ["AWSCURRENT", "AWSPENDING"])
        self.assertEqual(stages[v3], ["AWSPREVIOUS"])
        self.assertNotIn(v2, stages)
        self.assertEqual(self.err(self.sm.get_secret_value, SecretId="labels", VersionStage="NOPE"),
                         ("ResourceNotFoundException",
                          "Secrets Manager can't find the specified secret value for staging label: NOPE", 400))

    def test_errors(self):
        self.assertEqual(self.err(self.sm.get_secret_value, SecretId="missing"), NOT_FOUND + (400,))
        self.assertEqual(self.err(self.sm.describe_secret, SecretId="arn:aws:secretsmanager:us-east-1:"
                                  "123456789012:secret:missing-AbCdEf"), NOT_FOUND + (400,))
        self.sm.create_secret(Name="dup", SecretString="x")
        self.assertEqual(self.err(self.sm.create_secret, Name="dup", SecretString="y"),
                         ("ResourceExistsException", "The operation failed because the secret dup already exists.", 400))
        code, _, _ = self.err(self.sm.create_secret, Name="both", SecretString="a", SecretBinary=b"b")
        self.assertEqual(code, "InvalidParameterException")
        code, _, _ = self.err(self.sm.create_secret, Name="bad name!", SecretString="a")
        self.assertEqual(code, "InvalidParameterException")
        self.assertEqual(self.err(self.sm.delete_secret, SecretId="dup", RecoveryWindowInDays=6)[:2],
                         ("InvalidParameterException",
                          "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."))
        self.assertEqual(self.err(self.sm.delete_secret, SecretId="dup", RecoveryWindowInDays=7,
                                  ForceDeleteWithoutRecovery=True)[0], "InvalidParameterException")
        # names of 512 characters (the model's maximum) and 511 are two secrets, not one
        self.sm.create_secret(Name="n" * 512, SecretString="512")
        self.sm.create_secret(Name="n" * 511, SecretString="511")
        self.assertEqual(self.sm.get_secret_value(SecretId="n" * 512)["SecretString"], "512")
        self.assertEqual(self.sm.get_secret_value(SecretId="n" * 511)["SecretString"], "511")
        self.sm.delete_secret(SecretId="n" * 512, ForceDeleteWithoutRecovery=True)
        self.assertEqual(self.sm.get_secret_value(SecretId="n" * 511)["SecretString"], "511")
        _, _, err = self.server.cli("secretsmanager", "describe-secret", "--secret-id", "nope", check=False)
        self.assertIn("ResourceNotFoundException", err)

    def test_delete_restore(self):
        arn = self.sm.create_secret(Name="doomed", SecretString="s")["ARN"]
        d = self.sm.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
        self.assertEqual(d["ARN"], arn)
        self.assertIn("DeletedDate", self.sm.describe_secret(SecretId="doomed"))
        for fn, kw in ((self.sm.get_secret_value, {}), (self.sm.put_secret_value, {"SecretString": "n"}),
                       (self.sm.update_secret, {"Description": "n"})):
            self.assertEqual(self.err(fn, SecretId="doomed", **kw), MARKED + (400,))
        self.assertEqual(self.err(self.sm.create_secret, Name="doomed", SecretString="x")[:2],
                         ("InvalidRequestException", "You can't create this secret because a secret "
                          "with this name is already scheduled for deletion."))
        names = [s["Name"] for s in self.sm.list_secrets()["SecretList"]]
        self.assertNotIn("doomed", names)
        names = [s["Name"] for s in self.sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]]
        self.assertIn("doomed", names)
        self.sm.restore_secret(SecretId="doomed")
        self.assertEqual(self.sm.get_secret_value(SecretId="doomed")["SecretString"], "s")
        self.sm.create_secret(Name="forced", SecretString="f")
        self.sm.delete_secret(SecretId="forced", ForceDeleteWithoutRecovery=True)
        self.assertEqual(self.err(self.sm.describe_secret, SecretId="forced"), NOT_FOUND + (400,))

    def test_list_filters_and_pages(self):
        for n in ("lst/a", "lst/b", "lst/c"):
            self.sm.create_secret(Name=n, SecretString="v", Tags=[{"Key": "k", "Value": n[-1]}])
        names = lambda **kw: [s["Name"] for s in self.sm.list_secrets(**kw)["SecretList"]]
        self.assertEqual(names(Filters=[{"Key": "name", "Values": ["LST/"]}], SortOrder="asc"),
                         ["lst/a", "lst/b", "lst/c"])
        self.assertEqual(names(Filters=[{"Key": "name", "Values": ["lst/"]},
                                        {"Key": "tag-value", "Values": ["!b"]}], SortBy="name",
                               SortOrder="desc"), ["lst/c", "lst/a"])
        p = self.sm.get_paginator("list_secrets")
        pages = list(p.paginate(Filters=[{"Key": "name", "Values": ["lst/"]}], PaginationConfig={"PageSize": 2}))
        self.assertEqual([len(x["SecretList"]) for x in pages], [2, 1])
        code, _, _ = self.err(self.sm.list_secrets, NextToken="tampered")
        self.assertEqual(code, "InvalidNextTokenException")

    def test_tags_and_update(self):
        self.sm.create_secret(Name="tagged", SecretString="v")
        self.sm.tag_resource(SecretId="tagged", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        self.sm.untag_resource(SecretId="tagged", TagKeys=["a"])
        self.assertEqual(self.sm.describe_secret(SecretId="tagged")["Tags"], [{"Key": "b", "Value": "2"}])
        u = self.sm.update_secret(SecretId="tagged", Description="new", SecretString="v2")
        self.assertEqual(self.sm.get_secret_value(SecretId="tagged")["VersionId"], u["VersionId"])
        self.assertEqual(self.sm.describe_secret(SecretId="tagged")["Description"], "new")

    def test_random_password(self):
        pw = self.sm.get_random_password()["RandomPassword"]
        self.assertEqual(len(pw), 32)
        for cls in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[!-/:-@\[-`{-~]"):
            self.assertRegex(pw, cls)
        pw = self.sm.get_random_password(PasswordLength=100, ExcludePunctuation=True, ExcludeNumbers=True,
                                         ExcludeCharacters="abc")["RandomPassword"]
        self.assertRegex(pw, r"^[d-zA-Z]{100}$")
        pw = self.sm.get_random_password(PasswordLength=50, IncludeSpace=True, ExcludeLowercase=True,
                                         ExcludeUppercase=True, ExcludeNumbers=True,
                                         ExcludePunctuation=True)["RandomPassword"]
        self.assertEqual(pw, " " * 50)
        trail = trail_text(self.server)
        self.assertNotIn(self.sm.get_random_password()["RandomPassword"], trail)

    def test_reader_without_kms_decrypt(self):
        kms = self.server.client("kms")
        key = kms.create_key(Description="secrets")["KeyMetadata"]
        self.sm.create_secret(Name="cmk", SecretString="under a customer key", KmsKeyId=key["Arn"])
        self.assertEqual(self.sm.describe_secret(SecretId="cmk")["KmsKeyId"], key["Arn"])
        _, k1, s1 = self.server.user("sm-only", {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"})
        _, k2, s2 = self.server.user("sm-and-kms",
                                     {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
                                     {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key["Arn"],
                                      "Condition": {"StringEquals": {
                                          "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
                                          "kms:EncryptionContext:SecretARN":
                                              self.sm.describe_secret(SecretId="cmk")["ARN"]}}})
        sm1 = self.server.client("secretsmanager", key=k1, secret=s1)
        self.assertEqual(self.err(sm1.get_secret_value, SecretId="cmk"),
                         ("AccessDeniedException", "Access to KMS is not allowed", 400))
        sm2 = self.server.client("secretsmanager", key=k2, secret=s2)
        self.assertEqual(sm2.get_secret_value(SecretId="cmk")["SecretString"], "under a customer key")
        # the AWS managed key needs no KMS permission of the caller's own
        self.sm.create_secret(Name="managed", SecretString="m")
        self.assertEqual(sm1.get_secret_value(SecretId="managed")["SecretString"], "m")
        # a disabled key: DecryptionFailure
        kms.disable_key(KeyId=key["KeyId"])
        self.assertEqual(self.err(self.sm.get_secret_value, SecretId="cmk")[0], "DecryptionFailure")
        self.assertEqual(self.err(self.sm.put_secret_value, SecretId="cmk", SecretString="n")[0], "EncryptionFailure")
        kms.enable_key(KeyId=key["KeyId"])


class BatchGet(harness.ServerTest):
    def test_batch_get_secret_value(self):
        sm = self.server.client("secretsmanager")
        a = sm.create_secret(Name="batch/a", SecretString="va")["ARN"]
        sm.create_secret(Name="batch/b", SecretBinary=b"vb")
        sm.create_secret(Name="batch/gone", SecretString="vg")
        sm.delete_secret(SecretId="batch/gone")
        r = sm.batch_get_secret_value(SecretIdList=[a, "batch/b", "batch/missing", "batch/gone"])
        self.assertEqual([(v["Name"], v.get("SecretString"), v.get("SecretBinary")) for v in r["SecretValues"]],
                         [("batch/a", "va", None), ("batch/b", None, b"vb")])
        self.assertEqual([(e["SecretId"], e["ErrorCode"], e["Message"]) for e in r["Errors"]],
                         [("batch/missing",) + NOT_FOUND, ("batch/gone",) + MARKED])
        first = sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": ["batch/"]}], MaxResults=1)
        self.assertEqual([v["Name"] for v in first["SecretValues"]], ["batch/a"])
        second = sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": ["batch/"]}], MaxResults=1,
                                           NextToken=first["NextToken"])
        self.assertEqual([v["Name"] for v in second["SecretValues"]], ["batch/b"])
        self.assertNotIn("NextToken", second)
        with self.assertRaises(ClientError) as e:
            sm.batch_get_secret_value(SecretIdList=["batch/a"], Filters=[{"Key": "name", "Values": ["x"]}])
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterException")
        # GetSecretValue is needed on each secret: a reader allowed only batch/a
        batcher, k, sk = self.server.user("batcher",
                                    {"Effect": "Allow", "Action": "secretsmanager:BatchGetSecretValue", "Resource": "*"},
                                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": a})
        r = self.server.client("secretsmanager", key=k, secret=sk).batch_get_secret_value(
            SecretIdList=["batch/a", "batch/b"])
        self.assertEqual([v["Name"] for v in r["SecretValues"]], ["batch/a"])
        self.assertEqual([(e["SecretId"], e["ErrorCode"]) for e in r["Errors"]], [("batch/b", "AccessDeniedException")])
        # ... or allowed by the secret's resource policy
        sm.put_resource_policy(SecretId="batch/b", ResourcePolicy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": batcher},
                                                    "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))
        r = self.server.client("secretsmanager", key=k, secret=sk).batch_get_secret_value(
            SecretIdList=["batch/a", "batch/b"])
        self.assertEqual([v["Name"] for v in r["SecretValues"]], ["batch/a", "batch/b"])
        with self.assertRaises(ClientError) as e:
            self.server.client("secretsmanager", key=k, secret=sk).batch_get_secret_value(
                Filters=[{"Key": "name", "Values": ["batch/"]}])
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertNotIn("va", [r.get("responseElements") for r in self.server.audit_records()])
        self.assertNotIn('"va"', trail_text(self.server))


class ResourcePolicies(harness.ServerTest):
    def test_resource_policy(self):
        s = self.server
        sm = s.client("secretsmanager")
        arn = sm.create_secret(Name="shared", SecretString="for the reader")["ARN"]
        reader, k, sk = s.user("reader")  # no identity policy at all
        rsm = s.client("secretsmanager", key=k, secret=sk)
        with self.assertRaises(ClientError) as e:
            rsm.get_secret_value(SecretId="shared")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertIn(f"secretsmanager:GetSecretValue on resource: {arn}", e.exception.response["Error"]["Message"])
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": reader},
                                                       "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}
        sm.put_resource_policy(SecretId="shared", ResourcePolicy=json.dumps(doc), BlockPublicPolicy=True)
        self.assertEqual(json.loads(sm.get_resource_policy(SecretId="shared")["ResourcePolicy"]), doc)
        self.assertEqual(rsm.get_secret_value(SecretId="shared")["SecretString"], "for the reader")
        public = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                          "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}
        with self.assertRaises(ClientError) as e:
            sm.put_resource_policy(SecretId="shared", ResourcePolicy=json.dumps(public), BlockPublicPolicy=True)
        self.assertEqual((e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"]),
                         ("PublicPolicyException", "The BlockPublicPolicy parameter is set to true, and the "
                          "resource policy did not prevent broad access to the secret."))
        v = sm.validate_resource_policy(ResourcePolicy=json.dumps(public))
        self.assertFalse(v["PolicyValidationPassed"])
        self.assertEqual(v["ValidationErrors"][0]["CheckName"], "PUBLIC_ACCESS_CHECKING")
        self.assertTrue(sm.validate_resource_policy(SecretId="shared", ResourcePolicy=json.dumps(doc))
                        ["PolicyValidationPassed"])
        narrowed = dict(public, Statement=[dict(public["Statement"][0], Condition={
            "StringEquals": {"aws:PrincipalAccount": harness.ACCOUNT}})])
        sm.put_resource_policy(SecretId="shared", ResourcePolicy=json.dumps(narrowed), BlockPublicPolicy=True)
        with self.assertRaises(ClientError) as e:
            sm.put_resource_policy(SecretId="shared", ResourcePolicy="{not json")
        self.assertEqual(e.exception.response["Error"]["Code"], "MalformedPolicyDocumentException")
        sm.delete_resource_policy(SecretId="shared")
        self.assertNotIn("ResourcePolicy", sm.get_resource_policy(SecretId="shared"))
        with self.assertRaises(ClientError) as e:
            rsm.get_secret_value(SecretId="shared")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        _, out, _ = s.cli("secretsmanager", "get-resource-policy", "--secret-id", "shared")
        self.assertEqual(out["Name"], "shared")


class RecoveryWindowEnds(harness.ServerTest):
    def test_deleted_when_the_window_ends(self):
        s = self.server
        sm = s.client("secretsmanager")
        sm.create_secret(Name="short", SecretString="bye")
        sm.create_secret(Name="long", SecretString="stay")
        d = sm.delete_secret(SecretId="short", RecoveryWindowInDays=7)
        self.assertEqual(sm.describe_secret(SecretId="short")["DeletedDate"], d["DeletionDate"])
        sm.delete_secret(SecretId="long", RecoveryWindowInDays=30)
        # the sweep runs in every region served, not only the default one
        west = s.client("secretsmanager", region="us-west-2")
        west_arn = west.create_secret(Name="short", SecretString="bye west")["ARN"]
        west.delete_secret(SecretId="short", RecoveryWindowInDays=7)
        # 100 versions at most; deprecated ones younger than a day are kept, so the 101st waits
        sm.create_secret(Name="many", SecretString="v0")
        for i in range(1, 100):
            sm.put_secret_value(SecretId="many", SecretString=f"v{i}")
        with self.assertRaises(ClientError) as e:
            sm.put_secret_value(SecretId="many", SecretString="v100")
        self.assertEqual(e.exception.response["Error"]["Code"], "LimitExceededException")
        offset = 7 * DAY + 120
        s.restart_later(offset)
        with harness.shifted_clock(offset):
            sm = s.client("secretsmanager")
            with self.assertRaises(ClientError) as e:
                sm.describe_secret(SecretId="short")
            self.assertEqual(e.exception.response["Error"]["Code"], "ResourceNotFoundException")
            self.assertIn("DeletedDate", sm.describe_secret(SecretId="long"))
            sm.create_secret(Name="short", SecretString="again")
            # a day later the oldest deprecated version makes room
            v = sm.put_secret_value(SecretId="many", SecretString="v100")["VersionId"]
            versions = sm.list_secret_version_ids(SecretId="many", IncludeDeprecated=True)["Versions"]
            self.assertEqual(len(versions), 100)
            self.assertIn(v, [x["VersionId"] for x in versions])
            with self.assertRaises(ClientError) as e:
                sm.get_secret_value(SecretId="many", VersionStage="AWSCURRENT", VersionId=versions[0]["VersionId"])
            self.assertEqual(e.exception.response["Error"]["Code"], "ResourceNotFoundException")
            self.assertEqual(sm.get_secret_value(SecretId="many")["SecretString"], "v100")
            west = s.client("secretsmanager", region="us-west-2")
            with self.assertRaises(ClientError) as e:
                west.describe_secret(SecretId=west_arn)
            self.assertEqual(e.exception.response["Error"]["Code"], "ResourceNotFoundException")
            self.assertEqual(west.list_secrets(IncludePlannedDeletion=True)["SecretList"], [])
        self.assertIn("deleted 2 secret(s) whose recovery window ended", s.read_log())
        recs = [r for r in s.audit_records() if r.get("eventName") == "DeleteSecret"
                and r.get("eventType") == "AwsServiceEvent"]
        self.assertEqual(sorted(r["awsRegion"] for r in recs), ["us-east-1", "us-west-2"])
        self.assertIn(west_arn, [r["resources"][0]["ARN"] for r in recs])


if __name__ == "__main__":
    harness.main()
