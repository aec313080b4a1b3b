/* Tests for audit/trail_index.c and audit/gz_seek.c: reads at random offsets of a gzip
 * file of many spans equal the inflated bytes, and a gzip file cut short is refused; the
 * index finds records by each lookup attribute across a sealed gzip file, a plain file
 * left unsealed and the live audit.log, newest first, within time bounds, resuming before
 * a position; it follows the live file's growth (a record whose copy is not finished is
 * not taken until it is) and rotations (the live file renamed away, a new one begun; two
 * between lookups, sealed or not); a sealed plain file is read from its gzip copy and a
 * file removed by retention dropped, and no descriptor is left on a removed or sealed
 * file; each sealed file's .idx is written, then taken instead of the file at the next
 * start, and a corrupt, cut-short, empty, stale or version-1 one is rebuilt; while a thread rotates and seals the trail without pause, each lookup finds every
 * record written before it, none twice, and in the end all of them in order. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/gz_seek.h"
#include "audit/trail_index.h"
#include "audit/trail_io.h"
#include "check.h"

static char dir[] = "/tmp/trail-index-test-XXXXXX";

static void record(struct buf *b, int i, const char *name, const char *user, bool ro)
{
    CHECK_OK(buf_addf(b, "{\"eventTime\":\"2026-01-01T00:%02d:%02dZ\",\"eventID\":\"id-%d\","
                      "\"eventName\":\"%s\",\"eventSource\":\"iam.amazonaws.com\","
                      "\"readOnly\":%s,\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":"
                      "\"%s\",\"accessKeyId\":\"AKIA%d\"},\"resources\":[{\"type\":"
                      "\"AWS::IAM::User\",\"ARN\":\"arn:u/%d\"}],\"custos\":{\"previousHash\":"
                      "\"0000000000000000000000000000000000000000000000000000000000000000\"}}\n",
                      i / 60 % 60, i % 60, i, name, ro ? "true" : "false", user, i % 3, i));
}

/* a fixed pseudo-random sequence (xorshift): the same offsets every run */
static uint32_t next_rand(void)
{
    static uint32_t x = 2463534242u;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

static void gz_random_reads(void)
{
    char path[200];
    struct buf plain, inflated;
    struct gz_seek *g = NULL;
    const char *p;
    int fd;

    buf_init(&plain, BUF_NO_LIMIT);
    buf_init(&inflated, BUF_NO_LIMIT);
    for (int i = 0; i < 40000; i++) /* about 3 MiB: several spans */
        record(&plain, i, next_rand() % 2 ? "GetUser" : "CreateUser", "u", i % 2);
    snprintf(path, sizeof(path), "%s/x.jsonl.gz", dir);
    CHECK_OK(trail_write_gz(path, buf_bytes(&plain)));
    fd = open(path, O_RDONLY);
    CHECK_OK(gz_seek_open(fd, &inflated, &g));
    CHECK_INT(inflated.n, plain.n);
    CHECK_MEM(inflated.p, plain.p, plain.n);
    for (int i = 0; i < 200; i++) {
        size_t off = (size_t)next_rand() % (plain.n - 100), len = 1 + (size_t)next_rand() % 99;

        CHECK_OK(gz_seek_read(g, fd, off, len, &p));
        CHECK_MEM(p, plain.p + off, len);
    }
    CHECK_OK(gz_seek_read(g, fd, plain.n - 5, 5, &p));
    CHECK_MEM(p, plain.p + plain.n - 5, 5);
    CHECK_RC(gz_seek_read(g, fd, plain.n - 5, 6, &p), CU_E_STORE);
    gz_seek_free(g);
    close(fd);
    /* cut short */
    CHECK(truncate(path, 1000) == 0);
    fd = open(path, O_RDONLY);
    buf_reset(&inflated);
    g = NULL;
    CHECK_RC(gz_seek_open(fd, &inflated, &g), CU_E_STORE);
    CHECK(g == NULL);
    close(fd);
    unlink(path);
    buf_release(&plain);
    buf_release(&inflated);
}

struct hits {
    int n;
    char ids[64][16];
    uint64_t last;
};

static cu_rc collect(void *ctx, uint64_t pos, const json_t *rec, const char *line, size_t len)
{
    struct hits *h = ctx;

    (void)line;
    (void)len;
    snprintf(h->ids[h->n++], sizeof(h->ids[0]), "%s",
             json_string_value(json_object_get(rec, "eventID")));
    h->last = pos;
    return CU_OK;
}

static struct hits find(struct trail_index *ix, enum trail_attr a, const char *v, size_t max,
                        uint64_t before, bool *more)
{
    struct hits h = {0};
    struct trail_query q = {.attr = a, .value = v, .start_s = 0, .end_s = INT64_MAX,
                            .before = before, .max = max};

    CHECK_OK(trail_index_lookup(ix, &q, collect, &h, more));
    return h;
}

static bool file_text(const char *path, struct buf *out)
{
    char chunk[4096];
    size_t got;
    FILE *f = fopen(path, "r");

    if (!f)
        return false;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        CHECK_OK(buf_add(out, chunk, got));
    fclose(f);
    return true;
}

/* Descriptors of this process on files whose name has this part. */
static int files_open(const char *part)
{
    char link[64], target[512];
    int n = 0;

    for (int fd = 0; fd < 1024; fd++) {
        ssize_t len;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        len = readlink(link, target, sizeof(target) - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        n += strstr(target, part) != NULL;
    }
    return n;
}

/* Descriptors of this process on files already removed (what would pin their disk). */
static int deleted_files_open(void)
{
    return files_open(" (deleted)");
}

static void write_file(const char *path, const struct buf *b)
{
    FILE *f = fopen(path, "w");

    CHECK(f && fwrite(b->p, 1, b->n, f) == b->n);
    fclose(f);
}

static void lookups_across_files(void)
{
    char path[300], live[300], rotated[310];
    struct buf b;
    struct trail_index *ix = NULL;
    struct hits h;
    bool more;
    uint64_t n;
    int fd;

    buf_init(&b, BUF_NO_LIMIT);
    snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_TRAIL_SUBDIR);
    CHECK(mkdir(path, 0700) == 0);
    for (int i = 0; i < 10; i++)
        record(&b, i, "CreateUser", "alice", false);
    snprintf(path, sizeof(path), "%s/%s/trail_00000001_20260101T000000Z.jsonl.gz", dir,
             AUDIT_TRAIL_SUBDIR);
    CHECK_OK(trail_write_gz(path, buf_bytes(&b)));
    buf_reset(&b);
    for (int i = 10; i < 20; i++)
        record(&b, i, "GetUser", "bob", true);
    snprintf(path, sizeof(path), "%s/%s/trail_00000002_20260101T000010Z.jsonl", dir,
             AUDIT_TRAIL_SUBDIR);
    write_file(path, &b);
    buf_reset(&b);
    for (int i = 20; i < 25; i++)
        record(&b, i, "DeleteUser", "alice", false);
    /* the live file's tail: a record whose copy is not done, then the writer's reservation */
    CHECK_OK(buf_addstr(&b, "{\"eventTime\":\"2026-01-01T00:00:"));
    snprintf(live, sizeof(live), "%s/audit.log", dir);
    write_file(live, &b);
    fd = open(live, O_WRONLY | O_APPEND);
    CHECK(write(fd, "\0\0\0\0", 4) == 4);
    close(fd);

    CHECK_OK(trail_index_new(dir, &ix));
    CHECK_OK(trail_index_count(ix, &n));
    CHECK_INT(n, 25);
    CHECK_INT(files_open(".jsonl.gz"), 0); /* sealed files are opened only to read a line */
    h = find(ix, TRAIL_ATTR_NONE, NULL, 3, UINT64_MAX, &more);
    CHECK_INT(h.n, 3);
    CHECK(more);
    CHECK_STR(h.ids[0], "id-24"); /* newest first */
    CHECK_STR(h.ids[2], "id-22");
    h = find(ix, TRAIL_ATTR_NONE, NULL, 50, h.last, &more);
    CHECK_INT(h.n, 22);
    CHECK(!more);
    CHECK_STR(h.ids[21], "id-0");
    CHECK_INT(find(ix, TRAIL_ATTR_USERNAME, "alice", 50, UINT64_MAX, &more).n, 15);
    CHECK_INT(find(ix, TRAIL_ATTR_EVENT_NAME, "GetUser", 50, UINT64_MAX, &more).n, 10);
    CHECK_INT(find(ix, TRAIL_ATTR_READ_ONLY, "true", 50, UINT64_MAX, &more).n, 10);
    CHECK_INT(find(ix, TRAIL_ATTR_READ_ONLY, "false", 50, UINT64_MAX, &more).n, 15);
    CHECK_INT(find(ix, TRAIL_ATTR_ACCESS_KEY_ID, "AKIA1", 50, UINT64_MAX, &more).n, 8);
    CHECK_INT(find(ix, TRAIL_ATTR_EVENT_SOURCE, "iam.amazonaws.com", 50, UINT64_MAX, &more).n, 25);
    CHECK_INT(find(ix, TRAIL_ATTR_RESOURCE_TYPE, "AWS::IAM::User", 50, UINT64_MAX, &more).n, 25);
    h = find(ix, TRAIL_ATTR_RESOURCE_NAME, "arn:u/4", 50, UINT64_MAX, &more);
    CHECK_INT(h.n, 1);
    CHECK_STR(h.ids[0], "id-4"); /* in the gzip file */
    CHECK_INT(files_open(".jsonl.gz"), 0);
    h = find(ix, TRAIL_ATTR_EVENT_ID, "id-15", 50, UINT64_MAX, &more);
    CHECK_INT(h.n, 1);
    CHECK_INT(find(ix, TRAIL_ATTR_EVENT_ID, "id-99", 50, UINT64_MAX, &more).n, 0);
    CHECK_INT(find(ix, TRAIL_ATTR_USERNAME, "alic", 50, UINT64_MAX, &more).n, 0);
    {
        struct hits t = {0};
        struct trail_query q = {.start_s = 1767225605, .end_s = 1767225607, /* :05 to :07 */
                                .before = UINT64_MAX, .max = 50};

        CHECK_OK(trail_index_lookup(ix, &q, collect, &t, &more));
        CHECK_INT(t.n, 3);
        CHECK_STR(t.ids[0], "id-7");
    }

    /* the live file grows: the torn record is finished, and one more follows */
    buf_reset(&b);
    CHECK_OK(buf_addstr(&b, "{\"eventTime\":\"2026-01-01T00:00:"));
    fd = open(live, O_WRONLY);
    CHECK(fd >= 0);
    {
        struct stat st;
        struct buf more_text;

        buf_init(&more_text, BUF_NO_LIMIT);
        CHECK(fstat(fd, &st) == 0);
        record(&more_text, 25, "TagUser", "carol", false);
        /* over the torn head and the NULs, as the writer's copy lands */
        CHECK(pwrite(fd, more_text.p, more_text.n, st.st_size - 4 - (off_t)b.n) ==
              (ssize_t)more_text.n);
        buf_release(&more_text);
    }
    close(fd);
    CHECK_OK(trail_index_count(ix, &n));
    CHECK_INT(n, 26);
    CHECK_STR(find(ix, TRAIL_ATTR_USERNAME, "carol", 50, UINT64_MAX, &more).ids[0], "id-25");

    /* rotation: the live file renamed into the trail, a new one begun */
    snprintf(rotated, sizeof(rotated), "%s/%s/trail_00000003_20260101T000030Z.jsonl", dir,
             AUDIT_TRAIL_SUBDIR);
    CHECK(rename(live, rotated) == 0);
    buf_reset(&b);
    record(&b, 26, "UntagUser", "carol", false);
    write_file(live, &b);
    unlink(rotated); /* sealed and removed: the index reads it through its descriptor */
    CHECK_OK(trail_index_count(ix, &n));
    CHECK_INT(n, 27);
    h = find(ix, TRAIL_ATTR_USERNAME, "carol", 50, UINT64_MAX, &more);
    CHECK_INT(h.n, 2);
    CHECK_STR(h.ids[0], "id-26");
    CHECK_STR(h.ids[1], "id-25");

    /* two rotations between lookups: the first file sealed (gzip, plain removed), the
     * second still plain; both are taken, in order, and no descriptor pins a removed file */
    snprintf(rotated, sizeof(rotated), "%s/%s/trail_00000004_20260101T000040Z.jsonl.gz", dir,
             AUDIT_TRAIL_SUBDIR);
    {
        struct buf four;

        buf_init(&four, BUF_NO_LIMIT);
        CHECK(file_text(live, &four));
        record(&four, 27, "ListUsers", "dave", true);
        CHECK_OK(trail_write_gz(rotated, buf_bytes(&four)));
        unlink(live);
        buf_release(&four);
    }
    snprintf(path, sizeof(path), "%s/%s/trail_00000005_20260101T000050Z.jsonl", dir,
             AUDIT_TRAIL_SUBDIR);
    buf_reset(&b);
    record(&b, 28, "ListUsers", "dave", true);
    write_file(path, &b);
    buf_reset(&b);
    record(&b, 29, "ListUsers", "dave", true);
    write_file(live, &b);
    h = find(ix, TRAIL_ATTR_USERNAME, "dave", 50, UINT64_MAX, &more);
    CHECK_INT(h.n, 3);
    CHECK_STR(h.ids[0], "id-29");
    CHECK_STR(h.ids[1], "id-28");
    CHECK_STR(h.ids[2], "id-27");
    CHECK_INT(find(ix, TRAIL_ATTR_USERNAME, "carol", 50, UINT64_MAX, &more).n, 2);
    CHECK_INT(deleted_files_open(), 1); /* trail_3, removed with no gzip copy in this test */

    /* the plain file 5 sealed: read from its gzip copy, the plain one let go */
    snprintf(rotated, sizeof(rotated), "%s.gz", path);
    CHECK_OK(trail_write_gz(rotated, buf_bytes(&b) /* any text first */));
    unlink(rotated);
    {
        struct buf five;

        buf_init(&five, BUF_NO_LIMIT);
        CHECK(file_text(path, &five));
        CHECK_OK(trail_write_gz(rotated, buf_bytes(&five)));
        buf_release(&five);
    }
    unlink(path);
    CHECK_INT(find(ix, TRAIL_ATTR_EVENT_ID, "id-28", 50, UINT64_MAX, &more).n, 1);
    CHECK_INT(deleted_files_open(), 1);
    /* retention removes file 1: its records are no longer found, its file let go */
    snprintf(path, sizeof(path), "%s/%s/trail_00000001_20260101T000000Z.jsonl.gz", dir,
             AUDIT_TRAIL_SUBDIR);
    unlink(path);
    CHECK_INT(find(ix, TRAIL_ATTR_EVENT_NAME, "CreateUser", 50, UINT64_MAX, &more).n, 0);
    CHECK_INT(find(ix, TRAIL_ATTR_EVENT_NAME, "GetUser", 50, UINT64_MAX, &more).n, 10);
    CHECK_INT(deleted_files_open(), 1);
    trail_index_free(ix);
    buf_release(&b);
}

/* ---- the .idx beside each sealed file ---- */

static struct trail_index_stats stats_of(const char *d, uint64_t want_records)
{
    struct trail_index *ix = NULL;
    struct trail_index_stats st;
    uint64_t n = 0;

    CHECK_OK(trail_index_new(d, &ix));
    CHECK_OK(trail_index_count(ix, &n));
    CHECK_INT(n, want_records);
    trail_index_get_stats(ix, &st);
    trail_index_free(ix);
    return st;
}

static int names_found(const char *d, enum trail_attr a, const char *v)
{
    struct trail_index *ix = NULL;
    bool more;
    int n;

    CHECK_OK(trail_index_new(d, &ix));
    n = find(ix, a, v, 50, UINT64_MAX, &more).n;
    trail_index_free(ix);
    return n;
}

static void flip_byte(const char *path, off_t at)
{
    int fd = open(path, O_RDWR);
    char c = 0;

    CHECK(fd >= 0 && pread(fd, &c, 1, at) == 1);
    c ^= 0x20;
    CHECK(pwrite(fd, &c, 1, at) == 1);
    close(fd);
}

static void set_byte(const char *path, off_t at, char c)
{
    int fd = open(path, O_RDWR);

    CHECK(fd >= 0 && pwrite(fd, &c, 1, at) == 1);
    close(fd);
}

static void idx_beside_sealed_files(void)
{
    char d[260], sub[300], gz1[400], gz2[400], idx1[400], idx2[400];
    struct buf b;
    struct trail_index_stats st;
    struct stat sb;

    buf_init(&b, BUF_NO_LIMIT);
    snprintf(d, sizeof(d), "%s/idx", dir);
    snprintf(sub, sizeof(sub), "%s/%s", d, AUDIT_TRAIL_SUBDIR);
    CHECK(mkdir(d, 0700) == 0 && mkdir(sub, 0700) == 0);
    for (int i = 0; i < 5000; i++) /* about 1.6 MiB: some 25 flush points */
        record(&b, i, i % 1000 ? "GetUser" : "CreateUser", "alice", true);
    snprintf(gz1, sizeof(gz1), "%s/trail_00000001_20260101T000000Z.jsonl.gz", sub);
    snprintf(idx1, sizeof(idx1), "%s/trail_00000001_20260101T000000Z.idx", sub);
    CHECK_OK(trail_write_gz(gz1, buf_bytes(&b)));
    buf_reset(&b);
    for (int i = 5000; i < 5010; i++)
        record(&b, i, "DeleteUser", "bob", false);
    snprintf(gz2, sizeof(gz2), "%s/trail_00000002_20260101T000100Z.jsonl.gz", sub);
    snprintf(idx2, sizeof(idx2), "%s/trail_00000002_20260101T000100Z.idx", sub);
    CHECK_OK(trail_write_gz(gz2, buf_bytes(&b)));

    /* the first start reads both files and writes their .idx */
    st = stats_of(d, 5010);
    CHECK_INT(st.files_read, 2);
    CHECK_INT(st.idx_loaded, 0);
    CHECK_INT(st.idx_written, 2);
    CHECK(stat(idx1, &sb) == 0 && stat(idx2, &sb) == 0);
    /* the next takes them from their .idx, and finds the same */
    st = stats_of(d, 5010);
    CHECK_INT(st.idx_loaded, 2);
    CHECK_INT(st.files_read, 0);
    CHECK_INT(names_found(d, TRAIL_ATTR_EVENT_NAME, "CreateUser"), 5);
    CHECK_INT(names_found(d, TRAIL_ATTR_USERNAME, "bob"), 10);
    CHECK_INT(names_found(d, TRAIL_ATTR_RESOURCE_NAME, "arn:u/4999"), 1);
    CHECK_INT(names_found(d, TRAIL_ATTR_EVENT_ID, "id-2500"), 1);

    /* an .idx in the version-1 format (magic CUSTIDX1, an older custos's, whose points
     * are all windowed): not taken, the file read again and its .idx rewritten */
    set_byte(idx1, 7, '1');
    st = stats_of(d, 5010);
    CHECK_INT(st.idx_loaded, 1);
    CHECK_INT(st.files_read, 1);
    CHECK_INT(st.idx_written, 1);
    CHECK_INT(stats_of(d, 5010).idx_loaded, 2);

    /* corrupt (a byte of its body), cut short, emptied: read again, and rewritten */
    flip_byte(idx1, 2000);
    st = stats_of(d, 5010);
    CHECK_INT(st.idx_loaded, 1);
    CHECK_INT(st.files_read, 1);
    CHECK_INT(st.idx_written, 1);
    CHECK_INT(stats_of(d, 5010).idx_loaded, 2);
    CHECK(truncate(idx1, 100) == 0);
    CHECK_INT(stats_of(d, 5010).files_read, 1);
    CHECK(truncate(idx2, 0) == 0);
    CHECK_INT(stats_of(d, 5010).files_read, 1);
    CHECK_INT(stats_of(d, 5010).idx_loaded, 2);

    /* stale: file 2 is another file now (same name, other records); its .idx no longer
     * describes it, and the records found are the file's */
    buf_reset(&b);
    for (int i = 40000; i < 40005; i++)
        record(&b, i, "TagUser", "carol", false);
    CHECK_OK(trail_write_gz(gz2, buf_bytes(&b)));
    st = stats_of(d, 5005);
    CHECK_INT(st.idx_loaded, 1);
    CHECK_INT(st.files_read, 1);
    CHECK_INT(names_found(d, TRAIL_ATTR_USERNAME, "bob"), 0);
    CHECK_INT(names_found(d, TRAIL_ATTR_USERNAME, "carol"), 5);

    /* retention removes file 2 while an index follows the trail: its .idx goes too */
    {
        struct trail_index *ix = NULL;
        uint64_t n;

        CHECK_OK(trail_index_new(d, &ix));
        CHECK_OK(trail_index_count(ix, &n));
        CHECK(unlink(gz2) == 0);
        CHECK_OK(trail_index_count(ix, &n));
        CHECK(stat(idx2, &sb) != 0);
        CHECK(stat(idx1, &sb) == 0);
        trail_index_free(ix);
    }
    buf_release(&b);
}

/* ---- rotations while the index reads the trail ----
 * A thread does on disk what the writer and the sealer do, as fast as it can: append
 * records to audit.log, rename it to trail_N.jsonl, begin a new audit.log, compress the
 * rotated file to trail_N.jsonl.gz and remove the plain one (some rotations left plain
 * for a while, as a seal that is behind). Each lookup meanwhile must find every record
 * written before it began, none twice, newest first. */
#define RACE_ROTATIONS 300
#define RACE_PER_FILE 4

struct rotator {
    char dir[200];
    _Atomic int written;  /* records wholly written to the trail */
    _Atomic int failures; /* file operations of the thread that failed */
    _Atomic bool done;
};

static bool race_seal(const char *plain)
{
    char gz[320];
    struct buf text;
    bool ok;

    buf_init(&text, BUF_NO_LIMIT);
    snprintf(gz, sizeof(gz), "%s.gz", plain);
    ok = file_text(plain, &text) && trail_write_gz(gz, buf_bytes(&text)) == CU_OK &&
         unlink(plain) == 0;
    buf_release(&text);
    return ok;
}

/* As the writer rotates (rename, then a new live file at once) and the sealer seals. */
static void *rotate_constantly(void *arg)
{
    struct rotator *r = arg;
    char live[260], rotated[320], behind[320] = "";
    struct buf b;
    int k = 0, fd;

    buf_init(&b, BUF_NO_LIMIT);
    snprintf(live, sizeof(live), "%s/audit.log", r->dir);
    fd = open(live, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0600);
    for (int n = 1; n <= RACE_ROTATIONS && fd >= 0; n++) {
        for (int i = 0; i < RACE_PER_FILE; i++, k++) {
            buf_reset(&b);
            record(&b, k, k % 97 ? "GetUser" : "CreateUser", "racer", true);
            if (write(fd, b.p, b.n) != (ssize_t)b.n)
                atomic_fetch_add(&r->failures, 1);
            atomic_store(&r->written, k + 1);
        }
        close(fd);
        snprintf(rotated, sizeof(rotated), "%s/%s/trail_%08d_20260101T000000Z.jsonl", r->dir,
                 AUDIT_TRAIL_SUBDIR, n);
        if (rename(live, rotated) != 0)
            atomic_fetch_add(&r->failures, 1);
        fd = open(live, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0600);
        if (behind[0] && !race_seal(behind))
            atomic_fetch_add(&r->failures, 1);
        behind[0] = '\0';
        if (n % 5 == 0)
            snprintf(behind, sizeof(behind), "%s", rotated); /* sealed after the next one */
        else if (!race_seal(rotated))
            atomic_fetch_add(&r->failures, 1);
    }
    if (fd < 0 || (behind[0] && !race_seal(behind)))
        atomic_fetch_add(&r->failures, 1);
    if (fd >= 0)
        close(fd);
    buf_release(&b);
    atomic_store(&r->done, true);
    return NULL;
}

struct seen {
    int n, max_id, order_errors;
    unsigned char *count; /* per record number, how often it was found */
    int cap;
};

static cu_rc tally(void *ctx, uint64_t pos, const json_t *rec, const char *line, size_t len)
{
    struct seen *s = ctx;
    const char *id = json_string_value(json_object_get(rec, "eventID"));
    int k = id && strncmp(id, "id-", 3) == 0 ? (int)strtol(id + 3, NULL, 10) : -1;

    (void)pos;
    (void)line;
    (void)len;
    if (k < 0 || k >= s->cap)
        return CU_E_INTERNAL;
    if (s->n && k >= s->max_id)
        s->order_errors++; /* newest first: each record older than the one before */
    s->max_id = k;
    s->count[k]++;
    s->n++;
    return CU_OK;
}

static void rotations_while_indexing(void)
{
    static struct rotator r;
    char sub[260];
    struct trail_index *ix = NULL;
    pthread_t t;
    struct seen s = {.cap = RACE_ROTATIONS * RACE_PER_FILE};
    int lookups = 0, short_counts = 0, errors = 0, missing = 0, twice = 0;

    s.count = calloc((size_t)s.cap, 1);
    snprintf(r.dir, sizeof(r.dir), "%s/race", dir);
    CHECK(mkdir(r.dir, 0700) == 0);
    snprintf(sub, sizeof(sub), "%s/%s", r.dir, AUDIT_TRAIL_SUBDIR);
    CHECK(mkdir(sub, 0700) == 0);
    CHECK(pthread_create(&t, NULL, rotate_constantly, &r) == 0);
    CHECK_OK(trail_index_new(r.dir, &ix)); /* its first pass runs beside the rotations */
    while (!atomic_load(&r.done)) {
        int before = atomic_load(&r.written), after;
        uint64_t n = 0;

        if (trail_index_count(ix, &n) != CU_OK)
            errors++;
        after = atomic_load(&r.written);
        /* every record written before the lookup began, none counted twice (the one being
         * written as the lookup ended may be counted) */
        if (n < (uint64_t)before || n > (uint64_t)after + 1)
            short_counts++;
        lookups++;
    }
    pthread_join(t, NULL);
    {
        struct trail_query q = {.start_s = 0, .end_s = INT64_MAX, .before = UINT64_MAX,
                                .max = (size_t)s.cap + 1};
        bool more = false;

        CHECK_OK(trail_index_lookup(ix, &q, tally, &s, &more));
        CHECK(!more);
    }
    for (int k = 0; k < s.cap; k++) {
        missing += s.count[k] == 0;
        twice += s.count[k] > 1;
    }
    CHECK_INT(atomic_load(&r.failures), 0);
    CHECK(lookups > 0);
    CHECK_INT(errors, 0);
    CHECK_INT(short_counts, 0);
    CHECK_INT(s.n, s.cap);
    CHECK_INT(missing, 0);
    CHECK_INT(twice, 0);
    CHECK_INT(s.order_errors, 0);
    CHECK_INT(deleted_files_open(), 0);
    trail_index_free(ix);
    free(s.count);
}

static void rm_rf(void)
{
    char cmd[200];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    gz_random_reads();
    lookups_across_files();
    idx_beside_sealed_files();
    rotations_while_indexing();
    rm_rf();
    TEST_END();
}
