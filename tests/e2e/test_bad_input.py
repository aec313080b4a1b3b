"""Bad input of every kind gets a clean 4xx in the protocol's error shape, the server
keeps serving, and nothing stored is damaged."""
import html
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
        sts = self.server.client("sts")
        for junk in (b"\x00\x01\x02garbage\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 5 + b"\r\n",
                     b"POST / HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
                s.sendall(junk)
                try:
                    answer = s.recv(4096)
                except OSError:
                    answer = b""
            # whatever the junk got (an error status or a closed socket), never a success
            self.assertFalse(answer.startswith(b"HTTP/1.1 2"), (junk, answer))
            # and the next normal signed call is served
            self.assertEqual(sts.get_caller_identity()["Account"], harness.ACCOUNT, junk)

    def query_error(self, params):
        status, _, out = rawhttp.query(self.server, params)
        return status, xml_code(out), html.unescape(out.decode(errors="replace"))

    def assert_nul_refused(self, params, member):
        status, code, text = self.query_error(params)
        self.assertEqual((status, code), (400, "ValidationError"), text)
        self.assertIn(f"at '{member}' failed to satisfy constraint", text)
        return text

    def test_nul_in_query_value_is_refused_never_cut(self):
        iam = self.server.client("iam")
        with self.assertRaises(iam.exceptions.ClientError) as cm:
            iam.create_user(UserName="nulB\x00<script>")
        self.assertEqual(self.error_code(cm.exception), "ValidationError")
        self.assertIn("at 'userName' failed to satisfy constraint: Member must satisfy regular "
                      "expression pattern", cm.exception.response["Error"]["Message"])
        with self.assertRaises(iam.exceptions.NoSuchEntityException):
            iam.get_user(UserName="nulB")

        iam.create_user(UserName="okuser")
        self.addCleanup(iam.delete_user, UserName="okuser")
        self.assert_nul_refused({"Action": "CreateAccessKey", "Version": "2010-05-08",
                                 "UserName": "okuser\x00zzz"}, "userName")
        self.assertEqual(iam.list_access_keys(UserName="okuser")["AccessKeyMetadata"], [])

        self.assert_nul_refused({"Action": "TagUser", "Version": "2010-05-08", "UserName": "okuser",
                                 "Tags.member.1.Key": "team", "Tags.member.1.Value": "a\x00b"},
                                "tags.1.member.value")
        self.assert_nul_refused({"Action": "TagUser", "Version": "2010-05-08", "UserName": "okuser",
                                 "Tags.member.1.Key": "te\x00am", "Tags.member.1.Value": "ab"},
                                "tags.1.member.key")
        self.assertEqual(iam.list_user_tags(UserName="okuser")["Tags"], [])

        doc = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
        self.assert_nul_refused({"Action": "PutUserPolicy", "Version": "2010-05-08", "UserName": "okuser",
                                 "PolicyName": "p\x00q", "PolicyDocument": doc}, "policyName")
        self.assert_nul_refused({"Action": "PutUserPolicy", "Version": "2010-05-08", "UserName": "okuser",
                                 "PolicyName": "p", "PolicyDocument": doc + "\x00junk"}, "policyDocument")
        self.assertEqual(iam.list_user_policies(UserName="okuser")["PolicyNames"], [])

        # a member without a pattern (arnType) refuses it as well
        text = self.assert_nul_refused({"Action": "GetPolicy", "Version": "2010-05-08",
                                        "PolicyArn": "arn:aws:iam::aws:policy/A\x00B"}, "policyArn")
        self.assertIn("Member must not contain null characters", text)
        # a number that stops at the NUL is not read as the number before it
        status, code, text = self.query_error({"Action": "ListUsers", "Version": "2010-05-08",
                                               "MaxItems": "5\x00"})
        self.assertEqual((status, code), (400, "ValidationError"), text)

    def test_nul_in_json_value_is_refused_naming_the_member(self):
        kms = self.server.client("kms")
        before = len(kms.list_keys()["Keys"])
        status, _, out = rawhttp.kms(self.server, "CreateKey", b'{"Description":"a\\u0000b"}')
        err = json.loads(out)
        self.assertEqual((status, err["__type"]), (400, "ValidationException"), err)
        self.assertIn("at 'description' failed to satisfy constraint: Member must not contain null "
                      "characters", err["message"])
        self.assertEqual(len(kms.list_keys()["Keys"]), before)
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        status, _, out = rawhttp.kms(self.server, "CreateAlias", json.dumps(
            {"AliasName": "alias/ok\u0000bad", "TargetKeyId": key}))
        err = json.loads(out)
        self.assertEqual((status, err["__type"]), (400, "ValidationException"), err)
        self.assertIn("at 'aliasName' failed to satisfy constraint: Member must satisfy regular "
                      "expression pattern", err["message"])
        self.assertEqual([a for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/ok")], [])
        status, _, out = rawhttp.kms(self.server, "Encrypt", json.dumps(
            {"KeyId": key + "\u0000x", "Plaintext": "aGk="}))
        err = json.loads(out)
        self.assertEqual((status, err["__type"]), (400, "ValidationException"), err)
        self.assertIn("at 'keyId'", err["message"])
        status, _, out = rawhttp.kms(self.server, "Encrypt", json.dumps(
            {"KeyId": key, "Plaintext": "aGk=", "EncryptionContext": {"k": "v\u0000w"}}))
        err = json.loads(out)
        self.assertEqual((status, err["__type"]), (400, "ValidationException"), err)
        self.assertIn("at 'encryptionContext.k'", err["message"])

    def test_duplicated_action_is_refused_like_any_duplicated_parameter(self):
        iam = self.server.client("iam")
        dup_param = "Action=CreateUser&Version=2010-05-08&UserName=dupa&UserName=dupb"
        dup_action = "Action=CreateUser&Version=2010-05-08&UserName=dupa&Action=DeleteUser"
        dup_first = "Action=GetUser&Version=2010-05-08&UserName=survivor&Action=CreateUser"
        answers = []
        for body in (dup_param, dup_action, dup_first):
            req = rawhttp.build(self.server, "iam", body, {"Content-Type": "application/x-www-form-urlencoded"})
            status, _, out = rawhttp.send(self.server, req)
            msg = re.search(rb"<Message>([^<]*)</Message>", out)
            answers.append((status, xml_code(out), msg and msg.group(1)))
        self.assertEqual(answers[0][0], 400)
        self.assertEqual(answers[1], answers[0])
        self.assertEqual(answers[2], answers[0])
        self.assertEqual([u["UserName"] for u in iam.list_users()["Users"] if u["UserName"].startswith("dup")], [])


if __name__ == "__main__":
    harness.main()
