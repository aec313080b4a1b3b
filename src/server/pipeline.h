/* pipeline.h — one request, from bytes in to bytes out (see pipeline.c). */
#ifndef CU_PIPELINE_H
#define CU_PIPELINE_H

#include "core/http_req.h"
#include "proto/proto.h"
#include "services/call.h"

struct principal_cache;
struct identity_cache;
struct audit_writer;
struct unauth_limit;
struct key_usage;
struct metrics;
struct kms_key_usage;

/* What every request shares; owned by struct server. */
struct pipeline {
    struct call_env env;
    struct principal_cache *principals;
    struct identity_cache *identities;
    struct audit_writer *audit;
    struct audit_sealer *sealer;  /* seals and disk, for health and metrics; NULL: none */
    struct unauth_limit *unauth;  /* NULL: unauthenticated requests are not limited */
    struct key_usage *key_usage;  /* access keys' last use (auth/key_usage.h); NULL: none */
    struct metrics *metrics;      /* call counters (metrics.h); NULL: calls are not counted */
    struct kms_key_usage *kms_key_usage; /* KMS keys' last use (auth/kms_key_usage.h); NULL: none */
    size_t max_header_bytes;
    /* Test hook (STYLE R20): a mutation of this operation ("*": any) ends the process
     * with _exit(PIPELINE_TEST_EXIT) once its record is durable and before its commit —
     * a crash at that point. NULL: off. */
    const char *test_exit_before_commit;
};
#define PIPELINE_TEST_EXIT 86

/* Run one request through the whole pipeline and fill resp (always: errors become the
 * protocol's error response). The audit record is durable when this returns for a
 * mutation, written for any other call; a request that failed before authentication and
 * exceeded its source's limit gets AWS's throttling error and is only counted. */
void pipeline_handle(struct pipeline *pl, const struct http_req *req, struct proto_response *resp);

/* An error response for a request the HTTP layer refused before the pipeline (body too
 * large, headers too large), in the protocol the request looks like. Audited too, within
 * the source's limit of unauthenticated requests (it was not authenticated). */
void pipeline_refuse(struct pipeline *pl, const struct http_req *req, cu_rc code,
                     const char *message, struct proto_response *resp);

/* Write the aggregate records of throttled unauthenticated requests counted so far (the
 * pipeline does so every interval on its own; the server calls this at shutdown, once no
 * request is in flight). */
void pipeline_flush_suppressed(struct pipeline *pl, int64_t now_ms);

/* The answer to GET /_custos/health: 200 {"status":"ok","store":{"backend":...,"state":
 * "ok"},...} while the server can serve calls, else 503 with {"status":"unavailable",
 * "reason":"..."} naming why (an audit trail that cannot take another record, a store
 * that does not answer: a PostgreSQL database gone; 200 again once it is back). Never
 * audited. */
void pipeline_health(struct pipeline *pl, struct proto_response *resp);

/* The answer to GET /_custos/metrics: 200 with every metric in Prometheus's text format
 * (metrics.h), or 500 when it cannot be built. Never audited nor counted as a call, and
 * not signed: like /_custos/health it is for the operator's scraper on the listener. */
void pipeline_metrics(struct pipeline *pl, struct proto_response *resp);

#endif
