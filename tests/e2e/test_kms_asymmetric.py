"""KMS asymmetric and HMAC keys through boto3 and the AWS CLI v2: CreateKey for every key
spec custos makes, DescribeKey's algorithm lists, GetPublicKey, Sign/Verify, RSA
Encrypt/Decrypt, GenerateMac/VerifyMac; interop with the openssl command line (custos
signatures verify with openssl on GetPublicKey's DER, openssl signatures and ciphertexts
are accepted by Verify and Decrypt); error paths; the key policy AND rule and a grant."""
import hashlib
import json
import os
import subprocess
import tempfile


import harness

# Under valgrind (the valgrind-e2e run) RSA_3072 and RSA_4096 keys take minutes each to
# generate; the server runs the same code for every RSA size, so that run memchecks it
# with RSA_2048 and the plain e2e run covers all three sizes.
RSA = (["RSA_2048"] if os.environ.get("CUSTOS_UNDER_VALGRIND")
       else ["RSA_2048", "RSA_3072", "RSA_4096"])
NIST = ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"]
HMAC = {"HMAC_224": "HMAC_SHA_224", "HMAC_256": "HMAC_SHA_256", "HMAC_384": "HMAC_SHA_384",
        "HMAC_512": "HMAC_SHA_512"}
RSA_SIGN = ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384",
            "RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384",
            "RSASSA_PSS_SHA_512"]
EC_ALG = {"ECC_NIST_P256": "ECDSA_SHA_256", "ECC_NIST_P384": "ECDSA_SHA_384",
          "ECC_NIST_P521": "ECDSA_SHA_512", "ECC_SECG_P256K1": "ECDSA_SHA_256"}


def md_of(alg):
    return "sha" + alg.rsplit("_", 1)[1]


def openssl(*args, data=None):
    p = subprocess.run(["openssl"] + list(args), input=data, capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class Asymmetric(harness.ServerTest):
    def setUp(self):
        # RSA_4096 generation outlasts botocore's 60-second read timeout under valgrind
        self.kms = self.server.client("kms", read_timeout=600)
        self.tmp = tempfile.mkdtemp()

    def key(self, spec, usage):
        return self.kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]

    # RSA key generation dominates the run (minutes for RSA_4096 under valgrind): the tests
    # that only read a large RSA key share one per spec and usage
    shared = {}

    def shared_key(self, spec, usage):
        if (spec, usage) not in Asymmetric.shared:
            Asymmetric.shared[(spec, usage)] = self.key(spec, usage)
        return Asymmetric.shared[(spec, usage)]

    def pub_pem(self, key_id):
        der = self.kms.get_public_key(KeyId=key_id)["PublicKey"]
        path = os.path.join(self.tmp, key_id + ".der")
        with open(path, "wb") as f:
            f.write(der)
        return path

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_every_spec_created_and_described(self):
        cases = [(s, u) for s in RSA for u in ("ENCRYPT_DECRYPT", "SIGN_VERIFY")]
        cases += [(s, u) for s in NIST for u in ("SIGN_VERIFY", "KEY_AGREEMENT")]
        cases += [("ECC_SECG_P256K1", "SIGN_VERIFY")]
        cases += [(s, "GENERATE_VERIFY_MAC") for s in HMAC]
        for spec, usage in cases:
            with self.subTest(spec=spec, usage=usage):
                created = self.shared_key(spec, usage) if spec in RSA else self.key(spec, usage)
                meta = self.kms.describe_key(KeyId=created["KeyId"])["KeyMetadata"]
                self.assertEqual(created, meta)
                self.assertEqual((meta["KeySpec"], meta["CustomerMasterKeySpec"],
                                  meta["KeyUsage"]), (spec, spec, usage))
                lists = {k: meta.get(k) for k in ("EncryptionAlgorithms", "SigningAlgorithms",
                                                  "MacAlgorithms", "KeyAgreementAlgorithms")}
                want = {k: None for k in lists}
                if usage == "ENCRYPT_DECRYPT":
                    want["EncryptionAlgorithms"] = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
                elif usage == "SIGN_VERIFY":
                    want["SigningAlgorithms"] = RSA_SIGN if spec in RSA else [EC_ALG[spec]]
                elif usage == "KEY_AGREEMENT":
                    want["KeyAgreementAlgorithms"] = ["ECDH"]
                else:
                    want["MacAlgorithms"] = [HMAC[spec]]
                self.assertEqual(lists, want)

    def test_cli_create_and_public_key(self):
        _, out, _ = self.server.cli("kms", "create-key", "--key-spec", "ECC_NIST_P256",
                                    "--key-usage", "SIGN_VERIFY")
        key_id = out["KeyMetadata"]["KeyId"]
        _, pub, _ = self.server.cli("kms", "get-public-key", "--key-id", key_id)
        self.assertEqual(pub["KeySpec"], "ECC_NIST_P256")
        self.assertEqual(pub["SigningAlgorithms"], ["ECDSA_SHA_256"])
        der = self.write("cli.b64", pub["PublicKey"].encode())
        rc, text, _ = openssl("pkey", "-pubin", "-inform", "DER", "-text", "-noout",
                              "-in", "/dev/stdin",
                              data=__import__("base64").b64decode(pub["PublicKey"]))
        self.assertEqual(rc, 0)
        self.assertIn(b"prime256v1", text)
        self.assertTrue(os.path.exists(der))

    def test_create_key_validation(self):
        for spec, usage in [("RSA_2048", "GENERATE_VERIFY_MAC"), ("ECC_NIST_P256", "ENCRYPT_DECRYPT"),
                            ("ECC_SECG_P256K1", "KEY_AGREEMENT"), ("HMAC_256", "SIGN_VERIFY"),
                            ("SYMMETRIC_DEFAULT", "SIGN_VERIFY")]:
            with self.subTest(spec=spec, usage=usage):
                self.assertEqual(self.err(self.kms.create_key, KeySpec=spec, KeyUsage=usage),
                                 ("ValidationException",
                                  f"The KeyUsage value {usage} is not valid for KeySpec {spec}.", 400))
        # no KeyUsage: ENCRYPT_DECRYPT, which an HMAC key cannot have
        code, msg, _ = self.err(self.kms.create_key, KeySpec="HMAC_256")
        self.assertEqual(code, "ValidationException")
        for spec, what in [("ML_DSA_65", "ML-DSA"), ("ECC_NIST_EDWARDS25519", "Ed25519ph")]:
            code, msg, status = self.err(self.kms.create_key, KeySpec=spec, KeyUsage="SIGN_VERIFY")
            self.assertEqual((code, status), ("UnsupportedOperationException", 400))
            self.assertIn(what, msg)
        # both spellings at once; the deprecated one alone still works
        self.assertEqual(self.err(self.kms.create_key, KeySpec="RSA_2048",
                                  CustomerMasterKeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")[0],
                         "ValidationException")
        meta = self.kms.create_key(CustomerMasterKeySpec="ECC_SECG_P256K1",
                                   KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        self.assertEqual(meta["KeySpec"], "ECC_SECG_P256K1")

    def test_sign_verifies_with_openssl(self):
        cases = [(s, a) for s in RSA[:1] for a in RSA_SIGN] + list(EC_ALG.items())
        msg = b"the quick brown fox"
        for spec, alg in cases:
            with self.subTest(spec=spec, alg=alg):
                key = self.shared_key(spec, "SIGN_VERIFY")["KeyId"]
                pub = self.pub_pem(key)
                r = self.kms.sign(KeyId=key, Message=msg, SigningAlgorithm=alg)
                self.assertEqual((r["KeyId"].endswith(key), r["SigningAlgorithm"]), (True, alg))
                sig = self.write("sig", r["Signature"])
                data = self.write("msg", msg)
                extra = ["-sigopt", "rsa_padding_mode:pss", "-sigopt",
                         "rsa_pss_saltlen:digest"] if "PSS" in alg else []
                rc, out, err = openssl("dgst", "-" + md_of(alg), "-keyform", "DER", "-verify",
                                       pub, "-signature", sig, *extra, data)
                self.assertEqual(rc, 0, err)
                # DIGEST of the same data: a signature Verify accepts with RAW
                digest = hashlib.new(md_of(alg), msg).digest()
                r2 = self.kms.sign(KeyId=key, Message=digest, MessageType="DIGEST",
                                   SigningAlgorithm=alg)
                v = self.kms.verify(KeyId=key, Message=msg, Signature=r2["Signature"],
                                    SigningAlgorithm=alg)
                self.assertTrue(v["SignatureValid"])

    def test_openssl_signature_verifies(self):
        key = self.key("ECC_NIST_P384", "SIGN_VERIFY")["KeyId"]
        # an openssl-made key cannot sign for a KMS key; verify an openssl signature made
        # over a KMS digest instead: openssl pkeyutl -verify on the same DER checks KMS's
        pub = self.pub_pem(key)
        digest = hashlib.sha384(b"payload").digest()
        sig = self.kms.sign(KeyId=key, Message=digest, MessageType="DIGEST",
                            SigningAlgorithm="ECDSA_SHA_384")["Signature"]
        rc, out, err = openssl("pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", pub,
                               "-in", self.write("d", digest), "-sigfile", self.write("s", sig))
        self.assertEqual(rc, 0, err)
        self.assertIn(b"Signature Verified Successfully", out)

    def test_verify_rejects(self):
        key = self.shared_key("RSA_2048", "SIGN_VERIFY")["KeyId"]
        sig = self.kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
        bad = bytes([sig[0] ^ 1]) + sig[1:]
        for kw in [dict(Message=b"m", Signature=bad), dict(Message=b"n", Signature=sig),
                   dict(Message=b"m", Signature=b"x")]:
            self.assertEqual(self.err(self.kms.verify, KeyId=key, SigningAlgorithm="RSASSA_PSS_SHA_256", **kw)[0::2],
                             ("KMSInvalidSignatureException", 400))
        # the PKCS#1 algorithm does not accept a PSS signature
        self.assertEqual(self.err(self.kms.verify, KeyId=key, Message=b"m", Signature=sig,
                                  SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")[0],
                         "KMSInvalidSignatureException")

    def test_sign_errors(self):
        key = self.key("ECC_NIST_P256", "SIGN_VERIFY")
        self.assertEqual(self.err(self.kms.sign, KeyId=key["KeyId"], Message=b"m",
                                  SigningAlgorithm="RSASSA_PSS_SHA_256"),
                         ("InvalidKeyUsageException",
                          "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256.", 400))
        self.assertEqual(self.err(self.kms.sign, KeyId=key["KeyId"], Message=b"short",
                                  MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256"),
                         ("ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256.", 400))
        self.assertEqual(self.err(self.kms.sign, KeyId=key["KeyId"], Message=b"m" * 4097,
                                  SigningAlgorithm="ECDSA_SHA_256")[0::2], ("ValidationException", 400))
        self.kms.sign(KeyId=key["KeyId"], Message=b"m" * 4096, SigningAlgorithm="ECDSA_SHA_256")
        self.assertEqual(self.err(self.kms.sign, KeyId=key["KeyId"], Message=b"m",
                                  SigningAlgorithm="ECDSA_SHA_256", DryRun=True)[0::2],
                         ("DryRunOperationException", 412))
        rc, _, stderr = self.server.cli("kms", "sign", "--key-id", key["KeyId"], "--message",
                                        "bQ==", "--signing-algorithm", "ECDSA_SHA_384", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidKeyUsageException", stderr)
        sym = self.kms.create_key()["KeyMetadata"]
        self.assertEqual(self.err(self.kms.sign, KeyId=sym["KeyId"], Message=b"m",
                                  SigningAlgorithm="ECDSA_SHA_256"),
                         ("InvalidKeyUsageException",
                          f"{sym['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for Sign.", 400))
        self.kms.disable_key(KeyId=key["KeyId"])
        self.assertEqual(self.err(self.kms.sign, KeyId=key["KeyId"], Message=b"m",
                                  SigningAlgorithm="ECDSA_SHA_256"),
                         ("DisabledException", f"{key['Arn']} is disabled.", 400))

    def test_symmetric_operations_refused(self):
        for spec, usage, ops in [("HMAC_256", "GENERATE_VERIFY_MAC", ["Encrypt", "GenerateDataKey"]),
                                 ("RSA_2048", "SIGN_VERIFY", ["Encrypt", "GenerateDataKey"]),
                                 ("RSA_2048", "ENCRYPT_DECRYPT", ["GenerateDataKey"]),
                                 ("ECC_NIST_P256", "KEY_AGREEMENT", ["Encrypt"])]:
            key = self.key(spec, usage)
            for op in ops:
                with self.subTest(spec=spec, usage=usage, op=op):
                    fn = self.kms.encrypt if op == "Encrypt" else self.kms.generate_data_key
                    kw = dict(Plaintext=b"x") if op == "Encrypt" else dict(KeySpec="AES_256")
                    self.assertEqual(self.err(fn, KeyId=key["KeyId"], **kw),
                                     ("InvalidKeyUsageException",
                                      f"{key['Arn']} key usage is {usage} which is not valid for {op}.", 400))
        hmac = self.key("HMAC_256", "GENERATE_VERIFY_MAC")
        self.assertEqual(self.err(self.kms.get_public_key, KeyId=hmac["KeyId"])[0],
                         "UnsupportedOperationException")

    def test_rsa_encrypt_decrypt_and_openssl(self):
        limits = {("RSA_2048", "RSAES_OAEP_SHA_1"): 214, ("RSA_2048", "RSAES_OAEP_SHA_256"): 190,
                  ("RSA_3072", "RSAES_OAEP_SHA_1"): 342, ("RSA_3072", "RSAES_OAEP_SHA_256"): 318,
                  ("RSA_4096", "RSAES_OAEP_SHA_1"): 470, ("RSA_4096", "RSAES_OAEP_SHA_256"): 446}
        keys = {s: self.shared_key(s, "ENCRYPT_DECRYPT")["KeyId"] for s in RSA}
        for (spec, alg), n in ((k, v) for k, v in limits.items() if k[0] in RSA):
            with self.subTest(spec=spec, alg=alg):
                key = keys[spec]
                r = self.kms.encrypt(KeyId=key, Plaintext=b"p" * n, EncryptionAlgorithm=alg)
                self.assertEqual(r["EncryptionAlgorithm"], alg)
                d = self.kms.decrypt(KeyId=key, CiphertextBlob=r["CiphertextBlob"],
                                     EncryptionAlgorithm=alg)
                self.assertEqual(d["Plaintext"], b"p" * n)
                self.assertEqual(self.err(self.kms.encrypt, KeyId=key, Plaintext=b"p" * (n + 1),
                                          EncryptionAlgorithm=alg)[0], "ValidationException")
                # openssl encrypts to GetPublicKey's key; KMS decrypts
                md = "sha1" if alg.endswith("SHA_1") else "sha256"
                rc, ct, err = openssl("pkeyutl", "-encrypt", "-pubin", "-keyform", "DER",
                                      "-inkey", self.pub_pem(key), "-pkeyopt", "rsa_padding_mode:oaep",
                                      "-pkeyopt", "rsa_oaep_md:" + md, "-pkeyopt", "rsa_mgf1_md:" + md,
                                      data=b"from openssl")
                self.assertEqual(rc, 0, err)
                d = self.kms.decrypt(KeyId=key, CiphertextBlob=ct, EncryptionAlgorithm=alg)
                self.assertEqual(d["Plaintext"], b"from openssl")
        key = keys["RSA_2048"]
        ct = self.kms.encrypt(KeyId=key, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
        # the wrong algorithm, a tampered blob, no KeyId: InvalidCiphertextException
        self.assertEqual(self.err(self.kms.decrypt, KeyId=key, CiphertextBlob=ct,
                                  EncryptionAlgorithm="RSAES_OAEP_SHA_1")[0], "InvalidCiphertextException")
        self.assertEqual(self.err(self.kms.decrypt, KeyId=key, CiphertextBlob=bytes([ct[0] ^ 1]) + ct[1:],
                                  EncryptionAlgorithm="RSAES_OAEP_SHA_256")[0], "InvalidCiphertextException")
        self.assertEqual(self.err(self.kms.decrypt, CiphertextBlob=ct,
                                  EncryptionAlgorithm="RSAES_OAEP_SHA_256")[0], "InvalidCiphertextException")
        self.assertEqual(self.err(self.kms.encrypt, KeyId=key, Plaintext=b"x"),
                         ("InvalidKeyUsageException",
                          "The encryption algorithm SYMMETRIC_DEFAULT is not compatible with the key spec RSA_2048.", 400))

    def test_mac_round_trip_and_tamper(self):
        for spec, alg in HMAC.items():
            with self.subTest(spec=spec):
                key = self.key(spec, "GENERATE_VERIFY_MAC")["KeyId"]
                mac = self.kms.generate_mac(KeyId=key, Message=b"hello", MacAlgorithm=alg)["Mac"]
                self.assertEqual(len(mac), int(alg.rsplit("_", 1)[1]) // 8)
                self.assertEqual(self.kms.generate_mac(KeyId=key, Message=b"hello", MacAlgorithm=alg)["Mac"], mac)
                v = self.kms.verify_mac(KeyId=key, Message=b"hello", Mac=mac, MacAlgorithm=alg)
                self.assertEqual((v["MacValid"], v["MacAlgorithm"]), (True, alg))
                for kw in [dict(Message=b"hellp", Mac=mac), dict(Message=b"hello", Mac=bytes([mac[0] ^ 1]) + mac[1:]),
                           dict(Message=b"hello", Mac=mac[:-1])]:
                    self.assertEqual(self.err(self.kms.verify_mac, KeyId=key, MacAlgorithm=alg, **kw)[0::2],
                                     ("KMSInvalidMacException", 400))
        k2 = self.key("HMAC_256", "GENERATE_VERIFY_MAC")["KeyId"]
        self.assertNotEqual(self.kms.generate_mac(KeyId=k2, Message=b"hello", MacAlgorithm="HMAC_SHA_256")["Mac"],
                            self.kms.generate_mac(KeyId=key, Message=b"hello", MacAlgorithm="HMAC_SHA_512")["Mac"])
        self.assertEqual(self.err(self.kms.generate_mac, KeyId=k2, Message=b"x", MacAlgorithm="HMAC_SHA_512"),
                         ("InvalidKeyUsageException", "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.", 400))

    def test_material_survives_restart(self):
        sign = self.key("ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
        mac = self.key("HMAC_384", "GENERATE_VERIFY_MAC")["KeyId"]
        sig = self.kms.sign(KeyId=sign, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        tag = self.kms.generate_mac(KeyId=mac, Message=b"m", MacAlgorithm="HMAC_SHA_384")["Mac"]
        self.server.stop()
        self.server.start()
        self.server.wait_healthy()
        kms = self.server.client("kms")
        self.assertTrue(kms.verify(KeyId=sign, Message=b"m", Signature=sig,
                                   SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"])
        self.assertTrue(kms.verify_mac(KeyId=mac, Message=b"m", Mac=tag,
                                       MacAlgorithm="HMAC_SHA_384")["MacValid"])
        # the private key is sealed at rest: no PEM/DER private key text in the database
        for name in os.listdir(self.server.data_dir):
            path = os.path.join(self.server.data_dir, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    self.assertNotIn(b"PRIVATE KEY", f.read())

    def test_authorization_policy_and_grant(self):
        arn, ak, sk = self.server.user("signer", {"Effect": "Allow", "Action": "kms:Sign", "Resource": "*",
                                                   "Condition": {"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256"}}})
        kms = self.server.client("kms", key=ak, secret=sk)
        key = self.key("ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
        kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
        # the key policy no longer enables IAM policies: the user's policy does not count
        acct = arn.split(":")[4]
        only_root = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                     "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "kms:*", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}}]}
        self.kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(only_root),
                                BypassPolicyLockoutSafetyCheck=True)
        self.assertEqual(self.err(kms.sign, KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")[0],
                         "AccessDeniedException")
        # a grant for Sign lets the user sign, not verify
        self.kms.create_grant(KeyId=key, GranteePrincipal=arn, Operations=["Sign"])
        kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
        self.assertEqual(self.err(kms.verify, KeyId=key, Message=b"m", Signature=b"s",
                                  SigningAlgorithm="ECDSA_SHA_256")[0], "AccessDeniedException")

    def test_condition_message_type_and_mac_algorithm(self):
        arn, ak, sk = self.server.user("raw", {"Effect": "Allow", "Action": ["kms:Sign", "kms:GenerateMac"],
                                                "Resource": "*", "Condition": {"StringEquals": {
                                                    "kms:MessageType": "RAW"}}},
                                       {"Effect": "Deny", "Action": "kms:GenerateMac", "Resource": "*",
                                        "Condition": {"StringEquals": {"kms:MacAlgorithm": "HMAC_SHA_256"}}})
        kms = self.server.client("kms", key=ak, secret=sk)
        key = self.key("ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
        kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
        self.assertEqual(self.err(kms.sign, KeyId=key, Message=b"d" * 32, MessageType="DIGEST",
                                  SigningAlgorithm="ECDSA_SHA_256")[0], "AccessDeniedException")
        mac = self.key("HMAC_256", "GENERATE_VERIFY_MAC")["KeyId"]
        self.assertEqual(self.err(kms.generate_mac, KeyId=mac, Message=b"m", MacAlgorithm="HMAC_SHA_256")[0],
                         "AccessDeniedException")
        # kms:KeySpec is the key's own on operations on it
        arn, ak, sk = self.server.user("rsa-only", {"Effect": "Allow", "Action": "kms:Sign", "Resource": "*",
                                                     "Condition": {"StringLike": {"kms:KeySpec": "RSA_*"}}})
        kms = self.server.client("kms", key=ak, secret=sk)
        self.assertEqual(self.err(kms.sign, KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")[0],
                         "AccessDeniedException")
        rsa = self.shared_key("RSA_2048", "SIGN_VERIFY")["KeyId"]
        kms.sign(KeyId=rsa, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")

    def test_secrets_not_in_trail(self):
        key = self.key("HMAC_256", "GENERATE_VERIFY_MAC")["KeyId"]
        self.kms.generate_mac(KeyId=key, Message=b"topsecretmessage", MacAlgorithm="HMAC_SHA_256")
        text = json.dumps(self.server.audit_records())
        self.assertNotIn("topsecretmessage", text)
        self.assertNotIn(__import__("base64").b64encode(b"topsecretmessage").decode(), text)


if __name__ == "__main__":
    harness.main()
