"""Secrets Manager rotation through a hook the operator registers in place of a Lambda
function (--rotation-hook ARN=COMMAND): RotateSecret and CancelRotateSecret, the four
steps run by tests/e2e/rotation_hook.py with the session custos hands it, RotationRules
(AutomaticallyAfterDays, rate(), cron(), Duration) and the dates DescribeSecret shows, a
failing testSecret step, a step that times out, a scheduled rotation on the test clock,
and the trail's RotationStarted / RotationSucceeded / RotationFailed service events."""
import datetime
import json
import os
import sys
import time
import unittest

import harness
from botocore.exceptions import ClientError

HOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rotation_hook.py")
ACCOUNT = harness.ACCOUNT
ROLE = f"arn:aws:iam::{ACCOUNT}:role/rotator"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:"
DAY = 86400


def hook_args(log, offset=0, timeout=60):
    env = f"ROTATION_HOOK_LOG={log} " + (f"ROTATION_HOOK_CLOCK_OFFSET={offset} " if offset else "")
    return ["--rotation-role", ROLE, "--rotation-hook-timeout", str(timeout)] + [
        a for name, mode in (("rotate-ok", "ok"), ("rotate-fail", "fail-test"), ("rotate-hang", "hang"),
                                   ("rotate-snoop", "snoop"))
        for a in ("--rotation-hook", f"{FN}{name}={env}{sys.executable} {HOOK} {mode}")]


def make_role(server):
    """The role the hooks run as: Secrets Manager and KMS on everything (the session custos
    mints narrows it to the secret being rotated)."""
    iam = server.client("iam")
    iam.create_role(RoleName="rotator", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="rotator", PolicyName="rotate", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
            "secretsmanager:*", "kms:*"], "Resource": "*"}]}))


def service_events(server, name, arn):
    return [r for r in server.audit_records() if r.get("eventType") == "AwsServiceEvent"
            and r.get("eventName") == name and r["resources"][0]["ARN"] == arn]


def wait_for(predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


class Rotation(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.log = tempfile.mktemp(prefix="custos-hook-")
        cls.server_args = hook_args(cls.log)
        super().setUpClass()
        make_role(cls.server)
        cls.sm = cls.server.client("secretsmanager")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if os.path.exists(cls.log):
            os.unlink(cls.log)

    def create(self, name):
        return create(self.sm, name)

    def ended(self, arn):
        return service_events(self.server, "RotationSucceeded", arn) or \
            service_events(self.server, "RotationFailed", arn)

    def test_rotation_moves_awscurrent_and_records_its_success(self):
        arn, first = self.create("rot/ok")
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        token = self.sm.rotate_secret(SecretId="rot/ok", RotationLambdaARN=FN + "rotate-ok",
                                      RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]
        wait_for(lambda: self.ended(arn))
        self.assertEqual(len(service_events(self.server, "RotationSucceeded", arn)), 1)
        d = self.sm.describe_secret(SecretId="rot/ok")
        # AWSPENDING stays with the new AWSCURRENT, as the template's finishSecret leaves it
        self.assertCountEqual(d["VersionIdsToStages"][token], ["AWSCURRENT", "AWSPENDING"])
        self.assertEqual(d["VersionIdsToStages"][first], ["AWSPREVIOUS"])
        self.assertTrue(d["RotationEnabled"])
        self.assertEqual(d["RotationLambdaARN"], FN + "rotate-ok")
        self.assertEqual(d["RotationRules"], {"AutomaticallyAfterDays": 30})
        self.assertGreaterEqual(d["LastRotatedDate"], before)
        # the window 30 days after the day of the rotation, closing at the day's end
        day = d["LastRotatedDate"].astimezone(datetime.timezone.utc).date() + datetime.timedelta(days=30)
        self.assertEqual(d["NextRotationDate"], datetime.datetime(day.year, day.month, day.day, 23, 59, 59,
                                                                  tzinfo=datetime.timezone.utc))
        value = json.loads(self.sm.get_secret_value(SecretId="rot/ok")["SecretString"])
        self.assertEqual(value["username"], "app")
        self.assertNotEqual(value["password"], "first")
        self.assertEqual(len(value["password"]), 24)
        # the hook's calls: a session of the operator's role, recorded as any caller's
        puts = [r for r in self.server.audit_records() if r.get("eventName") == "PutSecretValue"
                and r["requestParameters"].get("clientRequestToken") == token]
        self.assertEqual(len(puts), 1)
        self.assertEqual(puts[0]["userIdentity"]["arn"],
                         f"arn:aws:sts::{ACCOUNT}:assumed-role/rotator/SecretsManagerRotation")
        self.assertNotIn(value["password"], self.server.trail_text())
        with open(self.log) as f:
            steps = [line.split()[0] for line in f if line.endswith(" ok\n")]
        self.assertEqual(steps[-4:], ["createSecret", "setSecret", "testSecret", "finishSecret"])

    def test_the_hook_session_reaches_only_the_secret_it_rotates(self):
        self.create("rot/bystander")
        arn, _ = self.create("rot/snoop")
        self.sm.rotate_secret(SecretId="rot/snoop", RotationLambdaARN=FN + "rotate-snoop",
                              RotationRules={"AutomaticallyAfterDays": 30})
        wait_for(lambda: self.ended(arn))
        self.assertEqual(len(service_events(self.server, "RotationSucceeded", arn)), 1)
        refused = [r for r in self.server.audit_records() if r.get("eventName") == "GetSecretValue"
                   and r["requestParameters"]["secretId"] == "rot/bystander"]
        self.assertEqual(len(refused), 1)
        self.assertEqual(refused[0]["errorCode"], "AccessDeniedException")
        self.assertIn("SecretsManagerRotation", refused[0]["userIdentity"]["arn"])

    def test_failing_test_step_leaves_awscurrent_untouched(self):
        arn, first = self.create("rot/fail")
        token = self.sm.rotate_secret(SecretId="rot/fail", RotationLambdaARN=FN + "rotate-fail",
                                      RotationRules={"ScheduleExpression": "rate(10 days)"})["VersionId"]
        wait_for(lambda: self.ended(arn))
        self.assertEqual(service_events(self.server, "RotationSucceeded", arn), [])
        self.assertEqual(len(service_events(self.server, "RotationFailed", arn)), 1)
        d = self.sm.describe_secret(SecretId="rot/fail")
        self.assertEqual(d["VersionIdsToStages"][first], ["AWSCURRENT"])
        self.assertEqual(d["VersionIdsToStages"][token], ["AWSPENDING"])
        self.assertNotIn("LastRotatedDate", d)
        self.assertEqual(json.loads(self.sm.get_secret_value(SecretId="rot/fail")["SecretString"])["password"],
                         "first")
        # createSecret's value is there, as AWSPENDING
        self.assertIn("password", self.sm.get_secret_value(SecretId="rot/fail", VersionStage="AWSPENDING")["SecretString"])
        # AWS: a later RotateSecret finds the rotation unfinished
        with self.assertRaises(ClientError) as e:
            self.sm.rotate_secret(SecretId="rot/fail")
        self.assertEqual(self.error_code(e.exception), "InvalidRequestException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "A previous rotation isn't complete. That rotation will be reattempted.")
        # the hook printed its session's secret key and token as it failed: its output is
        # discarded, and custos itself names neither in its log or the trail
        with open(self.log + ".creds") as f:
            key_id, secret, session_token = f.read().split()
        self.addCleanup(os.unlink, self.log + ".creds")
        self.assertTrue(key_id.startswith("ASIA"))
        with open(os.path.join(self.server.data_dir, "server.log"), "rb") as f:
            log = f.read().decode(errors="replace")
        self.assertIn("the rotation of " + arn + " failed at testSecret", log)
        for value in (secret, session_token):
            self.assertNotIn(value, log)
            self.assertNotIn(value, self.server.trail_text())
            self.assertNotIn(value, self.server.stdout)

    def test_cli_rotate_secret_with_a_cron_schedule(self):
        arn, _ = self.create("rot/cli")
        rc, out, err = self.server.cli("secretsmanager", "rotate-secret", "--secret-id", "rot/cli",
                                       "--rotation-lambda-arn", FN + "rotate-ok", "--rotation-rules",
                                       '{"ScheduleExpression": "cron(0 16 ? * MON *)", "Duration": "2h"}',
                                       "--no-rotate-immediately")
        self.assertEqual(out["ARN"], arn)
        self.assertNotIn("VersionId", out)
        d = self.sm.describe_secret(SecretId="rot/cli")
        now = datetime.datetime.now(datetime.timezone.utc)
        start = now.replace(hour=16, minute=0, second=0, microsecond=0) + datetime.timedelta(days=(0 - now.weekday()) % 7)
        if start <= now:
            start += datetime.timedelta(days=7)
        self.assertEqual(d["NextRotationDate"], start + datetime.timedelta(hours=2, seconds=-1))
        self.assertEqual(d["RotationRules"], {"ScheduleExpression": "cron(0 16 ? * MON *)", "Duration": "2h"})
        self.assertNotIn("LastRotatedDate", d)
        rc, out, err = self.server.cli("secretsmanager", "cancel-rotate-secret", "--secret-id", "rot/cli")
        self.assertEqual(out["Name"], "rot/cli")
        d = self.sm.describe_secret(SecretId="rot/cli")
        self.assertFalse(d["RotationEnabled"])
        self.assertNotIn("NextRotationDate", d)
        self.assertEqual(d["RotationLambdaARN"], FN + "rotate-ok")

    def test_cancel_rotate_secret_and_rotate_again_by_its_stored_configuration(self):
        arn, first = self.create("rot/cancel")
        self.sm.rotate_secret(SecretId="rot/cancel", RotationLambdaARN=FN + "rotate-ok",
                              RotationRules={"AutomaticallyAfterDays": 7}, RotateImmediately=False)
        r = self.sm.cancel_rotate_secret(SecretId="rot/cancel")
        self.assertEqual((r["ARN"], r["Name"]), (arn, "rot/cancel"))
        self.assertNotIn("VersionId", r)
        self.assertFalse(self.sm.describe_secret(SecretId="rot/cancel")["RotationEnabled"])
        # RotateSecret with nothing but the id uses the stored function and rules
        token = self.sm.rotate_secret(SecretId="rot/cancel")["VersionId"]
        wait_for(lambda: self.ended(arn))
        d = self.sm.describe_secret(SecretId="rot/cancel")
        self.assertTrue(d["RotationEnabled"])
        self.assertIn("AWSCURRENT", d["VersionIdsToStages"][token])

    def test_errors(self):
        self.create("rot/errors")
        cases = [
            (dict(), "InvalidRequestException", "No Lambda rotation function ARN is associated with this secret."),
            (dict(RotationLambdaARN=FN + "not-registered", RotationRules={"AutomaticallyAfterDays": 1}),
             "AccessDeniedException", "Secrets Manager cannot invoke the specified Lambda function. Ensure that "
             "the function policy grants access to the principal secretsmanager.amazonaws.com."),
            (dict(RotationLambdaARN=FN + "rotate-ok", RotationRules={"AutomaticallyAfterDays": 1,
                                                                    "ScheduleExpression": "rate(1 days)"}),
             "InvalidParameterException", "You cannot specify both rotation frequency and schedule expression together."),
            (dict(RotationLambdaARN=FN + "rotate-ok", RotationRules={"ScheduleExpression": "cron(0 16 * * MON *)"}),
             "InvalidParameterException", None),
            (dict(RotationLambdaARN=FN + "rotate-ok", RotationRules={"ScheduleExpression": "rate(2 hours)"}),
             "InvalidParameterException", None),
            (dict(RotationLambdaARN=FN + "rotate-ok", RotationRules={"ScheduleExpression": "every day"}),
             "InvalidParameterException", None),
            (dict(RotationLambdaARN=FN + "rotate-ok", RotationRules={"ScheduleExpression": "rate(4 hours)",
                                                                    "Duration": "5h"}),
             "InvalidParameterException", None),
            (dict(RotationLambdaARN=FN + "rotate-ok", RotationRules={"ScheduleExpression": "cron(0 0 31 2 ? *)"}),
             "InvalidParameterException", None),
        ]
        for kwargs, code, message in cases:
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(ClientError) as e:
                    self.sm.rotate_secret(SecretId="rot/errors", **kwargs)
                self.assertEqual(self.error_code(e.exception), code)
                if message:
                    self.assertEqual(e.exception.response["Error"]["Message"], message)
        d = self.sm.describe_secret(SecretId="rot/errors")
        self.assertNotIn("RotationEnabled", d)
        with self.assertRaises(ClientError) as e:
            self.sm.rotate_secret(SecretId="rot/none", RotationLambdaARN=FN + "rotate-ok",
                                  RotationRules={"AutomaticallyAfterDays": 1})
        self.assertEqual(self.error_code(e.exception), "ResourceNotFoundException")


def create(sm, name):
    r = sm.create_secret(Name=name, SecretString=json.dumps({"username": "app", "password": "first"}))
    return r["ARN"], r["VersionId"]


class HookTimeout(unittest.TestCase):
    def test_a_step_past_its_timeout_is_killed_and_fails(self):
        import tempfile
        log = tempfile.mktemp(prefix="custos-hook-")
        s = harness.Server(extra_args=hook_args(log, timeout=3)).start()
        self.addCleanup(s.cleanup)
        self.addCleanup(lambda: os.path.exists(log) and os.unlink(log))
        make_role(s)
        sm = s.client("secretsmanager")
        arn, first = create(sm, "rot/hang")
        t0 = time.time()
        sm.rotate_secret(SecretId="rot/hang", RotationLambdaARN=FN + "rotate-hang",
                         RotationRules={"AutomaticallyAfterDays": 1})
        wait_for(lambda: service_events(s, "RotationFailed", arn), timeout=20)
        self.assertGreaterEqual(time.time() - t0, 3)
        d = sm.describe_secret(SecretId="rot/hang")
        self.assertEqual(d["VersionIdsToStages"][first], ["AWSCURRENT"])
        self.assertIn("killed", s.read_log())
        # no step after the one that failed (a hook killed before it wrote nothing at all)
        if os.path.exists(log):
            with open(log) as f:
                self.assertEqual(f.read(), "createSecret hang\n")


class ScheduledRotation(unittest.TestCase):
    def test_a_window_that_opens_rotates_the_secret(self):
        import tempfile
        log = tempfile.mktemp(prefix="custos-hook-")
        offset = 2 * DAY
        s = harness.Server(extra_args=hook_args(log))
        try:
            s.start()
            make_role(s)
            sm = s.client("secretsmanager")
            arn = sm.create_secret(Name="sched", SecretString=json.dumps({"password": "first"}))["ARN"]
            sm.rotate_secret(SecretId="sched", RotationLambdaARN=FN + "rotate-ok",
                             RotationRules={"AutomaticallyAfterDays": 1}, RotateImmediately=False)
            self.assertEqual(service_events(s, "RotationStarted", arn), [])
            s.stop()
            s.extra_args = hook_args(log, offset) + ["--test-clock-offset", str(offset)]
            s.env_overrides = {"CUSTOS_TEST_HOOKS": "1"}
            s.start()
            wait_for(lambda: service_events(s, "RotationSucceeded", arn))
            self.assertEqual(len(service_events(s, "RotationStarted", arn)), 1)
            with harness.shifted_clock(offset):
                sm = s.client("secretsmanager")
                d = sm.describe_secret(SecretId="sched")
                self.assertNotEqual(json.loads(sm.get_secret_value(SecretId="sched")["SecretString"])["password"],
                                    "first")
            current = [v for v, st in d["VersionIdsToStages"].items() if "AWSCURRENT" in st]
            self.assertEqual(len(current), 1)
            self.assertIn("AWSPREVIOUS", sum(d["VersionIdsToStages"].values(), []))
            shifted_day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset)).date()
            self.assertEqual(d["LastRotatedDate"].astimezone(datetime.timezone.utc).date(), shifted_day)
            self.assertEqual(d["NextRotationDate"].date(), shifted_day + datetime.timedelta(days=1))
        finally:
            s.cleanup()
            if os.path.exists(log):
                os.unlink(log)


if __name__ == "__main__":
    harness.main()
