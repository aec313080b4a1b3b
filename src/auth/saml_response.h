/* saml_response.h — a SAML 2.0 Response as AssumeRoleWithSAML reads it (saml_response.c):
 * base64 of a samlp:Response, its XML signature verified against the signing certificates
 * of the IAM SAML provider's metadata, and the facts of its one assertion. Parsing and
 * verifying are pure (no I/O, no clock): the time checks take now as an input
 * (tests/unit/auth/saml_response_test.c, tests/fuzz/saml_response_fuzz.c). */
#ifndef CU_SAML_RESPONSE_H
#define CU_SAML_RESPONSE_H

#include <jansson.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/err.h"

/* The model's SAMLAssertionType: 4-100,000 characters of base64. */
#define SAML_RESPONSE_B64_MAX 100000
/* The decoded document: what 100,000 base64 characters hold. */
#define SAML_RESPONSE_XML_MAX 75000
/* Longest value kept of any one element or attribute value (Issuer, NameID, an
 * attribute's value): longer ones are refused. */
#define SAML_VALUE_MAX 4096
/* How long after its IssueInstant AWS still takes an assertion: "Token must be redeemed
 * within 5 minutes of issuance" (its ExpiredTokenException, as clients report it). */
#define SAML_REDEEM_WINDOW_S 300
/* Attribute values kept from one assertion, all attributes together. */
#define SAML_VALUES_MAX 256

/* The assertion, as the verified document says it. Strings are owned, NUL-terminated. */
struct saml_assertion {
    char *issuer;                      /* the assertion's saml:Issuer */
    char *subject;                     /* Subject/NameID */
    char *subject_format;              /* its Format, or NULL when it has none */
    char *recipient;                   /* the bearer SubjectConfirmationData's Recipient */
    int64_t issue_instant_s;           /* the Assertion's IssueInstant (required) */
    int64_t not_before_s;              /* Conditions NotBefore; 0 when absent */
    int64_t not_on_or_after_s;         /* Conditions NotOnOrAfter; 0 when absent */
    int64_t confirm_not_on_or_after_s; /* SubjectConfirmationData NotOnOrAfter; 0: absent */
    int64_t session_not_on_or_after_s; /* AuthnStatement SessionNotOnOrAfter; 0: absent */
    json_t *audiences;  /* array, one array of Audience strings per AudienceRestriction */
    json_t *attributes; /* object: each Attribute's Name -> array of its string values */
};

/* Prepare libxml2 and xmlsec (global state, once per process; later calls do nothing).
 * The parse calls it too; the server calls it at start so no request pays for it.
 * Errors: CU_E_INTERNAL when xmlsec cannot start. */
MUST_CHECK cu_rc saml_response_init(void);

/* Verify and read one Response (the XML itself): well-formed, no DTD, a samlp:Response
 * whose Status is Success with exactly one saml:Assertion child (no EncryptedAssertion:
 * see saml_response_parse_keys), signed (the Response, the
 * Assertion or both; each signature present must verify) by the key of one of the n_certs
 * certificates (base64 DER, as struct saml_metadata keeps them) with RSA-SHA256 or
 * RSA-SHA1, each signature's one Reference naming its parent element by an ID no other
 * element carries. On CU_OK *out is filled (saml_assertion_release). Errors, with the
 * client's message in err: CU_E_STS_INVALID_IDENTITY_TOKEN (malformed, or the signature
 * does not verify), CU_E_STS_IDP_REJECTED_CLAIM (a Status other than Success),
 * CU_E_NOMEM, CU_E_INTERNAL. On failure *out holds nothing. Borrows xml and certs. */
MUST_CHECK cu_rc saml_response_parse(struct bytes xml, const char *const *certs, size_t n_certs,
                                     struct saml_assertion *out, struct cu_err *err);

/* The same from the request's SAMLAssertion: base64 of the document (whitespace between
 * the characters allowed, as IdPs wrap it). */
MUST_CHECK cu_rc saml_response_decode(struct bytes b64, const char *const *certs, size_t n_certs,
                                      struct saml_assertion *out, struct cu_err *err);

struct saml_private_keys; /* saml_decrypt.h */

/* saml_response_parse and _decode for a provider with private keys (NULL: none): the
 * Response may instead hold exactly one saml:EncryptedAssertion, decrypted with one of the
 * keys (saml_decrypt.c) after the Response's own signature is checked and before the
 * Assertion's; with keys->required, an unencrypted Assertion is refused. The same errors
 * (InvalidIdentityToken for one that does not decrypt). */
MUST_CHECK cu_rc saml_response_parse_keys(struct bytes xml, const char *const *certs,
                                          size_t n_certs, const struct saml_private_keys *keys,
                                          struct saml_assertion *out, struct cu_err *err);
MUST_CHECK cu_rc saml_response_decode_keys(struct bytes b64, const char *const *certs,
                                           size_t n_certs, const struct saml_private_keys *keys,
                                           struct saml_assertion *out, struct cu_err *err);

/* Whether the assertion applies at now_s to AWS as the service provider: issued at most
 * SAML_REDEEM_WINDOW_S ago, Conditions NotBefore <= now < NotOnOrAfter, the bearer
 * confirmation not past its NotOnOrAfter,
 * every AudienceRestriction naming an audience AWS answers to (saml_audience_accepted),
 * the Recipient one of its sign-in endpoints. Errors: CU_E_STS_EXPIRED_TOKEN (expired),
 * CU_E_STS_INVALID_IDENTITY_TOKEN (the rest), with the client's message in err. */
MUST_CHECK cu_rc saml_assertion_check(const struct saml_assertion *a, int64_t now_s,
                                      struct cu_err *err);

/* Whether aud is an audience AWS accepts: urn:amazon:webservices, or the sign-in endpoint
 * https://signin.aws.amazon.com/saml or https://<region>.signin.aws.amazon.com/saml. */
bool saml_audience_accepted(const char *aud);

/* The first value of attribute name, or NULL. Borrowed from a. */
const char *saml_assertion_attr(const struct saml_assertion *a, const char *name);

/* Free what a parse filled; zeroes a. NULL-safe. */
void saml_assertion_release(struct saml_assertion *a);

#endif
