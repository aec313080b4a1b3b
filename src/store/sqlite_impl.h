/* sqlite_impl.h — what the SQLite backend's files share (sqlite.c: connections,
 * transactions and records; sqlite_index.c: index rows, lookups, meta). src/store/ only. */
#ifndef CU_SQLITE_IMPL_H
#define CU_SQLITE_IMPL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store_impl.h"

/* The prepared statements, by name. */
enum stmt {
    ST_BEGIN,
    ST_BEGIN_WRITE,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_GET,
    ST_INSERT,
    ST_UPSERT,
    ST_UPDATE,
    ST_DELETE,
    ST_LIST,
    ST_COUNT,
    ST_LOG,
    ST_CAS,
    ST_SCAN_KIND,
    ST_INDEX_ADD,
    ST_INDEX_DROP,
    ST_FIND,
    ST_FIND_COUNT,
    ST_FIND_PREFIX,
    ST_PRUNE,
    ST_META_GET,
    ST_META_SET,
    ST_META_DEL,
    ST_SCAN_ALL,
    ST_SCAN_LOG,
    ST__COUNT
};

/* Every statement's SQL, prepared once per connection (sqlite.c). */
extern const char *const sqlite_stmt_sql[ST__COUNT];

/* One connection with its statements; readers wait in a pool (next). */
struct conn {
    sqlite3 *db;
    sqlite3_stmt *st[ST__COUNT];
    struct conn *next;
};

#define DB_PATH_MAX 1100

struct sqlite_store {
    char path[DB_PATH_MAX];
    pthread_mutex_t write_lock;    /* held from BEGIN IMMEDIATE to COMMIT/ROLLBACK */
    struct conn *writer;
    pthread_mutex_t pool_lock;
    struct conn *readers;          /* idle reader connections */
};

/* A transaction: its connection (the writer, or a pooled reader). */
struct sqlite_tx {
    struct sqlite_store *s;
    struct conn *c;
    bool write;
};

/* Log SQLite's message for `what` (never to a client); CU_E_STORE. */
cu_rc sqlite_fail(sqlite3 *db, const char *what);
/* Run a statement that returns no rows, then reset it and clear its bindings. */
cu_rc sqlite_step_done(struct conn *c, enum stmt which);
/* Bind (kind, scope, key) to ?1, ?2, ?3 (borrowed: they must outlive the step). */
void sqlite_bind_address(sqlite3_stmt *st, const char *kind, const char *scope, const char *key);

/* Step statement `which` (bound already) and append its rows to items as JSON objects
 * (store_row_set: column i named names[i]), then reset it. At most limit rows (0: all);
 * *more when one more came. */
cu_rc sqlite_rows_to_json(struct sqlite_tx *tx, enum stmt which, const char *const *names,
                          int n_cols, size_t limit, json_t *items, bool *more);

/* The store_ops entries of sqlite_index.c (store_impl.h says what each does). */
cu_rc sqlite_scan_kind(void *tx_impl, const char *kind, json_t *items);
cu_rc sqlite_index_add(void *tx_impl, const char *kind, const char *index, const char *value,
                       const char *scope, const char *key);
cu_rc sqlite_index_drop(void *tx_impl, const char *kind, const char *scope, const char *key);
cu_rc sqlite_find(void *tx_impl, const struct store_lookup *q, bool prefix,
                  const struct store_position *after,
                  size_t limit, json_t *items, bool *more);
cu_rc sqlite_find_count(void *tx_impl, const struct store_lookup *q, size_t *n);
cu_rc sqlite_scan_all(void *tx_impl, const char *kind, const char *scope, const char *key,
                      size_t limit, json_t *items, bool *more);
cu_rc sqlite_scan_log(void *tx_impl, uint64_t seq, uint64_t n, size_t limit, json_t *items,
                      bool *more);
cu_rc sqlite_meta_get(void *tx_impl, const char *name, char **value);
cu_rc sqlite_meta_set(void *tx_impl, const char *name, const char *value);

#endif
