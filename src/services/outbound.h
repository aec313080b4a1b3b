/* outbound.h — outbound web identity federation, the part IAM, STS and the HTTP layer
 * share: the account's federation record, its issuer URL, its signing keys and the two
 * OIDC discovery documents custos serves for it.
 *
 * IAM's Enable/Disable/GetOutboundWebIdentityFederationInfo (iam/outbound_federation.c)
 * write and read the record; STS GetWebIdentityToken (sts/get_web_identity_token.c) signs with
 * its keys; server/ answers the unauthenticated GETs an external verifier makes
 * (outbound_discovery). AWS's issuer is "https://<id>.tokens.sts.global.api.aws" (IAM
 * guide, id_roles_providers_outbound_token_claims); custos cannot answer for that host, so
 * its issuer is "<public URL>/_custos/outbound/<id>" — an id unique to the account under
 * custos's own endpoint — and the documents sit where the IAM API reference places them
 * under an issuer: <issuer>/.well-known/openid-configuration and
 * <issuer>/.well-known/jwks.json.
 *
 * The record ({IssuerId, Enabled, Keys}) is made at the first Enable, with one key pair
 * per algorithm; Disable only clears Enabled, so the issuer, and the keys verifiers need
 * for tokens issued before ("This operation does not affect tokens that were issued before
 * the feature was disabled", DisableOutboundWebIdentityFederation), stay published. */
#ifndef CU_SERVICES_OUTBOUND_H
#define CU_SERVICES_OUTBOUND_H

#include <jansson.h>

#include "core/buf.h"
#include "crypto/jwt_key.h"
#include "store/store.h"

#define OUTBOUND_PATH_PREFIX "/_custos/outbound/"
#define OUTBOUND_ISSUER_MAX 512

/* The account's record in tx: *rec is owned by the caller, NULL when federation was
 * never enabled. */
MUST_CHECK cu_rc outbound_load(struct store_tx *tx, const char *account, json_t **rec);

/* Whether the record says tokens may be issued (JwtVendingEnabled). */
bool outbound_enabled(const json_t *rec);

/* The issuer URL of the record under public_url (no trailing '/'), into out
 * (OUTBOUND_ISSUER_MAX bytes). */
void outbound_issuer(const char *public_url, const json_t *rec, char out[OUTBOUND_ISSUER_MAX]);

/* Make the record enabled in tx: the first time, a fresh issuer id and one key pair per
 * algorithm, sealed under mk (AAD: purpose, account, algorithm, kid); later, the record
 * kept with Enabled set. *rec (owned by the caller) is the record as stored. The caller
 * has checked it was not enabled. */
MUST_CHECK cu_rc outbound_enable(struct store_tx *tx, const struct master_key *mk,
                                 const char *account, json_t *existing, json_t **rec);

/* Store the record with Enabled false. */
MUST_CHECK cu_rc outbound_disable(struct store_tx *tx, const char *account, json_t *rec);

/* Open the record's key for alg; *kid borrows the key's id from rec. *key is the
 * caller's (jwt_key_free). Errors: CU_E_SEAL_BROKEN, CU_E_INTERNAL (no key for alg). */
MUST_CHECK cu_rc outbound_signing_key(const struct master_key *mk, const char *account,
                                      const json_t *rec, enum jwt_alg alg, struct jwt_key **key,
                                      const char **kid);

/* Answer a GET for path (no query) if it names a discovery document of account's issuer:
 * *handled is false for a path outside OUTBOUND_PATH_PREFIX; otherwise *status is 200
 * with the JSON document in body, or 404 with an error JSON for an unknown issuer or
 * document. Reads the store in its own read transaction. */
MUST_CHECK cu_rc outbound_discovery(struct store *store, const char *public_url,
                                    const char *account, const char *path, bool *handled,
                                    int *status, struct buf *body);

#endif
