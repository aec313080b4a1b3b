/* totp.h — time-based one-time passwords (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA1,
 * the algorithm of IAM's virtual MFA devices, and the base32 text (RFC 4648 §6) in which
 * a device's seed is handed to an authenticator app.
 *
 * Pure functions: the time is an argument (a step number), never read from a clock, so
 * the published vectors and the e2e tests drive the same code. Codes are compared in
 * constant time; the HMAC state and the candidate codes are wiped before returning. */
#ifndef CU_CRYPTO_TOTP_H
#define CU_CRYPTO_TOTP_H

#include <stdint.h>

#include "core/bytes.h"
#include "core/cu.h"

/* IAM's devices: 6 digits, a new code every 30 seconds (RFC 6238's defaults). */
#define TOTP_DIGITS 6
#define TOTP_DIGITS_MAX 8
#define TOTP_STEP_SECONDS 30
/* AWS's virtual devices are seeded with 20 random bytes (160 bits, RFC 4226 §4's
 * recommended length), 32 base32 characters. */
#define TOTP_SEED_LEN 20
#define TOTP_SEED_MAX 64
/* Base32 text of a seed of n bytes, without padding, and its terminator. */
#define TOTP_BASE32_LEN(n) (((n)*8 + 4) / 5)

/* The step number of a Unix time (seconds): floor(t / 30); 0 before the epoch. */
uint64_t totp_step(int64_t unix_seconds);

/* The HOTP value of seed at counter (RFC 4226 §5.3: dynamic truncation, modulo
 * 10^digits) as `digits` decimal characters with leading zeros and a terminator, into
 * out (digits + 1 bytes). digits is 6..8. Errors: CU_E_INTERNAL for a digits value out of
 * range or an empty seed. */
MUST_CHECK cu_rc totp_code(struct bytes seed, uint64_t counter, int digits, char *out);

/* Whether code1 and code2 (TOTP_DIGITS characters each) are the codes of two consecutive
 * steps s and s + 1 with s + 1 in [from, to]: *found and, when found, *second = s + 1.
 * Every step of the window is computed and compared whatever matched, in constant time
 * per comparison. A code that is not TOTP_DIGITS decimal characters matches nothing.
 * Errors: CU_E_INTERNAL (an empty seed, a window wider than 1,000 steps). */
MUST_CHECK cu_rc totp_find_pair(struct bytes seed, const char *code1, const char *code2,
                                uint64_t from, uint64_t to, bool *found, uint64_t *second);

/* Whether code (TOTP_DIGITS characters) is the code of a step s in [from, to]: *found and,
 * when found, *step = s (the earliest). The one-code check of STS's SerialNumber and
 * TokenCode; the same constant-time rules as totp_find_pair.
 * Errors: CU_E_INTERNAL (an empty seed, a window wider than 1,000 steps). */
MUST_CHECK cu_rc totp_find_code(struct bytes seed, const char *code, uint64_t from, uint64_t to,
                                bool *found, uint64_t *step);

/* RFC 4648 §6 base32 (A-Z, 2-7) of in, without padding, into out, which holds
 * TOTP_BASE32_LEN(in.n) + 1 bytes (authenticator apps read the seed so: AWS's
 * Base32StringSeed is 32 characters for 20 bytes). */
void totp_base32(struct bytes in, char *out);

#endif
