/* audit.h — the audit trail: one CloudTrail-format record per call, allowed, denied or
 * failed, written before the response leaves (fail closed).
 *
 * audit_record_build() turns a neutral description of the call into the record text,
 * redacting every member the operation's descriptor names as secret; the writer appends
 * records to DIR/audit.log and syncs them in groups (see writer.c for the durability
 * each kind of call gets). */
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

/* The value CloudTrail writes in place of a sensitive parameter. */
#define AUDIT_HIDDEN "HIDDEN_DUE_TO_SECURITY_REASONS"

struct audit_writer;

/* Open (creating, mode 0600) DIR/audit.log and start the syncer thread. */
MUST_CHECK cu_rc audit_writer_start(const char *dir, struct audit_writer **out,
                                    struct cu_err *err);
/* Append one record as a line. Returns once it is written to the file, and — when
 * durable — once it is on disk. CU_E_STORE if it could not be written (or synced): the
 * caller must then fail the request. Thread-safe; lines keep the order of the calls. */
MUST_CHECK cu_rc audit_writer_append(struct audit_writer *w, const char *record, size_t len,
                                     bool durable);
/* Flush what is queued and stop the thread; NULL-safe. */
void audit_writer_stop(struct audit_writer *w);

#endif
