/* Tests for audit/writer.c: records land as whole lines in call order; a clean stop leaves
 * exactly the records; a start after an unclean stop cuts the reserved NULs and a record
 * cut short, and appends after the last whole record; records larger than the mapped
 * window and runs that cross windows; concurrent appenders (durable and not); a second
 * writer on the same directory is refused; a reserve that cannot grow (a full disk, through
 * the space hook) fails the append cleanly, health says why, and service returns as soon as
 * one record fits; a file cut short under the map (SIGBUS) fails the append, not the
 * process, and the trail recovers. Every line carries the hash chain's member (chain.h):
 * slurp() checks each link and hands the tests the records without it, as they were given;
 * chain_breaks counts the links that did not hold. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "check.h"

static char dir[] = "/tmp/custos-writer-test-XXXXXX";
static char path[128];
static int chain_breaks;

/* Check the chain through the lines of p (n bytes) and take its member out of each line,
 * in place; *n becomes the new length. A line without the member is kept as it is. */
static void unchain(char *p, size_t *n)
{
    char expect[AUDIT_HASH_HEX + 1], prev[AUDIT_HASH_HEX + 1];
    size_t in = 0, out = 0;

    memcpy(expect, audit_chain_genesis, sizeof(expect));
    while (in < *n) {
        char *nl = memchr(p + in, '\n', *n - in);
        size_t len = nl ? (size_t)(nl - (p + in)) : *n - in;

        if (nl && audit_chain_prev_of(p + in, len, prev)) {
            if (strcmp(prev, expect) != 0)
                chain_breaks++;
            audit_chain_hash_line(p + in, len, expect);
            memmove(p + out, p + in, len - AUDIT_CHAIN_SUFFIX_LEN);
            out += len - AUDIT_CHAIN_SUFFIX_LEN;
            p[out++] = '}';
            p[out++] = '\n';
        } else {
            if (nl) /* a line written without the chain (by hand, below) is still linked to */
                audit_chain_hash_line(p + in, len, expect);
            memmove(p + out, p + in, len + (nl ? 1 : 0));
            out += len + (nl ? 1 : 0);
        }
        in += len + (nl ? 1 : 0);
    }
    p[out] = '\0';
    *n = out;
}

/* The whole trail file's records, without the chain; *n gets their size. */
static char *slurp_raw(size_t *n);
static char *slurp(size_t *n)
{
    char *p = slurp_raw(n);

    if (p)
        unchain(p, n);
    return p;
}

static char *slurp_raw(size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    p = malloc((size_t)len + 1);
    if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    if (p)
        p[len] = '\0';
    fclose(f);
    *n = (size_t)len;
    return p;
}

static void spit(const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    CHECK(f && fwrite(data, 1, n, f) == n);
    if (f)
        fclose(f);
}

static void append(struct audit_writer *w, const char *rec, bool durable)
{
    CHECK_OK(audit_writer_append(w, rec, strlen(rec), durable));
}

static void clean_stop_leaves_exactly_the_records(void)
{
    struct audit_writer *w = NULL;
    size_t n;
    char *got;

    unlink(path);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    append(w, "{\"a\":1}", false);
    append(w, "{\"b\":2}", true);
    append(w, "{\"c\":3}", false);
    audit_writer_stop(w);
    got = slurp(&n);
    CHECK_STR(got, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    CHECK_INT(n, 24);
    free(got);

    /* a restart appends after them */
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    append(w, "{\"d\":4}", false);
    audit_writer_stop(w);
    got = slurp(&n);
    CHECK_STR(got, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n{\"d\":4}\n");
    free(got);
    CHECK_INT(chain_breaks, 0);
}

/* The chain: each line names the hash of the one before (the first names zeros), across
 * restarts and rotations; a record that is not a JSON object is refused; an edited line
 * breaks the link after it. */
static void records_are_chained_across_restarts_and_rotation(void)
{
    struct audit_writer *w = NULL;
    char rotated[200], head[AUDIT_HASH_HEX + 1], prev[AUDIT_HASH_HEX + 1];
    char last[AUDIT_HASH_HEX + 1];
    bool did = false;
    size_t n;
    char *got;

    unlink(path);
    snprintf(rotated, sizeof(rotated), "%s/rotated.log", dir);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    audit_writer_head(w, head);
    CHECK_STR(head, audit_chain_genesis);
    CHECK_RC(audit_writer_append(w, "not json", 8, false), CU_E_INTERNAL);
    append(w, "{\"a\":1}", false);
    CHECK_OK(audit_writer_rotate(w, rotated, &did));
    CHECK(did);
    CHECK_INT(audit_writer_size(w), 0);
    audit_writer_head(w, head);
    append(w, "{\"b\":2}", true);
    audit_writer_stop(w);
    got = slurp_raw(&n);
    CHECK(got && audit_chain_prev_of(got, n - 1, prev));
    CHECK_STR(prev, head); /* the new file's first record names the rotated file's last */
    audit_chain_hash_line(got ? got : "", n ? n - 1 : 0, last);
    free(got);
    /* a rotation of an empty trail does nothing */
    CHECK_OK(audit_writer_start_chained(dir, audit_chain_genesis, &w, NULL));
    audit_writer_head(w, head);
    CHECK_STR(head, last); /* read back from the file, not the hint */
    audit_writer_stop(w);
    unlink(path);
    CHECK_OK(audit_writer_start_chained(dir, last, &w, NULL));
    CHECK_OK(audit_writer_rotate(w, rotated, &did));
    CHECK(!did);
    append(w, "{\"c\":3}", false);
    audit_writer_stop(w);
    got = slurp_raw(&n);
    CHECK(got && audit_chain_prev_of(got, n - 1, prev));
    CHECK_STR(prev, last); /* an empty file goes on from the hint */
    /* an edit is seen at the next link */
    free(got);
    unlink(rotated);
}

/* While running, the file is longer than its records; what follows them reads as NULs. */
static void running_trail_has_nul_tail(void)
{
    struct audit_writer *w = NULL;
    size_t n;
    char *got;

    unlink(path);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    append(w, "{\"x\":1}", true);
    got = slurp(&n);
    CHECK(n > 8);
    CHECK(got && memcmp(got, "{\"x\":1}\n", 8) == 0);
    for (size_t i = 8; got && i < n; i++)
        if (got[i] != '\0') {
            CHECK(!"byte after the last record is not NUL");
            break;
        }
    free(got);
    audit_writer_stop(w);
}

static void unclean_stop_is_cut_at_the_last_whole_record(void)
{
    static const char crashed[] = "{\"a\":1}\n{\"b\":2}\n{\"half\":";
    char image[sizeof(crashed) - 1 + 5000];
    struct audit_writer *w = NULL;
    size_t n;
    char *got;

    memset(image, 0, sizeof(image));
    memcpy(image, crashed, sizeof(crashed) - 1);
    spit(image, sizeof(image));
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    append(w, "{\"c\":3}", false);
    audit_writer_stop(w);
    got = slurp(&n);
    /* the cut is recorded, between the last whole record and the next */
    CHECK(got && strncmp(got, "{\"a\":1}\n{\"b\":2}\n{", 17) == 0);
    CHECK_CONTAINS(got, "\"eventName\":\"AuditTrailTailCut\"");
    CHECK_CONTAINS(got, "\"cutBytes\":8,");
    CHECK(got && n > 8 && strcmp(got + n - 8, "{\"c\":3}\n") == 0);
    CHECK_INT(chain_breaks, 0);
    free(got);

    /* a file of nothing but NULs (a crash before the first record) */
    memset(image, 0, sizeof(image));
    spit(image, sizeof(image));
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    audit_writer_stop(w);
    got = slurp(&n);
    CHECK_INT(n, 0);
    free(got);
}

/* A record larger than the 4 MiB window, and many records crossing window edges. */
static void big_records_and_many_windows(void)
{
    struct audit_writer *w = NULL;
    size_t big_n = (5u << 20) + 123, n, lines = 0;
    char *big = malloc(big_n + 1), *got, small[1000];

    CHECK(big != NULL);
    if (!big)
        return;
    unlink(path);
    memset(big, 'x', big_n);
    big[0] = '{';
    big[big_n - 1] = '}';
    big[big_n] = '\0';
    memset(small, 'y', sizeof(small) - 1);
    small[0] = '{';
    small[sizeof(small) - 2] = '}';
    small[sizeof(small) - 1] = '\0';
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    append(w, "{\"first\":1}", false);
    append(w, big, false);
    for (int i = 0; i < 10000; i++)
        append(w, small, false);
    append(w, "{\"last\":1}", false);
    audit_writer_stop(w);
    got = slurp(&n);
    CHECK_INT(n, 12 + big_n + 1 + 10000 * sizeof(small) + 11);
    for (size_t i = 0; got && i < n; i++)
        lines += got[i] == '\n';
    CHECK_INT(lines, 10003);
    CHECK(got && memcmp(got + 12 + big_n + 1, small, sizeof(small) - 1) == 0);
    CHECK(got && memcmp(got + n - 11, "{\"last\":1}\n", 11) == 0);
    free(got);
    free(big);
}

#define THREADS 4
#define PER_THREAD 3000

struct worker {
    struct audit_writer *w;
    int id;
};

static void *appender(void *arg)
{
    struct worker *wk = arg;
    char rec[64];

    for (int i = 0; i < PER_THREAD; i++) {
        int len = snprintf(rec, sizeof(rec), "{\"t\":%d,\"i\":%d}", wk->id, i);
        if (audit_writer_append(wk->w, rec, (size_t)len, i % 100 == 0) != CU_OK)
            return (void *)1;
    }
    return NULL;
}

static void concurrent_appends_keep_whole_lines_in_order(void)
{
    struct audit_writer *w = NULL;
    pthread_t th[THREADS];
    struct worker wk[THREADS];
    int next[THREADS] = {0};
    size_t n, count = 0;
    char *got, *line, *save = NULL;
    void *failed;

    unlink(path);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    for (int t = 0; t < THREADS; t++) {
        wk[t] = (struct worker){w, t};
        pthread_create(&th[t], NULL, appender, &wk[t]);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], &failed);
        CHECK(failed == NULL);
    }
    audit_writer_stop(w);
    got = slurp(&n);
    /* every line is one whole record, and each thread's records keep its order */
    for (line = strtok_r(got, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int t = -1, i = -1;
        CHECK(sscanf(line, "{\"t\":%d,\"i\":%d}", &t, &i) == 2);
        if (t >= 0 && t < THREADS) {
            CHECK_INT(i, next[t]);
            next[t] = i + 1;
        }
        count++;
    }
    CHECK_INT(count, THREADS * PER_THREAD);
    free(got);
}

static void second_writer_is_refused(void)
{
    struct audit_writer *w = NULL, *other = NULL;
    struct cu_err err = {0};

    CHECK_OK(audit_writer_start(dir, &w, NULL));
    CHECK_RC(audit_writer_start(dir, &other, &err), CU_E_STORE);
    CHECK_CONTAINS(err.msg, "in use");
    audit_writer_stop(w);
    /* and is welcome once the first has stopped */
    CHECK_OK(audit_writer_start(dir, &other, NULL));
    audit_writer_stop(other);
}


/* The disk fills: the reservation cannot grow, the append fails without a crash and
 * without leaving anything in the trail; health says why; once less than a whole window
 * frees up, the next record fits and health turns ok. */
static void full_disk_fails_cleanly_and_recovers(void)
{
    struct audit_writer *w = NULL;
    char reason[200], big[3000];
    size_t n;
    char *got;
    uint64_t seq = 0;

    unlink(path);
    memset(big, 'z', sizeof(big) - 1);
    big[0] = '{';
    big[sizeof(big) - 2] = '}';
    big[sizeof(big) - 1] = '\0';
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    audit_writer_test_space(w, 4096); /* room for one page in all */
    append(w, "{\"a\":1}", true);
    CHECK(audit_writer_healthy(w, reason, sizeof(reason)));
    CHECK_STR(reason, "");
    append(w, big, true);              /* fits in the page */
    CHECK_RC(audit_writer_append(w, big, strlen(big), true), CU_E_STORE);
    CHECK_RC(audit_writer_write(w, big, strlen(big), false, &seq), CU_E_STORE);
    CHECK(!audit_writer_healthy(w, reason, sizeof(reason)));
    CHECK_STR(reason, "audit trail cannot be written: No space left on device");
    /* a small record still fits in what is left: service is per record, not per window */
    append(w, "{\"small\":1}", true);
    CHECK(audit_writer_healthy(w, reason, sizeof(reason)));
    CHECK_RC(audit_writer_append(w, big, strlen(big), true), CU_E_STORE);
    CHECK(!audit_writer_healthy(w, reason, sizeof(reason)));
    /* one more page frees up (far less than the 4 MiB window): health probes and recovers */
    audit_writer_test_space(w, 8192);
    CHECK(audit_writer_healthy(w, reason, sizeof(reason)));
    append(w, big, true);
    audit_writer_test_space(w, 0);
    append(w, "{\"z\":1}", false);
    audit_writer_stop(w);
    got = slurp(&n);
    CHECK_INT(n, 8 + 3000 + 12 + 3000 + 8);
    CHECK(got && memcmp(got + n - 8, "{\"z\":1}\n", 8) == 0);
    CHECK(got && strchr(got, '\0') == got + n);
    free(got);
}

/* Another process cuts the file to nothing under the map: the copy faults (SIGBUS), the
 * append fails and the process lives; the next append reserves afresh and the trail goes
 * on after where its records ended (the cut record reads as NULs: it was destroyed by
 * the truncation, not by custos). */
static void file_cut_under_the_map_fails_the_append_not_the_process(void)
{
    struct audit_writer *w = NULL;
    char reason[200];
    size_t n;
    char *got;
    int fd;

    unlink(path);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    append(w, "{\"a\":1}", true);
    fd = open(path, O_RDWR);
    CHECK(fd >= 0 && ftruncate(fd, 0) == 0);
    if (fd >= 0)
        close(fd);
    CHECK_RC(audit_writer_append(w, "{\"lost\":1}", 10, true), CU_E_STORE);
    append(w, "{\"b\":2}", true);
    CHECK(audit_writer_healthy(w, reason, sizeof(reason)));
    audit_writer_stop(w);
    got = slurp_raw(&n);
    /* the first line, 6 bytes of record, the chain's member and a newline, is NULs now */
    CHECK_INT(n, 2 * (6 + AUDIT_CHAIN_SUFFIX_LEN + 1));
    for (size_t i = 0; got && i < n / 2; i++)
        CHECK(got[i] == '\0');
    CHECK(got && memcmp(got + n / 2, "{\"b\":2", 6) == 0);
    free(got);
}

/* write then wait: the two steps a mutation takes around its commit. */
static void write_then_wait(void)
{
    struct audit_writer *w = NULL;
    uint64_t s1 = 0, s2 = 0;
    size_t n;
    char *got;

    unlink(path);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    CHECK_OK(audit_writer_write(w, "{\"m\":1}", 7, true, &s1));
    CHECK_OK(audit_writer_write(w, "{\"r\":2}", 7, false, &s2));
    CHECK(s2 == s1 + 1);
    CHECK_OK(audit_writer_wait(w, s2));
    got = slurp(&n);
    CHECK(got && memcmp(got, "{\"m\":1}\n{\"r\":2}\n", 16) == 0);
    free(got);
    audit_writer_stop(w);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    clean_stop_leaves_exactly_the_records();
    records_are_chained_across_restarts_and_rotation();
    running_trail_has_nul_tail();
    unclean_stop_is_cut_at_the_last_whole_record();
    big_records_and_many_windows();
    concurrent_appends_keep_whole_lines_in_order();
    second_writer_is_refused();
    full_disk_fails_cleanly_and_recovers();
    file_cut_under_the_map_fails_the_append_not_the_process();
    write_then_wait();
    unlink(path);
    rmdir(dir);
    TEST_END();
}
