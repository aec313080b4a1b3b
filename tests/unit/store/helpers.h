/* helpers.h — steps several of the store's tests take alike: open a store where it must
 * open, count what an index lookup finds, and the tables of schema version 2 (the oldest
 * schema the migration tests start from, on SQLite and PostgreSQL alike). */
#ifndef CU_TEST_STORE_HELPERS_H
#define CU_TEST_STORE_HELPERS_H

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "store/store.h"

/* The store at url; a store that does not open ends the test (nothing after it can run). */
static inline struct store *open_at(const char *url)
{
    struct store *s = NULL;
    struct cu_err err = {0};

    CHECK_OK(store_open(url, &s, &err));
    if (!s) {
        fprintf(stderr, "store_open: %s\n", err.msg);
        exit(1);
    }
    return s;
}

/* store_find_count of (kind, index, value, within) in a read transaction of its own; 99
 * when it did not answer. */
static inline size_t lookup_count(struct store *s, const char *kind, const char *index,
                                  const char *value, const char *within)
{
    struct store_tx *tx = NULL;
    struct store_lookup q = {kind, index, value, within};
    size_t n = 99;

    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_find_count(tx, &q, &n));
    store_tx_rollback(tx);
    return n;
}

/* Schema version 2's tables and its version, without records (BIGINT: what a v2 store on
 * PostgreSQL had, pg_dialect; SQLite gives it INTEGER's affinity, so its v2 tables are the
 * same). */
#define V2_TABLES_SQL                                                                      \
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"                      \
    "CREATE TABLE objects (kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,"    \
    " doc TEXT NOT NULL, version BIGINT NOT NULL, updated_ms BIGINT NOT NULL,"             \
    " PRIMARY KEY (kind, scope, key));"                                                    \
    "CREATE TABLE change_log (seq BIGINT NOT NULL, n BIGINT NOT NULL, kind TEXT NOT NULL," \
    " scope TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (seq, n));"                      \
    "INSERT INTO meta VALUES ('schema_version', '2');"

#endif
