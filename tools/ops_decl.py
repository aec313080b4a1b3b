"""Read the operation declarations (src/services/<svc>/<svc>.ops): the one list of the
operations custos serves. tools/gen_model.py takes the operation names from here, and
tools/gen_ops.py the descriptors, the handler prototypes and the README's support table.

A declaration is one line:  Operation  handler  [attribute ...]  (the format is documented
at the top of each .ops file). Errors name the file and line and stop the generator."""
import gzip
import json
import os
import re

import botocore

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SERVICES = [
    # id, botocore name, version, xml namespace
    ("iam", "iam", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/"),
    ("sts", "sts", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"),
    ("kms", "kms", "2014-11-01", None),
    ("secretsmanager", "secretsmanager", "2017-10-17", None),
    ("cloudtrail", "cloudtrail", "2013-11-01", None),
    ("ssm", "ssm", "2014-11-06", None),
]

C_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
MEMBER = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
FLAGS = {"read-only": "read_only", "always-allowed": "always_allowed", "by-policy": "by_policy",
         "unauthenticated": "unauthenticated", "read-event": "read_event"}
VALUED = ("resolve", "keys", "secret", "action", "also")
IAM_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")


class DeclError(Exception):
    pass


def load_model(name, version):
    path = os.path.join(os.path.dirname(botocore.__file__), "data", name, version,
                        "service-2.json.gz")
    with gzip.open(path) as f:
        return json.load(f)


def load_paginators(name, version):
    path = os.path.join(os.path.dirname(botocore.__file__), "data", name, version,
                        "paginators-1.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)["pagination"]


# The limit's default and documented maximum, as the model's documentation of the limit
# member words them ("defaults to 100", "between 1 and 100, inclusive"): where the doc
# names a smaller maximum than the shape's max, the smaller one is served.
LIMIT_DEFAULT = re.compile(r"(?:defaults to|[Tt]he default is) (\d+)")
LIMIT_RANGE = re.compile(r"between 1 and (\d+), inclusive")
LIMIT_DEFAULT_NAMED = re.compile(r"[Dd]efault")


def paginator(model, paginators, op, where="?"):
    """The operation's paginator as gen_ops emits it (a dict), or None when botocore has
    none. Refuses paginator shapes page.c does not serve (several tokens); several result
    keys (ListEntitiesForPolicy) are "result_keys", the first of them "result_key"."""
    p = paginators.get(op)
    # a paginator with no limit (CloudTrail's ListTrails, ListPublicKeys) is one page: the
    # operation answers everything at once and never a NextToken
    if p is None or "limit_key" not in p:
        return None
    results = p.get("result_key")
    several = isinstance(results, list) and all(isinstance(r, str) for r in results)
    # Secrets Manager's paginators name no more-results flag: a NextToken alone says more follow
    for key in ("input_token", "output_token", "limit_key") + \
            (("more_results",) if "more_results" in p else ()) + \
            (() if several else ("result_key",)):
        if not isinstance(p.get(key), str):
            raise DeclError(f"{where}: {op}'s paginator has no single {key}")
    o = model["operations"][op]
    members = model["shapes"][o["input"]["shape"]]["members"]
    ref = members[p["limit_key"]]
    doc = re.sub(r"<[^>]+>", "", ref.get("documentation", ""))
    limit_max = model["shapes"][ref["shape"]].get("max")
    m = LIMIT_RANGE.search(doc)
    if m:
        limit_max = int(m.group(1))
    m = LIMIT_DEFAULT.search(doc)
    limit_default = int(m.group(1)) if m else None
    # A limit documented with no default (KMS DescribeCustomKeyStores: "KMS does not return
    # more than the specified number of items, but it might return fewer") pages at the
    # shape's maximum when the caller names none.
    if limit_default is None and not LIMIT_DEFAULT_NAMED.search(doc):
        limit_default = limit_max
    if limit_default is None or limit_max is None:
        raise DeclError(f"{where}: {op}: no default or maximum for {p['limit_key']} in the model")
    errors = {e["shape"] for e in o.get("errors", [])}
    # KMS names its bad-marker error; IAM answers a bad Marker with ValidationError.
    if "InvalidMarkerException" in errors:
        bad = ("CU_E_KMS_INVALID_MARKER", "Invalid marker")
    elif "InvalidLookupAttributesException" in errors:  # CloudTrail LookupEvents
        bad = ("CU_E_CT_INVALID_NEXT_TOKEN", "Invalid NextToken.")
    elif "InvalidNextTokenException" in errors:  # Secrets Manager
        bad = ("CU_E_SM_INVALID_NEXT_TOKEN", "The NextToken value is invalid.")
    elif "InvalidNextToken" in errors:  # SSM
        bad = ("CU_E_SSM_INVALID_NEXT_TOKEN", "The specified token isn't valid.")
    else:
        bad = ("CU_E_VALIDATION", "Invalid Marker.")
    return {"op": op, "input_token": p["input_token"], "limit_key": p["limit_key"],
            "output_token": p["output_token"], "more_results": p.get("more_results"),
            "result_key": results[0] if several else results,
            "result_keys": results if several else None, "limit_default": limit_default,
            "limit_max": limit_max, "bad_marker": bad[0], "bad_marker_message": bad[1]}


def ops_path(sid, root=ROOT):
    return os.path.join(root, "src", "services", sid, f"{sid}.ops")


def parse_line(sid, where, words):
    if len(words) < 2:
        raise DeclError(f"{where}: want 'Operation handler [attribute ...]'")
    d = {"op": words[0], "handler": words[1], "resolve": None, "keys": None,
         "read_only": False, "always_allowed": False, "by_policy": False, "unauthenticated": False,
         "read_event": False,
         "secrets": [],
         "action": None, "also": None, "also_action": None, "also_next": None,
         "also_next_action": None}
    if not MEMBER.match(d["op"]):
        raise DeclError(f"{where}: {d['op']!r} is not an operation name")
    for w in words[2:]:
        if w in FLAGS:
            d[FLAGS[w]] = True
            continue
        key, eq, value = w.partition("=")
        if not eq or key not in VALUED or not value:
            raise DeclError(f"{where}: unknown attribute {w!r}")
        if key == "secret":
            for m in value.split(","):
                if not MEMBER.match(m):
                    raise DeclError(f"{where}: {m!r} is not a member name")
                d["secrets"].append(m)
        elif key == "action":
            if value == f"{sid}:{d['op']}":
                raise DeclError(f"{where}: action={value} is the default; leave it out")
            if not IAM_ACTION.match(value):
                raise DeclError(f"{where}: {value!r} is not an IAM action")
            d["action"] = value
        elif key == "also":
            action, at, fn = value.partition("@")
            if not at or not IAM_ACTION.match(action):
                raise DeclError(f"{where}: want also=svc:Action@resolver, not {value!r}")
            if d["also"] is None:
                d["also_action"], d["also"] = action, fn
            elif d["also_next"] is None:
                # a third authorization (UpdateAlias: the alias, then the alias's current key)
                d["also_next_action"], d["also_next"] = action, fn
            else:
                raise DeclError(f"{where}: at most two also= attributes")
        else:
            d[key] = value
    for key in ("handler", "resolve", "keys", "also", "also_next"):
        if d[key] is not None and not C_NAME.match(d[key]):
            raise DeclError(f"{where}: {d[key]!r} is not a C function name")
    if d["always_allowed"] and (d["also"] or d["by_policy"]):
        raise DeclError(f"{where}: an always-allowed operation is not authorized: "
                        "also= and by-policy mean nothing there")
    if d["unauthenticated"] and (d["always_allowed"] or d["also"] or d["by_policy"] or
                                 d["resolve"]):
        raise DeclError(f"{where}: an unauthenticated operation has no caller to authorize: "
                        "always-allowed, resolve=, also= and by-policy mean nothing there")
    if d["read_event"] and d["read_only"]:
        raise DeclError(f"{where}: read-event is for operations in a write transaction; "
                        "a read-only one is recorded as a read already")
    if d["action"] is None:
        d["action"] = f"{sid}:{d['op']}"
    return d


def read_decls(sid, model, root=ROOT):
    """The declarations of service sid, in file order, checked against its model."""
    path = ops_path(sid, root)
    rel = os.path.relpath(path, root)
    decls, ops, handlers = [], set(), set()
    with open(path) as f:
        for n, line in enumerate(f, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            where = f"{rel}:{n}"
            d = parse_line(sid, where, text.split())
            if d["op"] not in model["operations"]:
                raise DeclError(f"{where}: {d['op']} is not an operation of the {sid} model")
            if d["op"] in ops:
                raise DeclError(f"{where}: {d['op']} is declared twice")
            if d["handler"] in handlers:
                raise DeclError(f"{where}: handler {d['handler']} serves two operations")
            ops.add(d["op"])
            handlers.add(d["handler"])
            d["secrets"] = secret_fields(model, d["op"], d["secrets"])
            decls.append(d)
    return decls


def sensitive_members(model, op):
    """Member names, at any depth of the operation's input and output, whose shape (or
    member reference) the model marks sensitive."""
    found, seen = set(), set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        shape = model["shapes"][name]
        for member, ref in shape.get("members", {}).items():
            if ref.get("sensitive") or model["shapes"][ref["shape"]].get("sensitive"):
                found.add(member)
            visit(ref["shape"])
        for k in ("member", "key", "value"):
            if k in shape:
                visit(shape[k]["shape"])

    o = model["operations"][op]
    for part in ("input", "output"):
        if part in o:
            visit(o[part]["shape"])
    return found


def secret_fields(model, op, declared):
    return sorted(sensitive_members(model, op) | set(declared))


def all_services(root=ROOT):
    """[(sid, botocore name, version, xmlns, model, decls)] for every served service."""
    out = []
    for sid, name, version, xmlns in SERVICES:
        model = load_model(name, version)
        paginators = load_paginators(name, version)
        decls = read_decls(sid, model, root)
        for d in decls:
            d["page"] = paginator(model, paginators, d["op"], ops_path(sid, root))
        out.append((sid, name, version, xmlns, model, decls))
    return out
