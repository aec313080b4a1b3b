/* digest.h — SHA-256 and HMAC-SHA256 for SigV4. The algorithms are fetched from OpenSSL
 * once and each thread reuses its own contexts: OpenSSL 3's one-call helpers cost two to
 * four times as much (DESIGN.md "Speed budget"). */
#ifndef CU_DIGEST_H
#define CU_DIGEST_H

#include "core/bytes.h"

MUST_CHECK cu_rc digest_sha256(struct bytes in, uint8_t out[32]);
MUST_CHECK cu_rc digest_hmac_sha256(struct bytes key, struct bytes msg, uint8_t out[32]);

#endif
