"""STS DecodeAuthorizationMessage (STS API reference): sts:DecodeAuthorizationMessage is
required (AccessDenied naming it), a message custos did not encode is
InvalidAuthorizationMessageException (400), the model's length limits are ValidationError.

No operation of the services custos serves returns an encoded authorization failure
message in AWS (only some, such as EC2's, do; the IAM, STS, KMS, Secrets Manager and SSM
models document none), so no custos response carries one. The successful decode is shown
with a message the test seals itself in custos's documented format
(auth/authz_message.h: base64url of 0x01 | nonce | AES-256-GCM under
HKDF-SHA256(master key, info "custos/v1/derive/sts-authorization-message"), AAD the
version byte), using the data directory's master key, as custos would encode one."""
import base64
import json
import os

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import harness

DOC = {"allowed": False, "explicitDeny": True,
       "matchedStatements": {"items": [{"statementId": "DenyKms"}]},
       "failures": {"items": []},
       "context": {"principal": {"id": "AIDAEXAMPLEEXAMPLE01", "arn": "arn:aws:iam::123456789012:user/bob"},
                   "action": "kms:Decrypt", "resource": "arn:aws:kms:us-east-1:123456789012:key/k",
                   "conditions": {"items": [{"key": "aws:RequestedRegion",
                                             "values": {"items": [{"value": "us-east-1"}]}}]}}}


def seal(master_key, doc):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"custos/v1/derive/sts-authorization-message").derive(master_key)
    nonce = os.urandom(12)
    blob = b"\x01" + nonce + AESGCM(key).encrypt(nonce, json.dumps(doc).encode(), b"\x01")
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


class DecodeAuthorizationMessage(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(os.path.join(cls.server.data_dir, "master.key"), "rb") as f:
            cls.master_key = f.read()
        cls.sts = cls.server.client("sts")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def test_decodes_a_message_sealed_in_custos_format(self):
        out = self.sts.decode_authorization_message(EncodedMessage=seal(self.master_key, DOC))
        self.assertEqual(json.loads(out["DecodedMessage"]), DOC)
        rc, out, err = self.server.cli("sts", "decode-authorization-message", "--encoded-message",
                                       seal(self.master_key, DOC))
        self.assertEqual(json.loads(out["DecodedMessage"]), DOC)

    def test_bad_messages(self):
        good = seal(self.master_key, DOC)
        other = seal(os.urandom(32), DOC)
        flipped = good[:40] + ("A" if good[40] != "A" else "B") + good[41:]
        for bad in ("abc", "not a message", good[:-3], flipped, other, good + "\n", good + "==",
                    base64.b64encode(b"\x01" + os.urandom(60)).decode()):
            code, status, msg = self.error(lambda: self.sts.decode_authorization_message(EncodedMessage=bad))
            self.assertEqual((code, status, msg), ("InvalidAuthorizationMessageException", 400,
                                                   "Message is not valid"), bad)
        raw = self.server.client("sts", parameter_validation=False)
        for bad in ("", "A" * 10241):
            self.assertEqual(self.error(lambda: raw.decode_authorization_message(EncodedMessage=bad))[:2],
                             ("ValidationError", 400))
        rc, out, err = self.server.cli("sts", "decode-authorization-message", "--encoded-message",
                                       "garbage", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidAuthorizationMessageException", err)
        self.assertIn("Message is not valid", err)

    def test_needs_the_permission(self):
        arn, key, secret = self.server.user("nodecode")
        sts = self.server.client("sts", key=key, secret=secret)
        code, status, msg = self.error(lambda: sts.decode_authorization_message(
            EncodedMessage=seal(self.master_key, DOC)))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn(f"User: {arn} is not authorized to perform: sts:DecodeAuthorizationMessage", msg)
        # with the permission, the same caller decodes
        _, key2, secret2 = self.server.user("decoder", {"Effect": "Allow", "Action": "sts:DecodeAuthorizationMessage",
                                                        "Resource": "*"})
        out = self.server.client("sts", key=key2, secret=secret2).decode_authorization_message(
            EncodedMessage=seal(self.master_key, DOC))
        self.assertEqual(json.loads(out["DecodedMessage"])["context"]["action"], "kms:Decrypt")

    def test_denials_carry_no_encoded_message(self):
        """AWS attaches none to IAM, STS or KMS denials: neither does custos."""
        arn, key, secret = self.server.user("plain")
        for svc, call in (("iam", lambda c: c.list_users()), ("kms", lambda c: c.list_keys()),
                          ("sts", lambda c: c.decode_authorization_message(EncodedMessage="x"))):
            code, status, msg = self.error(lambda: call(self.server.client(svc, key=key, secret=secret)))
            self.assertIn(code, ("AccessDenied", "AccessDeniedException"))
            self.assertNotIn("Encoded authorization failure message", msg)


if __name__ == "__main__":
    harness.main()
