/* Tests of src/services/sweep.c over a real SQLite store: a delete rule removes exactly the
 * due records, each recorded once before its commit with its region, its "ARN" and the seq
 * it commits as; records not due, of another kind or in a region not served stay; with
 * --regions every served region is swept, without it the default one alone; a failing
 * record keeps its record and ends the sweep; a changing rule's act runs in the write
 * transaction on the record read again (its version), named by the rule's own ARN; a
 * record that stopped being due after the listing is left alone; and a second sweep finds
 * nothing left to do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/regions.h"
#include "services/sweep.h"
#include "store/records.h"
#include "store/store.h"

#define ACCOUNT "111122223333"
#define NOW 1700000000000LL

static char dir[] = "/tmp/custos-sweep-test-XXXXXX";
static struct store *store;
static struct call_env env = {.account_id = ACCOUNT, .region = "us-east-1"};

static void put(const char *kind, const char *region, const char *name, int64_t due_at)
{
    struct store_tx *tx = NULL;
    char scope[RECORD_NAME_MAX], arn[128];
    json_t *doc;

    snprintf(arn, sizeof(arn), "arn:aws:test:%s:%s:thing/%s", region, ACCOUNT, name);
    doc = json_pack("{s:s, s:I}", "ARN", arn, "DueAt", (json_int_t)due_at);
    CHECK(doc != NULL);
    store_scope(kind, ACCOUNT, region, NULL, scope);
    CHECK_OK(store_tx_begin(store, true, &tx));
    CHECK_OK(store_put(tx, kind, scope, name, doc, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

/* The record (NULL when gone); the caller owns it. */
static json_t *get(const char *kind, const char *region, const char *name)
{
    struct store_tx *tx = NULL;
    char scope[RECORD_NAME_MAX];
    json_t *doc = NULL;

    store_scope(kind, ACCOUNT, region, NULL, scope);
    CHECK_OK(store_tx_begin(store, false, &tx));
    CHECK_OK(store_get(tx, kind, scope, name, &doc));
    store_tx_rollback(tx);
    return doc;
}

static bool stored(const char *kind, const char *region, const char *name)
{
    json_t *doc = get(kind, region, name);
    bool there = doc != NULL;

    json_decref(doc);
    return there;
}

static bool due(const json_t *doc, int64_t now_ms)
{
    const json_t *at = json_object_get(doc, "DueAt");

    return json_is_integer(at) && json_integer_value(at) <= now_ms;
}

struct records {
    int n;
    char region[8][32], arn[8][128];
    uint64_t seq[8];
    int fail_at; /* 1-based: the record that fails, 0: none */
};

static cu_rc record(const char *region, const char *arn, uint64_t commit_seq, void *ctx)
{
    struct records *r = ctx;

    CHECK(r->n < 8);
    if (++r->n == r->fail_at)
        return CU_E_STORE;
    snprintf(r->region[r->n - 1], sizeof(r->region[0]), "%s", region);
    snprintf(r->arn[r->n - 1], sizeof(r->arn[0]), "%s", arn);
    r->seq[r->n - 1] = commit_seq;
    return CU_OK;
}

static const struct sweep_rule deleting = {.store_kind = RECORD_SECRET, .due = due};

static void deletes_due_records_in_the_default_region(void)
{
    struct records r = {0};
    size_t n = 99;

    put(RECORD_SECRET, "us-east-1", "old", NOW - 1);
    put(RECORD_SECRET, "us-east-1", "now", NOW);
    put(RECORD_SECRET, "us-east-1", "later", NOW + 1);
    put(RECORD_SECRET, "eu-west-1", "elsewhere", NOW - 1);
    put(RECORD_PARAMETER, "us-east-1", "other-kind", NOW - 1);
    /* a failing record: nothing deleted, the sweep ends with its error */
    r.fail_at = 1;
    CHECK_RC(sweep_regions(&env, NOW, &deleting, record, &r, &n), CU_E_STORE);
    CHECK(stored(RECORD_SECRET, "us-east-1", "now") && stored(RECORD_SECRET, "us-east-1", "old"));
    memset(&r, 0, sizeof(r));
    CHECK_OK(sweep_regions(&env, NOW, &deleting, record, &r, &n));
    CHECK_INT(n, 2);
    CHECK_INT(r.n, 2);
    CHECK_STR(r.region[0], "us-east-1");
    CHECK_STR(r.arn[0], "arn:aws:test:us-east-1:" ACCOUNT ":thing/now"); /* key order */
    CHECK_STR(r.arn[1], "arn:aws:test:us-east-1:" ACCOUNT ":thing/old");
    CHECK(r.seq[0] > 0 && r.seq[1] > r.seq[0]);
    CHECK(!stored(RECORD_SECRET, "us-east-1", "now") && !stored(RECORD_SECRET, "us-east-1", "old"));
    CHECK(stored(RECORD_SECRET, "us-east-1", "later"));
    CHECK(stored(RECORD_SECRET, "eu-west-1", "elsewhere"));     /* not served without --regions */
    CHECK(stored(RECORD_PARAMETER, "us-east-1", "other-kind")); /* another kind */
    memset(&r, 0, sizeof(r));
    CHECK_OK(sweep_regions(&env, NOW, &deleting, record, &r, &n));
    CHECK_INT(n, 0);
    CHECK_INT(r.n, 0);
}

static void sweeps_every_region_served(void)
{
    struct records r = {0};
    struct region_set set;
    struct cu_err err = {0};
    size_t n = 0;

    put(RECORD_SECRET, "ap-south-1", "unserved", NOW - 1);
    CHECK_OK(region_set_parse("us-east-1,eu-west-1", &set, &err));
    env.regions = &set;
    CHECK_OK(sweep_regions(&env, NOW + 1, &deleting, record, &r, &n));
    env.regions = NULL;
    CHECK_INT(n, 2);
    CHECK_INT(r.n, 2);
    CHECK(!stored(RECORD_SECRET, "us-east-1", "later"));
    CHECK(!stored(RECORD_SECRET, "eu-west-1", "elsewhere"));
    CHECK(stored(RECORD_SECRET, "ap-south-1", "unserved"));
    /* sweep_region adds to the count it is given */
    put(RECORD_SECRET, "ap-south-1", "second", NOW - 1);
    memset(&r, 0, sizeof(r));
    CHECK_OK(sweep_region(&env, "ap-south-1", NOW, &deleting, record, &r, &n));
    CHECK_INT(n, 4);
    CHECK_STR(r.region[0], "ap-south-1");
}

/* A changing rule: act sees the write transaction, the call's region and time and the
 * version read; the record stays, changed, and the trail names the rule's ARN. */
static int acted;

static cu_rc push_back(struct call *call, const char *scope, const char *name, json_t *doc,
                       uint64_t version)
{
    cu_rc rc = CU_OK;

    acted++;
    CHECK(version > 0);
    CHECK_STR(call->region, "us-east-1");
    CHECK_INT(call->now_ms, NOW);
    TRY(json_object_set_new(doc, "DueAt", json_integer(call->now_ms + 1000)) == 0 ? CU_OK
                                                                                  : CU_E_NOMEM);
    TRY(store_put_version(call->tx, RECORD_PARAMETER, scope, name, doc, version));
    /* what a call between the listing and the next record's turn would do: the sweep
     * must read that record again and find it no longer due */
    if (strcmp(name, "a-first") == 0)
        TRY(store_put(call->tx, RECORD_PARAMETER, scope, "b-second", doc, STORE_REPLACE));
out:
    return rc;
}

static void own_arn(const struct call *call, const char *name, const json_t *doc, char *out)
{
    (void)doc;
    snprintf(out, SWEEP_ARN_MAX, "arn:own:%s:%s", call->region, name);
}

static void changes_with_its_act(void)
{
    const struct sweep_rule changing = {
        .store_kind = RECORD_PARAMETER, .due = due, .act = push_back, .arn = own_arn};
    struct records r = {0};
    json_t *doc;
    size_t n = 0;

    put(RECORD_PARAMETER, "us-east-1", "a-first", NOW - 1);
    put(RECORD_PARAMETER, "us-east-1", "b-second", NOW - 1);
    CHECK_OK(sweep_regions(&env, NOW, &changing, record, &r, &n));
    CHECK_INT(n, 2); /* a-first and other-kind; b-second stopped being due */
    CHECK_INT(acted, 2);
    CHECK_INT(r.n, 2);
    CHECK_STR(r.arn[0], "arn:own:us-east-1:a-first");
    CHECK_STR(r.arn[1], "arn:own:us-east-1:other-kind");
    doc = get(RECORD_PARAMETER, "us-east-1", "other-kind");
    CHECK(doc != NULL);
    CHECK_INT(json_integer_value(json_object_get(doc, "DueAt")), NOW + 1000);
    json_decref(doc);
    /* no longer due: left alone */
    CHECK_OK(sweep_regions(&env, NOW, &changing, record, &r, &n));
    CHECK_INT(n, 0);
    CHECK_INT(acted, 2);
}

int main(void)
{
    struct cu_err err = {0};
    char cmd[128];

    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(store_open(dir, &store, &err));
    env.store = store;
    deletes_due_records_in_the_default_region();
    sweeps_every_region_served();
    changes_with_its_act();
    store_close(store);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_END();
}
