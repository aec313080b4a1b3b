"""Caches invalidate per record from the store's change log (store.h): a write reloads only
the cache entries whose records it touched. Observed through the cache load counters that
GET /_custos/health reports: an IAM write does not reload a cached KMS key, a grant on the
key does; a KMS write does not reload cached access keys; a write to one user leaves
another user's key cached; a change to a record no policy set is built from (a login
profile, an MFA device, an OIDC provider, the password policy) reloads no policy set while
a change to the user's policies does; and a deleted access key fails at once."""
import json
import urllib.request

from botocore.exceptions import ClientError

import harness


class CacheInvalidation(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.kms = cls.server.client("kms")

    def loads(self):
        with urllib.request.urlopen(self.server.endpoint + "/_custos/health", timeout=5) as r:
            return json.loads(r.read())["cache_loads"]

    def test_iam_write_keeps_kms_key_and_grant_reloads_it(self):
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.kms.encrypt(KeyId=key, Plaintext=b"x")
        before = self.loads()
        self.kms.encrypt(KeyId=key, Plaintext=b"x")
        self.assertEqual(self.loads()["kms_key"], before["kms_key"], "a cached key is reloaded")
        arn = self.iam.create_user(UserName="cache-iam-writer")["User"]["Arn"]
        self.iam.put_user_policy(UserName="cache-iam-writer", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*",
                                                    "Resource": "*"}]}))
        self.kms.encrypt(KeyId=key, Plaintext=b"x")
        after_iam = self.loads()
        self.assertEqual(after_iam["kms_key"], before["kms_key"], "an IAM write reloaded a KMS key")
        # the root principal stays cached through IAM writes to another user
        self.assertEqual(after_iam["principal"], before["principal"])
        # a grant on this key is a change to it: the next use reloads it, once
        self.kms.create_grant(KeyId=key, GranteePrincipal=arn, Operations=["Encrypt"])
        self.kms.encrypt(KeyId=key, Plaintext=b"x")
        self.kms.encrypt(KeyId=key, Plaintext=b"x")
        after_grant = self.loads()
        self.assertEqual(after_grant["kms_key"], before["kms_key"] + 1)
        # and a KMS write reloads no access key
        self.assertEqual(after_grant["principal"], before["principal"])

    def test_write_to_one_user_keeps_another_users_key(self):
        _, key, secret = self.server.user("cache-keeper")
        sts = self.server.client("sts", key=key, secret=secret)
        sts.get_caller_identity()
        before = self.loads()["principal"]
        self.iam.create_user(UserName="cache-other")
        self.iam.create_access_key(UserName="cache-other")
        self.assertIn("cache-keeper", sts.get_caller_identity()["Arn"])
        self.assertEqual(self.loads()["principal"], before, "a write to another user reloaded a key")
        # a write to the key's own user record (attaching a policy) does reload it, once
        policy = self.iam.create_policy(PolicyName="cache-keeper-p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*",
                                                    "Resource": "*"}]}))["Policy"]["Arn"]
        self.iam.attach_user_policy(UserName="cache-keeper", PolicyArn=policy)
        sts.get_caller_identity()
        sts.get_caller_identity()
        self.assertEqual(self.loads()["principal"], before + 1)

    def test_deleted_access_key_fails_at_once(self):
        _, key, secret = self.server.user("cache-deleted")
        sts = self.server.client("sts", key=key, secret=secret)
        sts.get_caller_identity()
        sts.get_caller_identity()  # now served from the cache
        self.iam.delete_access_key(UserName="cache-deleted", AccessKeyId=key)
        with self.assertRaises(ClientError) as cm:
            sts.get_caller_identity()
        self.assertEqual(self.error_code(cm.exception), "InvalidClientTokenId")

    def test_deactivated_access_key_fails_at_once(self):
        _, key, secret = self.server.user("cache-inactive")
        sts = self.server.client("sts", key=key, secret=secret)
        sts.get_caller_identity()
        self.iam.update_access_key(UserName="cache-inactive", AccessKeyId=key, Status="Inactive")
        with self.assertRaises(ClientError) as cm:
            sts.get_caller_identity()
        self.assertEqual(self.error_code(cm.exception), "InvalidClientTokenId")

    def test_unrelated_writes_keep_policy_sets(self):
        _, key, secret = self.server.user("cache-sets")
        self.iam.put_user_policy(UserName="cache-sets", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser",
                                                    "Resource": "*"}]}))
        iam = self.server.client("iam", key=key, secret=secret)
        iam.get_user(UserName="cache-sets")
        iam.get_user(UserName="cache-sets")
        before = self.loads()["identity"]
        # records no policy set reads: the caller's set stays cached through all of them
        self.iam.create_login_profile(UserName="cache-sets", Password="Correct-Horse-7-Battery")
        self.iam.create_virtual_mfa_device(VirtualMFADeviceName="cache-sets-phone")
        self.iam.create_open_id_connect_provider(Url="https://cache.example.com",
                                                 ClientIDList=["sts.amazonaws.com"])
        self.iam.update_account_password_policy(MinimumPasswordLength=12)
        iam.get_user(UserName="cache-sets")
        self.assertEqual(self.loads()["identity"], before, "an unrelated write reloaded a policy set")
        # a change to the user's own policies reloads its set, once
        self.iam.put_user_policy(UserName="cache-sets", PolicyName="q", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:GetUser",
                                                    "Resource": "*"}]}))
        with self.assertRaises(ClientError):
            iam.get_user(UserName="cache-sets")
        with self.assertRaises(ClientError):
            iam.get_user(UserName="cache-sets")
        self.assertEqual(self.loads()["identity"], before + 1)



if __name__ == "__main__":
    harness.main()
