/* Tests for core/prom.c: the exact text of each kind of line, escaping, the histogram's
 * cumulative buckets, bucket edges, a buffer too small, and that stats.def's families are
 * well-formed names of the right kind. */
#include "check.h"
#include "core/prom.h"
#include "core/stats.h"

#include <math.h>

static void family_and_samples(void)
{
    struct buf b;
    struct prom_label l[] = {{"service", "kms"}, {"operation", "Decrypt"}};

    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(prom_family(&b, "custos_x_total", "counter", "Calls.\nSecond \\ line"));
    CHECK_OK(prom_uint(&b, "custos_x_total", l, 2, 42));
    CHECK_OK(prom_uint(&b, "custos_x_total", NULL, 0, 18446744073709551615ull));
    CHECK_STR(b.p, "# HELP custos_x_total Calls.\\nSecond \\\\ line\n"
                   "# TYPE custos_x_total counter\n"
                   "custos_x_total{service=\"kms\",operation=\"Decrypt\"} 42\n"
                   "custos_x_total 18446744073709551615\n");
    buf_release(&b);
}

static void label_values_escaped(void)
{
    struct buf b;
    struct prom_label l[] = {{"code", "a\"b\\c\nd"}};

    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(prom_uint(&b, "m", l, 1, 1));
    CHECK_STR(b.p, "m{code=\"a\\\"b\\\\c\\nd\"} 1\n");
    buf_release(&b);
}

static void reals(void)
{
    struct buf b;

    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(prom_real(&b, "g", NULL, 0, 0.25));
    CHECK_OK(prom_real(&b, "g", NULL, 0, 1796163644.09));
    CHECK_OK(prom_real(&b, "g", NULL, 0, NAN));
    CHECK_OK(prom_real(&b, "g", NULL, 0, INFINITY));
    CHECK_OK(prom_real(&b, "g", NULL, 0, -INFINITY));
    CHECK_STR(b.p, "g 0.25\ng 1796163644.09\ng NaN\ng +Inf\ng -Inf\n");
    buf_release(&b);
}

static void bucket_edges(void)
{
    /* a bound belongs to its own bucket (le: less than or equal) */
    CHECK_INT(prom_bucket_of(0), 0);
    CHECK_INT(prom_bucket_of(50000), 0);
    CHECK_INT(prom_bucket_of(50001), 1);
    CHECK_INT(prom_bucket_of(999999), 4);
    CHECK_INT(prom_bucket_of(1000000), 4);
    CHECK_INT(prom_bucket_of(5000000000ull), PROM_BUCKETS - 1);
    CHECK_INT(prom_bucket_of(5000000001ull), PROM_BUCKETS);
    CHECK_INT(prom_bucket_of(UINT64_MAX), PROM_BUCKETS);
    for (size_t i = 1; i < PROM_BUCKETS; i++)
        CHECK(prom_bucket_ns[i - 1] < prom_bucket_ns[i]);
}

static void histogram_cumulates(void)
{
    struct buf b;
    uint64_t counts[PROM_BUCKETS + 1] = {0};
    struct prom_label l[] = {{"operation", "Sign"}};
    const char *p;
    size_t lines = 0;

    counts[0] = 2;
    counts[3] = 1;
    counts[PROM_BUCKETS] = 4;
    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(prom_histogram(&b, "h_seconds", l, 1, counts, 12000000123ull));
    CHECK_CONTAINS(b.p, "h_seconds_bucket{operation=\"Sign\",le=\"5e-05\"} 2\n"
                        "h_seconds_bucket{operation=\"Sign\",le=\"0.0001\"} 2\n"
                        "h_seconds_bucket{operation=\"Sign\",le=\"0.00025\"} 2\n"
                        "h_seconds_bucket{operation=\"Sign\",le=\"0.0005\"} 3\n");
    CHECK_CONTAINS(b.p, "h_seconds_bucket{operation=\"Sign\",le=\"5\"} 3\n"
                        "h_seconds_bucket{operation=\"Sign\",le=\"+Inf\"} 7\n"
                        "h_seconds_sum{operation=\"Sign\"} 12.000000123\n"
                        "h_seconds_count{operation=\"Sign\"} 7\n");
    for (p = b.p; *p; p++)
        lines += *p == '\n';
    CHECK_INT(lines, PROM_BUCKETS + 3);
    buf_reset(&b);
    /* no labels: le alone */
    CHECK_OK(prom_histogram(&b, "h", NULL, 0, counts, 0));
    CHECK_CONTAINS(b.p, "h_bucket{le=\"+Inf\"} 7\nh_sum 0.000000000\nh_count 7\n");
    buf_release(&b);
}

static void too_small(void)
{
    struct buf b;
    uint64_t counts[PROM_BUCKETS + 1] = {1};
    struct prom_label l[] = {{"service", "kms"}};

    buf_init(&b, 64);
    CHECK(prom_histogram(&b, "custos_request_duration_seconds", l, 1, counts, 1) != CU_OK);
    buf_release(&b);
    buf_init(&b, 10);
    CHECK(prom_family(&b, "custos_requests_total", "counter", "long help") != CU_OK);
    CHECK(b.n <= 10);
    buf_release(&b);
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* */
static bool metric_name(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == ':'))
            return false;
    return true;
}

static bool ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), m = strlen(end);

    return n >= m && strcmp(s + n - m, end) == 0;
}

static void stats_table_well_formed(void)
{
    for (size_t c = 0; c < STATS__COUNTERS; c++) {
        const char *f = stats_counter_family(c);
        struct prom_label l = stats_counter_label(c);

        CHECK(metric_name(f) && ends_with(f, "_total"));
        CHECK(!l.name[0] || metric_name(l.name));
        CHECK(stats_counter_help(c)[0]);
        /* a family's rows are adjacent: it is announced once */
        for (size_t d = c + 2; d < STATS__COUNTERS; d++)
            if (strcmp(stats_counter_family(d), f) == 0)
                CHECK(strcmp(stats_counter_family(d - 1), f) == 0);
    }
    for (size_t h = 0; h < STATS__HISTOGRAMS; h++)
        CHECK(metric_name(stats_histogram_family(h)) &&
              ends_with(stats_histogram_family(h), "_seconds"));
}

static uint64_t total(const uint64_t counts[PROM_BUCKETS + 1])
{
    uint64_t n = 0;

    for (size_t i = 0; i <= PROM_BUCKETS; i++)
        n += counts[i];
    return n;
}

static void stats_count(void)
{
    uint64_t before[PROM_BUCKETS + 1], after[PROM_BUCKETS + 1], sum0, sum1;
    uint64_t was = stats_counter_sum(STATS_STORE_RETRY);

    stats_add(STATS_STORE_RETRY, 3);
    CHECK_INT(stats_counter_sum(STATS_STORE_RETRY), was + 3);
    stats_histogram_sum(STATS_AUDIT_SYNC, before, &sum0);
    stats_observe_since(STATS_AUDIT_SYNC, stats_now_ns());
    /* a start in the future (a clock read on another CPU) counts as no time at all */
    stats_observe_since(STATS_AUDIT_SYNC, stats_now_ns() + 1000000000);
    stats_histogram_sum(STATS_AUDIT_SYNC, after, &sum1);
    CHECK_INT(total(after), total(before) + 2);
    CHECK(after[0] >= before[0] + 1);
    CHECK(sum1 >= sum0 && sum1 - sum0 < 1000000000);
}

int main(void)
{
    family_and_samples();
    label_values_escaped();
    reals();
    bucket_edges();
    histogram_cumulates();
    too_small();
    stats_table_well_formed();
    stats_count();
    TEST_END();
}
