/* saml_response_fuzz.c — libFuzzer target for auth/saml_response.c.
 *
 * The input is the Response's XML, checked against one fixed certificate (the one that
 * signed the seed corpus/saml_response/signed_assertion.xml, so mutations of it reach the
 * signature and the reading after it). Any input either verifies into bounded facts (an
 * issuer and subject within SAML_VALUE_MAX, an audiences array, an attributes object) or
 * is refused with an STS federation error and nothing kept; never a crash, a leak or
 * another code. The time checks run on whatever verified. */
#include <stdlib.h>
#include <string.h>

#include "auth/saml_response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char cert[] =
    "MIIDCTCCAfGgAwIBAgIUPZ+DgRwuBPdKNnjf4fFFcbwRdrYwDQYJKoZIhvcNAQELBQAwEzERMA8GA1UEAwwIZnV6"
    "ei1pZHAwIBcNMjYxMjAxMTg0NTI4WhgPMjEyNjExMDcxODQ1MjhaMBMxETAPBgNVBAMMCGZ1enotaWRwMIIBIjAN"
    "BgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtuy/mQPeGBUnHw0fvv78lA6j4UobegjzByeOwRMVz05r5l/HVj2C"
    "pSy6u028ae4DfeaZC/fADyyXKdMzCvjBjytzpc6UeRgkDM5EwkXnEMKQP4ZHerFOajQHQH1q218o8Lm5J5eT5YAA"
    "ny6tRya5eZHHl05DVKsRmeYMMFSjHmkuEJ6nt1ktHN+xUfRYgevotQsPQDbFI004gwrBAFCVGGXpEF4lC1EE3AzZ"
    "V4BAHGt5pkhBMPpZ7cPrCvt8tB6tCr4uVweL1L4YyWXSM9qetvLofuwaTOGwMm12z6H7jpldsTMavcyCND+7uVUd"
    "1KWQvf6Cd2ebaNnuuFpesqYWGQIDAQABo1MwUTAdBgNVHQ4EFgQUrbHzDkMzOcIVmfFxVN4oXH7+pK8wHwYDVR0j"
    "BBgwFoAUrbHzDkMzOcIVmfFxVN4oXH7+pK8wDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAoCSM"
    "U0zMUEoov9D8uq9LEnnufqbgd0OI6OxMu7SxaK7KfH0YNEU34atdo96cuBHHNE1BotZ+1UQy1vQ9dTV2W9ZuDw/0"
    "rOA3fC26OUOjzLbLnJxzumdMGl7sZ/282fqrQ1XeCgqnsdhRGEBWjqEM7AbQnI5Gto1qQNTR67hTqmnxEQVxpB4i"
    "MEdLmQec1EGEwtfygqK/cxYPxZJKsZPCyZBCN+cClgMf5xFueYBHet/ZdGXiF/fesanBrXoHJZx6O+ptGkvfLk5Z"
    "zv9f+tYD2oGZBeZfaiWMFUTXPtkZSGAeF8EJ+uBx/ag7tQqlOaY20a62Ep3XMg9SfUTxlASFdA==";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *certs[] = {cert};
    struct saml_assertion a;
    struct cu_err err = {0};
    cu_rc rc = saml_response_parse(bytes_of(data, size), certs, 1, &a, &err);

    if (rc == CU_E_STS_INVALID_IDENTITY_TOKEN || rc == CU_E_STS_IDP_REJECTED_CLAIM) {
        if (a.issuer || a.subject || a.audiences || a.attributes)
            abort();
        return 0;
    }
    if (rc != CU_OK || !a.issuer || !a.subject || strlen(a.issuer) > SAML_VALUE_MAX ||
        strlen(a.subject) > SAML_VALUE_MAX || !json_is_array(a.audiences) ||
        !json_is_object(a.attributes))
        abort();
    rc = saml_assertion_check(&a, 1700000000, &err);
    if (rc != CU_OK && rc != CU_E_STS_INVALID_IDENTITY_TOKEN && rc != CU_E_STS_EXPIRED_TOKEN)
        abort();
    saml_assertion_release(&a);
    return 0;
}
