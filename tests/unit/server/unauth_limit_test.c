/* Tests for server/unauth_limit.c: a source gets its burst, then throttling; tokens come
 * back with time (time is an input: no sleeping); counts add up and reset when collected;
 * sources are independent; a full set evicts its least recently seen source and hands its
 * count over first, so the table stays bounded and no count is lost; bad parameters and an
 * absent or oversized address. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "server/unauth_limit.h"

static struct unauth_count spare;

static void burst_then_throttle_then_refill(void)
{
    struct unauth_limit *l = NULL;
    struct unauth_count got[4];
    int admitted = 0;

    CHECK_OK(unauth_limit_new(2, 5, 10000, &l));
    for (int i = 0; i < 20; i++)
        admitted += unauth_limit_take(l, "10.0.0.1", 1000, &spare);
    CHECK_INT(admitted, 5);
    /* half a second at 2 a second: one token back */
    CHECK(unauth_limit_take(l, "10.0.0.1", 1500, &spare));
    CHECK(!unauth_limit_take(l, "10.0.0.1", 1500, &spare));
    /* a long pause refills only up to the burst */
    admitted = 0;
    for (int i = 0; i < 20; i++)
        admitted += unauth_limit_take(l, "10.0.0.1", 100000, &spare);
    CHECK_INT(admitted, 5);
    /* time going backwards (a stepped clock) adds nothing */
    CHECK(!unauth_limit_take(l, "10.0.0.1", 50, &spare));
    CHECK_INT(unauth_limit_collect(l, 100000, got, 4), 1);
    CHECK_STR(got[0].source, "10.0.0.1");
    CHECK_INT(got[0].count, 15 + 1 + 15 + 1);
    CHECK_INT(got[0].start_ms, 1000);
    CHECK_INT(got[0].end_ms, 100000);
    /* collected counts are reset */
    CHECK_INT(unauth_limit_collect(l, 100001, got, 4), 0);
    unauth_limit_free(l);
}

static void sources_are_independent_and_collection_is_due_per_interval(void)
{
    struct unauth_limit *l = NULL;
    struct unauth_count got[2];
    size_t total = 0, n;

    CHECK_OK(unauth_limit_new(1, 1, 10000, &l));
    CHECK(unauth_limit_due(l, 0));
    CHECK(unauth_limit_take(l, "192.0.2.1", 0, &spare));
    CHECK(unauth_limit_take(l, "2001:db8::1", 0, &spare));
    CHECK(!unauth_limit_take(l, "192.0.2.1", 0, &spare));
    CHECK(!unauth_limit_take(l, "2001:db8::1", 0, &spare));
    /* an absent address: one shared bucket */
    CHECK(unauth_limit_take(l, "", 0, &spare));
    CHECK(!unauth_limit_take(l, NULL, 0, &spare));
    /* collected a page at a time */
    while ((n = unauth_limit_collect(l, 5, got, 2)) > 0) {
        for (size_t i = 0; i < n; i++)
            total += got[i].count;
        if (n < 2)
            break;
    }
    CHECK_INT(total, 3);
    CHECK(!unauth_limit_due(l, 10004));
    CHECK(unauth_limit_due(l, 10005));
    unauth_limit_free(l);
}

/* Many more sources than the table holds: memory stays fixed, and every throttled request
 * is counted somewhere — in an eviction handed to the caller or in the final collection. */
static void eviction_hands_counts_over(void)
{
    struct unauth_limit *l = NULL;
    static struct unauth_count got[UNAUTH_LIMIT_SOURCES];
    uint64_t counted = 0, throttled = 0;
    char addr[UNAUTH_SOURCE_MAX];
    size_t n;

    CHECK_OK(unauth_limit_new(1, 1, 10000, &l));
    for (int i = 0; i < 4 * UNAUTH_LIMIT_SOURCES; i++) {
        snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        for (int k = 0; k < 3; k++) {
            struct unauth_count ev;
            if (!unauth_limit_take(l, addr, i, &ev))
                throttled++;
            counted += ev.count;
        }
    }
    n = unauth_limit_collect(l, 1 << 30, got, UNAUTH_LIMIT_SOURCES);
    CHECK(n <= UNAUTH_LIMIT_SOURCES);
    for (size_t i = 0; i < n; i++)
        counted += got[i].count;
    CHECK_INT(throttled, 2 * 4 * UNAUTH_LIMIT_SOURCES);
    CHECK_INT(counted, throttled);
    unauth_limit_free(l);
}

static void bad_parameters_and_long_addresses(void)
{
    struct unauth_limit *l = NULL;
    char longaddr[300];
    struct unauth_count got[1];

    CHECK_RC(unauth_limit_new(0, 10, 1000, &l), CU_E_VALIDATION);
    CHECK_RC(unauth_limit_new(1, 0, 1000, &l), CU_E_VALIDATION);
    CHECK_RC(unauth_limit_new(1, 1, 0, &l), CU_E_VALIDATION);
    CHECK_OK(unauth_limit_new(1, 1, 1000, &l));
    memset(longaddr, 'a', sizeof(longaddr) - 1);
    longaddr[sizeof(longaddr) - 1] = '\0';
    CHECK(unauth_limit_take(l, longaddr, 0, &spare));
    CHECK(!unauth_limit_take(l, longaddr, 0, &spare)); /* truncated alike, same bucket */
    CHECK_INT(unauth_limit_collect(l, 0, got, 1), 1);
    CHECK_INT(strlen(got[0].source), UNAUTH_SOURCE_MAX - 1);
    unauth_limit_free(l);
    unauth_limit_free(NULL);
}

int main(void)
{
    burst_then_throttle_then_refill();
    sources_are_independent_and_collection_is_due_per_interval();
    eviction_hands_counts_over();
    bad_parameters_and_long_addresses();
    TEST_END();
}
