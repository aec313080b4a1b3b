/* Tests for audit/reconcile.c, on trails built from audit_record_build()'s own records: a
 * mutation record whose commitSeq is above the store's gets a follow-up of its requestID
 * (the record without its answer or commitSeq, errorCode from the caller's function, a new
 * eventID), oldest first; one already followed by an error record of its requestID does
 * not; the scan stops at the first record whose seq committed; a store behind the trail
 * (a record above its next seq) settles nothing; records longer than the
 * scan's chunk are read whole; a second reconcile adds nothing; an empty trail and a trail
 * of reads only need nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "check.h"
#include "core/tree.h"

static char dir[] = "/tmp/custos-reconcile-test-XXXXXX";
static char path[128];

static const char *internal_code(const char *service)
{
    return strcmp(service, "iam") == 0 ? "ServiceFailure" : "InternalFailure";
}

/* One record as record.c writes it: a CreateUser (iam) or CreateKey (kms) by request id,
 * with commit seq (0: none) and errorCode (NULL: success). */
static void add(struct audit_writer *w, const char *service, const char *id, uint64_t seq,
                const char *error, const char *padding)
{
    json_t *in = json_pack("{s:s}", "UserName", id), *outp = json_pack("{s:{s:s}}", "User", "UserName", id);
    struct audit_event ev = {.request_id = id, .time_ms = 1700000000000, .service = service,
                             .event_name = strcmp(service, "iam") == 0 ? "CreateUser" : "CreateKey",
                             .region = "us-east-1", .request = in, .response = error ? NULL : outp,
                             .read_only = false, .error_code = error, .error_message = error,
                             .account_id = "123456789012", .commit_seq = seq};
    struct buf b;
    uint64_t n;

    if (padding)
        json_object_set_new(in, "Padding", json_string(padding));
    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(audit_record_build(&ev, &b));
    CHECK_OK(audit_writer_write(w, b.p, b.n, false, &n));
    buf_release(&b);
    json_decref(in);
    json_decref(outp);
}

static void add_read(struct audit_writer *w, const char *id)
{
    struct audit_event ev = {.request_id = id, .time_ms = 1700000000000, .service = "iam",
                             .event_name = "GetUser", .region = "us-east-1", .read_only = true,
                             .account_id = "123456789012"};
    struct buf b;
    uint64_t n;

    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(audit_record_build(&ev, &b));
    CHECK_OK(audit_writer_write(w, b.p, b.n, false, &n));
    buf_release(&b);
}

/* The records of the trail, in order. */
static json_t *records(void)
{
    json_t *all = json_array();
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    while (f && (n = getline(&line, &cap, f)) > 0) {
        json_error_t jerr;
        json_t *rec = json_loadb(line, (size_t)n, 0, &jerr);
        if (rec)
            json_array_append_new(all, rec);
        else if (line[0] != '\0')
            CHECK(!"a line of the trail does not parse");
    }
    free(line);
    if (f)
        fclose(f);
    return all;
}

static const char *str(const json_t *rec, const char *name)
{
    return json_string_value(json_object_get(rec, name));
}

/* committed: the last seq this node committed; last: the store's, of any node */
static size_t reconcile_cluster(struct audit_writer *w, uint64_t committed, uint64_t last)
{
    struct cu_err err = {0};
    size_t n = 99;

    CHECK_OK(audit_reconcile(w, dir, committed, last, internal_code, &n, &err));
    return n;
}

/* one writer: the node's last seq is the store's */
static size_t reconcile(struct audit_writer *w, uint64_t committed)
{
    return reconcile_cluster(w, committed, committed);
}

static void uncommitted_records_are_followed(void)
{
    struct audit_writer *w = NULL;
    char *big = malloc(200001);
    json_t *all, *rec;
    size_t before;

    memset(big, 'p', 200000);
    big[200000] = '\0';
    unlink(path);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    add(w, "iam", "req-x", 9, NULL, NULL);      /* before the stop: never looked at */
    add(w, "iam", "req-a", 5, NULL, NULL);      /* committed (5 <= 6): the scan stops here */
    add_read(w, "req-r1");
    add(w, "kms", "req-b", 7, NULL, big);       /* not committed, longer than a chunk */
    add(w, "iam", "req-d", 7, NULL, NULL);      /* not committed, but already followed ... */
    add_read(w, "req-r2");
    add(w, "iam", "req-d", 0, "ServiceFailure", NULL); /* ... by its failure record */
    add(w, "iam", "req-e", 0, "AccessDenied", NULL);   /* a failed mutation: no seq */
    add(w, "iam", "req-c", 7, NULL, NULL);      /* not committed: the crash */
    add_read(w, "req-r3");
    audit_writer_stop(w);
    w = NULL;

    CHECK_OK(audit_writer_start(dir, &w, NULL));
    all = records();
    before = json_array_size(all);
    json_decref(all);
    CHECK_INT(reconcile(w, 6), 2);
    all = records();
    CHECK_INT(json_array_size(all), before + 2);
    /* req-b's follow-up, then req-c's: oldest first */
    rec = json_array_get(all, before);
    CHECK_STR(str(rec, "requestID"), "req-b");
    CHECK_STR(str(rec, "errorCode"), "InternalFailure");
    CHECK_STR(str(rec, "eventSource"), "kms.amazonaws.com");
    CHECK(str(rec, "errorMessage") && strstr(str(rec, "errorMessage"), "did not take effect"));
    CHECK(json_is_null(json_object_get(rec, "responseElements")));
    CHECK(!json_object_get(rec, "additionalEventData"));
    CHECK_INT(strlen(str(json_object_get(rec, "requestParameters"), "padding")), 200000);
    CHECK(strcmp(str(rec, "eventID"), str(json_array_get(all, 3), "eventID")) != 0);
    rec = json_array_get(all, before + 1);
    CHECK_STR(str(rec, "requestID"), "req-c");
    CHECK_STR(str(rec, "errorCode"), "ServiceFailure");
    CHECK_STR(str(rec, "eventTime"), str(json_array_get(all, 8), "eventTime"));
    json_decref(all);
    /* settled now: a second reconcile (another restart) adds nothing */
    CHECK_INT(reconcile(w, 6), 0);
    audit_writer_stop(w);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    CHECK_INT(reconcile(w, 6), 0);
    /* everything committed: nothing to do */
    CHECK_INT(reconcile(w, 7), 0);
    /* a store behind the trail (restored from a backup): nothing is settled */
    add(w, "iam", "req-g", 8, NULL, NULL);
    add(w, "iam", "req-h", 8, NULL, NULL);
    CHECK_INT(reconcile(w, 5), 0);
    CHECK_INT(reconcile(w, 6), 0);
    /* ... while the trail's last commit seq is the store's next, both are settled */
    CHECK_INT(reconcile(w, 7), 2);
    audit_writer_stop(w);
    free(big);
}

/* A node of a cluster killed between its record and its commit gave its seq back, and
 * another node committed it (and more) before the node came back: the store's last seq
 * is past the record's, the node's own last commit is not. */
static void seq_taken_by_another_node(void)
{
    struct audit_writer *w = NULL;
    json_t *all;

    unlink(path);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    add(w, "iam", "req-a", 4, NULL, NULL);      /* this node's last commit */
    add_read(w, "req-r1");
    add(w, "iam", "req-k", 7, NULL, NULL);      /* reserved 7, killed before its commit */
    audit_writer_stop(w);

    CHECK_OK(audit_writer_start(dir, &w, NULL));
    /* the store alone says 7 committed (another node's): the node's seq says it was not
     * this record's */
    CHECK_INT(reconcile(w, 9), 0);
    CHECK_INT(reconcile_cluster(w, 4, 9), 1);
    all = records();
    CHECK_STR(str(json_array_get(all, json_array_size(all) - 1), "requestID"), "req-k");
    CHECK_STR(str(json_array_get(all, json_array_size(all) - 1), "errorCode"), "ServiceFailure");
    json_decref(all);
    CHECK_INT(reconcile_cluster(w, 4, 9), 0); /* settled once */
    /* a record past the store's next seq: the store is behind the trail, nothing settled */
    add(w, "iam", "req-m", 12, NULL, NULL);
    CHECK_INT(reconcile_cluster(w, 4, 10), 0);
    CHECK_INT(reconcile_cluster(w, 4, 11), 1);
    audit_writer_stop(w);
}

static void nothing_to_do(void)
{
    struct audit_writer *w = NULL;

    unlink(path);
    CHECK_OK(audit_writer_start(dir, &w, NULL));
    CHECK_INT(reconcile(w, 1), 0); /* an empty trail */
    add_read(w, "req-r1");
    add(w, "iam", "req-f", 0, "EntityAlreadyExists", NULL);
    add_read(w, "req-r2");
    CHECK_INT(reconcile(w, 1), 0); /* no successful mutation at all */
    audit_writer_stop(w);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    tree_init_allocator();
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    uncommitted_records_are_followed();
    seq_taken_by_another_node();
    nothing_to_do();
    unlink(path);
    rmdir(dir);
    TEST_END();
}
