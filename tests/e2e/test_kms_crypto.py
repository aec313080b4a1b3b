"""KMS data key pairs and key agreement through boto3 and the AWS CLI v2:
GenerateDataKeyPair(+WithoutPlaintext) for every KeyPairSpec (the private key PKCS#8,
sealed so that Decrypt gives it back, its public half DER SPKI, checked with openssl),
DeriveSharedSecret (boto3 only: the AWS CLI v2 on the machine predates the
operation and has no derive-shared-secret; ECDH, the secret equal to what `openssl pkeyutl -derive` computes from
the peer's side), their errors with AWS's codes and messages, kms:DataKeyPairSpec, DryRun,
the key-policy AND rule and a grant, and no secret in the trail; GetKeyLastUsage (boto3
only, as the CLI predates it too): the last successful cryptographic call on a key, its
request id and trail event, written off the request path (no store write per call)."""
import base64
import json
import os
import sqlite3
import subprocess
import tempfile
import time

import unittest

from botocore.exceptions import ClientError

import harness

NIST = {"ECC_NIST_P256": "prime256v1", "ECC_NIST_P384": "secp384r1",
        "ECC_NIST_P521": "secp521r1"}
# every KeyPairSpec but the two largest RSA sizes, which one case each covers (their
# generation dominates the run)
# Under valgrind (the valgrind-e2e run) 3072- and 4096-bit RSA take minutes to generate:
# there the two large-RSA cases use RSA_2048 (the server's code is the same for each size)
VALGRIND = bool(os.environ.get("CUSTOS_UNDER_VALGRIND"))
RSA_MID, RSA_BIG = ("RSA_2048", "RSA_2048") if VALGRIND else ("RSA_3072", "RSA_4096")
PAIR_SPECS = ["RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
              "ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519"]


def openssl(*args, data=None):
    p = subprocess.run(["openssl"] + list(args), input=data, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


class Crypto(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kms = cls.server.client("kms", read_timeout=300)
        cls.sym = cls.kms.create_key()["KeyMetadata"]
        cls.agree = {s: cls.kms.create_key(KeySpec=s, KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
                     for s in NIST}
        cls.ec_sign = cls.kms.create_key(KeySpec="ECC_NIST_P256",
                                         KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        cls.tmp = tempfile.mkdtemp()

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    # ---- GenerateDataKeyPair ----

    def check_pair(self, r, spec, context=None, plaintext=True):
        self.assertEqual(r["KeyPairSpec"], spec)
        self.assertEqual(r["KeyId"], self.sym["Arn"])
        self.assertEqual(r["KeyMaterialId"], self.kms.describe_key(
            KeyId=self.sym["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"])
        # the public key is DER SPKI that openssl reads
        rc, pub_pem, err = openssl("pkey", "-pubin", "-inform", "DER", "-in", "/dev/stdin",
                                   data=r["PublicKey"])
        self.assertEqual(rc, 0, err)
        kw = {"EncryptionContext": context} if context else {}
        d = self.kms.decrypt(CiphertextBlob=r["PrivateKeyCiphertextBlob"], **kw)
        self.assertEqual(d["KeyId"], self.sym["Arn"])
        if plaintext:
            self.assertEqual(d["Plaintext"], r["PrivateKeyPlaintext"])
        else:
            self.assertNotIn("PrivateKeyPlaintext", r)
        # the private key is PKCS#8 DER (PrivateKeyInfo) and its public half is PublicKey
        rc, text, err = openssl("asn1parse", "-inform", "DER", "-in", "/dev/stdin",
                                data=d["Plaintext"])
        self.assertEqual(rc, 0, err)
        self.assertIn(b"INTEGER           :00", text.split(b"\n")[1])  # version 0
        rc, derived, err = openssl("pkey", "-inform", "DER", "-in", "/dev/stdin", "-pubout",
                                   "-outform", "DER", data=d["Plaintext"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(derived, r["PublicKey"])
        return d["Plaintext"]

    def test_every_pair_spec(self):
        for spec in PAIR_SPECS:
            with self.subTest(spec=spec):
                ctx = {"purpose": spec}
                r = self.kms.generate_data_key_pair(KeyId=self.sym["KeyId"], KeyPairSpec=spec,
                                                    EncryptionContext=ctx)
                self.check_pair(r, spec, ctx)
                # the context is bound: another one does not open the private key
                self.assertEqual(self.err(self.kms.decrypt,
                                          CiphertextBlob=r["PrivateKeyCiphertextBlob"],
                                          EncryptionContext={"purpose": "other"})[0],
                                 "InvalidCiphertextException")
        r = self.kms.generate_data_key_pair(KeyId=self.sym["KeyId"], KeyPairSpec="ECC_NIST_P256")
        rc, text, _ = openssl("pkey", "-pubin", "-inform", "DER", "-text", "-noout",
                              "-in", "/dev/stdin", data=r["PublicKey"])
        self.assertIn(b"prime256v1", text)
        r = self.kms.generate_data_key_pair(KeyId=self.sym["KeyId"], KeyPairSpec="RSA_2048")
        rc, text, _ = openssl("pkey", "-pubin", "-inform", "DER", "-text", "-noout",
                              "-in", "/dev/stdin", data=r["PublicKey"])
        self.assertIn(b"2048 bit", text)

    def test_without_plaintext_and_large_rsa(self):
        r = self.kms.generate_data_key_pair_without_plaintext(KeyId=self.sym["Arn"],
                                                              KeyPairSpec=RSA_BIG)
        priv = self.check_pair(r, RSA_BIG, plaintext=False)
        rc, text, _ = openssl("pkey", "-inform", "DER", "-text", "-noout", "-in", "/dev/stdin",
                              data=priv)
        self.assertIn(RSA_BIG[4:].encode() + b" bit", text)
        r = self.kms.generate_data_key_pair_without_plaintext(KeyId=self.sym["KeyId"],
                                                              KeyPairSpec="ECC_NIST_P384",
                                                              EncryptionContext={"a": "b"})
        self.check_pair(r, "ECC_NIST_P384", {"a": "b"}, plaintext=False)

    def test_pair_private_key_signs_for_public_key(self):
        r = self.kms.generate_data_key_pair(KeyId=self.sym["KeyId"], KeyPairSpec="ECC_NIST_P256")
        key = self.write("pair.der", r["PrivateKeyPlaintext"])
        pub = self.write("pair.pub", r["PublicKey"])
        rc, sig, err = openssl("pkeyutl", "-sign", "-keyform", "DER", "-inkey", key,
                               data=b"d" * 32)
        self.assertEqual(rc, 0, err)
        sigf = self.write("pair.sig", sig)
        rc, _, err = openssl("pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", pub,
                             "-sigfile", sigf, data=b"d" * 32)
        self.assertEqual(rc, 0, err)

    def test_pair_cli(self):
        _, out, _ = self.server.cli("kms", "generate-data-key-pair", "--key-id",
                                    self.sym["KeyId"], "--key-pair-spec", RSA_MID,
                                    "--encryption-context", "app=cli")
        self.assertEqual(out["KeyPairSpec"], RSA_MID)
        blob = self.write("cli.blob", base64.b64decode(out["PrivateKeyCiphertextBlob"]))
        _, dec, _ = self.server.cli("kms", "decrypt", "--ciphertext-blob", "fileb://" + blob,
                                    "--encryption-context", "app=cli")
        self.assertEqual(dec["Plaintext"], out["PrivateKeyPlaintext"])
        rc, text, _ = openssl("pkey", "-inform", "DER", "-text", "-noout", "-in", "/dev/stdin",
                              data=base64.b64decode(dec["Plaintext"]))
        self.assertIn(RSA_MID[4:].encode() + b" bit", text)
        _, out, _ = self.server.cli("kms", "generate-data-key-pair-without-plaintext",
                                    "--key-id", self.sym["KeyId"], "--key-pair-spec",
                                    "ECC_NIST_P521")
        self.assertEqual(out["KeyPairSpec"], "ECC_NIST_P521")
        self.assertNotIn("PrivateKeyPlaintext", out)
        rc, _, err = self.server.cli("kms", "generate-data-key-pair", "--key-id",
                                     self.ec_sign["KeyId"], "--key-pair-spec", "RSA_2048",
                                     check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidKeyUsageException", err)

    def test_pair_errors(self):
        gen = self.kms.generate_data_key_pair
        for key, usage in [(self.ec_sign, "SIGN_VERIFY"),
                           (self.agree["ECC_NIST_P256"], "KEY_AGREEMENT")]:
            for fn, op in [(gen, "GenerateDataKeyPair"),
                           (self.kms.generate_data_key_pair_without_plaintext,
                            "GenerateDataKeyPairWithoutPlaintext")]:
                self.assertEqual(self.err(fn, KeyId=key["KeyId"], KeyPairSpec="RSA_2048"),
                                 ("InvalidKeyUsageException",
                                  f"{key['Arn']} key usage is {usage} which is not valid for {op}.",
                                  400))
        self.assertEqual(self.err(gen, KeyId=self.sym["KeyId"], KeyPairSpec="RSA_2048",
                                  DryRun=True),
                         ("DryRunOperationException",
                          "The request would have succeeded, but the DryRun option is set.", 412))
        code, msg, status = self.err(gen, KeyId=self.sym["KeyId"], KeyPairSpec="RSA_1024")
        self.assertEqual((code, status), ("ValidationException", 400))
        self.assertIn("RSA_1024", msg)
        missing = "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000"
        code, msg, status = self.err(gen, KeyId=missing.replace("000000000000", self.sym["Arn"].split(":")[4], 1),
                                     KeyPairSpec="RSA_2048")
        self.assertEqual((code, status), ("NotFoundException", 400))
        off = self.kms.create_key()["KeyMetadata"]
        self.kms.disable_key(KeyId=off["KeyId"])
        self.assertEqual(self.err(gen, KeyId=off["KeyId"], KeyPairSpec="ECC_NIST_P256"),
                         ("DisabledException", f"{off['Arn']} is disabled.", 400))

    def test_pair_condition_key_and_rule(self):
        arn, ak, sk = self.server.user("pairs", {
            "Effect": "Allow", "Action": ["kms:GenerateDataKeyPair", "kms:Decrypt"],
            "Resource": "*", "Condition": {"StringEquals": {"kms:DataKeyPairSpec": "ECC_NIST_P256"}}})
        kms = self.server.client("kms", key=ak, secret=sk)
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        kms.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P256")
        code, msg, status = self.err(kms.generate_data_key_pair, KeyId=key,
                                     KeyPairSpec="ECC_NIST_P384")
        self.assertEqual((code, status), ("AccessDeniedException", 400))
        self.assertIn("kms:GenerateDataKeyPair", msg)
        # WithoutPlaintext is an action of its own
        self.assertEqual(self.err(kms.generate_data_key_pair_without_plaintext, KeyId=key,
                                  KeyPairSpec="ECC_NIST_P256")[0], "AccessDeniedException")
        # the AND rule: once the key policy stops enabling IAM policies, the user's does not count
        acct = arn.split(":")[4]
        only_root = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                     "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "kms:*",
                     "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}}]}
        self.kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(only_root),
                                BypassPolicyLockoutSafetyCheck=True)
        self.assertEqual(self.err(kms.generate_data_key_pair, KeyId=key,
                                  KeyPairSpec="ECC_NIST_P256")[0], "AccessDeniedException")
        # a grant alone is enough, for the operation it names
        self.kms.create_grant(KeyId=key, GranteePrincipal=arn,
                              Operations=["GenerateDataKeyPairWithoutPlaintext"])
        kms.generate_data_key_pair_without_plaintext(KeyId=key, KeyPairSpec="ECC_NIST_P384")
        self.assertEqual(self.err(kms.generate_data_key_pair, KeyId=key,
                                  KeyPairSpec="ECC_NIST_P256")[0], "AccessDeniedException")

    # ---- DeriveSharedSecret ----

    def peer(self, curve):
        """A key pair made by openssl: (private key PEM path, public key DER)."""
        path = os.path.join(self.tmp, curve + ".pem")
        rc, _, err = openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve,
                             "-out", path)
        self.assertEqual(rc, 0, err)
        rc, der, err = openssl("pkey", "-in", path, "-pubout", "-outform", "DER")
        self.assertEqual(rc, 0, err)
        return path, der

    def test_derive_matches_openssl(self):
        for spec, curve in NIST.items():
            with self.subTest(spec=spec):
                key = self.agree[spec]
                priv, pub = self.peer(curve)
                r = self.kms.derive_shared_secret(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH",
                                                  PublicKey=pub)
                self.assertEqual((r["KeyId"], r["KeyAgreementAlgorithm"], r["KeyOrigin"]),
                                 (key["Arn"], "ECDH", "AWS_KMS"))
                kms_pub = self.kms.get_public_key(KeyId=key["KeyId"])
                self.assertEqual(kms_pub["KeyAgreementAlgorithms"], ["ECDH"])
                self.assertEqual(kms_pub["KeyUsage"], "KEY_AGREEMENT")
                peerkey = self.write(spec + ".kms.der", kms_pub["PublicKey"])
                rc, secret, err = openssl("pkeyutl", "-derive", "-inkey", priv, "-peerkey", peerkey,
                                          "-peerform", "DER")
                self.assertEqual(rc, 0, err)
                self.assertEqual(r["SharedSecret"], secret)
                self.assertEqual(len(secret), {"ECC_NIST_P256": 32, "ECC_NIST_P384": 48,
                                               "ECC_NIST_P521": 66}[spec])
                meta = self.kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
                self.assertEqual(meta["KeyAgreementAlgorithms"], ["ECDH"])

    def test_derive_two_kms_keys_agree(self):
        a, b = self.agree["ECC_NIST_P256"], self.kms.create_key(
            KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
        pa = self.kms.get_public_key(KeyId=a["KeyId"])["PublicKey"]
        pb = self.kms.get_public_key(KeyId=b["KeyId"])["PublicKey"]
        sa = self.kms.derive_shared_secret(KeyId=a["KeyId"], KeyAgreementAlgorithm="ECDH",
                                           PublicKey=pb)["SharedSecret"]
        sb = self.kms.derive_shared_secret(KeyId=b["KeyId"], KeyAgreementAlgorithm="ECDH",
                                           PublicKey=pa)["SharedSecret"]
        self.assertEqual(sa, sb)

    def test_derive_errors(self):
        key = self.agree["ECC_NIST_P256"]
        _, pub = self.peer("prime256v1")
        _, other_curve = self.peer("secp384r1")
        derive = self.kms.derive_shared_secret
        for k, usage in [(self.sym, "ENCRYPT_DECRYPT"), (self.ec_sign, "SIGN_VERIFY")]:
            self.assertEqual(self.err(derive, KeyId=k["KeyId"], KeyAgreementAlgorithm="ECDH",
                                      PublicKey=pub),
                             ("InvalidKeyUsageException",
                              f"{k['Arn']} key usage is {usage} which is not valid for "
                              "DeriveSharedSecret.", 400))
        rc, rsa_pem, _ = openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024")
        _, rsa_pub, _ = openssl("pkey", "-pubout", "-outform", "DER", data=rsa_pem)
        want = ("ValidationException", "PublicKey must be a DER-encoded X.509 "
                "SubjectPublicKeyInfo of a valid point on the curve of key spec ECC_NIST_P256.", 400)
        # a point off the curve: the peer's key with its last coordinate byte changed
        off_curve = pub[:-1] + bytes([pub[-1] ^ 1])
        for bad in [b"not a key", other_curve, rsa_pub, off_curve, pub + b"\0", pub[:-3]]:
            with self.subTest(bad=bad[:12]):
                self.assertEqual(self.err(derive, KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH",
                                          PublicKey=bad), want)
        self.assertEqual(self.err(derive, KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH",
                                  PublicKey=pub, DryRun=True)[0], "DryRunOperationException")
        code, _, status = self.err(derive, KeyId=key["KeyId"], KeyAgreementAlgorithm="DH",
                                   PublicKey=pub)
        self.assertEqual((code, status), ("ValidationException", 400))
        # the server still serves
        derive(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=pub)

    def test_derive_authorization(self):
        arn, ak, sk = self.server.user("agree")
        kms = self.server.client("kms", key=ak, secret=sk)
        key = self.kms.create_key(KeySpec="ECC_NIST_P384", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
        _, pub = self.peer("secp384r1")
        self.assertEqual(self.err(kms.derive_shared_secret, KeyId=key["KeyId"],
                                  KeyAgreementAlgorithm="ECDH", PublicKey=pub)[0],
                         "AccessDeniedException")
        # a key policy naming the user is enough, without an identity policy
        acct = arn.split(":")[4]
        pol = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "kms:DeriveSharedSecret",
             "Resource": "*"}]}
        self.kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(pol))
        kms.derive_shared_secret(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=pub)
        # a grant alone is enough too
        k2 = self.kms.create_key(KeySpec="ECC_NIST_P384", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
        self.assertEqual(self.err(kms.derive_shared_secret, KeyId=k2["KeyId"],
                                  KeyAgreementAlgorithm="ECDH", PublicKey=pub)[0],
                         "AccessDeniedException")
        g = self.kms.create_grant(KeyId=k2["KeyId"], GranteePrincipal=arn,
                                  Operations=["DeriveSharedSecret"])
        kms.derive_shared_secret(KeyId=k2["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=pub)
        self.kms.revoke_grant(KeyId=k2["KeyId"], GrantId=g["GrantId"])
        self.assertEqual(self.err(kms.derive_shared_secret, KeyId=k2["KeyId"],
                                  KeyAgreementAlgorithm="ECDH", PublicKey=pub)[0],
                         "AccessDeniedException")

    # ---- ReEncrypt with RSA keys, and its condition keys ----

    def rsa_key(self):
        if not hasattr(Crypto, "_rsa"):
            Crypto._rsa = self.kms.create_key(KeySpec="RSA_2048",
                                              KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
        return Crypto._rsa

    def test_re_encrypt_rsa_both_ways(self):
        rsa = self.rsa_key()
        sym = self.sym
        # symmetric -> RSA: Decrypt with the RSA key gives the plaintext back
        ct = self.kms.encrypt(KeyId=sym["KeyId"], Plaintext=b"secret", EncryptionContext={"a": "1"})
        r = self.kms.re_encrypt(CiphertextBlob=ct["CiphertextBlob"], SourceEncryptionContext={"a": "1"},
                                DestinationKeyId=rsa["KeyId"],
                                DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")
        self.assertEqual((r["SourceKeyId"], r["KeyId"], r["SourceEncryptionAlgorithm"],
                          r["DestinationEncryptionAlgorithm"]),
                         (sym["Arn"], rsa["Arn"], "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256"))
        self.assertIn("SourceKeyMaterialId", r)
        self.assertNotIn("DestinationKeyMaterialId", r)
        d = self.kms.decrypt(KeyId=rsa["KeyId"], CiphertextBlob=r["CiphertextBlob"],
                             EncryptionAlgorithm="RSAES_OAEP_SHA_256")
        self.assertEqual(d["Plaintext"], b"secret")
        # RSA -> symmetric, from a ciphertext openssl made with GetPublicKey's key
        pub = self.write("rsa.pub", self.kms.get_public_key(KeyId=rsa["KeyId"])["PublicKey"])
        rc, osl, err = openssl("pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", pub,
                               "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1",
                               "-pkeyopt", "rsa_mgf1_md:sha1", data=b"from openssl")
        self.assertEqual(rc, 0, err)
        r = self.kms.re_encrypt(CiphertextBlob=osl, SourceKeyId=rsa["Arn"],
                                SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1",
                                DestinationKeyId=sym["KeyId"], DestinationEncryptionContext={"b": "2"})
        self.assertEqual((r["SourceEncryptionAlgorithm"], r["DestinationEncryptionAlgorithm"]),
                         ("RSAES_OAEP_SHA_1", "SYMMETRIC_DEFAULT"))
        self.assertNotIn("SourceKeyMaterialId", r)
        self.assertEqual(self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"],
                                          EncryptionContext={"b": "2"})["Plaintext"], b"from openssl")
        # RSA -> RSA, changing the algorithm
        r2 = self.kms.re_encrypt(CiphertextBlob=osl, SourceKeyId=rsa["KeyId"],
                                 SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1",
                                 DestinationKeyId=rsa["KeyId"],
                                 DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")
        self.assertEqual(self.kms.decrypt(KeyId=rsa["KeyId"], CiphertextBlob=r2["CiphertextBlob"],
                                          EncryptionAlgorithm="RSAES_OAEP_SHA_256")["Plaintext"],
                         b"from openssl")

    def test_re_encrypt_rsa_errors(self):
        rsa = self.rsa_key()
        ct = self.kms.encrypt(KeyId=self.sym["KeyId"], Plaintext=b"x")["CiphertextBlob"]
        rsa_ct = self.kms.encrypt(KeyId=rsa["KeyId"], Plaintext=b"x",
                                  EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
        re = self.kms.re_encrypt
        # an RSA destination needs its algorithm; a symmetric one takes no RSA algorithm
        self.assertEqual(self.err(re, CiphertextBlob=ct, DestinationKeyId=rsa["KeyId"]),
                         ("InvalidKeyUsageException", "The encryption algorithm SYMMETRIC_DEFAULT "
                          "is not compatible with the key spec RSA_2048.", 400))
        self.assertEqual(self.err(re, CiphertextBlob=ct, DestinationKeyId=self.sym["KeyId"],
                                  DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1"),
                         ("InvalidKeyUsageException", "The encryption algorithm RSAES_OAEP_SHA_1 "
                          "is not compatible with the key spec SYMMETRIC_DEFAULT.", 400))
        self.assertEqual(self.err(re, CiphertextBlob=rsa_ct, SourceKeyId=rsa["KeyId"],
                                  DestinationKeyId=self.sym["KeyId"])[0], "InvalidKeyUsageException")
        # the wrong source algorithm, or no SourceKeyId: the ciphertext does not open
        self.assertEqual(self.err(re, CiphertextBlob=rsa_ct, SourceKeyId=rsa["KeyId"],
                                  SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1",
                                  DestinationKeyId=self.sym["KeyId"])[0], "InvalidCiphertextException")
        self.assertEqual(self.err(re, CiphertextBlob=rsa_ct, DestinationKeyId=self.sym["KeyId"])[0],
                         "InvalidCiphertextException")
        # a signing key is no destination
        code, msg, _ = self.err(re, CiphertextBlob=ct, DestinationKeyId=self.ec_sign["KeyId"],
                                DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1")
        self.assertEqual(code, "InvalidKeyUsageException")
        self.assertIn("key usage is SIGN_VERIFY", msg)
        # too long for RSA_2048 with SHA-256 (190 bytes at most)
        big = self.kms.encrypt(KeyId=self.sym["KeyId"], Plaintext=b"p" * 191)["CiphertextBlob"]
        self.assertEqual(self.err(re, CiphertextBlob=big, DestinationKeyId=rsa["KeyId"],
                                  DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")[0],
                         "ValidationException")
        self.assertEqual(self.err(re, CiphertextBlob=rsa_ct, SourceKeyId=rsa["KeyId"],
                                  SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
                                  DestinationKeyId=self.sym["KeyId"], DryRun=True)[0],
                         "DryRunOperationException")

    def test_re_encrypt_condition_keys_per_half(self):
        arn, ak, sk = self.server.user("rotator", {
            "Effect": "Allow", "Action": "kms:ReEncryptFrom", "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:stage": "old"}}}, {
            "Effect": "Allow", "Action": "kms:ReEncryptTo", "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:stage": "new"},
                          "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["stage"]}}})
        kms = self.server.client("kms", key=ak, secret=sk)
        ct = self.kms.encrypt(KeyId=self.sym["KeyId"], Plaintext=b"x",
                              EncryptionContext={"stage": "old"})["CiphertextBlob"]
        r = kms.re_encrypt(CiphertextBlob=ct, SourceEncryptionContext={"stage": "old"},
                           DestinationKeyId=self.sym["KeyId"],
                           DestinationEncryptionContext={"stage": "new"})
        self.assertEqual(self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"],
                                          EncryptionContext={"stage": "new"})["Plaintext"], b"x")
        # the destination half is judged on its own context: "old" there is denied
        code, msg, _ = self.err(kms.re_encrypt, CiphertextBlob=ct,
                                SourceEncryptionContext={"stage": "old"},
                                DestinationKeyId=self.sym["KeyId"],
                                DestinationEncryptionContext={"stage": "old"})
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("kms:ReEncryptTo", msg)
        # and the source half on its own: a source context of "new" is denied ReEncryptFrom
        code, msg, _ = self.err(kms.re_encrypt, CiphertextBlob=ct,
                                SourceEncryptionContext={"stage": "new"},
                                DestinationKeyId=self.sym["KeyId"],
                                DestinationEncryptionContext={"stage": "new"})
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("kms:ReEncryptFrom", msg)
        # an extra destination context key fails kms:EncryptionContextKeys
        self.assertEqual(self.err(kms.re_encrypt, CiphertextBlob=ct,
                                  SourceEncryptionContext={"stage": "old"},
                                  DestinationKeyId=self.sym["KeyId"],
                                  DestinationEncryptionContext={"stage": "new", "x": "y"})[0],
                         "AccessDeniedException")

    # ---- CreateGrant: operations that fit the key ----

    def test_create_grant_operations_fit_the_key(self):
        grantee = f"arn:aws:iam::{self.sym['Arn'].split(':')[4]}:root"
        hmac = self.kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
        rsa = self.rsa_key()
        agree = self.agree["ECC_NIST_P256"]
        refused = [(self.sym, "Sign"), (self.sym, "GetPublicKey"), (self.sym, "GenerateMac"),
                   (self.ec_sign, "GenerateDataKey"), (self.ec_sign, "Encrypt"),
                   (rsa, "GenerateDataKeyPair"), (rsa, "Sign"), (hmac, "Decrypt"),
                   (hmac, "GetPublicKey"), (agree, "Sign"), (agree, "Encrypt")]
        for key, op in refused:
            with self.subTest(key=key["KeySpec"], op=op):
                self.assertEqual(
                    self.err(self.kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=grantee,
                             Operations=["DescribeKey", op]),
                    ("ValidationException", f"Grant operation {op} is not supported for a KMS key "
                     f"with key spec {key['KeySpec']} and key usage {key['KeyUsage']}.", 400))
        allowed = [(self.sym, ["Encrypt", "Decrypt", "GenerateDataKeyPair", "ReEncryptFrom",
                               "ReEncryptTo", "CreateGrant", "RetireGrant", "DescribeKey"]),
                   (self.ec_sign, ["Sign", "Verify", "GetPublicKey", "DescribeKey"]),
                   (rsa, ["Encrypt", "Decrypt", "GetPublicKey", "ReEncryptFrom"]),
                   (hmac, ["GenerateMac", "VerifyMac", "DescribeKey"]),
                   (agree, ["DeriveSharedSecret", "GetPublicKey", "CreateGrant"])]
        for key, ops in allowed:
            with self.subTest(key=key["KeySpec"], ops=ops):
                g = self.kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee, Operations=ops)
                self.kms.revoke_grant(KeyId=key["KeyId"], GrantId=g["GrantId"])

    def test_secrets_not_in_trail(self):
        r = self.kms.generate_data_key_pair(KeyId=self.sym["KeyId"], KeyPairSpec="ECC_NIST_P256")
        _, pub = self.peer("prime256v1")
        s = self.kms.derive_shared_secret(KeyId=self.agree["ECC_NIST_P256"]["KeyId"],
                                          KeyAgreementAlgorithm="ECDH", PublicKey=pub)
        with open(os.path.join(self.server.data_dir, "audit.log"), "rb") as f:
            trail = f.read()
        log = self.server.read_log()
        log = log.encode() if isinstance(log, str) else log
        for secret in (r["PrivateKeyPlaintext"], s["SharedSecret"]):
            for text in (trail, log):
                self.assertNotIn(base64.b64encode(secret), text)
        names = [rec.get("eventName") for rec in self.server.audit_records()]
        self.assertIn("GenerateDataKeyPair", names)
        self.assertIn("DeriveSharedSecret", names)


FLUSH_MS = 300


class LastUsage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(env={"CUSTOS_KEY_USAGE_FLUSH_MS": str(FLUSH_MS)}).start()
        cls.kms = cls.server.client("kms")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def store_seq(self):
        db = sqlite3.connect(os.path.join(self.server.data_dir, "custos.db"))
        try:
            return db.execute("SELECT MAX(seq) FROM change_log").fetchone()[0] or 0
        finally:
            db.close()

    def wait_used(self, key_id, op, deadline_s=10):
        end = time.time() + deadline_s
        while True:
            r = self.kms.get_key_last_usage(KeyId=key_id)
            if r["KeyLastUsage"].get("Operation") == op or time.time() > end:
                return r
            time.sleep(FLUSH_MS / 1000 / 3)

    def event_of(self, request_id):
        return [rec for rec in self.server.audit_records() if rec.get("requestID") == request_id]

    def test_never_used_then_each_operation(self):
        key = self.kms.create_key()["KeyMetadata"]
        r = self.kms.get_key_last_usage(KeyId=key["KeyId"])
        self.assertEqual(r["KeyLastUsage"], {})
        self.assertEqual(r["KeyId"], key["KeyId"])
        self.assertEqual(r["KeyCreationDate"], key["CreationDate"])
        # custos tracks from the key's creation (the later of it and its tracking start)
        self.assertEqual(r["TrackingStartDate"], key["CreationDate"])
        # what is not a cryptographic use, or did not succeed, is not noted
        self.kms.describe_key(KeyId=key["KeyId"])
        with self.assertRaises(ClientError):
            self.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", DryRun=True)
        with self.assertRaises(ClientError):
            self.kms.decrypt(CiphertextBlob=b"\x01" * 64)
        time.sleep(3 * FLUSH_MS / 1000)
        self.assertEqual(self.kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"], {})
        enc = self.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        u = self.wait_used(key["KeyId"], "Encrypt")["KeyLastUsage"]
        self.assertEqual(u["Operation"], "Encrypt")
        rid = enc["ResponseMetadata"]["RequestId"]
        self.assertEqual(u["KmsRequestId"], rid)
        rec = self.event_of(rid)
        self.assertEqual(len(rec), 1)
        self.assertEqual(u["CloudTrailEventId"], rec[0]["eventID"])
        self.assertLess(abs(u["Timestamp"].timestamp() - time.time()), 30)
        # a later use replaces it (1 s apart: notes closer together keep the first)
        time.sleep(1.1)
        self.kms.decrypt(CiphertextBlob=enc["CiphertextBlob"])
        self.assertEqual(self.wait_used(key["Arn"], "Decrypt")["KeyLastUsage"]["Operation"],
                         "Decrypt")
        for spec, usage, call, op in [
                ("ECC_NIST_P256", "SIGN_VERIFY", lambda k: self.kms.sign(
                    KeyId=k, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"), "Sign"),
                ("HMAC_256", "GENERATE_VERIFY_MAC", lambda k: self.kms.generate_mac(
                    KeyId=k, Message=b"m", MacAlgorithm="HMAC_SHA_256"), "GenerateMac"),
                ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", lambda k: self.kms.generate_data_key_pair(
                    KeyId=k, KeyPairSpec="ECC_NIST_P256"), "GenerateDataKeyPair")]:
            with self.subTest(op=op):
                k = self.kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
                call(k)
                self.assertEqual(self.wait_used(k, op)["KeyLastUsage"]["Operation"], op)

    def test_no_store_write_per_call(self):
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.kms.encrypt(KeyId=key, Plaintext=b"x")
        self.wait_used(key, "Encrypt")
        time.sleep(2 * FLUSH_MS / 1000)
        before = self.store_seq()
        started = time.time()
        for _ in range(60):
            self.kms.encrypt(KeyId=key, Plaintext=b"x")
        intervals = (time.time() - started) * 1000 / FLUSH_MS + 2
        time.sleep(2 * FLUSH_MS / 1000)
        self.assertLessEqual(self.store_seq() - before, intervals)
        self.assertLess(self.store_seq() - before, 60)

    def test_errors_and_authorization(self):
        acct = self.kms.create_key()["KeyMetadata"]["Arn"].split(":")[4]
        missing = f"arn:aws:kms:{harness.REGION}:{acct}:key/00000000-0000-0000-0000-000000000000"
        with self.assertRaises(ClientError) as e:
            self.kms.get_key_last_usage(KeyId=missing)
        self.assertEqual((e.exception.response["Error"]["Code"],
                          e.exception.response["Error"]["Message"]),
                         ("NotFoundException", f"Key '{missing}' does not exist"))
        arn, ak, sk = self.server.user("reader")
        kms = self.server.client("kms", key=ak, secret=sk)
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        with self.assertRaises(ClientError) as e:
            kms.get_key_last_usage(KeyId=key)
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertIn("kms:GetKeyLastUsage", e.exception.response["Error"]["Message"])
        self.kms.create_grant(KeyId=key, GranteePrincipal=arn, Operations=["DescribeKey"])
        with self.assertRaises(ClientError):
            kms.get_key_last_usage(KeyId=key)


DAY = 86400


class ExpiredMaterial(unittest.TestCase):
    """Imported material past its ValidTo: the key sweeper deletes it (test-only clock)."""

    def test_sweep_deletes_expired_material(self):
        import datetime
        from test_kms_import import wrap
        s = harness.Server().start()
        try:
            kms = s.client("kms")
            key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
            forever = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
            material = os.urandom(32)
            for k, kw in ((key, {"ValidTo": datetime.datetime.now(datetime.timezone.utc)
                                 + datetime.timedelta(days=1)}),
                          (forever, {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})):
                p = kms.get_parameters_for_import(KeyId=k["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                  WrappingKeySpec="RSA_2048")
                kms.import_key_material(KeyId=k["KeyId"], ImportToken=p["ImportToken"],
                                        EncryptedKeyMaterial=wrap(p["PublicKey"], material,
                                                                  "RSAES_OAEP_SHA_256"), **kw)
            blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"until tomorrow")["CiphertextBlob"]

            def stored(key_id):
                db = sqlite3.connect(os.path.join(s.data_dir, "custos.db"))
                try:
                    return json.loads(db.execute("SELECT doc FROM objects WHERE kind = 'kms_key' AND key = ?",
                                                 (key_id,)).fetchone()[0])
                finally:
                    db.close()

            self.assertEqual(len(stored(key["KeyId"])["Backing"]), 1)
            offset = 2 * DAY
            s.restart_later(offset)  # the sweep runs at start
            doc = stored(key["KeyId"])
            self.assertEqual((doc["Backing"], doc["KeyState"]), ([], "PendingImport"))
            self.assertNotIn("ValidTo", doc)
            self.assertEqual(len(stored(forever["KeyId"])["Backing"]), 1)
            events = [r for r in s.audit_records() if r.get("eventName") == "DeleteExpiredKeyMaterial"]
            self.assertEqual(len(events), 1)
            self.assertEqual(events[0]["resources"][0]["ARN"], key["Arn"])
            with harness.shifted_clock(offset):
                kms = s.client("kms")
                d = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
                self.assertEqual((d["KeyState"], d["Enabled"]), ("PendingImport", False))
                with self.assertRaises(ClientError) as e:
                    kms.decrypt(CiphertextBlob=blob)
                self.assertEqual(e.exception.response["Error"]["Code"], "KMSInvalidStateException")
                # the same material imported again brings the ciphertext back
                p = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                  WrappingKeySpec="RSA_2048")
                kms.import_key_material(KeyId=key["KeyId"], ImportToken=p["ImportToken"],
                                        EncryptedKeyMaterial=wrap(p["PublicKey"], material,
                                                                  "RSAES_OAEP_SHA_256"),
                                        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
                self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"until tomorrow")
            # a second start sweeps nothing more
            s.stop()
            s.start()
            self.assertEqual(len([r for r in s.audit_records()
                                  if r.get("eventName") == "DeleteExpiredKeyMaterial"]), 1)
        finally:
            s.cleanup()


if __name__ == "__main__":
    harness.main()
