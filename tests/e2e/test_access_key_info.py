"""STS GetAccessKeyInfo: the account of an access key id (STS API reference,
GetAccessKeyInfo) for the root user's key, an IAM user's own and another user's key, an
inactive one (the answer says nothing of the key's state), the caller's own temporary
(ASIA) key; a key custos cannot place answered as a key that does not exist; malformed ids
refused by the model's length and pattern; sts:GetAccessKeyInfo required; boto3 and the
aws CLI."""
import json

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
INVALID = ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
ALLOW = {"Effect": "Allow", "Action": "sts:GetAccessKeyInfo", "Resource": "*"}


class AccessKeyInfo(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.n = 0

    def user(self, *statements):
        AccessKeyInfo.n += 1
        return self.server.user(f"aki-{AccessKeyInfo.n}", *statements)

    def error(self, call):
        with self.assertRaises(ClientError) as e:
            call()
        r = e.exception.response
        return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]

    def test_keys_of_the_account(self):
        arn, key, secret = self.user(ALLOW)
        other_arn, other_key, _ = self.user()
        sts = self.server.client("sts", key=key, secret=secret)
        for k in (key, other_key, harness.ROOT_KEY):
            self.assertEqual(sts.get_access_key_info(AccessKeyId=k)["Account"], ACCT)
        # an inactive key is still the account's
        self.iam.update_access_key(UserName=other_arn.split("/")[-1], AccessKeyId=other_key,
                                   Status="Inactive")
        self.assertEqual(sts.get_access_key_info(AccessKeyId=other_key)["Account"], ACCT)
        # the caller's own temporary key: a role session's (a GetSessionToken session may
        # call no STS operation but AssumeRole and GetCallerIdentity)
        role = self.iam.create_role(RoleName=f"aki-role-{AccessKeyInfo.n}", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": arn},
                                                     "Action": "sts:AssumeRole"}]}))["Role"]
        self.iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p",
                                 PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [ALLOW]}))
        c = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="aki")["Credentials"]
        tmp = self.server.client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                 token=c["SessionToken"])
        self.assertEqual(tmp.get_access_key_info(AccessKeyId=c["AccessKeyId"])["Account"], ACCT)
        s = sts.get_session_token()["Credentials"]
        gst = self.server.client("sts", key=s["AccessKeyId"], secret=s["SecretAccessKey"],
                                 token=s["SessionToken"])
        self.assertEqual(self.error(lambda: gst.get_access_key_info(AccessKeyId=key)),
                         ("AccessDenied", f"User: {arn} is not authorized to perform: "
                                          "sts:GetAccessKeyInfo on resource: *", 403))
        # a temporary key that is not the caller's: its session is in a token not sent
        self.assertEqual(self.error(lambda: sts.get_access_key_info(AccessKeyId=c["AccessKeyId"])), INVALID)
        # a deleted key, a key never issued
        self.iam.delete_access_key(UserName=other_arn.split("/")[-1], AccessKeyId=other_key)
        self.assertEqual(self.error(lambda: sts.get_access_key_info(AccessKeyId=other_key)), INVALID)
        self.assertEqual(self.error(lambda: sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")),
                         INVALID)

    def test_malformed_and_denied(self):
        arn, key, secret = self.user(ALLOW)
        raw = self.server.client("sts", key=key, secret=secret, parameter_validation=False)
        for bad in ("AKIASHORT", "AKIA-NOT-WORD-CHARS", "A" * 129, ""):
            code, msg, status = self.error(lambda: raw.get_access_key_info(AccessKeyId=bad))
            self.assertEqual((code, status), ("ValidationError", 400), (bad, msg))
        self.assertIn("accessKeyId", self.error(lambda: raw.get_access_key_info(AccessKeyId="AKIASHORT"))[1])
        arn2, key2, secret2 = self.user()
        code, msg, status = self.error(lambda: self.server.client(
            "sts", key=key2, secret=secret2).get_access_key_info(AccessKeyId=key))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertTrue(msg.startswith(f"User: {arn2} is not authorized to perform: sts:GetAccessKeyInfo"), msg)

    def test_cli(self):
        arn, key, secret = self.user(ALLOW)
        rc, out, _ = self.server.cli("sts", "get-access-key-info", "--access-key-id", harness.ROOT_KEY,
                                     key=key, secret=secret)
        self.assertEqual(out, {"Account": ACCT})
        rc, out, err = self.server.cli("sts", "get-access-key-info", "--access-key-id",
                                       "AKIAIOSFODNN7EXAMPLE", key=key, secret=secret, check=False)
        self.assertEqual(rc, 254)
        self.assertIn("(InvalidClientTokenId) when calling the GetAccessKeyInfo operation", err)
        rc, out, err = self.server.cli("sts", "get-access-key-info", "--access-key-id", "short",
                                       key=key, secret=secret, check=False)
        self.assertNotEqual(rc, 0)


if __name__ == "__main__":
    harness.main()
