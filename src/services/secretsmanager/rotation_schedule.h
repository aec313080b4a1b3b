/* rotation_schedule.h — a secret's RotationRules (RotateSecret API reference,
 * RotationRulesType) parsed once and the rotation windows they describe.
 *
 * A window opens on the schedule and lasts Duration: AutomaticallyAfterDays N and
 * rate(N days) open at midnight UTC of the N-th day after the last rotation, rate(N hours)
 * N hours after it, cron(...) at the next time the expression matches; without Duration a
 * window of hours lasts one hour and any other closes at the end of its UTC day. custos
 * rotates when a window opens (AWS picks a moment inside it). Pure: time is an argument. */
#ifndef CU_SM_ROTATION_SCHEDULE_H
#define CU_SM_ROTATION_SCHEDULE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"

enum sm_schedule_kind { SM_SCHEDULE_DAYS, SM_SCHEDULE_HOURS, SM_SCHEDULE_CRON };

#define SM_CRON_YEAR_MIN 1970
#define SM_CRON_YEARS 230 /* 1970 to 2199, the years a cron expression may name */

struct sm_schedule {
    enum sm_schedule_kind kind;
    int every;           /* days or hours between windows (DAYS, HOURS) */
    int64_t duration_ms; /* the window's length; 0: the default above */
    /* CRON: a bit per allowed value */
    uint64_t minutes;    /* 0-59 */
    uint32_t hours;      /* 0-23 */
    uint32_t days;       /* day of month 1-31 */
    uint16_t months;     /* 1-12 */
    uint8_t weekdays;    /* 0 (Sunday) - 6 */
    bool any_day, any_weekday; /* '*' or '?' in the field */
    uint8_t years[(SM_CRON_YEARS + 7) / 8];
};

/* Parse RotationRules (an object with AutomaticallyAfterDays, ScheduleExpression,
 * Duration) into *out. InvalidParameterException in err for a schedule AWS refuses: both
 * AutomaticallyAfterDays and ScheduleExpression, neither, an expression that is neither
 * rate() nor a six-field cron(), values out of range, a Duration that is not 1h to 24h or
 * that overlaps the next window. */
MUST_CHECK cu_rc sm_schedule_parse(const json_t *rules, struct sm_schedule *out,
                                   struct cu_err *err);

/* The first window opening strictly after after_ms: *start_ms, and its close *end_ms.
 * CU_E_SM_INVALID_PARAMETER when a cron expression matches nothing in the next five
 * years (31 February). */
MUST_CHECK cu_rc sm_schedule_next(const struct sm_schedule *s, int64_t after_ms,
                                  int64_t *start_ms, int64_t *end_ms);

#endif
