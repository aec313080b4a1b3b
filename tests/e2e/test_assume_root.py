"""STS AssumeRoot and GetDelegatedAccessToken, answered as AWS answers outside
Organizations (custos has none): the request's checks first (TargetPrincipal an account id
or that account's root ARN, TaskPolicyArn one of the five root-task policies,
DurationSeconds at most 900, root credentials refused), then sts:AssumeRoot authorized on
arn:aws:iam::<target>:root, then AccessDenied — no account is a member of an organization
the caller manages. GetDelegatedAccessToken: sts:GetDelegatedAccessToken on "*", then
ExpiredTradeInTokenException for every token (custos issues none), the token kept out of
the trail. boto3 only: the aws CLI installed here (2.x of before AssumeRoot) has neither
assume-root nor get-delegated-access-token."""
from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
TARGET = "111122223333"
TASK = {"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}
ROOT_ALLOW = {"Effect": "Allow", "Action": "sts:AssumeRoot",
              "Resource": [f"arn:aws:iam::{TARGET}:root", f"arn:aws:iam::{ACCT}:root"]}
TRADE_ALLOW = {"Effect": "Allow", "Action": "sts:GetDelegatedAccessToken", "Resource": "*"}
EXPIRED = ("ExpiredTradeInTokenException",
           "The trade-in token provided in the request has expired and can no longer be "
           "exchanged for credentials. Request a new token and retry the operation.", 400)


class AssumeRoot(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.arn, key, secret = cls.server.user("root-tasker", ROOT_ALLOW, TRADE_ALLOW)
        cls.sts = cls.server.client("sts", key=key, secret=secret)
        cls.raw = cls.server.client("sts", key=key, secret=secret, parameter_validation=False)
        cls.key, cls.secret = key, secret
        cls.nobody_arn, k2, s2 = cls.server.user("root-nobody")
        cls.nobody = cls.server.client("sts", key=k2, secret=s2)

    def error(self, call):
        with self.assertRaises(ClientError) as e:
            call()
        r = e.exception.response
        return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]

    def denied(self, who, target=TARGET, why=""):
        return ("AccessDenied", f"User: {who} is not authorized to perform: sts:AssumeRoot on "
                                f"resource: arn:aws:iam::{target}:root{why}", 403)

    def test_allowed_caller_gets_no_root_session(self):
        # allowed by its policy, both spellings of the target, every task policy
        for target in (TARGET, f"arn:aws:iam::{TARGET}:root"):
            for task in ("IAMAuditRootUserCredentials", "IAMCreateRootUserPassword",
                         "IAMDeleteRootUserCredentials", "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"):
                self.assertEqual(self.error(lambda: self.sts.assume_root(
                    TargetPrincipal=target, TaskPolicyArn={"arn": f"arn:aws:iam::aws:policy/root-task/{task}"},
                    DurationSeconds=900)), self.denied(self.arn))
        # the caller's own account is no member account either
        self.assertEqual(self.error(lambda: self.sts.assume_root(TargetPrincipal=ACCT, TaskPolicyArn=TASK)),
                         self.denied(self.arn, ACCT))

    def test_authorized_on_the_target_root(self):
        # a caller without sts:AssumeRoot is denied by the policy engine: the denial comes
        # from authorization (the trail says so), not from the handler
        self.assertEqual(self.error(lambda: self.nobody.assume_root(TargetPrincipal=TARGET, TaskPolicyArn=TASK)),
                         self.denied(self.nobody_arn, why=" because no identity-based policy allows the "
                                                          "sts:AssumeRoot action"))
        rec = [r for r in self.server.audit_records()
               if r.get("eventName") == "AssumeRoot" and r["userIdentity"].get("arn") == self.nobody_arn]
        self.assertTrue(rec)
        self.assertEqual(rec[-1]["errorCode"], "AccessDenied")
        self.assertEqual(rec[-1].get("resources", [{}])[0].get("ARN", f"arn:aws:iam::{TARGET}:root"),
                         f"arn:aws:iam::{TARGET}:root")

    def test_request_checks(self):
        bad_targets = ("1111222233334", "arn:aws:iam::111122223333:user/bob",
                       "arn:aws:iam::11112222333x:root", "abcdefghijkl")
        for t in bad_targets:
            code, msg, status = self.error(lambda: self.raw.assume_root(TargetPrincipal=t, TaskPolicyArn=TASK))
            self.assertEqual((code, status), ("ValidationError", 400), t)
            self.assertIn("TargetPrincipal", msg)
        for arn in ("arn:aws:iam::aws:policy/AdministratorAccess",
                    "arn:aws:iam::aws:policy/root-task/Nope",
                    f"arn:aws:iam::{ACCT}:policy/root-task/S3UnlockBucketPolicy"):
            code, msg, status = self.error(lambda: self.raw.assume_root(TargetPrincipal=TARGET,
                                                                        TaskPolicyArn={"arn": arn}))
            self.assertEqual((code, status), ("ValidationError", 400), arn)
            self.assertIn("TaskPolicyArn", msg)
        # the model: DurationSeconds at most 900, TargetPrincipal at least 12 characters
        code, msg, status = self.error(lambda: self.raw.assume_root(TargetPrincipal=TARGET, TaskPolicyArn=TASK,
                                                                    DurationSeconds=901))
        self.assertEqual((code, status), ("ValidationError", 400))
        self.assertIn("durationSeconds", msg)
        code, msg, status = self.error(lambda: self.raw.assume_root(TargetPrincipal="11112222333", TaskPolicyArn=TASK))
        self.assertEqual((code, status), ("ValidationError", 400))
        self.assertIn("'targetPrincipal' failed to satisfy constraint: Member must have length greater than or "
                      "equal to 12", msg)
        # root user credentials may not call it
        root = self.server.client("sts")
        self.assertEqual(self.error(lambda: root.assume_root(TargetPrincipal=TARGET, TaskPolicyArn=TASK)),
                         ("AccessDenied", "You cannot use root user credentials to call AssumeRoot.", 403))
        # a GetSessionToken session may call no STS operation but AssumeRole and GetCallerIdentity
        c = self.sts.get_session_token()["Credentials"]
        tmp = self.server.client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
        self.assertEqual(self.error(lambda: tmp.assume_root(TargetPrincipal=TARGET, TaskPolicyArn=TASK)),
                         self.denied(self.arn))

    def test_delegated_access_token(self):
        secret_token = "trade-in-" + "q" * 40
        self.assertEqual(self.error(lambda: self.sts.get_delegated_access_token(TradeInToken=secret_token)),
                         EXPIRED)
        code, msg, status = self.error(lambda: self.nobody.get_delegated_access_token(TradeInToken=secret_token))
        self.assertEqual((code, msg, status), ("AccessDenied", f"User: {self.nobody_arn} is not authorized to "
                                               "perform: sts:GetDelegatedAccessToken because no "
                                               "identity-based policy allows the "
                                               "sts:GetDelegatedAccessToken action", 403))
        code, _, status = self.error(lambda: self.raw.get_delegated_access_token())
        self.assertEqual((code, status), ("ValidationError", 400))
        trail = [r for r in self.server.audit_records() if r.get("eventName") == "GetDelegatedAccessToken"]
        self.assertGreaterEqual(len(trail), 2)
        for r in trail:
            self.assertNotIn(secret_token, str(r))
        self.assertNotIn(secret_token, self.server.read_log())



if __name__ == "__main__":
    harness.main()
