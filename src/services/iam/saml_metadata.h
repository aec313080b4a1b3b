/* saml_metadata.h — SAML 2.0 metadata of an identity provider, parsed (saml_metadata.c):
 * the facts IAM keeps beside the document and STS's AssumeRoleWithSAML checks assertions
 * against. A pure parser of untrusted input (tests/unit/services/iam/saml_metadata_test.c,
 * tests/fuzz/saml_metadata_fuzz.c). */
#ifndef CU_SAML_METADATA_H
#define CU_SAML_METADATA_H

#include <stdint.h>

#include "core/bytes.h"
#include "core/err.h"

/* The model's SAMLMetadataDocumentType allows 1,000-10,000,000 characters. */
#define SAML_METADATA_MAX 10000000
/* Signing certificates kept from one document (an IdP rolling its key lists two or three). */
#define SAML_METADATA_CERTS_MAX 8
/* Longest entityID kept (SAML core: a URI of at most 1024 characters). */
#define SAML_METADATA_ENTITY_ID_MAX 1024

struct saml_metadata {
    char *entity_id;        /* the EntityDescriptor's entityID; owned */
    int64_t valid_until_ms; /* its validUntil in epoch ms; 0 when it has none */
    size_t n_certs;
    /* the IDPSSODescriptor's signing certificates (KeyDescriptor use="signing" or without
     * a use): base64 of the DER, whitespace removed, each checked to be an X.509
     * certificate; owned */
    char *certs[SAML_METADATA_CERTS_MAX];
};

/* Parse a metadata document: well-formed XML without a DTD whose root is an
 * md:EntityDescriptor (urn:oasis:names:tc:SAML:2.0:metadata) with an entityID and an
 * md:IDPSSODescriptor supporting the SAML 2.0 protocol, which names at least one signing
 * certificate in ds:KeyInfo/ds:X509Data/ds:X509Certificate. On CU_OK *out is filled and
 * the caller's (saml_metadata_release). Errors: CU_E_MALFORMED_INPUT with a short
 * internal reason in err (which part failed; never the document), CU_E_NOMEM. On failure
 * *out holds nothing. Borrows in. */
MUST_CHECK cu_rc saml_metadata_parse(struct bytes in, struct saml_metadata *out,
                                     struct cu_err *err);

/* Free what a parse filled; zeroes md. NULL-safe. */
void saml_metadata_release(struct saml_metadata *md);

#endif
