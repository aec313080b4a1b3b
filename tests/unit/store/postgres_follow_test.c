/* Tests of how a node follows the other nodes' commits (postgres_follow.c, store.c's
 * store_follow; store.h, "Several nodes"), against the "pg" fixture only: two stores on
 * one schema stand for two custos nodes. A commit on node a reaches node b's ring (its
 * last seq and the record) by the NOTIFY, well within STORE_FOLLOW_MS; a commit of node b
 * that follows one of node a carries a's change into b's ring first, in seq order; a
 * change logged without a notification (a writer that does not NOTIFY) still arrives,
 * within the bound, by the timer; seqs whose rows were pruned before b read them make
 * b's ring answer "too old", so its caches flush everything. store_sync reads the log
 * at once, for a caller that cannot wait for the notification. A node whose follower
 * cannot read the log (the table locked: its read hangs, as on a connection that no
 * longer answers) turns stale within STORE_STALE_MS + STORE_WATCH_MS, so that no cache
 * keeps what it loads, and current again at the first read after the lock is gone. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "helpers.h"
#include "store/store.h"
#include "target.h"

static struct target tgt;

static long long now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void put_one(struct store *s, const char *key)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:s}", "k", key);

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, "t", "a", key, doc, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

/* How long (ms) until s's last seq reaches seq; -1 past limit_ms. */
static long long wait_seq(struct store *s, uint64_t seq, long long limit_ms)
{
    long long start = now_ms();

    while (store_last_seq(s) < seq) {
        if (now_ms() - start > limit_ms)
            return -1;
        struct timespec t = {0, 2 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    return now_ms() - start;
}

/* The keys store_changes_since reports, in order, joined by ','. */
struct seen {
    char keys[512];
};

static void note(uint64_t seq, const char *kind, const char *scope, const char *key, void *ctx)
{
    struct seen *s = ctx;
    size_t used = strlen(s->keys);

    (void)seq;
    (void)kind;
    (void)scope;
    snprintf(s->keys + used, sizeof(s->keys) - used, "%s%s", used ? "," : "", key);
}

static void notified(struct store *a, struct store *b)
{
    uint64_t since = store_last_seq(b), upto = 0;
    struct seen seen = {{0}};
    long long took;

    put_one(a, "from-a");
    took = wait_seq(b, store_last_seq(a), 5000);
    CHECK(took >= 0);
    /* the NOTIFY, not the timer, brought it */
    CHECK(took < STORE_FOLLOW_MS / 2);
    fprintf(stderr, "postgres_follow_test: node b heard node a's commit after %lld ms\n", took);
    CHECK(store_changes_since(b, since, note, &seen, &upto));
    CHECK(strcmp(seen.keys, "from-a") == 0);
    CHECK(upto == store_last_seq(a));
}

static void own_commit_after_others(struct store *a, struct store *b)
{
    uint64_t since = store_last_seq(b), upto = 0;
    struct seen seen = {{0}};

    put_one(a, "a-first");
    put_one(b, "b-second"); /* whether or not b's listener has a-first yet */
    CHECK(store_changes_since(b, since, note, &seen, &upto));
    CHECK(strcmp(seen.keys, "a-first,b-second") == 0);
    CHECK(upto == store_last_seq(b));
    CHECK(wait_seq(a, upto, 5000) >= 0);
}

/* store_sync reads the log at once, without waiting for the notification. */
static void sync_now(struct store *a, struct store *b)
{
    uint64_t since = store_last_seq(b);

    put_one(a, "sync");
    CHECK(store_sync(b, since));
    CHECK(store_last_seq(b) == store_last_seq(a));
    CHECK(!store_sync(b, store_last_seq(b)));
}

/* A change logged as a writer that sends no notification would: b reads it on its timer. */
static void missed_notification(struct store *b)
{
    char sql[512];
    uint64_t seq = store_last_seq(b) + 1, since = store_last_seq(b), upto = 0;
    struct seen seen = {{0}};
    long long took;

    snprintf(sql, sizeof(sql),
             "BEGIN; UPDATE meta SET value = '%llu' WHERE name = 'change_seq';"
             " INSERT INTO change_log (seq, n, kind, scope, key) VALUES (%llu, 0, 't', 'a',"
             " 'silent'); COMMIT",
             (unsigned long long)seq, (unsigned long long)seq);
    CHECK(target_exec(&tgt, sql));
    took = wait_seq(b, seq, 3 * STORE_FOLLOW_MS);
    fprintf(stderr, "postgres_follow_test: an unnotified change arrived after %lld ms\n", took);
    CHECK(took >= 0 && took <= STORE_FOLLOW_MS + 750);
    CHECK(store_changes_since(b, since, note, &seen, &upto));
    CHECK(strcmp(seen.keys, "silent") == 0);
}

/* Seqs taken whose rows are gone (pruned before b read them): b's ring says "too old". */
static void pruned_gap(struct store *a, struct store *b)
{
    uint64_t since = store_last_seq(b), upto = 0;
    struct seen seen = {{0}};

    CHECK(target_exec(&tgt, "UPDATE meta SET value = (value::bigint + 5)::text"
                            " WHERE name = 'change_seq'"));
    put_one(a, "after-gap");
    CHECK(store_last_seq(a) == since + 6);
    CHECK(wait_seq(b, since + 6, 5000) >= 0);
    CHECK(!store_changes_since(b, since, note, &seen, &upto));
    CHECK(upto == since + 6);
    /* current to the gap's end: the change after it is there */
    CHECK(store_changes_since(b, since + 5, note, &seen, &upto));
    CHECK(strcmp(seen.keys, "after-gap") == 0);
    /* node a committed it itself, past its own last seq too: the same answer */
    memset(&seen, 0, sizeof(seen));
    CHECK(!store_changes_since(a, since, note, &seen, &upto));
}

/* Whether what a read transaction of s loads now may be cached (store_tx_seq). */
static bool cacheable(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    bool yes;

    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_get(tx, "t", "a", "from-a", &doc));
    CHECK(doc != NULL); /* the records themselves are read all along */
    yes = store_tx_seq(tx) != 0;
    json_decref(doc);
    store_tx_rollback(tx);
    return yes;
}

/* How long (ms) until s is stale (want true) or current (false); -1 past limit_ms. */
static long long wait_stale(struct store *s, bool want, long long limit_ms)
{
    long long start = now_ms();

    while (store_stale(s) != want) {
        if (now_ms() - start > limit_ms)
            return -1;
        struct timespec t = {0, 5 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    return now_ms() - start;
}

/* Leave n idle reader connections in s's pool, each with its statements prepared: a
 * connection opened while change_log is locked would wait on the lock in its PREPAREs
 * (parsing a statement takes its tables' locks), and the test that holds the lock would
 * wait on it for ever. */
static void warm_readers(struct store *s, int n)
{
    struct store_tx *tx[4] = {0};
    json_t *doc = NULL;

    CHECK(n <= 4);
    for (int i = 0; i < n; i++) {
        CHECK_OK(store_tx_begin(s, false, &tx[i]));
        CHECK_OK(store_get(tx[i], "t", "a", "from-a", &doc));
        json_decref(doc);
        doc = NULL;
    }
    for (int i = 0; i < n; i++)
        store_tx_rollback(tx[i]);
}

static void stale_while_log_unreadable(struct store *b)
{
    uint64_t epoch = store_epoch(b);
    long long took;

    CHECK(!store_stale(b));
    CHECK(cacheable(b));
    /* one for the follower's read, which the lock holds, and spares for cacheable() */
    warm_readers(b, 4);
    /* the test's own connection holds the table: every read of it waits */
    CHECK(target_exec(&tgt, "BEGIN; LOCK TABLE change_log IN ACCESS EXCLUSIVE MODE"));
    took = wait_stale(b, true, 2 * STORE_STALE_MS);
    fprintf(stderr, "postgres_follow_test: stale %lld ms after the log was locked\n", took);
    /* the last read began at most STORE_FOLLOW_MS (and a little) before the lock */
    CHECK(took >= STORE_STALE_MS - STORE_FOLLOW_MS - 100);
    CHECK(took <= STORE_STALE_MS + STORE_WATCH_MS + 100);
    CHECK(store_epoch(b) == epoch + 1);
    CHECK(!cacheable(b));
    CHECK(target_exec(&tgt, "ROLLBACK"));
    /* the read that waited counts if it began within the bound, else the next one does */
    took = wait_stale(b, false, 2 * STORE_FOLLOW_MS + 500);
    fprintf(stderr, "postgres_follow_test: current %lld ms after the lock was gone\n", took);
    CHECK(took >= 0);
    CHECK(store_epoch(b) == epoch + 2);
    CHECK(cacheable(b));
}

int main(void)
{
    struct store *a, *b;

    target_new(&tgt, "pg");
    CHECK(target_is_pg(&tgt));
    a = open_at(tgt.url);
    b = open_at(tgt.url);
    notified(a, b);
    own_commit_after_others(a, b);
    sync_now(a, b);
    missed_notification(b);
    pruned_gap(a, b);
    stale_while_log_unreadable(b);
    store_close(a);
    store_close(b);
    target_remove(&tgt);
    TEST_END();
}
