/* note_table.h — an in-memory table of "last used" notes, written to the store off the
 * request path: the shape shared by access key uses, the access advisor's action uses
 * and KMS key uses (auth/key_usage.c, auth/kms_key_usage.c).
 *
 * An entry is keyed by a string and a tag pointer (NULL, or a string of static storage
 * compared by address) and holds a fixed-size payload its owner defines. A note is a hash
 * probe and one relaxed compare when the entry was noted less than gap_ms ago (the hot
 * path), a short locked update otherwise. note_table_flush copies the notes taken since
 * its last pass out under the lock and hands them to a writer in batches with the lock
 * released; a batch the writer fails is marked to be written again by the next pass:
 *
 *   note ──> dirty ──flush copies──> clean ──(write fails)──> dirty again
 *
 * The table is insert-only until freed: a bucket's chain is published with a release
 * store of its head (the new entry's next set before), so a note walks it with acquire
 * loads and no lock, and a walker never sees freed memory. It holds one entry per thing
 * used since start (an access key, a KMS key, a user's action), not per request. */
#ifndef CU_NOTE_TABLE_H
#define CU_NOTE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct note_table; /* opaque */

/* Fill an entry's payload under the table's lock with the use described by arg. is_new:
 * the entry was just made (its payload zeroed); returning false then drops it (a key the
 * owner cannot use), otherwise the return value is ignored. */
typedef bool (*note_fill_fn)(void *payload, bool is_new, const void *arg);

/* One note as the writer sees it: key and tag are the entry's (valid until the table is
 * freed); payload is a copy taken under the lock. */
struct note {
    const char *key;
    const void *tag;
    int64_t last_ms;
    const void *payload;
};

/* Write notes[0..n) (one store transaction, say). A failure leaves them to the next pass. */
typedef cu_rc (*note_write_fn)(void *ctx, const struct note *notes, size_t n);

/* A table whose entries carry payload_size bytes and keys shorter than key_max.
 * Errors: CU_E_NOMEM. */
MUST_CHECK cu_rc note_table_new(size_t key_max, size_t payload_size, struct note_table **out);
/* Free the table and its entries (NULL: nothing). No note may run meanwhile. */
void note_table_free(struct note_table *t);

/* Note a use of (key, tag) at now_ms: nothing when the entry was noted less than gap_ms
 * ago or now_ms is older than its last use; otherwise fill writes the payload and the
 * entry becomes dirty. A key of key_max characters or more is ignored; out of memory
 * drops the note (the answer it feeds lags, nothing breaks). Thread-safe. */
void note_table_note(struct note_table *t, const char *key, const void *tag, int64_t now_ms,
                     int64_t gap_ms, note_fill_fn fill, const void *arg);

/* Hand every note taken since the last pass to write, at most `batch` (> 0) at a time.
 * Returns CU_OK, or the first failure of write (every batch is tried) or CU_E_NOMEM. */
MUST_CHECK cu_rc note_table_flush(struct note_table *t, size_t batch, note_write_fn write,
                                  void *ctx);

#endif
