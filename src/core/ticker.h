/* ticker.h — a thread that calls a function at a fixed interval until stopped: the shape
 * of custos's background work (the access-key and KMS key use flushers, the key sweeper).
 * The function runs on the ticker's thread with no lock of the ticker's held; stopping
 * wakes the thread, waits for a call in progress to end and joins it, so once
 * ticker_stop returns the function is never called again. */
#ifndef CU_TICKER_H
#define CU_TICKER_H

#include <stdint.h>

#include "err.h"

struct ticker; /* opaque */

/* Start calling tick(ctx) every interval_ms (> 0), the first call one interval from now.
 * Errors: CU_E_NOMEM, CU_E_INTERNAL (no thread). */
MUST_CHECK cu_rc ticker_start(int64_t interval_ms, void (*tick)(void *ctx), void *ctx,
                              struct ticker **out);
/* Stop and free (NULL: nothing). */
void ticker_stop(struct ticker *t);

#endif
