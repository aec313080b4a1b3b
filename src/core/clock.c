/* clock.c — wall clock and date formats, with calendar arithmetic of its own both ways
 * (to_civil, days_from_civil) rather than gmtime_r and timegm. */
#include "clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static _Atomic int64_t offset_ms;

int64_t clock_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&offset_ms);
}

void clock_set_offset_ms(int64_t offset)
{
    atomic_store(&offset_ms, offset);
}

/* A UTC date and time of day. */
struct civil {
    int64_t year;
    int month, day, hour, minute, second;
};

/* Seconds since the epoch to the proleptic Gregorian calendar, by whole 400-year eras of
 * 146,097 days, counted from 0000-03-01 so that the leap day ends each year. Formatting
 * runs for every audit record: gmtime_r takes glibc's time-zone lock on every call. */
static struct civil to_civil(int64_t epoch_s)
{
    struct civil c;
    int64_t days = epoch_s / 86400, secs = epoch_s % 86400;

    if (secs < 0) {
        secs += 86400;
        days--;
    }
    c.hour = (int)(secs / 3600);
    c.minute = (int)(secs / 60 % 60);
    c.second = (int)(secs % 60);
    days += 719468; /* days from 0000-03-01 to 1970-01-01 */
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;                                 /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                  /* March = 0 */
    c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2);
    return c;
}

/* The inverse of to_civil: days since 1970-01-01 of a date, by the same eras. Linear in
 * day, so a day past the month's end counts on into the next month (as timegm does). Not
 * timegm: it runs for every signed request, and glibc's normalises through mktime. */
static int64_t days_from_civil(int64_t year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                        /* [0, 399] */
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               /* [0, 146096] */

    return era * 146097 + doe - 719468;
}

static int64_t epoch_of(const struct tm *tm)
{
    return days_from_civil((int64_t)tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday) * 86400 +
           tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

/* Write v as exactly `width` digits (the low ones: callers pass in-range values). */
static char *put_digits(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/* "YYYY-MM-DDTHH:MM:SS" (sep true) or "YYYYMMDDTHHMMSS", unterminated; returns the end. */
static char *put_civil(char *p, int64_t epoch_s, bool sep)
{
    struct civil c = to_civil(epoch_s);

    p = put_digits(p, c.year, 4);
    if (sep)
        *p++ = '-';
    p = put_digits(p, c.month, 2);
    if (sep)
        *p++ = '-';
    p = put_digits(p, c.day, 2);
    *p++ = 'T';
    p = put_digits(p, c.hour, 2);
    if (sep)
        *p++ = ':';
    p = put_digits(p, c.minute, 2);
    if (sep)
        *p++ = ':';
    return put_digits(p, c.second, 2);
}

void clock_iso8601(int64_t epoch_s, char out[21])
{
    char *p = put_civil(out, epoch_s, true);

    p[0] = 'Z';
    p[1] = '\0';
}

void clock_iso8601_ms(int64_t epoch_ms, char out[25])
{
    int64_t s = epoch_ms / 1000, ms = epoch_ms % 1000;
    char *p;

    if (ms < 0) {
        ms += 1000;
        s--;
    }
    p = put_civil(out, s, true);
    *p++ = '.';
    p = put_digits(p, ms, 3);
    p[0] = 'Z';
    p[1] = '\0';
}

void clock_amz_date(int64_t epoch_s, char out[17])
{
    char *p = put_civil(out, epoch_s, false);

    p[0] = 'Z';
    p[1] = '\0';
}

/* Read exactly `width` decimal digits. */
static bool digits(const char *s, int width, int *out)
{
    int v = 0;

    for (int i = 0; i < width; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool valid_fields(const struct tm *tm)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return tm->tm_mon >= 0 && tm->tm_mon < 12 && tm->tm_mday >= 1 &&
           tm->tm_mday <= mdays[tm->tm_mon] && tm->tm_hour < 24 && tm->tm_min < 60 &&
           tm->tm_sec < 61;
}

cu_rc clock_parse_amz_date(const char *s, size_t n, int64_t *epoch_s)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, se;

    if (n != 16 || s[8] != 'T' || s[15] != 'Z')
        return CU_E_MALFORMED_INPUT;
    if (!digits(s, 4, &y) || !digits(s + 4, 2, &mo) || !digits(s + 6, 2, &d) ||
        !digits(s + 9, 2, &h) || !digits(s + 11, 2, &mi) || !digits(s + 13, 2, &se))
        return CU_E_MALFORMED_INPUT;
    tm = (struct tm){.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                     .tm_min = mi, .tm_sec = se};
    if (!valid_fields(&tm))
        return CU_E_MALFORMED_INPUT;
    *epoch_s = epoch_of(&tm);
    return CU_OK;
}

cu_rc clock_parse_iso8601(const char *s, size_t n, int64_t *epoch_s)
{
    struct tm tm = {0};
    int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;
    size_t i;

    if (n < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
        !digits(s + 8, 2, &d))
        return CU_E_MALFORMED_INPUT;
    i = 10;
    if (n > 10) {
        if (n < 19 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
            !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
            return CU_E_MALFORMED_INPUT;
        i = 19;
        if (i < n && s[i] == '.') {
            i++;
            if (i >= n || s[i] < '0' || s[i] > '9')
                return CU_E_MALFORMED_INPUT;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
        }
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            sign = s[i] == '-' ? -1 : 1;
            if (n - i != 6 || s[i + 3] != ':' || !digits(s + i + 1, 2, &oh) ||
                !digits(s + i + 4, 2, &om))
                return CU_E_MALFORMED_INPUT;
            i += 6;
        }
    }
    if (i != n)
        return CU_E_MALFORMED_INPUT;
    tm = (struct tm){.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                     .tm_min = mi, .tm_sec = se};
    if (!valid_fields(&tm))
        return CU_E_MALFORMED_INPUT;
    *epoch_s = epoch_of(&tm) - (int64_t)sign * (oh * 3600 + om * 60);
    return CU_OK;
}
