"""Temporary credentials of an IAM user who is then renamed (UpdateUser NewUserName): a
GetSessionToken session and a GetFederationToken session keep acting as that user, with
the user's permissions as they are now — its inline and attached policies and groups,
which the rename carries along (IAM guide, id_users_rename) — because a session is bound
to the user's unique id, which a rename keeps. A later change to the renamed user's
policies reaches the session on its next request; a new user made under the old name
lends the session nothing; deleting the renamed user ends the session's permissions.
The session keeps the ARN it was issued with (test_update_user.py)."""
import json
import subprocess

from botocore.exceptions import ClientError

import harness


def doc(*actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


class RenamedUserSessions(harness.ServerTest):
    def denied(self, call):
        with self.assertRaises(ClientError) as e:
            call()
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")

    def test_sessions_keep_the_renamed_users_permissions(self):
        s, iam = self.server, self.server.client("iam")
        _, akid, secret = s.user("ren-alice", {"Effect": "Allow", "Action": [
            "kms:ListKeys", "sts:GetFederationToken"], "Resource": "*"})
        pol = iam.create_policy(PolicyName="ren-create", PolicyDocument=doc("kms:CreateKey"))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="ren-alice", PolicyArn=pol)
        iam.create_group(GroupName="ren-group")
        iam.put_group_policy(GroupName="ren-group", PolicyName="g", PolicyDocument=doc("kms:ListAliases"))
        iam.add_user_to_group(GroupName="ren-group", UserName="ren-alice")
        sts = s.client("sts", key=akid, secret=secret)
        c = sts.get_session_token()["Credentials"]
        f = sts.get_federation_token(Name="ren-fed", Policy=doc("kms:*"))["Credentials"]
        sessions = [s.client("kms", key=x["AccessKeyId"], secret=x["SecretAccessKey"],
                             token=x["SessionToken"]) for x in (c, f)]
        for kms in sessions:  # before the rename, the identity cache holds the old name
            kms.list_keys()
            kms.list_aliases()
        iam.update_user(UserName="ren-alice", NewUserName="ren-bob")
        for kms in sessions:
            kms.list_keys()                       # inline
            kms.list_aliases()                    # the group's
            kms.create_key(Description="ren")     # attached
        # a new user under the old name: its (lack of) policies do not become the sessions'
        s.user("ren-alice")
        for kms in sessions:
            kms.list_keys()
        # a change to the renamed user reaches its sessions on the next request
        iam.delete_user_policy(UserName="ren-bob", PolicyName="p")
        for kms in sessions:
            self.denied(kms.list_keys)
            kms.list_aliases()
        iam.remove_user_from_group(GroupName="ren-group", UserName="ren-bob")
        for kms in sessions:
            self.denied(kms.list_aliases)
            kms.create_key(Description="ren")
        # renamed twice, then deleted: nothing left to act as
        iam.update_user(UserName="ren-bob", NewUserName="ren-carol")
        for kms in sessions:
            kms.create_key(Description="ren")
        iam.detach_user_policy(UserName="ren-carol", PolicyArn=pol)
        for k in iam.list_access_keys(UserName="ren-carol")["AccessKeyMetadata"]:
            iam.delete_access_key(UserName="ren-carol", AccessKeyId=k["AccessKeyId"])
        iam.delete_user(UserName="ren-carol")
        for kms in sessions:
            self.denied(lambda: kms.create_key(Description="ren"))

    def test_cli_with_a_renamed_users_session(self):
        s, iam = self.server, self.server.client("iam")
        _, akid, secret = s.user("ren-cli", {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"})
        c = s.client("sts", key=akid, secret=secret).get_session_token()["Credentials"]
        iam.update_user(UserName="ren-cli", NewUserName="ren-cli-2")
        env = {"PATH": "/usr/bin:/bin", "HOME": s.data_dir, "AWS_ACCESS_KEY_ID": c["AccessKeyId"],
               "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"], "AWS_SESSION_TOKEN": c["SessionToken"],
               "AWS_DEFAULT_REGION": harness.REGION, "AWS_PAGER": "", "AWS_EC2_METADATA_DISABLED": "true"}
        run = lambda *a: subprocess.run([harness.AWS_CLI, "--endpoint-url", s.endpoint, "--output", "json", *a],
                                        capture_output=True, text=True, env=env, timeout=60)
        p = run("kms", "list-keys")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Keys", json.loads(p.stdout))
        p = run("sts", "get-caller-identity")
        self.assertEqual(json.loads(p.stdout)["Arn"], f"arn:aws:iam::{harness.ACCOUNT}:user/ren-cli")
        p = run("kms", "create-key")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("AccessDeniedException", p.stderr)


if __name__ == "__main__":
    harness.main()
