/* Tests for change_log pruning (store.h, "Pruning"): with a retention of `keep`
 * transactions, the table never holds many more than that however many commit, always
 * holds the newest, and the seqs (read back from the table at open) go on after a reopen;
 * below the retention nothing is pruned. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "target.h"

static struct target tgt;

static void commit_one(struct store *s, int i)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:i}", "v", i);
    char key[16];

    snprintf(key, sizeof(key), "k%d", i % 7);
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, "t", "a", key, doc, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

/* (rows, distinct seqs, lowest seq, highest seq) of change_log. */
static void log_shape(long long out[4])
{
    char rows[256], *p = rows;

    CHECK(target_query(&tgt, "SELECT count(*), count(DISTINCT seq), coalesce(min(seq), 0),"
                             " coalesce(max(seq), 0) FROM change_log", rows, sizeof(rows)));
    for (int i = 0; i < 4; i++) {
        out[i] = strtoll(p, &p, 10);
        if (*p == '|')
            p++;
    }
}

int main(void)
{
    struct store *s = NULL;
    struct cu_err err = {0};
    long long shape[4];
    uint64_t last;

    target_new(&tgt, "prune");
    CHECK_OK(store_open(tgt.url, &s, &err));
    /* the default retention keeps every one of a few hundred */
    for (int i = 0; i < 200; i++)
        commit_one(s, i);
    log_shape(shape);
    CHECK_INT(shape[1], 200);
    /* a retention of 16: at most 16 + 16/8 + 1 transactions stay, the newest among them */
    store_set_log_keep(s, 16);
    for (int i = 0; i < 300; i++) {
        commit_one(s, i);
        log_shape(shape);
        CHECK(shape[1] <= 19);
        CHECK_INT(shape[3], store_last_seq(s));
    }
    CHECK(shape[1] >= 16);
    CHECK(shape[2] > (long long)store_last_seq(s) - 19);
    last = store_last_seq(s);
    store_close(s);
    CHECK_OK(store_open(tgt.url, &s, &err));
    CHECK_INT(store_last_seq(s), last);
    commit_one(s, 1);
    CHECK_INT(store_last_seq(s), last + 1);
    store_close(s);
    target_remove(&tgt);
    TEST_END();
}
