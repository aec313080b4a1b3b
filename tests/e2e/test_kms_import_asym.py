"""KMS imported key material for RSA, elliptic curve and HMAC keys, through boto3, the AWS
CLI v2 and the openssl command line: private keys made by `openssl genpkey` (fixed ones
from tests/vectors/keys), turned into PKCS#8 DER and wrapped with `openssl pkeyutl` +
`openssl enc -id-aes256-wrap-pad` under the wrapping key KMS returned, then used: a KMS
signature verifies with `openssl pkeyutl -verify` under the ORIGINAL public key and an
openssl signature verifies with Verify; GetPublicKey returns the original public key;
GenerateMac matches `openssl mac`. Also the errors (wrong size, spec, curve, wrapping
algorithm), re-import of the same material only, deletion and expiry of the material.

AWS's rules are the KMS developer guide's (importing-keys-conceptual, "Requirements for
imported key material"; importing-keys-get-public-key-and-token, "Select a wrapping
algorithm"). The messages of the errors custos words itself where AWS publishes none are
marked "unconfirmed" below: the codes are AWS's, the wording is not confirmed."""
import base64
import datetime
import json
import os
import subprocess
import tempfile

from botocore.exceptions import ClientError

import harness
from harness import kms_wrap as wrap, openssl

DAY = 86400
KEYS = os.path.join(os.path.dirname(__file__), "..", "vectors", "keys")
NOT_SAME = ("The key material you are importing is not the same as the key material previously "
            "imported into this KMS key.")


def pkcs8_der(pem_path, *extra):
    """The private key in pem_path as PKCS#8 DER, as the developer guide makes it."""
    return openssl("pkcs8", "-topk8", "-outform", "DER", "-nocrypt", "-in", pem_path, *extra)


def public_der(pem_path):
    return openssl("pkey", "-in", pem_path, "-pubout", "-outform", "DER")


class Base(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="custos-asym-import-")
        cls.rsa_a = os.path.join(KEYS, "rsa2048-a.pem")
        cls.rsa_b = os.path.join(KEYS, "rsa2048-b.pem")
        cls.p256 = os.path.join(KEYS, "ecp256.pem")

    def setUp(self):
        self.kms = self.server.client("kms")

    def path(self, name, data):
        p = os.path.join(self.tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def external(self, spec, usage):
        return self.kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)["KeyMetadata"]

    def import_material(self, key_id, material, algorithm="RSA_AES_KEY_WRAP_SHA_256",
                        spec="RSA_2048", **kw):
        p = self.kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm,
                                               WrappingKeySpec=spec)
        if "ValidTo" not in kw:
            kw.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
        return self.kms.import_key_material(KeyId=key_id, ImportToken=p["ImportToken"],
                                            EncryptedKeyMaterial=wrap(p["PublicKey"], material, algorithm),
                                            **kw)


class Rsa(Base):
    def test_signing_key_interoperates_with_openssl(self):
        m = self.external("RSA_2048", "SIGN_VERIFY")
        self.assertEqual((m["KeyState"], m["Origin"]), ("PendingImport", "EXTERNAL"))
        pending = ("KMSInvalidStateException", f"{m['Arn']} is pending import.", 400)
        self.assertEqual(self.err(self.kms.get_public_key, KeyId=m["KeyId"]), pending)
        self.assertEqual(self.err(self.kms.sign, KeyId=m["KeyId"], Message=b"x",
                                  SigningAlgorithm="RSASSA_PSS_SHA_256"), pending)
        self.import_material(m["KeyId"], pkcs8_der(self.rsa_a))
        d = self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]
        self.assertEqual((d["KeyState"], d["Enabled"], d["KeySpec"], d["ExpirationModel"]),
                         ("Enabled", True, "RSA_2048", "KEY_MATERIAL_DOES_NOT_EXPIRE"))
        self.assertIn("RSASSA_PSS_SHA_256", d["SigningAlgorithms"])
        # GetPublicKey is the original key's public half
        pub = self.kms.get_public_key(KeyId=m["KeyId"])
        self.assertEqual(pub["PublicKey"], public_der(self.rsa_a))
        self.assertEqual(pub["KeySpec"], "RSA_2048")
        pub_pem = self.path("rsa-a.pub.pem", openssl("pkey", "-in", self.rsa_a, "-pubout"))
        msg = self.path("msg", b"signed under imported material")
        for alg, opts in (("RSASSA_PSS_SHA_256", ["-pkeyopt", "rsa_padding_mode:pss",
                                                  "-pkeyopt", "rsa_pss_saltlen:32"]),
                          ("RSASSA_PKCS1_V1_5_SHA_256", ["-pkeyopt", "rsa_padding_mode:pkcs1"])):
            with self.subTest(alg=alg):
                sig = self.kms.sign(KeyId=m["KeyId"], Message=b"signed under imported material",
                                    SigningAlgorithm=alg)["Signature"]
                sig_path = self.path("sig", sig)
                out = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub_pem,
                                      "-rawin", "-digest", "sha256", "-in", msg, "-sigfile", sig_path]
                                     + opts, capture_output=True)
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                self.assertIn(b"Signature Verified Successfully", out.stdout)
                # and an openssl signature under the original private key verifies with KMS
                theirs = openssl("pkeyutl", "-sign", "-inkey", self.rsa_a, "-rawin", "-digest", "sha256",
                                 "-in", msg, *opts)
                self.assertTrue(self.kms.verify(KeyId=m["KeyId"], Message=b"signed under imported material",
                                                Signature=theirs, SigningAlgorithm=alg)["SignatureValid"])

    def test_encryption_key_decrypts_openssl_ciphertext(self):
        m = self.external("RSA_2048", "ENCRYPT_DECRYPT")
        self.import_material(m["KeyId"], pkcs8_der(self.rsa_b), "RSA_AES_KEY_WRAP_SHA_1")
        pub_pem = self.path("rsa-b.pub.pem", openssl("pkey", "-in", self.rsa_b, "-pubout"))
        ct = openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", pub_pem, "-pkeyopt", "rsa_padding_mode:oaep",
                     "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256", data=b"for kms")
        out = self.kms.decrypt(KeyId=m["KeyId"], CiphertextBlob=ct, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
        self.assertEqual(out["Plaintext"], b"for kms")

    def test_wrapping_rules_and_wrong_material(self):
        m = self.external("RSA_2048", "SIGN_VERIFY")
        # an RSA private key is larger than one RSA-OAEP block: only RSA_AES_KEY_WRAP_SHA_*
        for alg in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
            code, message, status = self.err(self.kms.get_parameters_for_import, KeyId=m["KeyId"],
                                             WrappingAlgorithm=alg, WrappingKeySpec="RSA_4096")
            # unconfirmed: AWS's wording of this refusal
            self.assertEqual((code, status), ("UnsupportedOperationException", 400))
            self.assertIn(f"The {alg} wrapping algorithm is not supported for RSA_2048 key material", message)
        # material that is not a 2048-bit RSA private key in PKCS #8 (wording unconfirmed)
        wrong = ("IncorrectKeyMaterialException",
                 "Key material for a RSA_2048 key must be a RSA_2048 private key in PKCS #8 format.", 400)
        traditional = openssl("rsa", "-in", self.rsa_a, "-outform", "DER", "-traditional")
        for material in (pkcs8_der(self.p256), traditional, pkcs8_der(self.rsa_a) + b"\x00",
                         pkcs8_der(self.rsa_a)[:-7], os.urandom(32)):
            self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=material), wrong)
        self.assertEqual(self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]["KeyState"], "PendingImport")
        # a 2048-bit key is not an RSA_3072 key's material
        big = self.external("RSA_3072", "SIGN_VERIFY")
        self.assertEqual(self.err(self.import_material, key_id=big["KeyId"], material=pkcs8_der(self.rsa_a))[:1],
                         ("IncorrectKeyMaterialException",))

    def test_same_material_only_delete_and_no_rotation(self):
        m = self.external("RSA_2048", "SIGN_VERIFY")
        self.import_material(m["KeyId"], pkcs8_der(self.rsa_a))
        sig = self.kms.sign(KeyId=m["KeyId"], Message=b"kept", SigningAlgorithm="RSASSA_PSS_SHA_384")["Signature"]
        # the material of an RSA key is never rotated
        rotate = ("UnsupportedOperationException",
                  "You cannot perform this operation on a non-symmetric key or a key with "
                  "non-ENCRYPT_DECRYPT key usage.", 400)
        self.assertEqual(self.err(self.kms.rotate_key_on_demand, KeyId=m["KeyId"]), rotate)
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=pkcs8_der(self.rsa_b),
                                  ImportType="NEW_KEY_MATERIAL"),
                         ("UnsupportedOperationException",  # wording unconfirmed
                          f"{m['Arn']} key spec is RSA_2048 which is not valid for importing new key material.",
                          400))
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=pkcs8_der(self.rsa_b)),
                         ("IncorrectKeyMaterialException", NOT_SAME, 400))
        self.kms.delete_imported_key_material(KeyId=m["KeyId"])
        d = self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]
        self.assertEqual((d["KeyState"], d["Enabled"]), ("PendingImport", False))
        pending = ("KMSInvalidStateException", f"{m['Arn']} is pending import.", 400)
        self.assertEqual(self.err(self.kms.get_public_key, KeyId=m["KeyId"]), pending)
        self.assertEqual(self.err(self.kms.verify, KeyId=m["KeyId"], Message=b"kept", Signature=sig,
                                  SigningAlgorithm="RSASSA_PSS_SHA_384"), pending)
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=pkcs8_der(self.rsa_b)),
                         ("IncorrectKeyMaterialException", NOT_SAME, 400))
        self.import_material(m["KeyId"], pkcs8_der(self.rsa_a), "RSA_AES_KEY_WRAP_SHA_1")
        self.assertTrue(self.kms.verify(KeyId=m["KeyId"], Message=b"kept", Signature=sig,
                                        SigningAlgorithm="RSASSA_PSS_SHA_384")["SignatureValid"])
        self.assertEqual(self.kms.get_public_key(KeyId=m["KeyId"])["PublicKey"], public_der(self.rsa_a))

    def test_private_key_stays_out_of_the_trail(self):
        m = self.external("RSA_2048", "SIGN_VERIFY")
        material = pkcs8_der(self.rsa_a)
        self.import_material(m["KeyId"], material)
        trail = json.dumps(self.server.audit_records())
        self.assertIn("ImportKeyMaterial", trail)
        self.assertNotIn(base64.b64encode(material[40:100]).decode(), trail)
        self.assertNotIn(material[40:100].hex(), trail)


class Ecc(Base):
    def test_p256_signing_each_wrapping_algorithm(self):
        pub_pem = self.path("p256.pub.pem", openssl("pkey", "-in", self.p256, "-pubout"))
        msg = self.path("msg", b"ecdsa over imported material")
        for alg in ("RSA_AES_KEY_WRAP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSAES_OAEP_SHA_256",
                    "RSAES_OAEP_SHA_1"):
            with self.subTest(alg=alg):
                m = self.external("ECC_NIST_P256", "SIGN_VERIFY")
                self.import_material(m["KeyId"], pkcs8_der(self.p256), alg)
                self.assertEqual(self.kms.get_public_key(KeyId=m["KeyId"])["PublicKey"], public_der(self.p256))
                sig = self.kms.sign(KeyId=m["KeyId"], Message=b"ecdsa over imported material",
                                    SigningAlgorithm="ECDSA_SHA_256")["Signature"]
                out = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub_pem, "-rawin",
                                      "-digest", "sha256", "-in", msg, "-sigfile", self.path("sig", sig)],
                                     capture_output=True)
                self.assertIn(b"Signature Verified Successfully", out.stdout, out.stderr)
                theirs = openssl("pkeyutl", "-sign", "-inkey", self.p256, "-rawin", "-digest", "sha256", "-in", msg)
                self.assertTrue(self.kms.verify(KeyId=m["KeyId"], Message=b"ecdsa over imported material",
                                                Signature=theirs, SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"])

    def test_key_agreement_matches_openssl_derive(self):
        m = self.external("ECC_NIST_P256", "KEY_AGREEMENT")
        self.import_material(m["KeyId"], pkcs8_der(self.p256), "RSAES_OAEP_SHA_256")
        peer = self.path("peer.pem", openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"))
        ours_pub = self.path("p256.pub.pem", openssl("pkey", "-in", self.p256, "-pubout"))
        expected = openssl("pkeyutl", "-derive", "-inkey", peer, "-peerkey", ours_pub)
        got = self.kms.derive_shared_secret(KeyId=m["KeyId"], KeyAgreementAlgorithm="ECDH",
                                            PublicKey=public_der(peer))["SharedSecret"]
        self.assertEqual(got, expected)

    def test_same_key_in_another_encoding_reimports(self):
        m = self.external("ECC_NIST_P256", "SIGN_VERIFY")
        self.import_material(m["KeyId"], pkcs8_der(self.p256), "RSAES_OAEP_SHA_1")
        self.kms.delete_imported_key_material(KeyId=m["KeyId"])
        # the same private key without its public point (RFC 5915 makes it optional)
        bare = self.path("bare.pem", openssl("ec", "-in", self.p256, "-no_public"))
        self.assertNotEqual(pkcs8_der(bare), pkcs8_der(self.p256))
        self.import_material(m["KeyId"], pkcs8_der(bare), "RSAES_OAEP_SHA_256")
        self.assertEqual(self.kms.get_public_key(KeyId=m["KeyId"])["PublicKey"], public_der(self.p256))
        other = self.path("other.pem", openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"))
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=pkcs8_der(other)),
                         ("IncorrectKeyMaterialException", NOT_SAME, 400))

    def test_curves_and_p521_wrapping(self):
        p521 = self.path("p521.pem", openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"))
        m = self.external("ECC_NIST_P521", "SIGN_VERIFY")
        # ECC_NIST_P521 material does not fit RSA-OAEP under an RSA_2048 wrapping key
        for alg in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
            code, message, _ = self.err(self.kms.get_parameters_for_import, KeyId=m["KeyId"],
                                        WrappingAlgorithm=alg, WrappingKeySpec="RSA_2048")
            self.assertEqual(code, "UnsupportedOperationException")  # wording unconfirmed
            self.assertIn("RSA_2048 wrapping key spec is not supported for ECC_NIST_P521", message)
        # a key on another curve is not this key's material (wording unconfirmed)
        self.assertEqual(self.err(self.import_material, key_id=m["KeyId"], material=pkcs8_der(self.p256)),
                         ("IncorrectKeyMaterialException",
                          "Key material for a ECC_NIST_P521 key must be a ECC_NIST_P521 private key in "
                          "PKCS #8 format.", 400))
        self.import_material(m["KeyId"], pkcs8_der(p521), "RSA_AES_KEY_WRAP_SHA_256")
        sig = self.kms.sign(KeyId=m["KeyId"], Message=b"521", SigningAlgorithm="ECDSA_SHA_512")["Signature"]
        pub = self.path("p521.pub.pem", openssl("pkey", "-in", p521, "-pubout"))
        out = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-digest", "sha512",
                              "-in", self.path("m521", b"521"), "-sigfile", self.path("s521", sig)],
                             capture_output=True)
        self.assertIn(b"Signature Verified Successfully", out.stdout, out.stderr)
        # explicit curve parameters are refused (named curves only)
        explicit = self.path("explicit.pem", openssl("ec", "-in", self.p256, "-param_enc", "explicit"))
        k = self.external("ECC_NIST_P256", "SIGN_VERIFY")
        self.assertEqual(self.err(self.import_material, key_id=k["KeyId"], material=pkcs8_der(explicit),
                                  algorithm="RSA_AES_KEY_WRAP_SHA_256")[0], "IncorrectKeyMaterialException")
        # secp256k1 takes a secp256k1 key
        k1 = self.path("k1.pem", openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"))
        k = self.external("ECC_SECG_P256K1", "SIGN_VERIFY")
        self.assertEqual(self.err(self.import_material, key_id=k["KeyId"], material=pkcs8_der(self.p256))[0],
                         "IncorrectKeyMaterialException")
        self.import_material(k["KeyId"], pkcs8_der(k1), "RSAES_OAEP_SHA_256")
        self.assertEqual(self.kms.get_public_key(KeyId=k["KeyId"])["PublicKey"], public_der(k1))


class Hmac(Base):
    KEY = bytes(range(0x40, 0x40 + 40))  # 320 bits: longer than HMAC_256 needs, as AWS allows

    def mac(self, key, data, digest="SHA256"):
        return openssl("mac", "-digest", digest, "-macopt", f"hexkey:{key.hex()}", "-binary",
                       "-in", self.path("macdata", data), "HMAC")

    def test_generate_mac_matches_openssl(self):
        m = self.external("HMAC_256", "GENERATE_VERIFY_MAC")
        self.import_material(m["KeyId"], self.KEY, "RSAES_OAEP_SHA_256")
        data = b"the same data under HMAC keys"
        out = self.kms.generate_mac(KeyId=m["KeyId"], Message=data, MacAlgorithm="HMAC_SHA_256")
        self.assertEqual(out["Mac"], self.mac(self.KEY, data))
        self.assertTrue(self.kms.verify_mac(KeyId=m["KeyId"], Message=data, MacAlgorithm="HMAC_SHA_256",
                                            Mac=self.mac(self.KEY, data))["MacValid"])
        # the longest key AWS takes, 1024 bits, into HMAC_512
        long_key = os.urandom(128)
        k = self.external("HMAC_512", "GENERATE_VERIFY_MAC")
        self.import_material(k["KeyId"], long_key, "RSAES_OAEP_SHA_1")
        self.assertEqual(self.kms.generate_mac(KeyId=k["KeyId"], Message=data, MacAlgorithm="HMAC_SHA_512")["Mac"],
                         self.mac(long_key, data, "SHA512"))
        with self.assertRaises(ClientError) as e:
            self.kms.get_public_key(KeyId=k["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Code"], "UnsupportedOperationException")

    def test_lengths(self):
        for spec, short in (("HMAC_224", 27), ("HMAC_256", 31), ("HMAC_384", 47), ("HMAC_512", 63)):
            with self.subTest(spec=spec):
                m = self.external(spec, "GENERATE_VERIFY_MAC")
                bits = int(spec[5:])
                wrong = ("IncorrectKeyMaterialException",  # wording unconfirmed
                         f"Key material for a {spec} key must be {bits} to 1024 bits ({bits // 8} to 128 bytes).",
                         400)
                # one wrapping key for the three tries (each GetParametersForImport makes one)
                p = self.kms.get_parameters_for_import(KeyId=m["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                       WrappingKeySpec="RSA_2048")

                def attempt(n):
                    return self.kms.import_key_material(
                        KeyId=m["KeyId"], ImportToken=p["ImportToken"], ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                        EncryptedKeyMaterial=wrap(p["PublicKey"], os.urandom(n), "RSAES_OAEP_SHA_256"))
                for n in (short, 129):
                    self.assertEqual(self.err(attempt, n=n), wrong)
                attempt(bits // 8)
                self.assertEqual(self.kms.describe_key(KeyId=m["KeyId"])["KeyMetadata"]["KeyState"], "Enabled")

    def test_cli(self):
        s = self.server
        _, out, _ = s.cli("kms", "create-key", "--origin", "EXTERNAL", "--key-spec", "HMAC_384",
                          "--key-usage", "GENERATE_VERIFY_MAC")
        key_id = out["KeyMetadata"]["KeyId"]
        _, p, _ = s.cli("kms", "get-parameters-for-import", "--key-id", key_id,
                        "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048")
        key = os.urandom(48)
        token = self.path("token", base64.b64decode(p["ImportToken"]))
        wrapped = self.path("wrapped", wrap(base64.b64decode(p["PublicKey"]), key, "RSAES_OAEP_SHA_256"))
        s.cli("kms", "import-key-material", "--key-id", key_id, "--import-token", f"fileb://{token}",
              "--encrypted-key-material", f"fileb://{wrapped}", "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE")
        data = self.path("data", b"cli data")
        _, mac, _ = s.cli("kms", "generate-mac", "--key-id", key_id, "--mac-algorithm", "HMAC_SHA_384",
                          "--message", f"fileb://{data}")
        self.assertEqual(base64.b64decode(mac["Mac"]), self.mac(key, b"cli data", "SHA384"))


class Expiry(Base):
    def test_imported_hmac_and_ec_material_expires(self):
        s = self.server
        mac_key = self.external("HMAC_256", "GENERATE_VERIFY_MAC")
        ec_key = self.external("ECC_NIST_P256", "SIGN_VERIFY")
        tomorrow = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        self.import_material(mac_key["KeyId"], os.urandom(32), "RSAES_OAEP_SHA_256", ValidTo=tomorrow)
        self.import_material(ec_key["KeyId"], pkcs8_der(self.p256), "RSAES_OAEP_SHA_256", ValidTo=tomorrow)
        d = self.kms.describe_key(KeyId=ec_key["KeyId"])["KeyMetadata"]
        self.assertEqual((d["KeyState"], d["ExpirationModel"]), ("Enabled", "KEY_MATERIAL_EXPIRES"))
        offset = 2 * DAY
        s.restart_later(offset)
        with harness.shifted_clock(offset):
            kms = s.client("kms")
            for k, call in ((mac_key, lambda: kms.generate_mac(KeyId=mac_key["KeyId"], Message=b"m",
                                                                MacAlgorithm="HMAC_SHA_256")),
                            (ec_key, lambda: kms.get_public_key(KeyId=ec_key["KeyId"]))):
                d = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
                self.assertEqual((d["KeyState"], d["Enabled"]), ("PendingImport", False))
                self.assertNotIn("ValidTo", d)
                with self.assertRaises(ClientError) as e:
                    call()
                self.assertEqual((e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"]),
                                 ("KMSInvalidStateException", f"{k['Arn']} is pending import."))
            # the same EC key comes back
            p = kms.get_parameters_for_import(KeyId=ec_key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_1",
                                              WrappingKeySpec="RSA_2048")
            kms.import_key_material(KeyId=ec_key["KeyId"], ImportToken=p["ImportToken"],
                                    EncryptedKeyMaterial=wrap(p["PublicKey"], pkcs8_der(self.p256), "RSAES_OAEP_SHA_1"),
                                    ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
            self.assertEqual(kms.get_public_key(KeyId=ec_key["KeyId"])["PublicKey"], public_der(self.p256))


class MultiRegion(Base):
    server_args = ("--regions", f"{harness.REGION},eu-west-1")

    def test_replica_takes_the_same_ec_key_only(self):
        key = self.kms.create_key(Origin="EXTERNAL", MultiRegion=True, KeySpec="ECC_NIST_P256",
                                  KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        self.import_material(key["KeyId"], pkcs8_der(self.p256), "RSAES_OAEP_SHA_256")
        sig = self.kms.sign(KeyId=key["KeyId"], Message=b"mrk", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        # the replica of a key with imported material is created without it
        replica = self.kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion="eu-west-1")["ReplicaKeyMetadata"]
        self.assertEqual((replica["KeyState"], replica["Origin"]), ("PendingImport", "EXTERNAL"))
        eu = self.server.client("kms", region="eu-west-1")
        with self.assertRaises(ClientError) as e:
            eu.get_public_key(KeyId=key["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Message"], f"{replica['Arn']} is pending import.")
        # nor can it be enabled into using the primary's material
        with self.assertRaises(ClientError) as e:
            eu.enable_key(KeyId=key["KeyId"])
        self.assertEqual(e.exception.response["Error"]["Message"], f"{replica['Arn']} is pending import.")
        saved, self.kms = self.kms, eu
        try:
            other = self.path("other-mrk.pem", openssl("genpkey", "-algorithm", "EC", "-pkeyopt",
                                                       "ec_paramgen_curve:P-256"))
            self.assertEqual(self.err(self.import_material, key_id=key["KeyId"], material=pkcs8_der(other),
                                      algorithm="RSAES_OAEP_SHA_256"),
                             ("IncorrectKeyMaterialException", NOT_SAME, 400))
            self.import_material(key["KeyId"], pkcs8_der(self.p256), "RSA_AES_KEY_WRAP_SHA_256")
        finally:
            self.kms = saved
        self.assertEqual(eu.get_public_key(KeyId=key["KeyId"])["PublicKey"], public_der(self.p256))
        self.assertTrue(eu.verify(KeyId=key["KeyId"], Message=b"mrk", Signature=sig,
                                  SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"])


if __name__ == "__main__":
    harness.main()
