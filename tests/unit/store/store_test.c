/* Tests for the store (store.c over sqlite.c): every operation and mode, ordering and
 * pagination, rollback, concurrency, fault injection, and durability across SIGKILL. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "store/store.h"
#include "target.h"

static struct target tgt;

static void put(struct store *s, const char *kind, const char *scope, const char *key, int v)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:i}", "v", v);

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, kind, scope, key, doc, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

static int get_v(struct store *s, const char *kind, const char *scope, const char *key)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    int v = -1;

    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_get(tx, kind, scope, key, &doc));
    if (doc)
        v = (int)json_integer_value(json_object_get(doc, "v"));
    json_decref(doc);
    store_tx_rollback(tx);
    return v;
}

static void crud_and_modes(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:i}", "v", 7);
    bool existed = false;
    uint64_t g0 = store_last_seq(s);

    put(s, "t", "a", "k1", 1);
    CHECK(store_last_seq(s) > g0);
    CHECK_INT(get_v(s, "t", "a", "k1"), 1);
    CHECK_INT(get_v(s, "t", "b", "k1"), -1);
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_RC(store_put(tx, "t", "a", "k1", doc, STORE_CREATE), CU_E_STORE_EXISTS);
    CHECK_RC(store_put(tx, "t", "a", "nope", doc, STORE_REPLACE), CU_E_STORE_ABSENT);
    CHECK_OK(store_put(tx, "t", "a", "k1", doc, STORE_REPLACE));
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(get_v(s, "t", "a", "k1"), 7);
    /* a read transaction may not write */
    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_RC(store_put(tx, "t", "a", "k2", doc, STORE_UPSERT), CU_E_INTERNAL);
    store_tx_rollback(tx);
    /* rollback discards */
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, "t", "a", "k3", doc, STORE_CREATE));
    CHECK_OK(store_delete(tx, "t", "a", "k1", &existed));
    CHECK(existed);
    store_tx_rollback(tx);
    CHECK_INT(get_v(s, "t", "a", "k3"), -1);
    CHECK_INT(get_v(s, "t", "a", "k1"), 7);
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_delete(tx, "t", "a", "k1", &existed));
    CHECK(existed);
    CHECK_OK(store_delete(tx, "t", "a", "k1", &existed));
    CHECK(!existed);
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

static void listing(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *items = NULL;
    bool more = false;
    size_t n = 0;
    char key[16];

    for (int i = 9; i >= 0; i--) {
        snprintf(key, sizeof(key), "k%d", i);
        put(s, "l", "sc", key, i);
    }
    put(s, "l", "other", "k0", 100);
    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_count(tx, "l", "sc", &n));
    CHECK_INT(n, 10);
    CHECK_OK(store_list(tx, "l", "sc", NULL, 4, &items, &more));
    CHECK_INT(json_array_size(items), 4);
    CHECK(more);
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 0), "key")), "k0");
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 3), "key")), "k3");
    json_decref(items);
    CHECK_OK(store_list(tx, "l", "sc", "k7", 4, &items, &more));
    CHECK_INT(json_array_size(items), 2);
    CHECK(!more);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(json_array_get(items, 1), "doc"), "v")), 9);
    json_decref(items);
    CHECK_OK(store_list(tx, "l", "none", NULL, 4, &items, &more));
    CHECK_INT(json_array_size(items), 0);
    json_decref(items);
    store_tx_rollback(tx);
}

struct each_count {
    int n;
    char last[32];
    bool ordered;
};

static cu_rc count_one(const char *key, const json_t *doc, void *ctx)
{
    struct each_count *c = ctx;

    c->ordered = c->ordered && strcmp(c->last, key) < 0;
    snprintf(c->last, sizeof(c->last), "%s", key);
    c->n++;
    return c->n == 240 ? CU_E_VALIDATION : CU_OK;
}

/* store_each walks every page in key order and stops at the callback's error */
static void each(struct store *s)
{
    struct store_tx *tx = NULL;
    struct each_count c = {.ordered = true};
    char key[16];

    for (int i = 0; i < 250; i++) {
        snprintf(key, sizeof(key), "e%04d", i);
        put(s, "each", "sc", key, i);
    }
    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_RC(store_each(tx, "each", "sc", count_one, &c), CU_E_VALIDATION);
    CHECK_INT(c.n, 240);
    CHECK(c.ordered);
    store_tx_rollback(tx);
}

static void fault_injection(struct store *s)
{
    /* fail each of the operations of a three-write transaction in turn: nothing half-stored */
    for (int k = 1; k <= 5; k++) {
        struct store_tx *tx = NULL;
        json_t *doc = json_pack("{s:i}", "v", k);
        cu_rc rc;

        store_test_fail_after(s, k);
        rc = store_tx_begin(s, true, &tx);
        if (rc == CU_OK)
            rc = store_put(tx, "f", "x", "a", doc, STORE_UPSERT);
        if (rc == CU_OK)
            rc = store_put(tx, "f", "x", "b", doc, STORE_UPSERT);
        if (rc == CU_OK)
            rc = store_put(tx, "f", "x", "c", doc, STORE_UPSERT);
        if (rc == CU_OK) {
            rc = store_tx_commit(tx);
        } else {
            store_tx_rollback(tx);
        }
        store_test_fail_after(s, 0);
        json_decref(doc);
        if (k <= 5 && rc != CU_OK) {
            CHECK_RC(rc, CU_E_STORE);
            CHECK_INT(get_v(s, "f", "x", "a"), -1);
            CHECK_INT(get_v(s, "f", "x", "c"), -1);
        }
    }
}

static struct store *shared;

static void *writer_thread(void *arg)
{
    char key[32];

    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof(key), "w%ld-%d", (long)(intptr_t)arg, i);
        put(shared, "c", "s", key, i);
    }
    return NULL;
}

static void *reader_thread(void *arg)
{
    for (int i = 0; i < 200; i++)
        (void)get_v(shared, "c", "s", "w0-0");
    return NULL;
}

static void concurrency(struct store *s)
{
    pthread_t t[4];
    struct store_tx *tx = NULL;
    size_t n = 0;

    shared = s;
    pthread_create(&t[0], NULL, writer_thread, (void *)0);
    pthread_create(&t[1], NULL, writer_thread, (void *)1);
    pthread_create(&t[2], NULL, reader_thread, NULL);
    pthread_create(&t[3], NULL, reader_thread, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_count(tx, "c", "s", &n));
    CHECK_INT(n, 100);
    store_tx_rollback(tx);
}

/* A child commits numbered keys and reports each after its commit returns; it is
 * killed mid-stream; every reported key must be there after reopening. */
static void durability(void)
{
    int fds[2];
    pid_t pid;
    char line[64];
    int last = -1;
    FILE *in;
    struct store *s;

    CHECK(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) {
        struct store *cs = NULL;
        struct cu_err err = {0};
        close(fds[0]);
        if (store_open(tgt.url, &cs, &err) != CU_OK)
            _exit(3);
        for (int i = 0;; i++) {
            struct store_tx *tx = NULL;
            json_t *doc = json_pack("{s:i}", "v", i);
            char key[32];
            snprintf(key, sizeof(key), "d%06d", i);
            if (store_tx_begin(cs, true, &tx) != CU_OK ||
                store_put(tx, "d", "s", key, doc, STORE_CREATE) != CU_OK ||
                store_tx_commit(tx) != CU_OK)
                _exit(4);
            json_decref(doc);
            dprintf(fds[1], "%d\n", i);
        }
    }
    close(fds[1]);
    in = fdopen(fds[0], "r");
    while (fgets(line, sizeof(line), in)) {
        last = (int)strtol(line, NULL, 10);
        if (last >= 150)
            break;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    while (fgets(line, sizeof(line), in))
        last = (int)strtol(line, NULL, 10);
    fclose(in);
    CHECK(last >= 150);
    s = open_at(tgt.url);
    for (int i = 0; i <= last; i++) {
        char key[32];
        snprintf(key, sizeof(key), "d%06d", i);
        if (get_v(s, "d", "s", key) != i) {
            CHECK(!"acknowledged key missing after SIGKILL");
            break;
        }
    }
    store_close(s);
}

int main(void)
{
    struct store *s;

    target_new(&tgt, "store");
    s = open_at(tgt.url);
    crud_and_modes(s);
    listing(s);
    each(s);
    fault_injection(s);
    concurrency(s);
    store_close(s);
    s = open_at(tgt.url); /* reopen keeps data */
    CHECK_INT(get_v(s, "l", "sc", "k9"), 9);
    store_close(s);
    durability();
    target_remove(&tgt);
    TEST_END();
}
