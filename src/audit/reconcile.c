/* reconcile.c — the start-up half of the write-ahead order (audit.h): a mutation's record
 * is durable before its change commits, so a crash between the two leaves the record of a
 * change that did not happen. Before custos serves, audit_reconcile() finds such records
 * at the trail's end and follows each with one of the same requestID that says the call
 * did not take effect, as the pipeline does when a commit fails while it runs.
 *
 * Which records: a successful mutation's record carries additionalEventData.commitSeq, the
 * store seq its transaction was to commit as. Seqs only grow, and only the one holder of
 * the store's write lock is ever between its record and its commit, so the records above
 * the last seq this node committed are at the trail's end, after the last one whose seq
 * committed: the scan back stops there and reads no further. Each of them claims the
 * store's next seq (usually there is one: the call a crash cut off; more only when a
 * failed commit could not be recorded either) or, on a cluster, a seq that the crash
 * gave back and another node has committed since (store_node_seq tells this node's last
 * commit from theirs); a record claiming a seq past the store's next means the store is
 * behind the trail (replaced, or restored from a backup), which is logged and settles
 * nothing, since those calls did take effect in the store they ran on. A record is
 * already settled when a later record of its requestID has an errorCode.
 *
 *   back:    from the end, line by line, to the first mutation record with commitSeq at
 *            or below the node's last: the records above it are the candidates
 *   settle:  back again from the end to the oldest candidate: a record of a candidate's
 *            requestID with errorCode settles it
 *   append:  for each candidate left, oldest first, its follow-up record; then one sync
 *
 * Lines are read back in chunks; a line longer than a chunk is carried over to the next
 * (earlier) read, so a record of any size is seen whole.
 *
 * A rotation (sealer.c) may fall between a mutation's record and its commit: the record
 * is then in the newest sealed log file, and the live file holds only records of reads
 * (no other mutation can be recorded while that one holds the store's write lock). So
 * when the live file holds no successful mutation's record at all, the newest sealed
 * file is scanned the same way (inflated into memory), and the live file is searched for
 * settling records as well; the follow-ups go to the live file, as always. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "core/ids.h"
#include "core/log.h"
#include "trail_io.h"

#define CHUNK (64u << 10)

static const char not_taken_message[] =
    "custos stopped after recording this call and before committing it: the call did not "
    "take effect.";

/* A line of the trail, and where it starts; return false to stop the scan. */
typedef bool (*line_fn)(const char *line, size_t n, off_t at, void *ctx);

/* Call fn for each line of [floor, end) of fd, last first; floor is 0 or where a line
 * starts. Bytes after the last newline are not a line (the NULs a running writer has
 * reserved, or a record a crash cut short), and are passed over without being kept. */
static cu_rc lines_back(int fd, off_t end, off_t floor, line_fn fn, void *ctx)
{
    cu_rc rc = CU_OK;
    struct buf data, held;
    off_t at = end;
    bool tail = true; /* no newline seen yet from the end */

    buf_init(&data, BUF_NO_LIMIT);
    buf_init(&held, BUF_NO_LIMIT);
    while (at > floor) {
        size_t n = at - floor < (off_t)CHUNK ? (size_t)(at - floor) : CHUNK;
        size_t stop, left = n;
        const char *nl;

        /* data = the chunk before `at`, then what is held of the line that crosses it */
        buf_reset(&data);
        TRY(buf_reserve(&data, n + held.n));
        ENSURE(pread(fd, data.p, n, at - (off_t)n) == (ssize_t)n, CU_E_STORE);
        data.n = n;
        TRY(buf_add(&data, held.p, held.n));
        at -= (off_t)n;
        stop = data.n;
        /* only the chunk can hold a newline: what is held has none */
        while (left && (nl = memrchr(data.p, '\n', left))) {
            size_t i = (size_t)(nl - data.p) + 1;
            if (!tail && stop > i && !fn(data.p + i, stop - i, at + (off_t)i, ctx))
                goto out;
            tail = false;
            stop = i - 1;
            left = i - 1;
        }
        buf_reset(&held);
        if (tail)
            continue;
        if (at == floor) {
            if (stop > 0) /* the line that starts at floor */
                (void)fn(data.p, stop, at, ctx);
            break;
        }
        TRY(buf_add(&held, data.p, stop));
    }
out:
    buf_release(&data);
    buf_release(&held);
    return rc;
}

struct candidate {
    json_t *record;
    off_t at;
    bool settled;
};

struct scan {
    uint64_t committed;   /* the last seq this node committed */
    uint64_t last;        /* the store's last seq, of any node */
    struct candidate *c;
    size_t n, cap;
    bool failed;          /* out of memory */
    uint64_t behind;      /* a record's seq the store is short of (0: none) */
    bool stopped;         /* found a mutation record whose seq committed */
    bool later;           /* settle: these lines all follow every candidate (another file) */
};

static uint64_t commit_seq_of(const json_t *rec)
{
    json_t *seq = json_object_get(json_object_get(rec, "additionalEventData"), "commitSeq");

    return json_is_integer(seq) && json_integer_value(seq) > 0 ? (uint64_t)json_integer_value(seq)
                                                               : 0;
}

/* back: collect the mutation records above the store's seq, newest first. */
static bool find_candidate(const char *line, size_t n, off_t at, void *ctx)
{
    struct scan *s = ctx;
    json_error_t jerr;
    json_t *rec;
    uint64_t seq;

    if (!memmem(line, n, "\"commitSeq\":", 12))
        return true; /* not a successful mutation's record: cheap to pass over */
    rec = json_loadb(line, n, 0, &jerr);
    seq = rec && !json_object_get(rec, "errorCode") ? commit_seq_of(rec) : 0;
    if (!seq) {
        json_decref(rec);
        return true;
    }
    if (seq <= s->committed) {
        json_decref(rec);
        s->stopped = true;
        return false; /* committed: every record before it is settled */
    }
    if (seq > s->last + 1) {
        /* every record after the last commit claims the store's next seq or, on a
         * cluster, one another node has committed since: a higher one means the store
         * lost commits the trail holds (replaced, or restored from a backup), and its
         * calls did take effect there; say so and settle nothing */
        s->behind = seq;
        json_decref(rec);
        return false;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        struct candidate *grown = realloc(s->c, cap * sizeof(*grown));
        if (!grown) {
            json_decref(rec);
            s->failed = true;
            return false;
        }
        s->c = grown;
        s->cap = cap;
    }
    s->c[s->n++] = (struct candidate){.record = rec, .at = at};
    return true;
}

/* settle: a later record of a candidate's requestID that has an errorCode. */
static bool settle(const char *line, size_t n, off_t at, void *ctx)
{
    struct scan *s = ctx;

    for (size_t i = 0; i < s->n; i++) {
        const char *id = json_string_value(json_object_get(s->c[i].record, "requestID"));
        json_error_t jerr;
        json_t *rec;

        if (s->c[i].settled || (!s->later && at <= s->c[i].at) || !id ||
            !memmem(line, n, id, strlen(id)))
            continue;
        rec = json_loadb(line, n, 0, &jerr);
        if (rec && json_object_get(rec, "errorCode") &&
            json_equal(json_object_get(rec, "requestID"), json_object_get(s->c[i].record, "requestID")))
            s->c[i].settled = true;
        json_decref(rec);
    }
    return true;
}

/* The record saying that the call of rec did not take effect, in the form of the one the
 * pipeline writes when a commit fails: rec without its answer and commitSeq, with the
 * protocol's internal-failure errorCode and a new eventID. */
static cu_rc follow_up(const json_t *rec, audit_internal_code_fn internal_code, char **text)
{
    cu_rc rc = CU_OK;
    json_t *f = json_deep_copy(rec), *extra;
    char service[64] = "", event_id[IDS_UUID_LEN + 1];
    const char *source;

    ENSURE(f, CU_E_NOMEM);
    source = json_string_value(json_object_get(f, "eventSource"));
    if (source)
        snprintf(service, sizeof(service), "%.*s", (int)strcspn(source, "."), source);
    TRY(ids_uuid(event_id));
    json_object_del(f, "custos"); /* the writer chains the new record afresh */
    extra = json_object_get(f, "additionalEventData");
    json_object_del(extra, "commitSeq");
    if (extra && json_object_size(extra) == 0)
        json_object_del(f, "additionalEventData");
    ENSURE(json_object_set_new(f, "responseElements", json_null()) == 0 &&
               json_object_set_new(f, "errorCode", json_string(internal_code(service))) == 0 &&
               json_object_set_new(f, "errorMessage", json_string(not_taken_message)) == 0 &&
               json_object_set_new(f, "eventID", json_string(event_id)) == 0,
           CU_E_NOMEM);
    *text = json_dumps(f, JSON_COMPACT);
    ENSURE(*text, CU_E_NOMEM);
out:
    json_decref(f);
    return rc;
}

/* The newest sealed log file of DIR, as a readable fd (a gzip one inflated into memory),
 * or -1 when there is none. */
static int newest_sealed(const char *dir, off_t *size)
{
    char trail[1100], path[1300];
    struct trail_entry *list = NULL;
    struct buf data;
    size_t n = 0;
    int fd = -1;

    snprintf(trail, sizeof(trail), "%s/%s", dir, AUDIT_TRAIL_SUBDIR);
    buf_init(&data, BUF_NO_LIMIT);
    if (trail_list(trail, &list, &n) != CU_OK)
        goto out;
    for (size_t i = n; i > 0 && fd < 0; i--) {
        if (list[i - 1].kind != AUDIT_FILE_LOG && list[i - 1].kind != AUDIT_FILE_PENDING)
            continue;
        snprintf(path, sizeof(path), "%s/%s", trail, list[i - 1].name);
        if (trail_load(path, &data) != CU_OK)
            break;
        fd = memfd_create("custos-reconcile", MFD_CLOEXEC);
        if (fd >= 0 && write(fd, data.p, data.n) != (ssize_t)data.n) {
            close(fd);
            fd = -1;
        }
        *size = (off_t)data.n;
        break;
    }
out:
    free(list);
    buf_release(&data);
    return fd;
}

cu_rc audit_reconcile(struct audit_writer *w, const char *dir, uint64_t committed_seq,
                      uint64_t last_seq, audit_internal_code_fn internal_code, size_t *n,
                      struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct scan s = {.committed = committed_seq,
                     .last = last_seq > committed_seq ? last_seq : committed_seq};
    char path[1200], *text = NULL;
    struct stat st;
    uint64_t seq = 0;
    int fd;

    *n = 0;
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    ENSURE(fd >= 0 && fstat(fd, &st) == 0,
           cu_err_set(err, CU_E_STORE, "cannot read the audit trail %s: %s", path,
                      strerror(errno)));
    TRY(lines_back(fd, st.st_size, 0, find_candidate, &s));
    ENSURE(!s.failed, CU_E_NOMEM);
    if (!s.n && !s.stopped && !s.behind) {
        /* no mutation in the live file: a rotation may have sealed the last one away */
        off_t size = 0;
        int sealed = newest_sealed(dir, &size);

        if (sealed >= 0) {
            rc = lines_back(sealed, size, 0, find_candidate, &s);
            if (rc == CU_OK && s.n && !s.behind)
                rc = lines_back(sealed, size, s.c[s.n - 1].at, settle, &s);
            close(sealed);
            TRY(rc);
            ENSURE(!s.failed, CU_E_NOMEM);
            s.later = true; /* the live file's records all come after the sealed ones */
        }
    }
    if (s.behind) {
        log_error("audit: the trail records a commit as seq %llu, the store's last seq is %llu: "
                  "the store is behind the trail (replaced or restored?); no record is "
                  "reconciled", (unsigned long long)s.behind, (unsigned long long)s.last);
        goto out;
    }
    if (s.n)
        TRY(lines_back(fd, st.st_size, s.later ? 0 : s.c[s.n - 1].at, settle, &s));
    /* oldest first, as they were written */
    for (size_t i = s.n; i > 0; i--) {
        struct candidate *c = &s.c[i - 1];
        if (c->settled)
            continue;
        TRY(follow_up(c->record, internal_code, &text));
        ENSURE(audit_writer_write(w, text, strlen(text), false, &seq) == CU_OK,
               cu_err_set(err, CU_E_STORE, "cannot append to the audit trail %s", path));
        log_warn("audit: request %s was recorded but never committed (custos stopped "
                 "between the two): recorded now as not taken effect",
                 json_string_value(json_object_get(c->record, "requestID")));
        free(text);
        text = NULL;
        (*n)++;
    }
    if (seq)
        ENSURE(audit_writer_wait(w, seq) == CU_OK,
               cu_err_set(err, CU_E_STORE, "cannot sync the audit trail %s", path));
out:
    if (rc != CU_OK && err->code == CU_OK)
        cu_err_set(err, rc, "cannot reconcile the audit trail %s with the store", path);
    free(text);
    for (size_t i = 0; i < s.n; i++)
        json_decref(s.c[i].record);
    free(s.c);
    if (fd >= 0)
        close(fd);
    return rc;
}
