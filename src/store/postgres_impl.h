/* postgres_impl.h — what the PostgreSQL backend's files share (postgres.c: connections,
 * transactions and records; postgres_index.c: index rows, lookups, meta). src/store/ only. */
#ifndef CU_POSTGRES_IMPL_H
#define CU_POSTGRES_IMPL_H

#include <libpq-fe.h>
#include <pthread.h>

#include "store_impl.h"

/* The prepared statements, by name (their SQL: postgres.c). */
enum pg_stmt {
    PG_GET,
    PG_INSERT,
    PG_UPSERT,
    PG_UPDATE,
    PG_CAS,
    PG_DELETE,
    PG_LIST,
    PG_COUNT,
    PG_LOG,
    PG_PRUNE,
    PG_SCAN_KIND,
    PG_INDEX_ADD,
    PG_INDEX_DROP,
    PG_FIND,
    PG_FIND_PREFIX,
    PG_FIND_COUNT,
    PG_META_GET,
    PG_META_SET,
    PG_META_DEL,
    PG_RESERVE,
    PG_SCAN_ALL,
    PG_SCAN_LOG,
    PG__COUNT
};

/* One connection; its statements are prepared once per session (again after a reconnect). */
struct pg_conn {
    PGconn *db;
    bool prepared;
    struct pg_conn *next;     /* in the idle readers' pool */
};

#define PG_URL_MAX 1024

struct pg_store {
    char conninfo[PG_URL_MAX];     /* the URL as given: libpq parses it (sslmode, ...) */
    char shown[PG_URL_MAX];        /* the URL with its password masked, for the log */
    /* Take and give back the store's write lock: one writer at a time across every node
     * on this database schema (postgres.c) */
    char lock_sql[96], unlock_sql[96];
    pthread_mutex_t write_lock;    /* one writer per node, as SQLite */
    struct pg_conn *writer;
    pthread_mutex_t pool_lock;
    struct pg_conn *readers;       /* idle reader connections */
    /* The channel every writer of this schema NOTIFYs its seq on (pg_reserve_seq), and
     * the listener of postgres_follow.c, NULL until store_pg_follow starts it. */
    char channel[48];
    struct pg_follow *follow;
};

struct pg_tx {
    struct pg_store *s;
    struct pg_conn *c;
    bool write;
    /* an error aborted the transaction on the server: every later statement fails with
     * this code without a round trip, and the caller rolls back */
    cu_rc failed;
};

/* Run prepared statement `which` with n text parameters (NULL: SQL NULL). On success
 * *res is the result (PQclear it); otherwise the transaction is marked failed and the
 * code says why: CU_E_STORE_CONFLICT for a serialization failure, a deadlock or a lost
 * connection (the pipeline runs the call again, on a new connection), else CU_E_STORE.
 * The server's message goes to the log only. */
cu_rc pg_run(struct pg_tx *tx, enum pg_stmt which, int n, const char *const *params,
             PGresult **res);

/* A new connection to s's database (CU_E_UNAVAILABLE when it cannot be had; the log says
 * why, unless quiet). */
cu_rc pg_connect(struct pg_store *s, bool quiet, struct pg_conn **out);
void pg_conn_close(struct pg_conn *c);

/* The follow entry of store_ops (postgres_follow.c): a thread with a connection of its
 * own LISTENs on s->channel. pg_unfollow stops it and waits for it (NULL-safe). */
cu_rc pg_follow(void *impl, void (*wake)(void *ctx, uint64_t seq), void *ctx);
void pg_unfollow(struct pg_store *s);

/* The store_ops entries of postgres_index.c (store_impl.h says what each does). */
cu_rc pg_scan_kind(void *tx_impl, const char *kind, json_t *items);
cu_rc pg_index_add(void *tx_impl, const char *kind, const char *index, const char *value,
                   const char *scope, const char *key);
cu_rc pg_index_drop(void *tx_impl, const char *kind, const char *scope, const char *key);
cu_rc pg_find(void *tx_impl, const struct store_lookup *q, bool prefix,
              const struct store_position *after, size_t limit, json_t *items, bool *more);
cu_rc pg_find_count(void *tx_impl, const struct store_lookup *q, size_t *n);
cu_rc pg_meta_get(void *tx_impl, const char *name, char **value);
cu_rc pg_meta_set(void *tx_impl, const char *name, const char *value);
cu_rc pg_reserve_seq(void *tx_impl, const char *node_meta, uint64_t *seq);
cu_rc pg_scan_all(void *tx_impl, const char *kind, const char *scope, const char *key,
                  size_t limit, json_t *items, bool *more);
cu_rc pg_scan_log(void *tx_impl, uint64_t seq, uint64_t n, size_t limit, json_t *items,
                  bool *more);
/* pg_run, and what the result holds (postgres_rows.c), which is cleared: pg_run_rows
 * appends its rows to items as JSON objects (store_row_set: column i named names[i]), at
 * most limit (0: all), *more when one more came; pg_run_done takes nothing; pg_run_number
 * the first column of its one row (CU_E_STORE when it has another number of rows). */
cu_rc pg_run_rows(struct pg_tx *tx, enum pg_stmt which, int n, const char *const *params,
                  const char *const *names, int n_cols, size_t limit, json_t *items, bool *more);
cu_rc pg_run_done(struct pg_tx *tx, enum pg_stmt which, int n, const char *const *params);
cu_rc pg_run_number(struct pg_tx *tx, enum pg_stmt which, int n, const char *const *params,
                    uint64_t *value);

/* libpq's message msg about a connection to url (postgres_url.c), with what may be a
 * password of url masked as store_url_masked masks it: each quoted value that reads
 * bytes of a password (libpq quotes the host, port or token it could not take, which
 * holds a password's part when the password holds an unencoded '@', '/' or '%'), and
 * the password's text wherever it appears. Into out (cap bytes, NUL-terminated), cut
 * where it does not fit; false (out empty) when cap is 0 or there is no memory. */
bool pg_message_masked(const char *url, const char *msg, char *out, size_t cap);

/* The shared schema's DDL (schema.c) in PostgreSQL's words (postgres_url.c): INTEGER is
 * BIGINT (milliseconds and seqs pass 2^31) and TEXT compares bytewise (COLLATE "C"), as
 * SQLite's does, so listing order is the same on both. NULL when it does not fit. */
char *pg_dialect(const char *sql);

#endif
