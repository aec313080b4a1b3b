/* ticker.c — the interval thread of ticker.h, timed on CLOCK_MONOTONIC so that a change of
 * the wall clock neither stalls nor hurries it. */
#include "ticker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct ticker {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int64_t interval_ms;
    void (*tick)(void *ctx);
    void *ctx;
    bool stopping;
};

static void deadline_in(int64_t ms, struct timespec *at)
{
    clock_gettime(CLOCK_MONOTONIC, at);
    at->tv_sec += ms / 1000;
    at->tv_nsec += (ms % 1000) * 1000000L;
    if (at->tv_nsec >= 1000000000L) {
        at->tv_sec++;
        at->tv_nsec -= 1000000000L;
    }
}

static void *ticker_main(void *arg)
{
    struct ticker *t = arg;
    struct timespec at;

    pthread_mutex_lock(&t->lock);
    while (!t->stopping) {
        deadline_in(t->interval_ms, &at);
        /* a signal is a stop; a spurious wake-up waits on to the same deadline */
        while (!t->stopping && pthread_cond_timedwait(&t->wake, &t->lock, &at) == 0) {
        }
        if (t->stopping)
            break;
        pthread_mutex_unlock(&t->lock);
        t->tick(t->ctx);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

cu_rc ticker_start(int64_t interval_ms, void (*tick)(void *ctx), void *ctx, struct ticker **out)
{
    struct ticker *t = calloc(1, sizeof(*t));
    pthread_condattr_t attr;

    *out = NULL;
    if (!t)
        return CU_E_NOMEM;
    t->interval_ms = interval_ms > 0 ? interval_ms : 1;
    t->tick = tick;
    t->ctx = ctx;
    pthread_mutex_init(&t->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&t->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return CU_E_INTERNAL;
    }
    *out = t;
    return CU_OK;
}

void ticker_stop(struct ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
