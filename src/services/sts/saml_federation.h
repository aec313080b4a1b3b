/* saml_federation.h — AssumeRoleWithSAML's helpers (saml_federation.c is the handler,
 * saml_keys.c its condition keys). */
#ifndef CU_STS_SAML_FEDERATION_H
#define CU_STS_SAML_FEDERATION_H

#include "auth/saml_response.h"
#include "services/call.h"

#define SAML_SUBJECT_TYPE_MAX 1100

/* The response's SubjectType (and saml:sub_type) for a NameID Format (NULL: none) into
 * out, NUL-terminated, truncated to fit. */
void saml_subject_type(const char *format, char out[SAML_SUBJECT_TYPE_MAX]);

/* Add the saml:* condition keys of a to keys: doc is "<account>/<provider name>",
 * name_qualifier and subject_type as the response answers them. Multi-valued attribute
 * keys take their values' pointers into scratch (scratch_n of them), which, like a, must
 * outlive keys' use; keys past its room are left out. */
void saml_keys_add(struct call_keys *keys, const struct saml_assertion *a, const char *doc,
                   const char *name_qualifier, const char *subject_type, const char **scratch,
                   size_t scratch_n);

#endif
