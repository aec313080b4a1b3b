/* oidc_keys.h — the signing keys of the OIDC issuers this server trusts, one JSON Web Key
 * Set per issuer, given by the operator as files (`custos serve --oidc-jwks
 * ISSUER_URL=JWKS_FILE`, repeatable): custos has no internet to fetch an issuer's
 * jwks_uri as STS does. Read at start (a bad file stops the start) and again on SIGHUP
 * (oidc_keys_reload: a file that no longer reads or parses keeps its issuer's previous
 * keys, and the log says why). Thread-safe: requests verify under a read lock while a
 * reload swaps sets under the write lock, so a token is checked against one whole set. */
#ifndef CU_OIDC_KEYS_H
#define CU_OIDC_KEYS_H

#include "core/err.h"
#include "jwt.h"

/* How many --oidc-jwks an instance takes. */
#define OIDC_KEYS_MAX_ISSUERS 32

struct oidc_keys;

MUST_CHECK cu_rc oidc_keys_new(struct oidc_keys **out);
void oidc_keys_free(struct oidc_keys *k);

/* Register "ISSUER_URL=JWKS_FILE" (split at the first '='; the issuer is an https URL,
 * compared with tokens' iss exactly) and read its file now. An issuer named twice, a
 * missing '=', a file that cannot be read or holds no usable key fail with
 * CU_E_VALIDATION and a message for the operator (the path included, never key bytes). */
MUST_CHECK cu_rc oidc_keys_add(struct oidc_keys *k, const char *spec, struct cu_err *err);

/* Re-read every file; returns how many failed (each keeps its previous set; logged). */
size_t oidc_keys_reload(struct oidc_keys *k);

enum oidc_verdict {
    OIDC_VERIFIED,     /* the signature is good under the key of the token's kid */
    OIDC_NO_KEY,       /* no set for the issuer, or no key fits the token's kid and alg */
    OIDC_BAD_SIGNATURE /* the key was found and the signature does not verify */
};

/* Verify j, whose iss is issuer, against that issuer's set. k may be NULL (none given). */
enum oidc_verdict oidc_keys_verify(struct oidc_keys *k, const char *issuer, const struct jwt *j);

#endif
