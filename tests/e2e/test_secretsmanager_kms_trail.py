"""The KMS calls Secrets Manager makes for its caller are in the trail as CloudTrail shows
them: eventSource kms.amazonaws.com, GenerateDataKey when a value is sealed and Decrypt
when it is read, userIdentity the caller with invokedBy secretsmanager.amazonaws.com, the
key and the encryption context {SecretARN, SecretVersionId} in requestParameters, never
the value; refused calls with their errorCode; found by LookupEvents."""
import json

import harness
from botocore.exceptions import ClientError


class KmsOnBehalf(harness.ServerTest):
    def kms_records(self, name, version):
        return [r for r in self.server.audit_records() if r.get("eventSource") == "kms.amazonaws.com"
                and r.get("eventName") == name
                and r["requestParameters"]["encryptionContext"].get("SecretVersionId") == version]

    def test_generate_data_key_and_decrypt_recorded_as_invoked_by_secrets_manager(self):
        sm = self.server.client("secretsmanager")
        r = sm.create_secret(Name="trail/db", SecretString="hunter2-value")
        arn, version = r["ARN"], r["VersionId"]
        [gdk] = self.kms_records("GenerateDataKey", version)
        self.assertEqual(gdk["userIdentity"]["invokedBy"], "secretsmanager.amazonaws.com")
        self.assertEqual(gdk["userIdentity"]["arn"], f"arn:aws:iam::{harness.ACCOUNT}:root")
        self.assertEqual(gdk["sourceIPAddress"], "secretsmanager.amazonaws.com")
        self.assertEqual(gdk["userAgent"], "secretsmanager.amazonaws.com")
        self.assertEqual(gdk["eventType"], "AwsApiCall")
        self.assertTrue(gdk["readOnly"])
        self.assertEqual(gdk["awsRegion"], "us-east-1")
        self.assertEqual(gdk["requestParameters"]["encryptionContext"], {"SecretARN": arn, "SecretVersionId": version})
        self.assertEqual(gdk["requestParameters"]["keySpec"], "AES_256")
        key_arn = gdk["resources"][0]["ARN"]
        self.assertEqual(gdk["resources"][0]["type"], "AWS::KMS::Key")
        self.assertEqual(sm.list_secret_version_ids(SecretId="trail/db")["Versions"][0]["KmsKeyIds"], [key_arn])
        self.assertNotIn("responseElements", {k: v for k, v in gdk.items() if v is not None})
        sm.get_secret_value(SecretId="trail/db")
        [dec] = self.kms_records("Decrypt", version)
        self.assertEqual(dec["userIdentity"]["invokedBy"], "secretsmanager.amazonaws.com")
        self.assertEqual(dec["requestParameters"]["encryptionAlgorithm"], "SYMMETRIC_DEFAULT")
        self.assertEqual(dec["resources"][0]["ARN"], key_arn)
        # written with the call's own record, just before it, under a request id of its own
        records = self.server.audit_records()
        i = next(n for n, x in enumerate(records) if x["eventID"] == dec["eventID"])
        self.assertEqual(records[i + 1]["eventName"], "GetSecretValue")
        self.assertNotEqual(records[i + 1]["requestID"], dec["requestID"])
        self.assertNotIn("hunter2-value", self.server.trail_text())
        # LookupEvents finds them like any KMS event
        ct = self.server.client("cloudtrail")
        found = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventSource",
                                                    "AttributeValue": "kms.amazonaws.com"}])["Events"]
        ids = {e["EventId"] for e in found}
        self.assertIn(gdk["eventID"], ids)
        self.assertIn(dec["eventID"], ids)

    def test_a_decrypt_kms_refuses_is_recorded_with_its_error(self):
        kms = self.server.client("kms")
        key = kms.create_key()["KeyMetadata"]["Arn"]
        sm = self.server.client("secretsmanager")
        version = sm.create_secret(Name="trail/cmk", SecretString="v", KmsKeyId=key)["VersionId"]
        user_arn, key_id, secret = self.server.user("trail-reader", {"Effect": "Allow", "Action": "secretsmanager:*",
                                                                      "Resource": "*"})
        reader = self.server.client("secretsmanager", key=key_id, secret=secret)
        with self.assertRaises(ClientError) as e:
            reader.get_secret_value(SecretId="trail/cmk")
        self.assertEqual(self.error_code(e.exception), "AccessDeniedException")
        denied = [r for r in self.kms_records("Decrypt", version) if r["userIdentity"]["arn"] == user_arn]
        self.assertEqual(len(denied), 1)
        self.assertEqual(denied[0]["errorCode"], "AccessDeniedException")
        self.assertEqual(denied[0]["userIdentity"]["invokedBy"], "secretsmanager.amazonaws.com")
        self.assertEqual(denied[0]["resources"][0]["ARN"], key)
        self.assertEqual(denied[0]["requestParameters"]["keyId"], key)


if __name__ == "__main__":
    harness.main()
