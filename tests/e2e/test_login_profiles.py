"""Login profiles (console passwords), the account password policy and ChangePassword:
passwords kept only as Argon2id hashes, checked against the policy (or AWS's default while
none is set), never in the audit trail, the log or the data directory."""
import os

from botocore.exceptions import ClientError

import harness

GOOD = "Correct-Horse-7-Battery"
BETTER = "Staple-Sun-9-Quiet-River!"
STRICT = {"MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
          "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
          "AllowUsersToChangePassword": True, "MaxPasswordAge": 90,
          "PasswordReusePrevention": 5, "HardExpiry": False}
VIOLATION = ("PasswordPolicyViolation", 400,
             "Password does not conform to the account password policy.")


class LoginProfiles(harness.ServerTest):
    passwords = set()

    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def pw(self, text):
        LoginProfiles.passwords.add(text)
        return text

    def test_a_lifecycle(self):
        iam = self.iam
        iam.create_user(UserName="console")
        self.assertEqual(self.error(lambda: iam.get_login_profile(UserName="console")),
                         ("NoSuchEntity", 404, "Login Profile for User console cannot be found."))
        # no policy set: AWS's default (8 characters, three classes of four)
        self.assertEqual(self.error(lambda: iam.create_login_profile(
            UserName="console", Password=self.pw("alllowercase"))), VIOLATION)
        self.assertEqual(self.error(lambda: iam.create_login_profile(
            UserName="console", Password=self.pw("Ab1!"))), VIOLATION)
        p = iam.create_login_profile(UserName="console", Password=self.pw(GOOD),
                                     PasswordResetRequired=True)["LoginProfile"]
        self.assertEqual(set(p), {"UserName", "CreateDate", "PasswordResetRequired"})
        self.assertEqual((p["UserName"], p["PasswordResetRequired"]), ("console", True))
        self.assertEqual(self.error(lambda: iam.create_login_profile(
            UserName="CONSOLE", Password=self.pw(GOOD))),
            ("EntityAlreadyExists", 409, "Login Profile for user console already exists."))
        got = iam.get_login_profile(UserName="console")["LoginProfile"]
        self.assertEqual(got, p)
        iam.update_login_profile(UserName="console", PasswordResetRequired=False)
        self.assertFalse(iam.get_login_profile(UserName="console")["LoginProfile"]["PasswordResetRequired"])
        iam.update_login_profile(UserName="console", Password=self.pw(BETTER))
        self.assertEqual(self.error(lambda: iam.update_login_profile(
            UserName="console", Password=self.pw("short"))), VIOLATION)

        # a login profile holds the user
        self.assertEqual(self.error(lambda: iam.delete_user(UserName="console")),
                         ("DeleteConflict", 409,
                          "Cannot delete entity, must delete login profile first."))
        # and follows its rename
        iam.update_user(UserName="console", NewUserName="console-2")
        self.assertEqual(iam.get_login_profile(UserName="console-2")["LoginProfile"]["UserName"],
                         "console-2")
        iam.delete_login_profile(UserName="console-2")
        self.assertEqual(self.error(lambda: iam.delete_login_profile(UserName="console-2")),
                         ("NoSuchEntity", 404, "Login Profile for User console-2 cannot be found."))
        self.assertEqual(self.error(lambda: iam.get_login_profile(UserName="nobody-here")),
                         ("NoSuchEntity", 404, "The user with name nobody-here cannot be found."))
        iam.delete_user(UserName="console-2")

    def test_b_password_policy(self):
        iam = self.iam
        self.assertEqual(self.error(lambda: iam.get_account_password_policy()),
                         ("NoSuchEntity", 404,
                          f"The Password Policy with domain name {harness.ACCOUNT} cannot be found."))
        iam.update_account_password_policy(**STRICT)
        got = iam.get_account_password_policy()["PasswordPolicy"]
        self.assertEqual(got, dict(STRICT, ExpirePasswords=True))
        iam.create_user(UserName="strict")
        for weak in ("Sh0rt!Pass", "no-upper-case-99!", "NO-LOWER-CASE-99!", "NoNumbersHere-!!",
                     "NoSymbolsHere999"):
            self.assertEqual(self.error(lambda: iam.create_login_profile(
                UserName="strict", Password=self.pw(weak))), VIOLATION, weak)
        iam.create_login_profile(UserName="strict", Password=self.pw(BETTER))
        # a policy of defaults: what AWS fills in for each member left out
        iam.update_account_password_policy()
        self.assertEqual(iam.get_account_password_policy()["PasswordPolicy"], {
            "MinimumPasswordLength": 6, "RequireSymbols": False, "RequireNumbers": False,
            "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
            "AllowUsersToChangePassword": False, "ExpirePasswords": False, "HardExpiry": False})
        # six lowercase letters now pass, where AWS's default policy refused them
        iam.update_login_profile(UserName="strict", Password=self.pw("simple"))
        unchecked = self.server.client("iam", parameter_validation=False)
        code, status, _ = self.error(
            lambda: unchecked.update_account_password_policy(MinimumPasswordLength=5))
        self.assertEqual((code, status), ("ValidationError", 400))
        iam.delete_account_password_policy()
        self.assertEqual(self.error(lambda: iam.delete_account_password_policy()),
                         ("NoSuchEntity", 404,
                          f"The Password Policy with domain name {harness.ACCOUNT} cannot be found."))
        iam.delete_login_profile(UserName="strict")
        iam.delete_user(UserName="strict")

    def test_c_change_password(self):
        s, iam = self.server, self.iam
        _, akid, secret = s.user("changer", {"Effect": "Allow", "Action": "iam:ChangePassword",
                                             "Resource": "*"})
        me = s.client("iam", key=akid, secret=secret)
        self.assertEqual(self.error(lambda: me.change_password(
            OldPassword=self.pw(GOOD), NewPassword=self.pw(BETTER))),
            ("NoSuchEntity", 404, "Login Profile for User changer cannot be found."))
        iam.create_login_profile(UserName="changer", Password=self.pw(GOOD),
                                 PasswordResetRequired=True)
        self.assertEqual(self.error(lambda: me.change_password(
            OldPassword=self.pw("Wrong-Old-Pass-1"), NewPassword=self.pw(BETTER))),
            ("AccessDenied", 403, "The old password is incorrect."))
        self.assertEqual(self.error(lambda: me.change_password(
            OldPassword=GOOD, NewPassword=self.pw("weak"))), VIOLATION)
        me.change_password(OldPassword=GOOD, NewPassword=BETTER)
        self.assertFalse(iam.get_login_profile(UserName="changer")["LoginProfile"]["PasswordResetRequired"])
        # the old password is gone, the new one is the current one
        self.assertEqual(self.error(lambda: me.change_password(
            OldPassword=GOOD, NewPassword=self.pw("Third-Pass-3-Word")))[0], "AccessDenied")
        me.change_password(OldPassword=BETTER, NewPassword=self.pw("Third-Pass-3-Word"))
        # root has no IAM password to change
        code, status, _ = self.error(lambda: iam.change_password(
            OldPassword=GOOD, NewPassword=BETTER))
        self.assertEqual((code, status), ("InvalidUserType", 400))
        # a user without the permission is refused before any password is looked at
        _, akid2, secret2 = s.user("no-change")
        code, status, msg = self.error(lambda: s.client("iam", key=akid2, secret=secret2)
                                       .change_password(OldPassword=GOOD, NewPassword=BETTER))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("iam:ChangePassword", msg)

    def test_d_cli(self):
        s = self.server
        s.cli("iam", "create-user", "--user-name", "cli-console")
        _, out, _ = s.cli("iam", "create-login-profile", "--user-name", "cli-console",
                          "--password", self.pw("Cli-Pass-4-Word"), "--password-reset-required")
        self.assertTrue(out["LoginProfile"]["PasswordResetRequired"])
        _, out, _ = s.cli("iam", "get-login-profile", "--user-name", "cli-console")
        self.assertEqual(out["LoginProfile"]["UserName"], "cli-console")
        s.cli("iam", "update-account-password-policy", "--minimum-password-length", "10",
              "--require-numbers")
        _, out, _ = s.cli("iam", "get-account-password-policy")
        self.assertEqual(out["PasswordPolicy"]["MinimumPasswordLength"], 10)
        self.assertTrue(out["PasswordPolicy"]["RequireNumbers"])
        rc, _, err = s.cli("iam", "update-login-profile", "--user-name", "cli-console",
                           "--password", self.pw("nonumbers-here"), check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("PasswordPolicyViolation", err)
        s.cli("iam", "delete-account-password-policy")
        s.cli("iam", "delete-login-profile", "--user-name", "cli-console")

    def test_e_reuse_prevention(self):
        """PasswordReusePrevention N: none of the latest N passwords (the current one
        included) may come back, by ChangePassword or UpdateLoginProfile; older ones may."""
        s, iam = self.server, self.iam
        a, b, c = self.pw("Reuse-Pass-1-A"), self.pw("Reuse-Pass-2-B"), self.pw("Reuse-Pass-3-C")
        _, akid, secret = s.user("reuser", {"Effect": "Allow", "Action": "iam:ChangePassword",
                                            "Resource": "*"})
        me = s.client("iam", key=akid, secret=secret)
        iam.create_login_profile(UserName="reuser", Password=a)
        iam.update_account_password_policy(MinimumPasswordLength=8, PasswordReusePrevention=2)
        try:
            self.assertEqual(self.error(lambda: me.change_password(OldPassword=a, NewPassword=a)),
                             VIOLATION)
            me.change_password(OldPassword=a, NewPassword=b)
            self.assertEqual(self.error(lambda: me.change_password(OldPassword=b, NewPassword=a)),
                             VIOLATION)
            self.assertEqual(self.error(lambda: iam.update_login_profile(
                UserName="reuser", Password=a)), VIOLATION)
            me.change_password(OldPassword=b, NewPassword=c)
            # a is now third: past the two remembered
            me.change_password(OldPassword=c, NewPassword=a)
        finally:
            iam.delete_account_password_policy()
        # without a policy, nothing is remembered against the user
        iam.update_login_profile(UserName="reuser", Password=a)

    def test_z_no_password_anywhere(self):
        """After the others: no password the tests sent is in the trail, the log or any
        file of the data directory (the store keeps only hashes)."""
        self.assertTrue(LoginProfiles.passwords)
        with open(os.path.join(self.server.data_dir, "audit.log"), "rb") as f:
            trail = f.read()
        self.assertIn(b"CreateLoginProfile", trail)
        self.assertIn(b"ChangePassword", trail)
        for root, _, files in os.walk(self.server.data_dir):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    data = fh.read()
                for pw in LoginProfiles.passwords:
                    self.assertNotIn(pw.encode(), data, f"{pw!r} in {f}")


if __name__ == "__main__":
    harness.main()
