/* principal.h — resolving who is calling (struct principal, core/principal.h).
 *
 * A principal is resolved from the access key id of a verified SigV4 signature:
 * the account's root credentials, an IAM user's access key (AKIA...), or temporary
 * credentials from STS GetSessionToken (ASIA..., with their session token). */
#ifndef CU_PRINCIPAL_H
#define CU_PRINCIPAL_H

#include "core/cu.h"
#include "core/principal.h"

struct store;
struct master_key;
struct secret;
struct cu_err;
struct principal_cache;

/* A cache of resolved access keys, shared by all server threads. An entry lives until the
 * store's change log shows a change to its access key (or session) record or its user, so
 * a deleted or deactivated key stops working with the next request after the change
 * commits, and writes to anything else leave it cached. */
MUST_CHECK cu_rc principal_cache_new(struct principal_cache **out);
void principal_cache_free(struct principal_cache *cache);
/* How many entries were loaded from the store so far (for tests). */
uint64_t principal_cache_loads(struct principal_cache *cache);

#define PRINCIPAL_SECRET_MAX 128

/* Resolve the access key id of a request into its principal and a copy of its secret
 * access key in the caller's buffer (*secret_len bytes; the caller wipes it with
 * secret_wipe as soon as the signature is checked — a stack copy, so the hot path takes
 * no secure-heap lock). session_token is the request's X-Amz-Security-Token, or NULL.
 * Unknown or inactive keys, a wrong or missing session token, or a token sent with a
 * long-term key fail with CU_E_UNKNOWN_ACCESS_KEY; temporary credentials past their
 * expiration (at now_s) with CU_E_TOKEN_EXPIRED; both with AWS's messages. */
MUST_CHECK cu_rc principal_resolve(struct principal_cache *cache, struct store *store,
                                   const struct master_key *mk, const char *akid,
                                   const char *session_token, int64_t now_s,
                                   struct principal *out, uint8_t secret[PRINCIPAL_SECRET_MAX],
                                   size_t *secret_len, struct cu_err *err);

#endif
