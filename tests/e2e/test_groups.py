"""IAM groups (CreateGroup, GetGroup, ListGroups) through boto3: the first operations
written on the declaration machinery (src/services/iam/iam.ops). Members and group
policies: test_group_members.py."""
import datetime

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT


class IamGroups(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def test_create_and_get(self):
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        g = self.iam.create_group(GroupName="Developers", Path="/eng/team/")["Group"]
        self.assertEqual(g["GroupName"], "Developers")
        self.assertEqual(g["Path"], "/eng/team/")
        self.assertEqual(g["Arn"], f"arn:aws:iam::{ACCT}:group/eng/team/Developers")
        self.assertRegex(g["GroupId"], r"^AGPA[A-Z2-7]{17}$")
        self.assertGreaterEqual(g["CreateDate"], before)
        got = self.iam.get_group(GroupName="Developers")
        self.assertEqual(got["Group"], g)
        # a new group has no members (test_group_members.py adds some)
        self.assertEqual(got["Users"], [])
        self.assertFalse(got["IsTruncated"])
        # the name is found without regard to case, and the stored spelling is returned
        self.assertEqual(self.iam.get_group(GroupName="developers")["Group"]["GroupName"],
                         "Developers")

    def test_default_path(self):
        g = self.iam.create_group(GroupName="rootpath")["Group"]
        self.assertEqual(g["Path"], "/")
        self.assertEqual(g["Arn"], f"arn:aws:iam::{ACCT}:group/rootpath")

    def test_duplicate_differs_only_in_case(self):
        self.iam.create_group(GroupName="Admins")
        for name in ("Admins", "ADMINS", "admins"):
            with self.assertRaises(ClientError) as e:
                self.iam.create_group(GroupName=name)
            self.assertEqual(self.error_code(e.exception), "EntityAlreadyExists")
            self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"Group with name {name} already exists.")

    def test_not_found(self):
        with self.assertRaises(ClientError) as e:
            self.iam.get_group(GroupName="nobody-here")
        self.assertEqual(self.error_code(e.exception), "NoSuchEntity")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "The group with name nobody-here cannot be found.")

    def test_validation(self):
        with self.assertRaises(ClientError) as e:
            self.iam.create_group(GroupName="bad name!")
        self.assertEqual(self.error_code(e.exception), "ValidationError")
        self.assertIn("groupName", e.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as e:
            self.iam.create_group(GroupName="ok", Path="no-slashes")
        self.assertEqual(self.error_code(e.exception), "ValidationError")

    def test_list_paginates_with_path_prefix(self):
        names = [f"page-group-{i:02d}" for i in range(7)]
        for n in names:
            self.iam.create_group(GroupName=n, Path="/paged/")
        self.iam.create_group(GroupName="page-group-other", Path="/elsewhere/")
        seen, marker, pages = [], None, 0
        while True:
            kw = {"PathPrefix": "/paged/", "MaxItems": 3}
            if marker:
                kw["Marker"] = marker
            r = self.iam.list_groups(**kw)
            pages += 1
            self.assertTrue(all(g["Path"] == "/paged/" for g in r["Groups"]))
            seen += [g["GroupName"] for g in r["Groups"]]
            if not r["IsTruncated"]:
                self.assertNotIn("Marker", r)
                break
            marker = r["Marker"]
        self.assertEqual(seen, names)
        self.assertEqual(pages, 3)
        pag = self.iam.get_paginator("list_groups")
        all_names = [g["GroupName"] for p in pag.paginate(PaginationConfig={"PageSize": 2})
                     for g in p["Groups"]]
        self.assertIn("page-group-other", all_names)
        self.assertTrue(set(names) <= set(all_names))
        self.assertEqual(all_names, sorted(all_names, key=str.lower))
        listed = {g["GroupName"]: g for g in self.iam.list_groups(PathPrefix="/elsewhere/")["Groups"]}
        self.assertEqual(list(listed), ["page-group-other"])
        self.assertEqual(listed["page-group-other"]["Arn"],
                         f"arn:aws:iam::{ACCT}:group/elsewhere/page-group-other")

    def test_access_denied_without_permission(self):
        self.iam.create_group(GroupName="guarded")
        _, akid, secret = self.server.user("no-group-rights")
        iam = self.server.client("iam", key=akid, secret=secret)
        cases = [
            (lambda: iam.create_group(GroupName="sneaky", Path="/x/"),
             "iam:CreateGroup", f"arn:aws:iam::{ACCT}:group/x/sneaky"),
            (lambda: iam.get_group(GroupName="guarded"),
             "iam:GetGroup", f"arn:aws:iam::{ACCT}:group/guarded"),
            (lambda: iam.list_groups(),
             "iam:ListGroups", f"arn:aws:iam::{ACCT}:group/"),
        ]
        for call, action, resource in cases:
            with self.assertRaises(ClientError) as e:
                call()
            self.assertEqual(self.error_code(e.exception), "AccessDenied")
            self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"User: arn:aws:iam::{ACCT}:user/no-group-rights is not authorized to "
                             f"perform: {action} on resource: {resource} because no "
                             f"identity-based policy allows the {action} action")
        with self.assertRaises(ClientError):
            self.iam.get_group(GroupName="sneaky")

    def test_allowed_by_policy_on_the_group_arn(self):
        _, akid, secret = self.server.user(
            "group-reader",
            {"Effect": "Allow", "Action": "iam:GetGroup",
             "Resource": f"arn:aws:iam::{ACCT}:group/readable/*"})
        self.iam.create_group(GroupName="readme", Path="/readable/")
        self.iam.create_group(GroupName="notme", Path="/hidden/")
        iam = self.server.client("iam", key=akid, secret=secret)
        self.assertEqual(iam.get_group(GroupName="readme")["Group"]["Path"], "/readable/")
        with self.assertRaises(ClientError) as e:
            iam.get_group(GroupName="notme")
        self.assertEqual(self.error_code(e.exception), "AccessDenied")

    def test_audit_records(self):
        g = self.iam.create_group(GroupName="audited", Path="/a/")["Group"]
        self.iam.get_group(GroupName="audited")
        with self.assertRaises(ClientError):
            self.iam.create_group(GroupName="AUDITED")
        self.iam.list_groups(PathPrefix="/a/")
        trail = self.server.audit_records()
        created = [r for r in trail if r["eventName"] == "CreateGroup"
                   and r["requestParameters"].get("groupName") == "audited"]
        self.assertEqual(len(created), 1)
        rec = created[0]
        self.assertEqual(rec["eventSource"], "iam.amazonaws.com")
        self.assertFalse(rec["readOnly"])
        self.assertEqual(rec["requestParameters"]["path"], "/a/")
        self.assertEqual(rec["responseElements"]["group"]["groupId"], g["GroupId"])
        dup = [r for r in trail if r["eventName"] == "CreateGroup"
               and r["requestParameters"].get("groupName") == "AUDITED"]
        self.assertEqual(dup[0]["errorCode"], "EntityAlreadyExists")
        got = [r for r in trail if r["eventName"] == "GetGroup"
               and r["requestParameters"].get("groupName") == "audited"]
        self.assertTrue(got and got[0]["readOnly"])
        self.assertTrue(any(r["eventName"] == "ListGroups" and r["readOnly"] for r in trail))


if __name__ == "__main__":
    harness.main()
