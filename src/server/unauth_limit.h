/* unauth_limit.h — a per-source token bucket for requests that fail before authentication
 * succeeds, and the counts of those it throttled (see unauth_limit.c). */
#ifndef CU_UNAUTH_LIMIT_H
#define CU_UNAUTH_LIMIT_H

#include <stdint.h>

#include "core/cu.h"

/* The longest source address kept: an IPv6 text address with its zone fits. */
#define UNAUTH_SOURCE_MAX 64

/* What a source's throttled requests add up to since its count last left the table. */
struct unauth_count {
    char source[UNAUTH_SOURCE_MAX];
    uint64_t count;
    int64_t start_ms, end_ms; /* first and last throttled request */
};

/* How often the pipeline writes the counts as aggregate records (and at shutdown). */
#define UNAUTH_FLUSH_INTERVAL_MS 10000

struct unauth_limit;

/* A table of at most UNAUTH_LIMIT_SOURCES sources, each with a bucket of `burst` tokens
 * refilled at `rate` a second; counts are due for collection every interval_ms. Owned by
 * the caller; unauth_limit_free() releases it (NULL-safe). */
MUST_CHECK cu_rc unauth_limit_new(double rate, double burst, int64_t interval_ms,
                                  struct unauth_limit **out);
void unauth_limit_free(struct unauth_limit *l);

/* One unauthenticated request from source at now_ms: true when a token was left (answer
 * and record it as usual), false when it is throttled (counted, not recorded). A new
 * source in a full table evicts the least recently seen of its set; when that one had
 * throttled requests, *evicted receives its count (evicted->count > 0) and the caller
 * records it. Thread-safe. */
bool unauth_limit_take(struct unauth_limit *l, const char *source, int64_t now_ms,
                       struct unauth_count *evicted);

/* True when an interval has passed since the last collection (a cheap check, for every
 * request). */
bool unauth_limit_due(struct unauth_limit *l, int64_t now_ms);

/* Move up to cap sources' counts into out and reset them; returns how many. Call again
 * while it returns cap. The next collection is due an interval after now_ms. */
size_t unauth_limit_collect(struct unauth_limit *l, int64_t now_ms, struct unauth_count *out,
                            size_t cap);

/* Capacity of the table: sets of ways, each set a small LRU. */
#define UNAUTH_LIMIT_SETS 256
#define UNAUTH_LIMIT_WAYS 8
#define UNAUTH_LIMIT_SOURCES (UNAUTH_LIMIT_SETS * UNAUTH_LIMIT_WAYS)

#endif
