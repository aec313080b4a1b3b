/* sqlite.c — the embedded store: DIR/custos.db in WAL mode with synchronous=FULL, so a
 * commit returns only once its WAL frames are on disk (an acknowledged write survives
 * SIGKILL and power loss).
 *
 * One writer connection, guarded by a mutex for the length of a write transaction
 * (BEGIN IMMEDIATE: writers queue here, never on SQLITE_BUSY), and a pool of reader
 * connections that run concurrently with it on WAL snapshots. Every connection prepares
 * its statements once. SQLite's own messages go to the log, never to a client. Index
 * rows, lookups and the meta table are sqlite_index.c's.
 * The database holds sealed key material and hashed tokens: it is created 0600 before
 * SQLite opens it, and SQLite gives its -wal and -shm files the database's mode. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "sqlite_impl.h"

/* The parts of the index lookups (sqlite_index.c binds ?1 kind, ?2 index, ?3 value,
 * ?4 within, ?5/?6 after's scope and key, ?7 limit). */
#define FIND_SELECT                                                                          \
    "SELECT o.scope, o.key, o.doc, o.version FROM record_index i"                            \
    " JOIN objects o ON o.kind = i.kind AND o.scope = i.scope AND o.key = i.key"             \
    " WHERE i.kind = ?1 AND i.idx = ?2"
#define COUNT_SELECT "SELECT count(*) FROM record_index i WHERE i.kind = ?1 AND i.idx = ?2"
#define PREFIX " AND i.value >= ?3 AND substr(i.value, 1, length(?3)) = ?3"
#define WITHIN                                                                               \
    " AND (?4 IS NULL OR i.scope = ?4 OR substr(i.scope, 1, length(?4) + 1) = ?4 || '/')"
#define AFTER " AND (i.scope > ?5 OR (i.scope = ?5 AND i.key > ?6))"
#define FIND_ORDER " ORDER BY i.scope, i.key LIMIT ?7"

const char *const sqlite_stmt_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN",
    [ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_GET] = "SELECT doc, version FROM objects WHERE kind = ?1 AND scope = ?2 AND key = ?3",
    [ST_INSERT] = "INSERT INTO objects (kind, scope, key, doc, version, updated_ms)"
                  " VALUES (?1, ?2, ?3, ?4, 1, ?5) RETURNING version",
    [ST_UPSERT] = "INSERT INTO objects (kind, scope, key, doc, version, updated_ms)"
                  " VALUES (?1, ?2, ?3, ?4, 1, ?5) ON CONFLICT (kind, scope, key) DO UPDATE"
                  " SET doc = excluded.doc, version = version + 1, updated_ms = excluded.updated_ms"
                  " RETURNING version",
    [ST_UPDATE] = "UPDATE objects SET doc = ?4, version = version + 1, updated_ms = ?5"
                  " WHERE kind = ?1 AND scope = ?2 AND key = ?3 RETURNING version",
    [ST_DELETE] = "DELETE FROM objects WHERE kind = ?1 AND scope = ?2 AND key = ?3",
    [ST_LIST] = "SELECT key, doc FROM objects WHERE kind = ?1 AND scope = ?2 AND key > ?3"
                " ORDER BY key LIMIT ?4",
    [ST_COUNT] = "SELECT count(*) FROM objects WHERE kind = ?1 AND scope = ?2",
    [ST_LOG] = "INSERT INTO change_log (seq, n, kind, scope, key) VALUES (?4, ?5, ?1, ?2, ?3)",
    [ST_CAS] = "UPDATE objects SET doc = ?4, version = version + 1, updated_ms = ?5"
               " WHERE kind = ?1 AND scope = ?2 AND key = ?3 AND version = ?6 RETURNING version",
    [ST_SCAN_KIND] = "SELECT scope, key, doc FROM objects WHERE kind = ?1 ORDER BY scope, key",
    [ST_INDEX_ADD] = "INSERT INTO record_index (kind, idx, value, scope, key)"
                     " VALUES (?1, ?4, ?5, ?2, ?3) ON CONFLICT DO NOTHING",
    [ST_INDEX_DROP] = "DELETE FROM record_index WHERE kind = ?1 AND scope = ?2 AND key = ?3",
    /* ?4 within: the scope itself or any scope below it. A prefix lookup starts the
     * index range at the prefix (value >= ?3) and keeps the values that begin with it. */
    [ST_FIND] = FIND_SELECT " AND i.value = ?3" WITHIN AFTER FIND_ORDER,
    [ST_FIND_COUNT] = COUNT_SELECT " AND i.value = ?3" WITHIN,
    [ST_FIND_PREFIX] = FIND_SELECT PREFIX WITHIN AFTER FIND_ORDER,
    [ST_PRUNE] = "DELETE FROM change_log WHERE seq < ?1",
    [ST_META_GET] = "SELECT value FROM meta WHERE name = ?1",
    [ST_META_SET] = "INSERT INTO meta (name, value) VALUES (?1, ?2)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    [ST_META_DEL] = "DELETE FROM meta WHERE name = ?1",
    [ST_SCAN_ALL] = "SELECT kind, scope, key, doc FROM objects WHERE (kind, scope, key) > (?1, ?2, ?3)"
                    " ORDER BY kind, scope, key LIMIT ?4",
    [ST_SCAN_LOG] = "SELECT seq, n, kind, scope, key FROM change_log WHERE (seq, n) > (?1, ?2)"
                    " ORDER BY seq, n LIMIT ?3",
};

cu_rc sqlite_fail(sqlite3 *db, const char *what)
{
    log_error("sqlite: %s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
    return CU_E_STORE;
}

static void conn_close(struct conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c);
}

static cu_rc exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("sqlite: %s: %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return CU_E_STORE;
    }
    return CU_OK;
}

static cu_rc conn_open(const char *path, struct conn **out)
{
    cu_rc rc = CU_OK;
    struct conn *c = calloc(1, sizeof(*c));
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

    ENSURE(c, CU_E_NOMEM);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        rc = sqlite_fail(c->db, "open");
        goto out;
    }
    sqlite3_busy_timeout(c->db, 10000);
    TRY(exec(c->db, "PRAGMA journal_mode=WAL"));
    TRY(exec(c->db, "PRAGMA synchronous=FULL"));
    *out = c;
    c = NULL;
out:
    conn_close(c);
    return rc;
}

static cu_rc conn_prepare(struct conn *c)
{
    for (int i = 0; i < ST__COUNT; i++)
        if (sqlite3_prepare_v3(c->db, sqlite_stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i],
                               NULL) != SQLITE_OK)
            return sqlite_fail(c->db, sqlite_stmt_sql[i]);
    return CU_OK;
}

/* Run a statement that returns no rows, then reset it. */
cu_rc sqlite_step_done(struct conn *c, enum stmt which)
{
    sqlite3_stmt *st = c->st[which];
    int r = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return sqlite_fail(c->db, sqlite_stmt_sql[which]);
    return CU_OK;
}

/* Every version's DDL; each step is idempotent (IF NOT EXISTS), so an older database
 * gains the newer tables. The data steps and the version number are store_migrate's. */
static cu_rc migrate_ddl(struct conn *c)
{
    cu_rc rc = CU_OK;

    TRY(exec(c->db, "BEGIN IMMEDIATE"));
    for (size_t v = 0; v < store_migrations_n; v++)
        for (const char *const *sql = store_migrations[v].sql; *sql; sql++)
            TRY(exec(c->db, *sql));
    TRY(exec(c->db, "COMMIT"));
out:
    if (rc != CU_OK)
        exec(c->db, "ROLLBACK");
    return rc;
}

static void sqlite_close(void *impl)
{
    struct sqlite_store *s = impl;

    conn_close(s->writer);
    while (s->readers) {
        struct conn *next = s->readers->next;
        conn_close(s->readers);
        s->readers = next;
    }
    pthread_mutex_destroy(&s->write_lock);
    pthread_mutex_destroy(&s->pool_lock);
    free(s);
}

static cu_rc reader_take(struct sqlite_store *s, struct conn **out)
{
    cu_rc rc = CU_OK;
    struct conn *c;

    pthread_mutex_lock(&s->pool_lock);
    c = s->readers;
    if (c)
        s->readers = c->next;
    pthread_mutex_unlock(&s->pool_lock);
    if (!c) {
        TRY(conn_open(s->path, &c));
        rc = conn_prepare(c);
        if (rc != CU_OK) {
            conn_close(c);
            goto out;
        }
    }
    *out = c;
out:
    return rc;
}

static void reader_give(struct sqlite_store *s, struct conn *c)
{
    pthread_mutex_lock(&s->pool_lock);
    c->next = s->readers;
    s->readers = c;
    pthread_mutex_unlock(&s->pool_lock);
}

static void tx_release(struct sqlite_tx *tx)
{
    if (tx->write)
        pthread_mutex_unlock(&tx->s->write_lock);
    else
        reader_give(tx->s, tx->c);
    free(tx);
}

static cu_rc sqlite_begin(void *impl, bool write, void **out)
{
    cu_rc rc = CU_OK;
    struct sqlite_store *s = impl;
    struct sqlite_tx *tx = calloc(1, sizeof(*tx));

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
    rc = sqlite_step_done(tx->c, write ? ST_BEGIN_WRITE : ST_BEGIN);
    if (rc != CU_OK) {
        tx_release(tx);
        return rc;
    }
    *out = tx;
out:
    return rc;
}

static cu_rc sqlite_commit(void *impl, void *p)
{
    struct sqlite_tx *tx = p;
    cu_rc rc = sqlite_step_done(tx->c, ST_COMMIT);

    if (rc != CU_OK)
        (void)sqlite_step_done(tx->c, ST_ROLLBACK);
    tx_release(tx);
    return rc;
}

static void sqlite_rollback(void *impl, void *p)
{
    struct sqlite_tx *tx = p;

    if (!sqlite3_get_autocommit(tx->c->db))
        (void)sqlite_step_done(tx->c, ST_ROLLBACK);
    tx_release(tx);
}

void sqlite_bind_address(sqlite3_stmt *st, const char *kind, const char *scope, const char *key)
{
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, scope, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
}

static cu_rc sqlite_get(void *p, const char *kind, const char *scope, const char *key, char **doc,
                        uint64_t *version)
{
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_GET];
    cu_rc rc = CU_OK;
    int r;

    *doc = NULL;
    *version = 0;
    sqlite_bind_address(st, kind, scope, key);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *version = (uint64_t)sqlite3_column_int64(st, 1);
        *doc = strdup((const char *)sqlite3_column_text(st, 0));
        if (!*doc)
            rc = CU_E_NOMEM;
    } else if (r != SQLITE_DONE) {
        rc = sqlite_fail(tx->c->db, "get");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static cu_rc sqlite_put(void *p, const char *kind, const char *scope, const char *key,
                        const char *doc, enum store_put_mode mode, uint64_t expect,
                        uint64_t *version)
{
    static const enum stmt stmts[] = {
        [PUT_MODE_INSERT] = ST_INSERT,
        [PUT_MODE_UPSERT] = ST_UPSERT,
        [PUT_MODE_UPDATE] = ST_UPDATE,
        [PUT_MODE_CAS] = ST_CAS,
    };
    struct sqlite_tx *tx = p;
    enum put_mode_stmt which = put_mode_choose(mode, expect);
    sqlite3_stmt *st = tx->c->st[stmts[which]];
    cu_rc rc = CU_OK;
    int r;

    sqlite_bind_address(st, kind, scope, key);
    sqlite3_bind_text(st, 4, doc, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, clock_now_ms());
    if (expect)
        sqlite3_bind_int64(st, 6, (sqlite3_int64)expect);
    /* RETURNING: the change is made by the first step, which yields the new version */
    r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *version = (uint64_t)sqlite3_column_int64(st, 0);
    /* the INSERT has no ON CONFLICT: a taken key fails it (the transaction goes on) */
    else if (r == SQLITE_DONE || (r == SQLITE_CONSTRAINT && which == PUT_MODE_INSERT))
        rc = put_mode_missed(which);
    else
        rc = sqlite_fail(tx->c->db, "put");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static cu_rc sqlite_del(void *p, const char *kind, const char *scope, const char *key,
                        bool *existed)
{
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_DELETE];
    cu_rc rc = CU_OK;

    sqlite_bind_address(st, kind, scope, key);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sqlite_fail(tx->c->db, "delete");
    *existed = rc == CU_OK && sqlite3_changes(tx->c->db) > 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static cu_rc sqlite_list(void *p, const char *kind, const char *scope, const char *after,
                         size_t limit, json_t *items, bool *more)
{
    static const char *const names[] = {"key", "doc"};
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_LIST];

    sqlite_bind_address(st, kind, scope, after ? after : "");
    sqlite3_bind_int64(st, 4, (sqlite3_int64)limit + 1);
    return sqlite_rows_to_json(tx, ST_LIST, names, 2, limit, items, more);
}

static cu_rc sqlite_count(void *p, const char *kind, const char *scope, size_t *n)
{
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_COUNT];
    cu_rc rc = CU_OK;

    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, scope, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = (size_t)sqlite3_column_int64(st, 0);
    else
        rc = sqlite_fail(tx->c->db, "count");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static cu_rc sqlite_log_change(void *p, uint64_t seq, size_t n, const char *kind,
                               const char *scope, const char *key)
{
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_LOG];
    cu_rc rc = CU_OK;

    sqlite_bind_address(st, kind, scope, key);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)seq);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)n);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sqlite_fail(tx->c->db, "change log");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static cu_rc sqlite_last_seq(void *impl, uint64_t *seq)
{
    struct sqlite_store *s = impl;
    sqlite3_stmt *st = NULL;
    cu_rc rc = CU_OK;

    if (sqlite3_prepare_v2(s->writer->db, "SELECT coalesce(max(seq), 0) FROM change_log", -1,
                           &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
        rc = sqlite_fail(s->writer->db, "change log seq");
    else
        *seq = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

static cu_rc sqlite_prune_log(void *p, uint64_t below)
{
    struct sqlite_tx *tx = p;

    sqlite3_bind_int64(tx->c->st[ST_PRUNE], 1, (sqlite3_int64)below);
    return sqlite_step_done(tx->c, ST_PRUNE);
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sqlite_close,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .get = sqlite_get,
    .put = sqlite_put,
    .del = sqlite_del,
    .list = sqlite_list,
    .count = sqlite_count,
    .scan_kind = sqlite_scan_kind,
    .scan_all = sqlite_scan_all,
    .scan_log = sqlite_scan_log,
    .index_add = sqlite_index_add,
    .index_drop = sqlite_index_drop,
    .find = sqlite_find,
    .find_count = sqlite_find_count,
    .log_change = sqlite_log_change,
    .prune_log = sqlite_prune_log,
    .last_seq = sqlite_last_seq,
    .meta_get = sqlite_meta_get,
    .meta_set = sqlite_meta_set,
};

/* Make DIR/custos.db exist with mode 0600 (SQLite would create it 0644 less the umask),
 * and bring files an older custos left 0644 (the db, its -wal and -shm) down to 0600. */
static cu_rc restrict_files(const char *path)
{
    static const char *const suffixes[] = {"-wal", "-shm"};
    char side[DB_PATH_MAX + 8];
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0 || fchmod(fd, 0600) != 0) {
        log_msg(LOG_ERROR, "store: cannot create %s with mode 0600: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return CU_E_STORE;
    }
    close(fd);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(side, sizeof(side), "%s%s", path, suffixes[i]);
        if (chmod(side, 0600) != 0 && errno != ENOENT) {
            log_msg(LOG_ERROR, "store: cannot make %s mode 0600: %s", side, strerror(errno));
            return CU_E_STORE;
        }
    }
    return CU_OK;
}

cu_rc store_sqlite_open(const char *dir, const struct store_ops **ops, void **impl,
                        struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct sqlite_store *s = calloc(1, sizeof(*s));

    ENSURE(s, CU_E_NOMEM);
    pthread_mutex_init(&s->write_lock, NULL);
    pthread_mutex_init(&s->pool_lock, NULL);
    snprintf(s->path, sizeof(s->path), "%s/custos.db", dir);
    rc = restrict_files(s->path);
    if (rc == CU_OK)
        rc = conn_open(s->path, &s->writer);
    if (rc == CU_OK)
        rc = migrate_ddl(s->writer);
    if (rc == CU_OK)
        rc = conn_prepare(s->writer);
    if (rc != CU_OK) {
        cu_err_set(err, CU_E_STORE, "cannot open the store %s (see the log)", s->path);
        goto out;
    }
    *ops = &sqlite_ops;
    *impl = s;
    s = NULL;
out:
    if (s)
        sqlite_close(s);
    return rc;
}
