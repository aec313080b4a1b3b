"""UpdateUser: a rename and a path change carry the user's access keys, session credentials,
inline and attached policies, tags and login profile along (the ARN follows, the UserId
stays), with the caller's own credentials working on the next request; GetUser without a
name answers for the caller, IAM user or root."""
import json

from botocore.exceptions import ClientError

import harness

ALLOW = {"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser", "iam:ListAccessKeys"],
         "Resource": "*"}


class UpdateUser(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def test_rename_and_move_carry_keys_policies_tags(self):
        s, iam = self.server, self.iam
        _, akid, secret = s.user("ren-old", ALLOW)
        created = iam.get_user(UserName="ren-old")["User"]
        iam.tag_user(UserName="ren-old", Tags=[{"Key": "team", "Value": "blue"}])
        arn = iam.create_policy(PolicyName="ren-describe", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "iam:ListPolicies", "Resource": "*"}]}))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="ren-old", PolicyArn=arn)
        as_user = s.client("iam", key=akid, secret=secret)
        # the caches hold the user under its old name before the rename
        self.assertEqual(as_user.get_user()["User"]["UserName"], "ren-old")
        as_user.list_policies(Scope="Local")

        iam.update_user(UserName="ren-old", NewUserName="ren-new", NewPath="/moved/")

        u = iam.get_user(UserName="ren-new")["User"]
        self.assertEqual(u["UserId"], created["UserId"])
        self.assertEqual(u["CreateDate"], created["CreateDate"])
        self.assertEqual(u["Path"], "/moved/")
        self.assertEqual(u["Arn"], f"arn:aws:iam::{harness.ACCOUNT}:user/moved/ren-new")
        self.assertEqual(u["Tags"], [{"Key": "team", "Value": "blue"}])
        self.assertEqual(self.error(lambda: iam.get_user(UserName="ren-old")),
                         ("NoSuchEntity", 404, "The user with name ren-old cannot be found."))
        keys = iam.list_access_keys(UserName="ren-new")["AccessKeyMetadata"]
        self.assertEqual([(k["AccessKeyId"], k["UserName"]) for k in keys], [(akid, "ren-new")])
        self.assertEqual(iam.list_user_policies(UserName="ren-new")["PolicyNames"], ["p"])
        self.assertEqual(
            [p["PolicyArn"] for p in
             iam.list_attached_user_policies(UserName="ren-new")["AttachedPolicies"]], [arn])
        self.assertEqual(iam.list_user_tags(UserName="ren-new")["Tags"],
                         [{"Key": "team", "Value": "blue"}])

        # the renamed user's key still authenticates, as the new name
        self.assertEqual(as_user.get_user()["User"]["Arn"], u["Arn"])
        ident = s.client("sts", key=akid, secret=secret).get_caller_identity()
        self.assertEqual(ident["Arn"], u["Arn"])
        self.assertEqual(ident["UserId"], created["UserId"])
        # allowed by the inline policy, and by the attached one, as before the rename
        self.assertIn("ren-new", [x["UserName"] for x in as_user.list_users()["Users"]])
        self.assertEqual(
            [a["AccessKeyId"] for a in as_user.list_access_keys()["AccessKeyMetadata"]], [akid])
        as_user.list_policies(Scope="Local")
        # ... and nothing more
        code, status, _ = self.error(lambda: as_user.create_user(UserName="nope"))
        self.assertEqual((code, status), ("AccessDenied", 403))

        # DeleteUser under the new name sees the moved keys and policies
        self.assertEqual(self.error(lambda: iam.delete_user(UserName="ren-new"))[0], "DeleteConflict")
        iam.delete_access_key(UserName="ren-new", AccessKeyId=akid)
        iam.delete_user_policy(UserName="ren-new", PolicyName="p")
        iam.detach_user_policy(UserName="ren-new", PolicyArn=arn)
        iam.delete_user(UserName="ren-new")

    def test_new_name_taken_without_regard_to_case(self):
        iam = self.iam
        iam.create_user(UserName="taken-one")
        iam.create_user(UserName="Taken-Two")
        self.assertEqual(
            self.error(lambda: iam.update_user(UserName="taken-one", NewUserName="taken-TWO")),
            ("EntityAlreadyExists", 409, "User with name taken-TWO already exists."))
        self.assertEqual(iam.get_user(UserName="taken-one")["User"]["UserName"], "taken-one")
        self.assertEqual(
            self.error(lambda: iam.update_user(UserName="not-there", NewUserName="x")),
            ("NoSuchEntity", 404, "The user with name not-there cannot be found."))

    def test_case_only_rename_and_path_only_move(self):
        s, iam = self.server, self.iam
        _, akid, secret = s.user("casey", ALLOW)
        iam.update_user(UserName="casey", NewUserName="Casey")
        self.assertEqual(iam.get_user(UserName="CASEY")["User"]["UserName"], "Casey")
        self.assertEqual(
            [k["UserName"] for k in iam.list_access_keys(UserName="casey")["AccessKeyMetadata"]],
            ["Casey"])
        as_user = s.client("iam", key=akid, secret=secret)
        self.assertEqual(as_user.get_user()["User"]["UserName"], "Casey")
        iam.update_user(UserName="Casey", NewPath="/ops/")
        u = iam.get_user(UserName="Casey")["User"]
        self.assertEqual(u["Arn"], f"arn:aws:iam::{harness.ACCOUNT}:user/ops/Casey")
        self.assertEqual(iam.list_user_policies(UserName="Casey")["PolicyNames"], ["p"])
        self.assertIn("Casey", [x["UserName"] for x in as_user.list_users()["Users"]])

    def test_caller_renames_itself_and_keeps_working(self):
        s = self.server
        _, akid, secret = s.user("selfie", dict(ALLOW, Action=["iam:UpdateUser", "iam:GetUser"]))
        me = s.client("iam", key=akid, secret=secret)
        self.assertEqual(me.get_user()["User"]["UserName"], "selfie")
        me.update_user(UserName="selfie", NewUserName="selfie-2")
        self.assertEqual(me.get_user()["User"]["UserName"], "selfie-2")
        me.update_user(UserName="selfie-2", NewUserName="selfie-3")
        self.assertEqual(me.get_user()["User"]["Arn"],
                         f"arn:aws:iam::{harness.ACCOUNT}:user/selfie-3")

    def test_session_credentials_survive_the_rename(self):
        s = self.server
        _, akid, secret = s.user("sess-user", ALLOW)
        c = s.client("sts", key=akid, secret=secret).get_session_token()["Credentials"]
        # (IAM refuses GetSessionToken credentials without MFA, as AWS does: STS answers)
        session = s.client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                           token=c["SessionToken"])
        self.assertEqual(session.get_caller_identity()["Arn"],
                         f"arn:aws:iam::{harness.ACCOUNT}:user/sess-user")
        self.iam.update_user(UserName="sess-user", NewUserName="sess-renamed")
        # the session carries the ARN it was issued with (nothing per session is stored,
        # auth/session_token.h) and keeps working, as AWS's sessions do after a rename
        self.assertEqual(session.get_caller_identity()["Arn"],
                         f"arn:aws:iam::{harness.ACCOUNT}:user/sess-user")

    def test_rename_needs_the_action_on_both_names(self):
        """IAM guide, id_users_manage_rename: renaming Bob to Robert needs iam:UpdateUser on
        both (iam.ops: also=iam:UpdateUser@iam_resolve_user_new_name); the denial names the
        name that lacks it, the current one first."""
        s, iam = self.server, self.iam
        user_arn = lambda path, name: f"arn:aws:iam::{harness.ACCOUNT}:user{path}{name}"
        old, new = user_arn("/", "bob-two"), user_arn("/", "robert-two")
        iam.create_user(UserName="bob-two")

        def mover(name, resources):
            arn, akid, secret = s.user(name, {"Effect": "Allow", "Action": "iam:UpdateUser",
                                              "Resource": resources})
            return arn, s.client("iam", key=akid, secret=secret)

        def denied(fn, caller, resource, **kw):
            with self.assertRaises(ClientError) as e:
                fn(UserName="bob-two", **kw)
            r = e.exception.response
            self.assertEqual((r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"]),
                             ("AccessDenied", 403))
            self.assertEqual(r["Error"]["Message"],
                             f"User: {caller} is not authorized to perform: iam:UpdateUser on "
                             f"resource: {resource} because no identity-based policy allows the "
                             f"iam:UpdateUser action")

        old_only_arn, old_only = mover("mv-old-only", old)
        new_only_arn, new_only = mover("mv-new-only", new)
        both_arn, both = mover("mv-both", [old, new, user_arn("/far/", "robert-two")])
        denied(old_only.update_user, old_only_arn, new, NewUserName="robert-two")
        denied(new_only.update_user, new_only_arn, old, NewUserName="robert-two")
        # a move to another path is authorized on the new path too
        denied(old_only.update_user, old_only_arn, user_arn("/far/", "bob-two"), NewPath="/far/")
        self.assertEqual(iam.get_user(UserName="bob-two")["User"]["Path"], "/")
        both.update_user(UserName="bob-two", NewUserName="robert-two")
        self.assertEqual(iam.get_user(UserName="robert-two")["User"]["Arn"], new)
        iam.update_user(UserName="robert-two", NewPath="/far/")

    def test_cli_update_user(self):
        s = self.server
        s.cli("iam", "create-user", "--user-name", "cli-ren")
        rc, out, _ = s.cli("iam", "update-user", "--user-name", "cli-ren", "--new-user-name",
                           "cli-ren-2", "--new-path", "/cli/")
        self.assertEqual(rc, 0)
        _, out, _ = s.cli("iam", "get-user", "--user-name", "cli-ren-2")
        self.assertEqual(out["User"]["Path"], "/cli/")
        rc, _, err = s.cli("iam", "get-user", "--user-name", "cli-ren", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchEntity", err)


class GetUserForCaller(harness.ServerTest):
    def test_iam_user_and_root(self):
        s = self.server
        _, akid, secret = s.user("whoami", {"Effect": "Allow", "Action": "iam:GetUser",
                                            "Resource": "*"})
        me = s.client("iam", key=akid, secret=secret).get_user()["User"]
        named = s.client("iam").get_user(UserName="whoami")["User"]
        self.assertEqual(me, named)
        root = s.client("iam").get_user()["User"]
        self.assertEqual(root["UserId"], harness.ACCOUNT)
        self.assertEqual(root["Arn"], f"arn:aws:iam::{harness.ACCOUNT}:root")
        self.assertNotIn("UserName", root)
        self.assertNotIn("Path", root)
        self.assertIn("CreateDate", root)


if __name__ == "__main__":
    harness.main()
