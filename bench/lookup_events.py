#!/usr/bin/env python3
"""LookupEvents over a large trail: N synthetic records (copies of real ones with new
eventIDs, names, users and times) written into a data directory, sealed into gzip files by
restarts (FILES of them: one sealed file each), then timed through boto3: the first lookup
(which builds the index) and p50/p99 of the lookups after it.
Then a restart, timed the same way: the index taken from the .idx files the first start
wrote beside the sealed files.
Usage: bench/lookup_events.py [--json FILE] [N [FILES]] (default 100000 records in 4
files); --json also writes the figures to FILE (bench/run's LookupEvents rows)."""
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
import harness  # noqa: E402


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main():
    args = sys.argv[1:]
    out_json = None
    if args[:1] == ["--json"]:
        out_json, args = args[1], args[2:]
    n = int(args[0]) if args else 100000
    files = int(args[1]) if len(args) > 1 else 4
    figures = {"records": n, "cases": {}}
    srv = harness.Server(extra_args=["--audit-rotate-bytes", str(64 << 20)]).start()
    try:
        srv.client("iam").get_user()
        srv.stop()
        template = next(r for r in srv.audit_records() if r.get("eventName") == "GetUser")
        template.pop("custos", None)
        t0 = int(time.time()) - n  # one record a second, ending now
        for i in range(n):
            if i % (n // files) == 0:
                if i:  # a start and a stop seal what was written into a gzip file
                    f.close()
                    srv.start()
                    srv.stop()
                f = open(os.path.join(srv.data_dir, "audit.log"), "a")
            if True:
                r = dict(template)
                r["eventID"] = str(uuid.uuid4())
                r["eventName"] = "Rare" if i % 10000 == 0 else f"Op{i % 50}"
                r["userIdentity"] = dict(template["userIdentity"], userName=f"user{i % 100}")
                r["eventTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0 + i))
                line = json.dumps(r, separators=(",", ":"))
                f.write(line[:-1] + ',"custos":{"previousHash":"' + "0" * 64 + '"}}\n')
                if i == n // 2:
                    middle = r
        f.close()
        srv.start()
        srv.stop()  # the shutdown seals the records into gzip files
        srv.start()
        trail = os.path.join(srv.data_dir, "audit-trail")
        figures["files"] = sum(1 for x in os.listdir(trail) if x.endswith(".jsonl.gz"))
        print(f"sealed files: {figures['files']}")
        ct = srv.client("cloudtrail")
        start = time.perf_counter()
        ct.lookup_events(MaxResults=1)
        figures["first_ms"] = (time.perf_counter() - start) * 1000
        print(f"{n} records: first lookup (builds the index from the gzip files) "
              f"{figures['first_ms']:.0f} ms")
        cases = {
            "newest 50, no attribute": {},
            "EventName Rare (1 in 10000)": {"LookupAttributes": [
                {"AttributeKey": "EventName", "AttributeValue": "Rare"}]},
            "EventId of the middle record": {"LookupAttributes": [
                {"AttributeKey": "EventId", "AttributeValue": middle["eventID"]}]},
            "Username user7 (1 in 100)": {"LookupAttributes": [
                {"AttributeKey": "Username", "AttributeValue": "user7"}]},
            "a 10-minute window in the middle": {
                "StartTime": t0 + n // 2, "EndTime": t0 + n // 2 + 600},
        }
        for name, kw in cases.items():
            times = []
            for _ in range(30):
                s = time.perf_counter()
                ct.lookup_events(**kw)
                times.append((time.perf_counter() - s) * 1000)
            figures["cases"][name] = {"p50": percentile(times, 0.5), "p99": percentile(times, 0.99)}
            print(f"  {name}: p50 {percentile(times, 0.5):.1f} ms, p99 {percentile(times, 0.99):.1f} ms")
        # a restart: the sealed files are taken from the .idx files the first start wrote
        srv.stop()
        srv.start()
        ct = srv.client("cloudtrail")
        start = time.perf_counter()
        ct.lookup_events(MaxResults=1)
        figures["restart_ms"] = (time.perf_counter() - start) * 1000
        print(f"after a restart: first lookup (the index from the .idx files) "
              f"{figures['restart_ms']:.0f} ms")
    finally:
        srv.cleanup()
    if out_json:
        with open(out_json, "w") as f:
            json.dump(figures, f)


if __name__ == "__main__":
    main()
