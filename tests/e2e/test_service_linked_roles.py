"""Service-linked roles through the AWS CLI and boto3: CreateServiceLinkedRole from the
table of AWS services (src/services/iam/service_linked_roles.json), its path, trust policy
and name, CustomSuffix accepted where AWS accepts one and refused elsewhere, a taken name,
an unknown service, the role protected from DeleteRole / UpdateAssumeRolePolicy / policy
edits (UnmodifiableEntity), DeleteServiceLinkedRole with its deletion task, and the
iam:AWSServiceName condition key (src/services/iam/service_linked_roles.c)."""
import json
import re

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
TASK = re.compile(r"^task/aws-service-role/([^/]+)/([^/]+)/[0-9a-f-]{36}$")


def trust(service):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


class ServiceLinkedRoles(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def protected(self, name):
        return ("UnmodifiableEntity", 400, f"Cannot perform the operation on the protected role "
                f"'{name}' - this role is only modifiable by AWS")

    def test_emr_role_made_with_the_cli_is_a_role(self):
        _, out, _ = self.server.cli("iam", "create-service-linked-role", "--aws-service-name",
                                    "elasticmapreduce.amazonaws.com", "--description", "EMR")
        role = out["Role"]
        name = "AWSServiceRoleForEMRCleanup"
        self.assertEqual(role["RoleName"], name)
        self.assertEqual(role["Path"], "/aws-service-role/elasticmapreduce.amazonaws.com/")
        self.assertEqual(role["Arn"], f"arn:aws:iam::{ACCT}:role/aws-service-role/"
                                      f"elasticmapreduce.amazonaws.com/{name}")
        self.assertTrue(role["RoleId"].startswith("AROA"))
        self.assertEqual(role["AssumeRolePolicyDocument"], trust("elasticmapreduce.amazonaws.com"))
        got = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual((got["Path"], got["Arn"], got["RoleId"], got["Description"]),
                         (role["Path"], role["Arn"], role["RoleId"], "EMR"))
        self.assertEqual(got["AssumeRolePolicyDocument"], trust("elasticmapreduce.amazonaws.com"))
        self.assertEqual(got["MaxSessionDuration"], 3600)
        listed = self.iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]
        self.assertIn(name, [r["RoleName"] for r in listed])
        # a second one: the name is taken
        rc, _, err = self.server.cli("iam", "create-service-linked-role", "--aws-service-name",
                                     "elasticmapreduce.amazonaws.com", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidInput", err)
        self.assertIn(f"Service role name {name} has been taken in this account, please try a "
                      f"different suffix.", err)

    def test_sagemaker_and_autoscaling_suffix(self):
        r = self.iam.create_service_linked_role(AWSServiceName="sagemaker.amazonaws.com")["Role"]
        self.assertEqual(r["RoleName"], "AWSServiceRoleForAmazonSageMakerNotebooks")
        self.assertEqual(r["Path"], "/aws-service-role/sagemaker.amazonaws.com/")
        self.assertNotIn("Description", r)
        self.assertEqual(self.error(lambda: self.iam.create_service_linked_role(
            AWSServiceName="sagemaker.amazonaws.com", CustomSuffix="two")),
            ("InvalidInput", 400, "Custom suffix is not allowed for sagemaker.amazonaws.com"))
        a = self.iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                                CustomSuffix="fleet")["Role"]
        self.assertEqual(a["RoleName"], "AWSServiceRoleForAutoScaling_fleet")
        self.assertEqual(a["Arn"], f"arn:aws:iam::{ACCT}:role/aws-service-role/"
                                   f"autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_fleet")
        plain = self.iam.create_service_linked_role(
            AWSServiceName="autoscaling.amazonaws.com")["Role"]
        self.assertEqual(plain["RoleName"], "AWSServiceRoleForAutoScaling")
        self.assertEqual(self.error(lambda: self.iam.create_service_linked_role(
            AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="fleet")),
            ("InvalidInput", 400, "Service role name AWSServiceRoleForAutoScaling_fleet has been "
                                  "taken in this account, please try a different suffix."))
        long = "s" * 40
        self.assertEqual(self.error(lambda: self.iam.create_service_linked_role(
            AWSServiceName="autoscaling.amazonaws.com", CustomSuffix=long)),
            ("InvalidInput", 400, f"The role name AWSServiceRoleForAutoScaling_{long} made with "
                                  f"the custom suffix is longer than 64 characters."))
        self.assertEqual(self.error(lambda: self.iam.create_service_linked_role(
            AWSServiceName="nosuchservice.amazonaws.com")),
            ("InvalidInput", 400, "Invalid service name: nosuchservice.amazonaws.com"))

    def test_the_role_is_protected_and_deleted_with_a_task(self):
        iam = self.iam
        name = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]["RoleName"]
        self.assertEqual(name, "AWSServiceRoleForECS")
        policy_arn = iam.create_policy(PolicyName="slr-p", PolicyDocument=POLICY)["Policy"]["Arn"]
        refused = self.protected(name)
        self.assertEqual(self.error(lambda: iam.delete_role(RoleName=name)), refused)
        self.assertEqual(self.error(lambda: iam.update_assume_role_policy(
            RoleName=name, PolicyDocument=json.dumps(trust("ec2.amazonaws.com")))), refused)
        self.assertEqual(self.error(lambda: iam.put_role_policy(
            RoleName=name, PolicyName="x", PolicyDocument=POLICY)), refused)
        self.assertEqual(self.error(lambda: iam.delete_role_policy(
            RoleName=name, PolicyName="x")), refused)
        self.assertEqual(self.error(lambda: iam.attach_role_policy(
            RoleName=name, PolicyArn=policy_arn)), refused)
        self.assertEqual(self.error(lambda: iam.detach_role_policy(
            RoleName=name, PolicyArn=policy_arn)), refused)
        self.assertEqual(self.error(lambda: iam.put_role_permissions_boundary(
            RoleName=name, PermissionsBoundary=policy_arn)), refused)
        rc, _, err = self.server.cli("iam", "delete-role", "--role-name", name, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("UnmodifiableEntity", err)
        # its description stays the user's to edit, as in AWS
        iam.update_role_description(RoleName=name, Description="mine")
        self.assertEqual(iam.get_role(RoleName=name)["Role"]["Description"], "mine")
        # an ordinary role is not a service-linked one
        iam.create_role(RoleName="plain", AssumeRolePolicyDocument=json.dumps(trust("ec2.amazonaws.com")))
        self.assertEqual(self.error(lambda: iam.delete_service_linked_role(RoleName="plain")),
                         ("InvalidInput", 400, "Role plain is not a service-linked role."))
        iam.delete_role(RoleName="plain")

        _, out, _ = self.server.cli("iam", "delete-service-linked-role", "--role-name", name)
        task = out["DeletionTaskId"]
        m = TASK.match(task)
        self.assertTrue(m, task)
        self.assertEqual(m.groups(), ("ecs.amazonaws.com", name))
        _, status, _ = self.server.cli("iam", "get-service-linked-role-deletion-status",
                                       "--deletion-task-id", task)
        self.assertEqual(status, {"Status": "SUCCEEDED"})
        self.assertEqual(iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"],
                         "SUCCEEDED")
        self.assertEqual(self.error(lambda: iam.get_role(RoleName=name)),
                         ("NoSuchEntity", 404, f"The role with name {name} cannot be found."))
        self.assertEqual(self.error(lambda: iam.delete_service_linked_role(RoleName=name)),
                         ("NoSuchEntity", 404, f"The role with name {name} cannot be found."))
        # unknown and malformed task ids
        forged = task[:-36] + "00000000-0000-4000-8000-000000000000"
        self.assertEqual(self.error(lambda: iam.get_service_linked_role_deletion_status(
            DeletionTaskId=forged)),
            ("NoSuchEntity", 404, f"The deletion task with id {forged} cannot be found."))
        self.assertEqual(self.error(lambda: iam.get_service_linked_role_deletion_status(
            DeletionTaskId="nonsense")),
            ("InvalidInput", 400, "Invalid deletion task id: nonsense"))
        # once deleted, the service may make it again
        again = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
        self.assertEqual(again["RoleName"], name)

    def test_a_role_still_in_use_fails_its_deletion_task(self):
        iam = self.iam
        name = iam.create_service_linked_role(AWSServiceName="rds.amazonaws.com")["Role"]["RoleName"]
        iam.create_instance_profile(InstanceProfileName="slr-holder")
        iam.add_role_to_instance_profile(InstanceProfileName="slr-holder", RoleName=name)
        task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
        self.assertEqual(status["Status"], "FAILED")
        self.assertEqual(status["Reason"]["Reason"], "The role is still used by an instance profile.")
        self.assertEqual(iam.get_role(RoleName=name)["Role"]["RoleName"], name)
        iam.remove_role_from_instance_profile(InstanceProfileName="slr-holder", RoleName=name)
        task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
        self.assertEqual(iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"],
                         "SUCCEEDED")
        iam.delete_instance_profile(InstanceProfileName="slr-holder")

    def test_authorization_and_the_service_name_key(self):
        s = self.server
        arn, key, secret = s.user("slr-maker", {
            "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "guardduty.amazonaws.com"}}})
        iam = s.client("iam", key=key, secret=secret)
        r = iam.create_service_linked_role(AWSServiceName="guardduty.amazonaws.com")["Role"]
        self.assertEqual(r["RoleName"], "AWSServiceRoleForAmazonGuardDuty")
        code, status, message = self.error(lambda: iam.create_service_linked_role(
            AWSServiceName="config.amazonaws.com"))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertEqual(message, f"User: {arn} is not authorized to perform: "
                                  f"iam:CreateServiceLinkedRole on resource: arn:aws:iam::{ACCT}:"
                                  f"role/aws-service-role/config.amazonaws.com/"
                                  f"AWSServiceRoleForConfig because no identity-based policy "
                                  f"allows the iam:CreateServiceLinkedRole action")
        code, _, message = self.error(lambda: iam.delete_service_linked_role(
            RoleName="AWSServiceRoleForAmazonGuardDuty"))
        self.assertEqual(code, "AccessDenied")
        self.assertIn(f"on resource: arn:aws:iam::{ACCT}:role/aws-service-role/"
                      f"guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty", message)
        # the trail names the role the call made
        rec = [r for r in s.audit_records() if r.get("eventName") == "CreateServiceLinkedRole"
               and not r.get("errorCode")][-1]
        self.assertEqual(rec["userIdentity"]["arn"], arn)
        self.assertEqual(rec["eventSource"], "iam.amazonaws.com")


if __name__ == "__main__":
    harness.main()
