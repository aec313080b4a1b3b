/* postgres.c — the store on a PostgreSQL server, through libpq: `--store
 * postgres://USER[:PASSWORD]@HOST:PORT/DB?sslmode=...`. The URL goes to libpq as it is,
 * so sslmode and every other libpq parameter is honoured, and a password missing from it
 * comes from PGPASSWORD or PGPASSFILE (~/.pgpass) as libpq looks them up; the log only
 * ever shows the URL with its password masked (store_url_masked).
 *
 * Threads as in sqlite.c: one writer connection, held by one write transaction at a time,
 * and a pool of reader connections. Read transactions are REPEATABLE READ READ ONLY (a
 * consistent snapshot, as a WAL reader has on SQLite). Write transactions are one at a
 * time across every node on the database, as they are on SQLite: a writer takes a
 * session advisory lock before its BEGIN and gives it back after its COMMIT, so its
 * snapshot already holds every earlier write of every node. Hence, as store.h promises
 * SQLite's: quotas counted in the transaction hold, store_tx_commit_seq is exact, and
 * the seqs (handed out by the database: pg_reserve_seq) are dense and in commit order
 * across nodes. The price: writes do not scale with nodes, reads do (they take no lock).
 * The writers are also SERIALIZABLE, so a writer that skips the lock (another program, a
 * future change) still cannot commit a lost update: a serialization failure (40001) or
 * deadlock (40P01) is CU_E_STORE_CONFLICT, which the request pipeline answers by running
 * the call again in a fresh transaction, up to its bound. Uniqueness is the tables'
 * primary keys. A node that dies loses its session, and its lock with it.
 *
 * A lost connection is reset when a transaction begins on it (BEGIN is tried
 * PG_BEGIN_ATTEMPTS times: nothing has been done yet); lost in the middle of a
 * transaction, nothing of it was committed and it is a conflict too, retried on a new
 * connection; lost during COMMIT, the outcome is unknown and it is CU_E_STORE. A database
 * that cannot be reached is CU_E_UNAVAILABLE (503 ServiceUnavailable) until it is back.
 *
 * Schema: the DDL of every version (schema.c, in PostgreSQL's words: pg_dialect) and
 * store_migrate run at open under a session advisory lock, so several nodes that start
 * at once create or migrate the schema once, one after the other. Index rows, lookups and
 * meta are postgres_index.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/secret.h"
#include "postgres_impl.h"

/* How often a transaction's BEGIN is tried on a connection found lost. */
#define PG_BEGIN_ATTEMPTS 3
/* The advisory locks' first keys ("wrtr", "schm" in ASCII); the second is the hash of the
 * schema the tables live in, so stores on two schemas of one database do not meet. */
#define PG_LOCK_WRITE 2004972658
#define PG_LOCK_SCHEMA 1935894637

/* The meta entry holding the last seq handed out (pg_reserve_seq). */
#define PG_META_SEQ "change_seq"
/* Make it at least the highest seq logged (a new database, or one copied in), and at
 * least 1, where the ring of a store with an empty log starts (store.c). */
#define PG_SEQ_UP                                                                            \
    "INSERT INTO meta (name, value) SELECT '" PG_META_SEQ "', coalesce(max(seq), 1)::text"  \
    " FROM change_log ON CONFLICT (name) DO UPDATE"                                         \
    " SET value = greatest(meta.value::bigint, excluded.value::bigint)::text"

#define FIND_SELECT                                                                          \
    "SELECT o.scope, o.key, o.doc, o.version FROM record_index i"                            \
    " JOIN objects o ON o.kind = i.kind AND o.scope = i.scope AND o.key = i.key"             \
    " WHERE i.kind = $1 AND i.idx = $2"
#define WITHIN                                                                               \
    " AND ($4::text IS NULL OR i.scope = $4::text OR starts_with(i.scope, $4::text || '/'))"
#define AFTER " AND (i.scope > $5 OR (i.scope = $5 AND i.key > $6))"
#define FIND_ORDER " ORDER BY i.scope, i.key LIMIT $7"

/* An INSERT that finds its key taken returns no row rather than failing: a failed
 * statement would abort the whole transaction, and a caller may go on after
 * CU_E_STORE_EXISTS (SQLite's transactions survive a constraint error). */
static const char *const pg_sql[PG__COUNT] = {
    [PG_GET] = "SELECT doc, version FROM objects WHERE kind = $1 AND scope = $2 AND key = $3",
    [PG_INSERT] = "INSERT INTO objects (kind, scope, key, doc, version, updated_ms)"
                  " VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT DO NOTHING RETURNING version",
    [PG_UPSERT] = "INSERT INTO objects (kind, scope, key, doc, version, updated_ms)"
                  " VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (kind, scope, key) DO UPDATE"
                  " SET doc = excluded.doc, version = objects.version + 1,"
                  " updated_ms = excluded.updated_ms RETURNING version",
    [PG_UPDATE] = "UPDATE objects SET doc = $4, version = version + 1, updated_ms = $5"
                  " WHERE kind = $1 AND scope = $2 AND key = $3 RETURNING version",
    [PG_CAS] = "UPDATE objects SET doc = $4, version = version + 1, updated_ms = $5"
               " WHERE kind = $1 AND scope = $2 AND key = $3 AND version = $6 RETURNING version",
    [PG_DELETE] = "DELETE FROM objects WHERE kind = $1 AND scope = $2 AND key = $3",
    [PG_LIST] = "SELECT key, doc FROM objects WHERE kind = $1 AND scope = $2 AND key > $3"
                " ORDER BY key LIMIT $4",
    [PG_COUNT] = "SELECT count(*) FROM objects WHERE kind = $1 AND scope = $2",
    [PG_LOG] = "INSERT INTO change_log (seq, n, kind, scope, key) VALUES ($4, $5, $1, $2, $3)",
    [PG_PRUNE] = "DELETE FROM change_log WHERE seq < $1",
    [PG_SCAN_KIND] = "SELECT scope, key, doc FROM objects WHERE kind = $1 ORDER BY scope, key",
    [PG_INDEX_ADD] = "INSERT INTO record_index (kind, idx, value, scope, key)"
                     " VALUES ($1, $4, $5, $2, $3) ON CONFLICT DO NOTHING",
    [PG_INDEX_DROP] = "DELETE FROM record_index WHERE kind = $1 AND scope = $2 AND key = $3",
    [PG_FIND] = FIND_SELECT " AND i.value = $3" WITHIN AFTER FIND_ORDER,
    [PG_FIND_PREFIX] =
        FIND_SELECT " AND i.value >= $3::text AND starts_with(i.value, $3::text)" WITHIN AFTER
                    FIND_ORDER,
    [PG_FIND_COUNT] = "SELECT count(*) FROM record_index i WHERE i.kind = $1 AND i.idx = $2"
                      " AND i.value = $3" WITHIN,
    [PG_META_GET] = "SELECT value FROM meta WHERE name = $1",
    [PG_META_SET] = "INSERT INTO meta (name, value) VALUES ($1, $2)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    [PG_META_DEL] = "DELETE FROM meta WHERE name = $1",
    /* the row lock it takes is held to COMMIT: a writer of another node that reserves
     * meanwhile waits, then fails to serialize (40001) and its call runs again; $2, when
     * not NULL, is the node's meta entry that keeps the seq too (store_set_node) */
    [PG_RESERVE] = "WITH r AS (UPDATE meta SET value = (value::bigint + 1)::text"
                   " WHERE name = '" PG_META_SEQ "' RETURNING value),"
                   " n AS (INSERT INTO meta (name, value) SELECT $2::text, value FROM r"
                   " WHERE $2::text IS NOT NULL"
                   " ON CONFLICT (name) DO UPDATE SET value = excluded.value)"
                   " SELECT value, pg_notify($1, value) FROM r",
    [PG_SCAN_ALL] = "SELECT kind, scope, key, doc FROM objects WHERE (kind, scope, key) > ($1, $2, $3)"
                    " ORDER BY kind, scope, key LIMIT $4",
    [PG_SCAN_LOG] = "SELECT seq, n, kind, scope, key FROM change_log"
                    " WHERE (seq, n) > ($1::bigint, $2::bigint) ORDER BY seq, n LIMIT $3",
};

/* The log's line for a failed command; the server's text, never a client's. */
static cu_rc fail(PGconn *db, const char *what)
{
    const char *msg = db ? PQerrorMessage(db) : "out of memory";

    log_error("postgres: %s: %.*s", what, (int)strcspn(msg, "\n"), msg);
    return CU_E_STORE;
}

/* libpq's message for db, its first line (the rest explains libpq to a human). */
static int first_line(PGconn *db)
{
    return (int)strcspn(PQerrorMessage(db), "\n");
}

void pg_conn_close(struct pg_conn *c)
{
    if (!c)
        return;
    PQfinish(c->db);
    free(c);
}

/* The server's notices ("relation ... already exists, skipping" at every open) are chatter:
 * the debug log only. */
static void notice(void *arg, const char *message)
{
    (void)arg;
    log_debug("postgres: %.*s", (int)strcspn(message, "\n"), message);
}

cu_rc pg_connect(struct pg_store *s, bool quiet, struct pg_conn **out)
{
    /* defaults first: the URL's own parameters override them (expand_dbname). Keepalives:
     * the server notices a node that vanished (and frees its write lock) within a minute.
     * tcp_user_timeout: a statement sent into a path that drops packets (a partition that
     * refuses nothing) fails after 10 s, as a lost connection, rather than holding its
     * HTTP worker until the kernel's retransmissions give up (about 15 minutes) */
    static const char *const keys[] = {"connect_timeout",  "application_name",
                                       "keepalives_idle",  "keepalives_interval",
                                       "keepalives_count", "tcp_user_timeout",
                                       "dbname",           NULL};
    const char *values[] = {"10", "custos", "30", "10", "3", "10000", s->conninfo, NULL};
    struct pg_conn *c = calloc(1, sizeof(*c));

    if (!c)
        return CU_E_NOMEM;
    c->db = PQconnectdbParams(keys, values, 1);
    if (!c->db || PQstatus(c->db) != CONNECTION_OK) {
        char said[PG_URL_MAX];

        /* libpq may quote a part of the URL it could not read: a password's, masked */
        if (!pg_message_masked(s->conninfo, c->db ? PQerrorMessage(c->db) : "out of memory",
                               said, sizeof(said)))
            str_copy(said, sizeof(said), "out of memory");
        if (!quiet)
            log_error("postgres: cannot connect to %s: %.*s", s->shown, (int)strcspn(said, "\n"),
                      said);
        pg_conn_close(c);
        return CU_E_UNAVAILABLE;
    }
    PQsetNoticeProcessor(c->db, notice, NULL);
    *out = c;
    return CU_OK;
}

/* A command without parameters or rows (BEGIN, COMMIT, DDL). */
static cu_rc exec(PGconn *db, const char *sql)
{
    PGresult *res = PQexec(db, sql);
    cu_rc rc = CU_OK;

    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = fail(db, sql);
    PQclear(res);
    return rc;
}

static cu_rc conn_prepare(struct pg_conn *c)
{
    char name[16];

    for (int i = 0; i < PG__COUNT; i++) {
        PGresult *res;
        bool ok;

        snprintf(name, sizeof(name), "cu%d", i);
        res = PQprepare(c->db, name, pg_sql[i], 0, NULL);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!ok)
            return fail(c->db, pg_sql[i]);
    }
    c->prepared = true;
    return CU_OK;
}

/* Begin on c: a connection found lost is reset (its prepared statements and its
 * session lock with it) and the BEGIN tried again, PG_BEGIN_ATTEMPTS times in all. A
 * writer first takes the store's write lock (the session advisory lock of
 * s->lock_sql), so that its snapshot is taken once every other node's writer is done. */
static cu_rc conn_begin(struct pg_store *s, struct pg_conn *c, bool write)
{
    const char *begin = write ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                              : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    cu_rc rc = CU_E_STORE;

    for (int attempt = 1; attempt <= PG_BEGIN_ATTEMPTS; attempt++) {
        if (PQstatus(c->db) != CONNECTION_OK) {
            log_warn("postgres: connection to %s lost; reconnecting (attempt %d of %d)",
                     s->shown, attempt, PG_BEGIN_ATTEMPTS);
            PQreset(c->db);
            c->prepared = false;
            if (PQstatus(c->db) != CONNECTION_OK) {
                rc = fail(c->db, "reconnect");
                continue;
            }
        }
        rc = c->prepared ? CU_OK : conn_prepare(c);
        if (rc == CU_OK && write)
            rc = exec(c->db, s->lock_sql);
        if (rc == CU_OK) {
            rc = exec(c->db, begin);
            if (rc != CU_OK && write && PQstatus(c->db) == CONNECTION_OK)
                (void)exec(c->db, s->unlock_sql);
        }
        if (rc == CU_OK || PQstatus(c->db) == CONNECTION_OK)
            break;
    }
    /* the database is gone (for now): the client is told so, and may come back */
    if (rc != CU_OK && PQstatus(c->db) != CONNECTION_OK)
        rc = CU_E_UNAVAILABLE;
    return rc;
}

static void pg_close(void *impl)
{
    struct pg_store *s = impl;

    pg_unfollow(s); /* first: its thread calls into the store */
    pg_conn_close(s->writer);
    while (s->readers) {
        struct pg_conn *next = s->readers->next;
        pg_conn_close(s->readers);
        s->readers = next;
    }
    pthread_mutex_destroy(&s->write_lock);
    pthread_mutex_destroy(&s->pool_lock);
    secret_wipe(s->conninfo, sizeof(s->conninfo)); /* it holds the URL's password */
    free(s);
}

static cu_rc reader_take(struct pg_store *s, struct pg_conn **out)
{
    struct pg_conn *c;

    pthread_mutex_lock(&s->pool_lock);
    c = s->readers;
    if (c)
        s->readers = c->next;
    pthread_mutex_unlock(&s->pool_lock);
    if (c) {
        *out = c;
        return CU_OK;
    }
    return pg_connect(s, false, out);
}

static void reader_give(struct pg_store *s, struct pg_conn *c)
{
    pthread_mutex_lock(&s->pool_lock);
    c->next = s->readers;
    s->readers = c;
    pthread_mutex_unlock(&s->pool_lock);
}

/* After COMMIT or ROLLBACK (or a failed BEGIN): the locks go, the connection back. */
static void tx_release(struct pg_tx *tx)
{
    if (tx->write && PQstatus(tx->c->db) == CONNECTION_OK)
        (void)exec(tx->c->db, tx->s->unlock_sql);
    if (tx->write)
        pthread_mutex_unlock(&tx->s->write_lock);
    else
        reader_give(tx->s, tx->c);
    free(tx);
}

static cu_rc pg_begin(void *impl, bool write, void **out)
{
    cu_rc rc = CU_OK;
    struct pg_store *s = impl;
    struct pg_tx *tx = calloc(1, sizeof(*tx));

    ENSURE(tx, CU_E_NOMEM);
    tx->s = s;
    tx->write = write;
    if (write) {
        pthread_mutex_lock(&s->write_lock);
        tx->c = s->writer;
    } else {
        rc = reader_take(s, &tx->c);
        if (rc != CU_OK) {
            free(tx);
            return rc;
        }
    }
    rc = conn_begin(s, tx->c, write);
    if (rc != CU_OK) {
        if (write)
            pthread_mutex_unlock(&s->write_lock);
        else
            reader_give(s, tx->c);
        free(tx);
        return rc;
    }
    *out = tx;
out:
    return rc;
}

/* What a failed statement or COMMIT means for the caller (postgres_impl.h, pg_run). */
static cu_rc classify(PGconn *db, PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    if (PQstatus(db) != CONNECTION_OK) {
        log_warn("postgres: connection lost during %s: %.*s", what, first_line(db),
                 PQerrorMessage(db));
        return CU_E_STORE_CONFLICT;
    }
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)) {
        log_debug("postgres: %s: serialization failure (%s): retried", what, state);
        return CU_E_STORE_CONFLICT;
    }
    return fail(db, what);
}

cu_rc pg_run(struct pg_tx *tx, enum pg_stmt which, int n, const char *const *params,
             PGresult **out)
{
    char name[16];
    PGresult *res;
    ExecStatusType st;

    *out = NULL;
    if (tx->failed)
        return tx->failed;
    snprintf(name, sizeof(name), "cu%d", (int)which);
    res = PQexecPrepared(tx->c->db, name, n, params, NULL, NULL, 0);
    st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        *out = res;
        return CU_OK;
    }
    tx->failed = classify(tx->c->db, res, pg_sql[which]);
    PQclear(res);
    return tx->failed;
}

static cu_rc pg_commit(void *impl, void *p)
{
    struct pg_tx *tx = p;
    PGresult *res;
    cu_rc rc = tx->failed;

    (void)impl;
    if (rc != CU_OK) {
        (void)exec(tx->c->db, "ROLLBACK");
        tx_release(tx);
        return rc;
    }
    res = PQexec(tx->c->db, "COMMIT");
    /* a COMMIT of a transaction the server had aborted answers "ROLLBACK" */
    if (PQresultStatus(res) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(res), "COMMIT") == 0) {
        rc = CU_OK;
    } else if (PQstatus(tx->c->db) != CONNECTION_OK) {
        log_error("postgres: connection lost during COMMIT: its outcome is unknown");
        rc = CU_E_STORE;
    } else {
        rc = classify(tx->c->db, res, "COMMIT");
    }
    PQclear(res);
    tx_release(tx);
    return rc;
}

static void pg_rollback(void *impl, void *p)
{
    struct pg_tx *tx = p;

    (void)impl;
    if (PQstatus(tx->c->db) == CONNECTION_OK)
        (void)exec(tx->c->db, "ROLLBACK");
    tx_release(tx);
}

static cu_rc pg_get(void *p, const char *kind, const char *scope, const char *key, char **doc,
                    uint64_t *version)
{
    const char *params[] = {kind, scope, key};
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    *doc = NULL;
    *version = 0;
    TRY(pg_run(p, PG_GET, 3, params, &res));
    if (PQntuples(res) > 0) {
        *version = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
        *doc = strdup(PQgetvalue(res, 0, 0));
        ENSURE(*doc, CU_E_NOMEM);
    }
out:
    PQclear(res);
    return rc;
}

static cu_rc pg_put(void *p, const char *kind, const char *scope, const char *key,
                    const char *doc, enum store_put_mode mode, uint64_t expect,
                    uint64_t *version)
{
    static const enum pg_stmt stmts[] = {
        [PUT_MODE_INSERT] = PG_INSERT,
        [PUT_MODE_UPSERT] = PG_UPSERT,
        [PUT_MODE_UPDATE] = PG_UPDATE,
        [PUT_MODE_CAS] = PG_CAS,
    };
    enum put_mode_stmt which = put_mode_choose(mode, expect);
    char now[24], want[24];
    const char *params[] = {kind, scope, key, doc, now, want};
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    snprintf(now, sizeof(now), "%lld", (long long)clock_now_ms());
    snprintf(want, sizeof(want), "%llu", (unsigned long long)expect);
    TRY(pg_run(p, stmts[which], expect ? 6 : 5, params, &res));
    if (PQntuples(res) > 0)
        *version = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    else
        rc = put_mode_missed(which);
out:
    PQclear(res);
    return rc;
}

static cu_rc pg_del(void *p, const char *kind, const char *scope, const char *key, bool *existed)
{
    const char *params[] = {kind, scope, key};
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    *existed = false;
    TRY(pg_run(p, PG_DELETE, 3, params, &res));
    *existed = strcmp(PQcmdTuples(res), "0") != 0;
out:
    PQclear(res);
    return rc;
}

static cu_rc pg_list(void *p, const char *kind, const char *scope, const char *after,
                     size_t limit, json_t *items, bool *more)
{
    static const char *const names[] = {"key", "doc"};
    char lim[24];
    const char *params[] = {kind, scope, after ? after : "", lim};

    snprintf(lim, sizeof(lim), "%zu", limit + 1);
    return pg_run_rows(p, PG_LIST, 4, params, names, 2, limit, items, more);
}

static cu_rc pg_count(void *p, const char *kind, const char *scope, size_t *n)
{
    const char *params[] = {kind, scope};
    uint64_t count = 0;
    cu_rc rc = pg_run_number(p, PG_COUNT, 2, params, &count);

    if (rc == CU_OK)
        *n = (size_t)count;
    return rc;
}

static cu_rc pg_log_change(void *p, uint64_t seq, size_t n, const char *kind, const char *scope,
                           const char *key)
{
    char seq_text[24], n_text[24];
    const char *params[] = {kind, scope, key, seq_text, n_text};

    snprintf(seq_text, sizeof(seq_text), "%llu", (unsigned long long)seq);
    snprintf(n_text, sizeof(n_text), "%zu", n);
    return pg_run_done(p, PG_LOG, 5, params);
}

static cu_rc pg_prune_log(void *p, uint64_t below)
{
    char text[24];
    const char *params[] = {text};

    snprintf(text, sizeof(text), "%llu", (unsigned long long)below);
    return pg_run_done(p, PG_PRUNE, 1, params);
}

/* The seq last handed out, which is at least the highest in change_log. */
static cu_rc pg_last_seq(void *impl, uint64_t *seq)
{
    struct pg_store *s = impl;
    PGresult *res = PQexec(s->writer->db, "SELECT value::bigint FROM meta"
                                          " WHERE name = '" PG_META_SEQ "'");
    cu_rc rc = CU_OK;

    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        *seq = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    else
        rc = fail(s->writer->db, "change log seq");
    PQclear(res);
    return rc;
}

static const struct store_ops pg_ops = {
    .name = "postgres",
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .get = pg_get,
    .put = pg_put,
    .del = pg_del,
    .list = pg_list,
    .count = pg_count,
    .scan_kind = pg_scan_kind,
    .scan_all = pg_scan_all,
    .scan_log = pg_scan_log,
    .index_add = pg_index_add,
    .index_drop = pg_index_drop,
    .find = pg_find,
    .find_count = pg_find_count,
    .log_change = pg_log_change,
    .prune_log = pg_prune_log,
    .reserve_seq = pg_reserve_seq,
    .follow = pg_follow,
    .last_seq = pg_last_seq,
    .meta_get = pg_meta_get,
    .meta_set = pg_meta_set,
};

/* Every version's DDL in one transaction (idempotent, as on SQLite). */
static cu_rc migrate_ddl(struct pg_conn *c)
{
    cu_rc rc = CU_OK;
    char *sql = NULL;

    TRY(exec(c->db, "BEGIN"));
    for (size_t v = 0; v < store_migrations_n; v++)
        for (const char *const *ddl = store_migrations[v].sql; *ddl; ddl++) {
            sql = pg_dialect(*ddl);
            ENSURE(sql, CU_E_NOMEM);
            TRY(exec(c->db, sql));
            free(sql);
            sql = NULL;
        }
    TRY(exec(c->db, "COMMIT"));
out:
    free(sql);
    if (rc != CU_OK)
        (void)exec(c->db, "ROLLBACK");
    return rc;
}

/* The statements that take and give back the advisory lock `key` of this store. */
static void lock_statements(int key, int schema, char *lock, char *unlock, size_t cap)
{
    snprintf(lock, cap, "SELECT pg_advisory_lock(%d, %d)", key, schema);
    snprintf(unlock, cap, "SELECT pg_advisory_unlock(%d, %d)", key, schema);
}

/* Create or migrate the schema, one node at a time. */
static cu_rc schema_up(struct pg_store *s, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    char lock[96], unlock[96];
    PGresult *res = PQexec(s->writer->db, "SELECT hashtext(current_schema())");
    int schema = 0;

    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
        !PQgetisnull(res, 0, 0))
        schema = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    else
        rc = fail(s->writer->db, "current_schema");
    PQclear(res);
    if (rc != CU_OK)
        return cu_err_set(err, CU_E_STORE, "the store at %s has no schema to create its tables "
                                           "in (see the log)", s->shown);
    /* NOTIFY reaches every session of the database: the schema's hash keeps stores on
     * other schemas from waking for it */
    snprintf(s->channel, sizeof(s->channel), "custos_changes_%u", (unsigned)schema);
    lock_statements(PG_LOCK_WRITE, schema, s->lock_sql, s->unlock_sql, sizeof(s->lock_sql));
    lock_statements(PG_LOCK_SCHEMA, schema, lock, unlock, sizeof(lock));
    if (exec(s->writer->db, lock) != CU_OK)
        return cu_err_set(err, CU_E_STORE, "cannot lock the store's schema at %s (see the log)",
                          s->shown);
    rc = migrate_ddl(s->writer);
    if (rc == CU_OK)
        rc = conn_prepare(s->writer);
    if (rc != CU_OK)
        cu_err_set(err, CU_E_STORE, "cannot create the store's tables at %s (see the log)",
                   s->shown);
    else
        rc = store_migrate(&pg_ops, s, err);
    if (rc == CU_OK && exec(s->writer->db, PG_SEQ_UP) != CU_OK)
        rc = cu_err_set(err, CU_E_STORE, "cannot read the store's change log at %s (see the log)",
                        s->shown);
    /* the session's lock goes with its connection if this fails */
    (void)exec(s->writer->db, unlock);
    return rc;
}

cu_rc store_pg_open(const char *url, const struct store_ops **ops, void **impl,
                    struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct pg_store *s = calloc(1, sizeof(*s));

    ENSURE(s, CU_E_NOMEM);
    pthread_mutex_init(&s->write_lock, NULL);
    pthread_mutex_init(&s->pool_lock, NULL);
    if (strlen(url) >= sizeof(s->conninfo) || !store_url_masked(url, s->shown, sizeof(s->shown))) {
        rc = cu_err_set(err, CU_E_STORE, "the store URL is longer than %zu bytes",
                        sizeof(s->conninfo) - 1);
        goto out;
    }
    memcpy(s->conninfo, url, strlen(url) + 1);
    if (pg_connect(s, false, &s->writer) != CU_OK) {
        rc = cu_err_set(err, CU_E_STORE, "cannot connect to the store %s (see the log)",
                        s->shown);
        goto out;
    }
    TRY(schema_up(s, err));
    log_info("store: PostgreSQL at %s", s->shown);
    *ops = &pg_ops;
    *impl = s;
    s = NULL;
out:
    if (s)
        pg_close(s);
    return rc;
}
