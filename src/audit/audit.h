/* audit.h — the audit trail: one CloudTrail-format record per call, allowed, denied or
 * failed, written before the response leaves (fail closed).
 *
 * audit_record_build() turns a neutral description of the call into the record text,
 * redacting every member the operation's descriptor names as secret; the writer appends
 * records to DIR/audit.log and syncs them in groups (writer.c).
 *
 * The order of a call's effects (server/pipeline.c, conclude(), is the one place that
 * keeps it). A mutation is write-ahead: its record is durable before its change commits.
 *
 *   mutation:   handler (in the store's write transaction, which holds the store's write
 *               lock) -> encode the answer -> build the record, carrying the seq the
 *               transaction will commit as (store_tx_commit_seq, "commitSeq" below) ->
 *               (1) write it to the trail -> (2) wait for the sync that covers it ->
 *               (3) commit -> (4) answer
 *   the record cannot be written at (1): roll back, answer 500 InternalFailure; nothing
 *               changed and nothing is recorded (the log says why).
 *   the sync fails at (2): roll back, answer 500; the record, if it reached the disk, is
 *               followed by a second one saying the call did not take effect (below).
 *   the commit fails at (3): a second record with the same requestID and the protocol's
 *               internal-failure errorCode follows the first, and is synced before the 500
 *               leaves: a reader takes the last record of a requestID as its outcome, so
 *               the call reads as attempted, not done.
 *   failed mutation (the handler, authorization or validation refused it): roll back,
 *               then the record with its errorCode is written and synced before answering.
 *   read-only call: the transaction ends, the record is written, then the answer leaves;
 *               the syncer makes it durable within AUDIT_SYNC_INTERVAL_MS, many records
 *               per fdatasync.
 *
 * What a crash (SIGKILL or power loss) at each point of a mutation leaves:
 *   before (1)         neither the change nor a record (the call was not answered);
 *   between (1), (2)   SIGKILL: the record (written records are in the page cache, which
 *                      survives the process) and no change; power loss: perhaps the record,
 *                      and no change; a record that survived is reconciled as below;
 *   between (2), (3)   a durable record of a change that was not committed and not
 *                      answered; the next start reconciles it (below);
 *   after (3)          the change and its durable record; the client may not have its
 *                      answer.
 * So the trail never lacks the record of a committed change, and a record whose change did
 * not commit is always followed by one that says so: by the pipeline when the commit or the
 * sync fails while custos runs, by audit_reconcile() after a crash. (The one gap: a failed
 * commit or sync whose second record cannot be written or synced either — the trail broke
 * under the call. The log says so; the start-up scan cannot, since the next mutation then
 * commits as the same seq.)
 *
 * Tested by tests/unit/server/pipeline_test.c (the store's fault hook across CreateUser,
 * the commit included; the space and sync hooks below; the pipeline's exit hook between
 * (2) and (3), then a restart), tests/unit/audit/reconcile_test.c, tests/crash/
 * test_sigkill.py (store and trail agree both ways after each SIGKILL) and
 * tests/e2e/test_audit_failures.py (an append-only, immutable or full trail).
 *
 * Why a commit seq rather than a commit marker. The store gives every committed write the
 * next seq of its change log, and a write transaction holds the store's only write lock
 * from its first operation to its commit, so the seq it will commit as is known before the
 * commit, and at most one mutation is ever between (1) and (3). At start-up, before
 * bootstrap or any call can commit, audit_reconcile() reads the trail back from its end:
 * a mutation record whose commitSeq is above the store's last committed seq did not take
 * effect (seqs only grow and survive restarts), unless a second record of its requestID
 * already says so. A commit marker instead (a record appended after the commit) would be
 * a second record and a second sync per mutation, and still need the store asked which
 * unmarked changes committed; a request id stored in the transaction would widen every
 * commit. The seq costs neither: one number in the record. With several writers (the
 * PostgreSQL nodes of DESIGN.md) the store reserves the seq in the transaction, and a
 * node killed between its record and its commit gives its seq back, for another node to
 * commit: "is it at most the store's last seq" no longer tells. So each node's write
 * transactions keep their seq in a meta entry of the node's own, in the statement that
 * reserves it (store_set_node: no round trip, and no row another node writes), and the
 * start-up test is "is it at most the last seq this node committed" (store_node_seq);
 * the records and the ordering stay as they are.
 *
 * Holding the write lock through the trail's fdatasync serialises mutations behind it (one
 * sync per mutation instead of one per group); reads do not wait for it (the store's
 * readers use their own snapshot).
 *
 * Several nodes (custos nodes on one PostgreSQL store). The design is a chain per node,
 * ordered across nodes by the store's seq: each node writes its own trail in its own
 * data dir exactly as above — its chain, its digests, its signing key — and the order of
 * the cluster's changes is the commitSeq every mutation's record already carries, which
 * the PostgreSQL store hands out densely and in commit order across nodes (its writers
 * take turns under one advisory lock, store/postgres.c). Why not one chain through the
 * database: every record, reads included, would need a database round trip to take the
 * chain's head (one hot row every node's every call would queue on), the write-ahead
 * rule would have to hold across two systems (the record durable in the database before
 * the change commits in it — a second transaction, or the record inside the change's
 * transaction, which a rolled-back call would then take with it), and a database outage
 * would stop the trail, reads' records too. Per node, the request path keeps its cost
 * (one SHA-256 and the local write and group sync) and its fail-closed rule (the local
 * disk); what is lost is a single total order of reads across nodes, which nothing needs
 * (eventTime orders them as well as CloudTrail's own per-region files do), while the
 * order that matters, of changes, is the store's and in the records.
 *   What it takes to read the trails together: node names (node_id.h, --node-id); `custos
 * audit verify DIR DIR...` (verify.h: each chain, then no commitSeq recorded as taking
 * effect twice — the one property across nodes that holds; gaps in the seqs do not fail,
 * as commits without a call leave them); LookupEvents over this node's and its peers'
 * trails (--audit-peer-dir, trail_set.h), merged newest first.
 *   The start-up reconcile above still compares with store_last_seq(), which on a cluster
 * is not this node's alone: a node killed between (1) and (3) left a record of a seq its
 * rolled-back commit freed, and which another node may since have committed; that record
 * is then not settled, and the check across nodes reports the seq recorded twice. Telling
 * it apart needs the store to say who committed a seq (a node or request id in the
 * change log), which is the store's to add. */
#ifndef CU_AUDIT_H
#define CU_AUDIT_H

#include <jansson.h>

#include "audit/chain.h"
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
    const char *event_id;         /* the record's eventID, or NULL: a new one */
    const char *invoked_by;       /* a service's call on the principal's behalf: its host
                                   * ("secretsmanager.amazonaws.com"), userIdentity's
                                   * invokedBy; NULL: the principal called */
    uint64_t commit_seq;          /* a mutation's store seq, written as additionalEventData
                                   * {"commitSeq": N} before its commit; 0: none */    const char *tls_version;      /* tlsDetails, over HTTPS only (NULL: none): protocol, */
    const char *tls_cipher;       /* cipher suite and the Host header the client sent */
    const char *host;
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

/* What a service does on its own, no caller asking: KMS deleting a key whose deletion
 * window has ended (KMS developer guide, ct-deletekey). Everything is borrowed. */
struct audit_service_event {
    int64_t time_ms;
    const char *service;      /* model id: "kms" */
    const char *event_name;   /* "DeleteKey" */
    const char *region;
    const char *account_id;
    const char *resource_arn; /* the resource it acted on */
    uint64_t commit_seq;      /* the store seq of its change, as audit_event's */
};

/* Build its record: eventType "AwsServiceEvent", userIdentity {"accountId", "invokedBy":
 * "<service>.amazonaws.com"}, the service's host as sourceIPAddress and userAgent, null
 * requestParameters and responseElements, readOnly false, the resource in resources and
 * additionalEventData {"commitSeq": N}, as a mutation's (reconcile.c follows it alike). */
MUST_CHECK cu_rc audit_record_build_service_event(const struct audit_service_event *e,
                                                  struct buf *out);

/* The record of the cut of a torn tail at start (writer.c): what a crash left of a record
 * whose copy it interrupted (its call was never answered) is cut off, and this record says
 * so: eventType "AwsServiceEvent", eventSource "custos.amazonaws.com", eventName
 * "AuditTrailTailCut", serviceEventDetails {"cutBytes": N, "cutSha256": hex}. */
MUST_CHECK cu_rc audit_record_build_tail_cut(int64_t time_ms, size_t cut_bytes,
                                             const char *cut_sha256, struct buf *out);

/* The record of a sealed log file removed by retention (sealer.c): eventName
 * "AuditLogFileExpired", serviceEventDetails {"logFile": name}; written (and synced)
 * before the file goes, so verify knows custos removed it. */
MUST_CHECK cu_rc audit_record_build_file_expired(int64_t time_ms, const char *file,
                                                 struct buf *out);

/* The value CloudTrail writes in place of a sensitive parameter. */
#define AUDIT_HIDDEN "HIDDEN_DUE_TO_SECURITY_REASONS"

struct audit_writer;

/* Open (creating, mode 0600) DIR/audit.log and start the syncer thread. A record is a
 * JSON object; the writer ends it with the chain's member (chain.h). A torn tail is cut
 * and the cut recorded (audit_record_build_tail_cut). */
MUST_CHECK cu_rc audit_writer_start(const char *dir, struct audit_writer **out,
                                    struct cu_err *err);
/* audit_writer_start, for a trail whose chain goes on from head (hex, AUDIT_HASH_HEX
 * chars): the hash of the last record sealed before DIR/audit.log was rotated away. Used
 * only while audit.log holds no record; NULL: the chain starts (audit_chain_genesis). */
MUST_CHECK cu_rc audit_writer_start_chained(const char *dir, const char *head,
                                            struct audit_writer **out, struct cu_err *err);
/* The hash of the last record written (what the next one will name). */
void audit_writer_head(struct audit_writer *w, char out[AUDIT_HASH_HEX + 1]);
/* Bytes of records in DIR/audit.log now. */
int64_t audit_writer_size(struct audit_writer *w);
/* Call fn(arg) once the live file holds at least bytes (then once more after each rotation
 * that empties it): the sealer's prompt cue to rotate. The writer looks only when it maps
 * its next window of the file (every few MiB; a window ends at bytes, rounded up to a
 * page), so records pay nothing for it; fn runs with the writer's lock held and must not
 * call the writer. bytes 0: never. */
void audit_writer_on_size(struct audit_writer *w, int64_t bytes, void (*fn)(void *), void *arg);
/* Rotate: rename DIR/audit.log to to_path and go on in a new, empty DIR/audit.log; the old
 * file is trimmed and synced (its records' waiters are released as by a sync) before this
 * returns. *rotated false: audit.log held no record, nothing was done. CU_E_STORE when it
 * cannot be renamed or the new file not created (appends go on in the old file then) or
 * the old one not synced. Thread-safe; the record path waits only for the swap. */
MUST_CHECK cu_rc audit_writer_rotate(struct audit_writer *w, const char *to_path, bool *rotated);
/* Write one record as a line at the end of the trail, not yet synced; *seq names it for
 * audit_writer_wait(). soon: have the syncer thread start a sync now rather than at its
 * next interval (for a caller with other work to do before it waits; one that waits at
 * once syncs in audit_writer_wait itself, without a hand-over to the thread). CU_E_STORE when the trail cannot take it (full disk,
 * unwritable file): nothing of it is in the trail then, and audit_writer_healthy() says
 * why. Thread-safe; lines keep the order of the calls. */
MUST_CHECK cu_rc audit_writer_write(struct audit_writer *w, const char *record, size_t len,
                                    bool soon, uint64_t *seq);
/* Wait until record seq and all before it are on disk: the caller runs the fdatasync
 * itself when none is running, else waits for the running one (and then runs its own if
 * that one started before seq was written), so concurrent waiters share syncs.
 * CU_E_STORE if the fdatasync that covered it failed. */
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
/* The start-up half of the write-ahead order above: read the trail back from its end and
 * follow every mutation record whose commitSeq is above committed_seq (the last seq this
 * node committed, store_node_seq(), read before anything can commit) and that no later
 * record of its requestID already settles, with a record of the same requestID saying it
 * did not take effect: the record itself with no responseElements or commitSeq, a new
 * eventID, errorCode internal_code(service) (the protocol's internal-failure name;
 * service is the eventSource's first label) and an errorMessage saying custos stopped
 * before the commit. The scan stops at the first mutation record at or below
 * committed_seq; a record above last_seq + 1 (last_seq: the store's store_last_seq(), of
 * every node; a store behind the trail: replaced or restored) is logged and nothing is
 * reconciled. With one writer the two seqs are the same; on a cluster a seq between them
 * was reserved by this node, given back by its crash and committed by another. The new
 * records are synced before this returns; *n says how many. Call it before serving, right
 * after audit_writer_start(). CU_E_STORE when the trail cannot be read or written. */
typedef const char *(*audit_internal_code_fn)(const char *service);
MUST_CHECK cu_rc audit_reconcile(struct audit_writer *w, const char *dir, uint64_t committed_seq,
                                 uint64_t last_seq, audit_internal_code_fn internal_code,
                                 size_t *n, struct cu_err *err);
/* Test hook (STYLE R20): every fdatasync from now on fails (EIO) while on. */
void audit_writer_test_fail_sync(struct audit_writer *w, bool on);
/* Flush what is queued and stop the thread; NULL-safe. */
void audit_writer_stop(struct audit_writer *w);

#endif
