/* kms_key_usage.h — when each KMS key was last used for a cryptographic operation (KMS
 * GetKeyLastUsage), noted off the request path as key_usage.h notes access keys.
 *
 * After a successful cryptographic call on a key, the pipeline notes (key ARN, time,
 * operation, request id, trail event id) in memory: a hash probe and one relaxed compare
 * when the key was noted within the last KEY_USAGE_NOTE_MS, a short locked update
 * otherwise. A flusher thread writes the notes taken since its last pass into one
 * RECORD_KMS_KEY_LAST_USED record per key every interval, in batched transactions, so a
 * key costs at most one store write per interval however often it is used; stopping the
 * flusher writes what is left. A note for a key deleted meanwhile is dropped: the flush
 * writes a key's record only in a transaction that sees the key. */
#ifndef CU_KMS_KEY_USAGE_H
#define CU_KMS_KEY_USAGE_H

#include <stdint.h>

#include "core/cu.h"

struct store;
struct kms_key_usage;

/* What one use of a key was: the key's ARN ("arn:aws:kms:<region>:<account>:key/<id>"),
 * the operation's name (static storage: kept by address), the request id and the id of
 * its trail record. Strings other than op are copied. */
struct kms_key_use {
    const char *key_arn;
    const char *op;
    const char *request_id;
    const char *event_id;
    int64_t now_ms;
};

/* A table flushing into s every interval_ms (> 0), its flusher thread started.
 * Errors: CU_E_NOMEM, CU_E_INTERNAL (no thread). */
MUST_CHECK cu_rc kms_key_usage_start(struct store *s, int64_t interval_ms,
                                     struct kms_key_usage **out);
/* Stop the flusher, write every note not yet written, free the table. Call once no
 * request can note any more and before the store closes. NULL-safe. */
void kms_key_usage_stop(struct kms_key_usage *u);
/* Note a use. Thread-safe; never touches the store; an ARN that is not a KMS key's is
 * ignored. NULL u: nothing. */
void kms_key_usage_note(struct kms_key_usage *u, const struct kms_key_use *use);
/* Write the notes taken since the last flush now (the flusher's pass; tests). */
MUST_CHECK cu_rc kms_key_usage_flush(struct kms_key_usage *u);

#endif
