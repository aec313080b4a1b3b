"""IAM's access advisor through boto3 and the AWS CLI: GenerateServiceLastAccessedDetails,
GetServiceLastAccessedDetails, GetServiceLastAccessedDetailsWithEntities and
ListPoliciesGrantingServiceAccess (src/services/iam/last_accessed*.c), fed by the uses the
pipeline notes and the flusher writes (src/auth/key_usage.c; CUSTOS_KEY_USAGE_FLUSH_MS is
short here): every service the entity's policies allow is listed, LastAuthenticated only on
those really attempted, denied attempts included."""
import datetime
import json
import time
import uuid

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
FLUSH_MS = 200


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action):
    return {"Effect": "Allow", "Action": action, "Resource": "*"}


class LastAccessed(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(env={"CUSTOS_KEY_USAGE_FLUSH_MS": str(FLUSH_MS)}).start()
        iam = cls.server.client("iam")
        # a user allowed kms and iam, who calls kms only; one of its groups adds sts
        iam.create_user(UserName="adv", Path="/team/")
        iam.put_user_policy(UserName="adv", PolicyName="kms-inline", PolicyDocument=doc(allow("kms:ListKeys")))
        cls.managed = iam.create_policy(PolicyName="iam-read", PolicyDocument=doc(
            allow(["iam:GetUser", "iam:ListUsers"])))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="adv", PolicyArn=cls.managed)
        iam.create_group(GroupName="callers")
        iam.put_group_policy(GroupName="callers", PolicyName="sts-inline",
                             PolicyDocument=doc(allow("sts:GetCallerIdentity")))
        iam.attach_group_policy(GroupName="callers", PolicyArn=cls.managed)
        iam.add_user_to_group(GroupName="callers", UserName="adv")
        iam.create_user(UserName="idle")
        iam.add_user_to_group(GroupName="callers", UserName="idle")
        key = iam.create_access_key(UserName="adv")["AccessKey"]
        cls.adv_arn = f"arn:aws:iam::{ACCT}:user/team/adv"
        cls.before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        kms = cls.server.client("kms", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        kms.list_keys()
        # denied: still an attempt ("all attempts ..., not just the successful ones")
        try:
            kms.create_key()
        except ClientError:
            pass
        sts = cls.server.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        sts.get_caller_identity()
        time.sleep(FLUSH_MS * 3 / 1000)

    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def report(self, arn, **kw):
        job = self.iam.generate_service_last_accessed_details(Arn=arn, **kw)["JobId"]
        uuid.UUID(job)
        return job, self.iam.get_service_last_accessed_details(JobId=job)

    def test_user_report_shows_only_real_use(self):
        job, r = self.report(self.adv_arn)
        self.assertEqual(r["JobStatus"], "COMPLETED")
        self.assertEqual(r["JobType"], "SERVICE_LEVEL")
        self.assertEqual(r["JobCreationDate"], r["JobCompletionDate"])
        self.assertFalse(r["IsTruncated"])
        got = {s["ServiceNamespace"]: s for s in r["ServicesLastAccessed"]}
        # sorted by namespace: the user's own policies (iam, kms) and its group's (sts)
        self.assertEqual([s["ServiceNamespace"] for s in r["ServicesLastAccessed"]], ["iam", "kms", "sts"])
        kms = got["kms"]
        self.assertEqual(kms["ServiceName"], "AWS Key Management Service")
        self.assertEqual(kms["LastAuthenticatedEntity"], self.adv_arn)
        self.assertEqual(kms["LastAuthenticatedRegion"], harness.REGION)
        self.assertEqual(kms["TotalAuthenticatedEntities"], 1)
        self.assertGreaterEqual(kms["LastAuthenticated"], self.before)
        self.assertNotIn("TrackedActionsLastAccessed", kms)
        iam = got["iam"]
        self.assertEqual(iam["ServiceName"], "AWS Identity and Access Management")
        self.assertEqual(iam["TotalAuthenticatedEntities"], 0)
        for member in ("LastAuthenticated", "LastAuthenticatedEntity", "LastAuthenticatedRegion"):
            self.assertNotIn(member, iam)
        self.assertIn("LastAuthenticated", got["sts"])
        # the same through the CLI
        _, out, _ = self.server.cli("iam", "get-service-last-accessed-details", "--job-id", job)
        self.assertEqual([s["ServiceNamespace"] for s in out["ServicesLastAccessed"]], ["iam", "kms", "sts"])
        _, out, _ = self.server.cli("iam", "generate-service-last-accessed-details", "--arn", self.adv_arn)
        self.assertEqual(len(out["JobId"]), 36)

    def test_action_level_tracks_actions_denied_ones_included(self):
        _, r = self.report(self.adv_arn, Granularity="ACTION_LEVEL")
        self.assertEqual(r["JobType"], "ACTION_LEVEL")
        kms = [s for s in r["ServicesLastAccessed"] if s["ServiceNamespace"] == "kms"][0]
        actions = {a["ActionName"]: a for a in kms["TrackedActionsLastAccessed"]}
        self.assertEqual(sorted(actions), ["CreateKey", "ListKeys"])
        self.assertEqual(actions["ListKeys"]["LastAccessedEntity"], self.adv_arn)
        self.assertEqual(actions["ListKeys"]["LastAccessedRegion"], harness.REGION)
        self.assertGreaterEqual(actions["CreateKey"]["LastAccessedTime"], self.before)
        iam = [s for s in r["ServicesLastAccessed"] if s["ServiceNamespace"] == "iam"][0]
        self.assertNotIn("TrackedActionsLastAccessed", iam)

    def test_group_report_and_entities(self):
        job, r = self.report(f"arn:aws:iam::{ACCT}:group/callers")
        got = {s["ServiceNamespace"]: s for s in r["ServicesLastAccessed"]}
        # the group's own policies only: not the member's kms policy
        self.assertEqual(sorted(got), ["iam", "sts"])
        self.assertEqual(got["sts"]["LastAuthenticatedEntity"], self.adv_arn)
        self.assertEqual(got["sts"]["TotalAuthenticatedEntities"], 1)
        w = self.iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="sts")
        self.assertEqual(w["JobStatus"], "COMPLETED")
        self.assertNotIn("JobType", w)
        ents = w["EntityDetailsList"]
        # most recent first, the member who never called it last
        self.assertEqual([e["EntityInfo"]["Name"] for e in ents], ["adv", "idle"])
        self.assertEqual(ents[0]["EntityInfo"]["Type"], "USER")
        self.assertEqual(ents[0]["EntityInfo"]["Path"], "/team/")
        self.assertTrue(ents[0]["EntityInfo"]["Id"].startswith("AIDA"))
        self.assertIn("LastAuthenticated", ents[0])
        self.assertNotIn("LastAuthenticated", ents[1])
        # a namespace the report does not list: no entity
        w = self.iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="s3")
        self.assertEqual(w["EntityDetailsList"], [])
        _, out, _ = self.server.cli("iam", "get-service-last-accessed-details-with-entities",
                                    "--job-id", job, "--service-namespace", "iam")
        self.assertEqual(len(out["EntityDetailsList"]), 2)

    def test_role_report(self):
        trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                     "Action": "sts:AssumeRole"})
        role = self.iam.create_role(RoleName="adv-role", AssumeRolePolicyDocument=trust)["Role"]
        self.iam.put_role_policy(RoleName="adv-role", PolicyName="r", PolicyDocument=doc(allow("kms:Decrypt")))
        job, r = self.report(role["Arn"])
        self.assertEqual([(s["ServiceNamespace"], s["TotalAuthenticatedEntities"]) for s in r["ServicesLastAccessed"]],
                         [("kms", 0)])
        self.assertNotIn("LastAuthenticated", r["ServicesLastAccessed"][0])
        w = self.iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="kms")
        self.assertEqual(w["EntityDetailsList"], [{"EntityInfo": {
            "Arn": role["Arn"], "Name": "adv-role", "Type": "ROLE", "Id": role["RoleId"], "Path": "/"}}])
        r = self.iam.list_policies_granting_service_access(Arn=role["Arn"], ServiceNamespaces=["kms"])
        self.assertEqual(r["PoliciesGrantingServiceAccess"], [{"ServiceNamespace": "kms", "Policies": [
            {"PolicyName": "r", "PolicyType": "INLINE", "EntityType": "ROLE", "EntityName": "adv-role"}]}])

    def test_renamed_user_keeps_its_history(self):
        self.iam.create_user(UserName="before-rename")
        self.iam.put_user_policy(UserName="before-rename", PolicyName="p",
                                 PolicyDocument=doc(allow("sts:GetCallerIdentity")))
        key = self.iam.create_access_key(UserName="before-rename")["AccessKey"]
        self.server.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"]).get_caller_identity()
        time.sleep(FLUSH_MS * 3 / 1000)
        self.iam.update_user(UserName="before-rename", NewUserName="after-rename")
        _, r = self.report(f"arn:aws:iam::{ACCT}:user/after-rename")
        sts = r["ServicesLastAccessed"][0]
        self.assertEqual(sts["ServiceNamespace"], "sts")
        self.assertEqual(sts["LastAuthenticatedEntity"], f"arn:aws:iam::{ACCT}:user/after-rename")
        self.assertEqual(sts["TotalAuthenticatedEntities"], 1)

    def test_entity_without_policies_lists_no_service(self):
        self.iam.create_user(UserName="bare")
        job, r = self.report(f"arn:aws:iam::{ACCT}:user/bare")
        self.assertEqual(r["ServicesLastAccessed"], [])
        self.assertFalse(r["IsTruncated"])
        _, out, _ = self.server.cli("iam", "get-service-last-accessed-details", "--job-id", job)
        self.assertEqual(out["ServicesLastAccessed"], [])

    def test_policy_report_counts_every_entity_using_it(self):
        job, r = self.report(self.managed)
        self.assertEqual([s["ServiceNamespace"] for s in r["ServicesLastAccessed"]], ["iam"])
        w = self.iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="iam")
        # attached to adv directly and through the group (once), and to idle through the group
        self.assertEqual(sorted(e["EntityInfo"]["Name"] for e in w["EntityDetailsList"]), ["adv", "idle"])

    def test_wildcard_policy_lists_the_served_services(self):
        self.iam.create_user(UserName="star")
        self.iam.put_user_policy(UserName="star", PolicyName="all", PolicyDocument=doc(allow("*")))
        _, r = self.report(f"arn:aws:iam::{ACCT}:user/star")
        # every service custos serves, in namespace order
        self.assertEqual([s["ServiceNamespace"] for s in r["ServicesLastAccessed"]],
                         ["cloudtrail", "iam", "kms", "secretsmanager", "ssm", "sts"])
        # a NotAction leaving out a whole service, and Deny statements, grant nothing there
        self.iam.create_user(UserName="notact")
        self.iam.put_user_policy(UserName="notact", PolicyName="n", PolicyDocument=doc(
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}))
        _, r = self.report(f"arn:aws:iam::{ACCT}:user/notact")
        self.assertEqual([s["ServiceNamespace"] for s in r["ServicesLastAccessed"]],
                         ["cloudtrail", "kms", "secretsmanager", "ssm", "sts"])

    def test_pagination(self):
        self.iam.create_user(UserName="many")
        self.iam.put_user_policy(UserName="many", PolicyName="m", PolicyDocument=doc(allow(
            ["s3:GetObject", "sqs:SendMessage", "sns:Publish", "ec2:DescribeInstances", "kms:Encrypt"])))
        job, r = self.report(f"arn:aws:iam::{ACCT}:user/many")
        want = ["ec2", "kms", "s3", "sns", "sqs"]
        self.assertEqual([s["ServiceNamespace"] for s in r["ServicesLastAccessed"]], want)
        self.assertEqual(r["ServicesLastAccessed"][2]["ServiceName"], "Amazon Simple Storage Service")
        seen, marker = [], None
        while True:
            kw = {"Marker": marker} if marker else {}
            page = self.iam.get_service_last_accessed_details(JobId=job, MaxItems=2, **kw)
            seen += [s["ServiceNamespace"] for s in page["ServicesLastAccessed"]]
            self.assertLessEqual(len(page["ServicesLastAccessed"]), 2)
            if not page["IsTruncated"]:
                self.assertNotIn("Marker", page)
                break
            marker = page["Marker"]
            self.assertNotIn("ec2", marker)
        self.assertEqual(seen, want)
        self.assertEqual(self.error(lambda: self.iam.get_service_last_accessed_details(
            JobId=job, Marker=marker[:-2] + "xx"))[:2], ("ValidationError", 400))
        _, out, _ = self.server.cli("iam", "get-service-last-accessed-details", "--job-id", job,
                                    "--max-items", "3")
        self.assertEqual(len(out["ServicesLastAccessed"]), 3)

    def test_policies_granting_service_access(self):
        r = self.iam.list_policies_granting_service_access(
            Arn=self.adv_arn, ServiceNamespaces=["kms", "iam", "sts", "s3"])
        self.assertFalse(r["IsTruncated"])
        # a namespace no policy grants is answered without Policies (an empty list is left out)
        got = {e["ServiceNamespace"]: e.get("Policies", []) for e in r["PoliciesGrantingServiceAccess"]}
        self.assertEqual([e["ServiceNamespace"] for e in r["PoliciesGrantingServiceAccess"]],
                         ["kms", "iam", "sts", "s3"])
        self.assertEqual(got["kms"], [{"PolicyName": "kms-inline", "PolicyType": "INLINE",
                                       "EntityType": "USER", "EntityName": "adv"}])
        # attached to the user and to its group: listed for each
        self.assertEqual(got["iam"], [{"PolicyName": "iam-read", "PolicyType": "MANAGED", "PolicyArn": self.managed}] * 2)
        self.assertEqual(got["sts"], [{"PolicyName": "sts-inline", "PolicyType": "INLINE",
                                       "EntityType": "GROUP", "EntityName": "callers"}])
        self.assertEqual(got["s3"], [])
        # a group: its own policies only
        r = self.iam.list_policies_granting_service_access(
            Arn=f"arn:aws:iam::{ACCT}:group/callers", ServiceNamespaces=["kms", "sts"])
        self.assertEqual([len(e.get("Policies", [])) for e in r["PoliciesGrantingServiceAccess"]], [0, 1])
        _, out, _ = self.server.cli("iam", "list-policies-granting-service-access", "--arn", self.adv_arn,
                                    "--service-namespaces", "kms")
        self.assertEqual(out["PoliciesGrantingServiceAccess"][0]["Policies"][0]["PolicyName"], "kms-inline")
        # a policy is no identity here
        code, status, _ = self.error(lambda: self.iam.list_policies_granting_service_access(
            Arn=self.managed, ServiceNamespaces=["iam"]))
        self.assertEqual((code, status), ("InvalidInput", 400))

    def test_bad_arns_and_job_ids(self):
        code, status, msg = self.error(lambda: self.iam.generate_service_last_accessed_details(
            Arn=f"arn:aws:iam::{ACCT}:user/nobody"))
        self.assertEqual((code, status, msg), ("NoSuchEntity", 404, "The user with name nobody cannot be found."))
        code, status, _ = self.error(lambda: self.iam.generate_service_last_accessed_details(
            Arn="arn:aws:s3:::some-bucket-name"))
        self.assertEqual((code, status), ("InvalidInput", 400))
        code, status, _ = self.error(lambda: self.iam.generate_service_last_accessed_details(
            Arn=f"arn:aws:iam::{ACCT}:policy/none"))
        self.assertEqual((code, status), ("NoSuchEntity", 404))
        code, status, msg = self.error(lambda: self.iam.generate_service_last_accessed_details(
            Arn="arn:aws:iam::aws:policy/ReadOnlyAccess"))
        self.assertEqual((code, status, msg), ("NoSuchEntity", 404,
                                               "Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found."))
        unknown = str(uuid.uuid4())
        code, status, msg = self.error(lambda: self.iam.get_service_last_accessed_details(JobId=unknown))
        self.assertEqual((code, status), ("NoSuchEntity", 404))
        self.assertIn(unknown, msg)
        code, status, _ = self.error(lambda: self.iam.get_service_last_accessed_details_with_entities(
            JobId=unknown, ServiceNamespace="iam"))
        self.assertEqual((code, status), ("NoSuchEntity", 404))
        raw = self.server.client("iam", parameter_validation=False)
        code, status, _ = self.error(lambda: raw.get_service_last_accessed_details(JobId="short"))
        self.assertEqual((code, status), ("ValidationError", 400))
        rc, _, err = self.server.cli("iam", "get-service-last-accessed-details", "--job-id", unknown, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchEntity", err)
        # a job is its creator's: another principal is answered as for an unknown one
        job = self.iam.generate_service_last_accessed_details(Arn=self.adv_arn)["JobId"]
        self.iam.create_user(UserName="asker")
        self.iam.put_user_policy(UserName="asker", PolicyName="advisor", PolicyDocument=doc(
            allow(["iam:GetServiceLastAccessedDetails", "iam:GenerateServiceLastAccessedDetails"])))
        key = self.iam.create_access_key(UserName="asker")["AccessKey"]
        other = self.server.client("iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        code, status, _ = self.error(lambda: other.get_service_last_accessed_details(JobId=job))
        self.assertEqual((code, status), ("NoSuchEntity", 404))
        own = other.generate_service_last_accessed_details(Arn=self.adv_arn)["JobId"]
        self.assertEqual(other.get_service_last_accessed_details(JobId=own)["JobStatus"], "COMPLETED")

    def test_authorization(self):
        self.iam.create_user(UserName="nopolicy")
        key = self.iam.create_access_key(UserName="nopolicy")["AccessKey"]
        iam = self.server.client("iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        code, status, msg = self.error(lambda: iam.generate_service_last_accessed_details(Arn=self.adv_arn))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("iam:GenerateServiceLastAccessedDetails", msg)
        self.assertIn(self.adv_arn, msg)
        code, _, msg = self.error(lambda: iam.list_policies_granting_service_access(
            Arn=self.adv_arn, ServiceNamespaces=["iam"]))
        self.assertEqual(code, "AccessDenied")
        self.assertIn("iam:ListPoliciesGrantingServiceAccess", msg)
        code, _, msg = self.error(lambda: iam.get_service_last_accessed_details(JobId=str(uuid.uuid4())))
        self.assertEqual(code, "AccessDenied")
        self.assertIn("iam:GetServiceLastAccessedDetails", msg)


class ShutdownFlush(harness.ServerTest):
    """A use noted with the default (long) interval is written at a clean shutdown."""

    def test_use_survives_restart(self):
        iam = self.server.client("iam")
        iam.create_user(UserName="late")
        iam.put_user_policy(UserName="late", PolicyName="p", PolicyDocument=doc(allow("sts:GetCallerIdentity")))
        key = iam.create_access_key(UserName="late")["AccessKey"]
        self.server.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"]).get_caller_identity()
        arn = f"arn:aws:iam::{ACCT}:user/late"
        job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
        r = iam.get_service_last_accessed_details(JobId=job)
        self.assertNotIn("LastAuthenticated", r["ServicesLastAccessed"][0])  # not flushed yet
        self.server.stop()
        self.server.start()
        iam = self.server.client("iam")
        job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
        r = iam.get_service_last_accessed_details(JobId=job)
        self.assertEqual(r["ServicesLastAccessed"][0]["LastAuthenticatedEntity"], arn)


if __name__ == "__main__":
    harness.main()
