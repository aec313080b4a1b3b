#!/usr/bin/env python3
"""Refresh src/services/iam/aws_managed_policies.json, the AWS managed policies custos
serves, from a published source, then regenerate src/policy/aws_managed.gen.c with
tools/gen_aws_managed_policies.py. Needs the network, so neither the build nor the tests run
it; its result is reviewed and committed like any other change.

Two sources:
  docs  (default) the AWS Managed Policy Reference Guide's page of each policy,
        https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<PolicyName>.md:
        description, creation and edit time (to the minute), ARN (hence Path), default
        version and its JSON document. The pages do not show PolicyId: a known one is kept.
  aws   the IAM API of a real AWS account (boto3, credentials from the usual environment
        or profile): GetPolicy and GetPolicyVersion of each policy, every member exact.

usage: tools/refresh_aws_managed_policies.py [--source docs|aws] [--add NAME ...]
  --add NAME   also fetch this policy (e.g. ReadOnlyAccess, AmazonSageMakerFullAccess)
A policy that cannot be fetched keeps its current row, and the script says so."""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "src", "services", "iam", "aws_managed_policies.json")
DOCS = "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/{}.md"
WHEN = "%B %d, %Y, %H:%M"


def iso(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_reference_page(name, text):
    """The members of one policy from its reference page (markdown), or ValueError."""
    def field(pattern, flags=0):
        m = re.search(pattern, text, flags)
        if not m:
            raise ValueError(f"{name}: no match for {pattern!r}")
        return m.group(1).strip()

    arn = field(r"\*\*ARN\*\*: `(arn:aws:iam::aws:policy/[^`]+)`")
    path = arn[len("arn:aws:iam::aws:policy"):-len(name)]
    if not arn.endswith("/" + name) or not path.startswith("/"):
        raise ValueError(f"{name}: the page's ARN {arn} does not name it")

    def when(label):
        raw = field(r"\*\*" + label + r":?\*\*:?\s*([A-Z][a-z]+ \d{2}, \d{4}, \d{2}:\d{2}) UTC")
        return iso(datetime.datetime.strptime(raw, WHEN).replace(tzinfo=datetime.timezone.utc))

    block = field(r"<a name=\"" + re.escape(name) + r"-json\"></a>\s*```\s*(\{.*?\})\s*```", re.S)
    return {
        "PolicyName": name,
        "Path": path,
        "DefaultVersionId": field(r"\*\*Policy version:\*\*\s*(v\d+)"),
        "CreateDate": when("Creation time"),
        "UpdateDate": when("Edited time"),
        "Description": field(r"\*\*Description\*\*:\s*(.+)"),
        "Document": json.loads(block),
    }


def from_docs(name):
    req = urllib.request.Request(DOCS.format(name), headers={"User-Agent": "custos-refresh"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return parse_reference_page(name, r.read().decode("utf-8"))


def from_aws(iam, name, path):
    arn = f"arn:aws:iam::aws:policy{path or '/'}{name}"
    p = iam.get_policy(PolicyArn=arn)["Policy"]
    v = iam.get_policy_version(PolicyArn=arn, VersionId=p["DefaultVersionId"])["PolicyVersion"]
    return {
        "PolicyName": p["PolicyName"], "Path": p["Path"], "PolicyId": p["PolicyId"],
        "DefaultVersionId": p["DefaultVersionId"], "CreateDate": iso(p["CreateDate"]),
        "UpdateDate": iso(p["UpdateDate"]), "Description": p.get("Description"),
        "Document": v["Document"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", choices=("docs", "aws"), default="docs")
    ap.add_argument("--add", nargs="*", default=[])
    args = ap.parse_args()
    with open(DATA) as f:
        data = json.load(f)
    rows = {p["PolicyName"]: p for p in data["policies"]}
    names = list(rows) + [n for n in args.add if n not in rows]
    iam = None
    if args.source == "aws":
        import boto3
        iam = boto3.client("iam")
    failed = []
    for name in names:
        old = rows.get(name, {})
        try:
            new = from_aws(iam, name, old.get("Path")) if iam else from_docs(name)
        except Exception as e:  # one policy's failure leaves its row as it was
            failed.append(f"{name}: {e}")
            continue
        new.setdefault("PolicyId", old.get("PolicyId"))
        for k in ("CreateDate", "UpdateDate"):  # the pages give minutes: keep known seconds
            if old.get(k) and new.get(k) and old[k][:16] == new[k][:16]:
                new[k] = old[k]
        rows[name] = {k: new.get(k) for k in ("PolicyName", "Path", "PolicyId",
                                                "DefaultVersionId", "CreateDate",
                                                "UpdateDate", "Description", "Document")}
    data["policies"] = sorted(rows.values(), key=lambda p: p["PolicyName"].lower())
    with open(DATA, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_aws_managed_policies.py")],
                   check=True)
    for line in failed:
        print("not refreshed:", line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
