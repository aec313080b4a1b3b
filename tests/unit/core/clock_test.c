/* Tests for core/clock.c: formats, strict parsing, calendar edges. */
#include "check.h"
#include "core/clock.h"
#include "core/err.h"

int main(void)
{
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
