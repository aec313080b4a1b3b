/* audit.h — the audit trail: one CloudTrail-format record per call, allowed, denied or
 * failed, written before the response leaves (fail closed).
 *
 * audit_record_build() turns a neutral description of the call into the record text,
 * redacting every member the operation's descriptor names as secret; the writer appends
 * records to DIR/audit.log and syncs them in groups (writer.c).
 *
 * The order of a call's effects (server/pipeline.c, conclude(), is the one place that
 * keeps it):
 *
 *   mutation:   handler (in the store transaction) -> encode the answer -> build the
 *               record -> (1) write it to the trail, not yet synced -> (2) commit ->
 *               (3) wait for the group sync that covers the record -> (4) answer
 *   the record cannot be written at (1): roll back, answer 500 InternalFailure; nothing
 *               changed and nothing is recorded (the log says why).
 *   the commit fails at (2): a second record with the same requestID and errorCode
 *               InternalFailure follows the first: a reader takes the last record of a
 *               requestID as its outcome, so the call reads as attempted, not done.
 *   the sync fails at (3): the change is committed, the answer is 500 and the log says
 *               that the record may not be on disk.
 *   failed mutation (the handler, authorization or validation refused it): roll back,
 *               then the record with its errorCode is written and synced before answering.
 *   read-only call: the transaction ends, the record is written, then the answer leaves;
 *               the syncer makes it durable within AUDIT_SYNC_INTERVAL_MS.
 *
 * What a SIGKILL at each point leaves (the record is in the page cache once written, so
 * it survives the process):
 *   before (1)         neither the change nor a record (the call was not answered);
 *   between (1), (2)   a record of a change that did not happen and was not answered: the
 *                      trail may hold attempts that did not take effect, never a change
 *                      without its record;
 *   after (2)          the change and its record; the client may not have its answer.
 * Power loss (not a crash of custos) between (2) and (3) can lose the record of a committed
 * change that was not yet answered: the sync is started at (1) so it overlaps the commit,
 * but the trail is synced after the commit so that concurrent mutations share one
 * fdatasync instead of holding the store's write lock through it. Closing that window
 * (syncing before the commit, or a commit marker) belongs to the write-ahead design. */
#ifndef CU_AUDIT_H
#define CU_AUDIT_H

#include <jansson.h>

#include "core/principal.h"
#include "core/buf.h"
#include "store/store.h"

/* What the pipeline knows of a finished call. Everything is borrowed. */
struct audit_event {
    const char *request_id;
    int64_t time_ms;
    const char *service;          /* model id: "kms" -> eventSource "kms.amazonaws.com" */
    const char *event_name;       /* operation name, or NULL when routing failed */
    const char *region;
    const char *source_ip;
    const char *user_agent;
    const struct principal *principal;  /* NULL when the caller was not authenticated */
    const char *access_key_id;    /* as presented, even if unknown */
    const json_t *request;        /* decoded input tree, or NULL */
    const json_t *response;       /* output tree (mutations only), or NULL */
    const char *const *secret_fields; /* members to hide, NULL-terminated; may be NULL */
    bool read_only;
    const char *error_code;       /* NULL on success */
    const char *error_message;
    const char *resource_arn;     /* the resource authorized against, or NULL */
    const char *account_id;       /* recipientAccountId */
};

/* Build the record (a compact JSON object) into out. Secret members are replaced by
 * "HIDDEN_DUE_TO_SECURITY_REASONS" wherever they appear, as CloudTrail does, and their
 * values are never copied; member names are written in CloudTrail's lowerCamelCase. */
MUST_CHECK cu_rc audit_record_build(const struct audit_event *ev, struct buf *out);

/* Unauthenticated requests from one source that were answered with a throttling error
 * and not recorded one by one (server/unauth_limit.c): their count over a window. */
struct audit_suppressed {
    const char *source_ip;
    uint64_t count;
    int64_t window_start_ms, window_end_ms;
    const char *region;
    const char *account_id;
};

/* Build the aggregate record of suppressed requests: eventType "AwsServiceEvent",
 * eventName "UnauthenticatedRequestsSuppressed", sourceIPAddress the source, and
 * serviceEventDetails {"suppressedUnauthenticatedRequests": N, "windowStart": ISO-8601,
 * "windowEnd": ISO-8601}. */
MUST_CHECK cu_rc audit_record_build_suppressed(const struct audit_suppressed *s, struct buf *out);

/* The value CloudTrail writes in place of a sensitive parameter. */
#define AUDIT_HIDDEN "HIDDEN_DUE_TO_SECURITY_REASONS"

struct audit_writer;

/* Open (creating, mode 0600) DIR/audit.log and start the syncer thread. */
MUST_CHECK cu_rc audit_writer_start(const char *dir, struct audit_writer **out,
                                    struct cu_err *err);
/* Write one record as a line at the end of the trail, not yet synced; *seq names it for
 * audit_writer_wait(). soon: start a sync now (a mutation, which will wait), rather than
 * at the syncer's next interval. CU_E_STORE when the trail cannot take it (full disk,
 * unwritable file): nothing of it is in the trail then, and audit_writer_healthy() says
 * why. Thread-safe; lines keep the order of the calls. */
MUST_CHECK cu_rc audit_writer_write(struct audit_writer *w, const char *record, size_t len,
                                    bool soon, uint64_t *seq);
/* Wait until record seq and all before it are on disk. CU_E_STORE if the fdatasync that
 * covered it failed. */
MUST_CHECK cu_rc audit_writer_wait(struct audit_writer *w, uint64_t seq);
/* write, then — when durable — wait: returns once the record is written (and synced).
 * CU_E_STORE if it could not be: the caller must then fail the request. */
MUST_CHECK cu_rc audit_writer_append(struct audit_writer *w, const char *record, size_t len,
                                     bool durable);
/* Can the trail take records? When not, reason (cap bytes, NUL-terminated) says why, for
 * the operator and the health endpoint ("audit trail cannot be written: no space left on
 * device"; no paths). A failing trail is probed by reserving room for the record that
 * failed (no record is written), so this turns true as soon as one would fit. */
bool audit_writer_healthy(struct audit_writer *w, char *reason, size_t cap);
/* Test hook (STYLE R20): the trail cannot hold more than bytes: appends and reservations
 * past it fail as on a full disk (ENOSPC), even inside the current window; 0 turns it
 * off. */
void audit_writer_test_space(struct audit_writer *w, int64_t bytes);
/* Flush what is queued and stop the thread; NULL-safe. */
void audit_writer_stop(struct audit_writer *w);

#endif
