/* Tests of what only the PostgreSQL store has (postgres.c), run against the "pg" fixture
 * only (tests.cmake): two stores on one database stand for two custos nodes — node b's
 * writer waits for node a's, so a quota both check holds (exactly one key added); a
 * record another writer changed after it was read is a conflict even for a writer that
 * skips the store's lock (SERIALIZABLE); seqs stay dense and in commit order across
 * nodes. Connections the server drops are reconnected when a transaction begins, and a
 * transaction that loses its connection half-way is a conflict, with nothing of it
 * committed. Several nodes opening a new database, or one of schema v2, at once all
 * come up, and the schema is created or migrated once.
 * The password comes from the URL or PGPASSWORD, and a refused one never reaches the
 * error. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "store/store.h"
#include "target.h"

static struct target tgt;

static json_t *doc_v(int v)
{
    return json_pack("{s:i}", "v", v);
}

static void put_one(struct store *s, const char *key, int v)
{
    struct store_tx *tx = NULL;
    json_t *doc = doc_v(v);

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, "t", "a", key, doc, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

/* Node b's writer, begun while node a's is open: it counts the keys of a scope (a quota
 * of one) and adds one if there is none. */
struct quota_writer {
    struct store *s;
    size_t seen;
    cu_rc rc;
    _Atomic bool done;
};

static void *quota_main(void *arg)
{
    struct quota_writer *w = arg;
    struct store_tx *tx = NULL;
    json_t *doc = doc_v(2);

    w->rc = store_tx_begin(w->s, true, &tx);
    if (w->rc == CU_OK)
        w->rc = store_count(tx, "q", "user1", &w->seen);
    if (w->rc == CU_OK && w->seen == 0)
        w->rc = store_put(tx, "q", "user1", "key-b", doc, STORE_CREATE);
    if (w->rc == CU_OK)
        w->rc = store_tx_commit(tx);
    else
        store_tx_rollback(tx);
    json_decref(doc);
    atomic_store(&w->done, true);
    return NULL;
}

/* Both nodes check a quota of one and add a key: node b's writer waits for node a's
 * (the write lock), then sees its key and adds none. */
static void quota_race(struct store *a, struct store *b)
{
    struct quota_writer w = {.s = b, .seen = 9};
    struct store_tx *ta = NULL;
    json_t *doc = doc_v(1);
    pthread_t thread;
    size_t n = 9;

    CHECK_OK(store_tx_begin(a, true, &ta));
    CHECK_OK(store_count(ta, "q", "user1", &n));
    CHECK_INT(n, 0);
    CHECK(pthread_create(&thread, NULL, quota_main, &w) == 0);
    usleep(200 * 1000);
    CHECK(!atomic_load(&w.done)); /* waiting for a's writer */
    CHECK_OK(store_put(ta, "q", "user1", "key-a", doc, STORE_CREATE));
    CHECK_OK(store_tx_commit(ta));
    pthread_join(thread, NULL);
    CHECK_OK(w.rc);
    CHECK_INT(w.seen, 1);
    CHECK_OK(store_tx_begin(a, false, &ta));
    CHECK_OK(store_count(ta, "q", "user1", &n));
    CHECK_INT(n, 1);
    store_tx_rollback(ta);
    json_decref(doc);
}

/* A record another writer changed after this transaction read it (a writer that does not
 * take the store's lock: SERIALIZABLE still refuses the lost update): a conflict. */
static void stale_read_is_a_conflict(struct store *a)
{
    struct store_tx *ta = NULL;
    json_t *doc = NULL, *next = doc_v(3);
    cu_rc put_rc, commit_rc = CU_OK;

    put_one(a, "shared", 1);
    CHECK_OK(store_tx_begin(a, true, &ta));
    CHECK_OK(store_get(ta, "t", "a", "shared", &doc));
    CHECK(target_exec(&tgt, "UPDATE objects SET doc = '{\"v\":2}', version = version + 1"
                            " WHERE kind = 't' AND scope = 'a' AND key = 'shared'"));
    put_rc = store_put(ta, "t", "a", "shared", next, STORE_REPLACE);
    if (put_rc == CU_OK)
        commit_rc = store_tx_commit(ta);
    else
        store_tx_rollback(ta);
    CHECK_RC(put_rc, CU_E_STORE_CONFLICT);
    CHECK(commit_rc == CU_OK);
    json_decref(doc);
    json_decref(next);
    CHECK_OK(store_tx_begin(a, false, &ta));
    CHECK_OK(store_get(ta, "t", "a", "shared", &doc));
    CHECK_INT(json_integer_value(json_object_get(doc, "v")), 2);
    store_tx_rollback(ta);
    json_decref(doc);
}

/* Writes from both nodes take consecutive seqs, in the order they committed. */
static void seqs_across_nodes(struct store *a, struct store *b)
{
    uint64_t first;
    char rows[256];

    put_one(a, "s1", 1);
    first = store_last_seq(a);
    put_one(b, "s2", 1);
    CHECK_INT(store_last_seq(b), first + 1);
    put_one(a, "s3", 1);
    CHECK_INT(store_last_seq(a), first + 2);
    {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT seq, key FROM change_log WHERE seq >= %llu ORDER BY seq",
                 (unsigned long long)first);
        CHECK(target_query(&tgt, sql, rows, sizeof(rows)));
    }
    {
        char want[128];
        snprintf(want, sizeof(want), "%llu|s1\n%llu|s2\n%llu|s3\n", (unsigned long long)first,
                 (unsigned long long)first + 1, (unsigned long long)first + 2);
        CHECK_STR(rows, want);
    }
}

/* The server ends every custos session (a restart, a failover, an idle timeout would). */
static void drop_sessions(void)
{
    char sql[160];

    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                               " WHERE application_name = 'custos-%d'", (int)getpid());
    CHECK(target_exec(&tgt, sql));
    usleep(100 * 1000); /* the backends exit asynchronously */
}

static void reconnects(struct store *a)
{
    struct store_tx *tx = NULL;
    json_t *doc = doc_v(7), *got = NULL;

    put_one(a, "before", 1);
    drop_sessions();
    /* the writer and the reader connections are both gone: each begins anew */
    put_one(a, "after", 2);
    CHECK_OK(store_tx_begin(a, false, &tx));
    CHECK_OK(store_get(tx, "t", "a", "after", &got));
    CHECK(got != NULL);
    CHECK_OK(store_tx_commit(tx));
    json_decref(got);
    got = NULL;
    /* lost half-way: a conflict (the call runs again), nothing of it kept */
    CHECK_OK(store_tx_begin(a, true, &tx));
    CHECK_OK(store_put(tx, "t", "a", "halfway", doc, STORE_CREATE));
    drop_sessions();
    {
        cu_rc put_rc = store_put(tx, "t", "a", "halfway-2", doc, STORE_CREATE);
        cu_rc commit_rc = put_rc == CU_OK ? store_tx_commit(tx) : CU_E_STORE_CONFLICT;
        if (put_rc != CU_OK)
            store_tx_rollback(tx);
        CHECK_RC(put_rc, CU_E_STORE_CONFLICT);
        CHECK(commit_rc != CU_OK);
    }
    CHECK_OK(store_tx_begin(a, false, &tx));
    CHECK_OK(store_get(tx, "t", "a", "halfway", &got));
    CHECK(got == NULL);
    store_tx_rollback(tx);
    json_decref(doc);
}

/* Four nodes open a database at the same moment: every one comes up, the schema is made
 * (or an old one migrated, data steps included) once, at the current version. old_sql:
 * the tables an older custos left, or NULL for a new database. */
static void concurrent_opens(const char *old_sql)
{
    struct target fresh;
    pid_t pids[4];
    int status, ok = 0;

    target_new(&fresh, "pg-opens");
    if (old_sql)
        CHECK(target_exec(&fresh, old_sql));
    for (int i = 0; i < 4; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            struct store *s = NULL;
            struct cu_err err = {0};
            if (store_open(fresh.url, &s, &err) != CU_OK)
                _exit(1);
            store_close(s);
            _exit(0);
        }
    }
    for (int i = 0; i < 4; i++)
        if (waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
            WEXITSTATUS(status) == 0)
            ok++;
    CHECK_INT(ok, 4);
    CHECK_INT(target_query_int(&fresh, "SELECT value FROM meta WHERE name = 'schema_version'"), 5);
    if (old_sql) {
        /* v3's data step indexed the old access key once */
        CHECK_INT(target_query_int(&fresh, "SELECT count(*) FROM record_index"
                                           " WHERE kind = 'access_key' AND key = 'AKIAOLD'"), 1);
        CHECK_INT(target_query_int(&fresh, "SELECT count(*) FROM objects"), 1);
    }
    target_remove(&fresh);
}

/* A store as schema version 2 left it, with one access key (store/migrate_test.c has the
 * full v2 case). */
static const char v2_sql[] =
    V2_TABLES_SQL
    "INSERT INTO objects VALUES ('access_key', '', 'AKIAOLD',"
    " '{\"Account\":\"111122223333\",\"UserName\":\"Old\",\"Status\":\"Active\"}', 1, 0);";

/* url with its password replaced by pw ("" drops it), into out. */
static void with_password(const char *url, const char *pw, char *out, size_t cap)
{
    const char *user = strstr(url, "://") + 3, *colon = strchr(user, ':'),
               *at = strchr(user, '@');

    snprintf(out, cap, "%.*s%s%s%s", (int)(colon - url), url, *pw ? ":" : "", pw, at);
}

static void passwords(void)
{
    char url[1300], pw[128];
    const char *user = strstr(tgt.url, "://") + 3, *colon = strchr(user, ':'),
               *at = strchr(user, '@');
    struct store *s = NULL;
    struct cu_err err = {0};

    snprintf(pw, sizeof(pw), "%.*s", (int)(at - colon - 1), colon + 1);
    with_password(tgt.url, "not-the-password-42", url, sizeof(url));
    CHECK_RC(store_open(url, &s, &err), CU_E_STORE);
    CHECK(strstr(err.msg, "not-the-password-42") == NULL);
    CHECK(strstr(err.msg, "***") != NULL);
    /* no password in the URL: libpq takes PGPASSWORD */
    with_password(tgt.url, "", url, sizeof(url));
    setenv("PGPASSWORD", pw, 1);
    s = open_at(url);
    store_close(s);
    unsetenv("PGPASSWORD");
}

int main(void)
{
    static char app_url[1300];
    struct store *a, *b;

    target_new(&tgt, "pg");
    CHECK(target_is_pg(&tgt));
    /* the sessions drop_sessions ends are this test's only */
    snprintf(app_url, sizeof(app_url), "%s&application_name=custos-%d", tgt.url, (int)getpid());
    a = open_at(app_url);
    b = open_at(app_url);
    quota_race(a, b);
    stale_read_is_a_conflict(a);
    seqs_across_nodes(a, b);
    reconnects(a);
    store_close(a);
    store_close(b);
    concurrent_opens(NULL);
    concurrent_opens(v2_sql);
    passwords();
    target_remove(&tgt);
    TEST_END();
}
