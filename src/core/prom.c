/* prom.c — the Prometheus text exposition writer (see prom.h).
 *
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4):
 * a sample line is `metric_name [ "{" label "=" '"' value '"' { "," ... } "}" ] value`;
 * in label values backslash, double quote and line feed are escaped as \\, \" and \n; in
 * HELP text only backslash and line feed. Names are the caller's constants, not input. */
#include "prom.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* 50 µs .. 5 s in 1-2.5-5 steps: a KMS call served from the caches takes tens of µs, a
 * mutation waits for an fdatasync of a few ms, a call stuck behind the store's writer
 * lock takes seconds */
const uint64_t prom_bucket_ns[PROM_BUCKETS] = {
    50000,    100000,    250000,    500000,    1000000,    2500000,    5000000,    10000000,
    25000000, 50000000, 100000000, 250000000, 500000000, 1000000000, 2500000000, 5000000000};
static const char *const bucket_text[PROM_BUCKETS] = {
    "5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
    "0.025", "0.05",   "0.1",     "0.25",   "0.5",   "1",      "2.5",   "5"};

size_t prom_bucket_of(uint64_t ns)
{
    size_t lo = 0, hi = PROM_BUCKETS;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (prom_bucket_ns[mid] >= ns)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static cu_rc add_escaped(struct buf *out, const char *s, bool quote)
{
    cu_rc rc = CU_OK;

    for (; *s; s++) {
        if (*s == '\\')
            TRY(buf_addstr(out, "\\\\"));
        else if (*s == '\n')
            TRY(buf_addstr(out, "\\n"));
        else if (*s == '"' && quote)
            TRY(buf_addstr(out, "\\\""));
        else
            TRY(buf_addch(out, *s));
    }
out:
    return rc;
}

cu_rc prom_family(struct buf *out, const char *name, const char *type, const char *help)
{
    cu_rc rc = CU_OK;

    TRY(buf_addstrs(out, "# HELP ", name, " ", NULL));
    TRY(add_escaped(out, help, false));
    TRY(buf_addstrs(out, "\n# TYPE ", name, " ", type, "\n", NULL));
out:
    return rc;
}

/* name{labels[,le="le"]} — without the value. */
static cu_rc add_series(struct buf *out, const char *name, const char *suffix,
                        const struct prom_label *labels, size_t n, const char *le)
{
    cu_rc rc = CU_OK;

    TRY(buf_addstrs(out, name, suffix, NULL));
    if (!n && !le)
        goto out;
    TRY(buf_addch(out, '{'));
    for (size_t i = 0; i < n; i++) {
        TRY(buf_addstrs(out, i ? "," : "", labels[i].name, "=\"", NULL));
        TRY(add_escaped(out, labels[i].value, true));
        TRY(buf_addch(out, '"'));
    }
    if (le)
        TRY(buf_addstrs(out, n ? "," : "", "le=\"", le, "\"", NULL));
    TRY(buf_addch(out, '}'));
out:
    return rc;
}

cu_rc prom_uint(struct buf *out, const char *name, const struct prom_label *labels,
                size_t n_labels, uint64_t value)
{
    cu_rc rc = CU_OK;

    TRY(add_series(out, name, "", labels, n_labels, NULL));
    TRY(buf_addf(out, " %llu\n", (unsigned long long)value));
out:
    return rc;
}

static cu_rc add_real(struct buf *out, double value)
{
    if (isnan(value))
        return buf_addstr(out, " NaN\n");
    if (isinf(value))
        return buf_addstr(out, value > 0 ? " +Inf\n" : " -Inf\n");
    return buf_addf(out, " %.15g\n", value);
}

cu_rc prom_real(struct buf *out, const char *name, const struct prom_label *labels,
                size_t n_labels, double value)
{
    cu_rc rc = CU_OK;

    TRY(add_series(out, name, "", labels, n_labels, NULL));
    TRY(add_real(out, value));
out:
    return rc;
}

cu_rc prom_histogram(struct buf *out, const char *name, const struct prom_label *labels,
                     size_t n_labels, const uint64_t counts[PROM_BUCKETS + 1], uint64_t sum_ns)
{
    cu_rc rc = CU_OK;
    uint64_t cumulative = 0;

    for (size_t i = 0; i <= PROM_BUCKETS; i++) {
        cumulative += counts[i];
        TRY(add_series(out, name, "_bucket", labels, n_labels,
                       i < PROM_BUCKETS ? bucket_text[i] : "+Inf"));
        TRY(buf_addf(out, " %llu\n", (unsigned long long)cumulative));
    }
    TRY(add_series(out, name, "_sum", labels, n_labels, NULL));
    /* whole nanoseconds, exactly: seconds with nine decimals */
    TRY(buf_addf(out, " %llu.%09llu\n", (unsigned long long)(sum_ns / 1000000000),
                 (unsigned long long)(sum_ns % 1000000000)));
    TRY(add_series(out, name, "_count", labels, n_labels, NULL));
    TRY(buf_addf(out, " %llu\n", (unsigned long long)cumulative));
out:
    return rc;
}
