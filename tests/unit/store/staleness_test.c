/* Tests of the stale/current switch (staleness.c; store.h, "Several nodes"), with time as
 * an input: a node is current until no read of the change log began for longer than the
 * bound, and stale from then until a read that began within the bound; every switch moves
 * the epoch once (odd while stale), and nothing else does; a read that lasted longer than
 * the bound, or one older than the latest, proves nothing. A store with one writer (the
 * embedded SQLite backend) has no follower and never turns stale, however long nothing
 * reads its log: what a read transaction loads stays cacheable, in epoch 0. */
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "store/store.h"
#include "store/store_impl.h"

#define BOUND 3000

static void current_until_the_bound(void)
{
    struct staleness st;

    staleness_init(&st, 1000, BOUND);
    CHECK(staleness_epoch(&st) == 0);
    CHECK(!staleness_is_stale(staleness_epoch(&st)));
    staleness_check(&st, 1000 + BOUND); /* at the bound: still current */
    CHECK(staleness_epoch(&st) == 0);
    staleness_check(&st, 1000 + BOUND + 1);
    CHECK(staleness_epoch(&st) == 1);
    CHECK(staleness_is_stale(staleness_epoch(&st)));
    /* the watchdog looking again changes nothing */
    staleness_check(&st, 1000 + 10 * BOUND);
    CHECK(staleness_epoch(&st) == 1);
    staleness_destroy(&st);
}

static void current_again_at_a_read(void)
{
    struct staleness st;

    staleness_init(&st, 0, BOUND);
    staleness_check(&st, BOUND + 1);
    CHECK(staleness_epoch(&st) == 1);
    /* a read that began before the node turned stale and ended long after: it may have
     * read the log as it was then, not what came since */
    staleness_read(&st, 100, 2 * BOUND);
    CHECK(staleness_epoch(&st) == 1);
    /* one that began within the bound of its end */
    staleness_read(&st, 2 * BOUND, 2 * BOUND + 50);
    CHECK(staleness_epoch(&st) == 2);
    CHECK(!staleness_is_stale(staleness_epoch(&st)));
    /* reads while current move nothing */
    staleness_read(&st, 2 * BOUND + 900, 2 * BOUND + 950);
    CHECK(staleness_epoch(&st) == 2);
    /* the bound counts from the latest read's start */
    staleness_check(&st, 2 * BOUND + 900 + BOUND);
    CHECK(staleness_epoch(&st) == 2);
    staleness_check(&st, 2 * BOUND + 901 + BOUND);
    CHECK(staleness_epoch(&st) == 3);
    staleness_destroy(&st);
}

/* Reads end out of order (the follower's and a commit's): an older start never moves the
 * latest one back. */
static void older_read_does_not_count(void)
{
    struct staleness st;

    staleness_init(&st, 0, BOUND);
    staleness_read(&st, 5000, 5010);
    staleness_read(&st, 4000, 5020);
    staleness_check(&st, 5000 + BOUND);
    CHECK(staleness_epoch(&st) == 0);
    staleness_check(&st, 5001 + BOUND);
    CHECK(staleness_epoch(&st) == 1);
    /* nor does an old read's end make a stale node current */
    staleness_read(&st, 4500, 5001 + BOUND);
    CHECK(staleness_epoch(&st) == 1);
    staleness_destroy(&st);
}

static void one_writer_never_stale(void)
{
    char dir[] = "/tmp/custos-staleness-XXXXXX";
    struct timespec wait = {STORE_STALE_MS / 1000 + 1, 0};
    struct store *s = NULL;
    struct store_tx *tx = NULL;
    struct cu_err err = {0};
    json_t *doc = NULL;
    char cmd[64];

    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(store_open(dir, &s, &err));
    CHECK(store_epoch(s) == 0);
    /* nothing reads the log of a store with one writer: past the bound, still current */
    nanosleep(&wait, NULL);
    CHECK(!store_stale(s));
    CHECK(store_epoch(s) == 0);
    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_get(tx, "t", "a", "k", &doc));
    CHECK(doc == NULL);
    CHECK(store_tx_seq(tx) != 0);
    CHECK(store_tx_epoch(tx) == 0);
    store_tx_rollback(tx);
    store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    current_until_the_bound();
    current_again_at_a_read();
    older_read_does_not_count();
    one_writer_never_stale();
    TEST_END();
}
