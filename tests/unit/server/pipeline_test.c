/* Tests for server/pipeline.c's ordering of record, sync, commit and answer (audit.h): a
 * real store, trail and pipeline in a temporary directory, CreateUser requests signed here
 * with the root key, and the store's fault hook (STYLE R20) walked across each operation
 * of the call, the commit included. Whatever fails, a user exists exactly when the call
 * was answered 200, the last record of its requestID says whether it took effect, and a
 * commit that fails after the record was written leaves a second record of the same
 * requestID with errorCode (the first carries the commit seq, the second none). A trail
 * that cannot take the record (the space hook) rolls the change back, and so does a trail
 * whose fdatasync fails (the sync hook): the record is durable before the commit, never
 * after. A crash once the record is durable and before the commit (the pipeline's exit
 * hook, in a child process) leaves a record and no user; the start-up reconciliation
 * (audit_reconcile, as server_start runs it) follows the record with one saying the call
 * did not take effect, once.
 * A put that loses its compare-and-set (the conflict hook) makes the pipeline run the
 * call again in a fresh transaction: the retried call succeeds with one record, and a
 * call that keeps conflicting answers 409 ConcurrentModification with one record and no
 * change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "audit/audit.h"
#include "auth/identity_cache.h"
#include "auth/principal.h"
#include "auth/sigv4.h"
#include "check.h"
#include "core/clock.h"
#include "core/codec.h"
#include "core/tree.h"
#include "crypto/digest.h"
#include "crypto/master_key.h"
#include "server/authorize.h"
#include "server/bootstrap.h"
#include "server/pipeline.h"
#include "server/server.h"
#include "store/store.h"

#define AKID "AKIAROOTTESTKEY00001"
#define SECRET "rootSecretForTestsOnly/0123456789abcdefgh"

static char dir[] = "/tmp/custos-pipeline-test-XXXXXX";
static struct store *store;
static struct master_key *mk;
static struct pipeline pl;
static char account[13];

/* A signed IAM request: SigV4 over these headers, computed with auth/'s own canonical
 * request and string to sign, so only the key chain is written here. */
struct signed_req {
    char body[256], date[17], authz[512];
    struct http_header headers[4];
    struct http_req req;
};

static void hmac(const uint8_t *key, size_t key_n, const char *msg, uint8_t out[32])
{
    digest_hmac_sha256(bytes_of(key, key_n), bytes_of(msg, strlen(msg)), out);
}

static void sign(struct signed_req *s, const char *body)
{
    struct sigv4_auth auth;
    struct buf canon, sts;
    struct cu_err err = {0};
    uint8_t k[32], sig[32];
    char scope_date[9], hex[65], seed[64];

    snprintf(s->body, sizeof(s->body), "%s", body);
    clock_amz_date(clock_now_ms() / 1000, s->date);
    memcpy(scope_date, s->date, 8);
    scope_date[8] = '\0';
    s->headers[0] = (struct http_header){"Host", "127.0.0.1:4599"};
    s->headers[1] = (struct http_header){"X-Amz-Date", s->date};
    s->headers[2] = (struct http_header){"Content-Type", "application/x-www-form-urlencoded"};
    s->headers[3] = (struct http_header){"Authorization", s->authz};
    s->req = (struct http_req){.method = "POST", .path = "/", .query = "",
                               .headers = s->headers, .n_headers = 4,
                               .body = bytes_of(s->body, strlen(s->body)),
                               .source_ip = "127.0.0.1"};
    snprintf(s->authz, sizeof(s->authz),
             "AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/iam/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date, Signature=%064d", AKID, scope_date, 0);
    buf_init(&canon, BUF_NO_LIMIT);
    buf_init(&sts, BUF_NO_LIMIT);
    CHECK_OK(sigv4_parse(&s->req, &auth, &err));
    CHECK_OK(sigv4_canonical_request(&s->req, &auth, &canon, &err));
    CHECK_OK(sigv4_string_to_sign(&auth, bytes_of(canon.p, canon.n), &sts));
    snprintf(seed, sizeof(seed), "AWS4%s", SECRET);
    hmac((const uint8_t *)seed, strlen(seed), scope_date, k);
    hmac(k, 32, "us-east-1", k);
    hmac(k, 32, "iam", k);
    hmac(k, 32, "aws4_request", k);
    hmac(k, 32, sts.p, sig);
    hex_encode_to(sig, 32, hex);
    snprintf(s->authz, sizeof(s->authz),
             "AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/iam/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date, Signature=%s", AKID, scope_date, hex);
    buf_release(&canon);
    buf_release(&sts);
}

/* Run one CreateUser; returns the HTTP status and the request id in id. */
static int create_user(const char *name, char id[40])
{
    struct signed_req s;
    struct proto_response resp;
    char body[200];
    int status;

    snprintf(body, sizeof(body), "Action=CreateUser&Version=2010-05-08&UserName=%s", name);
    sign(&s, body);
    pipeline_handle(&pl, &s.req, &resp);
    status = resp.status;
    snprintf(id, 40, "%s", resp.request_id);
    proto_response_release(&resp);
    return status;
}

static bool user_exists(const char *name)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    char key[128];
    bool found;

    /* IAM user names are unique without regard to case: the store key is folded */
    snprintf(key, sizeof(key), "%s", name);
    for (char *p = key; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    CHECK_OK(store_tx_begin(store, false, &tx));
    CHECK_OK(store_get(tx, "user", account, key, &doc));
    store_tx_rollback(tx);
    found = doc != NULL;
    json_decref(doc);
    return found;
}

/* The records naming `id` (a requestID, or any text of the record), in trail order: how
 * many, whether the last has an errorCode, and (first_seq, may be NULL) whether the first
 * carries a commit seq. The running trail ends in NULs, so this reads up to the last
 * newline. */
static int records_seq(const char *id, bool *last_failed, bool *first_seq)
{
    char path[128], *text = NULL, *line, *save = NULL;
    FILE *f;
    long n;
    int count = 0;

    snprintf(path, sizeof(path), "%s/audit.log", dir);
    f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    text = calloc(1, (size_t)n + 1);
    if (text && fread(text, 1, (size_t)n, f) == (size_t)n) {
        for (line = strtok_r(text, "\n", &save); line && *line; line = strtok_r(NULL, "\n", &save)) {
            if (!strstr(line, id))
                continue;
            if (!count && first_seq)
                *first_seq = strstr(line, "\"commitSeq\"") != NULL;
            count++;
            *last_failed = strstr(line, "\"errorCode\"") != NULL;
        }
    }
    fclose(f);
    free(text);
    return count;
}

static int records_of(const char *id, bool *last_failed)
{
    return records_seq(id, last_failed, NULL);
}

static void fault_walk_across_create_user(void)
{
    bool commit_failure_seen = false, success_seen = false;

    /* The first calls also resolve the root principal from the store; once that succeeds
     * it stays cached (a CreateUser changes no record it depends on), so a second walk
     * goes across the operations of the call itself, its commit included. */
    for (int step = 0; step < 24; step++) {
        int pass = step / 12, k = step % 12 + 1;
        char name[32], id[40];
        bool last_failed = false;
        int status, records;
        bool succeeded;

        uint64_t seq_before = store_last_seq(store);

        snprintf(name, sizeof(name), "walk-%d-%d", pass, k);
        store_test_fail_after(store, k);
        status = create_user(name, id);
        store_test_fail_after(store, 0);
        records = records_of(id, &last_failed);
        if (getenv("VERBOSE"))
            fprintf(stderr, "pass=%d k=%d status=%d records=%d\n", pass, k, status, records);
        succeeded = status == 200;
        success_seen |= succeeded;
        CHECK(status == 200 || status == 500);
        CHECK_INT(user_exists(name), succeeded);
        CHECK_INT(store_last_seq(store) > seq_before, succeeded);
        CHECK(records == 1 || records == 2);
        CHECK_INT(last_failed, !succeeded);
        if (records == 2) {
            /* the commit failed after the record was written: record, then its failure */
            bool first_seq = false;
            CHECK(!succeeded);
            CHECK_INT(records_seq(id, &last_failed, &first_seq), 2);
            CHECK(first_seq);
            commit_failure_seen = true;
        }
    }
    CHECK(success_seen);
    CHECK(commit_failure_seen);
}

/* The trail cannot take the record: the change is rolled back and the answer is 500; once
 * the trail takes records again, so do calls. */
static void full_trail_rolls_the_change_back(void)
{
    char id[40];
    bool last_failed = false;
    char reason[200];

    audit_writer_test_space(pl.audit, 1);
    CHECK_INT(create_user("refused", id), 500);
    CHECK(!user_exists("refused"));
    CHECK_INT(records_of(id, &last_failed), 0);
    CHECK(!audit_writer_healthy(pl.audit, reason, sizeof(reason)));
    audit_writer_test_space(pl.audit, 0);
    CHECK(audit_writer_healthy(pl.audit, reason, sizeof(reason)));
    CHECK_INT(create_user("accepted", id), 200);
    CHECK(user_exists("accepted"));
    CHECK_INT(records_of(id, &last_failed), 1);
    CHECK(!last_failed);
}

/* Whether the last record of requestID id names errorCode code. */
static bool last_record_names(const char *id, const char *code)
{
    char path[128], line[8192], needle[96];
    bool named = false;
    FILE *f;

    snprintf(path, sizeof(path), "%s/audit.log", dir);
    snprintf(needle, sizeof(needle), "\"errorCode\":\"%s\"", code);
    f = fopen(path, "rb");
    if (!f)
        return false;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, id))
            named = strstr(line, needle) != NULL;
    fclose(f);
    return named;
}

static void conflicts_are_retried(void)
{
    char id[40];
    bool last_failed = true;

    /* the first put of the call (its user record) loses once: the second attempt wins */
    store_test_conflicts(store, 1, 1);
    CHECK_INT(create_user("retried-once", id), 200);
    CHECK(user_exists("retried-once"));
    CHECK_INT(records_of(id, &last_failed), 1);
    CHECK(!last_failed);
    /* four lost attempts: the fifth and last wins */
    store_test_conflicts(store, 1, 4);
    CHECK_INT(create_user("retried-four-times", id), 200);
    CHECK(user_exists("retried-four-times"));
    CHECK_INT(records_of(id, &last_failed), 1);
    CHECK(!last_failed);
    /* every attempt loses: AWS's ConcurrentModification, nothing stored, one record */
    store_test_conflicts(store, 1, 5);
    CHECK_INT(create_user("never-stored", id), 409);
    CHECK(!user_exists("never-stored"));
    CHECK_INT(records_of(id, &last_failed), 1);
    CHECK(last_failed);
    CHECK(last_record_names(id, "ConcurrentModification"));
    /* the hook is spent: the next call is served at the first attempt */
    CHECK_INT(create_user("after-conflicts", id), 200);
    CHECK_INT(records_of(id, &last_failed), 1);
}

/* The trail's fdatasync fails: the record is not known to be durable, so nothing is
 * committed (a commit before the sync would have left the user) and the record is
 * followed by one saying the call did not take effect. */
static void failed_sync_rolls_the_change_back(void)
{
    char id[40];
    bool last_failed = false, first_seq = false;
    uint64_t seq_before = store_last_seq(store);

    audit_writer_test_fail_sync(pl.audit, true);
    CHECK_INT(create_user("unsynced", id), 500);
    audit_writer_test_fail_sync(pl.audit, false);
    CHECK(!user_exists("unsynced"));
    CHECK_INT(store_last_seq(store), seq_before);
    CHECK_INT(records_seq(id, &last_failed, &first_seq), 2);
    CHECK(first_seq);
    CHECK(last_failed);
    CHECK_INT(create_user("synced", id), 200);
    CHECK(user_exists("synced"));
    CHECK_INT(records_of(id, &last_failed), 1);
    CHECK(!last_failed);
}

static const char *internal_code(const char *service)
{
    return strcmp(service, "kms") == 0 ? "InternalFailure" : "ServiceFailure";
}

/* Open what server_start opens, in its order: store, trail, reconciliation of the trail
 * with the store, bootstrap, caches. *reconciled: what the reconciliation wrote. */
static void open_all(size_t *reconciled)
{
    struct config cfg;
    struct cu_err err = {0};
    char key_path[128];

    config_defaults(&cfg);
    snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", dir);
    snprintf(key_path, sizeof(key_path), "%s/master.key", dir);
    memset(&pl, 0, sizeof(pl));
    CHECK_OK(master_key_load_or_create(key_path, &mk, &err));
    CHECK_OK(store_open(dir, &store, &err));
    CHECK_OK(audit_writer_start(dir, &pl.audit, &err));
    CHECK_OK(audit_reconcile(pl.audit, dir, store_last_seq(store), store_last_seq(store),
                             internal_code, reconciled, &err));
    CHECK_OK(bootstrap_run(&cfg, store, mk, account, &err));
    CHECK_OK(principal_cache_new(&pl.principals));
    CHECK_OK(identity_cache_new(&pl.identities));
    pl.env = (struct call_env){.store = store,
                               .master_key = mk,
                               .region = "us-east-1",
                               .account_id = account,
                               .data_dir = dir};
    pl.max_header_bytes = cfg.max_header_bytes;
}

static void close_all(void)
{
    audit_writer_stop(pl.audit);
    identity_cache_free(pl.identities);
    principal_cache_free(pl.principals);
    store_close(store);
    master_key_free(mk);
}

/* A crash once the record is durable and before the commit: a child process serves one
 * CreateUser with the exit hook on; the restart (open_all, here) finds the record's
 * commit seq above the store's and follows it with a record saying it did not take
 * effect. The next CreateUser commits as that same seq, and a further restart leaves the
 * trail alone. Runs first, before this process opens the store (SQLite across fork). */
static void crash_before_commit_is_reconciled(void)
{
    const char *crashed = "\"userName\":\"crashed\"";
    bool last_failed = false, first_seq = false;
    char id[40];
    size_t reconciled = 99;
    int status = 0;
    pid_t child = fork();

    if (child == 0) {
        open_all(&reconciled);
        CHECK_INT(create_user("warm-up", id), 200);
        pl.test_exit_before_commit = "*";
        (void)create_user("crashed", id);
        _exit(1); /* the hook did not fire */
    }
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    /* under valgrind, what the exit left allocated on the request's stack counts as
     * leaked, and valgrind's error exit code (99, tests.cmake) replaces the hook's */
    CHECK(WIFEXITED(status) && (WEXITSTATUS(status) == PIPELINE_TEST_EXIT ||
                                (RUNNING_ON_VALGRIND && WEXITSTATUS(status) == 99)));
    CHECK_INT(records_seq(crashed, &last_failed, &first_seq), 1);
    CHECK(first_seq && !last_failed);
    open_all(&reconciled);
    CHECK_INT(reconciled, 1);
    CHECK(!user_exists("crashed"));
    CHECK(user_exists("warm-up"));
    CHECK_INT(records_seq(crashed, &last_failed, &first_seq), 2);
    CHECK(first_seq && last_failed);
    CHECK_INT(records_of("\"errorCode\":\"ServiceFailure\"", &last_failed), 1);
    CHECK_INT(create_user("after-crash", id), 200);
    CHECK(user_exists("after-crash"));
    close_all();
    open_all(&reconciled);
    CHECK_INT(reconciled, 0);
    CHECK_INT(records_seq(crashed, &last_failed, &first_seq), 2);
}

int main(void)
{
    char cmd[128];
    size_t reconciled = 0;

    if (!mkdtemp(dir))
        return 1;
    tree_init_allocator();
    setenv("CUSTOS_ROOT_ACCESS_KEY_ID", AKID, 1);
    setenv("CUSTOS_ROOT_SECRET_ACCESS_KEY", SECRET, 1);
    crash_before_commit_is_reconciled();
    fault_walk_across_create_user();
    full_trail_rolls_the_change_back();
    failed_sync_rolls_the_change_back();
    conflicts_are_retried();
    close_all();
    /* nothing the calls above left is unsettled */
    open_all(&reconciled);
    CHECK_INT(reconciled, 0);
    close_all();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir); /* with SQLite's files */
    CHECK(system(cmd) == 0);
    TEST_END();
}
