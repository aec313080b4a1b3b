/* oidc_url.h — the check of an OpenID Connect provider URL (oidc_url.c), a pure parser of
 * untrusted input (tests/unit/services/iam/oidc_url_test.c, tests/fuzz/oidc_url_fuzz.c). */
#ifndef CU_OIDC_URL_H
#define CU_OIDC_URL_H

#include <stdbool.h>

#include "core/bytes.h"

/* Longest URL IAM takes (the model's OpenIDConnectProviderUrlType: 1-255). */
#define OIDC_URL_MAX 255

/* Whether url is an OIDC provider URL IAM accepts: "https://" (scheme in any case), a host
 * of dot-separated labels of letters, digits and '-', an optional ":port" (1-65535) and an
 * optional path of printable ASCII without query or fragment. On true, *resource views
 * the URL after "https://": what the provider's ARN and GetOpenIDConnectProvider's Url
 * name. Borrows url; no allocation, no error text (the caller words the error). */
bool oidc_url_parse(struct bytes url, struct bytes *resource);

#endif
