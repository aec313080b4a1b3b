"""Differential test: custos's policy engine against @cloud-copilot/iam-simulate on
generated identity policies, permission boundaries and requests.

Both engines see the same documents and request contexts (custos through `custos policy
eval`, the peer through its runUnsafeSimulation); every disagreement fails the test with
the case that shows it. The generator stays inside what both model the same way: identity
policies and boundaries in one account, services without service-specific rules of their
own (S3 object and DynamoDB/SQS/SSM actions; no KMS, whose key-policy rule needs a key
policy), and the condition operators custos implements. Some S3 and SQS cases carry
resource control policies (RCPFullAWSAccess at every level, and Deny statements with
Principal "*"): both services are among those RCPs govern.

Beside the generated cases, DOC_CASES holds cases AWS's documentation decides, each with
its section; where iam-simulate answers otherwise the case lists the oracle's answer as a
known disagreement, and custos follows the documentation."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CUSTOS_BIN = os.environ.get("CUSTOS_BIN", os.path.join(HERE, "../../build/custos"))
ACCT = "111122223333"
CASES = int(os.environ.get("CUSTOS_DIFF_CASES", "600"))

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "dynamodb:GetItem", "dynamodb:PutItem",
           "dynamodb:DeleteItem", "sqs:SendMessage", "sqs:ReceiveMessage", "ssm:GetParameter",
           "ssm:PutParameter"]
ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:*Object", "dynamodb:*Item", "dynamodb:Get?tem", "sqs:*",
                   "ssm:Get*", "SSM:getparameter", "s3:Put*"] + ACTIONS
RESOURCES = {
    "s3": ["arn:aws:s3:::app-data/report.csv", "arn:aws:s3:::app-logs/2026/x.log", "arn:aws:s3:::other/secret.txt"],
    "dynamodb": [f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders", f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/users"],
    "sqs": [f"arn:aws:sqs:us-east-1:{ACCT}:app-queue", f"arn:aws:sqs:us-east-1:{ACCT}:jobs"],
    "ssm": [f"arn:aws:ssm:us-east-1:{ACCT}:parameter/app/db", f"arn:aws:ssm:us-east-1:{ACCT}:parameter/ops/key"],
}
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::app-*", "arn:aws:s3:::app-*/*", "arn:aws:s3:::*/*.csv",
                     f"arn:aws:dynamodb:*:{ACCT}:table/*", f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders",
                     f"arn:aws:sqs:*:{ACCT}:app-?ueue", f"arn:aws:ssm:*:{ACCT}:parameter/app/*",
                     "arn:aws:s3:::other/*", f"arn:aws:*:*:{ACCT}:*"]
CONDITIONS = [
    {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "ap-south-1"]}},
    {"StringLike": {"aws:username": "a*"}},
    {"StringEqualsIgnoreCase": {"aws:username": "ALICE"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "10.1.0.0/16"]}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"NumericLessThan": {"aws:EpochTime": "1800000000"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
    {"Null": {"aws:TokenIssueTime": "true"}},
    {"StringEqualsIfExists": {"aws:PrincipalTag/team": "blue"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["e*", "t*"]}},
]


def statement(rng):
    st = {"Effect": rng.choice(["Allow", "Allow", "Deny"])}
    key = "NotAction" if rng.random() < 0.12 else "Action"
    st[key] = rng.sample(ACTION_PATTERNS, rng.randint(1, 3))
    key = "NotResource" if rng.random() < 0.1 else "Resource"
    st[key] = rng.sample(RESOURCE_PATTERNS, rng.randint(1, 2))
    if rng.random() < 0.45:
        cond = {}
        for c in rng.sample(CONDITIONS, rng.randint(1, 2)):
            for op, body in c.items():
                cond.setdefault(op, {}).update(body)
        st["Condition"] = cond
    return st


def policy(rng, n):
    return {"Version": "2012-10-17", "Statement": [statement(rng) for _ in range(n)]}


def context(rng):
    ctx = {"aws:RequestedRegion": rng.choice(["us-east-1", "eu-west-1"]),
           "aws:username": rng.choice(["alice", "bob"]),
           "aws:SourceIp": rng.choice(["10.1.2.3", "192.0.2.7", "198.51.100.1"]),
           "aws:SecureTransport": rng.choice(["true", "false"]),
           "aws:EpochTime": rng.choice(["1700000000", "1900000000"]),
           "aws:CurrentTime": rng.choice(["2026-11-22T12:00:00Z", "2031-05-01T00:00:00Z"])}
    if rng.random() < 0.5:
        ctx["aws:PrincipalTag/team"] = rng.choice(["blue", "red"])
    if rng.random() < 0.5:
        ctx["aws:TagKeys"] = rng.sample(["env", "team", "owner"], rng.randint(1, 2))
    return ctx


RCP_FULL = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


def rcp_deny(rng):
    st = statement(rng)
    st.pop("NotAction", None)
    st.setdefault("Action", rng.sample(ACTION_PATTERNS, 1))
    st["Effect"], st["Principal"] = "Deny", "*"
    return {"Version": "2012-10-17", "Statement": [st]}


def rcp_levels(rng):
    """1-2 levels, each with RCPFullAWSAccess and perhaps a Deny (rarely without the full
    access policy: that level then allows nothing)."""
    levels = []
    for _ in range(rng.randint(1, 2)):
        level = [RCP_FULL] if rng.random() < 0.9 else []
        if rng.random() < 0.6 or not level:
            level.append(rcp_deny(rng))
        levels.append(level)
    return levels


def generate(seed, n):
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        service = rng.choice(list(RESOURCES))
        action = rng.choice([a for a in ACTIONS if a.startswith(service + ":")])
        case = {"identity": [policy(rng, rng.randint(1, 4)) for _ in range(rng.randint(1, 2))],
                "request": {"action": action, "resource": rng.choice(RESOURCES[service]),
                            "principal_arn": f"arn:aws:iam::{ACCT}:user/alice", "principal_account": ACCT,
                            "context": context(rng)}}
        if rng.random() < 0.3:
            case["boundary"] = policy(rng, rng.randint(1, 2))
        if service in ("s3", "sqs") and rng.random() < 0.35:
            case["rcps"] = rcp_levels(rng)
        cases.append(case)
    return cases


USER = f"arn:aws:iam::{ACCT}:user/alice"
OBJECT = "arn:aws:s3:::bucket/k"


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _case(identity, context=None, **extra):
    case = {"identity": identity,
            "request": {"action": "s3:GetObject", "resource": OBJECT, "principal_arn": USER,
                        "principal_account": ACCT, "context": context or {}}}
    case.update(extra)
    return case


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
NOT_ALICE_DENY = {"Effect": "Deny", "NotPrincipal": {"AWS": [USER, f"arn:aws:iam::{ACCT}:root"]},
                  "Action": "s3:*", "Resource": "*"}
ACCOUNT_DENY = {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "s3:*",
                "Resource": "*"}

# Where AWS's documentation and iam-simulate part, the documentation decides (issue 7,
# item 10). Each case: the IAM User Guide section it follows, the case, the documented
# decision, and iam-simulate's answer when it differs (a known oracle disagreement; None
# when the oracle agrees). custos must give the documented decision; iam-simulate must give
# the listed answer, so a change in the oracle is noticed. The same rules are unit-tested in
# tests/unit/policy/policy_test.c. SimulateCustomPolicy's parameter rules are API-level,
# not the engine's: tests/e2e/test_simulate.py has them.
DOC_CASES = [
    ("reference_policies_variables, Policy variables with no value: StringNotEquals matches a "
     "null value, so the Deny applies",
     _case([_doc(ALLOW_ALL, {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {
         "StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}}})],
         {"s3:ExistingObjectTag/Team": "blue"}),
     "explicitDeny", "allowed"),
    ("reference_policies_variables, Policy variables with no value: StringEquals does not match",
     _case([_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {
         "StringEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}}})],
         {"s3:ExistingObjectTag/Team": "blue"}),
     "implicitDeny", None),
    ("reference_policies_variables, Policy variables with no value: a NotResource entry with a "
     "null variable matches no resource, so NotResource applies",
     _case([_doc({"Effect": "Allow", "Action": "s3:GetObject",
                  "NotResource": "arn:aws:s3:::bucket/${aws:PrincipalTag/x}"})]),
     "allowed", "implicitDeny"),
    ("reference_policies_variables, Policy variables with no value: the other Resource entries "
     "still match",
     _case([_doc({"Effect": "Allow", "Action": "s3:GetObject",
                  "Resource": ["arn:aws:s3:::bucket/${aws:PrincipalTag/x}", "arn:aws:s3:::bucket/*"]})]),
     "allowed", None),
    ("reference_policies_condition-single-vs-multi-valued-context-keys: ForAllValues is true "
     "when the values resolve to a null data set such as an empty string",
     _case([_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                  "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": ["e*"]}}})], {"aws:TagKeys": [""]}),
     "allowed", "implicitDeny"),
    ("reference_policies_condition-single-vs-multi-valued-context-keys: ForAnyValue is false "
     "over a null data set",
     _case([_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                  "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": [""]}}})], {"aws:TagKeys": [""]}),
     "implicitDeny", "allowed"),
    ("access_policies_boundaries, Important: a Deny with NotPrincipal always denies an IAM "
     "principal that has a permissions boundary",
     _case([_doc(ALLOW_ALL)], boundary=_doc(ALLOW_ALL), resource=_doc(NOT_ALICE_DENY)),
     "explicitDeny", None),
    ("reference_policies_elements_notprincipal: without a boundary the named principal is spared",
     _case([_doc(ALLOW_ALL)], resource=_doc(NOT_ALICE_DENY)),
     "allowed", None),
    ("reference_policies_elements_principal, AWS account principals: the account ARN covers "
     "the account's users, Deny included",
     _case([_doc(ALLOW_ALL)], resource=_doc(ACCOUNT_DENY)),
     "explicitDeny", None),
    ("reference_policies_elements_principal, AWS account principals: and its role sessions",
     _case([_doc(ALLOW_ALL)], resource=_doc(ACCOUNT_DENY), request={
         "action": "s3:GetObject", "resource": OBJECT, "principal_arn": f"arn:aws:sts::{ACCT}:assumed-role/app/s1",
         "principal_account": ACCT, "principal_type": "role_session", "role_arn": f"arn:aws:iam::{ACCT}:role/app",
         "context": {}}),
     "explicitDeny", None),
    ("reference_policies_elements_principal, AWS account principals: an Allow naming the "
     "account delegates to its identity policies, which must allow",
     _case([], resource=_doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                               "Action": "s3:*", "Resource": "*"})),
     "implicitDeny", None),
]


def run_both(cases):
    """Each engine's decisions for cases, one per case."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(cases, f)
    try:
        ours = subprocess.run([CUSTOS_BIN, "policy", "eval", f.name], capture_output=True, text=True)
        theirs = subprocess.run(["node", os.path.join(HERE, "simulate.mjs"), f.name], capture_output=True,
                                text=True, cwd=HERE)
    finally:
        os.unlink(f.name)
    return ours, theirs


def peer_available():
    if not shutil.which("node") or not shutil.which("npm"):
        return False
    if not os.path.isdir(os.path.join(HERE, "node_modules", "@cloud-copilot")):
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund"], cwd=HERE,
                       capture_output=True, timeout=300)
    return os.path.isdir(os.path.join(HERE, "node_modules", "@cloud-copilot"))


class Differential(unittest.TestCase):
    def test_engines_agree(self):
        self.assertTrue(peer_available(), "node, npm and @cloud-copilot/iam-simulate are needed "
                                          "(scripts/install-deps installs node; npm fetches the package)")
        cases = generate(20261122, CASES)
        ours, theirs = run_both(cases)
        self.assertEqual(ours.returncode, 0, ours.stderr)
        ours_d = [json.loads(line)["decision"] for line in ours.stdout.splitlines()]
        theirs_d = theirs.stdout.splitlines()
        self.assertEqual(len(ours_d), len(cases), ours.stderr)
        self.assertEqual(len(theirs_d), len(cases), theirs.stderr)
        decisions = {d: ours_d.count(d) for d in set(ours_d)}
        # the generator must exercise every outcome, or the comparison says little
        self.assertTrue(all(decisions.get(d, 0) >= 20 for d in ("allowed", "explicitDeny", "implicitDeny")),
                        decisions)
        disagreements = [(i, a, b) for i, (a, b) in enumerate(zip(ours_d, theirs_d)) if a != b]
        for i, a, b in disagreements[:3]:
            print(f"case {i}: custos {a}, iam-simulate {b}\n{json.dumps(cases[i], indent=1)}", file=sys.stderr)
        self.assertEqual(len(disagreements), 0, f"{len(disagreements)} of {len(cases)} cases disagree")
        print(f"{len(cases)} cases, decisions {decisions}, all agree", file=sys.stderr)

    def test_documented_cases_and_known_disagreements(self):
        self.assertTrue(peer_available(), "node, npm and @cloud-copilot/iam-simulate are needed")
        ours, theirs = run_both([c for _, c, _, _ in DOC_CASES])
        self.assertEqual(ours.returncode, 0, ours.stderr)
        ours_d = [json.loads(line)["decision"] for line in ours.stdout.splitlines()]
        theirs_d = theirs.stdout.splitlines()
        self.assertEqual(len(theirs_d), len(DOC_CASES), theirs.stderr)
        for (why, _, documented, oracle), a, b in zip(DOC_CASES, ours_d, theirs_d):
            self.assertEqual(a, documented, f"custos departs from the documentation: {why}")
            self.assertEqual(b, oracle or documented,
                             f"iam-simulate changed on a documented case; update DOC_CASES: {why}")
        known = sum(1 for c in DOC_CASES if c[3])
        print(f"{len(DOC_CASES)} documented cases, {known} known oracle disagreements", file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
