/* stats.c — the process-wide counters of stats.def in one tally (tally.h): counter c at
 * index c, then each histogram's PROM_BUCKETS + 1 buckets and its sum in nanoseconds.
 * The tally is made on first use and lives as long as the process (its counts are the
 * process's). */
#include "stats.h"

#include <pthread.h>
#include <time.h>

#include "core/tally.h"

#define HIST_SLOTS (PROM_BUCKETS + 2)

struct counter_row {
    const char *family, *label, *value, *help;
};
static const struct counter_row counters[] = {
#define STATS_COUNTER(code, family, label, value, help) {family, label, value, help},
#define STATS_HISTOGRAM(code, family, help)
#include "stats.def"
#undef STATS_COUNTER
#undef STATS_HISTOGRAM
};

struct histogram_row {
    const char *family, *help;
};
static const struct histogram_row histograms[] = {
#define STATS_COUNTER(code, family, label, value, help)
#define STATS_HISTOGRAM(code, family, help) {family, help},
#include "stats.def"
#undef STATS_COUNTER
#undef STATS_HISTOGRAM
};

static struct tally *all;
static pthread_once_t all_once = PTHREAD_ONCE_INIT;

static void make_all(void)
{
    if (tally_new(STATS__COUNTERS + STATS__HISTOGRAMS * HIST_SLOTS, &all) != CU_OK)
        all = NULL;
}

/* The tally, made on first use; NULL when it could not be (nothing is counted then). */
static struct tally *stats_tally(void)
{
    pthread_once(&all_once, make_all);
    return all;
}

/* This thread's block, kept in a thread-local beside tally_block's key: a counted lookup
 * then costs a load and an add, not a pthread_once and a pthread_getspecific (measured: 60
 * instructions per add less). The tally is never freed, so the pointer never dangles. */
static _Thread_local struct tally_block *own;

static struct tally_block *own_block(void)
{
    struct tally *t = own ? NULL : stats_tally();

    if (t)
        own = tally_block(t);
    return own;
}

void stats_add(enum stats_counter c, uint64_t v)
{
    struct tally_block *b = own_block();

    if (b)
        tally_block_add(b, (size_t)c, v);
}

uint64_t stats_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void stats_observe_since(enum stats_histogram h, uint64_t start_ns)
{
    struct tally_block *b = own_block();
    uint64_t now = stats_now_ns(), ns = now > start_ns ? now - start_ns : 0;
    size_t base = STATS__COUNTERS + (size_t)h * HIST_SLOTS;

    if (!b)
        return;
    tally_block_add(b, base + prom_bucket_of(ns), 1);
    tally_block_add(b, base + PROM_BUCKETS + 1, ns);
}

uint64_t stats_counter_sum(enum stats_counter c)
{
    struct tally *t = stats_tally();

    return t ? tally_sum(t, (size_t)c) : 0;
}

void stats_histogram_sum(enum stats_histogram h, uint64_t counts[PROM_BUCKETS + 1],
                         uint64_t *sum_ns)
{
    struct tally *t = stats_tally();
    size_t base = STATS__COUNTERS + (size_t)h * HIST_SLOTS;

    for (size_t i = 0; i <= PROM_BUCKETS; i++)
        counts[i] = t ? tally_sum(t, base + i) : 0;
    *sum_ns = t ? tally_sum(t, base + PROM_BUCKETS + 1) : 0;
}

const char *stats_counter_family(enum stats_counter c)
{
    return counters[c].family;
}

struct prom_label stats_counter_label(enum stats_counter c)
{
    return (struct prom_label){counters[c].label, counters[c].value};
}

const char *stats_counter_help(enum stats_counter c)
{
    return counters[c].help;
}

const char *stats_histogram_family(enum stats_histogram h)
{
    return histograms[h].family;
}

const char *stats_histogram_help(enum stats_histogram h)
{
    return histograms[h].help;
}
