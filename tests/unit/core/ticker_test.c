/* Tests for core/ticker.c: ticks come at the interval and not before the first one is due;
 * after ticker_stop returns no tick runs again, even when the stop came during a tick;
 * stopping NULL does nothing. */
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/ticker.h"

struct counter {
    atomic_int ticks;
    atomic_int in_tick;
    useconds_t tick_us; /* how long each tick takes */
};

static void count(void *arg)
{
    struct counter *c = arg;

    atomic_store(&c->in_tick, 1);
    if (c->tick_us)
        usleep(c->tick_us);
    atomic_fetch_add(&c->ticks, 1);
    atomic_store(&c->in_tick, 0);
}

static void test_ticks_and_stop(void)
{
    struct counter c = {0};
    struct ticker *t = NULL;
    int at_stop;

    CHECK_OK(ticker_start(10, count, &c, &t));
    CHECK(t != NULL);
    usleep(200 * 1000);
    ticker_stop(t);
    at_stop = atomic_load(&c.ticks);
    /* about 20 are due in 200 ms; a loaded machine (valgrind) may run fewer */
    CHECK(at_stop >= 2 && at_stop <= 21);
    usleep(50 * 1000);
    CHECK(atomic_load(&c.ticks) == at_stop);
}

static void test_first_tick_waits_an_interval(void)
{
    struct counter c = {0};
    struct ticker *t = NULL;

    CHECK_OK(ticker_start(60 * 1000, count, &c, &t));
    usleep(50 * 1000);
    ticker_stop(t); /* wakes the thread long before its deadline */
    CHECK(atomic_load(&c.ticks) == 0);
}

static void test_stop_during_a_tick_waits_for_it(void)
{
    struct counter c = {.tick_us = 100 * 1000};
    struct ticker *t = NULL;

    CHECK_OK(ticker_start(5, count, &c, &t));
    while (!atomic_load(&c.in_tick))
        usleep(1000);
    ticker_stop(t);
    CHECK(atomic_load(&c.in_tick) == 0);
    CHECK(atomic_load(&c.ticks) >= 1);
}

int main(void)
{
    test_ticks_and_stop();
    test_first_tick_waits_an_interval();
    test_stop_during_a_tick_waits_for_it();
    ticker_stop(NULL);
    TEST_END();
}
