/* totp.c — RFC 6238 TOTP on RFC 4226 HOTP with HMAC-SHA1, and RFC 4648 base32 (totp.h).
 *
 * HMAC-SHA1 goes through OpenSSL's one-call HMAC(): an MFA code is checked a few times
 * per EnableMFADevice or ResyncMFADevice, never on the request hot path, so the EVP
 * fetch it costs does not matter here (DESIGN.md's speed budget concerns SigV4). SHA-1 is
 * what every authenticator app computes for an otpauth://totp URI without an algorithm
 * parameter; HOTP's security rests on HMAC, not on SHA-1's collision resistance. */
#include "totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "core/secret.h"

#define SHA1_LEN 20
/* The widest window totp_find_pair searches (ResyncMFADevice's is far smaller). */
#define WINDOW_MAX 1000

uint64_t totp_step(int64_t unix_seconds)
{
    return unix_seconds < 0 ? 0 : (uint64_t)unix_seconds / TOTP_STEP_SECONDS;
}

cu_rc totp_code(struct bytes seed, uint64_t counter, int digits, char *out)
{
    cu_rc rc = CU_OK;
    uint8_t msg[8], mac[SHA1_LEN];
    unsigned int mac_len = 0;
    uint32_t bin, modulus = 1;
    size_t off;

    ENSURE(digits >= TOTP_DIGITS && digits <= TOTP_DIGITS_MAX && seed.n > 0, CU_E_INTERNAL);
    /* RFC 4226 §5.2: the counter is an 8-byte big-endian value */
    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    ENSURE(HMAC(EVP_sha1(), seed.p, (int)seed.n, msg, sizeof(msg), mac, &mac_len) &&
               mac_len == SHA1_LEN,
           CU_E_INTERNAL);
    /* §5.3 dynamic truncation: the low nibble of the last byte picks 4 bytes, top bit
     * masked off so the value is the same signed or unsigned */
    off = mac[SHA1_LEN - 1] & 0x0f;
    bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
          ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
    for (int i = 0; i < digits; i++)
        modulus *= 10;
    bin %= modulus;
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (char)('0' + bin % 10);
        bin /= 10;
    }
    out[digits] = '\0';
out:
    secret_wipe(mac, sizeof(mac));
    secret_wipe(&bin, sizeof(bin));
    return rc;
}

/* Exactly TOTP_DIGITS decimal characters; reads no further than the first non-digit. */
static bool well_formed(const char *code)
{
    int i = 0;

    while (i < TOTP_DIGITS && code[i] >= '0' && code[i] <= '9')
        i++;
    return i == TOTP_DIGITS && code[i] == '\0';
}

cu_rc totp_find_pair(struct bytes seed, const char *code1, const char *code2, uint64_t from,
                     uint64_t to, bool *found, uint64_t *second)
{
    cu_rc rc = CU_OK;
    char prev[TOTP_DIGITS + 1], cur[TOTP_DIGITS + 1];
    bool valid = well_formed(code1) && well_formed(code2);

    *found = false;
    ENSURE(seed.n > 0 && to >= from && to - from <= WINDOW_MAX && from > 0, CU_E_INTERNAL);
    /* the form of a code is no secret: a malformed one matches nothing, unread further */
    if (!valid)
        goto out;
    TRY(totp_code(seed, from - 1, TOTP_DIGITS, prev));
    for (uint64_t s = from; s <= to; s++) {
        bool m1, m2;

        TRY(totp_code(seed, s, TOTP_DIGITS, cur));
        m1 = ct_equal(prev, TOTP_DIGITS, code1, TOTP_DIGITS);
        m2 = ct_equal(cur, TOTP_DIGITS, code2, TOTP_DIGITS);
        /* the earliest pair wins; later steps are still computed so the time taken does
         * not tell where a match was */
        if (m1 && m2 && !*found) {
            *found = true;
            *second = s;
        }
        memcpy(prev, cur, sizeof(prev));
    }
out:
    secret_wipe(prev, sizeof(prev));
    secret_wipe(cur, sizeof(cur));
    return rc;
}

cu_rc totp_find_code(struct bytes seed, const char *code, uint64_t from, uint64_t to,
                     bool *found, uint64_t *step)
{
    cu_rc rc = CU_OK;
    char cur[TOTP_DIGITS + 1];

    *found = false;
    ENSURE(seed.n > 0 && to >= from && to - from <= WINDOW_MAX, CU_E_INTERNAL);
    if (!well_formed(code))
        goto out;
    for (uint64_t s = from; s <= to; s++) {
        TRY(totp_code(seed, s, TOTP_DIGITS, cur));
        /* every step is computed whatever matched: the time taken does not tell where */
        if (ct_equal(cur, TOTP_DIGITS, code, TOTP_DIGITS) && !*found) {
            *found = true;
            *step = s;
        }
    }
out:
    secret_wipe(cur, sizeof(cur));
    return rc;
}

void totp_base32(struct bytes in, char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < in.n; i++) {
        acc = (acc << 8) | in.p[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = alphabet[(acc >> (bits - 5)) & 0x1f];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = alphabet[(acc << (5 - bits)) & 0x1f];
    out[o] = '\0';
    secret_wipe(&acc, sizeof(acc));
}
