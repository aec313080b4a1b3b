/* rotation_schedule.c — RotationRules into a schedule, and its next window
 * (rotation_schedule.h).
 *
 * Secrets Manager's schedule expressions (user guide, rotate-secrets_schedule):
 * rate(N days) with N from 1 to 1000 (as AutomaticallyAfterDays), rate(N hours) from 4
 * hours, and six-field cron(minutes hours day-of-month month day-of-week year) with lists,
 * ranges, steps and the names JAN-DEC and SUN-SAT; day-of-week counts 1 (Sunday) to 7,
 * and one of the two day fields must be '?'. L, W and # are not served: refused as
 * invalid rather than read wrongly. Pure: no clock, no I/O. */
#include "rotation_schedule.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "services/in.h"

#define HOUR_MS (3600LL * 1000)
#define DAY_MS (24 * HOUR_MS)
#define MAX_DAYS 1000
#define MIN_HOURS 4
#define SEARCH_DAYS (5 * 366)
#define FIELD_MAX 256

static cu_rc invalid(struct cu_err *err, const char *what)
{
    return cu_err_set(err, CU_E_SM_INVALID_PARAMETER, "%s", what);
}

/* A number of at most 4 digits at *p; advances. */
static bool number(const char **p, int *out)
{
    int n = 0, digits = 0;

    while (**p >= '0' && **p <= '9' && digits < 4) {
        n = n * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    *out = n;
    return digits > 0 && !(**p >= '0' && **p <= '9');
}

struct field {
    int lo, hi;                  /* the values allowed */
    const char *const *names;    /* names of lo, lo+1, ... (3 letters), or NULL */
};

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

/* One value of a field: a number or a name. */
static bool value(const char **p, const struct field *f, int *out)
{
    if (f->names)
        for (int i = 0; f->names[i]; i++)
            if (strncasecmp(*p, f->names[i], 3) == 0) {
                *p += 3;
                *out = f->lo + i;
                return true;
            }
    return number(p, out) && *out >= f->lo && *out <= f->hi;
}

/* One comma-separated item: '*', v, v-w, each optionally /step; bits set in *set (bit
 * value - lo). */
static bool item(const char **p, const struct field *f, uint8_t *set)
{
    int a = f->lo, b = f->hi, step = 1;

    if (**p == '*') {
        (*p)++;
    } else {
        if (!value(p, f, &a))
            return false;
        b = a;
        if (**p == '-') {
            (*p)++;
            if (!value(p, f, &b) || b < a)
                return false;
        }
    }
    if (**p == '/') {
        (*p)++;
        if (!number(p, &step) || step < 1)
            return false;
        if (b == a)
            b = f->hi;
    }
    for (int v = a; v <= b; v += step)
        set[(v - f->lo) / 8] |= (uint8_t)(1u << ((v - f->lo) % 8));
    return true;
}

/* A whole field (text up to a space, given NUL-terminated): *any when it is '*' or '?'. */
static bool field_parse(const char *text, const struct field *f, uint8_t *set, bool *any)
{
    const char *p = text;

    *any = strcmp(text, "*") == 0 || strcmp(text, "?") == 0;
    if (strcmp(text, "?") == 0) {
        for (int v = f->lo; v <= f->hi; v++)
            set[(v - f->lo) / 8] |= (uint8_t)(1u << ((v - f->lo) % 8));
        return true;
    }
    for (;;) {
        if (!item(&p, f, set))
            return false;
        if (*p == '\0')
            return true;
        if (*p++ != ',')
            return false;
    }
}

static uint64_t bits_of(const uint8_t *set, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)set[i] << (8 * i);
    return v;
}

static cu_rc parse_cron(const char *body, size_t n, struct sm_schedule *s, struct cu_err *err)
{
    static const struct field fields[6] = {{0, 59, NULL},        {0, 23, NULL},
                                           {1, 31, NULL},        {1, 12, month_names},
                                           {1, 7, day_names},    {SM_CRON_YEAR_MIN, SM_CRON_YEAR_MIN + SM_CRON_YEARS - 1, NULL}};
    char text[FIELD_MAX];
    char *parts[6], *at;
    uint8_t set[6][(SM_CRON_YEARS + 7) / 8];
    bool any[6];
    int count = 0;

    if (n >= sizeof(text))
        return invalid(err, "Invalid cron expression.");
    memcpy(text, body, n);
    text[n] = '\0';
    memset(set, 0, sizeof(set));
    for (at = text; *at && count < 7;) {
        while (*at == ' ')
            *at++ = '\0';
        if (!*at)
            break;
        if (count == 6)
            return invalid(err, "Invalid cron expression.");
        parts[count++] = at;
        while (*at && *at != ' ')
            at++;
    }
    if (count != 6)
        return invalid(err, "Invalid cron expression.");
    for (int i = 0; i < 6; i++) {
        /* fields[4]'s names count from SUN = 1 */
        if (!field_parse(parts[i], &fields[i], set[i], &any[i]))
            return invalid(err, "Invalid cron expression.");
    }
    if ((strcmp(parts[2], "?") == 0) == (strcmp(parts[4], "?") == 0))
        return invalid(err, "Invalid cron expression: one of day-of-month and day-of-week "
                            "must be '?'.");
    s->kind = SM_SCHEDULE_CRON;
    s->minutes = bits_of(set[0], 8);
    s->hours = (uint32_t)bits_of(set[1], 3);
    s->days = (uint32_t)bits_of(set[2], 4) << 1; /* bit d for day d */
    s->months = (uint16_t)(bits_of(set[3], 2) << 1);
    s->weekdays = set[4][0];                      /* bit 0: Sunday */
    s->any_day = strcmp(parts[2], "?") == 0 || any[2];
    s->any_weekday = strcmp(parts[4], "?") == 0 || any[4];
    memcpy(s->years, set[5], sizeof(s->years));
    return CU_OK;
}

/* rate(N unit) */
static cu_rc parse_rate(const char *body, struct sm_schedule *s, struct cu_err *err)
{
    const char *p = body;
    int n;

    if (!number(&p, &n) || *p++ != ' ')
        return invalid(err, "Invalid rate expression.");
    if (strcmp(p, "day)") == 0 || strcmp(p, "days)") == 0) {
        if (n < 1 || n > MAX_DAYS)
            return invalid(err, "The rotation interval must be between 1 and 1000 days.");
        s->kind = SM_SCHEDULE_DAYS;
    } else if (strcmp(p, "hour)") == 0 || strcmp(p, "hours)") == 0) {
        if (n < MIN_HOURS || n > MAX_DAYS * 24)
            return invalid(err, "The rotation interval must be at least 4 hours.");
        s->kind = SM_SCHEDULE_HOURS;
    } else {
        return invalid(err, "Invalid rate expression.");
    }
    s->every = n;
    return CU_OK;
}

/* Duration: "Nh", 1 to 24 hours. */
static cu_rc parse_duration(const char *text, struct sm_schedule *s, struct cu_err *err)
{
    const char *p = text;
    int n;

    if (!number(&p, &n) || strcmp(p, "h") != 0 || n < 1 || n > 24)
        return invalid(err, "The rotation window Duration must be between 1h and 24h.");
    s->duration_ms = n * HOUR_MS;
    if (s->kind == SM_SCHEDULE_HOURS && n > s->every)
        return invalid(err, "The rotation window overlaps the next rotation window.");
    return CU_OK;
}

cu_rc sm_schedule_parse(const json_t *rules, struct sm_schedule *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char *expr = in_str(rules, "ScheduleExpression"), *duration = in_str(rules, "Duration");
    bool days = json_object_get(rules, "AutomaticallyAfterDays") != NULL;
    size_t n;

    memset(out, 0, sizeof(*out));
    ENSURE(!(days && expr),
           invalid(err, "You cannot specify both rotation frequency and schedule expression "
                        "together."));
    if (days) {
        out->kind = SM_SCHEDULE_DAYS;
        out->every = (int)in_int(rules, "AutomaticallyAfterDays", 0);
        ENSURE(out->every >= 1 && out->every <= MAX_DAYS,
               invalid(err, "The rotation interval must be between 1 and 1000 days."));
    } else {
        ENSURE(expr, invalid(err, "You must specify AutomaticallyAfterDays or "
                                  "ScheduleExpression in RotationRules."));
        n = strlen(expr);
        if (n > 6 && strncmp(expr, "rate(", 5) == 0 && expr[n - 1] == ')')
            TRY(parse_rate(expr + 5, out, err));
        else if (n > 6 && strncmp(expr, "cron(", 5) == 0 && expr[n - 1] == ')')
            TRY(parse_cron(expr + 5, n - 6, out, err));
        else
            return invalid(err, "Invalid ScheduleExpression: expected rate() or cron().");
    }
    if (duration)
        TRY(parse_duration(duration, out, err));
out:
    return rc;
}

/* Days since the epoch to the civil date (proleptic Gregorian, H. Hinnant's method). */
static void civil(int64_t z, int *y, int *m, int *d)
{
    int64_t era, yy;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static bool day_matches(const struct sm_schedule *s, int64_t day)
{
    int y, m, d, wd = (int)((day % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */

    civil(day, &y, &m, &d);
    if (y < SM_CRON_YEAR_MIN || y >= SM_CRON_YEAR_MIN + SM_CRON_YEARS ||
        !(s->years[(y - SM_CRON_YEAR_MIN) / 8] & (1u << ((y - SM_CRON_YEAR_MIN) % 8))) ||
        !(s->months & (1u << m)))
        return false;
    return (s->any_day || (s->days & (1u << d))) && (s->any_weekday || (s->weekdays & (1u << wd)));
}

static cu_rc cron_next(const struct sm_schedule *s, int64_t after_ms, int64_t *start_ms)
{
    int64_t first = after_ms / DAY_MS;

    for (int64_t day = first; day < first + SEARCH_DAYS; day++) {
        if (!day_matches(s, day))
            continue;
        for (int h = 0; h < 24; h++) {
            if (!(s->hours & (1u << h)))
                continue;
            for (int mi = 0; mi < 60; mi++) {
                int64_t t = day * DAY_MS + h * HOUR_MS + mi * 60000LL;

                if ((s->minutes & (1ull << mi)) && t > after_ms) {
                    *start_ms = t;
                    return CU_OK;
                }
            }
        }
    }
    return CU_E_SM_INVALID_PARAMETER;
}

cu_rc sm_schedule_next(const struct sm_schedule *s, int64_t after_ms, int64_t *start_ms,
                       int64_t *end_ms)
{
    cu_rc rc = CU_OK;

    if (s->kind == SM_SCHEDULE_DAYS)
        *start_ms = (after_ms / DAY_MS + s->every) * DAY_MS;
    else if (s->kind == SM_SCHEDULE_HOURS)
        *start_ms = after_ms + s->every * HOUR_MS;
    else
        TRY(cron_next(s, after_ms, start_ms));
    if (s->duration_ms)
        *end_ms = *start_ms + s->duration_ms;
    else if (s->kind == SM_SCHEDULE_HOURS)
        *end_ms = *start_ms + HOUR_MS;
    else
        *end_ms = (*start_ms / DAY_MS + 1) * DAY_MS;
out:
    return rc;
}
