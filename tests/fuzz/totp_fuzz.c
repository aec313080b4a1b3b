/* totp_fuzz.c — libFuzzer target for crypto/totp.c, whose codes come from requests
 * (EnableMFADevice, ResyncMFADevice's AuthenticationCode1/2).
 *
 * Input: one byte giving the seed's length (1..64), the seed, then the two codes, each up
 * to 9 bytes, split at the first NUL. Whatever the bytes, the pair search must not fail
 * or read past a code, and a pair it reports must be the seed's codes of the steps it
 * names; the seed's base32 text must be exactly its length in the RFC 4648 alphabet. */
#include <stdlib.h>
#include <string.h>

#include "crypto/totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copy a NUL-terminated code of at most 9 bytes from the input into out (10 bytes). */
static size_t take_code(const uint8_t *p, size_t n, char out[10])
{
    size_t len = 0;

    while (len < n && len < 9 && p[len])
        len++;
    memcpy(out, p, len);
    out[len] = '\0';
    return len < n ? len + 1 : len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char c1[10], c2[10], a[TOTP_DIGITS + 1], b[TOTP_DIGITS + 1];
    char b32[TOTP_BASE32_LEN(TOTP_SEED_MAX) + 1];
    size_t seed_n, at;
    uint64_t second = 0;
    bool found = false;

    if (size < 1)
        return 0;
    seed_n = (size_t)(data[0] % TOTP_SEED_MAX) + 1;
    if (size < 1 + seed_n)
        return 0;
    struct bytes seed = bytes_of(data + 1, seed_n);
    at = 1 + seed_n;
    at += take_code(data + at, size - at, c1);
    take_code(data + at, size - at, c2);
    /* around a step of the input's choosing, as the handlers search around the clock */
    uint64_t centre = 1000 + (seed.p[0] % 64);
    if (totp_find_pair(seed, c1, c2, centre - 30, centre + 30, &found, &second) != CU_OK)
        abort();
    if (found) {
        if (second < centre - 30 || second > centre + 30 ||
            totp_code(seed, second - 1, TOTP_DIGITS, a) != CU_OK ||
            totp_code(seed, second, TOTP_DIGITS, b) != CU_OK || strcmp(a, c1) != 0 ||
            strcmp(b, c2) != 0)
            abort();
    }
    totp_base32(seed, b32);
    if (strlen(b32) != TOTP_BASE32_LEN(seed_n) ||
        strspn(b32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != strlen(b32))
        abort();
    return 0;
}
