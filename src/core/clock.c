/* clock.c — wall clock and date formats. gmtime_r/timegm only: the reentrant forms,
 * since the server formats dates on several threads at once. */
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

static void to_tm(int64_t epoch_s, struct tm *tm)
{
    time_t t = (time_t)epoch_s;

    gmtime_r(&t, tm);
}

void clock_iso8601(int64_t epoch_s, char out[21])
{
    struct tm tm;

    to_tm(epoch_s, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void clock_iso8601_ms(int64_t epoch_ms, char out[25])
{
    struct tm tm;
    char whole[21];
    unsigned ms = (unsigned)(epoch_ms % 1000) % 1000u;

    to_tm(epoch_ms / 1000, &tm);
    strftime(whole, sizeof(whole), "%Y-%m-%dT%H:%M:%S", &tm);
    memcpy(out, whole, 19);
    out[19] = '.';
    out[20] = (char)('0' + ms / 100);
    out[21] = (char)('0' + ms / 10 % 10);
    out[22] = (char)('0' + ms % 10);
    out[23] = 'Z';
    out[24] = '\0';
}

void clock_amz_date(int64_t epoch_s, char out[17])
{
    struct tm tm;

    to_tm(epoch_s, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
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
    *epoch_s = (int64_t)timegm(&tm);
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
    *epoch_s = (int64_t)timegm(&tm) - (int64_t)sign * (oh * 3600 + om * 60);
    return CU_OK;
}
