/* Tests for compare-and-set (store.h): store_put_version against the stored version, the
 * versions a write transaction read (versions.c) — a transaction that writes a record
 * twice after reading it must not conflict with itself, a record it deleted can be
 * written again — and the conflict hook that stands in for another writer (SQLite
 * serialises writers, so real conflicts cannot be staged here). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "target.h"
#include "store/store_impl.h"

static struct target tgt;

static json_t *doc_v(int v)
{
    return json_pack("{s:i}", "v", v);
}

static uint64_t version_of(struct store *s, const char *key, int *v)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    uint64_t version = 99;

    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_get_version(tx, "t", "a", key, &doc, &version));
    if (v)
        *v = doc ? (int)json_integer_value(json_object_get(doc, "v")) : -1;
    json_decref(doc);
    store_tx_rollback(tx);
    return version;
}

static void explicit_versions(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *d1 = doc_v(1), *d2 = doc_v(2), *d3 = doc_v(3);
    int v = 0;

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, "t", "a", "x", d1, STORE_CREATE));
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(version_of(s, "x", NULL), 1);
    CHECK_INT(version_of(s, "nothing", NULL), 0);
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put_version(tx, "t", "a", "x", d2, 1));
    /* the version read before that write is stale now */
    CHECK_RC(store_put_version(tx, "t", "a", "x", d3, 1), CU_E_STORE_CONFLICT);
    CHECK_RC(store_put_version(tx, "t", "a", "gone", d3, 1), CU_E_STORE_CONFLICT);
    CHECK_RC(store_put_version(tx, "t", "a", "x", d3, 0), CU_E_INTERNAL);
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(version_of(s, "x", &v), 2);
    CHECK_INT(v, 2);
    json_decref(d1);
    json_decref(d2);
    json_decref(d3);
}

/* A transaction's reads are the versions its replaces check, and its own writes move them
 * on: read, write, write again is no conflict. */
static void own_writes_are_not_conflicts(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL, *d = doc_v(10);
    bool existed = false;
    uint64_t read = 0;
    int v = 0;

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_get(tx, "t", "a", "x", &doc));
    CHECK(doc != NULL);
    CHECK_OK(store_put(tx, "t", "a", "x", d, STORE_REPLACE));
    CHECK_OK(store_put(tx, "t", "a", "x", d, STORE_UPSERT));
    CHECK_OK(store_put(tx, "t", "a", "x", d, STORE_REPLACE));
    /* deleted, then written again: it was read as gone by then */
    CHECK_OK(store_delete(tx, "t", "a", "x", &existed));
    CHECK(existed);
    CHECK_RC(store_put(tx, "t", "a", "x", d, STORE_REPLACE), CU_E_STORE_ABSENT);
    CHECK_OK(store_put(tx, "t", "a", "x", d, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(version_of(s, "x", &v), 1); /* created again */
    CHECK_INT(v, 10);
    /* a record read as absent and upserted is created */
    CHECK_OK(store_tx_begin(s, true, &tx));
    json_decref(doc);
    CHECK_OK(store_get(tx, "t", "a", "y", &doc));
    CHECK(doc == NULL);
    CHECK(store_tx_read_version(tx, "t", "a", "y", &read) && read == 0);
    CHECK_OK(store_put(tx, "t", "a", "y", d, STORE_UPSERT));
    CHECK(store_tx_read_version(tx, "t", "a", "y", &read) && read == 1);
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(version_of(s, "y", NULL), 1);
    json_decref(d);
}

/* What another writer would cause, staged by making the transaction believe it read an
 * older version (or none): its replace and upsert of the record then write nothing. */
static void stale_reads_conflict(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL, *d = doc_v(99);
    uint64_t now = version_of(s, "x", NULL);
    int v = 0;

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_get(tx, "t", "a", "x", &doc));
    CHECK(doc != NULL);
    CHECK_OK(store_tx_note_read(tx, "t", "a", "x", now + 5)); /* another version */
    CHECK_RC(store_put(tx, "t", "a", "x", d, STORE_REPLACE), CU_E_STORE_CONFLICT);
    CHECK_RC(store_put(tx, "t", "a", "x", d, STORE_UPSERT), CU_E_STORE_CONFLICT);
    /* read as absent, but there now */
    CHECK_OK(store_tx_note_read(tx, "t", "a", "x", 0));
    CHECK_RC(store_put(tx, "t", "a", "x", d, STORE_UPSERT), CU_E_STORE_CONFLICT);
    CHECK_RC(store_put(tx, "t", "a", "x", d, STORE_REPLACE), CU_E_STORE_ABSENT);
    /* a create is no read-modify-write: it fails as a create does */
    CHECK_RC(store_put(tx, "t", "a", "x", d, STORE_CREATE), CU_E_STORE_EXISTS);
    /* the version it really read writes */
    CHECK_OK(store_tx_note_read(tx, "t", "a", "x", now));
    CHECK_OK(store_put(tx, "t", "a", "x", d, STORE_REPLACE));
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(version_of(s, "x", &v), now + 1);
    CHECK_INT(v, 99);
    json_decref(doc);
    json_decref(d);
}

static void read_set(void)
{
    struct read_set rs = {0};
    uint64_t v = 0;
    char key[16];

    CHECK(!read_set_lookup(&rs, "k", "s", "x", &v));
    CHECK_OK(read_set_note(&rs, "k", "s", "x", 4));
    CHECK(read_set_lookup(&rs, "k", "s", "x", &v) && v == 4);
    CHECK_OK(read_set_note(&rs, "k", "s", "x", 5));
    CHECK(read_set_lookup(&rs, "k", "s", "x", &v) && v == 5);
    /* the address's parts are kept apart: ("k","sx","") is not ("k","s","x") */
    CHECK(!read_set_lookup(&rs, "k", "sx", "", &v));
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "r%d", i);
        CHECK_OK(read_set_note(&rs, "k", "s", key, (uint64_t)i + 1));
    }
    CHECK(read_set_lookup(&rs, "k", "s", "r57", &v) && v == 58);
    CHECK_INT(rs.n, 101);
    read_set_free(&rs);
}

/* The conflict hook: the n-th put, for `times` puts, reports a lost compare-and-set and
 * writes nothing. */
static void conflict_hook(struct store *s)
{
    struct store_tx *tx = NULL;
    json_t *d = doc_v(7);

    store_test_conflicts(s, 2, 2);
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, "t", "h", "1", d, STORE_UPSERT));
    CHECK_RC(store_put(tx, "t", "h", "2", d, STORE_UPSERT), CU_E_STORE_CONFLICT);
    CHECK_RC(store_put(tx, "t", "h", "3", d, STORE_UPSERT), CU_E_STORE_CONFLICT);
    CHECK_OK(store_put(tx, "t", "h", "4", d, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    CHECK_OK(store_tx_begin(s, false, &tx));
    {
        size_t n = 0;
        CHECK_OK(store_count(tx, "t", "h", &n));
        CHECK_INT(n, 2);
    }
    store_tx_rollback(tx);
    json_decref(d);
}

int main(void)
{
    struct store *s = NULL;
    struct cu_err err = {0};

    target_new(&tgt, "cas");
    CHECK_OK(store_open(tgt.url, &s, &err));
    explicit_versions(s);
    own_writes_are_not_conflicts(s);
    stale_reads_conflict(s);
    read_set();
    conflict_hook(s);
    store_close(s);
    target_remove(&tgt);
    TEST_END();
}
