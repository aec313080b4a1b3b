"""A load generator for requests that must differ from one another (bench/run's write
benchmark and its populated store): wrk replays one signed request, but CreateUser and
CreateKey each have to be a new request, and a new SigV4 signature, every time.

The requests are signed beforehand with botocore (a SigV4 signature stays valid for the
service's clock-skew window, 5 minutes and more) and kept as raw HTTP/1.1 bytes; replay()
then sends them over a fixed number of keep-alive connections, each waiting for its answer
before sending the next (as wrk does), until the list is used up or the time is over, and
measures the wall time, the latency of each request and the statuses. req/s is counted over
the time actually run, so a list used up early gives a shorter run, not a wrong figure.

One Python process drives all the connections (asyncio, no threads): about 30-60 us of CPU
per request, which is small beside a write that waits for an fsync but not beside a cached
read, so the read benchmarks stay with wrk."""
import asyncio
import time
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def presign(endpoint, service, region, key, secret, bodies, headers):
    """Raw HTTP/1.1 requests, one per body, each POST / signed for service with its own
    X-Amz-Date and signature, in the order of bodies."""
    creds = Credentials(key, secret)
    host = urlsplit(endpoint).netloc
    out = []
    for body in bodies:
        req = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=dict(headers))
        SigV4Auth(creds, service, region).add_auth(req)
        data = body.encode()
        lines = [f"POST / HTTP/1.1", f"Host: {host}"]
        lines += [f"{k}: {v}" for k, v in req.headers.items()
                  if k.lower() not in ("host", "content-length")]
        lines.append(f"Content-Length: {len(data)}")
        out.append(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
    return out


async def _read_response(reader):
    """Reads one response; returns (status, body, keep_alive)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip()
    conn = fields.get("connection", "").lower()
    keep = conn != "close" and (version != "HTTP/1.0" or conn == "keep-alive")
    if "content-length" in fields:
        body = await reader.readexactly(int(fields["content-length"]))
    elif fields.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(p[:-2] for p in parts)
    else:
        body, keep = await reader.read(), False
    return int(status), body, keep


async def _replay(host, port, requests, conns, deadline):
    latencies, statuses, errors, first_bad = [], {}, {"connect": 0, "read": 0}, []
    queue = iter(requests)
    sent = [0]

    async def one_connection():
        reader = writer = None
        for raw in queue:
            if time.monotonic() >= deadline:
                break
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                errors["connect"] += 1
                continue
            t0 = time.perf_counter_ns()
            sent[0] += 1
            try:
                writer.write(raw)
                status, body, keep = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors["read"] += 1
                writer.close()
                writer = None
                continue
            latencies.append(time.perf_counter_ns() - t0)
            statuses[status] = statuses.get(status, 0) + 1
            if status != 200 and not first_bad:
                first_bad.append(f"{status} {body[:300].decode(errors='replace')}")
            if not keep:
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(one_connection() for _ in range(conns)))
    return time.perf_counter() - start, latencies, statuses, errors, first_bad, sent[0]


def replay(endpoint, requests, conns=16, seconds=None):
    """Sends requests (from presign) over conns connections, each in turn, until they are
    used up or seconds have passed. Returns the figures in bench/run's row shape (req/s,
    p50/p99 in ms, requests, non-200, socket errors) plus the elapsed seconds and the
    first answer that was not 200."""
    parts = urlsplit(endpoint)
    deadline = time.monotonic() + (seconds if seconds else 1e9)
    elapsed, lat, statuses, errors, first_bad, sent = asyncio.run(
        _replay(parts.hostname, parts.port, requests, conns, deadline))
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))] / 1e6 if lat else 0.0
    socket_errors = ", ".join(f"{k} {v}" for k, v in errors.items() if v)
    return {"rps": len(lat) / elapsed if elapsed else 0.0, "p50": pct(0.50), "p99": pct(0.99),
            "requests": len(lat), "non200": sum(v for k, v in statuses.items() if k != 200),
            "socket_errors": socket_errors, "elapsed": elapsed,
            "exhausted": sent >= len(requests),
            "first_bad": first_bad[0] if first_bad else ""}
