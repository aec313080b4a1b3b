"""SSH public keys of IAM users: keys made here with ssh-keygen, uploaded in the OpenSSH
and the PEM encodings, their fingerprint checked against ssh-keygen -l -E md5, read back in
both encodings, listed, updated, deleted; bad keys, duplicates and the quota refused with
AWS's errors while the server keeps serving; DeleteUser and UpdateUser know them."""
import base64
import os
import subprocess
import tempfile

from botocore.exceptions import ClientError

import harness

INVALID = ("InvalidPublicKey", 400,
           "The request was rejected because the public key is malformed or otherwise invalid.")
UNRECOGNIZED = ("UnrecognizedPublicKeyEncoding", 400,
                "The request was rejected because the public key encoding format is "
                "unsupported or unrecognized.")


def run(*args):
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


class Keys:
    """Key pairs made by ssh-keygen in a scratch directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="custos-ssh-")
        self.n = 0

    def new(self, kind="rsa", bits=2048, comment="me@host"):
        self.n += 1
        path = os.path.join(self.dir, f"k{self.n}")
        args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", comment, "-f", path]
        if kind == "rsa":
            args += ["-b", str(bits)]
        run(*args)
        return path + ".pub"

    @staticmethod
    def text(pub):
        with open(pub) as f:
            return f.read()

    @staticmethod
    def md5(pub):
        # "2048 MD5:xx:xx:... comment (RSA)"
        return run("ssh-keygen", "-l", "-E", "md5", "-f", pub).split()[1][len("MD5:"):]

    @staticmethod
    def pem(pub, fmt="PKCS8"):
        return run("ssh-keygen", "-e", "-m", fmt, "-f", pub)


def tamper(b64, at, data):
    """The base64 blob with data written at byte offset at."""
    blob = bytearray(base64.b64decode(b64))
    at = at % len(blob)
    blob[at:at + len(data)] = data
    return base64.b64encode(bytes(blob)).decode()


def material(body):
    """The key itself: "ssh-rsa <base64>" without the comment."""
    return " ".join(body.split()[:2])


class SSHPublicKeys(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keys = Keys()

    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def test_a_lifecycle(self):
        iam = self.iam
        iam.create_user(UserName="git")
        pub = self.keys.new()
        text = self.keys.text(pub)
        k = iam.upload_ssh_public_key(UserName="git", SSHPublicKeyBody=text)["SSHPublicKey"]
        self.assertEqual(set(k), {"UserName", "SSHPublicKeyId", "Fingerprint",
                                  "SSHPublicKeyBody", "Status", "UploadDate"})
        self.assertEqual((k["UserName"], k["Status"]), ("git", "Active"))
        self.assertRegex(k["SSHPublicKeyId"], r"^APKA[A-Z2-7]{16}$")
        self.assertEqual(k["Fingerprint"], self.keys.md5(pub))
        self.assertEqual(material(k["SSHPublicKeyBody"]), material(text))
        kid = k["SSHPublicKeyId"]

        got = iam.get_ssh_public_key(UserName="git", SSHPublicKeyId=kid, Encoding="SSH")
        got = got["SSHPublicKey"]
        self.assertEqual(material(got["SSHPublicKeyBody"]), material(text))
        self.assertEqual(got["Fingerprint"], k["Fingerprint"])
        pem = iam.get_ssh_public_key(UserName="git", SSHPublicKeyId=kid,
                                     Encoding="PEM")["SSHPublicKey"]["SSHPublicKeyBody"]
        self.assertTrue(pem.startswith("-----BEGIN PUBLIC KEY-----"), pem)
        # the PEM is the same key: ssh-keygen turns it back into the uploaded one
        path = os.path.join(self.keys.dir, "back.pem")
        with open(path, "w") as f:
            f.write(pem)
        back = run("ssh-keygen", "-i", "-m", "PKCS8", "-f", path)
        self.assertEqual(material(back), material(text))
        self.assertEqual(pem.strip(), self.keys.pem(pub).strip())

        listed = iam.list_ssh_public_keys(UserName="git")
        self.assertFalse(listed["IsTruncated"])
        self.assertEqual([(m["SSHPublicKeyId"], m["Status"], m["UserName"])
                          for m in listed["SSHPublicKeys"]], [(kid, "Active", "git")])
        self.assertEqual(set(listed["SSHPublicKeys"][0]),
                         {"UserName", "SSHPublicKeyId", "Status", "UploadDate"})

        iam.update_ssh_public_key(UserName="git", SSHPublicKeyId=kid, Status="Inactive")
        self.assertEqual(iam.get_ssh_public_key(UserName="git", SSHPublicKeyId=kid,
                                                Encoding="SSH")["SSHPublicKey"]["Status"],
                         "Inactive")
        self.assertEqual(self.error(lambda: iam.update_ssh_public_key(
            UserName="git", SSHPublicKeyId=kid, Status="Expired"))[:2], ("InvalidInput", 400))

        # DeleteUser refuses while the key is there
        self.assertEqual(self.error(lambda: iam.delete_user(UserName="git")),
                         ("DeleteConflict", 409,
                          "Cannot delete entity, must remove referenced objects first."))
        iam.delete_ssh_public_key(UserName="git", SSHPublicKeyId=kid)
        self.assertEqual(iam.list_ssh_public_keys(UserName="git")["SSHPublicKeys"], [])
        self.assertEqual(self.error(lambda: iam.get_ssh_public_key(
            UserName="git", SSHPublicKeyId=kid, Encoding="SSH")),
            ("NoSuchEntity", 404, f"The Public Key with id {kid} cannot be found."))
        self.assertEqual(self.error(lambda: iam.delete_ssh_public_key(
            UserName="git", SSHPublicKeyId=kid))[:2], ("NoSuchEntity", 404))
        iam.delete_user(UserName="git")

    def test_b_pem_upload(self):
        iam = self.iam
        iam.create_user(UserName="pem")
        for fmt in ("PKCS8", "PEM"):  # SubjectPublicKeyInfo and PKCS#1
            pub = self.keys.new()
            k = iam.upload_ssh_public_key(UserName="pem",
                                          SSHPublicKeyBody=self.keys.pem(pub, fmt))["SSHPublicKey"]
            self.assertEqual(k["Fingerprint"], self.keys.md5(pub))
            got = iam.get_ssh_public_key(UserName="pem", SSHPublicKeyId=k["SSHPublicKeyId"],
                                         Encoding="SSH")["SSHPublicKey"]
            self.assertEqual(material(got["SSHPublicKeyBody"]), material(self.keys.text(pub)))

    def test_c_bad_keys(self):
        iam = self.iam
        iam.create_user(UserName="bad")
        small = self.keys.text(self.keys.new(bits=1024))
        good = self.keys.text(self.keys.new())
        b64 = good.split()[1]
        cases = [
            (small, INVALID),                                   # below 2048 bits
            ("ssh-rsa AAAA", INVALID),                           # a blob too short
            ("ssh-rsa " + b64[:-8], INVALID),                    # truncated base64
            ("ssh-rsa !!!!" + b64[4:], INVALID),                 # not base64
            ("ssh-rsa " + tamper(b64, 18, b"\x00\x00\x09\x01"), INVALID),  # n's length
            ("ssh-rsa " + tamper(b64, 7, b"\x00"), INVALID),    # blob type "ssh-rs\0"
            ("ssh-rsa " + base64.b64encode(base64.b64decode(b64) + b"x").decode(), INVALID),
            ("ssh-rsa " + tamper(b64, -1, b"\x00"), INVALID),   # an even modulus
            (self.keys.text(self.keys.new("ed25519")), UNRECOGNIZED),
            ("hello world", UNRECOGNIZED),
            ("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n", INVALID),
        ]
        for body, want in cases:
            with self.subTest(body=body[:30]):
                self.assertEqual(self.error(lambda: iam.upload_ssh_public_key(
                    UserName="bad", SSHPublicKeyBody=body)), want)
        # an ssh-dss blob behind an ssh-rsa label
        dsa_blob = "AAAAB3NzaC1kc3MAAAABAQ=="
        self.assertEqual(self.error(lambda: iam.upload_ssh_public_key(
            UserName="bad", SSHPublicKeyBody="ssh-rsa " + dsa_blob)), INVALID)
        # a PEM private key is no public key
        key = os.path.join(self.keys.dir, "k1")
        with open(key) as f:
            private = f.read()
        self.assertEqual(self.error(lambda: iam.upload_ssh_public_key(
            UserName="bad", SSHPublicKeyBody=private))[0], "InvalidPublicKey")
        # nothing stored, and the server still serves
        self.assertEqual(iam.list_ssh_public_keys(UserName="bad")["SSHPublicKeys"], [])
        self.assertEqual(self.error(lambda: iam.upload_ssh_public_key(
            UserName="nobody", SSHPublicKeyBody=good)),
            ("NoSuchEntity", 404, "The user with name nobody cannot be found."))

    def test_d_duplicate_and_quota(self):
        iam = self.iam
        iam.create_user(UserName="many")
        pubs = [self.keys.new() for _ in range(6)]
        first = self.keys.text(pubs[0])
        iam.upload_ssh_public_key(UserName="many", SSHPublicKeyBody=first)
        dup = ("DuplicateSSHPublicKey", 400, "The request was rejected because the SSH public "
               "key is already associated with the specified IAM user.")
        self.assertEqual(self.error(lambda: iam.upload_ssh_public_key(
            UserName="many", SSHPublicKeyBody=first)), dup)
        # the same key with another comment, or as PEM, is the same key
        other = material(first) + " another-comment"
        self.assertEqual(self.error(lambda: iam.upload_ssh_public_key(
            UserName="many", SSHPublicKeyBody=other)), dup)
        self.assertEqual(self.error(lambda: iam.upload_ssh_public_key(
            UserName="many", SSHPublicKeyBody=self.keys.pem(pubs[0]))), dup)
        # another user may hold it
        iam.create_user(UserName="other")
        iam.upload_ssh_public_key(UserName="other", SSHPublicKeyBody=first)
        for pub in pubs[1:5]:
            iam.upload_ssh_public_key(UserName="many", SSHPublicKeyBody=self.keys.text(pub))
        self.assertEqual(self.error(lambda: iam.upload_ssh_public_key(
            UserName="many", SSHPublicKeyBody=self.keys.text(pubs[5]))),
            ("LimitExceeded", 409, "Cannot exceed quota for PublicKeysPerUser: 5"))
        # pages
        page = iam.list_ssh_public_keys(UserName="many", MaxItems=2)
        self.assertTrue(page["IsTruncated"])
        seen = [m["SSHPublicKeyId"] for m in page["SSHPublicKeys"]]
        while page.get("IsTruncated"):
            page = iam.list_ssh_public_keys(UserName="many", MaxItems=2, Marker=page["Marker"])
            seen += [m["SSHPublicKeyId"] for m in page["SSHPublicKeys"]]
        self.assertEqual(len(seen), 5)
        self.assertEqual(len(set(seen)), 5)
        p = iam.get_paginator("list_ssh_public_keys")
        self.assertEqual(sum(len(x["SSHPublicKeys"]) for x in
                             p.paginate(UserName="many", PaginationConfig={"PageSize": 2})), 5)

    def test_e_rename_keeps_keys(self):
        iam = self.iam
        iam.create_user(UserName="before")
        pub = self.keys.new()
        kid = iam.upload_ssh_public_key(UserName="before", SSHPublicKeyBody=self.keys.text(pub))[
            "SSHPublicKey"]["SSHPublicKeyId"]
        iam.update_user(UserName="before", NewUserName="after")
        got = iam.get_ssh_public_key(UserName="after", SSHPublicKeyId=kid, Encoding="SSH")
        self.assertEqual(got["SSHPublicKey"]["UserName"], "after")
        self.assertEqual(got["SSHPublicKey"]["Fingerprint"], self.keys.md5(pub))
        self.assertEqual([m["UserName"] for m in
                          iam.list_ssh_public_keys(UserName="after")["SSHPublicKeys"]], ["after"])

    def test_f_caller_and_denied(self):
        s = self.server
        arn, akid, secret = s.user("self-keys", {"Effect": "Allow", "Action": [
            "iam:UploadSSHPublicKey", "iam:ListSSHPublicKeys"], "Resource": "*"})
        me = s.client("iam", key=akid, secret=secret)
        me.upload_ssh_public_key(UserName="self-keys",
                                 SSHPublicKeyBody=self.keys.text(self.keys.new()))
        # no UserName: the caller's own keys
        self.assertEqual(len(me.list_ssh_public_keys()["SSHPublicKeys"]), 1)
        with self.assertRaises(ClientError) as e:
            me.delete_ssh_public_key(UserName="self-keys", SSHPublicKeyId="APKAAAAAAAAAAAAAAAAA")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")
        self.assertIn("iam:DeleteSSHPublicKey", e.exception.response["Error"]["Message"])
        self.assertIn(arn, e.exception.response["Error"]["Message"])
        # root names a user, or has none
        self.assertEqual(self.iam.list_ssh_public_keys()["SSHPublicKeys"], [])

    def test_g_cli(self):
        s = self.server
        s.cli("iam", "create-user", "--user-name", "cli-git")
        pub = self.keys.new()
        _, out, _ = s.cli("iam", "upload-ssh-public-key", "--user-name", "cli-git",
                          "--ssh-public-key-body", "file://" + pub)
        kid = out["SSHPublicKey"]["SSHPublicKeyId"]
        self.assertEqual(out["SSHPublicKey"]["Fingerprint"], self.keys.md5(pub))
        _, out, _ = s.cli("iam", "get-ssh-public-key", "--user-name", "cli-git",
                          "--ssh-public-key-id", kid, "--encoding", "PEM")
        self.assertEqual(out["SSHPublicKey"]["SSHPublicKeyBody"].strip(),
                         self.keys.pem(pub).strip())
        _, out, _ = s.cli("iam", "list-ssh-public-keys", "--user-name", "cli-git")
        self.assertEqual([m["SSHPublicKeyId"] for m in out["SSHPublicKeys"]], [kid])
        s.cli("iam", "update-ssh-public-key", "--user-name", "cli-git", "--ssh-public-key-id",
              kid, "--status", "Inactive")
        rc, _, err = s.cli("iam", "upload-ssh-public-key", "--user-name", "cli-git",
                           "--ssh-public-key-body", "ssh-rsa AAAA", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidPublicKey", err)
        s.cli("iam", "delete-ssh-public-key", "--user-name", "cli-git", "--ssh-public-key-id", kid)
        s.cli("iam", "delete-user", "--user-name", "cli-git")

    def test_h_trail(self):
        names = {r["eventName"] for r in self.server.audit_records()}
        for op in ("UploadSSHPublicKey", "GetSSHPublicKey", "ListSSHPublicKeys",
                   "UpdateSSHPublicKey", "DeleteSSHPublicKey"):
            self.assertIn(op, names)


if __name__ == "__main__":
    harness.main()
