/* x509_check.h — what IAM checks of the certificates and keys users upload, with OpenSSL 3:
 * a PEM X.509 certificate (signing and server certificates), a certificate chain, that a
 * PEM private key belongs to a certificate, and RSA public keys moved between the PEM
 * SubjectPublicKeyInfo form and their (e, n) integers (SSH public keys, core/ssh_key.h).
 *
 * Every function is pure over its input (no I/O but OpenSSL's memory BIOs, no clock: the
 * caller compares dates), bounded by X509_CHECK_PEM_MAX, and answers CU_E_MALFORMED_INPUT
 * for anything it cannot parse; OpenSSL's own error text goes nowhere (its queue is
 * cleared). A private key is only ever read to be compared, never kept or copied. */
#ifndef CU_CRYPTO_X509_CHECK_H
#define CU_CRYPTO_X509_CHECK_H

#include <stdint.h>

#include "core/buf.h"
#include "core/bytes.h"

/* Longest PEM text accepted (IAM's certificateChainType maximum). */
#define X509_CHECK_PEM_MAX (2 * 1024 * 1024)
#define X509_CHECK_SHA256_LEN 32

struct x509_check_info {
    int64_t not_before_ms, not_after_ms;        /* validity, epoch milliseconds */
    uint8_t sha256[X509_CHECK_SHA256_LEN];      /* of the DER: the same certificate twice */
};

/* Parse pem as exactly one PEM certificate (white space around it allowed, nothing
 * else) and describe it. */
MUST_CHECK cu_rc x509_check_cert(struct bytes pem, struct x509_check_info *out);

/* Check chain (one or more PEM certificates): it must start with the issuer of the
 * certificate cert and go on with each certificate's issuer in order. *bad is the index
 * (from 0) of the first chain certificate that did not issue the one before it, or -1.
 * A chain that does not parse is CU_E_MALFORMED_INPUT. cert must pass x509_check_cert. */
MUST_CHECK cu_rc x509_check_chain(struct bytes cert, struct bytes chain, long *bad);

/* Whether the PEM private key (unencrypted PKCS#8 or traditional form) key_pem is the
 * key of the certificate cert: *match. A key that does not parse (or is encrypted) is
 * CU_E_MALFORMED_INPUT. */
MUST_CHECK cu_rc x509_check_key_pair(struct bytes cert, struct bytes key_pem, bool *match);

/* An RSA public key in PEM ("BEGIN PUBLIC KEY", or PKCS#1 "BEGIN RSA PUBLIC KEY") as its
 * exponent and modulus, big-endian, appended to *e and *n; CU_E_MALFORMED_INPUT for
 * anything else (another algorithm included). */
MUST_CHECK cu_rc x509_check_rsa_from_pem(struct bytes pem, struct buf *e, struct buf *n);

/* The RSA public key (e, n) as PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"),
 * appended to *pem. */
MUST_CHECK cu_rc x509_check_rsa_to_pem(struct bytes e, struct bytes n, struct buf *pem);

#endif
