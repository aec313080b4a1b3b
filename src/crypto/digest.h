/* digest.h — SHA-256 and HMAC-SHA256 (RFC 2104) for SigV4 and HKDF.
 *
 * Both run on OpenSSL's SHA-256 block function through its low-level SHA256_* calls, whose
 * state is a plain struct: copying a keyed HMAC state is a memcpy, not an allocation, and
 * nothing goes through a provider lookup. Through EVP_MAC an HMAC cost about 30,000
 * instructions on OpenSSL 3.0, three quarters of it in EVP_MAC_init; here it costs a few
 * SHA-256 blocks (DESIGN.md "Speed budget"). */
#ifndef CU_DIGEST_H
#define CU_DIGEST_H

#include <openssl/sha.h>

#include "core/bytes.h"

#define DIGEST_SHA256_LEN 32

/* An HMAC-SHA256 computation in progress: the inner and outer hash states after the
 * padded key. It holds key-derived secrets: hmac_sha256_final() wipes it, and a caller
 * that abandons one wipes it with secret_wipe(). */
struct hmac_sha256 {
    SHA256_CTX inner, outer;
};

void digest_sha256(struct bytes in, uint8_t out[DIGEST_SHA256_LEN]);
/* A SHA-256 over bytes given in steps, in a plain struct (no allocation): the audit writer
 * hashes a record before it takes its lock and only the chain's suffix under it. */
struct sha256 {
    SHA256_CTX c;
};
void digest_sha256_begin(struct sha256 *h);
void digest_sha256_add(struct sha256 *h, struct bytes in);
void digest_sha256_end(struct sha256 *h, uint8_t out[DIGEST_SHA256_LEN]);
/* The SHA-256 of in as 64 lowercase hex characters and a terminator: how the store keeps
 * bearer tokens (session and grant tokens), so that it never holds the tokens themselves. */
void digest_sha256_hex(struct bytes in, char out[2 * DIGEST_SHA256_LEN + 1]);

void hmac_sha256_init(struct hmac_sha256 *h, struct bytes key);
void hmac_sha256_update(struct hmac_sha256 *h, struct bytes msg);
void hmac_sha256_final(struct hmac_sha256 *h, uint8_t out[DIGEST_SHA256_LEN]);

/* out = HMAC-SHA256(key, msg). out may be the key's own bytes (SigV4 chains its keys so):
 * the key is absorbed before out is written. */
void digest_hmac_sha256(struct bytes key, struct bytes msg, uint8_t out[DIGEST_SHA256_LEN]);

#endif
