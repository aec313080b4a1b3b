/* log.h — the operator's log (stderr), one line per event.
 * Never log secrets: callers pass request data through the descriptor's redaction
 * (the operation descriptor's secret fields) first; messages here are written by custos,
 * not copied from input.
 *
 * Repeated lines are rate-limited per format string (LOG_LINES_PER_SECOND in each
 * second), so one error line per failed call cannot flood the log when, say, the disk is
 * full; what was dropped is reported as one "N similar lines suppressed" line, carrying
 * the format string only, never the dropped lines' arguments. */
#ifndef CU_LOG_H
#define CU_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "cu.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* Write one line at level (if at or above the set level and within the rate limit); a
 * report of lines suppressed in earlier seconds goes out first. Thread-safe. */
void log_msg(enum log_level level, const char *fmt, ...) CU_PRINTF(2, 3);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* The rate limiter itself, pure (time is an input) so tests can drive it. */
#define LOG_LINES_PER_SECOND 20
#define LOG_LIMIT_SLOTS 64

struct log_limit_slot {
    const char *fmt;        /* the format string (by address: call sites pass literals); NULL free */
    int64_t second;         /* the second its count is for */
    unsigned count;         /* lines seen in that second */
    unsigned suppressed;    /* of those, dropped and not yet reported */
    enum log_level level;
};

struct log_limiter {
    struct log_limit_slot slot[LOG_LIMIT_SLOTS];
};

struct log_suppressed {
    const char *fmt;
    enum log_level level;
    unsigned count;
};

/* May a line with format fmt be written at now_ms? True for the first
 * LOG_LINES_PER_SECOND lines of a format in a second, false after. Into out (room for
 * LOG_LIMIT_SLOTS entries; *n_out entries on return) go the formats whose dropped lines
 * are now due for their report: those of seconds already over, and any whose slot this
 * call takes over. A zeroed struct log_limiter is ready to use; not thread-safe itself. */
bool log_limit(struct log_limiter *l, const char *fmt, enum log_level level, int64_t now_ms,
               struct log_suppressed *out, size_t *n_out);

#endif
