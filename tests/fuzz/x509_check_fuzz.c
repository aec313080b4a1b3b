/* x509_check_fuzz.c — libFuzzer target for the certificate and public-key parsers of
 * crypto/x509_check.c.
 *
 * Any input, as a certificate, as an RSA public key, and as a chain and a private key
 * for a certificate made of it, must parse or fail with CU_E_MALFORMED_INPUT; a public key
 * that parses must survive the round trip through x509_check_rsa_to_pem unchanged. */
#include <stdlib.h>
#include <string.h>

#include "crypto/x509_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ok_or_malformed(cu_rc rc)
{
    if (rc != CU_OK && rc != CU_E_MALFORMED_INPUT)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bytes in = bytes_of(data, size);
    struct x509_check_info info;
    struct buf e, n, pem, e2, n2;
    bool match = false;
    long bad = 0;
    cu_rc rc;

    rc = x509_check_cert(in, &info);
    ok_or_malformed(rc);
    if (rc == CU_OK) {
        ok_or_malformed(x509_check_chain(in, in, &bad));
        ok_or_malformed(x509_check_key_pair(in, in, &match));
        if (match)
            abort(); /* a certificate is no private key */
    }
    buf_init(&e, X509_CHECK_PEM_MAX);
    buf_init(&n, X509_CHECK_PEM_MAX);
    buf_init(&pem, X509_CHECK_PEM_MAX);
    buf_init(&e2, X509_CHECK_PEM_MAX);
    buf_init(&n2, X509_CHECK_PEM_MAX);
    rc = x509_check_rsa_from_pem(in, &e, &n);
    ok_or_malformed(rc);
    if (rc == CU_OK) {
        if (x509_check_rsa_to_pem(buf_bytes(&e), buf_bytes(&n), &pem) != CU_OK ||
            x509_check_rsa_from_pem(buf_bytes(&pem), &e2, &n2) != CU_OK || e.n != e2.n ||
            n.n != n2.n || memcmp(e.p, e2.p, e.n) != 0 || memcmp(n.p, n2.p, n.n) != 0)
            abort();
    }
    buf_release(&e);
    buf_release(&n);
    buf_release(&pem);
    buf_release(&e2);
    buf_release(&n2);
    return 0;
}
