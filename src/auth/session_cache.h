/* session_cache.h — role and GetSessionToken sessions whose tokens were opened recently,
 * so that a session's next calls skip opening its token again.
 *
 * Opening a token is most of what temporary credentials cost beyond long-term keys: a
 * base64 decode of a kilobyte or more, an AES-GCM open, the claims' parse and an HMAC
 * over the whole token for its secret (session_token.h). A session signs many calls with
 * one token, so the result is kept here, keyed by the access key id and checked against
 * the whole token as sent: only a token byte for byte equal to one that opened is a hit.
 * Nothing here decides validity beyond that: the caller still checks expiry (now against
 * the principal's session_expires_s), and a revoked session is refused by its policies
 * (aws:TokenIssueTime), which are evaluated per call whatever the cache holds.
 *
 * The table is direct-mapped (a slot per hash of the access key id; a newer session
 * replaces whatever held its slot), so it holds at most SESSION_CACHE_SLOTS sessions and
 * needs no eviction. The token copies and the secrets are wiped when replaced or freed. */
#ifndef CU_SESSION_CACHE_H
#define CU_SESSION_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/principal.h"
#include "session_token.h"

#define SESSION_CACHE_SLOTS 256

struct session_cache;

MUST_CHECK cu_rc session_cache_new(struct session_cache **out);
void session_cache_free(struct session_cache *c);

/* If token, sent with access key id akid, is the token of a session in the cache: copy
 * its principal to out and its secret access key to secret, and return true. */
bool session_cache_get(struct session_cache *c, const char *akid, const char *token,
                       struct principal *out, uint8_t secret[SESSION_SECRET_LEN]);

/* Remember that token opened to principal p (whose access_key_id is the token's) with
 * secret. Best effort: without memory nothing is cached. */
void session_cache_put(struct session_cache *c, const char *token, const struct principal *p,
                       const uint8_t secret[SESSION_SECRET_LEN]);

#endif
