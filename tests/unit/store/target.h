/* target.h — the store the store's tests run against. By default a new directory (the
 * embedded SQLite backend); when CUSTOS_TEST_PG_URL_FILE names the file the "pg" ctest
 * fixture wrote (tests/pg_server.py), a new schema of that PostgreSQL database, reached
 * through the fixture's URL with search_path set to it, so each test starts from an
 * empty store as it does with a new directory. target_exec/target_query reach the
 * database under the store, for tests that write an old schema or read tables directly. */
#ifndef CU_TEST_TARGET_H
#define CU_TEST_TARGET_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

struct target {
    char url[1200];   /* what store_open takes */
    char base[1024];  /* PostgreSQL: the fixture's URL; "" for SQLite */
    char schema[64];
};

static inline bool target_is_pg(const struct target *t)
{
    return t->base[0] != '\0';
}

static void target_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "relation ... already exists, skipping" and the like */
}

/* A connection to url: one kept open for the last url asked (each new one costs a
 * password exchange, and the prune test queries after every commit). */
static PGconn *target_pg_connect(const char *url)
{
    static PGconn *db;
    static char db_url[1200];

    if (db && strcmp(db_url, url) == 0 && PQstatus(db) == CONNECTION_OK)
        return db;
    PQfinish(db);
    db = PQconnectdb(url);
    snprintf(db_url, sizeof(db_url), "%s", url);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "target: cannot connect: %s", PQerrorMessage(db));
        CHECK(!"PostgreSQL reachable");
    }
    PQsetNoticeProcessor(db, target_quiet, NULL);
    return db;
}

/* Run sql (several statements allowed) on the target's database: true when it worked. */
static inline bool target_exec(const struct target *t, const char *sql)
{
    bool ok;

    if (target_is_pg(t)) {
        PGconn *db = target_pg_connect(t->url);
        PGresult *res = PQexec(db, sql);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
        if (!ok)
            fprintf(stderr, "target: %s: %s", sql, PQerrorMessage(db));
        PQclear(res);
    } else {
        char path[1300];
        sqlite3 *db = NULL;
        snprintf(path, sizeof(path), "%s/custos.db", t->url);
        ok = sqlite3_open(path, &db) == SQLITE_OK &&
             sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
        sqlite3_close(db);
    }
    return ok;
}

/* The rows of a query as text: columns joined by '|', one line a row, into out. */
static inline bool target_query(const struct target *t, const char *sql, char *out, size_t cap)
{
    size_t used = 0;
    bool ok = false;

    out[0] = '\0';
    if (target_is_pg(t)) {
        PGconn *db = target_pg_connect(t->url);
        PGresult *res = PQexec(db, sql);
        ok = PQresultStatus(res) == PGRES_TUPLES_OK;
        for (int r = 0; ok && r < PQntuples(res); r++)
            for (int c = 0; c < PQnfields(res); c++)
                used += (size_t)snprintf(out + used, used < cap ? cap - used : 0, "%s%s",
                                         PQgetvalue(res, r, c),
                                         c + 1 < PQnfields(res) ? "|" : "\n");
        if (!ok)
            fprintf(stderr, "target: %s: %s", sql, PQerrorMessage(db));
        PQclear(res);
    } else {
        char path[1300];
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        snprintf(path, sizeof(path), "%s/custos.db", t->url);
        ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK;
        while (ok && sqlite3_step(st) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const char *v = (const char *)sqlite3_column_text(st, c);
                used += (size_t)snprintf(out + used, used < cap ? cap - used : 0, "%s%s",
                                         v ? v : "", c + 1 < sqlite3_column_count(st) ? "|" : "\n");
            }
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    return ok && used < cap;
}

/* The first column of the first row of a query, as a number (-1 when none). */
static inline long long target_query_int(const struct target *t, const char *sql)
{
    char out[256];

    if (!target_query(t, sql, out, sizeof(out)) || !out[0])
        return -1;
    return strtoll(out, NULL, 10);
}

/* One command on the fixture's database itself (schemas come and go). */
static void pg_admin(const char *base, const char *sql)
{
    PGconn *db = target_pg_connect(base);
    PGresult *res = PQexec(db, sql);

    CHECK(PQresultStatus(res) == PGRES_COMMAND_OK);
    PQclear(res);
}

/* A new, empty place for a store; tag names it (letters and '-'). */
static void target_new(struct target *t, const char *tag)
{
    static int n;
    const char *file = getenv("CUSTOS_TEST_PG_URL_FILE");

    memset(t, 0, sizeof(*t));
    if (file && *file) {
        FILE *f = fopen(file, "r");
        char sql[128];
        CHECK(f != NULL);
        if (!f)
            exit(1);
        CHECK(fgets(t->base, sizeof(t->base), f) != NULL);
        fclose(f);
        t->base[strcspn(t->base, "\n")] = '\0';
        snprintf(t->schema, sizeof(t->schema), "t_%d_%d", (int)getpid(), n++);
        for (char *p = t->schema; *p; p++)
            if (*p == '-')
                *p = '_';
        snprintf(t->url, sizeof(t->url), "%s%coptions=-csearch_path%%3D%s", t->base,
                 strchr(t->base, '?') ? '&' : '?', t->schema);
        snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", t->schema);
        pg_admin(t->base, sql);
    } else {
        snprintf(t->url, sizeof(t->url), "/tmp/custos-%s-XXXXXX", tag);
        CHECK(mkdtemp(t->url) != NULL);
    }
}

static void target_remove(struct target *t)
{
    if (target_is_pg(t)) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", t->schema);
        pg_admin(t->base, sql);
    } else {
        char cmd[1300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->url);
        CHECK(system(cmd) == 0);
    }
}

#endif
