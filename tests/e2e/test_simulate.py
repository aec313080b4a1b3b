"""IAM's policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy) and the
GetContextKeysFor*Policy operations, through boto3, answering as real calls would."""
import json

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class Simulator(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def test_custom_policy(self):
        text = doc({"Sid": "Read", "Effect": "Allow", "Action": "iam:Get*", "Resource": "*"},
                   {"Sid": "NoBob", "Effect": "Deny", "Action": "iam:GetUser",
                    "Resource": f"arn:aws:iam::{ACCT}:user/bob"})
        r = self.iam.simulate_custom_policy(
            PolicyInputList=[text],
            ActionNames=["iam:GetUser", "iam:CreateUser"],
            ResourceArns=[f"arn:aws:iam::{ACCT}:user/alice", f"arn:aws:iam::{ACCT}:user/bob"])
        # one result per action (IAM API reference, EvaluationResult): per-resource decisions
        # in ResourceSpecificResults, the most restrictive of them at the top
        self.assertEqual([e["EvalActionName"] for e in r["EvaluationResults"]], ["iam:GetUser", "iam:CreateUser"])
        get_user = r["EvaluationResults"][0]
        self.assertEqual(get_user["EvalDecision"], "explicitDeny")
        self.assertEqual(get_user["EvalDecisionDetails"], {})
        got = {s["EvalResourceName"]: s for s in get_user["ResourceSpecificResults"]}
        self.assertEqual(got[f"arn:aws:iam::{ACCT}:user/alice"]["EvalResourceDecision"], "allowed")
        self.assertEqual([m["StartPosition"] for m in got[f"arn:aws:iam::{ACCT}:user/alice"]["MatchedStatements"]],
                         [{"Line": 1, "Column": text.index('{"Sid": "Read"') + 1}])
        bob = got[f"arn:aws:iam::{ACCT}:user/bob"]
        self.assertEqual(bob["EvalResourceDecision"], "explicitDeny")
        self.assertEqual(get_user["MatchedStatements"], bob["MatchedStatements"])
        # positions: 1-based line and column of each matched statement's first and last character
        start = text.index('{"Sid": "NoBob"')
        end = text.index("}", start)
        self.assertIn({"SourcePolicyId": "policy1", "SourcePolicyType": "IAM Policy",
                       "StartPosition": {"Line": 1, "Column": start + 1},
                       "EndPosition": {"Line": 1, "Column": end + 1}}, bob["MatchedStatements"])
        create = r["EvaluationResults"][1]
        self.assertEqual(create["EvalDecision"], "implicitDeny")
        self.assertEqual([s["EvalResourceDecision"] for s in create["ResourceSpecificResults"]],
                         ["implicitDeny", "implicitDeny"])
        # one resource: it is named at the top; none: "*" and no per-resource results
        r = self.iam.simulate_custom_policy(PolicyInputList=[text], ActionNames=["iam:GetUser"],
                                            ResourceArns=[f"arn:aws:iam::{ACCT}:user/alice"])
        self.assertEqual(r["EvaluationResults"][0]["EvalResourceName"], f"arn:aws:iam::{ACCT}:user/alice")
        self.assertEqual(r["EvaluationResults"][0]["EvalDecision"], "allowed")
        r = self.iam.simulate_custom_policy(PolicyInputList=[text], ActionNames=["iam:GetUser"])
        self.assertEqual(r["EvaluationResults"][0]["EvalResourceName"], "*")
        self.assertNotIn("ResourceSpecificResults", r["EvaluationResults"][0])
        self.assertFalse(r["IsTruncated"])

    def test_context_and_missing_keys(self):
        policy = doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
                      "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
                                    "StringEquals": {"kms:EncryptionContext:app": "${aws:username}"}}})
        r = self.iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["kms:Encrypt"])
        res = r["EvaluationResults"][0]
        self.assertEqual(res["EvalDecision"], "implicitDeny")
        self.assertEqual(sorted(res["MissingContextValues"]),
                         sorted(["aws:SourceIp", "kms:EncryptionContext:app", "aws:username"]))
        r = self.iam.simulate_custom_policy(
            PolicyInputList=[policy], ActionNames=["kms:Encrypt"],
            ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["192.0.2.10"], "ContextKeyType": "ip"},
                            {"ContextKeyName": "aws:username", "ContextKeyValues": ["alice"], "ContextKeyType": "string"},
                            {"ContextKeyName": "kms:EncryptionContext:app", "ContextKeyValues": ["alice"], "ContextKeyType": "string"}])
        self.assertEqual(r["EvaluationResults"][0]["EvalDecision"], "allowed")
        self.assertEqual(r["EvaluationResults"][0]["MissingContextValues"], [])
        keys = self.iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])["ContextKeyNames"]
        self.assertEqual(sorted(keys), sorted(["aws:SourceIp", "kms:EncryptionContext:app", "aws:username"]))

    def test_boundary(self):
        r = self.iam.simulate_custom_policy(
            PolicyInputList=[doc({"Effect": "Allow", "Action": "*", "Resource": "*"})],
            PermissionsBoundaryPolicyInputList=[doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})],
            ActionNames=["kms:Encrypt", "iam:CreateUser"])
        got = {e["EvalActionName"]: e for e in r["EvaluationResults"]}
        self.assertEqual(got["kms:Encrypt"]["EvalDecision"], "allowed")
        self.assertEqual(got["iam:CreateUser"]["EvalDecision"], "implicitDeny")
        self.assertFalse(got["iam:CreateUser"]["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"])

    def test_principal_policy_matches_real_calls(self):
        self.iam.create_user(UserName="simmed")
        self.iam.put_user_policy(UserName="simmed", PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}))
        arn = f"arn:aws:iam::{ACCT}:user/simmed"
        r = self.iam.simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=["iam:ListUsers", "iam:DeleteUser"],
            ContextEntries=[{"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": ["us-east-1"],
                             "ContextKeyType": "string"}])
        got = {e["EvalActionName"]: e["EvalDecision"] for e in r["EvaluationResults"]}
        self.assertEqual(got, {"iam:ListUsers": "allowed", "iam:DeleteUser": "implicitDeny"})
        # the same answers from real calls with the user's own key
        k = self.iam.create_access_key(UserName="simmed")["AccessKey"]
        me = self.server.client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        me.list_users()
        with self.assertRaises(ClientError):
            me.delete_user(UserName="simmed")
        keys = self.iam.get_context_keys_for_principal_policy(PolicySourceArn=arn)["ContextKeyNames"]
        self.assertEqual(keys, ["aws:RequestedRegion"])
        with self.assertRaises(ClientError) as e:
            self.iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCT}:user/none",
                                               ActionNames=["iam:ListUsers"])
        self.assertEqual(e.exception.response["Error"]["Code"], "NoSuchEntity")

    def test_managed_inline_and_boundary_agree_with_real_calls(self):
        """A user with an attached managed policy, inline policies and a permissions
        boundary: the simulator loads the very policy set authorization does
        (auth/identity_set.c), so each simulated decision is the real call's."""
        managed = self.iam.create_policy(PolicyName="KmsList", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "kms:List*", "Resource": "*"}))["Policy"]["Arn"]
        cap = self.iam.create_policy(PolicyName="Cap", PolicyDocument=doc(
            {"Effect": "Allow", "Action": ["kms:*", "iam:List*"], "Resource": "*"}))["Policy"]["Arn"]
        self.iam.create_user(UserName="layered", PermissionsBoundary=cap)
        self.iam.attach_user_policy(UserName="layered", PolicyArn=managed)
        self.iam.put_user_policy(UserName="layered", PolicyName="iam-read", PolicyDocument=doc(
            {"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser"], "Resource": "*"}))
        # an inline policy may bear any name, the boundary's label included: it is still
        # an identity policy
        self.iam.put_user_policy(UserName="layered", PolicyName="permissions-boundary",
                                 PolicyDocument=doc({"Effect": "Deny", "Action": "kms:ListAliases",
                                                     "Resource": "*"}))
        want = {"iam:ListUsers": "allowed",        # inline allows, boundary allows
                "kms:ListKeys": "allowed",         # managed allows, boundary allows
                "iam:GetUser": "implicitDeny",     # inline allows, boundary does not
                "kms:ListAliases": "explicitDeny",  # managed allows, inline denies
                "kms:CreateKey": "implicitDeny"}   # boundary allows, no identity policy does
        sim = self.iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCT}:user/layered",
                                                 ActionNames=list(want))
        got = {r["EvalActionName"]: r for r in sim["EvaluationResults"]}
        self.assertEqual({a: r["EvalDecision"] for a, r in got.items()}, want)
        self.assertFalse(got["iam:GetUser"]["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"])
        self.assertTrue(got["kms:ListKeys"]["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"])
        # every statement that matched, in the set's one order: inline policies, attached
        # ones, then the boundary
        self.assertEqual([(m["SourcePolicyId"], m["SourcePolicyType"])
                          for m in got["kms:ListAliases"]["MatchedStatements"]],
                         [("permissions-boundary", "IAM Policy"), ("KmsList", "IAM Policy"),
                          ("permissions-boundary", "PermissionsBoundaryPolicy")])
        k = self.iam.create_access_key(UserName="layered")["AccessKey"]
        iam = self.server.client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        kms = self.server.client("kms", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        calls = {"iam:ListUsers": iam.list_users,
                 "kms:ListKeys": kms.list_keys,
                 "iam:GetUser": lambda: iam.get_user(UserName="layered"),
                 "kms:ListAliases": kms.list_aliases,
                 "kms:CreateKey": kms.create_key}
        for action, call in calls.items():
            if want[action] == "allowed":
                call()
                continue
            with self.assertRaises(ClientError, msg=action) as e:
                call()
            code = "AccessDeniedException" if action.startswith("kms:") else "AccessDenied"
            self.assertEqual(e.exception.response["Error"]["Code"], code, action)
            reason = ("with an explicit deny in an identity-based policy" if want[action] == "explicitDeny"
                      else "because no permissions boundary allows" if action == "iam:GetUser"
                      else "because no identity-based policy allows")
            self.assertIn(reason, e.exception.response["Error"]["Message"], action)

    def test_malformed_input_policy(self):
        with self.assertRaises(ClientError) as e:
            self.iam.simulate_custom_policy(PolicyInputList=["{nope"], ActionNames=["iam:GetUser"])
        self.assertEqual(e.exception.response["Error"]["Code"], "MalformedPolicyDocument")

    def test_custom_policy_parameter_rules(self):
        """IAM API reference, SimulateCustomPolicy: CallerArn is required with a
        ResourcePolicy and must be an IAM user's ARN; ActionNames take no wildcards.
        Each breach is InvalidInput."""
        allow = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
        rp = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "s3:*",
             "Resource": "*"}]})
        bad = [dict(ResourcePolicy=rp),
               dict(CallerArn=f"arn:aws:sts::{ACCT}:assumed-role/app/s1"),
               dict(CallerArn=f"arn:aws:iam::{ACCT}:role/app"),
               dict(CallerArn="arn:aws:sts::123456789012:federated-user/bob", ResourcePolicy=rp),
               dict(ActionNames=["s3:Get*"])]
        for extra in bad:
            args = {"PolicyInputList": [allow], "ActionNames": ["s3:GetObject"], **extra}
            with self.assertRaises(ClientError, msg=extra) as e:
                self.iam.simulate_custom_policy(**args)
            self.assertEqual(e.exception.response["Error"]["Code"], "InvalidInput", extra)
        with self.assertRaises(ClientError) as e:
            self.iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCT}:user/none",
                                               ActionNames=["iam:*"])
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidInput")
        r = self.iam.simulate_custom_policy(PolicyInputList=[allow], ActionNames=["s3:GetObject"],
                                            ResourcePolicy=rp, CallerArn=f"arn:aws:iam::{ACCT}:user/alice")
        self.assertEqual(r["EvaluationResults"][0]["EvalDecision"], "allowed")

    def test_account_principal_covers_the_callers_account(self):
        """IAM guide, reference_policies_elements_principal ("AWS account principals"): an
        account ARN in a resource policy covers the account's users, Deny included; the
        caller's account is CallerArn's, whichever account custos serves."""
        other = "444455556666"
        allow = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
        rp = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other}:root"}, "Action": "s3:*",
             "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{other}:root"}, "Action": "s3:DeleteObject",
             "Resource": "*"}]})
        r = self.iam.simulate_custom_policy(PolicyInputList=[allow], ResourcePolicy=rp,
                                            CallerArn=f"arn:aws:iam::{other}:user/alice",
                                            ActionNames=["s3:GetObject", "s3:DeleteObject"],
                                            ResourceArns=["arn:aws:s3:::bucket/k"])
        got = {e["EvalActionName"]: e["EvalDecision"] for e in r["EvaluationResults"]}
        self.assertEqual(got, {"s3:GetObject": "allowed", "s3:DeleteObject": "explicitDeny"})

    def test_simulation_itself_is_authorized(self):
        self.iam.create_user(UserName="nosim")
        k = self.iam.create_access_key(UserName="nosim")["AccessKey"]
        iam = self.server.client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        with self.assertRaises(ClientError) as e:
            iam.simulate_custom_policy(PolicyInputList=[doc({"Effect": "Allow", "Action": "*", "Resource": "*"})],
                                       ActionNames=["iam:GetUser"])
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")


class GroupSource(harness.ServerTest):
    """A group as PolicySourceArn: its inline and attached policies (IAM API reference,
    SimulatePrincipalPolicy, PolicySourceArn "a user, group, or role")."""

    def setUp(self):
        self.iam = self.server.client("iam")

    def test_group_inline_and_attached_policies(self):
        g = self.iam.create_group(GroupName="sim-readers", Path="/team/")["Group"]
        self.iam.put_group_policy(GroupName="sim-readers", PolicyName="inline-get", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}))
        arn = self.iam.create_policy(PolicyName="sim-list", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}))["Policy"]["Arn"]
        self.iam.attach_group_policy(GroupName="sim-readers", PolicyArn=arn)
        r = self.iam.simulate_principal_policy(
            PolicySourceArn=g["Arn"], ActionNames=["iam:GetUser", "iam:ListUsers", "iam:DeleteUser",
                                                   "iam:CreateUser"],
            ContextEntries=[{"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": ["us-east-1"],
                             "ContextKeyType": "string"},
                            {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["false"],
                             "ContextKeyType": "boolean"}])
        got = {e["EvalActionName"]: e for e in r["EvaluationResults"]}
        self.assertEqual({a: e["EvalDecision"] for a, e in got.items()},
                         {"iam:GetUser": "allowed", "iam:ListUsers": "allowed",
                          "iam:DeleteUser": "explicitDeny", "iam:CreateUser": "implicitDeny"})
        self.assertEqual([m["SourcePolicyId"] for m in got["iam:GetUser"]["MatchedStatements"]], ["inline-get"])
        self.assertEqual([m["SourcePolicyId"] for m in got["iam:ListUsers"]["MatchedStatements"]], ["sim-list"])
        # the group's condition keys, inline and attached, as GetContextKeysForPrincipalPolicy sees them
        keys = self.iam.get_context_keys_for_principal_policy(PolicySourceArn=g["Arn"])["ContextKeyNames"]
        self.assertEqual(sorted(k.lower() for k in keys),
                         ["aws:multifactorauthpresent", "aws:requestedregion"])
        _, out, _ = self.server.cli("iam", "simulate-principal-policy", "--policy-source-arn", g["Arn"],
                                    "--action-names", "iam:ListUsers")
        self.assertEqual(out["EvaluationResults"][0]["EvalDecision"], "allowed")
        _, out, _ = self.server.cli("iam", "get-context-keys-for-principal-policy",
                                    "--policy-source-arn", g["Arn"])
        self.assertEqual(len(out["ContextKeyNames"]), 2)

    def test_member_sees_the_group_but_the_group_not_the_member(self):
        self.iam.create_group(GroupName="sim-g2")
        self.iam.put_group_policy(GroupName="sim-g2", PolicyName="g", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "iam:ListGroups", "Resource": "*"}))
        u = self.iam.create_user(UserName="sim-member")["User"]
        self.iam.put_user_policy(UserName="sim-member", PolicyName="u", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}))
        self.iam.add_user_to_group(GroupName="sim-g2", UserName="sim-member")
        garn = f"arn:aws:iam::{ACCT}:group/sim-g2"
        user_view = self.iam.simulate_principal_policy(PolicySourceArn=u["Arn"],
                                                       ActionNames=["iam:ListGroups", "iam:ListRoles"])
        self.assertEqual([e["EvalDecision"] for e in user_view["EvaluationResults"]], ["allowed", "allowed"])
        group_view = self.iam.simulate_principal_policy(PolicySourceArn=garn,
                                                        ActionNames=["iam:ListGroups", "iam:ListRoles"])
        self.assertEqual([e["EvalDecision"] for e in group_view["EvaluationResults"]],
                         ["allowed", "implicitDeny"])

    def test_unknown_group_and_foreign_arn(self):
        with self.assertRaises(ClientError) as e:
            self.iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCT}:group/nope",
                                               ActionNames=["iam:GetUser"])
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        with self.assertRaises(ClientError) as e:
            self.iam.get_context_keys_for_principal_policy(PolicySourceArn="arn:aws:iam::999999999999:group/x")
        self.assertEqual(self.error_code(e.exception), "InvalidInput")
        rc, _, err = self.server.cli("iam", "simulate-principal-policy", "--policy-source-arn",
                                     f"arn:aws:iam::{ACCT}:group/nope", "--action-names", "iam:GetUser",
                                     check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchEntity", err)


if __name__ == "__main__":
    harness.main()
