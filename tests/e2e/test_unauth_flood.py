"""Unauthenticated requests cannot fill the disk: a burst of unsigned requests from one
source gets its first answers (MissingAuthenticationToken) recorded one by one, within the
source's token bucket (--unauth-rate, --unauth-burst); beyond it the answer is AWS's
throttling error (Query: Throttling, JSON 1.1: ThrottlingException, "Rate exceeded", 400)
and the trail keeps only a count: one aggregate AwsServiceEvent record per source, written
at the interval and at shutdown, whose count makes up the total. Signed requests from the
same source are never limited."""
import http.client
import json
import threading
import time
import unittest

import harness
import rawhttp

RATE, BURST, FLOOD, WORKERS = 2, 10, 240, 4


def unsigned(srv, kind):
    """One unsigned request: (status, error code)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        if kind == "query":
            conn.request("POST", "/", body="Action=ListUsers&Version=2010-05-08",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        elif kind == "json":
            conn.request("POST", "/", body="{}", headers={
                "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.ListKeys"})
        else:
            conn.request("GET", "/")  # what `wrk http://HOST:PORT/` sends
        r = conn.getresponse()
        body = r.read()
    finally:
        conn.close()
    if kind == "json":
        return r.status, json.loads(body)["__type"]
    return r.status, rawhttp_code(body)


def rawhttp_code(body):
    text = body.decode()
    return text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in text else text


class UnauthenticatedFlood(unittest.TestCase):
    def test_flood_is_throttled_and_counted(self):
        srv = harness.Server(extra_args=["--unauth-rate", str(RATE), "--unauth-burst", str(BURST)]).start()
        results, signed, lock = [], [], threading.Lock()
        kinds = ["query", "json", "get"]
        try:
            sts = srv.client("sts")

            def flood(worker):
                for i in range(FLOOD // WORKERS):
                    got = unsigned(srv, kinds[(worker + i) % 3])
                    with lock:
                        results.append(got)

            started = time.time()
            threads = [threading.Thread(target=flood, args=(w,)) for w in range(WORKERS)]
            for t in threads:
                t.start()
            # signed calls during the flood, from the same address, all answered
            while any(t.is_alive() for t in threads):
                signed.append(sts.get_caller_identity()["Account"])
            for t in threads:
                t.join()
            elapsed = time.time() - started
            self.assertTrue(signed)
            self.assertEqual(set(signed), {harness.ACCOUNT})
            self.assertEqual(len(results), FLOOD)
            throttled = [r for r in results if r[1] in ("Throttling", "ThrottlingException")]
            answered = [r for r in results if r not in throttled]
            # the bucket: BURST at once, RATE a second after that
            self.assertGreaterEqual(len(answered), BURST)
            self.assertLessEqual(len(answered), BURST + RATE * elapsed + 1)
            self.assertGreater(len(throttled), FLOOD // 2)
            for status, code in throttled:
                self.assertEqual(status, 400)
            self.assertIn((400, "Throttling"), throttled)
            self.assertIn((400, "ThrottlingException"), throttled)
            self.assertNotIn(True, [c.startswith("Throttl") for _, c in answered])
            # the throttled answer carries AWS's wording (a token may have come back since)
            for _ in range(5):
                status, _, body = rawhttp.query(srv, {"Action": "ListUsers", "Version": "2010-05-08"},
                                                sign=False)
                if status == 400:
                    break
                answered.append((status, None))
            self.assertEqual(status, 400)
            self.assertIn(b"<Code>Throttling</Code>", body)
            self.assertIn(b"<Message>Rate exceeded</Message>", body)
            extra = 1
            srv.stop()  # the shutdown writes the counts
            records = srv.audit_records()
            one_by_one = [r for r in records if r.get("eventType") == "AwsApiCall"
                          and r["userIdentity"]["type"] == "Unknown"]
            aggregates = [r for r in records if r.get("eventType") == "AwsServiceEvent"]
            self.assertEqual(len(one_by_one), len(answered))
            self.assertTrue(aggregates)
            for a in aggregates:
                self.assertEqual(a["eventName"], "UnauthenticatedRequestsSuppressed")
                self.assertEqual(a["sourceIPAddress"], "127.0.0.1")
                details = a["serviceEventDetails"]
                self.assertLessEqual(details["windowStart"], details["windowEnd"])
            counted = sum(a["serviceEventDetails"]["suppressedUnauthenticatedRequests"] for a in aggregates)
            self.assertEqual(counted, len(throttled) + extra)
            # the signed calls are all in the trail
            self.assertEqual(len([r for r in records if r.get("eventName") == "GetCallerIdentity"
                                  and "errorCode" not in r]), len(signed))
        finally:
            srv.cleanup()


if __name__ == "__main__":
    harness.main()
