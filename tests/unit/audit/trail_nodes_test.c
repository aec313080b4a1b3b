/* Tests for the audit trail of several nodes: audit/verify_nodes.c's commitSeq check (the
 * seqs of records that took effect, across nodes, each once: a duplicate across nodes or
 * within one fails; a record settled by a later one of its requestID on its node, a
 * failure's record and a read's count for nothing; gaps are reported, not failed),
 * audit/node_id.c (valid names, the default, kept and read back) and audit/trail_set.c
 * (the merge's rule, trail_set_pick, both ways; two nodes' live trails merged newest
 * first, ties by node name, paged by cursor; a peer's name from its node-id file; two
 * trails of one name refused; a peer with nothing there yet adds nothing and fails
 * nothing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/node_id.h"
#include "audit/trail_set.h"
#include "audit/verify.h"
#include "check.h"

static char dir[] = "/tmp/trail-nodes-test-XXXXXX";

static void note(struct audit_seqs *s, const char *line)
{
    audit_seqs_note(s, line, strlen(line));
}

#define MUT(seq, rid)                                                                        \
    "{\"eventName\":\"CreateUser\",\"additionalEventData\":{\"commitSeq\":" #seq "},"          \
    "\"requestID\":\"" rid "\",\"readOnly\":false}"
#define SETTLE(rid)                                                                          \
    "{\"eventName\":\"CreateUser\",\"errorCode\":\"InternalFailure\",\"requestID\":\"" rid      \
    "\",\"readOnly\":false}"

static void seqs_check(void)
{
    const char *nodes[] = {"a", "b"};
    struct audit_seqs *s = NULL;
    struct buf report;
    bool ok = false;

    /* unique across both nodes, with a gap (5-6) and a settled record of seq 3 on b */
    buf_init(&report, BUF_NO_LIMIT);
    CHECK_OK(audit_seqs_new(&s));
    audit_seqs_set_node(s, 0);
    note(s, MUT(1, "r1"));
    note(s, MUT(3, "r3"));
    note(s, "{\"eventName\":\"GetUser\",\"requestID\":\"r9\",\"readOnly\":true}");
    note(s, MUT(7, "r7"));
    audit_seqs_set_node(s, 1);
    note(s, MUT(2, "r2"));
    note(s, MUT(3, "rb3")); /* b's commit as 3 failed: settled below, a took 3 */
    note(s, SETTLE("rb3"));
    note(s, MUT(4, "r4"));
    /* a failure's record commits nothing, even one that (wrongly) names a seq */
    note(s, "{\"errorCode\":\"AccessDenied\",\"additionalEventData\":{\"commitSeq\":4},"
            "\"requestID\":\"rx\"}");
    CHECK_OK(audit_seqs_check(s, nodes, &report, &ok));
    CHECK(ok);
    CHECK(strstr(report.p, "OK: commitSeq 1 to 7: 5 store commits recorded, each once; 2 seqs "
                           "with no record (5-6)") != NULL);
    audit_seqs_free(s);

    /* the same seq taking effect on both nodes */
    report.n = 0;
    CHECK_OK(audit_seqs_new(&s));
    audit_seqs_set_node(s, 0);
    note(s, MUT(1, "r1"));
    note(s, MUT(2, "r2"));
    audit_seqs_set_node(s, 1);
    note(s, MUT(2, "rb2"));
    CHECK_OK(audit_seqs_check(s, nodes, &report, &ok));
    CHECK(!ok);
    CHECK(strstr(report.p, "FAILED: commitSeq 2 is recorded as taking effect twice: node a "
                           "requestID r2 and node b requestID rb2") != NULL);
    audit_seqs_free(s);

    /* a settle record counts on its own node only: b's r2 does not settle a's r2 */
    report.n = 0;
    CHECK_OK(audit_seqs_new(&s));
    audit_seqs_set_node(s, 0);
    note(s, MUT(2, "r2"));
    note(s, MUT(2, "r2x"));
    audit_seqs_set_node(s, 1);
    note(s, SETTLE("r2"));
    CHECK_OK(audit_seqs_check(s, nodes, &report, &ok));
    CHECK(!ok);
    audit_seqs_free(s);

    /* nothing mutated */
    report.n = 0;
    CHECK_OK(audit_seqs_new(&s));
    CHECK_OK(audit_seqs_check(s, nodes, &report, &ok));
    CHECK(ok);
    CHECK(strstr(report.p, "OK: no mutation took effect") != NULL);
    audit_seqs_free(s);
    buf_release(&report);
}

static void node_ids(void)
{
    char id[AUDIT_NODE_ID_MAX + 1], again[AUDIT_NODE_ID_MAX + 1], path[200];
    char long_name[AUDIT_NODE_ID_MAX + 2];

    CHECK(audit_node_id_valid("node-a"));
    CHECK(audit_node_id_valid("a.b_c-1"));
    CHECK(!audit_node_id_valid(""));
    CHECK(!audit_node_id_valid("-a"));
    CHECK(!audit_node_id_valid(".a"));
    CHECK(!audit_node_id_valid("a/b"));
    CHECK(!audit_node_id_valid("a b"));
    CHECK(!audit_node_id_valid(NULL));
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    CHECK(!audit_node_id_valid(long_name));
    long_name[AUDIT_NODE_ID_MAX] = '\0';
    CHECK(audit_node_id_valid(long_name));
    /* the default: valid, the same for one dir, another for another */
    audit_node_id_default(dir, id);
    CHECK(audit_node_id_valid(id));
    audit_node_id_default(dir, again);
    CHECK_STR(id, again);
    audit_node_id_default("/", again);
    CHECK(strcmp(id, again) != 0);
    /* kept and read back; none kept reads "" */
    snprintf(path, sizeof(path), "%s/n1", dir);
    CHECK(mkdir(path, 0700) == 0);
    snprintf(path, sizeof(path), "%s/n1/audit-trail", dir);
    CHECK(mkdir(path, 0700) == 0);
    snprintf(path, sizeof(path), "%s/n1", dir);
    audit_node_id_read(path, id);
    CHECK_STR(id, "");
    CHECK_OK(audit_node_id_write(path, "node-1", NULL));
    audit_node_id_read(path, id);
    CHECK_STR(id, "node-1");
    CHECK_RC(audit_node_id_write(path, "bad name", NULL), CU_E_VALIDATION);
}

/* a record of node `node` at second `sec` */
static void add_record(FILE *f, int sec, const char *node, int i)
{
    fprintf(f, "{\"eventTime\":\"2026-01-01T00:00:%02dZ\",\"eventID\":\"%s-%d\",\"eventName\":"
               "\"CreateUser\",\"eventSource\":\"iam.amazonaws.com\",\"readOnly\":false,"
               "\"custos\":{\"previousHash\":\"000000000000000000000000000000000000000000000000"
               "0000000000000000\"}}\n",
            sec, node, i);
}

static void make_node(const char *name, const int *secs, size_t n, const char *id)
{
    char path[300];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    CHECK(mkdir(path, 0700) == 0);
    snprintf(path, sizeof(path), "%s/%s/audit-trail", dir, name);
    CHECK(mkdir(path, 0700) == 0);
    snprintf(path, sizeof(path), "%s/%s/audit.log", dir, name);
    f = fopen(path, "w");
    CHECK(f != NULL);
    for (size_t i = 0; i < n; i++)
        add_record(f, secs[i], name, (int)i);
    fclose(f);
    if (id) {
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        CHECK_OK(audit_node_id_write(path, id, NULL));
    }
}

struct got {
    char ids[32][32];
    size_t n;
    uint64_t cursor[TRAIL_SET_MAX];
};

static cu_rc hit(void *ctx, const uint64_t *cursor, const json_t *rec, const char *line,
                 size_t len)
{
    struct got *g = ctx;

    (void)line;
    (void)len;
    snprintf(g->ids[g->n++], sizeof(g->ids[0]), "%s",
             json_string_value(json_object_get(rec, "eventID")));
    memcpy(g->cursor, cursor, sizeof(g->cursor));
    return CU_OK;
}

static void merged_lookup(void)
{
    const int a_secs[] = {1, 3, 5, 6}, b_secs[] = {2, 3, 4, 7};
    const char *want[] = {"nb-3", "na-3", "na-2", "nb-2", "nb-1", "na-1", "nb-0", "na-0"};
    char own[300], peer[300], peer2[300];
    const char *peers[2];
    struct trail_set *set = NULL;
    struct trail_query q = {.start_s = INT64_MIN, .end_s = INT64_MAX, .max = 3};
    struct got g = {0};
    struct cu_err err = {0};
    bool more = false;
    size_t seen = 0;

    make_node("na", a_secs, 4, NULL);
    make_node("nb", b_secs, 4, "b-node");
    snprintf(own, sizeof(own), "%s/na", dir);
    snprintf(peer, sizeof(peer), "%s/nb", dir);
    peers[0] = peer;
    /* own named "z-node": "b-node" sorts first and wins the tie at second 3 */
    CHECK_OK(trail_set_new(own, "z-node", peers, 1, &set, &err));
    CHECK_INT(trail_set_size(set), 2);
    CHECK_STR(trail_set_node(set, 0), "b-node");
    CHECK_STR(trail_set_node(set, 1), "z-node");
    for (size_t i = 0; i < TRAIL_SET_MAX; i++)
        g.cursor[i] = UINT64_MAX;
    /* pages of 3, each going on from the last one's cursor */
    do {
        uint64_t from[TRAIL_SET_MAX];

        memcpy(from, g.cursor, sizeof(from));
        g.n = 0;
        CHECK_OK(trail_set_lookup(set, &q, from, hit, &g, &more));
        for (size_t i = 0; i < g.n; i++)
            CHECK_STR(g.ids[i], want[seen + i]);
        seen += g.n;
    } while (more && seen < 8);
    CHECK_INT(seen, 8);
    CHECK(!more);
    trail_set_free(set);
    /* a peer of the name another trail has */
    make_node("nc", a_secs, 1, "b-node");
    snprintf(peer2, sizeof(peer2), "%s/nc", dir);
    peers[1] = peer2;
    CHECK_RC(trail_set_new(own, "z-node", peers, 2, &set, &err), CU_E_VALIDATION);
    CHECK(strstr(err.msg, "b-node") != NULL);
    CHECK(set == NULL);
    /* nor may this node's own name be a peer's */
    CHECK_RC(trail_set_new(own, "b-node", peers, 1, &set, &err), CU_E_VALIDATION);
    /* a peer with nothing there yet (not started, not mounted): this node's records */
    snprintf(peer2, sizeof(peer2), "%s/not-yet", dir);
    peers[0] = peer2;
    CHECK_OK(trail_set_new(own, "z-node", peers, 1, &set, &err));
    for (size_t i = 0; i < TRAIL_SET_MAX; i++)
        g.cursor[i] = UINT64_MAX;
    g.n = 0;
    q.max = 10;
    CHECK_OK(trail_set_lookup(set, &q, g.cursor, hit, &g, &more));
    CHECK_INT(g.n, 4);
    CHECK_STR(g.ids[0], "na-3");
    trail_set_free(set);
}

/* The merge's rule both ways: the latest (or earliest) next record, a tie to the lower
 * index (the node name that sorts first), a trail with none left out. */
static void pick_order(void)
{
    struct trail_set_head h[] = {{.has = true, .t = 5}, {.has = false, .t = 9},
                                 {.has = true, .t = 7}, {.has = true, .t = 7},
                                 {.has = true, .t = 5}};

    CHECK_INT(trail_set_pick(h, 5, true), 2);  /* 7 twice: the first of them */
    CHECK_INT(trail_set_pick(h, 5, false), 0); /* 5 twice: the first of them */
    h[0].has = false;
    CHECK_INT(trail_set_pick(h, 5, false), 4);
    h[2].has = h[3].has = h[4].has = false;
    CHECK(trail_set_pick(h, 5, true) == SIZE_MAX);
    CHECK(trail_set_pick(h, 0, false) == SIZE_MAX);
}

int main(void)
{
    char cmd[100];

    CHECK(mkdtemp(dir) != NULL);
    seqs_check();
    node_ids();
    merged_lookup();
    pick_order();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_END();
}
