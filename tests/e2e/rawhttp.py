"""Hand-made requests for the tests that must send what an SDK never would:
unsigned or mis-signed requests, skewed clocks, malformed bodies."""
import datetime
import http.client
import json
import urllib.parse

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import harness


class SignedAt(SigV4Auth):
    """SigV4 with a chosen signing time (botocore's add_auth, with the clock replaced)."""

    def __init__(self, credentials, service, region, when):
        super().__init__(credentials, service, region)
        self.when = when

    def add_auth(self, request):
        request.context["timestamp"] = self.when.strftime("%Y%m%dT%H%M%SZ")
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical)
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def build(server, service, body, headers=None, key=harness.ROOT_KEY, secret=harness.ROOT_SECRET,
          when=None, sign=True, region=harness.REGION, method="POST", path="/"):
    headers = dict(headers or {})
    req = AWSRequest(method=method, url=server.endpoint + path, data=body, headers=headers)
    if sign:
        SignedAt(Credentials(key, secret), service, region, when or now()).add_auth(req)
    return req


def send(server, req):
    """Send an AWSRequest; returns (status, headers, body bytes)."""
    u = urllib.parse.urlsplit(req.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    target = u.path + ("?" + u.query if u.query else "")
    body = req.body if isinstance(req.body, (bytes, type(None))) else req.body.encode()
    conn.request(req.method, target, body=body, headers=dict(req.headers.items()))
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), data


def query(server, params, **kw):
    body = urllib.parse.urlencode(params)
    hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    service = kw.pop("service", "iam")
    return send(server, build(server, service, body, hdrs, **kw))


def kms(server, op, payload, **kw):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    hdrs = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"TrentService.{op}"}
    hdrs.update(kw.pop("headers", {}))
    return send(server, build(server, "kms", body, hdrs, **kw))


def presigned_url(server, service, params, expires=60, key=harness.ROOT_KEY, secret=harness.ROOT_SECRET):
    url = server.endpoint + "/?" + urllib.parse.urlencode(params)
    req = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(Credentials(key, secret), service, harness.REGION, expires=expires).add_auth(req)
    return req
