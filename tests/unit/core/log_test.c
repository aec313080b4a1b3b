/* Tests for core/log.c: the per-format rate limiter driven with chosen times (a flood is
 * cut at LOG_LINES_PER_SECOND and reported once, formats are independent, a full table
 * evicts without losing a count, time going backwards), then log_msg itself writing to a
 * file: nothing lost uncounted, and a report never carries a dropped line's arguments. */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "core/clock.h"
#include "core/log.h"

static struct log_suppressed out[LOG_LIMIT_SLOTS];
static size_t n_out;

/* The suppressed count reported for fmt in the last call. */
static unsigned reported(const char *fmt)
{
    unsigned total = 0;

    for (size_t i = 0; i < n_out; i++)
        if (out[i].fmt == fmt)
            total += out[i].count;
    return total;
}

static void flood_is_cut_and_reported(void)
{
    static const char a[] = "disk full: %s", b[] = "other: %d";
    struct log_limiter l = {0};
    int written = 0;

    for (int i = 0; i < 30; i++) {
        written += log_limit(&l, a, LOG_ERROR, 1000 + i, out, &n_out);
        CHECK_INT(n_out, 0);
    }
    CHECK_INT(written, LOG_LINES_PER_SECOND);
    /* another format in the same second is not held back by the flood */
    CHECK(log_limit(&l, b, LOG_INFO, 1999, out, &n_out));
    CHECK_INT(n_out, 0);
    /* the next second: the count of what was dropped, once, then lines flow again */
    CHECK(log_limit(&l, a, LOG_ERROR, 2000, out, &n_out));
    CHECK_INT(n_out, 1);
    CHECK_INT(reported(a), 30 - LOG_LINES_PER_SECOND);
    CHECK(out[0].level == LOG_ERROR);
    CHECK(log_limit(&l, a, LOG_ERROR, 2001, out, &n_out));
    CHECK_INT(n_out, 0);
    /* reported on the next line of any format, not only its own */
    for (int i = 0; i < LOG_LINES_PER_SECOND + 5; i++)
        (void)log_limit(&l, a, LOG_ERROR, 5000, out, &n_out);
    CHECK(log_limit(&l, b, LOG_INFO, 6500, out, &n_out));
    CHECK_INT(reported(a), 5); /* the lines of second 2 do not count for second 5 */
}

static void time_going_backwards(void)
{
    static const char a[] = "back %d";
    struct log_limiter l = {0};

    for (int i = 0; i < LOG_LINES_PER_SECOND + 3; i++)
        (void)log_limit(&l, a, LOG_WARN, 10000, out, &n_out);
    /* a clock stepped back is a different second: counting starts again */
    CHECK(log_limit(&l, a, LOG_WARN, 3000, out, &n_out));
    CHECK_INT(reported(a), 3);
    CHECK(log_limit(&l, a, LOG_WARN, -5000, out, &n_out)); /* before the epoch */
}

static void full_table_loses_no_count(void)
{
    static char formats[LOG_LIMIT_SLOTS * 4][16];
    static const char x[] = "flooding %d";
    struct log_limiter l = {0};
    unsigned dropped = 0, seen = 0;

    for (int i = 0; i < LOG_LINES_PER_SECOND + 10; i++)
        dropped += !log_limit(&l, x, LOG_ERROR, 7000, out, &n_out);
    CHECK_INT(dropped, 10);
    /* many other formats in the same second push x out of its slot */
    for (size_t i = 0; i < LOG_LIMIT_SLOTS * 4; i++) {
        snprintf(formats[i], sizeof(formats[i]), "f%zu", i);
        CHECK(log_limit(&l, formats[i], LOG_INFO, 7000, out, &n_out));
        seen += reported(x);
    }
    CHECK(log_limit(&l, x, LOG_ERROR, 8000, out, &n_out));
    seen += reported(x);
    CHECK_INT(seen, 10);
}

static void log_msg_to_a_file(void)
{
    FILE *f = tmpfile();
    int saved = dup(2);
    char text[256];
    unsigned written = 0, suppressed = 0, n;
    bool leaked = false;

    CHECK(f != NULL);
    if (!f)
        return;
    fflush(stderr);
    dup2(fileno(f), 2);
    for (int i = 0; i < 100; i++)
        log_msg(LOG_ERROR, "store write failed for %s", i % 2 ? "secret-odd" : "secret-even");
    clock_set_offset_ms(5000); /* a later second: the report comes with the next line */
    log_msg(LOG_INFO, "after the flood");
    clock_set_offset_ms(0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(f);
    while (fgets(text, sizeof(text), f)) {
        const char *at = strstr(text, " similar lines suppressed: ");
        if (at) {
            /* "<when> <level> N similar ..." */
            const char *num = at;
            while (num > text && num[-1] != ' ')
                num--;
            if (sscanf(num, "%u", &n) == 1)
                suppressed += n;
            leaked |= strstr(text, "secret-") != NULL;
            CHECK(strstr(text, "\"store write failed for %s\"") != NULL);
        } else if (strstr(text, "store write failed for secret-")) {
            written++;
        }
    }
    fclose(f);
    CHECK_INT(written + suppressed, 100);
    CHECK(written <= 2 * LOG_LINES_PER_SECOND); /* the burst may straddle one second */
    CHECK(suppressed >= 100 - 2 * LOG_LINES_PER_SECOND);
    CHECK(!leaked);
}

int main(void)
{
    flood_is_cut_and_reported();
    time_going_backwards();
    full_table_loses_no_count();
    log_msg_to_a_file();
    TEST_END();
}
