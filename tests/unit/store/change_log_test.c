/* Tests for the store's change log (store.h, changes.c): a committed write gets the next
 * seq and one change_log row per record it put or deleted, in the same transaction; what
 * leaves no trace (a rollback, a failed commit, a read, a delete of nothing) takes no seq
 * and writes no row; store_changes_since replays the ring and says "too old" once the
 * ring has lost changes; seqs survive a reopen; a version-1 database is migrated; a
 * transaction touching thousands of records logs each once, however often it wrote it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "helpers.h"
#include "store/store.h"
#include "target.h"

static struct target tgt;

/* What store_changes_since reported, as "seq kind/scope/key;" lines. */
struct seen {
    char text[4096];
    size_t n;
};

static void collect(uint64_t seq, const char *kind, const char *scope, const char *key,
                    void *ctx)
{
    struct seen *seen = ctx;
    size_t used = strlen(seen->text);

    if (used < sizeof(seen->text))
        snprintf(seen->text + used, sizeof(seen->text) - used, "%llu %s/%s/%s;",
                 (unsigned long long)seq, kind, scope, key);
    seen->n++;
}

/* The change_log rows with seq > since, in the same form, read from the database itself. */
static void table_rows(uint64_t since, char *out, size_t cap)
{
    char sql[160], rows[65536], *line, *save = NULL;
    size_t used = 0;

    out[0] = '\0';
    snprintf(sql, sizeof(sql), "SELECT seq, kind, scope, key FROM change_log WHERE seq > %llu"
                               " ORDER BY seq, n", (unsigned long long)since);
    CHECK(target_query(&tgt, sql, rows, sizeof(rows)));
    /* "seq|kind|scope|key" lines -> "seq kind/scope/key;" */
    for (line = strtok_r(rows, "\n", &save); line && used < cap;
         line = strtok_r(NULL, "\n", &save)) {
        char *bar = strchr(line, '|');
        if (!bar)
            break;
        *bar = ' ';
        for (char *p = bar; (p = strchr(p, '|'));)
            *p = '/';
        used += (size_t)snprintf(out + used, cap - used, "%s;", line);
    }
}

static void logs_committed_writes(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:i}", "v", 1);
    struct seen seen = {0};
    char want[512], rows[4096];
    uint64_t s0 = store_last_seq(s), upto = 0;
    bool existed = true;

    CHECK(s0 > 0);
    /* one transaction: two puts of k1 (one change), a put of k2, a delete of k2 */
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, "user", "acct", "k1", doc, STORE_UPSERT));
    CHECK_OK(store_put(tx, "user", "acct", "k1", doc, STORE_UPSERT));
    CHECK_OK(store_put(tx, "kms_key", "acct", "k2", doc, STORE_CREATE));
    CHECK_OK(store_delete(tx, "kms_key", "acct", "k2", NULL));
    CHECK_INT(store_last_seq(s), s0); /* nothing is published before the commit */
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(store_last_seq(s), s0 + 1);
    CHECK(store_changes_since(s, s0, collect, &seen, &upto));
    CHECK_INT(upto, s0 + 1);
    snprintf(want, sizeof(want), "%llu user/acct/k1;%llu kms_key/acct/k2;",
             (unsigned long long)(s0 + 1), (unsigned long long)(s0 + 1));
    CHECK_STR(seen.text, want);
    table_rows(s0, rows, sizeof(rows));
    CHECK_STR(rows, want);

    /* a second write: the next seq; since s0+1 shows only it */
    memset(&seen, 0, sizeof(seen));
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_delete(tx, "user", "acct", "k1", &existed));
    CHECK(existed);
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(store_last_seq(s), s0 + 2);
    CHECK(store_changes_since(s, s0 + 1, collect, &seen, &upto));
    snprintf(want, sizeof(want), "%llu user/acct/k1;", (unsigned long long)(s0 + 2));
    CHECK_STR(seen.text, want);
    /* current: nothing to replay */
    memset(&seen, 0, sizeof(seen));
    CHECK(store_changes_since(s, s0 + 2, collect, &seen, &upto));
    CHECK_INT(seen.n, 0);
    CHECK_INT(upto, s0 + 2);
    json_decref(doc);
}

static void leaves_no_trace(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:i}", "v", 2), *got = NULL;
    uint64_t s0 = store_last_seq(s);
    char rows[4096];
    bool existed = true;

    /* rollback */
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, "user", "acct", "gone", doc, STORE_UPSERT));
    store_tx_rollback(tx);
    /* a commit that fails (the fault hook on the commit itself) */
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, "user", "acct", "gone", doc, STORE_UPSERT));
    store_test_fail_after(s, 1);
    CHECK_RC(store_tx_commit(tx), CU_E_STORE);
    /* a read, and a delete of nothing */
    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_get(tx, "user", "acct", "gone", &got));
    CHECK(got == NULL);
    CHECK_OK(store_tx_commit(tx));
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_delete(tx, "user", "acct", "never", &existed));
    CHECK(!existed);
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(store_last_seq(s), s0);
    table_rows(s0, rows, sizeof(rows));
    CHECK_STR(rows, "");
    json_decref(doc);
}

/* A cache may stamp what a transaction read with store_tx_seq only while the transaction
 * has written nothing: after a put it sees its own uncommitted change, which a rollback
 * takes back, so the stamp is 0 (cache nothing). */
static void no_cache_stamp_after_a_write(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:i}", "v", 3), *got = NULL;

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_INT(store_tx_seq(tx), 0); /* nothing touched yet */
    CHECK_OK(store_get(tx, "user", "acct", "stamp", &got));
    CHECK(got == NULL);
    CHECK(store_tx_seq(tx) > 0);
    CHECK_OK(store_put(tx, "user", "acct", "stamp", doc, STORE_UPSERT));
    CHECK_OK(store_get(tx, "user", "acct", "stamp", &got));
    CHECK(got != NULL); /* the uncommitted record, which no cache may keep */
    CHECK_INT(store_tx_seq(tx), 0);
    json_decref(got);
    store_tx_rollback(tx);
    json_decref(doc);
}

/* More changes than the in-memory ring keeps (CHANGE_RING_SIZE, 4096): a reader behind
 * them is told "too old"; one that is recent enough still gets every change. */
static void too_old(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:i}", "v", 3);
    struct seen seen = {0};
    uint64_t s0 = store_last_seq(s), upto = 0;
    char key[32];

    for (int t = 0; t < 5; t++) {
        CHECK_OK(store_tx_begin(s, true, &tx));
        for (int i = 0; i < 1000; i++) {
            snprintf(key, sizeof(key), "k%d", i);
            CHECK_OK(store_put(tx, "bulk", "acct", key, doc, STORE_UPSERT));
        }
        CHECK_OK(store_tx_commit(tx));
    }
    CHECK_INT(store_last_seq(s), s0 + 5);
    CHECK(!store_changes_since(s, s0, collect, &seen, &upto));
    CHECK_INT(seen.n, 0);
    CHECK_INT(upto, s0 + 5);
    CHECK(store_changes_since(s, s0 + 3, collect, &seen, &upto));
    CHECK_INT(seen.n, 2000);
    json_decref(doc);
}

/* A database as schema version 1 left it (no change_log) opens, migrates to the current version,
 * keeps its documents and logs the next write. */
static void migrates_v1(void)
{
    struct target v1;
    struct store *s = NULL;
    struct store_tx *tx = NULL;
    struct cu_err err = {0};
    json_t *doc = NULL;
    char rows[64];

    target_new(&v1, "changelog-v1");
    CHECK(target_exec(&v1,
                      "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
                      "CREATE TABLE objects (kind TEXT NOT NULL, scope TEXT NOT NULL,"
                      " key TEXT NOT NULL, doc TEXT NOT NULL, version BIGINT NOT NULL,"
                      " updated_ms BIGINT NOT NULL, PRIMARY KEY (kind, scope, key));"
                      "INSERT INTO meta VALUES ('schema_version', '1');"
                      "INSERT INTO objects VALUES ('user', 'acct', 'old', '{\"v\":5}', 1, 0);"));
    CHECK_OK(store_open(v1.url, &s, &err));
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_get(tx, "user", "acct", "old", &doc));
    CHECK(doc && json_integer_value(json_object_get(doc, "v")) == 5);
    CHECK_OK(store_delete(tx, "user", "acct", "old", NULL));
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(store_last_seq(s), 2);
    store_close(s);
    json_decref(doc);
    CHECK(target_query(&v1, "SELECT (SELECT value FROM meta WHERE name = 'schema_version'),"
                            " (SELECT count(*) FROM change_log WHERE key = 'old')",
                       rows, sizeof(rows)));
    CHECK_STR(rows, "5|1\n");
    target_remove(&v1);
}

/* Rows of change_log with this seq. */
static long long rows_of_seq(uint64_t seq)
{
    char sql[96];

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM change_log WHERE seq = %llu",
             (unsigned long long)seq);
    return target_query_int(&tgt, sql);
}

static void large_transaction_logs_each_record_once(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:i}", "v", 1);
    char key[32];

    CHECK_OK(store_tx_begin(s, true, &tx));
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 3000; i++) {
            snprintf(key, sizeof(key), "bulk-%d", i);
            CHECK_OK(store_put(tx, "bulk", "s", key, doc, STORE_UPSERT));
        }
    /* addresses that pack to the same characters but split differently are two records */
    CHECK_OK(store_put(tx, "bulk", "sx", "y", doc, STORE_UPSERT));
    CHECK_OK(store_put(tx, "bulk", "s", "xy", doc, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(rows_of_seq(store_last_seq(s)), 3002);
    json_decref(doc);
}

int main(void)
{
    struct store *s;
    uint64_t last;

    target_new(&tgt, "changelog");
    migrates_v1();
    s = open_at(tgt.url);
    logs_committed_writes(s);
    leaves_no_trace(s);
    no_cache_stamp_after_a_write(s);
    too_old(s);
    large_transaction_logs_each_record_once(s);
    last = store_last_seq(s);
    store_close(s);
    /* seqs continue after a reopen; the new ring holds nothing older */
    s = open_at(tgt.url);
    CHECK_INT(store_last_seq(s), last);
    {
        struct seen seen = {0};
        uint64_t upto = 0;
        CHECK(!store_changes_since(s, last - 1, collect, &seen, &upto));
        CHECK(store_changes_since(s, last, collect, &seen, &upto));
        CHECK_INT(seen.n, 0);
    }
    store_close(s);
    target_remove(&tgt);
    TEST_END();
}
