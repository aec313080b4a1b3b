/* Tests for audit/sealer.c, trail_io.c and verify.c together, on a real directory: records
 * written, sealed (seal_now, stop) and verified OK; the signing key is made once, kept, and
 * refused under another master key; a file a crash left between rotation and seal is
 * sealed at the next open and the chain goes on, one a crash left after its digest is
 * only removed, and a seal cut before its digest verifies and is done again; retention removes old sealed files only
 * through a record of the chain, which verify then accepts (and a deletion without one it
 * does not); a byte flipped in a sealed file, a record appended to one, and an extra file
 * are caught; reconcile's follow-up record carries one chain member, not two, and finds a
 * mutation's record that a rotation sealed away before its commit. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <zlib.h>

#include "audit/audit.h"
#include "audit/sealer.h"
#include "audit/trail_io.h"
#include "audit/verify.h"
#include "check.h"
#include "core/file.h"

#define CHECK_HAS(text, want) CHECK(strstr((text), (want)) != NULL)

static char dir[] = "/tmp/custos-sealer-test-XXXXXX";
static char trail[200];
static struct master_key *mk;

static void put(struct audit_writer *w, int i)
{
    char rec[128];
    int n = snprintf(rec, sizeof(rec),
                     "{\"eventTime\":\"2026-01-02T03:04:%02dZ\",\"eventName\":\"E%d\"}", i % 60, i);

    CHECK_OK(audit_writer_append(w, rec, (size_t)n, false));
}

static bool verify_ok(char *report, size_t cap)
{
    struct audit_verify_options o = {.data_dir = dir};
    struct buf out;
    bool intact = false;

    buf_init(&out, BUF_NO_LIMIT);
    CHECK_OK(audit_verify(&o, &out, &intact));
    snprintf(report, cap, "%s", out.p ? out.p : "");
    buf_release(&out);
    return intact;
}

struct trail {
    struct trail_key *key;
    struct audit_sealer *sealer;
    struct audit_writer *w;
};

static void open_trail_as(struct trail *t, int64_t retain_days, bool run)
{
    struct audit_sealer_options o = {.data_dir = dir, .digest_interval_s = 3600,
                                     .rotate_bytes = 1 << 20, .retain_days = retain_days};
    char head[AUDIT_HASH_HEX + 1];

    CHECK_OK(trail_key_load_or_create(mk, trail, &t->key, NULL));
    o.key = t->key;
    CHECK_OK(audit_sealer_open(&o, &t->sealer, NULL));
    audit_sealer_head(t->sealer, head);
    CHECK_OK(audit_writer_start_chained(dir, head, &t->w, NULL));
    if (run)
        CHECK_OK(audit_sealer_run(t->sealer, t->w));
}

static void open_trail(struct trail *t, int64_t retain_days)
{
    open_trail_as(t, retain_days, true);
}

static void close_trail(struct trail *t)
{
    audit_sealer_stop(t->sealer);
    audit_writer_stop(t->w);
    trail_key_free(t->key);
}

static size_t count(enum audit_file_kind kind)
{
    struct trail_entry *list = NULL;
    size_t n = 0, k = 0;

    CHECK_OK(trail_list(trail, &list, &n));
    for (size_t i = 0; i < n; i++)
        k += list[i].kind == kind;
    free(list);
    return k;
}

/* The name of the index-th (0-based) file of a kind. */
static void nth(enum audit_file_kind kind, size_t index, char *out, size_t cap)
{
    struct trail_entry *list = NULL;
    size_t n = 0;

    out[0] = '\0';
    CHECK_OK(trail_list(trail, &list, &n));
    for (size_t i = 0; i < n; i++)
        if (list[i].kind == kind && index-- == 0) {
            snprintf(out, cap, "%s/%s", trail, list[i].name);
            break;
        }
    free(list);
}

static void seal_and_verify(void)
{
    struct trail t = {0};
    char report[600];

    open_trail(&t, 0);
    for (int i = 0; i < 5; i++)
        put(t.w, i);
    CHECK_OK(audit_sealer_seal_now(t.sealer));
    CHECK_OK(audit_sealer_seal_now(t.sealer)); /* nothing new: an empty digest */
    for (int i = 5; i < 8; i++)
        put(t.w, i);
    close_trail(&t);                           /* the shutdown seal */
    CHECK_INT(count(AUDIT_FILE_LOG), 2);
    CHECK_INT(count(AUDIT_FILE_DIGEST), 3);
    CHECK_INT(count(AUDIT_FILE_PENDING), 0);
    CHECK(verify_ok(report, sizeof(report)));
    CHECK_HAS(report, "OK: 3 digests, 2 log files, 8 records");
}

static void key_is_kept_and_bound_to_the_master_key(void)
{
    struct trail_key *a = NULL, *b = NULL;
    struct master_key *other = NULL;
    char fa[TRAIL_FINGERPRINT_LEN + 1], fb[TRAIL_FINGERPRINT_LEN + 1];
    struct cu_err err = {0};

    CHECK_OK(trail_key_load_or_create(mk, trail, &a, NULL));
    CHECK_OK(trail_key_load(mk, trail, &b, NULL));
    trail_key_fingerprint(a, fa);
    trail_key_fingerprint(b, fb);
    CHECK_STR(fa, fb);
    CHECK_OK(master_key_new_random(&other));
    trail_key_free(b);
    b = NULL;
    CHECK_RC(trail_key_load_or_create(other, trail, &b, &err), CU_E_INTERNAL);
    CHECK_CONTAINS(err.msg, "does not open");
    master_key_free(other);
    trail_key_free(a);
}

/* A crash after the rotation's rename and before the seal: the plain file is sealed at
 * the next open, before the writer goes on from its last record. */
static void pending_file_is_sealed_at_open(void)
{
    struct trail t = {0};
    char pending[300], report[600], name[80];
    bool rotated = false;

    open_trail_as(&t, 0, false); /* no sealer thread: the test rotates as it would */
    put(t.w, 20);
    put(t.w, 21);
    audit_file_log_name(count(AUDIT_FILE_LOG) + 1, 1767323045, name, sizeof(name));
    snprintf(pending, sizeof(pending), "%s/%s", trail, name);
    CHECK_OK(audit_writer_rotate(t.w, pending, &rotated)); /* then "crash" before the seal */
    CHECK(rotated);
    put(t.w, 22);
    audit_writer_stop(t.w);
    audit_sealer_stop(t.sealer); /* never ran: seals nothing */
    trail_key_free(t.key);
    CHECK(access(pending, F_OK) == 0);
    open_trail(&t, 0);
    CHECK(access(pending, F_OK) != 0); /* sealed at open */
    put(t.w, 23);
    close_trail(&t);
    CHECK(verify_ok(report, sizeof(report)));
    CHECK_HAS(report, "OK:");
}

/* A seal whose digest cannot be written (a directory stands where the digest goes, for
 * the next seconds' names) fails; the next seal does that file again before the next
 * one, so the trail verifies. Before, the next file was sealed first and the digests'
 * chain stayed broken (valgrind-e2e/test_audit_failures.FailedSeal, an immutable
 * directory mid-seal). */
static void failed_seal_is_done_again_first(void)
{
    struct trail t = {0};
    char report[600], name[80], blocks[6][300];
    int64_t now_s = (int64_t)time(NULL);
    uint64_t number;

    open_trail(&t, 0);
    put(t.w, 30);
    number = count(AUDIT_FILE_DIGEST) + 1;
    for (int i = 0; i < 6; i++) {
        audit_file_digest_name(number, now_s + i, name, sizeof(name));
        snprintf(blocks[i], sizeof(blocks[i]), "%s/%s", trail, name);
        CHECK(mkdir(blocks[i], 0700) == 0);
    }
    CHECK(audit_sealer_seal_now(t.sealer) != CU_OK);
    for (int i = 0; i < 6; i++)
        CHECK(rmdir(blocks[i]) == 0);
    put(t.w, 31);
    CHECK_OK(audit_sealer_seal_now(t.sealer));
    CHECK_INT(count(AUDIT_FILE_PENDING), 0);
    put(t.w, 32);
    close_trail(&t);
    CHECK(verify_ok(report, sizeof(report)));
    CHECK_HAS(report, "OK:");
}

/* A crash after the seal's digest and before the plain copy's removal: the next open
 * removes the copy rather than sealing the same file under a second digest (which broke
 * the chain: found by test_audit_verify's SIGKILL case under valgrind). */
static void sealed_file_left_plain_is_removed_at_open(void)
{
    struct trail t = {0};
    char gz[300], plain[300], report[600];
    size_t digests;
    struct buf text;

    open_trail(&t, 0);
    put(t.w, 30);
    put(t.w, 31);
    CHECK_OK(audit_sealer_seal_now(t.sealer));
    close_trail(&t); /* nothing new: no digest */
    digests = count(AUDIT_FILE_DIGEST);
    nth(AUDIT_FILE_LOG, count(AUDIT_FILE_LOG) - 1, gz, sizeof(gz));
    snprintf(plain, sizeof(plain), "%.*s", (int)(strlen(gz) - 3), gz);
    buf_init(&text, BUF_NO_LIMIT);
    CHECK_OK(trail_load(gz, &text)); /* the plain copy, as the crash left it */
    CHECK_OK(file_write_atomic(plain, buf_bytes(&text), 0600, false, report, sizeof(report)));
    buf_release(&text);
    CHECK_INT(count(AUDIT_FILE_PENDING), 1);
    open_trail(&t, 0);
    CHECK_INT(count(AUDIT_FILE_PENDING), 0);
    CHECK_INT(count(AUDIT_FILE_DIGEST), digests); /* not sealed a second time */
    CHECK(access(gz, F_OK) == 0);
    put(t.w, 32);
    close_trail(&t);
    CHECK(verify_ok(report, sizeof(report)));
    CHECK_HAS(report, "OK:");
}

/* A crash after the sealed .gz was renamed into place and before its digest: verify
 * takes the plain copy as the unsealed file it is, and the next start seals it again. */
static void seal_cut_before_its_digest_verifies(void)
{
    struct trail t = {0};
    char gz[300], plain[300], digest[300], sig[310], report[600];
    struct buf text;

    open_trail(&t, 0);
    put(t.w, 40);
    put(t.w, 41);
    CHECK_OK(audit_sealer_seal_now(t.sealer));
    close_trail(&t);
    nth(AUDIT_FILE_LOG, count(AUDIT_FILE_LOG) - 1, gz, sizeof(gz));
    nth(AUDIT_FILE_DIGEST, count(AUDIT_FILE_DIGEST) - 1, digest, sizeof(digest));
    snprintf(plain, sizeof(plain), "%.*s", (int)(strlen(gz) - 3), gz);
    snprintf(sig, sizeof(sig), "%s.sig", digest);
    buf_init(&text, BUF_NO_LIMIT);
    CHECK_OK(trail_load(gz, &text));
    CHECK_OK(file_write_atomic(plain, buf_bytes(&text), 0600, false, report, sizeof(report)));
    buf_release(&text);
    CHECK(unlink(digest) == 0 && unlink(sig) == 0);
    CHECK(verify_ok(report, sizeof(report)));
    CHECK_HAS(report, "OK:");
    open_trail(&t, 0);
    CHECK_INT(count(AUDIT_FILE_PENDING), 0);
    close_trail(&t);
    CHECK(verify_ok(report, sizeof(report)));
    CHECK_HAS(report, "OK:");
}

static void retention_is_recorded_and_accepted(void)
{
    struct trail t = {0};
    char old[400], kept[420], report[600];
    struct utimbuf long_ago = {.actime = 1000000000, .modtime = 1000000000};

    nth(AUDIT_FILE_LOG, 0, old, sizeof(old));
    CHECK(utime(old, &long_ago) == 0);
    open_trail(&t, 30);
    put(t.w, 30);
    CHECK_OK(audit_sealer_seal_now(t.sealer)); /* seals, then expires the old file */
    CHECK(access(old, F_OK) != 0);
    close_trail(&t);
    CHECK(verify_ok(report, sizeof(report)));
    /* a file deleted without such a record is not */
    nth(AUDIT_FILE_LOG, 0, old, sizeof(old));
    snprintf(kept, sizeof(kept), "%s.kept", old);
    CHECK(rename(old, kept) == 0);
    CHECK(!verify_ok(report, sizeof(report)));
    CHECK_HAS(report, "is missing: it was deleted");
    CHECK(rename(kept, old) == 0);
    CHECK(verify_ok(report, sizeof(report)));
}

static void tampering_is_caught(void)
{
    struct trail t = {0};
    char path[400], copy[420], report[600];
    struct buf data;
    FILE *f;

    /* a fresh trail */
    open_trail(&t, 0);
    for (int i = 0; i < 4; i++)
        put(t.w, 40 + i);
    close_trail(&t);
    CHECK(verify_ok(report, sizeof(report)));
    nth(AUDIT_FILE_LOG, 0, path, sizeof(path));
    buf_init(&data, BUF_NO_LIMIT);
    CHECK_OK(trail_load(path, &data));
    /* one byte of a record changed */
    snprintf(copy, sizeof(copy), "%s.orig", path);
    CHECK(rename(path, copy) == 0);
    data.p[20] ^= 1;
    CHECK_OK(trail_write_gz(path, buf_bytes(&data)));
    CHECK(!verify_ok(report, sizeof(report)));
    CHECK_HAS(report, "does not follow");
    /* a record appended */
    data.p[20] ^= 1;
    CHECK_OK(buf_addstr(&data, "{\"extra\":1}\n"));
    CHECK_OK(trail_write_gz(path, buf_bytes(&data)));
    CHECK(!verify_ok(report, sizeof(report)));
    CHECK(rename(copy, path) == 0);
    CHECK(verify_ok(report, sizeof(report)));
    /* a file no digest names */
    snprintf(copy, sizeof(copy), "%s/trail_00000500_20260102T030405Z.jsonl.gz", trail);
    f = fopen(copy, "wb");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    CHECK(!verify_ok(report, sizeof(report)));
    CHECK_HAS(report, "named by no digest");
    unlink(copy);
    buf_release(&data);
}

static const char *internal_code(const char *service)
{
    return "InternalFailure";
}

static void reconcile_follow_up_has_one_chain_member(void)
{
    struct audit_writer *w = NULL;
    struct audit_event ev = {.request_id = "r-1", .time_ms = 1700000000000, .service = "iam",
                             .event_name = "CreateUser", .region = "us-east-1",
                             .account_id = "123456789012", .commit_seq = 9};
    struct buf rec, file;
    char live[300];
    size_t n = 0, lines = 0;

    snprintf(live, sizeof(live), "%s/audit.log", dir);
    unlink(live);
    buf_init(&rec, BUF_NO_LIMIT);
    buf_init(&file, BUF_NO_LIMIT);
    CHECK_OK(audit_record_build(&ev, &rec));
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    CHECK_OK(audit_writer_append(w, rec.p, rec.n, true));
    CHECK_OK(audit_reconcile(w, dir, 8, 8, internal_code, &n, NULL));
    CHECK_INT(n, 1);
    audit_writer_stop(w);
    CHECK_OK(file_read_all(live, &file));
    for (char *line = file.p, *nl; line && (nl = strchr(line, '\n')); line = nl + 1) {
        json_error_t jerr;
        json_t *r = json_loadb(line, (size_t)(nl - line), JSON_REJECT_DUPLICATES, &jerr);
        CHECK(r != NULL); /* a duplicate "custos" member is refused here */
        json_decref(r);
        lines++;
    }
    CHECK_INT(lines, 2);
    unlink(live);
    buf_release(&rec);
    buf_release(&file);
}

/* A rotation between a mutation's record and its commit, then a crash: the record is in
 * the newest sealed file, the live file holds a read's; reconcile still follows it up,
 * in the live file, and only once. */
static void reconcile_finds_a_record_rotated_away(void)
{
    struct trail t = {0};
    struct audit_event ev = {.request_id = "r-rotated", .time_ms = 1700000000000,
                             .service = "iam", .event_name = "CreateUser",
                             .region = "us-east-1", .account_id = "123456789012",
                             .commit_seq = 31};
    struct buf rec, live_text;
    char pending[400], name[80], live[300];
    bool rotated = false;
    size_t n = 0;

    snprintf(live, sizeof(live), "%s/audit.log", dir);
    buf_init(&rec, BUF_NO_LIMIT);
    buf_init(&live_text, BUF_NO_LIMIT);
    open_trail_as(&t, 0, false);
    CHECK_OK(audit_record_build(&ev, &rec));
    CHECK_OK(audit_writer_append(t.w, rec.p, rec.n, true));
    audit_file_log_name(count(AUDIT_FILE_LOG) + 1, 1767323045, name, sizeof(name));
    snprintf(pending, sizeof(pending), "%s/%s", trail, name);
    CHECK_OK(audit_writer_rotate(t.w, pending, &rotated));
    put(t.w, 50); /* a read, recorded in the new live file */
    CHECK_OK(audit_reconcile(t.w, dir, 30, 30, internal_code, &n, NULL));
    CHECK_INT(n, 1);
    CHECK_OK(audit_reconcile(t.w, dir, 30, 30, internal_code, &n, NULL));
    CHECK_INT(n, 0); /* settled by the follow-up in the live file */
    audit_writer_stop(t.w);
    CHECK_OK(file_read_all(live, &live_text));
    CHECK_HAS(live_text.p, "\"requestID\":\"r-rotated\"");
    CHECK_HAS(live_text.p, "\"errorCode\":\"InternalFailure\"");
    audit_sealer_stop(t.sealer);
    trail_key_free(t.key);
    /* the next open seals the pending file; the whole trail verifies */
    open_trail(&t, 0);
    close_trail(&t);
    {
        char report[600];
        CHECK(verify_ok(report, sizeof(report)));
    }
    buf_release(&rec);
    buf_release(&live_text);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    snprintf(trail, sizeof(trail), "%s/%s", dir, AUDIT_TRAIL_SUBDIR);
    mkdir(trail, 0700);
    if (master_key_new_random(&mk) != CU_OK)
        return 1;
    seal_and_verify();
    key_is_kept_and_bound_to_the_master_key();
    pending_file_is_sealed_at_open();
    sealed_file_left_plain_is_removed_at_open();
    failed_seal_is_done_again_first();
    seal_cut_before_its_digest_verifies();
    retention_is_recorded_and_accepted();
    tampering_is_caught();
    reconcile_follow_up_has_one_chain_member();
    reconcile_finds_a_record_rotated_away();
    master_key_free(mk);
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir); /* this run's directory only */
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", dir);
    }
    TEST_END();
}
