/* Tests for store_tx_commit_seq (store.h), which the audit trail records before a commit
 * (audit.h, write-ahead): it is the seq the commit then takes, also with writers queueing
 * behind one another; a read, a write that touched nothing and a transaction that has not
 * reached the backend take none (0); a failed commit takes none either, so the next write
 * is told the same seq. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "store/store.h"
#include "target.h"

static struct target tgt;
static struct store *store;

#define WRITERS 4
#define WRITES 50

/* One write of (kind "t", scope "s", key): the seq it was told, then the seq it took. */
static void write_one(const char *key, uint64_t *told, uint64_t *took)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:s}", "k", key);

    CHECK_OK(store_tx_begin(store, true, &tx));
    CHECK_OK(store_put(tx, "t", "s", key, doc, STORE_UPSERT));
    *told = store_tx_commit_seq(tx);
    CHECK_OK(store_tx_commit(tx));
    *took = store_last_seq(store);
    json_decref(doc);
}

static void sequential(void)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    uint64_t told, took, before;

    write_one("a", &told, &took);
    CHECK(told > 0);
    CHECK_INT(told, took);
    /* nothing touched: no seq to be told */
    CHECK_OK(store_tx_begin(store, true, &tx));
    CHECK_INT(store_tx_commit_seq(tx), 0);
    CHECK_OK(store_get(tx, "t", "s", "a", &doc));
    CHECK_INT(store_tx_commit_seq(tx), 0);
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
    CHECK_OK(store_tx_begin(store, false, &tx));
    CHECK_OK(store_get(tx, "t", "s", "a", &doc));
    CHECK_INT(store_tx_commit_seq(tx), 0);
    store_tx_rollback(tx);
    json_decref(doc);
    /* a commit that fails takes no seq: the next write is told the same one */
    before = store_last_seq(store);
    CHECK_OK(store_tx_begin(store, true, &tx));
    doc = json_pack("{s:s}", "k", "b");
    CHECK_OK(store_put(tx, "t", "s", "b", doc, STORE_UPSERT));
    json_decref(doc);
    CHECK_INT(store_tx_commit_seq(tx), before + 1);
    store_test_fail_after(store, 1);
    CHECK_RC(store_tx_commit(tx), CU_E_STORE);
    CHECK_INT(store_last_seq(store), before);
    write_one("c", &told, &took);
    CHECK_INT(told, before + 1);
    CHECK_INT(took, before + 1);
}

struct writer {
    int id;
    uint64_t told[WRITES];
    char keys[WRITES][16];
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    uint64_t took;

    for (int i = 0; i < WRITES; i++) {
        snprintf(w->keys[i], sizeof(w->keys[i]), "w%d-%d", w->id, i);
        write_one(w->keys[i], &w->told[i], &took);
    }
    return NULL;
}

/* The key that seq changed (one record per write here), via the change log. */
struct find {
    uint64_t seq;
    char key[16];
};

static void find_key(uint64_t seq, const char *kind, const char *scope, const char *key,
                     void *ctx)
{
    struct find *f = ctx;

    (void)kind;
    (void)scope;
    if (seq == f->seq)
        snprintf(f->key, sizeof(f->key), "%s", key);
}

static void concurrent(void)
{
    struct writer w[WRITERS];
    pthread_t t[WRITERS];
    uint64_t upto;

    for (int i = 0; i < WRITERS; i++) {
        w[i].id = i;
        CHECK(pthread_create(&t[i], NULL, writer_main, &w[i]) == 0);
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(t[i], NULL);
    /* every write committed as the seq it was told */
    for (int i = 0; i < WRITERS; i++)
        for (int j = 0; j < WRITES; j++) {
            struct find f = {.seq = w[i].told[j]};
            CHECK(store_changes_since(store, f.seq - 1, find_key, &f, &upto));
            CHECK_STR(f.key, w[i].keys[j]);
        }
}

/* store_node_seq: the last seq this node committed. With one writer it is the store's
 * last; on PostgreSQL it is kept per node from store_set_node on, in the transaction (a
 * rolled-back write leaves it), and another node's commits do not move it. */
static void node_seq(void)
{
    struct store *other = NULL;
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:s}", "k", "v");
    uint64_t seq = 0, told, took;
    bool kept = false;
    struct cu_err err = {0};

    CHECK_OK(store_node_seq(store, &seq, &kept));
    CHECK(kept); /* no node named: the store's last seq is the answer */
    CHECK(seq == store_last_seq(store));
    store_set_node(store, "node-one");
    CHECK_OK(store_node_seq(store, &seq, &kept));
    CHECK(kept == !target_is_pg(&tgt)); /* PostgreSQL: none kept for node-one yet */
    CHECK(seq == store_last_seq(store));
    write_one("node-seq-1", &told, &took);
    CHECK_OK(store_node_seq(store, &seq, &kept));
    CHECK(kept);
    CHECK(seq == took);
    /* a rolled-back write took a seq for a moment: it is not kept */
    CHECK_OK(store_tx_begin(store, true, &tx));
    CHECK_OK(store_put(tx, "t", "s", "node-seq-2", doc, STORE_UPSERT));
    CHECK(store_tx_commit_seq(tx) == took + 1);
    store_tx_rollback(tx);
    CHECK_OK(store_node_seq(store, &seq, &kept));
    CHECK(seq == took);
    if (target_is_pg(&tgt)) {
        /* a second node on the database commits: the store's last seq moves, this
         * node's does not, and the second node's is its own */
        CHECK_OK(store_open(tgt.url, &other, &err));
        store_set_node(other, "node-two");
        CHECK_OK(store_tx_begin(other, true, &tx));
        CHECK_OK(store_put(tx, "t", "s", "node-seq-3", doc, STORE_UPSERT));
        told = store_tx_commit_seq(tx);
        CHECK_OK(store_tx_commit(tx));
        CHECK(told > took);
        CHECK_OK(store_node_seq(store, &seq, &kept));
        CHECK(seq == took);
        CHECK_OK(store_node_seq(other, &seq, &kept));
        CHECK(kept && seq == told);
        store_close(other);
    }
    json_decref(doc);
}

int main(void)
{
    struct cu_err err = {0};

    target_new(&tgt, "commitseq");
    CHECK_OK(store_open(tgt.url, &store, &err));
    sequential();
    concurrent();
    node_seq();
    store_close(store);
    target_remove(&tgt);
    TEST_END();
}
