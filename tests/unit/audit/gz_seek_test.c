/* Tests for audit/gz_seek.c over the files audit/trail_io.c writes: a sealed file is one
 * gzip member that gzip itself reads back, marked in its header as flushed; its access
 * points are flush points without windows at records' ends, about GZ_SEEK_FLUSH_SPAN
 * apart, the same whether it was written at once or sealed a small window at a time;
 * every record read from its point (oldest first, so each read inflates from the nearest
 * point) and newest first equals the original, and a read inflates at most a flush span
 * and a record; a record longer than the span reads back too. A file in the format sealed
 * before (no flushes, gzFile) and a file flushed but not marked get windowed points a
 * span apart, and their records read back the same. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "audit/gz_seek.h"
#include "audit/trail_io.h"
#include "check.h"

static char dir[] = "/tmp/gz-seek-test-XXXXXX";

static uint32_t next_rand(void)
{
    static uint32_t x = 2463534242u;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

/* n records of 150 to 1100 bytes, and one of `long_at` bytes (0: none) in the middle */
static void records(struct buf *b, int n, size_t long_one)
{
    for (int i = 0; i < n; i++) {
        size_t pad = i == n / 2 && long_one ? long_one : 100 + next_rand() % 1000;

        CHECK_OK(buf_addf(b, "{\"eventID\":\"id-%d\",\"eventName\":\"Op%u\",\"p\":\"", i,
                          next_rand() % 50));
        for (size_t k = 0; k < pad; k++)
            CHECK_OK(buf_addch(b, (char)('a' + (next_rand() % 7 == 0 ? next_rand() % 26 : k % 5))));
        CHECK_OK(buf_addstr(b, "\"}\n"));
    }
}

static size_t longest_line(const struct buf *b)
{
    size_t best = 0;

    for (size_t at = 0; at < b->n;) {
        const char *nl = memchr(b->p + at, '\n', b->n - at);
        size_t len = (size_t)(nl - (b->p + at)) + 1;

        best = len > best ? len : best;
        at += len;
    }
    return best;
}

/* The old sealer's way: gzFile at level 6, and optionally a full flush every span (not
 * marked in the header). */
static void write_gzfile(const char *path, const struct buf *b, bool flushes)
{
    gzFile gz = gzopen(path, "wb6");

    CHECK(gz != NULL);
    for (size_t at = 0; at < b->n;) {
        size_t n = b->n - at > GZ_SEEK_FLUSH_SPAN ? GZ_SEEK_FLUSH_SPAN : b->n - at;

        CHECK(gzwrite(gz, b->p + at, (unsigned)n) == (int)n);
        if (flushes)
            CHECK(gzflush(gz, Z_FULL_FLUSH) == Z_OK);
        at += n;
    }
    CHECK(gzclose(gz) == Z_OK);
}

/* Open path, check the inflated bytes, and read every step-th line oldest first (each
 * from its point), then every line newest first. *most: the most one oldest-first read
 * inflated. */
static struct gz_seek *read_all(const char *path, const struct buf *plain, size_t step, int *fd,
                                uint64_t *most)
{
    struct buf inflated;
    struct gz_seek *g = NULL;
    const char *p;
    uint64_t before;

    buf_init(&inflated, BUF_NO_LIMIT);
    *fd = open(path, O_RDONLY);
    CHECK(*fd >= 0);
    CHECK_OK(gz_seek_open(*fd, &inflated, &g));
    CHECK_INT(inflated.n, plain->n);
    CHECK_MEM(inflated.p, plain->p, plain->n);
    buf_release(&inflated);
    *most = 0;
    for (size_t at = 0, i = 0; at < plain->n; i++) {
        const char *nl = memchr(plain->p + at, '\n', plain->n - at);
        size_t len = (size_t)(nl - (plain->p + at));

        if (i % step == 0) {
            before = gz_seek_inflated(g);
            CHECK_OK(gz_seek_read(g, *fd, at, len, &p));
            CHECK_MEM(p, plain->p + at, len);
            if (gz_seek_inflated(g) - before > *most)
                *most = gz_seek_inflated(g) - before;
        }
        at += len + 1;
    }
    for (size_t end = plain->n - 1; end > 0;) {
        const char *nl = memrchr(plain->p, '\n', end);
        size_t at = nl ? (size_t)(nl - plain->p) + 1 : 0;

        CHECK_OK(gz_seek_read(g, *fd, at, end - at, &p));
        CHECK_MEM(p, plain->p + at, end - at);
        end = at ? at - 1 : 0;
    }
    return g;
}

static void flushed_file(void)
{
    char path[200], sealed[200], cmd[500], plain_path[200];
    struct buf plain, out;
    struct gz_seek *g, *h;
    struct gz_seek_point *pts, *spts;
    struct audit_log_seal seal;
    size_t n, sn, longest;
    uint64_t total, most;
    uint8_t head[32];
    int fd, pfd;
    FILE *f;

    buf_init(&plain, BUF_NO_LIMIT);
    buf_init(&out, BUF_NO_LIMIT);
    records(&plain, 1200, 0); /* about 750 KiB: some 11 flush spans */
    longest = longest_line(&plain);
    snprintf(path, sizeof(path), "%s/flushed.jsonl.gz", dir);
    CHECK_OK(trail_write_gz(path, buf_bytes(&plain)));

    /* one gzip member, which gzip reads back whole, with the flush mark in its header
     * (FEXTRA, a 5-byte field: 'C' 'F', length 1, version 1) */
    snprintf(cmd, sizeof(cmd), "gzip -t '%s' && gzip -dc '%s' > '%s/flushed.out'", path, path, dir);
    CHECK(system(cmd) == 0);
    snprintf(plain_path, sizeof(plain_path), "%s/flushed.out", dir);
    CHECK_OK(trail_load(plain_path, &out));
    CHECK_INT(out.n, plain.n);
    CHECK_MEM(out.p, plain.p, plain.n);
    f = fopen(path, "rb");
    CHECK(f && fread(head, 1, sizeof(head), f) == sizeof(head));
    fclose(f);
    CHECK(head[0] == 0x1f && head[1] == 0x8b && (head[3] & 4));
    CHECK(head[10] == 5 && head[11] == 0 && head[12] == 'C' && head[13] == 'F' &&
          head[14] == 1 && head[15] == 0 && head[16] == GZ_SEEK_FLUSH_VERSION);

    g = read_all(path, &plain, 1, &fd, &most);
    pts = gz_seek_points(g, &n, &total);
    CHECK_INT(total, plain.n);
    CHECK(n >= plain.n / (GZ_SEEK_FLUSH_SPAN + longest));
    CHECK_INT(pts[0].out, 0);
    for (size_t i = 1; i < n; i++) {
        CHECK(gz_seek_point_is_flush(&pts[i]) && pts[i].window == NULL && pts[i].bits == 0);
        CHECK(plain.p[pts[i].out - 1] == '\n'); /* at a record's end */
        CHECK(pts[i].out - pts[i - 1].out >= GZ_SEEK_FLUSH_SPAN);
        CHECK(pts[i].out - pts[i - 1].out < GZ_SEEK_FLUSH_SPAN + longest);
    }
    /* a read costs at most a span and a record, not a MiB */
    CHECK(most > 0 && most <= GZ_SEEK_FLUSH_SPAN + 2 * longest);

    /* the sealer's way, a small window at a time: the same flush points */
    snprintf(plain_path, sizeof(plain_path), "%s/flushed.jsonl", dir);
    f = fopen(plain_path, "wb");
    CHECK(f && fwrite(plain.p, 1, plain.n, f) == plain.n);
    fclose(f);
    snprintf(sealed, sizeof(sealed), "%s/sealed.jsonl.gz", dir);
    pfd = open(plain_path, O_RDONLY);
    CHECK(pfd >= 0);
    CHECK_OK(trail_seal_file(pfd, sealed, "sealed.jsonl.gz", 3000, &seal));
    close(pfd);
    CHECK_INT(seal.records, 1200);
    close(fd);
    h = read_all(sealed, &plain, 1, &fd, &most);
    spts = gz_seek_points(h, &sn, &total);
    CHECK_INT(sn, n);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(spts[i].out, pts[i].out);
    gz_seek_free(h);
    gz_seek_free(g);
    close(fd);
    unlink(path);
    unlink(sealed);
    unlink(plain_path);
    snprintf(plain_path, sizeof(plain_path), "%s/flushed.out", dir);
    unlink(plain_path);
    buf_release(&plain);
    buf_release(&out);
}

/* A record longer than a flush span: the flush waits for its end, and it reads back. */
static void long_record(void)
{
    char path[200];
    struct buf plain;
    struct gz_seek *g;
    uint64_t total, most;
    size_t n;
    int fd;

    buf_init(&plain, BUF_NO_LIMIT);
    records(&plain, 300, 3 * GZ_SEEK_FLUSH_SPAN);
    snprintf(path, sizeof(path), "%s/long.jsonl.gz", dir);
    CHECK_OK(trail_write_gz(path, buf_bytes(&plain)));
    g = read_all(path, &plain, 1, &fd, &most);
    CHECK(gz_seek_points(g, &n, &total) != NULL && n >= 3);
    gz_seek_free(g);
    close(fd);
    unlink(path);
    buf_release(&plain);
}

/* Files without the mark: windowed points a span apart, never a flush point. */
static void unmarked_files(void)
{
    char path[200];
    struct buf plain;
    struct gz_seek *g;
    struct gz_seek_point *pts;
    uint64_t total, most;
    size_t n;
    int fd;

    buf_init(&plain, BUF_NO_LIMIT);
    records(&plain, 3600, 0); /* about 2.2 MiB: two spans and more */
    snprintf(path, sizeof(path), "%s/old.jsonl.gz", dir);
    for (int flushes = 0; flushes < 2; flushes++) {
        write_gzfile(path, &plain, flushes);
        g = read_all(path, &plain, 97, &fd, &most); /* a read inflates up to a MiB */
        pts = gz_seek_points(g, &n, &total);
        CHECK(n >= 2);
        for (size_t i = 1; i < n; i++) {
            CHECK(!gz_seek_point_is_flush(&pts[i]));
            CHECK_INT(pts[i].wlen, GZ_SEEK_WINDOW);
            CHECK(pts[i].out - pts[i - 1].out > GZ_SEEK_SPAN);
        }
        gz_seek_free(g);
        close(fd);
    }
    unlink(path);
    buf_release(&plain);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    flushed_file();
    long_record();
    unmarked_files();
    rmdir(dir);
    TEST_END();
}
