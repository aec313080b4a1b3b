/* saml_decrypt.h — the EncryptedAssertion of a SAML Response, decrypted with a private key
 * of the IAM SAML provider (saml_decrypt.c; saml_response.c calls it while it parses). */
#ifndef CU_SAML_DECRYPT_H
#define CU_SAML_DECRYPT_H

#include <libxml/tree.h>
#include <stdbool.h>

#include "core/bytes.h"
#include "core/cu.h"
#include "core/err.h"

/* The provider's private keys (PEM, as AddPrivateKey took them; borrowed secrets the
 * caller wipes) and whether it requires encrypted assertions (AssertionEncryptionMode
 * Required). */
struct saml_private_keys {
    const struct bytes *pems;
    size_t n;
    bool required;
};

/* Replace `encrypted`, a saml:EncryptedAssertion child of doc's Response, by the
 * saml:Assertion its xenc:EncryptedData holds, decrypted (the data key carried in an
 * xenc:EncryptedKey under one of keys' private keys) by xmlsec; *assertion is that
 * element, now in doc. No URI outside the document is ever dereferenced. Errors:
 * CU_E_STS_INVALID_IDENTITY_TOKEN with `message` in err when no key decrypts it or what
 * it holds is not one Assertion; CU_E_NOMEM, CU_E_INTERNAL. Pure: no I/O, no clock. */
MUST_CHECK cu_rc saml_decrypt_assertion(xmlDoc *doc, xmlNode *encrypted,
                                        const struct saml_private_keys *keys,
                                        const char *message, xmlNode **assertion,
                                        struct cu_err *err);

#endif
