/* Tests for audit/export.c and audit/trail_reader.c: `custos audit export` over one node's
 * trail and several nodes' — the records of the window, each once, merged oldest first
 * with ties to the node whose name sorts first (trail_set_pick), whatever order the DIRs
 * are given in; each node's records in its own order, a record its node wrote late kept
 * at its place; sealed, unsealed and live files read in order, a leftover plain copy of a
 * sealed file once, the live file's torn tail and reserved NULs not exported; both formats
 * (one CloudTrail log file for the merged set); a line longer than the reader's chunk; a
 * trail far larger than the reader's memory (the peak RSS stays flat); and the refusals:
 * two trails of one node name, a sealed file cut short or not gzip, a missing DIR. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "audit/node_id.h"
#include "audit/trail_io.h"
#include "audit/trail_set.h"
#include "audit/verify.h"
#include "check.h"
#include "core/clock.h"

static char root[] = "/tmp/export-test-XXXXXX";
static const int64_t base = 1767225600; /* 2026-01-01T00:00:00Z */

/* A record line of node's, its k-th, at base + t, with the chain's member. */
static void rec(struct buf *out, const char *node, int k, int64_t t)
{
    char when[21], suffix[AUDIT_CHAIN_SUFFIX_LEN + 1], line[256];

    clock_iso8601(base + t, when);
    audit_chain_suffix(audit_chain_genesis, suffix);
    snprintf(line, sizeof(line), "{\"eventTime\":\"%s\",\"eventID\":\"%s-%d\"%s\n", when, node, k,
             suffix);
    CHECK_OK(buf_addstr(out, line));
}

/* A data dir root/name whose trail is node's. */
static void make_dir(char *path, size_t cap, const char *name, const char *node)
{
    char trail[512];
    struct cu_err err = {0};

    snprintf(path, cap, "%s/%s", root, name);
    snprintf(trail, sizeof(trail), "%s/%s", path, AUDIT_TRAIL_SUBDIR);
    CHECK(mkdir(path, 0700) == 0);
    CHECK(mkdir(trail, 0700) == 0);
    if (node)
        CHECK_OK(audit_node_id_write(path, node, &err));
}

static void put_file(const char *dir, const char *name, const struct buf *data)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(data->p, 1, data->n, f) == data->n);
    fclose(f);
}

/* Log file number of dir's trail: sealed (gzip) or plain (pending). */
static void put_log(const char *dir, uint64_t number, bool sealed, const struct buf *data)
{
    char name[128], rel[256], path[1024];

    audit_file_log_name(number, base + (int64_t)number * 60, name, sizeof(name));
    snprintf(rel, sizeof(rel), "%s/%s%s", AUDIT_TRAIL_SUBDIR, name, sealed ? ".gz" : "");
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if (sealed)
        CHECK_OK(trail_write_gz(path, buf_bytes(data)));
    else
        put_file(dir, rel, data);
}

static cu_rc run(const char *const *dirs, size_t n, int64_t since, int64_t until, bool cloudtrail,
                 struct buf *out, struct cu_err *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cu_rc rc;

    if (!f)
        return CU_E_NOMEM;
    rc = audit_export(dirs, n, since ? base + since : 0, until ? base + until : 0, cloudtrail, f,
                      err);
    fclose(f);
    buf_reset(out);
    if (buf_add(out, text, len) != CU_OK)
        rc = CU_E_NOMEM;
    free(text);
    return rc;
}

/* The eventIDs of a jsonl export, space-separated. */
static void ids_of(const struct buf *jsonl, struct buf *ids)
{
    const char *p = jsonl->p ? jsonl->p : "";

    buf_reset(ids);
    while ((p = strstr(p, "\"eventID\":\""))) {
        const char *v = p + 11, *end = strchr(v, '"');

        if (ids->n)
            CHECK_OK(buf_addstr(ids, " "));
        CHECK_OK(buf_add(ids, v, (size_t)(end - v)));
        p = end;
    }
    if (!ids->p)
        CHECK_OK(buf_addstr(ids, ""));
}

static char dir_a[600], dir_b[600], dir_late_a[600], dir_late_b[600];

/* Node n-a: a sealed file (1, 3, 5), an unsealed one (7), audit.log (9, 10, then a record
 * the writer was copying and its reserved NULs). Node n-b: sealed files (2, 3, 6) and (8),
 * the second's plain copy left beside it, no audit.log (a copy of the sealed files). The
 * dirs' names sort the other way from their nodes'. */
static void two_trails(void)
{
    struct buf b;

    buf_init(&b, BUF_NO_LIMIT);
    make_dir(dir_a, sizeof(dir_a), "zz", "n-a");
    rec(&b, "a", 1, 1);
    rec(&b, "a", 3, 3);
    rec(&b, "a", 5, 5);
    put_log(dir_a, 1, true, &b);
    buf_reset(&b);
    rec(&b, "a", 7, 7);
    put_log(dir_a, 2, false, &b);
    buf_reset(&b);
    rec(&b, "a", 9, 9);
    rec(&b, "a", 10, 10);
    CHECK_OK(buf_addstr(&b, "{\"eventTime\":\"2026-01-01T00:00:10Z\",\"eventID\":\"a-torn"));
    {
        static const char reserved[5000]; /* zeros */

        CHECK_OK(buf_add(&b, reserved, sizeof(reserved)));
    }
    put_file(dir_a, "audit.log", &b);

    buf_reset(&b);
    make_dir(dir_b, sizeof(dir_b), "aa", "n-b");
    rec(&b, "b", 2, 2);
    rec(&b, "b", 3, 3);
    rec(&b, "b", 6, 6);
    put_log(dir_b, 1, true, &b);
    buf_reset(&b);
    rec(&b, "b", 8, 8);
    put_log(dir_b, 2, true, &b);
    put_log(dir_b, 2, false, &b);
    buf_release(&b);
}

static void merged(void)
{
    const char *dirs[] = {dir_b, dir_a}; /* not in node-name order */
    struct cu_err err = {0};
    struct buf out, ids;

    buf_init(&out, BUF_NO_LIMIT);
    buf_init(&ids, BUF_NO_LIMIT);
    CHECK_OK(run(dirs, 2, 0, 0, false, &out, &err));
    ids_of(&out, &ids);
    CHECK_STR(ids.p, "a-1 b-2 a-3 b-3 a-5 b-6 a-7 b-8 a-9 a-10");
    /* each record as stored, its chain member kept, one a line */
    CHECK(out.n > 0 && out.p[out.n - 1] == '\n');
    CHECK(strstr(out.p, "\"custos\":{\"previousHash\":\"") != NULL);
    CHECK(strchr(out.p, '\0') == out.p + out.n);

    /* the window's bounds are inclusive; the DIRs in either order give the same bytes */
    {
        const char *other[] = {dir_a, dir_b};
        struct buf again;

        buf_init(&again, BUF_NO_LIMIT);
        CHECK_OK(run(dirs, 2, 3, 8, false, &out, &err));
        CHECK_OK(run(other, 2, 3, 8, false, &again, &err));
        CHECK_STR(again.p, out.p);
        buf_release(&again);
    }
    ids_of(&out, &ids);
    CHECK_STR(ids.p, "a-3 b-3 a-5 b-6 a-7 b-8");

    /* one node alone: its records in its order */
    CHECK_OK(run(dirs, 1, 0, 0, false, &out, &err));
    ids_of(&out, &ids);
    CHECK_STR(ids.p, "b-2 b-3 b-6 b-8");
    buf_release(&out);
    buf_release(&ids);
}

static void cloudtrail_format(void)
{
    const char *dirs[] = {dir_a, dir_b};
    struct cu_err err = {0};
    struct buf out;
    json_error_t jerr;
    json_t *doc, *records;
    const char *want[] = {"a-3", "b-3", "a-5", "b-6", "a-7", "b-8"};

    buf_init(&out, BUF_NO_LIMIT);
    CHECK_OK(run(dirs, 2, 3, 8, true, &out, &err));
    CHECK(strncmp(out.p, "{\"Records\":[{", 13) == 0);
    CHECK(strcmp(out.p + out.n - 3, "]}\n") == 0);
    doc = json_loadb(out.p, out.n, 0, &jerr);
    CHECK(doc != NULL);
    records = json_object_get(doc, "Records");
    CHECK_INT(json_array_size(records), 6);
    for (size_t i = 0; i < json_array_size(records) && i < 6; i++) {
        json_t *r = json_array_get(records, i);

        CHECK_STR(json_string_value(json_object_get(r, "eventID")), want[i]);
        CHECK(json_object_get(r, "custos") == NULL);
        CHECK(json_object_get(r, "eventTime") != NULL);
    }
    json_decref(doc);
    /* nothing in the window: still one log file, empty */
    CHECK_OK(run(dirs, 2, 100, 200, true, &out, &err));
    CHECK_STR(out.p, "{\"Records\":[]}\n");
    CHECK_OK(run(dirs, 2, 100, 200, false, &out, &err));
    CHECK_INT(out.n, 0);
    buf_release(&out);
}

/* Node n-a wrote 10, 12, then 11 (a call that arrived at 11 and ended after the one of 12),
 * 9 (later still), 13; node n-b 11, 12. */
static void late_record(void)
{
    const char *dirs[] = {dir_late_a, dir_late_b};
    struct cu_err err = {0};
    struct buf b, out, ids;

    buf_init(&b, BUF_NO_LIMIT);
    buf_init(&out, BUF_NO_LIMIT);
    buf_init(&ids, BUF_NO_LIMIT);
    make_dir(dir_late_a, sizeof(dir_late_a), "late-a", "n-a");
    rec(&b, "a", 10, 10);
    rec(&b, "a", 12, 12);
    rec(&b, "a", 11, 11);
    rec(&b, "a", 9, 9);
    rec(&b, "a", 13, 13);
    put_file(dir_late_a, "audit.log", &b);
    buf_reset(&b);
    make_dir(dir_late_b, sizeof(dir_late_b), "late-b", "n-b");
    rec(&b, "b", 11, 11);
    rec(&b, "b", 12, 12);
    put_file(dir_late_b, "audit.log", &b);

    /* a's order is kept (its chain's): 11 and 9 follow 12; each is merged at its own time
     * against b's next record, and none is lost or doubled */
    CHECK_OK(run(dirs, 2, 0, 0, false, &out, &err));
    ids_of(&out, &ids);
    CHECK_STR(ids.p, "a-10 b-11 a-12 a-11 a-9 b-12 a-13");
    /* the window: a late record inside it is exported though a later one came first, and
     * one before it is not, however late it was written */
    CHECK_OK(run(dirs, 2, 11, 12, false, &out, &err));
    ids_of(&out, &ids);
    CHECK_STR(ids.p, "b-11 a-12 a-11 b-12");
    buf_release(&b);
    buf_release(&out);
    buf_release(&ids);
}

/* A record longer than the reader's chunk (64 KiB), between two short ones. */
static void long_record(void)
{
    char dir[600], when[21], suffix[AUDIT_CHAIN_SUFFIX_LEN + 1];
    const char *dirs[] = {dir};
    struct cu_err err = {0};
    struct buf b, out, ids;

    buf_init(&b, BUF_NO_LIMIT);
    buf_init(&out, BUF_NO_LIMIT);
    buf_init(&ids, BUF_NO_LIMIT);
    make_dir(dir, sizeof(dir), "long", "n-long");
    rec(&b, "l", 1, 1);
    clock_iso8601(base + 2, when);
    audit_chain_suffix(audit_chain_genesis, suffix);
    CHECK_OK(buf_addstrs(&b, "{\"eventTime\":\"", when, "\",\"eventID\":\"l-2\",\"pad\":\"", NULL));
    {
        static char pad[300000];

        memset(pad, 'x', sizeof(pad));
        CHECK_OK(buf_add(&b, pad, sizeof(pad)));
    }
    CHECK_OK(buf_addstrs(&b, "\"", suffix, "\n", NULL));
    rec(&b, "l", 3, 3);
    put_log(dir, 1, true, &b);
    CHECK_OK(run(dirs, 1, 0, 0, false, &out, &err));
    CHECK_INT(out.n, b.n);
    CHECK(out.n == b.n && memcmp(out.p, b.p, b.n) == 0);
    ids_of(&out, &ids);
    CHECK_STR(ids.p, "l-1 l-2 l-3");
    buf_release(&b);
    buf_release(&out);
    buf_release(&ids);
}

/* Counts what an export writes, keeping none of it. */
struct tally {
    size_t bytes, lines;
};

static ssize_t tally_write(void *cookie, const char *p, size_t n)
{
    struct tally *t = cookie;

    t->bytes += n;
    for (size_t i = 0; i < n; i++)
        t->lines += p[i] == '\n';
    return (ssize_t)n;
}

static long peak_rss_kb(void)
{
    struct rusage u;

    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

/* One sealed file of 24 MiB of records (written a record at a time, so the test's own
 * peak stays low): the export's peak memory grows by far less than the file. */
static void large_trail(void)
{
    enum { RECORDS = 12288, PAD = 2000 };
    char dir[600], name[128], path[1024], when[21], suffix[AUDIT_CHAIN_SUFFIX_LEN + 1];
    char pad[PAD + 1];
    const char *dirs[] = {dir};
    struct cu_err err = {0};
    struct tally t = {0};
    cookie_io_functions_t io = {.write = tally_write};
    size_t want = 0;
    long before;
    gzFile gz;
    FILE *f;

    make_dir(dir, sizeof(dir), "large", "n-large");
    audit_file_log_name(1, base, name, sizeof(name));
    snprintf(path, sizeof(path), "%s/%s/%s.gz", dir, AUDIT_TRAIL_SUBDIR, name);
    gz = gzopen(path, "wb1");
    CHECK(gz != NULL);
    if (!gz)
        return;
    memset(pad, 'p', PAD);
    pad[PAD] = '\0';
    audit_chain_suffix(audit_chain_genesis, suffix);
    for (int i = 0; i < RECORDS; i++) {
        char line[PAD + 300];
        int n;

        clock_iso8601(base + i / 100, when);
        n = snprintf(line, sizeof(line),
                     "{\"eventTime\":\"%s\",\"eventID\":\"g-%d\",\"p\":\"%s\"%s\n", when, i, pad,
                     suffix);
        if (gzwrite(gz, line, (unsigned)n) != n)
            break;
        want += (size_t)n;
    }
    CHECK(gzclose(gz) == Z_OK);
    f = fopencookie(&t, "w", io);
    CHECK(f != NULL);
    if (!f)
        return;
    before = peak_rss_kb();
    CHECK_OK(audit_export(dirs, 1, 0, 0, false, f, &err));
    fclose(f);
    CHECK_INT(t.lines, RECORDS);
    CHECK_INT(t.bytes, want);
    CHECK(want > 24u << 20);
    /* a file loaded whole would add at least its 24 MiB */
    CHECK(peak_rss_kb() - before < 8 * 1024);
    fprintf(stderr, "large trail: %zu bytes exported, peak RSS +%ld KiB\n", want,
            peak_rss_kb() - before);
}

static void refusals(void)
{
    char dir_c[600], dir_d[600], dir_e[600], missing[700];
    const char *twice[] = {dir_a, dir_c};
    const char *cut[] = {dir_a, dir_d};
    const char *plain[] = {dir_e};
    const char *gone[] = {dir_a, missing};
    struct cu_err err = {0};
    struct buf b, out;
    char name[128], path[1024];

    buf_init(&b, BUF_NO_LIMIT);
    buf_init(&out, BUF_NO_LIMIT);
    /* another copy of node n-a's trail: its records would come out twice */
    make_dir(dir_c, sizeof(dir_c), "copy-of-a", "n-a");
    CHECK_RC(run(twice, 2, 0, 0, false, &out, &err), CU_E_VALIDATION);
    CHECK_CONTAINS(err.msg, "are trails of one node name, n-a");
    CHECK_INT(out.n, 0);

    /* a sealed file cut short: the export fails naming it (what came before is out) */
    make_dir(dir_d, sizeof(dir_d), "cut", "n-cut");
    for (int i = 0; i < 50; i++)
        rec(&b, "c", i, 20 + i);
    put_log(dir_d, 1, true, &b);
    audit_file_log_name(1, base + 60, name, sizeof(name));
    snprintf(path, sizeof(path), "%s/%s/%s.gz", dir_d, AUDIT_TRAIL_SUBDIR, name);
    CHECK_OK(trail_load(path, &out)); /* whole as written */
    {
        FILE *f = fopen(path, "r+");
        struct stat st;

        CHECK(f != NULL && stat(path, &st) == 0);
        if (f) {
            CHECK(ftruncate(fileno(f), st.st_size - 12) == 0);
            fclose(f);
        }
    }
    memset(&err, 0, sizeof(err));
    CHECK_RC(run(cut, 2, 0, 0, false, &out, &err), CU_E_STORE);
    CHECK_CONTAINS(err.msg, dir_d);
    CHECK_CONTAINS(err.msg, name);

    /* a "sealed" file that is not gzip */
    make_dir(dir_e, sizeof(dir_e), "plain", "n-plain");
    audit_file_log_name(1, base + 60, name, sizeof(name));
    snprintf(path, sizeof(path), "%s/%s.gz", AUDIT_TRAIL_SUBDIR, name);
    put_file(dir_e, path, &b);
    memset(&err, 0, sizeof(err));
    CHECK_RC(run(plain, 1, 0, 0, false, &out, &err), CU_E_STORE);
    CHECK_CONTAINS(err.msg, name);

    /* a DIR mistyped is not a trail with nothing in it */
    snprintf(missing, sizeof(missing), "%s/no-such-dir", root);
    memset(&err, 0, sizeof(err));
    CHECK_RC(run(gone, 2, 0, 0, false, &out, &err), CU_E_STORE);
    CHECK_CONTAINS(err.msg, missing);
    buf_release(&b);
    buf_release(&out);
}

int main(void)
{
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    large_trail(); /* first: the peak RSS it measures is the process's */
    two_trails();
    merged();
    cloudtrail_format();
    late_record();
    long_record();
    refusals();
    {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
        CHECK(system(cmd) == 0);
    }
    TEST_END();
}
