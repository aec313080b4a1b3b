"""The HTTP layer itself (issue 7): connection exhaustion, connection limits, slowloris,
request smuggling through Content-Length, AWS-shaped answers to framing errors, draining at
SIGTERM, and the HTTP/1.1 features clients rely on (keep-alive, pipelining, HTTP/1.0,
Expect: 100-continue, chunked uploads). Loopback only, with bounded counts and times."""
import json
import os
import re
import resource
import select
import signal
import socket
import threading
import time
import unittest
import urllib.parse

import harness
import rawhttp

STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def exchange(port, data, timeout=10, source="127.0.0.1"):
    """Send data on a fresh connection, half-close, and read until the server closes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass   # the server may refuse (and close) before everything was sent
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except OSError:
            pass
        return out
    finally:
        s.close()


def read_response(sock, buf=b""):
    """One HTTP response from sock: (status, headers dict lower-cased, body, rest)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed before a response head: %r" % buf)
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed inside a response body")
        rest += chunk
    return status, headers, rest[:n], rest[n:]


def serialize(req, drop=(), extra=(), body=None, version="HTTP/1.1"):
    """An AWSRequest (rawhttp.build) as raw bytes, with headers dropped or added."""
    u = urllib.parse.urlsplit(req.url)
    target = u.path + ("?" + u.query if u.query else "")
    payload = req.body if body is None else body
    if isinstance(payload, str):
        payload = payload.encode()
    payload = payload or b""
    lines = [f"{req.method} {target} {version}", f"Host: {u.hostname}:{u.port}"]
    for k, v in req.headers.items():
        if k.lower() not in [d.lower() for d in drop] and k.lower() != "host":
            lines.append(f"{k}: {v}")
    names = [e.split(":")[0].lower() for e in extra]
    if "content-length" not in [d.lower() for d in drop] and "content-length" not in names \
            and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {len(payload)}")
    lines += list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (payload if body is None else b"")


def sts_request(server):
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    return rawhttp.build(server, "sts", body,
                         {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})


def closed_by_server(sock, timeout):
    """Whether the server closes sock within timeout (seconds)."""
    r, _, _ = select.select([sock], [], [], timeout)
    if not r:
        return False
    try:
        return sock.recv(1) == b""
    except OSError:
        return True


class Exhaustion(unittest.TestCase):
    """Issue 7 item 1: idle connections must never stop the server."""

    def setUp(self):
        raise_fd_limit()

    def served(self, srv):
        sts = srv.client("sts", connect_timeout=3, read_timeout=5)
        self.assertEqual(sts.get_caller_identity()["Account"], harness.ACCOUNT)
        status, _, body = rawhttp.send(srv, rawhttp.build(srv, "sts", None, sign=False, method="GET",
                                                          path="/_custos/health"))
        self.assertEqual(status, 200, body)

    def test_thousands_of_idle_connections_then_served(self):
        srv = harness.Server().start()
        try:
            # more than the ~1,040 that stopped the libmicrohttpd server for good; fewer
            # under valgrind, whose server accepts too slowly to keep the backlog short
            n = 1500 if os.environ.get("CUSTOS_UNDER_VALGRIND") else 3000
            socks = []
            for _ in range(n):
                try:
                    socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=2))
                except OSError:
                    pass   # a full backlog may refuse a few: that is not the point here
            self.assertGreater(len(socks), n * 2 // 3)
            for s in socks:
                s.close()
            self.served(srv)
            time.sleep(0.3)
            self.served(srv)
            # item 12: no per-connection log lines; what is there is timestamped
            log = [line for line in srv.read_log().splitlines()
                   if not re.match(r"^(==|--)\d+(==|--)", line)]   # valgrind's own lines
            self.assertLess(len(log), 20, log[-20:])
            for line in log:
                self.assertRegex(line, r"^\d{4}-\d\d-\d\dT")
            # and SIGTERM still stops it with hundreds of idle connections open
            socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(500)]
            start = time.monotonic()
            srv.proc.send_signal(signal.SIGTERM)
            self.assertEqual(srv.proc.wait(timeout=20), 0)
            self.assertLess(time.monotonic() - start, 10.0 if os.environ.get("CUSTOS_UNDER_VALGRIND") else 2.0)
            for s in socks:
                s.close()
        finally:
            srv.cleanup()

    def test_global_limit_closes_extras_and_recovers(self):
        srv = harness.Server(extra_args=["--max-connections", "50",
                                         "--max-connections-per-source", "1000",
                                         "--header-timeout", "60"]).start()
        try:
            time.sleep(0.3)   # the health probes' connections are gone
            socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(80)]
            time.sleep(0.5)
            closed = [s for s in socks if closed_by_server(s, 0)]
            self.assertEqual(len(closed), 30)
            # at the limit, a new connection is closed too
            with self.assertRaises(Exception):
                srv.client("sts", connect_timeout=2, read_timeout=2).get_caller_identity()
            for s in socks:
                s.close()
            time.sleep(0.3)
            self.served(srv)
        finally:
            srv.cleanup()

    def test_per_source_limit(self):
        srv = harness.Server(extra_args=["--max-connections-per-source", "20",
                                         "--header-timeout", "60"]).start()
        try:
            time.sleep(0.3)
            socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(40)]
            time.sleep(0.5)
            closed = [s for s in socks if closed_by_server(s, 0)]
            self.assertEqual(len(closed), 20)
            # another source address is not affected (loopback is all of 127/8)
            out = exchange(srv.port, b"GET /_custos/health HTTP/1.1\r\nHost: x\r\n\r\n",
                           source="127.0.0.2")
            self.assertTrue(out.startswith(b"HTTP/1.1 200 "), out)
            self.assertEqual(exchange(srv.port, b"GET /_custos/health HTTP/1.1\r\nHost: x\r\n\r\n"),
                             b"")
            for s in socks:
                s.close()
            time.sleep(0.3)
            self.served(srv)
        finally:
            srv.cleanup()


class Slowloris(unittest.TestCase):
    """Issue 7 item 1: a client sending a head a byte a second is cut off."""

    def test_slow_heads_are_closed_within_the_header_timeout(self):
        raise_fd_limit()
        srv = harness.Server(extra_args=["--header-timeout", "2"]).start()
        try:
            head = b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
            socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(200)]
            start = time.time()
            open_ = list(socks)
            i = 0
            while open_ and time.time() - start < 6:
                still = []
                for s in open_:
                    try:
                        s.send(head[i:i + 1])
                        still.append(s)
                    except OSError:
                        pass
                open_ = [s for s in still if not closed_by_server(s, 0)]
                if i == 1:
                    # a normal request is served meanwhile
                    self.assertEqual(srv.client("sts").get_caller_identity()["Account"], harness.ACCOUNT)
                i += 1
                time.sleep(1)
            elapsed = time.time() - start
            self.assertEqual(open_, [], "slow connections still open after %.1f s" % elapsed)
            self.assertLess(elapsed, 5.5)
            for s in socks:
                s.close()
            self.assertEqual(srv.client("sts").get_caller_identity()["Account"], harness.ACCOUNT)
        finally:
            srv.cleanup()


    def test_slow_bodies_are_closed_within_the_body_timeout(self):
        srv = harness.Server(extra_args=["--body-timeout", "2"]).start()
        try:
            socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(20)]
            for s in socks:
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
            start = time.time()
            open_ = list(socks)
            while open_ and time.time() - start < 6:
                for s in open_:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass
                open_ = [s for s in open_ if not closed_by_server(s, 0)]
                time.sleep(1)
            self.assertEqual(open_, [], "slow bodies still open after %.1f s" % (time.time() - start))
            for s in socks:
                s.close()
            self.assertEqual(srv.client("sts").get_caller_identity()["Account"], harness.ACCOUNT)
        finally:
            srv.cleanup()


class Framing(harness.ServerTest):
    """Issue 7 items 3 and 5: one clean, AWS-shaped answer to every framing error; nothing
    after it is read as a request."""

    server_args = ("--max-body-bytes", "65536", "--max-header-bytes", "8192")

    def assert_one_error(self, out, status, json_shape=False):
        statuses = STATUS_LINE.findall(out)
        self.assertEqual(statuses, [str(status).encode()], out[:600])
        self.assertNotIn(b"<html", out.lower())
        head, _, body = out.partition(b"\r\n\r\n")
        self.assertIn(b"\r\nconnection: close", head.lower())
        if json_shape:
            self.assertIn("__type", json.loads(body))
        else:
            self.assertIn(b"<ErrorResponse", body)
            self.assertIn(b"<Code>", body)
        self.served()
        return body

    def served(self):
        self.assertEqual(self.server.client("sts").get_caller_identity()["Account"], harness.ACCOUNT)

    def test_conflicting_content_lengths_do_not_smuggle(self):
        smuggled = b"GET /_custos/health HTTP/1.1\r\nHost: x\r\n\r\n"
        data = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: "
                + str(5 + len(smuggled)).encode() + b"\r\n\r\nhello" + smuggled)
        out = exchange(self.server.port, data)
        self.assert_one_error(out, 400)
        self.assertNotIn(b'"status"', out)

    def test_bad_content_length_values(self):
        for value in (b"-1", b"abc", b"18446744073709551616", b"43, 43", b"+43"):
            with self.subTest(value=value):
                out = exchange(self.server.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
                               + value + b"\r\n\r\n" + b"x" * 43)
                body = self.assert_one_error(out, 400)
                self.assertIn(b"Content-Length", body)

    def test_identical_duplicate_content_lengths_are_one(self):
        # RFC 9112 §6.3 lets a recipient take identical repeats as one value: custos does
        req = sts_request(self.server)
        n = len(req.body)
        data = serialize(req, extra=[f"Content-Length: {n}", f"Content-Length: {n}"])
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        try:
            s.sendall(data)
            status, _, body, _ = read_response(s)
        finally:
            s.close()
        self.assertEqual(status, 200, body)
        self.assertIn(b"GetCallerIdentityResult", body)

    def test_oversized_and_malformed_heads(self):
        port = self.server.port
        cases = [
            ("64 KiB header", b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n", 431),
            ("10,000 headers", b"POST / HTTP/1.1\r\nHost: x\r\n" + b"X-H: v\r\n" * 10000 + b"\r\n", 431),
            ("100 KB URI", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            ("bad request line", b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("garbage", b"\x00\x01\x02garbage\r\n\r\n", 400),
            ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("HTTP/1.x", b"GET / HTTP/1.x\r\nHost: x\r\n\r\n", 400),
            ("folded header", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
            ("bad chunk size", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
            ("chunked over the limit", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             + b"8000\r\n" + b"a" * 0x8000 + b"\r\n" + b"8001\r\n" + b"a" * 0x8001 + b"\r\n0\r\n\r\n", 413),
            ("gzip coding", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("length and chunked", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ]
        for name, data, status in cases:
            with self.subTest(case=name):
                self.assert_one_error(exchange(port, data), status)
            # with X-Amz-Target (sent first, as SDKs do) the JSON 1.1 shape; a request line
            # too long to read ends before any header could say so
            if data.startswith((b"GET /", b"POST /")) and status != 414:
                line, _, rest = data.partition(b"\r\n")
                json_data = line + b"\r\nX-Amz-Target: TrentService.ListKeys\r\n" + rest
                with self.subTest(case=name + " (JSON)"):
                    self.assert_one_error(exchange(port, json_data), status, json_shape=True)

    def test_refusals_are_audited(self):
        exchange(self.server.port, b"GET / HTTP/2.0\r\nHost: x\r\n\r\n")
        codes = [r.get("errorCode") for r in self.server.audit_records()]
        self.assertIn("HttpVersionNotSupported", codes)


class Features(harness.ServerTest):
    """Keep-alive, pipelining, HTTP/1.0, Expect: 100-continue, chunked uploads."""

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.server.port), timeout=10)

    def test_keep_alive_and_pipelining(self):
        s = self.connect()
        try:
            s.sendall(serialize(sts_request(self.server)))
            status, headers, body, rest = read_response(s)
            self.assertEqual(status, 200, body)
            self.assertNotIn("connection", headers)
            self.assertTrue(headers["x-amzn-requestid"])
            # the Date header is the time of day (clients correct their signing clock by it)
            import email.utils
            sent = email.utils.parsedate_to_datetime(headers["date"]).timestamp()
            self.assertLess(abs(sent - time.time()), 60, headers["date"])
            # two requests in one write: two answers, in order
            s.sendall(b"GET /_custos/health HTTP/1.1\r\nHost: x\r\n\r\n" + serialize(sts_request(self.server)))
            status, _, first, rest = read_response(s, rest)
            self.assertEqual((status, json.loads(first)["status"]), (200, "ok"))
            status, _, second, rest = read_response(s, rest)
            self.assertEqual(status, 200)
            self.assertIn(b"GetCallerIdentityResult", second)
            # Connection: close is honoured
            s.sendall(b"GET /_custos/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            status, headers, _, rest = read_response(s, rest)
            self.assertEqual(headers.get("connection"), "close")
            self.assertEqual(rest + s.recv(100), b"")
        finally:
            s.close()

    def test_requests_ready_together_each_get_their_own_answers(self):
        """A worker answers the requests of a batch of ready connections before it writes
        their responses (http_worker.c): each connection must still get its own answers,
        in order, pipelined ones and a close included, with a slow write call among them."""
        iam_body = "Action=CreateUser&UserName=batch-user&Version=2010-05-08"
        create = serialize(rawhttp.build(self.server, "iam", iam_body,
                                         {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}))
        health = b"GET /_custos/health HTTP/1.1\r\nHost: x\r\n\r\n"
        requests = {"sts": serialize(sts_request(self.server)),
                    "pipelined": serialize(sts_request(self.server)) + health,
                    "close": b"GET /_custos/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    "create": create}
        kinds = ["sts", "create"] + [("sts", "pipelined", "close")[i % 3] for i in range(14)]
        plans = [(kind, requests[kind]) for kind in kinds]
        socks = [self.connect() for _ in plans]
        try:
            # everything is sent before anything is read: the requests arrive together
            for s, (_, data) in zip(socks, plans):
                s.sendall(data)
            for s, (kind, _) in zip(socks, plans):
                status, headers, body, rest = read_response(s)
                self.assertEqual(status, 200, (kind, body))
                if kind in ("sts", "pipelined"):
                    self.assertIn(b"GetCallerIdentityResult", body)
                if kind == "pipelined":
                    status, _, second, rest = read_response(s, rest)
                    self.assertEqual((status, json.loads(second)["status"]), (200, "ok"))
                if kind == "close":
                    self.assertEqual(headers.get("connection"), "close")
                    self.assertTrue(closed_by_server(s, 5))
                if kind == "create":
                    self.assertIn(b"<UserName>batch-user</UserName>", body)
                self.assertEqual(rest, b"")
        finally:
            for s in socks:
                s.close()

    def test_http_1_0(self):
        out = exchange(self.server.port, b"GET /_custos/health HTTP/1.0\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 200 "), out)
        self.assertIn(b"\r\nConnection: close\r\n", out)
        s = self.connect()
        try:
            for _ in range(2):
                s.sendall(b"GET /_custos/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                status, headers, _, rest = read_response(s)
                self.assertEqual((status, headers.get("connection")), (200, "keep-alive"))
        finally:
            s.close()

    def test_expect_100_continue(self):
        req = sts_request(self.server)
        data = serialize(req, extra=["Expect: 100-continue", f"Content-Length: {len(req.body)}"],
                         body=b"")
        s = self.connect()
        try:
            s.sendall(data)
            interim = b""
            while b"\r\n\r\n" not in interim:
                interim += s.recv(1)
            self.assertEqual(interim, b"HTTP/1.1 100 Continue\r\n\r\n")
            s.sendall(req.body)
            status, _, body, _ = read_response(s)
            self.assertEqual(status, 200, body)
        finally:
            s.close()

    def test_chunked_upload_of_a_signed_call(self):
        key = self.server.client("kms").create_key()["KeyMetadata"]["KeyId"]
        req = rawhttp.build(self.server, "kms", json.dumps({"KeyId": key}),
                            {"Content-Type": "application/x-amz-json-1.1",
                             "X-Amz-Target": "TrentService.DescribeKey"})
        body = req.body
        chunks = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7])
                          for i in range(0, len(body), 7)) + b"0\r\nX-Trailer: t\r\n\r\n"
        data = serialize(req, extra=["Transfer-Encoding: chunked"], body=b"") + chunks
        s = self.connect()
        try:
            s.sendall(data)
            status, _, out, _ = read_response(s)
        finally:
            s.close()
        self.assertEqual(status, 200, out)
        self.assertEqual(json.loads(out)["KeyMetadata"]["KeyId"], key)


class Tls(unittest.TestCase):
    """The same connection machinery over OpenSSL: kept-alive calls with bodies, pipelining,
    and junk on the TLS port."""

    def test_tls_keep_alive_pipelining_and_junk(self):
        import shutil
        import ssl
        import subprocess
        import tempfile
        import boto3
        import botocore.config
        d = tempfile.mkdtemp(prefix="custos-tls-")
        try:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", d + "/key.pem", "-out", d + "/cert.pem"], check=True, capture_output=True)
            srv = harness.Server(extra_args=["--tls-cert", d + "/cert.pem", "--tls-key", d + "/key.pem"]).start()
            try:
                kms = boto3.client("kms", endpoint_url=srv.endpoint, region_name=harness.REGION,
                                   aws_access_key_id=harness.ROOT_KEY, aws_secret_access_key=harness.ROOT_SECRET,
                                   verify=d + "/cert.pem", config=botocore.config.Config(retries={"max_attempts": 1}))
                key = kms.create_key()["KeyMetadata"]["KeyId"]
                for _ in range(5):
                    plain = os.urandom(4096)
                    blob = kms.encrypt(KeyId=key, Plaintext=plain)["CiphertextBlob"]
                    self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], plain)
                for junk in (b"\x16\x03\x01\xff\xffgarbage", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"):
                    out = exchange(srv.port, junk)
                    self.assertNotIn(b"HTTP/1.1", out)
                ctx = ssl.create_default_context(cafile=d + "/cert.pem")
                with ctx.wrap_socket(socket.create_connection(("127.0.0.1", srv.port), timeout=10),
                                     server_hostname="127.0.0.1") as s:
                    s.sendall(b"GET /_custos/health HTTP/1.1\r\nHost: x\r\n\r\n" * 2)
                    status, _, _, rest = read_response(s)
                    self.assertEqual(status, 200)
                    status, _, _, _ = read_response(s, rest)
                    self.assertEqual(status, 200)
                self.assertEqual(kms.list_keys()["Keys"][0]["KeyId"], key)
            finally:
                srv.cleanup()
        finally:
            shutil.rmtree(d, ignore_errors=True)


class Drain(unittest.TestCase):
    """Issue 7 item 8: SIGTERM answers what is in flight, and an idle server stops fast."""

    def test_sigterm_under_load_answers_every_request(self):
        srv = harness.Server().start()
        try:
            n = 40
            sent = threading.Semaphore(0)
            answers = [None] * n

            def call(i):
                body = urllib.parse.urlencode({"Action": "CreateUser", "Version": "2010-05-08",
                                               "UserName": f"drain{i}"})
                req = rawhttp.build(srv, "iam", body, {"Content-Type": "application/x-www-form-urlencoded"})
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
                try:
                    s.sendall(serialize(req))
                    sent.release()
                    try:
                        answers[i] = read_response(s)[0]
                    except (AssertionError, OSError) as e:
                        answers[i] = e
                finally:
                    s.close()

            threads = [threading.Thread(target=call, args=(i,)) for i in range(n)]
            for t in threads:
                t.start()
            for _ in range(n):
                self.assertTrue(sent.acquire(timeout=30))
            srv.proc.send_signal(signal.SIGTERM)
            for t in threads:
                t.join(60)
            self.assertEqual(srv.proc.wait(timeout=30), 0)
            for i, a in enumerate(answers):
                self.assertIsInstance(a, int, f"request {i} got no HTTP response: {a!r}")
            srv.start()
            users = {u["UserName"] for u in srv.client("iam").list_users()["Users"]}
            for i, a in enumerate(answers):
                if f"drain{i}" in users:
                    self.assertEqual(a, 200, f"drain{i} exists but was answered {a}")
                else:
                    self.assertNotEqual(a, 200, f"drain{i} was answered 200 but does not exist")
        finally:
            srv.cleanup()

    def test_idle_server_stops_well_under_a_second(self):
        srv = harness.Server().start()
        try:
            time.sleep(3)
            start = time.monotonic()
            srv.proc.send_signal(signal.SIGTERM)
            self.assertEqual(srv.proc.wait(timeout=20), 0)
            elapsed = time.monotonic() - start
            # under valgrind everything is ~20x slower: the bound is the issue's, unvalgrinded
            bound = 10.0 if os.environ.get("CUSTOS_UNDER_VALGRIND") else 1.0
            self.assertLess(elapsed, bound)
        finally:
            srv.cleanup()


if __name__ == "__main__":
    harness.main()
