/* Tests for store_copy and store_compare (copy.c, `custos store migrate`): an embedded
 * store (a SQLite directory) copied into the target (tests/unit/store/target.h: SQLite,
 * or PostgreSQL on the pg fixture) holds the same documents byte for byte, the same
 * change log with the same seqs, and index rows rebuilt (lookups find the copies); a
 * reopened copy goes on after the copied seqs; a copy into a store that is not empty is
 * refused and changes nothing; a difference made afterwards is found and named. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "store/records.h"
#include "store/store.h"
#include "target.h"

static void write_one(struct store *s, const char *kind, const char *scope, const char *key,
                  json_t *doc)
{
    struct store_tx *tx = NULL;

    CHECK_OK(store_tx_begin(s, true, &tx));
    if (doc)
        CHECK_OK(store_put(tx, kind, scope, key, doc, STORE_UPSERT));
    else
        CHECK_OK(store_delete(tx, kind, scope, key, NULL));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

int main(void)
{
    char src_dir[] = "/tmp/custos-copy-src-XXXXXX", cmd[128];
    struct target dst;
    struct store *from, *to;
    struct store_copy_report r, c;
    struct cu_err err = {0};
    uint64_t last;

    CHECK(mkdtemp(src_dir) != NULL);
    target_new(&dst, "copy-dst");
    from = open_at(src_dir);
    /* more than two pages, 200 records a transaction (a change_log row each) */
    for (int i = 0; i < 1203; i += 200) {
        struct store_tx *tx = NULL;
        CHECK_OK(store_tx_begin(from, true, &tx));
        for (int j = i; j < i + 200 && j < 1203; j++) {
            char key[16];
            json_t *doc = json_pack("{s:i, s:s}", "v", j, "u", "\xc3\xa9");
            snprintf(key, sizeof(key), "k%04d", j);
            CHECK_OK(store_put(tx, "t", j % 2 ? "a" : "b", key, doc, STORE_UPSERT));
            json_decref(doc);
        }
        CHECK_OK(store_tx_commit(tx));
    }
    write_one(from, RECORD_ACCESS_KEY, "", "AKIA1",
          json_pack("{s:s, s:s, s:s}", "Account", "111122223333", "UserName", "Alice", "Status",
                    "Active"));
    write_one(from, "t", "a", "k0001", NULL);
    last = store_last_seq(from);
    to = open_at(dst.url);
    CHECK_OK(store_copy(from, to, &r, &err));
    CHECK_INT(r.records, 1203);
    CHECK_INT(r.changes, 1205);
    CHECK_INT(r.last_seq, last);
    /* a second copy finds the destination taken */
    memset(&err, 0, sizeof(err));
    CHECK_RC(store_copy(from, to, &c, &err), CU_E_STORE_EXISTS);
    store_close(to);
    to = open_at(dst.url);
    memset(&err, 0, sizeof(err));
    CHECK_OK(store_compare(from, to, &c, &err));
    CHECK_INT(c.records, 1203);
    CHECK_INT(c.changes, 1205);
    CHECK_INT(store_last_seq(to), last);
    CHECK_INT(lookup_count(to, RECORD_ACCESS_KEY, RECORD_ACCESS_KEY_BY_USER,
                           "111122223333/alice", NULL), 1);
    /* the copy goes on after the copied seqs */
    write_one(to, "t", "a", "new", json_pack("{s:i}", "v", 1));
    CHECK_INT(store_last_seq(to), last + 1);
    memset(&err, 0, sizeof(err));
    CHECK_RC(store_compare(from, to, &c, &err), CU_E_STORE);
    CHECK(strstr(err.msg, "t/a/new") != NULL);
    store_close(to);
    store_close(from);
    target_remove(&dst);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", src_dir);
    CHECK(system(cmd) == 0);
    TEST_END();
}
