/* Tests for the windowed seal (trail_io.c's trail_seal_file) and the writer's size cue
 * (writer.c's audit_writer_on_size): a log file sealed a few bytes at a time — windows
 * smaller than one record, which must then grow, and larger ones — gives the same seal as
 * the scan of the whole file, and its gzip inflates to the file's records exactly, without
 * the cut-short line after the last newline; the cue comes once per file, when the records
 * reach its size, and again after a rotation. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/trail_io.h"
#include "check.h"
#include "core/file.h"

static char dir[] = "/tmp/custos-trail-seal-test-XXXXXX";

/* A live trail of n records of varied length (a few longer than 1 KiB), written by the
 * writer so that they carry the chain's member, then a cut-short line with no newline. */
static void write_trail(size_t n, struct buf *whole)
{
    struct audit_writer *w = NULL;
    char path[256];
    const char torn[] = "{\"eventTime\":\"2026-01-02T03:04:05Z\",\"eventName\":\"Cut";
    int fd;

    CHECK_OK(audit_writer_start(dir, &w, NULL));
    for (size_t i = 0; i < n; i++) {
        char rec[2048];
        size_t pad = (i * 37) % (i % 50 == 0 ? 1500 : 120);
        int len = snprintf(rec, sizeof(rec),
                           "{\"eventTime\":\"2026-01-02T03:%02zu:%02zuZ\",\"eventName\":\"E%zu\","
                           "\"pad\":\"%*s\"}",
                           (i / 60) % 60, i % 60, i, (int)pad, "");
        CHECK_OK(audit_writer_append(w, rec, (size_t)len, false));
    }
    audit_writer_stop(w);
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    fd = open(path, O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, torn, sizeof(torn) - 1) == (ssize_t)(sizeof(torn) - 1));
    close(fd);
    buf_init(whole, BUF_NO_LIMIT);
    CHECK_OK(file_read_all(path, whole));
}

static void same_seal(const struct audit_log_seal *a, const struct audit_log_seal *b)
{
    CHECK_STR(a->file, b->file);
    CHECK_STR(a->hash, b->hash);
    CHECK_STR(a->previous, b->previous);
    CHECK_STR(a->first, b->first);
    CHECK_STR(a->last, b->last);
    CHECK(a->records == b->records);
    CHECK(a->oldest_s == b->oldest_s && a->newest_s == b->newest_s);
}

static void windowed_seal_equals_the_whole_scan(void)
{
    struct buf whole, inflated;
    struct audit_log_seal want, got;
    size_t end = 0;
    const size_t windows[] = {64, 1000, 4096, 65536, 0};
    char path[256], gz[256];
    int fd;

    write_trail(1000, &whole);
    trail_scan(buf_bytes(&whole), "trail_1.jsonl.gz", &want, &end);
    CHECK(want.records == 1000);
    CHECK(end < whole.n && whole.p[end - 1] == '\n'); /* the torn line is not a record */
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    snprintf(gz, sizeof(gz), "%s/trail_1.jsonl.gz", dir);
    for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
        fd = open(path, O_RDONLY);
        CHECK(fd >= 0);
        CHECK_OK(trail_seal_file(fd, gz, "trail_1.jsonl.gz", windows[i], &got));
        close(fd);
        same_seal(&got, &want);
        buf_init(&inflated, BUF_NO_LIMIT);
        CHECK_OK(trail_load(gz, &inflated));
        CHECK(inflated.n == end && memcmp(inflated.p, whole.p, end) == 0);
        buf_release(&inflated);
    }
    /* an unreadable source leaves no sealed file behind */
    unlink(gz);
    fd = open(path, O_WRONLY);
    CHECK_RC(trail_seal_file(fd, gz, "trail_1.jsonl.gz", 0, &got), CU_E_STORE);
    close(fd);
    CHECK(access(gz, F_OK) != 0);
    unlink(path);
    buf_release(&whole);
}

static void count_cue(void *arg)
{
    (*(int *)arg)++;
}

static void size_cue_comes_once_per_file(void)
{
    struct audit_writer *w = NULL;
    const char rec[] = "{\"eventTime\":\"2026-01-02T03:04:05Z\",\"eventName\":\"Cue\"}";
    char to[256];
    int cues = 0;
    bool rotated = false;
    const int64_t size = 3 * sysconf(_SC_PAGESIZE); /* a page boundary: the cue is exact */

    CHECK_OK(audit_writer_start(dir, &w, NULL));
    audit_writer_on_size(w, size, count_cue, &cues);
    for (int i = 0; i < 60; i++) /* about 120 bytes each, not yet 3 pages */
        CHECK_OK(audit_writer_append(w, rec, sizeof(rec) - 1, false));
    CHECK(cues == 0);
    while (audit_writer_size(w) < size)
        CHECK_OK(audit_writer_append(w, rec, sizeof(rec) - 1, false));
    CHECK(cues == 1);
    for (int i = 0; i < 200; i++) /* well past it: no second cue for the same file */
        CHECK_OK(audit_writer_append(w, rec, sizeof(rec) - 1, false));
    CHECK(cues == 1);
    snprintf(to, sizeof(to), "%s/rotated.jsonl", dir);
    CHECK_OK(audit_writer_rotate(w, to, &rotated));
    CHECK(rotated);
    while (audit_writer_size(w) < size)
        CHECK_OK(audit_writer_append(w, rec, sizeof(rec) - 1, false));
    CHECK(cues == 2);
    audit_writer_on_size(w, 0, NULL, NULL);
    audit_writer_stop(w);
    unlink(to);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    windowed_seal_equals_the_whole_scan();
    size_cue_comes_once_per_file();
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir); /* this run's directory only */
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", dir);
    }
    TEST_END();
}
