"""A suite generated from the registry: every operation declared in
src/services/<svc>/<svc>.ops (read with tools/ops_decl.py, the generators' own reader) is
driven through the same checks, with nothing written per operation. Its input comes from
the botocore model: required members get a value that fits their type, length, pattern
and enum; members that must name an existing resource (UserName, KeyId, ...) get the
fixture of that name, created once; members the model or the declaration marks secret get
a fresh marker.

  1. unsigned                -> MissingAuthenticationToken(Exception)
  2. a user with no policy   -> AccessDenied(Exception) naming the declared action and,
                                when the declaration has a resolver, the resource's ARN;
                                always-allowed operations are left out of this check
                                because their declaration says so
     (operations declared `unauthenticated`, which AWS serves unsigned, judge the token
     their request carries instead, signed or not: the generated one is refused with one
     of the operation's own modelled errors)
  3. first required member missing -> ValidationError / ValidationException naming it
  4. a member of the wrong type    -> what AWS answers: in Query a non-number for an
                                integer (ValidationError naming the member; an operation
                                of only strings and lists has no wrong type in Query); in
                                JSON a value of the wrong JSON type (SerializationException,
                                whose AWS wording names the types, not the member)
  5. each of those requests leaves exactly one audit record of its own requestID, and no
     secret (markers, their base64, the callers' secret keys) appears in the trail.

And a served operation with no end-to-end test of its success path fails: every declared
operation must be called (boto3 method or CLI command) by some other tests/e2e file."""
import base64
import glob
import html
import json
import os
import re
import secrets
import sys
import unittest

from botocore import xform_name

import harness
from test_saml_providers import metadata as saml_metadata, openssl_pair
import rawhttp

# Actions whose AccessDenied AWS words without "because ...": STS AssumeRole answers
# "User: <arn> is not authorized to perform: sts:AssumeRole on resource: <role arn>".
BARE_DENIALS = {"sts:AssumeRole"}

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import ops_decl  # noqa: E402  (tools/ is not a package)

SERVICES = ops_decl.all_services()

# Python's re has no \p{..}; these ASCII classes are narrower, so a value that fits the
# translated pattern fits the model's pattern too.
UNICODE_CLASSES = {r"\p{L}": "a-zA-Z", r"\p{N}": "0-9", r"\p{Z}": " "}


# Operations that cannot succeed on custos by what custos is, each with the reason; their
# refusals are tested end to end (tests/e2e/test_kms_import.py, CustomKeyStores). custos
# keeps key material itself: an account has no custom key store, and no CloudHSM cluster or
# external key store proxy is ever reached, so AWS's own answers for that account are
# CustomKeyStoreNotFoundException or the cluster/proxy errors of CreateCustomKeyStore.
NO_SUCCESS_PATH = {
    "kms:CreateCustomKeyStore": "no CloudHSM cluster or external key store proxy is reachable",
    "kms:ConnectCustomKeyStore": "no custom key store exists",
    "kms:DeleteCustomKeyStore": "no custom key store exists",
    "kms:DisconnectCustomKeyStore": "no custom key store exists",
    "kms:UpdateCustomKeyStore": "no custom key store exists",
    # custos has no Organizations: no account is a member account of the caller's
    # organization, so no root session can be issued (tests/e2e/test_assume_root.py)
    "sts:AssumeRoot": "no account is a member of an organization",
    # custos serves no delegation requests, so it has issued no trade-in token
    "sts:GetDelegatedAccessToken": "no trade-in token is ever issued",
}

# CloudTrail in custos's account (tests/e2e/test_cloudtrail_operations.py tests each answer)
_CLOUDTRAIL_REFUSED = {
    "the trail is the compliance record: never stopped, deleted or narrowed": (
        "StopLogging DeleteTrail UpdateTrail PutEventSelectors PutInsightSelectors "
        "PutEventConfiguration"),
    "the trail has no Insights": "GetInsightSelectors",
    "no S3 bucket exists (custos serves no S3): no second trail is made": "CreateTrail",
    "custos has no CloudTrail Lake event data store, query or import": (
        "CreateEventDataStore GetEventDataStore UpdateEventDataStore DeleteEventDataStore "
        "RestoreEventDataStore StartEventDataStoreIngestion StopEventDataStoreIngestion "
        "EnableFederation DisableFederation ListQueries StartQuery DescribeQuery "
        "GetQueryResults CancelQuery GenerateQuery SearchSampleQueries StartImport GetImport "
        "StopImport"),
    "custos has no channel, dashboard or resource policy": (
        "CreateChannel GetChannel UpdateChannel DeleteChannel CreateDashboard GetDashboard "
        "UpdateDashboard DeleteDashboard StartDashboardRefresh GetResourcePolicy "
        "PutResourcePolicy DeleteResourcePolicy"),
    "no account is a member of an organization": (
        "RegisterOrganizationDelegatedAdmin DeregisterOrganizationDelegatedAdmin"),
}
NO_SUCCESS_PATH.update({f"cloudtrail:{op}": why for why, ops in _CLOUDTRAIL_REFUSED.items()
                        for op in ops.split()})


def lower_first(name):
    return name[:1].lower() + name[1:]


def fits(shape, text):
    if len(text) < shape.get("min", 0) or len(text) > shape.get("max", 1 << 30):
        return False
    pattern = shape.get("pattern")
    if pattern is None:
        return True
    for k, v in UNICODE_CLASSES.items():
        pattern = pattern.replace(k, v)
    return re.fullmatch(pattern, text) is not None


def text_for(shape):
    """A string that satisfies the shape's enum, length and pattern."""
    if "enum" in shape:
        return shape["enum"][0]
    n = max(shape.get("min", 1), 1)
    # "us-west-2": KMS's RegionType (ReplicateKey, UpdatePrimaryRegion); "kms.amazonaws.com":
    # CloudTrail's EventSource (ListInsightsMetricData)
    for text in ("a" * n, "1" * n, "A" * n, "v" + "1" * max(n - 1, 1), "/", "/a/", "us-west-2",
                 "kms.amazonaws.com"):
        if fits(shape, text):
            return text
    raise AssertionError(f"no generated value fits {shape}")


class Service:
    """One served service: its model, declarations and how to call it on the wire."""

    def __init__(self, sid, version, model, decls):
        self.sid, self.version, self.model, self.decls = sid, version, model, decls
        meta = model["metadata"]
        self.protocol = meta["protocol"]
        self.signing = meta.get("signingName", meta["endpointPrefix"])
        self.target = meta.get("targetPrefix")
        self.json_version = meta.get("jsonVersion")

    def shape(self, name):
        return self.model["shapes"][name]

    def input_shape(self, op):
        ref = self.model["operations"][op].get("input")
        return self.shape(ref["shape"]) if ref else {"type": "structure", "members": {}}

    def error_name(self, code):
        """AWS's error code in this protocol: JSON services add "Exception"."""
        return code + "Exception" if self.protocol == "json" else code


class Inputs:
    """Minimal valid input for any operation, from the model, with fixtures substituted
    by member name and markers for secret members."""

    def __init__(self, fixtures):
        self.fixtures = fixtures   # member name -> (value, ARNs of what it names); a
        # "<service>:<member>" entry takes the place of "<member>" in that service alone
        self.markers = []          # every secret value sent, as bytes

    def marker(self, blob):
        raw = b"mk" + secrets.token_hex(14).encode()  # 30 bytes: base64 without padding
        self.markers.append(raw)
        return raw if blob else raw.decode()

    def value(self, svc, member, shape_name, secret_members):
        shape = svc.shape(shape_name)
        t = shape["type"]
        # a secret the shape cannot hold as a marker (IAM's six-digit AuthenticationCode1)
        # is sent as a valid plain value: a marker there would only be refused by validation
        if member in secret_members and t in ("string", "blob") and fits(
                shape if t == "string" else {k: shape[k] for k in ("min", "max") if k in shape},
                "mk" + "0" * 28):
            return self.marker(t == "blob")
        if self.fixture(svc, member):
            return self.fixture(svc, member)[0]
        if t == "structure":
            return self.structure(svc, shape, secret_members, only_required=True)
        if t == "list":
            return [self.value(svc, None, shape["member"]["shape"], secret_members)]
        if t == "map":
            return {"a": self.value(svc, None, shape["value"]["shape"], secret_members)}
        if t in ("integer", "long"):
            return max(shape.get("min", 1), 1)
        if t == "boolean":
            return False
        if t == "blob":
            return b"a" * max(shape.get("min", 1), 1)
        if t == "string":
            return text_for(shape)
        raise AssertionError(f"no generated value for a {t}")

    def structure(self, svc, shape, secret_members, only_required):
        out = {}
        required = set(shape.get("required", []))
        for member, ref in shape.get("members", {}).items():
            wanted = member in required or (not only_required and (
                member in secret_members
                or (self.fixture(svc, member) and self.fixture(svc, member)[1])))
            if wanted:
                out[member] = self.value(svc, member, ref["shape"], secret_members)
        return out

    def for_op(self, svc, decl):
        """Required members, plus the resource-naming members the input has (so the
        resolver finds the fixture) and its secret members (so the trail is tested)."""
        return self.structure(svc, svc.input_shape(decl["op"]), set(decl["secrets"]),
                              only_required=False)

    def fixture(self, svc, member):
        return self.fixtures.get(f"{svc.sid}:{member}", self.fixtures.get(member))

    def resource_arns(self, params, svc=None):
        """What the first resource-naming member (in the model's order, which params
        keeps) names: the resource an AccessDenied must name."""
        for m in params:
            f = self.fixture(svc, m) if svc else self.fixtures.get(m)
            if f and f[1]:
                return f[1]
        return set()


def query_params(svc, shape, value, prefix, out):
    """The Query protocol's form parameters of value (lists as Name.member.N)."""
    t = shape["type"]
    if t == "structure":
        for member, v in value.items():
            ref = shape["members"][member]
            name = ref.get("locationName", member)
            query_params(svc, svc.shape(ref["shape"]), v, f"{prefix}.{name}" if prefix else name, out)
    elif t == "list":
        for i, v in enumerate(value, 1):
            query_params(svc, svc.shape(shape["member"]["shape"]), v, f"{prefix}.member.{i}", out)
    elif t == "map":
        for i, (k, v) in enumerate(value.items(), 1):
            out[f"{prefix}.entry.{i}.key"] = k
            query_params(svc, svc.shape(shape["value"]["shape"]), v, f"{prefix}.entry.{i}.value", out)
    elif t == "boolean":
        out[prefix] = "true" if value else "false"
    elif t == "blob":
        out[prefix] = base64.b64encode(value).decode()
    else:
        out[prefix] = str(value)
    return out


def json_body(value):
    """JSON protocol: blobs travel base64-encoded; anything else as it is."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: json_body(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_body(v) for v in value]
    return value


def expected_to_succeed(source):
    """The lines of a test file outside assertRaises (its callable form and its with
    blocks): what they call is expected to succeed."""
    kept, raises = [], None
    for line in source.split("\n"):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if raises is not None and indent <= raises:
            raises = None
        if raises is not None:
            continue
        if re.search(r"\bwith\b.*assertRaises", line):
            raises = indent
        elif "assertRaises" not in line:
            kept.append(line)
    return "\n".join(kept)


def secret_values(body, member, protocol):
    """The values of member anywhere in an answer's body."""
    if protocol == "query":
        return [html.unescape(v) for v in
                re.findall(r"<%s>([^<]+)</%s>" % (member, member), body.decode(errors="replace"))]
    found = []

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k == member and isinstance(x, str):
                    found.append(x)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(json.loads(body) if body else None)
    return found


class Answer:
    def __init__(self, status, headers, body, protocol):
        self.status, self.body = status, body
        low = {k.lower(): v for k, v in headers.items()}
        self.request_id = low.get("x-amzn-requestid")
        if protocol == "json":
            err = json.loads(body) if body else {}
            self.code = err.get("__type", "").rpartition("#")[2]
            self.message = err.get("message", err.get("Message"))
        else:
            text = body.decode(errors="replace")
            code = re.search(r"<Code>([^<]*)</Code>", text)
            msg = re.search(r"<Message>([^<]*)</Message>", text)
            rid = re.search(r"<RequestId>([^<]*)</RequestId>", text)
            self.code = code and code.group(1)
            self.message = msg and html.unescape(msg.group(1))
            self.body_request_id = rid and rid.group(1)

    def __repr__(self):
        return f"{self.status} {self.body[:400]!r}"


class Registry(harness.ServerTest):
    # one unsigned call per served operation, more than the default per-source burst
    # (100) of unauthenticated requests recorded one by one: beyond it they are throttled
    server_args = ("--unauth-burst", "10000")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        iam, kms = s.client("iam"), s.client("kms")
        user_arn = iam.create_user(UserName="reg-target")["User"]["Arn"]
        group_arn = iam.create_group(GroupName="reg-group")["Group"]["Arn"]
        policy_arn = iam.create_policy(PolicyName="reg_policy", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))["Policy"]["Arn"]
        role_arn = iam.create_role(RoleName="reg-role", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "ec2.amazonaws.com"}}]}))["Role"]["Arn"]
        profile_arn = iam.create_instance_profile(
            InstanceProfileName="reg-profile")["InstanceProfile"]["Arn"]
        key = kms.create_key()["KeyMetadata"]
        kms.create_alias(AliasName="alias/reg-alias", TargetKeyId=key["KeyId"])
        alias_arn = key["Arn"].rpartition(":")[0] + ":alias/reg-alias"
        blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"fixture")["CiphertextBlob"]
        secret_arn = s.client("secretsmanager").create_secret(
            Name="reg-secret", SecretString="reg-secret-value")["ARN"]
        param_arn = f"arn:aws:ssm:{harness.REGION}:{harness.ACCOUNT}:parameter/reg/param"
        s.client("ssm").put_parameter(Name="/reg/param", Value="reg-param-value", Type="String")
        oidc_arn = iam.create_open_id_connect_provider(
            Url="https://reg-oidc.example.com")["OpenIDConnectProviderArn"]
        saml_arn = iam.create_saml_provider(Name="reg-saml", SAMLMetadataDocument=saml_metadata(
            openssl_pair(s.data_dir, "reg-saml")[0]))["SAMLProviderArn"]
        # member name -> (value, ARNs of the resources it names: an alias names its key
        # too, and AWS authorizes alias operations on both)
        cls.inputs = Inputs({
            "UserName": ("reg-target", {user_arn}),
            "GroupName": ("reg-group", {group_arn}),
            "RoleName": ("reg-role", {role_arn}),
            "InstanceProfileName": ("reg-profile", {profile_arn}),
            # (no hyphen: KMS key policy names match [\w]+; an IAM policy name may)
            "PolicyName": ("reg_policy", {policy_arn}),
            "PolicyArn": (policy_arn, {policy_arn}),
            "PermissionsBoundary": (policy_arn, {policy_arn}),
            "PolicySourceArn": (user_arn, {user_arn}),
            "Arn": (user_arn, {user_arn}),  # the access advisor's entity
            "KeyId": (key["KeyId"], {key["Arn"]}),
            "TargetKeyId": (key["KeyId"], {key["Arn"]}),
            "AliasName": ("alias/reg-alias", {alias_arn, key["Arn"]}),
            "CiphertextBlob": (blob, {key["Arn"]}),
            "GranteePrincipal": (user_arn, set()),
            "RetiringPrincipal": (user_arn, set()),
            "OpenIDConnectProviderArn": (oidc_arn, {oidc_arn}),
            "SAMLProviderArn": (saml_arn, {saml_arn}),
            "RoleArn": (role_arn, {role_arn}),
            # AssumeRoot: sts:AssumeRoot acts on the target account's root
            "TargetPrincipal": (harness.ACCOUNT, {f"arn:aws:iam::{harness.ACCOUNT}:root"}),
            "TaskPolicyArn": ({"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}, set()),
            "SecretId": ("reg-secret", {secret_arn}),
            # SSM names its parameters by Name (a member other services use otherwise)
            "ssm:Name": ("/reg/param", {param_arn}),
            "ssm:Names": (["/reg/param"], {param_arn}),
            "ssm:Path": ("/reg", {param_arn.rpartition("/")[0]}),
            "ssm:ResourceType": ("Parameter", set()),
            "ssm:ResourceId": ("/reg/param", {param_arn}),
            "ssm:Labels": (["reglabel"], set()),
        })
        cls.nobody_arn, cls.nobody_key, cls.nobody_secret = s.user("reg-nobody")

    def call(self, svc, op, params, **kw):
        if svc.protocol == "query":
            form = {"Action": op, "Version": svc.version}
            form.update(query_params(svc, svc.input_shape(op), params, "", {}))
            status, headers, body = rawhttp.query(self.server, form, service=svc.signing, **kw)
        else:
            hdrs = {"Content-Type": f"application/x-amz-json-{svc.json_version}",
                    "X-Amz-Target": f"{svc.target}.{op}"}
            req = rawhttp.build(self.server, svc.signing, json.dumps(json_body(params)), hdrs, **kw)
            status, headers, body = rawhttp.send(self.server, req)
        answer = Answer(status, headers, body, svc.protocol)
        self.assertTrue(answer.request_id, answer)
        if svc.protocol == "query":
            self.assertEqual(answer.body_request_id, answer.request_id, answer)
        return answer

    def each_op(self):
        for sid, _name, version, _xmlns, model, decls in SERVICES:
            svc = Service(sid, version, model, decls)
            for decl in decls:
                yield svc, decl

    def assert_trail(self, sent):
        """sent: [(requestID, operation)]. One record each, of that operation, and no
        secret anywhere in the trail."""
        counts = {}
        for rec in self.server.audit_records():
            rid = rec.get("requestID")
            counts.setdefault(rid, []).append(rec.get("eventName"))
        for rid, op in sent:
            with self.subTest(op=op, requestID=rid):
                self.assertEqual(counts.get(rid), [op])
        with open(os.path.join(self.server.data_dir, "audit.log"), "rb") as f:
            # as written, and with JSON's optional escape of "/" undone
            trail = f.read()
        trail += b"\n" + trail.replace(b"\\/", b"/")
        # the trail does record request parameters (a fixture's name), only not secrets
        self.assertIn(b"reg-target", trail)
        self.assertTrue(self.inputs.markers, "no secret member was sent")
        hidden = list(self.inputs.markers) + [harness.ROOT_SECRET.encode(), self.nobody_secret.encode()]
        for raw in hidden:
            for form in (raw, base64.b64encode(raw)):
                self.assertNotIn(form, trail, f"a secret reached the trail: {raw[:6]!r}...")

    def assert_token_refused(self, svc, decl, a):
        """An unauthenticated operation's answer to the registry's made-up token: one of
        its own modelled errors (never MissingAuthenticationToken or AccessDenied)."""
        codes = {svc.shape(e["shape"]).get("error", {}).get("code", e["shape"])
                 for e in svc.model["operations"][decl["op"]].get("errors", [])}
        self.assertIn(a.code, codes, a)
        self.assertTrue(400 <= a.status < 500, a)

    def test_unsigned_call_is_missing_authentication_token(self):
        sent = []
        for svc, decl in self.each_op():
            op = decl["op"]
            if decl["unauthenticated"]:
                with self.subTest(op=op, unauthenticated=True):
                    a = self.call(svc, op, self.inputs.for_op(svc, decl), sign=False)
                    self.assert_token_refused(svc, decl, a)
                    sent.append((a.request_id, op))
                continue
            with self.subTest(op=op):
                a = self.call(svc, op, self.inputs.for_op(svc, decl), sign=False)
                # AWS: Query services answer 403, JSON services 400 with the Exception name
                want_status = 400 if svc.protocol == "json" else 403
                self.assertEqual((a.status, a.code, a.message),
                                 (want_status, svc.error_name("MissingAuthenticationToken"),
                                  "Missing Authentication Token"), a)
                sent.append((a.request_id, op))
        self.assertTrue(sent)
        self.assert_trail(sent)

    def test_user_without_policy_is_denied_naming_action_and_resource(self):
        sent, checked = [], 0
        for svc, decl in self.each_op():
            op = decl["op"]
            params = self.inputs.for_op(svc, decl)
            if decl["unauthenticated"]:
                # the signature is not looked at: the token is judged as when unsigned
                with self.subTest(op=op, unauthenticated=True):
                    a = self.call(svc, op, params, key=self.nobody_key, secret=self.nobody_secret)
                    self.assert_token_refused(svc, decl, a)
                    sent.append((a.request_id, op))
                continue
            if decl["always_allowed"]:
                # the declaration says authenticating is the whole check: never denied,
                # and whatever secret it answers stays out of the trail
                with self.subTest(op=op, always_allowed=True):
                    a = self.call(svc, op, params, key=self.nobody_key, secret=self.nobody_secret)
                    self.assertNotEqual(a.code, svc.error_name("AccessDenied"), a)
                    for name in decl["secrets"]:
                        for value in secret_values(a.body, name, svc.protocol):
                            self.inputs.markers.append(value.encode())
                    sent.append((a.request_id, op))
                continue
            with self.subTest(op=op):
                a = self.call(svc, op, params, key=self.nobody_key, secret=self.nobody_secret)
                want_status = 400 if svc.protocol == "json" else 403
                self.assertEqual((a.status, a.code), (want_status, svc.error_name("AccessDenied")), a)
                action = decl["action"]
                if action in BARE_DENIALS:
                    # AWS words these without the reason (server/authorize.c bare_denial)
                    m = re.fullmatch(r"User: (\S+) is not authorized to perform: (\S+)"
                                     r"(?: on resource: (\S+))?()", a.message or "")
                    self.assertTrue(m, a)
                    self.assertEqual((m.group(1), m.group(2)), (self.nobody_arn, action))
                else:
                    m = re.fullmatch(
                        r"User: (\S+) is not authorized to perform: (\S+)(?: on resource: (\S+))? "
                        r"because no identity-based policy allows the (\S+) action", a.message or "")
                    self.assertTrue(m, a)
                    self.assertEqual((m.group(1), m.group(2), m.group(4)), (self.nobody_arn, action, action))
                resource = m.group(3)
                if decl["resolve"] is None:
                    self.assertIsNone(resource, f"{op} has no resolver, yet names a resource")
                else:
                    self.assertIsNotNone(resource, f"{op} has resolver {decl['resolve']}: name it")
                    # STS's AssumeRole acts on an IAM role, AssumeRoot on an account's root
                    owner = "iam" if action in ("sts:AssumeRole", "sts:AssumeRoot") else svc.sid
                    self.assertTrue(resource.startswith(f"arn:aws:{owner}:"), resource)
                    self.assertIn(f":{harness.ACCOUNT}:", resource)
                    named = self.inputs.resource_arns(params, svc)
                    if named:
                        self.assertIn(resource, named, f"{op}: not the resource its input names first")
                sent.append((a.request_id, op))
                checked += 1
        self.assertGreater(checked, 0)
        self.assert_trail(sent)

    def test_missing_required_member_is_a_validation_error_naming_it(self):
        sent = []
        for svc, decl in self.each_op():
            op = decl["op"]
            shape = svc.input_shape(op)
            if not shape.get("required"):
                continue   # nothing can be missing
            with self.subTest(op=op):
                params = self.inputs.for_op(svc, decl)
                dropped = shape["required"][0]
                del params[dropped]
                a = self.call(svc, op, params)
                want_code = "ValidationException" if svc.protocol == "json" else "ValidationError"
                self.assertEqual((a.status, a.code), (400, want_code), a)
                self.assertEqual(a.message, f"1 validation error detected: Value null at "
                                            f"'{lower_first(dropped)}' failed to satisfy constraint: "
                                            f"Member must not be null")
                sent.append((a.request_id, op))
        self.assertTrue(sent)
        self.assert_trail(sent)

    def wrong_value(self, svc, shape_name):
        """(a value of the wrong type for this member in this protocol, AWS's message) or
        None when the protocol cannot carry one. Query sends text, and any text is a
        string: a number can be wrong there (a boolean too, but AWS's answer to one that is
        neither true nor false is not known here, so it is not asserted). In JSON every
        scalar can."""
        t = svc.shape(shape_name)["type"]
        if svc.protocol == "query":
            if t in ("integer", "long"):
                return "ten", ("1 validation error detected: Value 'ten' at '{path}' failed to "
                               "satisfy constraint: Member must be a number")
            return None
        if t == "string":
            return 5, "NUMBER_VALUE can not be converted to a String"
        if t == "integer":
            return "ten", "STRING_VALUE can not be converted to an Integer"
        if t in ("blob", "boolean", "long", "timestamp"):
            return {}, "Start of structure or map found where not expected."
        return None

    def test_member_of_wrong_type_is_refused_as_aws_does(self):
        sent, without = [], []
        for svc, decl in self.each_op():
            op = decl["op"]
            shape = svc.input_shape(op)
            members = sorted(shape.get("members", {}).items(),
                             key=lambda kv: kv[0] not in shape.get("required", []))
            choice = next(((m, ref) for m, ref in members if self.wrong_value(svc, ref["shape"])), None)
            if choice is None:
                without.append(op)
                continue
            member, ref = choice
            value, message = self.wrong_value(svc, ref["shape"])
            with self.subTest(op=op, member=member):
                params = self.inputs.for_op(svc, decl)
                params[member] = value
                a = self.call(svc, op, params)
                if svc.protocol == "query":
                    want = ("ValidationError", message.format(path=lower_first(member)))
                else:
                    want = ("SerializationException", message)
                self.assertEqual((a.status, a.code, a.message), (400,) + want, a)
                sent.append((a.request_id, op))
        # every JSON operation with a scalar member is tried; Query ones only where a number
        # is (SSM's DeleteParameters has a list alone)
        self.assertTrue(sent)

        def scalar(svc, op):
            return any(svc.shape(r["shape"])["type"] not in ("list", "map", "structure")
                       for r in svc.input_shape(op).get("members", {}).values())
        self.assertFalse([op for svc, d in self.each_op() if svc.protocol == "json"
                          for op in [d["op"]] if op in without and scalar(svc, op)], without)
        self.assert_trail(sent)

    def test_every_served_operation_has_a_success_path_test(self):
        """Some other e2e file calls each declared operation where it is expected to
        succeed: its boto3 method (.create_user() or its CLI command ("create-user"),
        outside the calls and blocks of assertRaises."""
        texts = {}
        for path in glob.glob(os.path.join(HERE, "test_*.py")):
            if os.path.basename(path) != os.path.basename(__file__):
                with open(path) as f:
                    texts[os.path.basename(path)] = expected_to_succeed(f.read())
        missing = []
        for svc, decl in self.each_op():
            if f"{svc.sid}:{decl['op']}" in NO_SUCCESS_PATH:
                continue
            snake = xform_name(decl["op"])
            kebab = snake.replace("_", "-")
            calls = re.compile(r"\.%s\(|['\"]%s['\"]" % (snake, kebab))
            if not any(calls.search(t) for t in texts.values()):
                missing.append(f"{svc.sid}:{decl['op']}")
        self.assertEqual(missing, [], "served operations with no end-to-end success test")


if __name__ == "__main__":
    harness.main()
