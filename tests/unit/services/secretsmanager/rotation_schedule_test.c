/* Tests for services/secretsmanager/rotation_schedule.c: RotationRules as AWS reads them
 * (AutomaticallyAfterDays, rate() in days and hours, six-field cron() with lists, ranges,
 * steps and names, Duration) and the next window each opens; and the refusals:
 * both or neither schedule, truncated and oversized expressions, out-of-range values,
 * wrong types, L/W/#, a Duration past the interval, a cron that never matches. */
#include "check.h"
#include "services/secretsmanager/rotation_schedule.h"

#define HOUR (3600LL * 1000)
#define DAY (24 * HOUR)
/* 2026-12-02T10:30:00Z, a Wednesday */
#define NOW (1796207400LL * 1000)

static cu_rc parse(const char *json, struct sm_schedule *s)
{
    json_t *rules = json_loads(json, 0, NULL);
    struct cu_err err = {0};
    cu_rc rc;

    if (!rules)
        return CU_E_INTERNAL;
    rc = sm_schedule_parse(rules, s, &err);
    json_decref(rules);
    return rc;
}

static void window(const char *json, int64_t after, int64_t want_start, int64_t want_end)
{
    struct sm_schedule s;
    int64_t start = 0, end = 0;

    CHECK_OK(parse(json, &s));
    CHECK_OK(sm_schedule_next(&s, after, &start, &end));
    CHECK_INT(start, want_start);
    CHECK_INT(end, want_end);
}

static void test_days_and_rates(void)
{
    int64_t today = NOW / DAY * DAY;

    window("{\"AutomaticallyAfterDays\": 30}", NOW, today + 30 * DAY, today + 31 * DAY);
    window("{\"ScheduleExpression\": \"rate(10 days)\"}", NOW, today + 10 * DAY, today + 11 * DAY);
    window("{\"ScheduleExpression\": \"rate(1 day)\", \"Duration\": \"3h\"}", NOW, today + DAY,
           today + DAY + 3 * HOUR);
    window("{\"ScheduleExpression\": \"rate(4 hours)\"}", NOW, NOW + 4 * HOUR, NOW + 5 * HOUR);
    window("{\"ScheduleExpression\": \"rate(6 hours)\", \"Duration\": \"2h\"}", NOW, NOW + 6 * HOUR,
           NOW + 8 * HOUR);
}

static void test_cron(void)
{
    int64_t today = NOW / DAY * DAY;

    /* every day at 16:00: today's is still ahead */
    window("{\"ScheduleExpression\": \"cron(0 16 * * ? *)\"}", NOW, today + 16 * HOUR,
           today + DAY);
    /* Mondays at 16:00 (MON = 2): next Monday is 5 days after a Wednesday */
    window("{\"ScheduleExpression\": \"cron(0 16 ? * MON *)\", \"Duration\": \"2h\"}", NOW,
           today + 5 * DAY + 16 * HOUR, today + 5 * DAY + 18 * HOUR);
    window("{\"ScheduleExpression\": \"cron(0 16 ? * 2 *)\", \"Duration\": \"2h\"}", NOW,
           today + 5 * DAY + 16 * HOUR, today + 5 * DAY + 18 * HOUR);
    /* the 1st and 15th at 08:30; December 15th comes first */
    window("{\"ScheduleExpression\": \"cron(30 8 1,15 * ? *)\"}", NOW, today + 13 * DAY + 8 * HOUR + 30 * 60000,
           today + 14 * DAY);
    /* every 4 hours from 2 (2, 6, 10, 14...): 14:00 today */
    window("{\"ScheduleExpression\": \"cron(0 2/4 * * ? *)\"}", NOW, today + 14 * HOUR, today + DAY);
    /* weekdays MON-FRI at 00:00: Thursday */
    window("{\"ScheduleExpression\": \"cron(0 0 ? * MON-FRI *)\"}", NOW, today + DAY, today + 2 * DAY);
    /* January only, 2027 */
    window("{\"ScheduleExpression\": \"cron(0 0 1 JAN ? 2027)\"}", NOW, today + 30 * DAY, today + 31 * DAY);
}

static void test_refused(void)
{
    static const char *const bad[] = {
        "{}",
        "{\"AutomaticallyAfterDays\": 0}",
        "{\"AutomaticallyAfterDays\": 1001}",
        "{\"AutomaticallyAfterDays\": 1, \"ScheduleExpression\": \"rate(1 days)\"}",
        "{\"ScheduleExpression\": \"rate(3 hours)\"}",
        "{\"ScheduleExpression\": \"rate(0 days)\"}",
        "{\"ScheduleExpression\": \"rate(1001 days)\"}",
        "{\"ScheduleExpression\": \"rate(10 minutes)\"}",
        "{\"ScheduleExpression\": \"rate(10days)\"}",
        "{\"ScheduleExpression\": \"rate(10 days\"}",
        "{\"ScheduleExpression\": \"rate()\"}",
        "{\"ScheduleExpression\": \"every day\"}",
        "{\"ScheduleExpression\": \"cron(0 16 * * *)\"}",
        "{\"ScheduleExpression\": \"cron(0 16 * * * * *)\"}",
        "{\"ScheduleExpression\": \"cron(0 16 * * MON *)\"}",
        "{\"ScheduleExpression\": \"cron(0 16 ? * ? *)\"}",
        "{\"ScheduleExpression\": \"cron(60 16 * * ? *)\"}",
        "{\"ScheduleExpression\": \"cron(0 24 * * ? *)\"}",
        "{\"ScheduleExpression\": \"cron(0 16 L * ? *)\"}",
        "{\"ScheduleExpression\": \"cron(0 16 ? * 2#1 *)\"}",
        "{\"ScheduleExpression\": \"cron(0 16 15W * ? *)\"}",
        "{\"ScheduleExpression\": \"cron(0 5-2 * * ? *)\"}",
        "{\"ScheduleExpression\": \"cron(0 */0 * * ? *)\"}",
        "{\"ScheduleExpression\": \"cron(0 16 * FOO ? *)\"}",
        "{\"ScheduleExpression\": \"cron(0 16 * * ? 1969)\"}",
        "{\"ScheduleExpression\": \"cron(0 16,, * * ? *)\"}",
        "{\"AutomaticallyAfterDays\": 1, \"Duration\": \"25h\"}",
        "{\"AutomaticallyAfterDays\": 1, \"Duration\": \"0h\"}",
        "{\"AutomaticallyAfterDays\": 1, \"Duration\": \"3\"}",
        "{\"AutomaticallyAfterDays\": 1, \"Duration\": \"h\"}",
        "{\"ScheduleExpression\": \"rate(4 hours)\", \"Duration\": \"5h\"}",
        "{\"ScheduleExpression\": 7}",
    };
    struct sm_schedule s;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cu_rc rc = parse(bad[i], &s);
        if (rc != CU_E_SM_INVALID_PARAMETER)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK_RC(rc, CU_E_SM_INVALID_PARAMETER);
    }
}

static void test_oversized(void)
{
    char json[1200] = "{\"ScheduleExpression\": \"cron(0 0 ";
    struct sm_schedule s;
    size_t n = strlen(json);

    while (n < 1100)
        json[n++] = '1', json[n++] = ',';
    snprintf(json + n, sizeof(json) - n, "1 * ? *)\"}");
    CHECK_RC(parse(json, &s), CU_E_SM_INVALID_PARAMETER);
}

static void test_never_matches(void)
{
    struct sm_schedule s;
    int64_t start, end;

    CHECK_OK(parse("{\"ScheduleExpression\": \"cron(0 0 31 2 ? *)\"}", &s));
    CHECK_RC(sm_schedule_next(&s, NOW, &start, &end), CU_E_SM_INVALID_PARAMETER);
}

int main(void)
{
    test_days_and_rates();
    test_cron();
    test_refused();
    test_oversized();
    test_never_matches();
    TEST_END();
}
