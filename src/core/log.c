/* log.c — timestamped lines on stderr; one fprintf per line so threads do not interleave.
 *
 * The rate limiter keeps one slot per format string seen lately (a small table probed
 * from the format's address). A slot counts its format's lines in the current second;
 * lines past LOG_LINES_PER_SECOND are dropped and counted, and the count is reported on
 * the first log call in a later second (of any format), so a flood ends with one line
 * saying how much was lost rather than silence or thousands of lines. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "clock.h"

#define PROBES 4

static _Atomic int min_level = LOG_INFO;
static struct log_limiter limiter;
static pthread_mutex_t limiter_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    atomic_store(&min_level, (int)level);
}

static void report(struct log_limit_slot *s, struct log_suppressed *out, size_t *n_out)
{
    if (s->fmt && s->suppressed) {
        out[(*n_out)++] = (struct log_suppressed){s->fmt, s->level, s->suppressed};
        s->suppressed = 0;
    }
}

/* The slot for fmt: its own, else a free one, else the least recently used of the
 * probed ones (whose pending report is taken first). */
static struct log_limit_slot *slot_for(struct log_limiter *l, const char *fmt,
                                       struct log_suppressed *out, size_t *n_out)
{
    size_t start = ((uintptr_t)fmt >> 3) % LOG_LIMIT_SLOTS;
    struct log_limit_slot *victim = NULL;

    for (size_t i = 0; i < PROBES; i++) {
        struct log_limit_slot *s = &l->slot[(start + i) % LOG_LIMIT_SLOTS];
        if (s->fmt == fmt)
            return s;
        if (!victim || (victim->fmt && (!s->fmt || s->second < victim->second)))
            victim = s;
    }
    report(victim, out, n_out);
    *victim = (struct log_limit_slot){.fmt = fmt, .second = INT64_MIN};
    return victim;
}

bool log_limit(struct log_limiter *l, const char *fmt, enum log_level level, int64_t now_ms,
               struct log_suppressed *out, size_t *n_out)
{
    int64_t now_s = now_ms / 1000;
    struct log_limit_slot *s;

    *n_out = 0;
    /* any second but this one is over (a clock stepped back included) */
    for (size_t i = 0; i < LOG_LIMIT_SLOTS; i++)
        if (l->slot[i].second != now_s)
            report(&l->slot[i], out, n_out);
    s = slot_for(l, fmt, out, n_out);
    if (s->second != now_s) {
        s->second = now_s;
        s->count = 0;
    }
    s->level = level;
    if (++s->count <= LOG_LINES_PER_SECOND)
        return true;
    s->suppressed++;
    return false;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char when[25], line[2048];
    struct log_suppressed dropped[LOG_LIMIT_SLOTS];
    size_t n_dropped = 0;
    int64_t now_ms;
    bool emit;
    va_list ap;

    if ((int)level < atomic_load(&min_level))
        return;
    now_ms = clock_now_ms();
    clock_iso8601_ms(now_ms, when);
    pthread_mutex_lock(&limiter_lock);
    emit = log_limit(&limiter, fmt, level, now_ms, dropped, &n_dropped);
    pthread_mutex_unlock(&limiter_lock);
    /* the format only: the dropped lines' arguments are never kept */
    for (size_t i = 0; i < n_dropped; i++)
        fprintf(stderr, "%s %s %u similar lines suppressed: \"%s\"\n", when,
                level_names[dropped[i].level], dropped[i].count, dropped[i].fmt);
    if (!emit)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s %s\n", when, level_names[level], line);
}
