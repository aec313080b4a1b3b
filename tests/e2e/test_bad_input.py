"""Bad input of every kind gets a clean 4xx in the protocol's error shape, the server
keeps serving, and nothing stored is damaged."""
import json
import re
import socket

import harness
import rawhttp


def xml_code(body):
    m = re.search(rb"<Code>([^<]+)</Code>", body)
    return m.group(1).decode() if m else None


class BadInput(harness.ServerTest):
    server_args = ("--max-body-bytes", "65536", "--max-header-bytes", "8192")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.client("iam").create_user(UserName="survivor")

    def tearDown(self):
        # after every hostile request: still serving, still intact
        iam = self.server.client("iam")
        self.assertEqual(iam.get_user(UserName="survivor")["User"]["UserName"], "survivor")

    def test_malformed_json(self):
        for body in (b"{", b"[]", b"\"str\"", b"{\"KeyId\": }", b"{\"a\":1,\"a\":2}", b"\xff\xfe{}"):
            status, _, out = rawhttp.kms(self.server, "DescribeKey", body)
            self.assertEqual(status, 400, body)
            self.assertIn(json.loads(out)["__type"], ("SerializationException", "ValidationException"), body)

    def test_wrong_types(self):
        status, _, out = rawhttp.kms(self.server, "GenerateDataKey", {"KeyId": "x", "NumberOfBytes": "ten"})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(out)["__type"], "SerializationException")
        status, _, out = rawhttp.kms(self.server, "DescribeKey", {})
        self.assertEqual(status, 400)
        err = json.loads(out)
        self.assertEqual(err["__type"], "ValidationException")
        self.assertIn("Value null at 'keyId' failed to satisfy constraint: Member must not be null", err["message"])

    def test_unknown_operation_and_service(self):
        status, _, out = rawhttp.kms(self.server, "NoSuchOperation", {})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(out)["__type"], "UnknownOperationException")
        status, _, out = rawhttp.query(self.server, {"Action": "NoSuchAction", "Version": "2010-05-08"})
        self.assertEqual((status, xml_code(out)), (400, "InvalidAction"))
        req = rawhttp.build(self.server, "kms", "{}", {"Content-Type": "application/x-amz-json-1.1",
                                                       "X-Amz-Target": "NoSuchService_20200101.Op"})
        status, _, out = rawhttp.send(self.server, req)
        self.assertEqual(status, 400)

    def test_bad_form_encoding(self):
        for body in ("Action=CreateUser&Version=2010-05-08&UserName=%zz",
                     "Action=CreateUser&Version=2010-05-08&UserName=%ff%fe",
                     "Action=CreateUser&Version=2010-05-08&UserName=a&UserName=b&Tags.member.x.Key=1"):
            req = rawhttp.build(self.server, "iam", body, {"Content-Type": "application/x-www-form-urlencoded"})
            status, _, out = rawhttp.send(self.server, req)
            self.assertEqual(status, 400, (body, out))
            self.assertTrue(xml_code(out), out)

    def test_oversized_body(self):
        big = {"KeyId": "x" * 100000}
        status, _, out = rawhttp.kms(self.server, "DescribeKey", big)
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(out)["__type"], "RequestEntityTooLarge")

    def test_huge_header(self):
        status, _, out = rawhttp.kms(self.server, "ListKeys", {}, headers={"X-Padding": "p" * 9000})
        self.assertEqual(status, 431)
        self.assertEqual(json.loads(out)["__type"], "RequestHeaderFieldsTooLarge")

    def test_garbage_on_the_socket(self):
        for junk in (b"\x00\x01\x02garbage\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 5 + b"\r\n",
                     b"POST / HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
                s.sendall(junk)
                try:
                    s.recv(4096)
                except OSError:
                    pass


if __name__ == "__main__":
    harness.main()
