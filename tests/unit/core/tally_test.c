/* Tests for core/tally.c: per-thread blocks summed exactly, while threads add and after
 * they end; a block of an ended thread taken over without losing its counts; a large
 * tally; and free with blocks of ended threads. */
#include "check.h"
#include "core/tally.h"

#include <pthread.h>

#define THREADS 4
#define ADDS 100000

struct job {
    struct tally *t;
    size_t base;
};

static void *adder(void *arg)
{
    struct job *j = arg;
    struct tally_block *b = tally_block(j->t);

    for (size_t i = 0; i < ADDS; i++) {
        tally_block_add(b, 0, 1);
        tally_add(j->t, 1 + (i % 3), 2);
    }
    tally_add(j->t, 4, j->base);
    return NULL;
}

static void threads_sum_exactly(void)
{
    struct tally *t = NULL;
    pthread_t th[THREADS];
    struct job jobs[THREADS];
    uint64_t all[5];

    CHECK_OK(tally_new(5, &t));
    CHECK_INT(tally_size(t), 5);
    CHECK_INT(tally_sum(t, 0), 0);
    for (size_t i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){t, i + 1};
        CHECK(pthread_create(&th[i], NULL, adder, &jobs[i]) == 0);
    }
    for (size_t i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(tally_sum(t, 0), THREADS * ADDS);
    tally_sum_all(t, all);
    CHECK_INT(all[0], THREADS * ADDS);
    CHECK_INT(all[1] + all[2] + all[3], 2 * THREADS * ADDS);
    CHECK_INT(all[4], 1 + 2 + 3 + 4);
    /* the next threads take the ended ones' blocks: the sums only grow */
    for (size_t i = 0; i < THREADS; i++)
        CHECK(pthread_create(&th[i], NULL, adder, &jobs[i]) == 0);
    for (size_t i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(tally_sum(t, 0), 2 * THREADS * ADDS);
    CHECK_INT(tally_sum(t, 4), 2 * (1 + 2 + 3 + 4));
    /* and this thread's own block */
    tally_add(t, 4, 1000);
    CHECK(tally_block(t) == tally_block(t));
    CHECK_INT(tally_sum(t, 4), 2 * (1 + 2 + 3 + 4) + 1000);
    tally_free(t);
}

static void *one_add(void *arg)
{
    tally_add(arg, 0, 7);
    return NULL;
}

static void ended_blocks_are_reused(void)
{
    struct tally *t = NULL;
    pthread_t th;

    CHECK_OK(tally_new(1, &t));
    for (int i = 0; i < 50; i++) {
        CHECK(pthread_create(&th, NULL, one_add, t) == 0);
        pthread_join(th, NULL);
    }
    CHECK_INT(tally_sum(t, 0), 50 * 7);
    tally_free(t);
}

static void large_and_empty(void)
{
    struct tally *t = NULL;

    /* 220 operations' rows of ~130 counters, as server/metrics.c asks */
    CHECK_OK(tally_new(220 * 130, &t));
    tally_add(t, 220 * 130 - 1, 5);
    CHECK_INT(tally_sum(t, 220 * 130 - 1), 5);
    CHECK_INT(tally_sum(t, 0), 0);
    tally_free(t);
    CHECK_OK(tally_new(0, &t));
    CHECK_INT(tally_size(t), 0);
    tally_free(t);
    tally_free(NULL);
}

int main(void)
{
    threads_sum_exactly();
    ended_blocks_are_reused();
    large_and_empty();
    TEST_END();
}
