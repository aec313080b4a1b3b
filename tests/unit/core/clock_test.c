/* Tests for core/clock.c: formats, strict parsing, calendar edges. */
#include "check.h"
#include "core/clock.h"
#include "core/err.h"

#include <time.h>

/* The formatters' own calendar against glibc's gmtime_r, over 1970..9999 in uneven steps
 * and around every leap-day edge of the Gregorian rules (divisible by 4, 100, 400). */
static void formats_match_gmtime(void)
{
    static const int64_t edges[] = {0, 951782399, 951782400, 951868800, 4107542399, 4107542400,
                                    4107628800, 68956761599, 68956761600, -1, -86400};
    char iso[21], want[32], amz[17], want_amz[32];

    for (int64_t t = 0; t < 253402300799; t += 7777777 + t % 86399) {
        time_t tt = (time_t)t;
        struct tm tm;

        gmtime_r(&tt, &tm);
        strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
        strftime(want_amz, sizeof(want_amz), "%Y%m%dT%H%M%SZ", &tm);
        clock_iso8601(t, iso);
        clock_amz_date(t, amz);
        if (strcmp(iso, want) != 0 || strcmp(amz, want_amz) != 0) {
            CHECK_STR(iso, want);
            CHECK_STR(amz, want_amz);
            break;
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(edges); i++) {
        time_t tt = (time_t)edges[i];
        struct tm tm;

        gmtime_r(&tt, &tm);
        strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
        clock_iso8601(edges[i], iso);
        CHECK_STR(iso, want);
    }
}

/* The parsers' own calendar against glibc's timegm: every formatted time parses back to
 * itself over 0000..9999, and dates timegm normalises (February 29 of a common year,
 * second 60, the first and last days of years around the leap rules) give timegm's
 * answer. */
static void parsers_match_timegm(void)
{
    static const char *normalised[] = {"20150229T000000Z", "21000229T120000Z", "20000229T235960Z",
                                       "19000229T000000Z", "19700101T000000Z", "00000101T000000Z",
                                       "99991231T235959Z", "20241231T235959Z", "16000301T000000Z"};
    char amz[17], iso[21];
    int64_t got = 0;

    for (int64_t t = -62167219200; t < 253402300799; t += 7777777 + (t & 0xffff)) {
        clock_amz_date(t, amz);
        clock_iso8601(t, iso);
        if (clock_parse_amz_date(amz, 16, &got) != CU_OK || got != t ||
            clock_parse_iso8601(iso, 20, &got) != CU_OK || got != t) {
            CHECK_INT(got, t);
            break;
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(normalised); i++) {
        const char *s = normalised[i];
        struct tm tm = {0};

        sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec);
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        CHECK_OK(clock_parse_amz_date(s, 16, &got));
        CHECK_INT(got, (int64_t)timegm(&tm));
    }
}

int main(void)
{
    char iso_neg[25];

    formats_match_gmtime();
    parsers_match_timegm();
    clock_iso8601_ms(-1, iso_neg);
    CHECK_STR(iso_neg, "1969-12-31T23:59:59.999Z");

    char iso[21], iso_ms[25], amz[17];
    int64_t t = 0;

    clock_iso8601(1380764172, iso);
    CHECK_STR(iso, "2013-10-03T01:36:12Z");
    clock_iso8601_ms(1380764172123, iso_ms);
    CHECK_STR(iso_ms, "2013-10-03T01:36:12.123Z");
    clock_amz_date(1440938160, amz);
    CHECK_STR(amz, "20150830T123600Z");

    CHECK_OK(clock_parse_amz_date("20150830T123600Z", 16, &t));
    CHECK_INT(t, 1440938160);
    CHECK_RC(clock_parse_amz_date("20150830T123600", 15, &t), CU_E_MALFORMED_INPUT);
    CHECK_RC(clock_parse_amz_date("20151330T123600Z", 16, &t), CU_E_MALFORMED_INPUT);
    CHECK_RC(clock_parse_amz_date("2015083OT123600Z", 16, &t), CU_E_MALFORMED_INPUT);
    CHECK_RC(clock_parse_amz_date("20150830T256000Z", 16, &t), CU_E_MALFORMED_INPUT);
    CHECK_RC(clock_parse_amz_date("20150832T123600Z", 16, &t), CU_E_MALFORMED_INPUT);

    CHECK_OK(clock_parse_iso8601("2013-10-03T01:36:12Z", 20, &t));
    CHECK_INT(t, 1380764172);
    CHECK_OK(clock_parse_iso8601("2013-10-03T01:36:12.999Z", 24, &t));
    CHECK_INT(t, 1380764172);
    CHECK_OK(clock_parse_iso8601("2013-10-03T03:36:12+02:00", 25, &t));
    CHECK_INT(t, 1380764172);
    CHECK_OK(clock_parse_iso8601("2013-10-03", 10, &t));
    CHECK_INT(t, 1380758400);
    CHECK_RC(clock_parse_iso8601("2013-10-03T", 11, &t), CU_E_MALFORMED_INPUT);
    CHECK_RC(clock_parse_iso8601("2013-10-03T01:36:12.Z", 21, &t), CU_E_MALFORMED_INPUT);
    CHECK_RC(clock_parse_iso8601("2013-10-03T01:36:12+0200", 24, &t), CU_E_MALFORMED_INPUT);
    CHECK_RC(clock_parse_iso8601("2013/10/03", 10, &t), CU_E_MALFORMED_INPUT);
    CHECK_RC(clock_parse_iso8601("", 0, &t), CU_E_MALFORMED_INPUT);

    clock_set_offset_ms(-3600 * 1000);
    CHECK(clock_now_ms() < (int64_t)time(NULL) * 1000 - 3500 * 1000);
    clock_set_offset_ms(0);
    TEST_END();
}
