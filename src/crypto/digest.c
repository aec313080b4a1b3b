/* digest.c — SHA-256 and HMAC-SHA256 on OpenSSL's low-level SHA-256 (see digest.h).
 *
 * The SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, but they remain in
 * every 3.x release and are the only way to keep a hash state in a struct of our own; the
 * EVP route costs an allocation per copied state and a provider call per step. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "digest.h"

#include <string.h>

#include "core/codec.h"
#include "core/secret.h"

#define BLOCK 64

void digest_sha256(struct bytes in, uint8_t out[DIGEST_SHA256_LEN])
{
    SHA256_CTX c;

    SHA256_Init(&c);
    SHA256_Update(&c, in.p, in.n);
    SHA256_Final(out, &c);
}

void digest_sha256_begin(struct sha256 *h)
{
    SHA256_Init(&h->c);
}

void digest_sha256_add(struct sha256 *h, struct bytes in)
{
    SHA256_Update(&h->c, in.p, in.n);
}

void digest_sha256_end(struct sha256 *h, uint8_t out[DIGEST_SHA256_LEN])
{
    SHA256_Final(out, &h->c);
}

void digest_sha256_hex(struct bytes in, char out[2 * DIGEST_SHA256_LEN + 1])
{
    uint8_t hash[DIGEST_SHA256_LEN];

    digest_sha256(in, hash);
    hex_encode_to(hash, sizeof(hash), out);
}

void hmac_sha256_init(struct hmac_sha256 *h, struct bytes key)
{
    uint8_t k[BLOCK] = {0}, pad[BLOCK];

    /* RFC 2104 §2: a key longer than the block is hashed first; shorter ones are padded */
    if (key.n > BLOCK)
        digest_sha256(key, k);
    else if (key.n)
        memcpy(k, key.p, key.n);
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    SHA256_Init(&h->inner);
    SHA256_Update(&h->inner, pad, BLOCK);
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    SHA256_Init(&h->outer);
    SHA256_Update(&h->outer, pad, BLOCK);
    secret_wipe(k, sizeof(k));
    secret_wipe(pad, sizeof(pad));
}

void hmac_sha256_update(struct hmac_sha256 *h, struct bytes msg)
{
    if (msg.n)
        SHA256_Update(&h->inner, msg.p, msg.n);
}

void hmac_sha256_final(struct hmac_sha256 *h, uint8_t out[DIGEST_SHA256_LEN])
{
    uint8_t inner[DIGEST_SHA256_LEN];

    SHA256_Final(inner, &h->inner);
    SHA256_Update(&h->outer, inner, sizeof(inner));
    SHA256_Final(out, &h->outer);
    secret_wipe(inner, sizeof(inner));
    secret_wipe(h, sizeof(*h));
}

void digest_hmac_sha256(struct bytes key, struct bytes msg, uint8_t out[DIGEST_SHA256_LEN])
{
    struct hmac_sha256 h;

    hmac_sha256_init(&h, key);
    hmac_sha256_update(&h, msg);
    hmac_sha256_final(&h, out);
}
