/* log.c — timestamped lines on stderr; one fprintf per line so threads do not interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "clock.h"

static _Atomic int min_level = LOG_INFO;

void log_set_level(enum log_level level)
{
    atomic_store(&min_level, (int)level);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    char when[25], line[2048];
    va_list ap;

    if ((int)level < atomic_load(&min_level))
        return;
    clock_iso8601_ms(clock_now_ms(), when);
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s %s\n", when, names[level], line);
}
