/* metrics.h — GET /_custos/metrics: what the server has done since it started, in
 * Prometheus's text format (core/prom.h). Calls are counted per operation, outcome and
 * error code, and timed, in per-thread blocks (core/tally.h) that a scrape sums; the
 * counters of the layers below come from core/stats.h, the process's own from
 * process_metrics.h. */
#ifndef CU_SERVER_METRICS_H
#define CU_SERVER_METRICS_H

#include "core/buf.h"
#include "policy/policy.h"
#include "services/call.h"

struct metrics;

/* What one call came to, for metrics_count. */
struct metrics_call {
    const struct op_desc *desc; /* NULL: not routed to an operation custos implements */
    bool json;                  /* its protocol is JSON (error codes are named so) */
    cu_rc code;                 /* what it was answered with: CU_OK, CU_E_ACCESS_DENIED, ... */
    bool denial_known;          /* an AccessDenied the policy engine decided: */
    bool denial_explicit;       /*   by an explicit Deny (else no policy allowed) */
    enum policy_source denial_source; /*   in (or missing from) this kind of policy */
    uint64_t elapsed_ns;        /* from its first byte parsed to its answer ready */
};

/* A new, empty set of call counters. Owned by the caller: metrics_free. */
MUST_CHECK cu_rc metrics_new(struct metrics **out);

/* Free m. Only once no thread counts into it any more. NULL-safe. */
void metrics_free(struct metrics *m);

/* Count one call in the calling thread's block: a few relaxed adds, no lock, and no
 * allocation after the thread's first call. NULL-safe (m NULL: nothing counted). */
void metrics_count(struct metrics *m, const struct metrics_call *c);

/* Append the whole exposition to out: the process's metrics, the layers' counters (caches,
 * audit trail, store) and m's call counters. Series of calls appear once they are not 0. */
MUST_CHECK cu_rc metrics_write(struct metrics *m, struct buf *out);

struct audit_sealer;

/* Append the audit trail's gauges (audit/sealer.h's status): whether the last seal failed,
 * and the trail filesystem's free and total bytes and the warning threshold. */
MUST_CHECK cu_rc metrics_write_trail(struct audit_sealer *sealer, struct buf *out);

/* The Content-Type of what metrics_write writes. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
