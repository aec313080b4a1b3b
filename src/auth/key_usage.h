/* key_usage.h — when, where and with which service each long-term access key was last
 * used (IAM GetAccessKeyLastUsed, the credential report), noted off the request path.
 *
 * After a request authenticates, the pipeline notes (access key id, time, service, region)
 * in memory: a hash probe and one relaxed compare when the key was noted within the last
 * KEY_USAGE_NOTE_MS, a short locked update otherwise. A flusher thread writes the notes
 * taken since its last pass to the store (RECORD_ACCESS_KEY_LAST_USED, records.h) every
 * interval, in batched transactions, so a key costs at most one store write per interval
 * however often it is used; stopping the flusher writes what is left (a clean shutdown
 * loses nothing, a crash at most the last interval). A note for a key deleted meanwhile is
 * dropped: the flush writes a key's record only in a transaction that sees the key.
 *
 * The same table and flusher keep IAM's access advisor data (GenerateServiceLastAccessed-
 * Details): which IAM entity last attempted which action, when and from which region,
 * noted once the operation is known, before authorization (AWS counts "all attempts ...,
 * not just the successful ones"), and written as RECORD_ACTION_LAST_USED records. */
#ifndef CU_KEY_USAGE_H
#define CU_KEY_USAGE_H

#include <stdint.h>

#include "core/cu.h"
#include "core/principal.h"

struct store;
struct key_usage;

/* Notes of one key closer together than this keep the first (AWS: "When an access key is
 * used more than once in a 15-minute span, only the first use is recorded"; custos keeps
 * a finer grain). */
#define KEY_USAGE_NOTE_MS 1000
/* The default flush interval, and the environment variable that overrides it (positive
 * milliseconds; the e2e tests use a short one). */
#define KEY_USAGE_FLUSH_MS 60000
#define KEY_USAGE_FLUSH_ENV "CUSTOS_KEY_USAGE_FLUSH_MS"

/* A table flushing into s every interval_ms (> 0), with its flusher thread started.
 * Errors: CU_E_NOMEM, CU_E_INTERNAL (no thread). */
MUST_CHECK cu_rc key_usage_start(struct store *s, int64_t interval_ms, struct key_usage **out);

/* Stop the flusher, write every note not yet written, free the table. Call once no request
 * can note any more (the HTTP server stopped) and before the store closes. NULL-safe. */
void key_usage_stop(struct key_usage *u);

/* Note that access key akid (a long-term AKIA key: others are ignored) signed a request
 * to `service` in `region` at now_ms. Thread-safe; never touches the store; strings are
 * copied (a service or region longer than the table keeps is cut). NULL u: nothing. */
void key_usage_note(struct key_usage *u, const char *akid, const char *service, const char *region,
                    int64_t now_ms);

/* Note that principal p attempted `action` ("kms:GenerateDataKey") in `region` at now_ms,
 * for IAM's access advisor. Only IAM users are noted (the entities a report can name: the
 * root user is none, and custos issues no role sessions yet); p's unique id (UserId) keys
 * the note, so a renamed user keeps its history. `action` must be a string of static
 * storage, one pointer per action (the operation descriptor's): it is kept, and compared
 * by address. The hot path is the same as key_usage_note's: a hash probe and one relaxed
 * compare within KEY_USAGE_NOTE_MS. Thread-safe; never touches the store. NULL u: nothing. */
void key_usage_note_action(struct key_usage *u, const struct principal *p, const char *action,
                           const char *region, int64_t now_ms);

/* Write the notes taken since the last flush now (the flusher's pass; tests). */
MUST_CHECK cu_rc key_usage_flush(struct key_usage *u);

#endif
