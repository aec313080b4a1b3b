"""IAM group membership and group policies through boto3 and the aws CLI: AddUserToGroup,
RemoveUserFromGroup, ListGroupsForUser, GetGroup's members, UpdateGroup, DeleteGroup,
Put/Get/List/DeleteGroupPolicy, Attach/Detach/ListAttachedGroupPolicies, their errors and
quotas, and a user gaining and losing a group's permissions on the very next request."""
import json
import urllib.parse

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


LIST_USERS = doc({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"})


class GroupMembers(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def assertError(self, exc, code, status, message):
        self.assertEqual(self.error_code(exc), code)
        self.assertEqual(exc.response["ResponseMetadata"]["HTTPStatusCode"], status)
        self.assertEqual(exc.response["Error"]["Message"], message)

    def test_add_list_remove(self):
        self.iam.create_group(GroupName="Readers", Path="/r/")
        self.iam.create_group(GroupName="alpha")
        u = self.iam.create_user(UserName="Member1", Path="/people/")["User"]
        self.iam.add_user_to_group(GroupName="readers", UserName="member1")
        self.iam.add_user_to_group(GroupName="Readers", UserName="Member1")  # again: no error
        self.iam.add_user_to_group(GroupName="alpha", UserName="Member1")
        got = self.iam.get_group(GroupName="Readers")
        self.assertEqual(got["Users"], [u])
        self.assertFalse(got["IsTruncated"])
        groups = self.iam.list_groups_for_user(UserName="MEMBER1")
        self.assertEqual([g["GroupName"] for g in groups["Groups"]], ["alpha", "Readers"])
        self.assertEqual(groups["Groups"][1], self.iam.get_group(GroupName="Readers")["Group"])
        self.assertFalse(groups["IsTruncated"])
        self.iam.remove_user_from_group(GroupName="Readers", UserName="Member1")
        self.assertEqual(self.iam.get_group(GroupName="Readers")["Users"], [])
        self.assertEqual([g["GroupName"] for g in
                          self.iam.list_groups_for_user(UserName="Member1")["Groups"]], ["alpha"])
        # removing a user who is no longer a member is no error, as in AWS
        self.iam.remove_user_from_group(GroupName="Readers", UserName="Member1")

    def test_membership_errors(self):
        self.iam.create_group(GroupName="errs")
        self.iam.create_user(UserName="err-user")
        with self.assertRaises(ClientError) as e:
            self.iam.add_user_to_group(GroupName="errs", UserName="nobody")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The user with name nobody cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.add_user_to_group(GroupName="no-group", UserName="err-user")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The group with name no-group cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.remove_user_from_group(GroupName="errs", UserName="nobody")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The user with name nobody cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.list_groups_for_user(UserName="nobody")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The user with name nobody cannot be found.")

    def test_groups_per_user_quota(self):
        self.iam.create_user(UserName="joiner")
        for i in range(10):
            self.iam.create_group(GroupName=f"quota-{i}")
            self.iam.add_user_to_group(GroupName=f"quota-{i}", UserName="joiner")
        self.iam.create_group(GroupName="quota-10")
        with self.assertRaises(ClientError) as e:
            self.iam.add_user_to_group(GroupName="quota-10", UserName="joiner")
        self.assertError(e.exception, "LimitExceeded", 409,
                         "Cannot exceed quota for GroupsPerUser: 10")
        # re-adding to a group the user is in is still no error at the quota
        self.iam.add_user_to_group(GroupName="quota-3", UserName="joiner")
        r = self.iam.list_groups_for_user(UserName="joiner", MaxItems=4)
        self.assertEqual(len(r["Groups"]), 4)
        self.assertTrue(r["IsTruncated"])
        pag = self.iam.get_paginator("list_groups_for_user")
        names = [g["GroupName"] for p in pag.paginate(UserName="joiner",
                                                         PaginationConfig={"PageSize": 3})
                 for g in p["Groups"]]
        self.assertEqual(names, sorted(f"quota-{i}" for i in range(10)))

    def test_get_group_paginates_members(self):
        self.iam.create_group(GroupName="big")
        users = [f"big-user-{i:02d}" for i in range(7)]
        for n in users:
            self.iam.create_user(UserName=n)
            self.iam.add_user_to_group(GroupName="big", UserName=n)
        seen, marker, pages = [], None, 0
        while True:
            kw = {"GroupName": "big", "MaxItems": 3}
            if marker:
                kw["Marker"] = marker
            r = self.iam.get_group(**kw)
            pages += 1
            self.assertEqual(r["Group"]["GroupName"], "big")
            seen += [u["UserName"] for u in r["Users"]]
            if not r["IsTruncated"]:
                self.assertNotIn("Marker", r)
                break
            self.assertNotIn("big-user", r["Marker"])  # opaque
            marker = r["Marker"]
        self.assertEqual(seen, users)
        self.assertEqual(pages, 3)
        pag = self.iam.get_paginator("get_group")
        self.assertEqual([u["UserName"] for p in pag.paginate(
            GroupName="big", PaginationConfig={"PageSize": 2}) for u in p["Users"]], users)
        with self.assertRaises(ClientError) as e:
            self.iam.get_group(GroupName="big", Marker=marker[:-2] + "AA")
        self.assertEqual(self.error_code(e.exception), "ValidationError")

    def test_delete_conflicts_and_delete(self):
        self.iam.create_group(GroupName="sticky")
        self.iam.create_user(UserName="sticky-user")
        pol = self.iam.create_policy(PolicyName="StickyManaged",
                                     PolicyDocument=LIST_USERS)["Policy"]["Arn"]
        self.iam.add_user_to_group(GroupName="sticky", UserName="sticky-user")
        self.iam.put_group_policy(GroupName="sticky", PolicyName="in", PolicyDocument=LIST_USERS)
        self.iam.attach_group_policy(GroupName="sticky", PolicyArn=pol)
        with self.assertRaises(ClientError) as e:
            self.iam.delete_user(UserName="sticky-user")
        self.assertError(e.exception, "DeleteConflict", 409,
                         "Cannot delete entity, must remove users from group first.")
        steps = [
            ("Cannot delete entity, must remove users from group first.",
             lambda: self.iam.remove_user_from_group(GroupName="sticky", UserName="sticky-user")),
            ("Cannot delete entity, must delete policies first.",
             lambda: self.iam.delete_group_policy(GroupName="sticky", PolicyName="in")),
            ("Cannot delete entity, must detach all policies first.",
             lambda: self.iam.detach_group_policy(GroupName="sticky", PolicyArn=pol)),
        ]
        for message, clear in steps:
            with self.assertRaises(ClientError) as e:
                self.iam.delete_group(GroupName="sticky")
            self.assertError(e.exception, "DeleteConflict", 409, message)
            clear()
        self.iam.delete_group(GroupName="STICKY")
        with self.assertRaises(ClientError) as e:
            self.iam.get_group(GroupName="sticky")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The group with name sticky cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_group(GroupName="sticky")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The group with name sticky cannot be found.")
        self.iam.delete_user(UserName="sticky-user")

    def test_update_group_carries_everything(self):
        g = self.iam.create_group(GroupName="OldName", Path="/old/")["Group"]
        self.iam.create_user(UserName="mover")
        pol = self.iam.create_policy(PolicyName="MoverManaged",
                                     PolicyDocument=LIST_USERS)["Policy"]["Arn"]
        self.iam.add_user_to_group(GroupName="OldName", UserName="mover")
        self.iam.put_group_policy(GroupName="OldName", PolicyName="carried",
                                  PolicyDocument=LIST_USERS)
        self.iam.attach_group_policy(GroupName="OldName", PolicyArn=pol)
        self.iam.update_group(GroupName="oldname", NewGroupName="NewName", NewPath="/new/")
        got = self.iam.get_group(GroupName="NewName")
        self.assertEqual(got["Group"]["GroupId"], g["GroupId"])
        self.assertEqual(got["Group"]["CreateDate"], g["CreateDate"])
        self.assertEqual(got["Group"]["Arn"], f"arn:aws:iam::{ACCT}:group/new/NewName")
        self.assertEqual(got["Group"]["Path"], "/new/")
        self.assertEqual([u["UserName"] for u in got["Users"]], ["mover"])
        self.assertEqual(self.iam.list_group_policies(GroupName="NewName")["PolicyNames"],
                         ["carried"])
        self.assertEqual(self.iam.list_attached_group_policies(GroupName="NewName")
                         ["AttachedPolicies"], [{"PolicyName": "MoverManaged", "PolicyArn": pol}])
        self.assertEqual(self.iam.get_policy(PolicyArn=pol)["Policy"]["AttachmentCount"], 1)
        self.assertEqual([x["GroupName"] for x in
                          self.iam.list_groups_for_user(UserName="mover")["Groups"]], ["NewName"])
        with self.assertRaises(ClientError) as e:
            self.iam.get_group(GroupName="OldName")
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        # only the path, then only the case of the name
        self.iam.update_group(GroupName="NewName", NewPath="/newer/")
        self.iam.update_group(GroupName="NewName", NewGroupName="NEWNAME")
        got = self.iam.get_group(GroupName="newname")
        self.assertEqual(got["Group"]["Arn"], f"arn:aws:iam::{ACCT}:group/newer/NEWNAME")
        self.assertEqual(got["Group"]["GroupId"], g["GroupId"])
        self.assertEqual(len(got["Users"]), 1)
        self.iam.create_group(GroupName="Taken")
        with self.assertRaises(ClientError) as e:
            self.iam.update_group(GroupName="NEWNAME", NewGroupName="taken")
        self.assertError(e.exception, "EntityAlreadyExists", 409,
                         "Group with name taken already exists.")
        with self.assertRaises(ClientError) as e:
            self.iam.update_group(GroupName="ghost-group", NewGroupName="x")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The group with name ghost-group cannot be found.")

    def test_inline_group_policies(self):
        self.iam.create_group(GroupName="inl")
        text = doc({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": "arn:aws:s3:::bucket/a b+c"})
        self.iam.put_group_policy(GroupName="inl", PolicyName="b-pol", PolicyDocument=text)
        self.iam.put_group_policy(GroupName="inl", PolicyName="a-pol", PolicyDocument=LIST_USERS)
        got = self.iam.get_group_policy(GroupName="INL", PolicyName="b-pol")
        self.assertEqual(got["GroupName"], "inl")
        self.assertEqual(got["PolicyName"], "b-pol")
        self.assertEqual(got["PolicyDocument"], json.loads(text))  # boto3 decodes it
        r = self.iam.list_group_policies(GroupName="inl", MaxItems=1)
        self.assertEqual(r["PolicyNames"], ["a-pol"])
        self.assertTrue(r["IsTruncated"])
        r = self.iam.list_group_policies(GroupName="inl", Marker=r["Marker"])
        self.assertEqual(r["PolicyNames"], ["b-pol"])
        self.assertFalse(r["IsTruncated"])
        self.iam.delete_group_policy(GroupName="inl", PolicyName="b-pol")
        with self.assertRaises(ClientError) as e:
            self.iam.get_group_policy(GroupName="inl", PolicyName="b-pol")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The group policy with name b-pol cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_group_policy(GroupName="inl", PolicyName="b-pol")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The group policy with name b-pol cannot be found.")
        with self.assertRaises(ClientError) as e:
            self.iam.put_group_policy(GroupName="inl", PolicyName="bad", PolicyDocument="{nope")
        self.assertEqual(self.error_code(e.exception), "MalformedPolicyDocument")
        with self.assertRaises(ClientError) as e:
            self.iam.put_group_policy(GroupName="ghost-g", PolicyName="p",
                                      PolicyDocument=LIST_USERS)
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The group with name ghost-g cannot be found.")
        big = doc({"Effect": "Allow", "Action": "s3:GetObject",
                   "Resource": [f"arn:aws:s3:::bucket-{i:04d}/*" for i in range(200)]})
        with self.assertRaises(ClientError) as e:
            self.iam.put_group_policy(GroupName="inl", PolicyName="big", PolicyDocument=big)
        self.assertError(e.exception, "LimitExceeded", 409,
                         "Maximum policy size of 5120 bytes exceeded for group inl")

    def test_get_group_policy_is_url_encoded_on_the_wire(self):
        """IAM's Query response carries the document URL-encoded, as GetUserPolicy's."""
        self.iam.create_group(GroupName="wire")
        text = doc({"Effect": "Allow", "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::b/a b+c"})
        self.iam.put_group_policy(GroupName="wire", PolicyName="w", PolicyDocument=text)
        raw = []
        self.iam.meta.events.register("after-call.iam.GetGroupPolicy",
                                      lambda http_response, **kw: raw.append(http_response.text))
        self.iam.get_group_policy(GroupName="wire", PolicyName="w")
        self.assertIn(f"<PolicyDocument>{urllib.parse.quote(text, safe='-_.~')}</PolicyDocument>",
                      raw[0])

    def test_attached_group_policies(self):
        self.iam.create_group(GroupName="att", Path="/")
        arns = []
        for i in range(11):
            arns.append(self.iam.create_policy(PolicyName=f"att-{i:02d}",
                                               Path="/p/" if i % 2 else "/",
                                               PolicyDocument=LIST_USERS)["Policy"]["Arn"])
        for a in arns[:10]:
            self.iam.attach_group_policy(GroupName="att", PolicyArn=a)
        self.iam.attach_group_policy(GroupName="att", PolicyArn=arns[0])  # again: no error
        with self.assertRaises(ClientError) as e:
            self.iam.attach_group_policy(GroupName="att", PolicyArn=arns[10])
        self.assertError(e.exception, "LimitExceeded", 409,
                         "Cannot exceed quota for PoliciesPerGroup: 10")
        listed = self.iam.list_attached_group_policies(GroupName="att")
        self.assertEqual([p["PolicyArn"] for p in listed["AttachedPolicies"]], arns[:10])
        self.assertFalse(listed["IsTruncated"])
        self.assertEqual(listed["AttachedPolicies"][0], {"PolicyName": "att-00", "PolicyArn": arns[0]})
        p = self.iam.list_attached_group_policies(GroupName="att", PathPrefix="/p/")
        self.assertEqual([x["PolicyArn"] for x in p["AttachedPolicies"]], arns[1:10:2])
        pag = self.iam.get_paginator("list_attached_group_policies")
        self.assertEqual([x["PolicyArn"] for pg in pag.paginate(
            GroupName="att", PaginationConfig={"PageSize": 3}) for x in pg["AttachedPolicies"]],
            arns[:10])
        # a user attachment and a group attachment both count
        self.iam.create_user(UserName="att-user")
        self.iam.attach_user_policy(UserName="att-user", PolicyArn=arns[0])
        self.assertEqual(self.iam.get_policy(PolicyArn=arns[0])["Policy"]["AttachmentCount"], 2)
        with self.assertRaises(ClientError) as e:
            self.iam.delete_policy(PolicyArn=arns[1])
        self.assertEqual(self.error_code(e.exception), "DeleteConflict")
        self.iam.detach_group_policy(GroupName="att", PolicyArn=arns[0])
        self.assertEqual(self.iam.get_policy(PolicyArn=arns[0])["Policy"]["AttachmentCount"], 1)
        with self.assertRaises(ClientError) as e:
            self.iam.detach_group_policy(GroupName="att", PolicyArn=arns[0])
        self.assertError(e.exception, "NoSuchEntity", 404, f"Policy {arns[0]} was not found.")
        missing = f"arn:aws:iam::{ACCT}:policy/none-such"
        with self.assertRaises(ClientError) as e:
            self.iam.attach_group_policy(GroupName="att", PolicyArn=missing)
        self.assertError(e.exception, "NoSuchEntity", 404,
                         f"Policy {missing} does not exist or is not attachable.")
        with self.assertRaises(ClientError) as e:
            self.iam.list_attached_group_policies(GroupName="ghost-att")
        self.assertError(e.exception, "NoSuchEntity", 404,
                         "The group with name ghost-att cannot be found.")


class GroupPermissions(harness.ServerTest):
    """A user's calls are authorized with its groups' policies from the very next request."""

    def setUp(self):
        self.iam = self.server.client("iam")

    def denied(self, client):
        with self.assertRaises(ClientError) as e:
            client.list_users()
        self.assertEqual(self.error_code(e.exception), "AccessDenied")

    def test_inline_group_policy(self):
        _, akid, secret = self.server.user("gains-inline")
        me = self.server.client("iam", key=akid, secret=secret)
        self.iam.create_group(GroupName="listers")
        self.iam.put_group_policy(GroupName="listers", PolicyName="list", PolicyDocument=LIST_USERS)
        self.denied(me)
        self.iam.add_user_to_group(GroupName="listers", UserName="gains-inline")
        me.list_users()
        self.iam.remove_user_from_group(GroupName="listers", UserName="gains-inline")
        self.denied(me)
        self.iam.add_user_to_group(GroupName="listers", UserName="gains-inline")
        me.list_users()
        self.iam.delete_group_policy(GroupName="listers", PolicyName="list")
        self.denied(me)
        # a policy put on a group the user is already in applies at once too
        self.iam.put_group_policy(GroupName="listers", PolicyName="again", PolicyDocument=LIST_USERS)
        me.list_users()
        # and follows the group through a rename
        self.iam.update_group(GroupName="listers", NewGroupName="renamed-listers")
        me.list_users()
        self.iam.delete_group_policy(GroupName="renamed-listers", PolicyName="again")
        self.denied(me)

    def test_renamed_user_stays_in_its_groups(self):
        _, akid, secret = self.server.user("moves-house")
        me = self.server.client("iam", key=akid, secret=secret)
        self.iam.create_group(GroupName="movers")
        self.iam.put_group_policy(GroupName="movers", PolicyName="list", PolicyDocument=LIST_USERS)
        self.iam.add_user_to_group(GroupName="movers", UserName="moves-house")
        me.list_users()
        # a rename, then one that changes only the case: the membership follows both
        for old, new in (("moves-house", "moved-house"), ("moved-house", "Moved-House")):
            self.iam.update_user(UserName=old, NewUserName=new)
            self.assertEqual([g["GroupName"] for g in self.iam.list_groups_for_user(UserName=new)["Groups"]],
                             ["movers"])
            self.assertEqual([u["UserName"] for u in self.iam.get_group(GroupName="movers")["Users"]], [new])
            me.list_users()  # still allowed through the group, signed with the same key
        self.iam.remove_user_from_group(GroupName="movers", UserName="moved-house")
        self.denied(me)
        # and DeleteUser's group check sees the membership under the new name
        self.iam.add_user_to_group(GroupName="movers", UserName="Moved-House")
        with self.assertRaises(ClientError) as e:
            self.iam.delete_user(UserName="moved-house")
        self.assertEqual(e.exception.response["Error"]["Code"], "DeleteConflict")

    def test_attached_group_policy(self):
        _, akid, secret = self.server.user("gains-managed")
        me = self.server.client("iam", key=akid, secret=secret)
        arn = self.iam.create_policy(PolicyName="GroupList",
                                     PolicyDocument=LIST_USERS)["Policy"]["Arn"]
        self.iam.create_group(GroupName="managed-listers")
        self.iam.attach_group_policy(GroupName="managed-listers", PolicyArn=arn)
        self.denied(me)
        self.iam.add_user_to_group(GroupName="managed-listers", UserName="gains-managed")
        me.list_users()
        self.iam.detach_group_policy(GroupName="managed-listers", PolicyArn=arn)
        self.denied(me)
        self.iam.attach_group_policy(GroupName="managed-listers", PolicyArn=arn)
        me.list_users()
        self.iam.remove_user_from_group(GroupName="managed-listers", UserName="gains-managed")
        self.denied(me)

    def test_group_deny_wins_and_other_users_unaffected(self):
        _, akid, secret = self.server.user(
            "denied-by-group", {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"})
        _, akid2, secret2 = self.server.user(
            "bystander", {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"})
        me = self.server.client("iam", key=akid, secret=secret)
        other = self.server.client("iam", key=akid2, secret=secret2)
        self.iam.create_group(GroupName="deniers")
        self.iam.put_group_policy(GroupName="deniers", PolicyName="no", PolicyDocument=doc(
            {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}))
        me.list_users()
        self.iam.add_user_to_group(GroupName="deniers", UserName="denied-by-group")
        with self.assertRaises(ClientError) as e:
            me.list_users()
        self.assertIn("with an explicit deny", e.exception.response["Error"]["Message"])
        other.list_users()

    def test_simulator_sees_group_policies(self):
        self.iam.create_user(UserName="sim-member")
        arn = f"arn:aws:iam::{ACCT}:user/sim-member"
        managed = self.iam.create_policy(PolicyName="SimGroupKms", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}))["Policy"]["Arn"]
        self.iam.create_group(GroupName="sim-group")
        self.iam.put_group_policy(GroupName="sim-group", PolicyName="sim-inline",
                                  PolicyDocument=LIST_USERS)
        self.iam.attach_group_policy(GroupName="sim-group", PolicyArn=managed)

        def decisions():
            r = self.iam.simulate_principal_policy(
                PolicySourceArn=arn, ActionNames=["iam:ListUsers", "kms:ListKeys"])
            return {e["EvalActionName"]: e["EvalDecision"] for e in r["EvaluationResults"]}

        self.assertEqual(decisions(), {"iam:ListUsers": "implicitDeny",
                                       "kms:ListKeys": "implicitDeny"})
        self.iam.add_user_to_group(GroupName="sim-group", UserName="sim-member")
        self.assertEqual(decisions(), {"iam:ListUsers": "allowed", "kms:ListKeys": "allowed"})
        r = self.iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["iam:ListUsers"])
        self.assertEqual([m["SourcePolicyId"] for m in
                          r["EvaluationResults"][0]["MatchedStatements"]], ["sim-inline"])

    def test_update_group_needs_the_old_and_the_new_name(self):
        self.iam.create_group(GroupName="Managers")
        old = f"arn:aws:iam::{ACCT}:group/Managers"
        new = f"arn:aws:iam::{ACCT}:group/MGRs"
        _, akid, secret = self.server.user(
            "renamer", {"Effect": "Allow", "Action": "iam:UpdateGroup", "Resource": old})
        me = self.server.client("iam", key=akid, secret=secret)
        with self.assertRaises(ClientError) as e:
            me.update_group(GroupName="Managers", NewGroupName="MGRs")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"User: arn:aws:iam::{ACCT}:user/renamer is not authorized to perform: "
                         f"iam:UpdateGroup on resource: {new} because no identity-based policy "
                         f"allows the iam:UpdateGroup action")
        self.iam.get_group(GroupName="Managers")  # unchanged
        self.iam.put_user_policy(UserName="renamer", PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "iam:UpdateGroup", "Resource": [old, new]}))
        me.update_group(GroupName="Managers", NewGroupName="MGRs")
        self.assertEqual(self.iam.get_group(GroupName="MGRs")["Group"]["Arn"], new)

    def test_denied_without_permission(self):
        self.iam.create_group(GroupName="guarded-g")
        _, akid, secret = self.server.user("no-rights-g")
        me = self.server.client("iam", key=akid, secret=secret)
        g = f"arn:aws:iam::{ACCT}:group/guarded-g"
        cases = [
            (lambda: me.add_user_to_group(GroupName="guarded-g", UserName="no-rights-g"),
             "iam:AddUserToGroup", g),
            (lambda: me.put_group_policy(GroupName="guarded-g", PolicyName="x",
                                         PolicyDocument=LIST_USERS), "iam:PutGroupPolicy", g),
            (lambda: me.list_groups_for_user(UserName="no-rights-g"), "iam:ListGroupsForUser",
             f"arn:aws:iam::{ACCT}:user/no-rights-g"),
            (lambda: me.delete_group(GroupName="guarded-g"), "iam:DeleteGroup", g),
        ]
        for call, action, resource in cases:
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"User: arn:aws:iam::{ACCT}:user/no-rights-g is not authorized to "
                             f"perform: {action} on resource: {resource} because no "
                             f"identity-based policy allows the {action} action")


class GroupCli(harness.ServerTest):
    """The same operations through /usr/bin/aws iam."""

    def test_cli_round_trip(self):
        cli = self.server.cli
        cli("iam", "create-group", "--group-name", "cli-group")
        cli("iam", "create-user", "--user-name", "cli-user")
        cli("iam", "add-user-to-group", "--group-name", "cli-group", "--user-name", "cli-user")
        _, got, _ = cli("iam", "get-group", "--group-name", "cli-group")
        self.assertEqual([u["UserName"] for u in got["Users"]], ["cli-user"])
        _, mine, _ = cli("iam", "list-groups-for-user", "--user-name", "cli-user")
        self.assertEqual([g["GroupName"] for g in mine["Groups"]], ["cli-group"])
        cli("iam", "put-group-policy", "--group-name", "cli-group", "--policy-name", "cp",
            "--policy-document", LIST_USERS)
        _, pol, _ = cli("iam", "get-group-policy", "--group-name", "cli-group",
                        "--policy-name", "cp")
        self.assertEqual(pol["PolicyDocument"], json.loads(LIST_USERS))
        _, names, _ = cli("iam", "list-group-policies", "--group-name", "cli-group")
        self.assertEqual(names["PolicyNames"], ["cp"])
        _, p, _ = cli("iam", "create-policy", "--policy-name", "CliManaged",
                      "--policy-document", LIST_USERS)
        arn = p["Policy"]["Arn"]
        cli("iam", "attach-group-policy", "--group-name", "cli-group", "--policy-arn", arn)
        _, att, _ = cli("iam", "list-attached-group-policies", "--group-name", "cli-group")
        self.assertEqual(att["AttachedPolicies"], [{"PolicyName": "CliManaged", "PolicyArn": arn}])
        rc, _, err = cli("iam", "delete-group", "--group-name", "cli-group", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("DeleteConflict", err)
        self.assertIn("must remove users from group first", err)
        cli("iam", "update-group", "--group-name", "cli-group", "--new-group-name", "cli-group2",
            "--new-path", "/cli/")
        _, got, _ = cli("iam", "get-group", "--group-name", "cli-group2")
        self.assertEqual(got["Group"]["Arn"], f"arn:aws:iam::{ACCT}:group/cli/cli-group2")
        cli("iam", "detach-group-policy", "--group-name", "cli-group2", "--policy-arn", arn)
        cli("iam", "delete-group-policy", "--group-name", "cli-group2", "--policy-name", "cp")
        cli("iam", "remove-user-from-group", "--group-name", "cli-group2",
            "--user-name", "cli-user")
        cli("iam", "delete-group", "--group-name", "cli-group2")
        rc, _, err = cli("iam", "get-group", "--group-name", "cli-group2", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchEntity", err)


if __name__ == "__main__":
    harness.main()
