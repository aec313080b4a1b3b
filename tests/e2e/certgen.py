"""Certificates and keys for the certificate tests: self-signed ones from the openssl
command line, expired ones and chains from python's cryptography (openssl 3.0's req cannot
date a certificate in the past)."""
import datetime
import os
import subprocess
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

DIR = tempfile.mkdtemp(prefix="custos-certs-")
_n = [0]


def openssl_pair(cn="example.com", days=30):
    """(certificate PEM, private key PEM) of a new self-signed RSA certificate."""
    _n[0] += 1
    cert, key = (os.path.join(DIR, f"c{_n[0]}.{x}") for x in ("crt", "key"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", str(days), "-subj", f"/CN={cn}"],
                   check=True, capture_output=True)
    with open(cert) as c, open(key) as k:
        return c.read(), k.read()


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _cert(subject, key, issuer, issuer_key, not_before, not_after, ca=False):
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
         .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return b.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def expired_pair():
    now = datetime.datetime.now(datetime.timezone.utc)
    key = _key()
    return (_cert("old.example.com", key, "old.example.com", key,
                  now - datetime.timedelta(days=60), now - datetime.timedelta(days=1)),
            _pem_key(key))


def chained():
    """(leaf PEM, leaf key PEM, [intermediate PEM, root PEM], leaf notAfter)."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=90)
    root_key, mid_key, leaf_key = _key(), _key(), _key()
    root = _cert("Test Root", root_key, "Test Root", root_key, start, end, ca=True)
    mid = _cert("Test Intermediate", mid_key, "Test Root", root_key, start, end, ca=True)
    leaf = _cert("www.example.com", leaf_key, "Test Intermediate", mid_key, start,
                 end - datetime.timedelta(days=1))
    return leaf, _pem_key(leaf_key), [mid, root], end - datetime.timedelta(days=1)


def not_after(pem):
    return x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc


def write(text, name):
    path = os.path.join(DIR, name)
    with open(path, "w") as f:
        f.write(text)
    return path
