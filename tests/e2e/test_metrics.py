"""GET /_custos/metrics: the whole exposition parsed by a strict reader of Prometheus's
text format 0.0.4 (written here, not a client library's), and every counter and histogram
seen to move by exactly the calls made with boto3: allowed, denied by an identity policy
for want of an Allow and by its explicit Deny, denied by a key policy's Deny, failed with
KMS's and IAM's error codes and with a bad signature; audit records, cache lookups, store
commits and the audit trail's syncs; the process metrics; and a scrape is neither a call
nor audited."""
import json
import math
import os
import re
import subprocess
import time
import urllib.error
import urllib.request

import boto3
import botocore.config
from botocore.exceptions import ClientError

import harness

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_value(text):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", text):
        raise ValueError(f"not a sample value: {text!r}")
    return float(text)


def parse_labels(text, line):
    """{a="x",b="y\\"z"} -> {"a": "x", "b": 'y"z'}; escapes \\\\, \\" and \\n only."""
    labels, i = {}, 1
    assert text[0] == "{", line
    while text[i] != "}":
        m = re.match(LABEL_NAME, text[i:])
        assert m, f"bad label name in {line!r}"
        name = m.group(0)
        i += len(name)
        assert text[i:i + 2] == '="', f"bad label in {line!r}"
        i += 2
        value = []
        while text[i] != '"':
            if text[i] == "\\":
                esc = text[i + 1]
                assert esc in '\\"n', f"bad escape in {line!r}"
                value.append({"\\": "\\", '"': '"', "n": "\n"}[esc])
                i += 2
            else:
                assert text[i] != "\n", line
                value.append(text[i])
                i += 1
        i += 1
        assert name not in labels, f"label {name} twice in {line!r}"
        labels[name] = "".join(value)
        if text[i] == ",":
            i += 1
            assert text[i] != "}", f"trailing comma in {line!r}"
        else:
            assert text[i] == "}", f"bad label list in {line!r}"
    assert i == len(text) - 1, f"text after labels in {line!r}"
    return labels


def family_of(name, types):
    """The declared family a sample name belongs to (a histogram's _bucket, _sum, _count)."""
    if name in types:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[:-len(suffix)]) in ("histogram", "summary"):
            return name[:-len(suffix)]
    raise AssertionError(f"sample {name} before (or without) its # TYPE")


def parse_exposition(text):
    """Every line a comment, blank, or `name{labels} value`; # HELP and # TYPE once per
    family, before its samples; a family's samples together; no series twice; counters
    end in _total and never go below 0; each histogram's buckets cumulative, ordered by le,
    ending in le="+Inf" equal to its _count. Returns {(name, frozenset(labels)): value}."""
    assert text.endswith("\n"), "the exposition must end with a line feed"
    types, helps, samples, done, current = {}, {}, {}, set(), None
    for line in text[:-1].split("\n"):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                assert re.fullmatch(NAME, name), line
                seen = types if parts[1] == "TYPE" else helps
                assert name not in seen, f"second # {parts[1]} for {name}"
                if parts[1] == "TYPE":
                    assert len(parts) == 4 and parts[3] in TYPES, line
                    types[name] = parts[3]
                else:
                    helps[name] = parts[3] if len(parts) == 4 else ""
            continue
        m = re.fullmatch(rf"({NAME})(\{{.*\}})? (\S+)( -?[0-9]+)?", line)
        assert m, f"not a sample line: {line!r}"
        name, labels = m.group(1), parse_labels(m.group(2), line) if m.group(2) else {}
        value = parse_value(m.group(3))
        family = family_of(name, types)
        if family != current:
            assert family not in done, f"samples of {family} are not together"
            if current:
                done.add(current)
            current = family
        key = (name, frozenset(labels.items()))
        assert key not in samples, f"series twice: {line!r}"
        samples[key] = value
        if types[family] == "counter":
            assert family.endswith("_total"), f"counter {family} does not end in _total"
            assert value >= 0, line
    for family, kind in types.items():
        if kind == "histogram":
            check_histogram(family, samples)
    return samples


def check_histogram(family, samples):
    series = {}
    for (name, labels), value in samples.items():
        if name == family + "_bucket":
            rest = frozenset((k, v) for k, v in labels if k != "le")
            le = dict(labels)["le"]
            series.setdefault(rest, []).append((parse_value(le), value))
    for (name, labels), value in samples.items():
        if name == family + "_count":
            assert labels in series, f"{family}_count without buckets"
    for rest, buckets in series.items():
        order = [le for le, _ in buckets]
        assert order == sorted(order) and len(set(order)) == len(order), f"{family} le out of order"
        assert math.isinf(order[-1]), f"{family} does not end with le=\"+Inf\""
        counts = [c for _, c in buckets]
        assert counts == sorted(counts), f"{family} buckets are not cumulative: {counts}"
        assert samples[(family + "_count", rest)] == counts[-1], f"{family} +Inf != _count"
        assert (family + "_sum", rest) in samples, f"{family} without _sum"


def get(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0)


def series(samples, name, **labels):
    """Sum of every series of name whose labels include these."""
    want = set(labels.items())
    return sum(v for (n, l), v in samples.items() if n == name and want <= set(l))


class ParserIsStrict(harness.unittest.TestCase):
    """The reader must refuse what Prometheus refuses, or its passing says nothing."""

    GOOD = ("# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 2\n"
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 3\nh_sum 0.5\nh_count 3\n")

    def test_good_parses(self):
        s = parse_exposition(self.GOOD)
        self.assertEqual(get(s, "a_total", x="1"), 2)
        self.assertEqual(get(s, "h_count"), 3)

    def test_bad_refused(self):
        bad = [
            "a_total 1\n",                                                  # no TYPE first
            "# TYPE a counter\na 1\n",                                      # counter without _total
            "# TYPE a_total counter\na_total{x=1} 1\n",                     # unquoted value
            "# TYPE a_total counter\na_total{x=\"1\"} one\n",               # bad value
            "# TYPE a_total counter\na_total 1\na_total 2\n",               # series twice
            "# TYPE a_total counter\na_total{x=\"\\q\"} 1\n",               # bad escape
            "# TYPE a_total counter\na_total 1",                            # no final line feed
            "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",   # no +Inf
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",  # +Inf != count
            "# TYPE a_total counter\n# TYPE b_total counter\na_total 1\nb_total 1\na_total{x=\"2\"} 1\n",
            "# TYPE a_total counter\na_total 1\n# TYPE a_total counter\n",
        ]
        for text in bad:
            with self.subTest(text=text):
                with self.assertRaises((AssertionError, ValueError, IndexError, KeyError)):
                    parse_exposition(text)


class Metrics(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.server_started = time.time()
        super().setUpClass()
        s = cls.server
        cls.kms = s.client("kms")
        cls.iam = s.client("iam")
        cls.key = cls.kms.create_key()["KeyMetadata"]["KeyId"]
        allow = {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt",
                                              "kms:CreateAlias"], "Resource": "*"}
        cls.allowed_arn, k, sk = s.user("metrics-allowed", allow)
        cls.allowed = s.client("kms", key=k, secret=sk)
        _, k, sk = s.user("metrics-nothing")
        cls.nothing = s.client("kms", key=k, secret=sk)
        _, k, sk = s.user("metrics-denied", {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
                          {"Effect": "Deny", "Action": "kms:GenerateDataKey", "Resource": "*"})
        cls.denied = s.client("kms", key=k, secret=sk)
        # a key whose policy denies the allowed user what its identity policy allows
        cls.guarded = cls.kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{harness.ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": cls.allowed_arn},
             "Action": "kms:GenerateDataKey", "Resource": "*"}]}))["KeyMetadata"]["KeyId"]
        # warm every cache once, so the counted calls below find them as they will
        cls.allowed.generate_data_key(KeyId=cls.key, KeySpec="AES_256")
        for client, key in ((cls.nothing, cls.key), (cls.denied, cls.key), (cls.allowed, cls.guarded)):
            with harness.unittest.TestCase().assertRaises(ClientError):
                client.generate_data_key(KeyId=key, KeySpec="AES_256")

    def scrape(self, server=None):
        server = server or self.server
        with urllib.request.urlopen(server.endpoint + "/_custos/metrics", timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
            return parse_exposition(r.read().decode("utf-8"))

    def denied_code(self, fn):
        with self.assertRaises(ClientError) as cm:
            fn()
        return self.error_code(cm.exception)

    def test_calls_move_counters_by_exactly_what_was_done(self):
        gdk = dict(service="kms", operation="GenerateDataKey")
        missing = "11111111-2222-3333-4444-555555555555"
        before = self.scrape()
        for _ in range(5):
            self.allowed.generate_data_key(KeyId=self.key, KeySpec="AES_256")
        for _ in range(2):
            self.assertEqual(self.denied_code(
                lambda: self.nothing.generate_data_key(KeyId=self.key, KeySpec="AES_256")),
                "AccessDeniedException")
        self.assertEqual(self.denied_code(
            lambda: self.denied.generate_data_key(KeyId=self.key, KeySpec="AES_256")),
            "AccessDeniedException")
        self.assertEqual(self.denied_code(
            lambda: self.allowed.generate_data_key(KeyId=self.guarded, KeySpec="AES_256")),
            "AccessDeniedException")
        for _ in range(3):
            self.assertEqual(self.denied_code(
                lambda: self.allowed.generate_data_key(KeyId=missing, KeySpec="AES_256")),
                "NotFoundException")
        bad_secret = self.server.client("kms", key=harness.ROOT_KEY, secret="wrong" * 8)
        self.assertEqual(self.denied_code(
            lambda: bad_secret.generate_data_key(KeyId=self.key, KeySpec="AES_256")),
            "InvalidSignatureException")
        self.assertEqual(self.denied_code(lambda: self.iam.get_user(UserName="metrics-nobody")),
                         "NoSuchEntity")
        after = self.scrape()

        def delta(name, **labels):
            return get(after, name, **labels) - get(before, name, **labels)

        self.assertEqual(delta("custos_requests_total", outcome="allowed", **gdk), 5)
        self.assertEqual(delta("custos_requests_total", outcome="denied", **gdk), 4)
        self.assertEqual(delta("custos_requests_total", outcome="failed", **gdk), 4)
        denied = "custos_requests_denied_total"
        self.assertEqual(delta(denied, policy="identity", deny="implicit", **gdk), 2)
        self.assertEqual(delta(denied, policy="identity", deny="explicit", **gdk), 1)
        self.assertEqual(delta(denied, policy="resource", deny="explicit", **gdk), 1)
        self.assertEqual(series(after, denied, **gdk) - series(before, denied, **gdk), 4)
        failed = "custos_requests_failed_total"
        self.assertEqual(delta(failed, code="NotFoundException", **gdk), 3)
        self.assertEqual(delta(failed, code="InvalidSignatureException", **gdk), 1)
        self.assertEqual(series(after, failed, **gdk) - series(before, failed, **gdk), 4)
        self.assertEqual(delta(failed, service="iam", operation="GetUser", code="NoSuchEntity"), 1)
        self.assertEqual(delta("custos_requests_total", service="iam", operation="GetUser",
                               outcome="failed"), 1)
        # every call timed once, in its operation's histogram
        hist = "custos_request_duration_seconds"
        self.assertEqual(delta(hist + "_count", **gdk), 13)
        self.assertEqual(delta(hist + "_bucket", le="+Inf", **gdk), 13)
        self.assertGreater(delta(hist + "_sum", **gdk), 0)
        self.assertLess(delta(hist + "_sum", **gdk), 13 * 5)
        # one record per call; nothing failed to be written
        self.assertEqual(delta("custos_audit_records_written_total"), 14)
        self.assertEqual(delta("custos_audit_write_failures_total"), 0)
        # each signed call looked its signing key up once (the bad one among them), each
        # authenticated caller's long-term key once; the caches were warm
        hits = "custos_cache_hits_total"
        misses = "custos_cache_misses_total"
        self.assertEqual(delta(hits, cache="sigv4_signing_key") +
                         delta(misses, cache="sigv4_signing_key"), 14)
        self.assertEqual(delta(hits, cache="principal") + delta(misses, cache="principal"), 14)
        self.assertEqual(delta(misses, cache="principal"), 0)
        # nine calls found their key cached; the three of a key that does not exist missed
        self.assertEqual(delta(hits, cache="kms_key"), 9)
        self.assertEqual(delta(misses, cache="kms_key"), 3)
        # read-only calls commit nothing
        self.assertEqual(delta("custos_store_commits_total"), 0)

    def test_mutation_commits_and_syncs(self):
        before = self.scrape()
        self.allowed.create_alias(AliasName="alias/metrics-one", TargetKeyId=self.key)
        after = self.scrape()

        def delta(name, **labels):
            return get(after, name, **labels) - get(before, name, **labels)

        self.assertEqual(delta("custos_requests_total", service="kms", operation="CreateAlias",
                               outcome="allowed"), 1)
        self.assertEqual(delta("custos_store_commits_total"), 1)
        self.assertEqual(delta("custos_audit_records_written_total"), 1)
        # the record was made durable before the commit: at least one fdatasync since
        self.assertGreaterEqual(delta("custos_audit_sync_seconds_count"), 1)
        self.assertEqual(delta("custos_audit_sync_failures_total"), 0)
        self.assertEqual(delta("custos_store_conflicts_total"), 0)

    def test_unrouted_calls_counted_by_their_protocols_code(self):
        before = self.scrape()
        # a JSON call naming no operation, and a Query call naming none
        for body, headers in ((b"{}", {"X-Amz-Target": "TrentService.NoSuchThing",
                                      "Content-Type": "application/x-amz-json-1.1"}),
                              (b"Action=NoSuchThing&Version=2010-05-08",
                               {"Content-Type": "application/x-www-form-urlencoded"})):
            req = urllib.request.Request(self.server.endpoint + "/", data=body, method="POST",
                                         headers=headers)
            with self.assertRaises(urllib.error.HTTPError):
                urllib.request.urlopen(req, timeout=10)
        after = self.scrape()
        unknown = dict(service="unknown", operation="unknown")

        def delta(name, **labels):
            return get(after, name, **labels) - get(before, name, **labels)

        self.assertEqual(delta("custos_requests_total", outcome="failed", **unknown), 2)
        self.assertEqual(delta("custos_requests_failed_total", code="UnknownOperationException",
                               **unknown) + delta("custos_requests_failed_total",
                                                  code="InvalidAction", **unknown), 2)
        self.assertEqual(delta("custos_requests_failed_total", code="UnknownOperationException",
                               **unknown), 1)
        self.assertEqual(delta("custos_request_duration_seconds_count", **unknown), 2)

    def test_scrape_is_not_a_call(self):
        first = self.scrape()
        second = self.scrape()
        for name in ("custos_requests_total", "custos_audit_records_written_total",
                     "custos_request_duration_seconds_count"):
            self.assertEqual(series(first, name), series(second, name), name)

    def test_process_metrics(self):
        s = self.scrape()
        now = time.time()
        start = get(s, "process_start_time_seconds")
        self.assertLess(abs(start - self.server_started), 60)
        self.assertLess(start, now)
        self.assertGreater(get(s, "process_cpu_seconds_total"), 0)
        self.assertGreater(get(s, "process_resident_memory_bytes"), 1 << 20)
        self.assertGreaterEqual(get(s, "process_virtual_memory_bytes"),
                                get(s, "process_resident_memory_bytes"))
        self.assertGreater(get(s, "process_open_fds"), 3)
        self.assertGreaterEqual(get(s, "process_max_fds"), get(s, "process_open_fds"))

    def test_query_string_or_post_is_not_the_endpoint(self):
        # only GET /_custos/metrics without a query is; anything else is an AWS request,
        # which unsigned fails as AWS fails it
        for req in (urllib.request.Request(self.server.endpoint + "/_custos/metrics?x=1"),
                    urllib.request.Request(self.server.endpoint + "/_custos/metrics", data=b"",
                                           method="POST")):
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(req, timeout=10)
            self.assertNotIn(b"custos_requests_total", cm.exception.read())

class AuditFailures(harness.unittest.TestCase):
    """A trail made immutable (chattr +i, as test_audit_failures does): every call whose
    record cannot be written counts one write failure and fails as InternalFailure."""

    def test_write_failures_counted(self):
        srv = harness.Server().start()
        trail = os.path.join(srv.data_dir, "audit.log")
        try:
            # one attempt per call: botocore would send a call that got a 500 again
            iam = boto3.client("iam", endpoint_url=srv.endpoint, region_name=harness.REGION,
                               aws_access_key_id=harness.ROOT_KEY,
                               aws_secret_access_key=harness.ROOT_SECRET,
                               config=botocore.config.Config(retries={"total_max_attempts": 1}))
            iam.create_user(UserName="before")
            subprocess.run(["chattr", "+i", trail], check=True)
            try:
                deadline = time.time() + 10
                while time.time() < deadline:
                    try:
                        urllib.request.urlopen(srv.endpoint + "/_custos/health", timeout=5)
                    except urllib.error.HTTPError as e:
                        self.assertEqual(e.code, 503)
                        break
                    time.sleep(0.05)
                else:
                    self.fail("health never answered 503")
                before = Metrics.scrape(self, srv)
                for i in range(3):
                    with self.assertRaises(ClientError) as cm:
                        iam.create_user(UserName=f"refused-{i}")
                    self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)
                after = Metrics.scrape(self, srv)
            finally:
                subprocess.run(["chattr", "-i", trail], check=True)
        finally:
            srv.cleanup()

        def delta(name, **labels):
            return get(after, name, **labels) - get(before, name, **labels)

        self.assertEqual(delta("custos_audit_write_failures_total"), 3)
        self.assertEqual(delta("custos_audit_records_written_total"), 0)
        self.assertEqual(delta("custos_store_commits_total"), 0)
        self.assertEqual(delta("custos_requests_failed_total", service="iam", operation="CreateUser",
                               code="ServiceFailure"), 3)


if __name__ == "__main__":
    harness.main()
