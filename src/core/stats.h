/* stats.h — the process-wide counters of modules below server/ (caches, audit trail,
 * store), named in stats.def and kept per thread (tally.h), so that counting costs a
 * request no lock and no shared cache line. server/metrics.c exports them. */
#ifndef CU_CORE_STATS_H
#define CU_CORE_STATS_H

#include "core/prom.h"

enum stats_counter {
#define STATS_COUNTER(code, family, label, value, help) code,
#define STATS_HISTOGRAM(code, family, help)
#include "stats.def"
#undef STATS_COUNTER
#undef STATS_HISTOGRAM
    STATS__COUNTERS
};

enum stats_histogram {
#define STATS_COUNTER(code, family, label, value, help)
#define STATS_HISTOGRAM(code, family, help) code,
#include "stats.def"
#undef STATS_COUNTER
#undef STATS_HISTOGRAM
    STATS__HISTOGRAMS
};

/* Add v to counter c (lost, silently, if this thread's block cannot be allocated). */
void stats_add(enum stats_counter c, uint64_t v);

/* Nanoseconds of CLOCK_MONOTONIC, for stats_observe_since. */
uint64_t stats_now_ns(void);

/* Count one duration, from start_ns (stats_now_ns) to now, in histogram h. */
void stats_observe_since(enum stats_histogram h, uint64_t start_ns);

/* Counter c summed over every thread since start. */
uint64_t stats_counter_sum(enum stats_counter c);

/* Histogram h summed over every thread: per-bucket counts (not cumulated) and the sum. */
void stats_histogram_sum(enum stats_histogram h, uint64_t counts[PROM_BUCKETS + 1],
                         uint64_t *sum_ns);

/* The family, label (name "" for none) and help of counter c. */
const char *stats_counter_family(enum stats_counter c);
struct prom_label stats_counter_label(enum stats_counter c);
const char *stats_counter_help(enum stats_counter c);

/* The family and help of histogram h. */
const char *stats_histogram_family(enum stats_histogram h);
const char *stats_histogram_help(enum stats_histogram h);

#endif
