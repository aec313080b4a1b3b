/* prom.h — writing Prometheus's text exposition format, version 0.0.4 (Debian packages no
 * Prometheus client library for C). A family is announced once with prom_family (its
 * # HELP and # TYPE lines), then its samples follow; counters' names end in _total, a
 * histogram's samples are its cumulative _bucket{le=...} lines, _sum and _count.
 * Durations are kept in nanoseconds and written in seconds, Prometheus's base unit. */
#ifndef CU_CORE_PROM_H
#define CU_CORE_PROM_H

#include "core/buf.h"

/* The buckets of every latency histogram custos exports: upper bounds from 50 µs to 5 s,
 * then +Inf. */
#define PROM_BUCKETS 16
extern const uint64_t prom_bucket_ns[PROM_BUCKETS];

/* The index of the bucket a duration of ns falls in: the first whose bound is >= ns, or
 * PROM_BUCKETS (+Inf). Counts are kept per bucket, not cumulated: prom_histogram sums. */
size_t prom_bucket_of(uint64_t ns);

/* One label; value is escaped as it is written. */
struct prom_label {
    const char *name;
    const char *value;
};

/* "# HELP name help\n# TYPE name type\n"; type is "counter", "gauge" or "histogram".
 * help is escaped (backslash, newline). */
MUST_CHECK cu_rc prom_family(struct buf *out, const char *name, const char *type,
                             const char *help);

/* "name{l1="v1",...} value\n" with an integer value (a counter, a count). */
MUST_CHECK cu_rc prom_uint(struct buf *out, const char *name, const struct prom_label *labels,
                           size_t n_labels, uint64_t value);

/* As prom_uint, with a real value (seconds): %.15g (what a double holds of a decimal
 * without printing its binary noise), or NaN, +Inf, -Inf as the format spells them. */
MUST_CHECK cu_rc prom_real(struct buf *out, const char *name, const struct prom_label *labels,
                           size_t n_labels, double value);

/* A histogram's samples: name_bucket{labels,le="..."} cumulative over counts[0 ..
 * PROM_BUCKETS] (per-bucket counts, the last for +Inf), name_sum (sum_ns in seconds) and
 * name_count (the total, equal to the +Inf bucket). */
MUST_CHECK cu_rc prom_histogram(struct buf *out, const char *name, const struct prom_label *labels,
                                size_t n_labels, const uint64_t counts[PROM_BUCKETS + 1],
                                uint64_t sum_ns);

#endif
