/* Tests for crypto/totp.c: RFC 6238 appendix B's SHA-1 vectors (8 digits, and their last
 * 6, which is what a 6-digit device shows), RFC 4226 appendix D's HOTP values, RFC 4648
 * §10's base32 vectors, and the pair search EnableMFADevice and ResyncMFADevice use:
 * consecutive codes found at the right step, swapped, repeated, tampered, malformed,
 * truncated or oversized codes found nowhere, windows out of range refused. */
#include "check.h"
#include "crypto/totp.h"

/* RFC 6238 appendix B: the SHA-1 seed is the ASCII "12345678901234567890". */
#define RFC_SEED "12345678901234567890"

static const struct {
    int64_t t;
    const char *code;
} rfc6238[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000LL, "65353130"},
};

/* RFC 4226 appendix D, counters 0..9, 6 digits. */
static const char *const rfc4226[] = {"755224", "287082", "359152", "969429", "338314",
                                      "254676", "287922", "162583", "399871", "520489"};

static void totp_vectors(void)
{
    char code[TOTP_DIGITS_MAX + 1];

    for (size_t i = 0; i < sizeof(rfc6238) / sizeof(rfc6238[0]); i++) {
        uint64_t step = totp_step(rfc6238[i].t);

        CHECK_OK(totp_code(bytes_str(RFC_SEED), step, 8, code));
        CHECK_STR(code, rfc6238[i].code);
        CHECK_OK(totp_code(bytes_str(RFC_SEED), step, TOTP_DIGITS, code));
        CHECK_STR(code, rfc6238[i].code + 2);
    }
    CHECK_INT(totp_step(59), 1);
    CHECK_INT(totp_step(60), 2);
    CHECK_INT(totp_step(-5), 0);
}

static void hotp_vectors(void)
{
    char code[TOTP_DIGITS + 1];

    for (uint64_t c = 0; c < 10; c++) {
        CHECK_OK(totp_code(bytes_str(RFC_SEED), c, TOTP_DIGITS, code));
        CHECK_STR(code, rfc4226[c]);
    }
}

static void code_refuses_bad_arguments(void)
{
    char code[16];

    CHECK_RC(totp_code(bytes_str(RFC_SEED), 1, 5, code), CU_E_INTERNAL);
    CHECK_RC(totp_code(bytes_str(RFC_SEED), 1, 9, code), CU_E_INTERNAL);
    CHECK_RC(totp_code(bytes_of(NULL, 0), 1, 6, code), CU_E_INTERNAL);
}

static void base32_vectors(void)
{
    static const struct {
        const char *in, *out;
    } v[] = {{"", ""},
             {"f", "MY"},
             {"fo", "MZXQ"},
             {"foo", "MZXW6"},
             {"foob", "MZXW6YQ"},
             {"fooba", "MZXW6YTB"},
             {"foobar", "MZXW6YTBOI"}};
    char out[TOTP_BASE32_LEN(TOTP_SEED_LEN) + 1];

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        totp_base32(bytes_str(v[i].in), out);
        CHECK_STR(out, v[i].out);
        CHECK_INT(strlen(out), TOTP_BASE32_LEN(strlen(v[i].in)));
    }
    /* RFC 6238's seed as authenticator apps are given it */
    totp_base32(bytes_str(RFC_SEED), out);
    CHECK_STR(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    CHECK_INT(TOTP_BASE32_LEN(TOTP_SEED_LEN), 32);
}

static void pair_search(void)
{
    struct bytes seed = bytes_str(RFC_SEED);
    char c[12][TOTP_DIGITS + 1];
    uint64_t base = 1000, second = 0;
    bool found = true;

    for (int i = 0; i < 12; i++)
        CHECK_OK(totp_code(seed, base + (uint64_t)i, TOTP_DIGITS, c[i]));
    /* steps 1004 and 1005, searched with the second step in [1003, 1006] */
    CHECK_OK(totp_find_pair(seed, c[4], c[5], 1003, 1006, &found, &second));
    CHECK(found);
    CHECK_INT(second, 1005);
    /* the second code's step outside the window */
    CHECK_OK(totp_find_pair(seed, c[4], c[5], 1006, 1010, &found, &second));
    CHECK(!found);
    CHECK_OK(totp_find_pair(seed, c[4], c[5], 1001, 1004, &found, &second));
    CHECK(!found);
    /* swapped, repeated, not consecutive */
    CHECK_OK(totp_find_pair(seed, c[5], c[4], 1001, 1010, &found, &second));
    CHECK(!found);
    CHECK_OK(totp_find_pair(seed, c[5], c[5], 1001, 1010, &found, &second));
    CHECK(!found);
    CHECK_OK(totp_find_pair(seed, c[4], c[6], 1001, 1010, &found, &second));
    CHECK(!found);
    /* tampered: one digit changed */
    char bad[TOTP_DIGITS + 1];
    memcpy(bad, c[5], sizeof(bad));
    bad[3] = (char)(bad[3] == '9' ? '0' : bad[3] + 1);
    CHECK_OK(totp_find_pair(seed, c[4], bad, 1001, 1010, &found, &second));
    CHECK(!found);
    /* malformed: truncated, oversized, not digits, empty */
    char longer[TOTP_DIGITS + 2];
    memcpy(longer, c[5], TOTP_DIGITS);
    longer[TOTP_DIGITS] = '0';
    longer[TOTP_DIGITS + 1] = '\0';
    CHECK_OK(totp_find_pair(seed, c[4], longer, 1001, 1010, &found, &second));
    CHECK(!found);
    CHECK_OK(totp_find_pair(seed, c[4], "12345", 1001, 1010, &found, &second));
    CHECK(!found);
    CHECK_OK(totp_find_pair(seed, "12a456", c[5], 1001, 1010, &found, &second));
    CHECK(!found);
    CHECK_OK(totp_find_pair(seed, "", "", 1001, 1010, &found, &second));
    CHECK(!found);
    /* another seed's codes */
    CHECK_OK(
        totp_find_pair(bytes_str("another seed, twenty"), c[4], c[5], 1001, 1010, &found, &second));
    CHECK(!found);
    /* windows the search refuses */
    CHECK_RC(totp_find_pair(seed, c[4], c[5], 1006, 1003, &found, &second), CU_E_INTERNAL);
    CHECK_RC(totp_find_pair(seed, c[4], c[5], 0, 10, &found, &second), CU_E_INTERNAL);
    CHECK_RC(totp_find_pair(seed, c[4], c[5], 1, 5000, &found, &second), CU_E_INTERNAL);
    CHECK_RC(totp_find_pair(bytes_of(NULL, 0), c[4], c[5], 1001, 1010, &found, &second),
             CU_E_INTERNAL);
}

static void code_search(void)
{
    struct bytes seed = bytes_str(RFC_SEED);
    char c[8][TOTP_DIGITS + 1], bad[TOTP_DIGITS + 1];
    uint64_t step = 0;
    bool found = true;

    for (int i = 0; i < 8; i++)
        CHECK_OK(totp_code(seed, 2000 + (uint64_t)i, TOTP_DIGITS, c[i]));
    CHECK_OK(totp_find_code(seed, c[3], 2002, 2004, &found, &step));
    CHECK(found);
    CHECK_INT(step, 2003);
    /* outside the window, either side */
    CHECK_OK(totp_find_code(seed, c[3], 2004, 2006, &found, &step));
    CHECK(!found);
    CHECK_OK(totp_find_code(seed, c[3], 2000, 2002, &found, &step));
    CHECK(!found);
    /* tampered, truncated, oversized, not digits, another seed */
    memcpy(bad, c[3], sizeof(bad));
    bad[0] = (char)(bad[0] == '9' ? '0' : bad[0] + 1);
    CHECK_OK(totp_find_code(seed, bad, 2000, 2007, &found, &step));
    CHECK(!found);
    CHECK_OK(totp_find_code(seed, "12345", 2000, 2007, &found, &step));
    CHECK(!found);
    CHECK_OK(totp_find_code(seed, "1234567", 2000, 2007, &found, &step));
    CHECK(!found);
    CHECK_OK(totp_find_code(seed, "12a456", 2000, 2007, &found, &step));
    CHECK(!found);
    CHECK_OK(totp_find_code(bytes_str("another seed, twenty"), c[3], 2000, 2007, &found, &step));
    CHECK(!found);
    CHECK_RC(totp_find_code(seed, c[3], 2004, 2002, &found, &step), CU_E_INTERNAL);
    CHECK_RC(totp_find_code(seed, c[3], 1, 5000, &found, &step), CU_E_INTERNAL);
    CHECK_RC(totp_find_code(bytes_of(NULL, 0), c[3], 2000, 2007, &found, &step), CU_E_INTERNAL);
}

int main(void)
{
    totp_vectors();
    hotp_vectors();
    code_refuses_bad_arguments();
    base32_vectors();
    pair_search();
    code_search();
    TEST_END();
}
