/* pipeline.c — the request pipeline as one readable function (DESIGN.md):
 *
 *   route (proto/route.c) -> authenticate (auth/sigv4_*.c, auth/principal.c)
 *   -> decode + validate (proto/query_decode.c, json_decode.c, validate.c) -> resolve the resource
 *   (services/<svc>) -> authorize (server/authorize.c -> policy/), and a declared second
 *   authorization on the also-resolver's resource -> handler inside one
 *   store transaction -> conclude: encode, record (audit/), and for a mutation the record's
 *   sync before the commit (write-ahead), in the order audit.h states.
 *
 * Invariants: every request gets exactly one response; every answered call has its audit
 * record, and no mutation is committed without it (conclude() is the one place that orders
 * record, commit and answer); a request whose record cannot be written fails (fail
 * closed); requests that fail before authentication are recorded one by one only within
 * their source's token bucket (unauth_limit.c), beyond it throttled and counted; the
 * caller's secret access key is wiped as soon as the signature is checked. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/sealer.h"
#include "auth/identity_cache.h"
#include "auth/key_usage.h"
#include "auth/kms_key_usage.h"
#include "auth/principal.h"
#include "auth/sigv4.h"
#include "authorize.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/regions.h"
#include "core/secret.h"
#include "core/stats.h"
#include "core/tree_write.h"
#include "metrics.h"
#include "pipeline.h"
#include "services/kms/kms.h"
#include "services/kms/kms_key.h"
#include "services/registry.h"
#include "unauth_limit.h"

/* Clock skew AWS accepts per service (AWS-NOTES §6, measured: 15 minutes for IAM and STS,
 * 5 minutes for KMS; Secrets Manager and CloudTrail, unmeasured, takes the 5 minutes of SigV4's rule). */
struct skew_rule {
    const char *service;
    int seconds;
};
static const struct skew_rule skew_rules[] = {{"iam", 900}, {"sts", 900}, {"kms", 300},
                                             {"secretsmanager", 300}, {"cloudtrail", 300}, {"ssm", 300}};

static int skew_for(const char *service)
{
    for (size_t i = 0; i < ARRAY_LEN(skew_rules); i++)
        if (strcmp(skew_rules[i].service, service) == 0)
            return skew_rules[i].seconds;
    return 300;
}

/* Everything one request accumulates on its way through. */
struct request {
    const struct http_req *http;
    char id[IDS_UUID_LEN + 1];
    int64_t now_ms;
    enum model_protocol protocol;
    struct sigv4_auth auth;
    bool signed_request;
    struct proto_route route;
    const struct op_desc *desc;
    struct principal principal;
    bool authenticated;
    bool unauthenticated_op; /* the descriptor's `unauthenticated`: no signature checked */
    json_t *input, *output;
    struct call call;
    struct cu_err err;
    struct authz_denial denial; /* which policy decided an AccessDenied, for metrics */
    uint64_t start_ns;          /* CLOCK_MONOTONIC when the pipeline took the request */
    char key_use_event[IDS_UUID_LEN + 1]; /* a KMS key's use to note: its record's eventID */
    bool on_behalf_written;     /* the records of call.on_behalf are in the trail */
};

static const char internal_message[] = "We encountered an internal error. Please try again.";

/* The protocol a request speaks, before routing: JSON services name a target. */
static enum model_protocol guess_protocol(const struct http_req *http)
{
    return http_req_header(http, "X-Amz-Target") ? MODEL_JSON : MODEL_QUERY;
}

static cu_rc check_headers(struct pipeline *pl, const struct http_req *http, struct cu_err *err)
{
    size_t total = 0;

    for (size_t i = 0; i < http->n_headers; i++)
        total += strlen(http->headers[i].name) + strlen(http->headers[i].value) + 4;
    if (total > pl->max_header_bytes)
        return cu_err_set(err, CU_E_HEADER_TOO_LARGE,
                          "Request headers of %zu bytes exceed the limit of %zu bytes.", total,
                          pl->max_header_bytes);
    return CU_OK;
}

/* The region a signed request's credential scope names selects the region of the call
 * (DESIGN.md "Regions and accounts"). A name that is no region of the partition is
 * refused as AWS refuses a scope that does not fit the endpoint (the scope check, given
 * the default region to compare with); a region of the partition this node does not
 * serve is answered as AWS answers a call to a Region the account has not enabled:
 * UnrecognizedClientException (JSON services) / InvalidClientTokenId (Query), "The
 * security token included in the request is invalid" (seen on opt-in Regions, e.g.
 * awslabs/landing-zone-accelerator-on-aws#269 for ap-southeast-4). */
static cu_rc scope_region(struct pipeline *pl, struct request *r, const char **region)
{
    *region = pl->env.region;
    if (regions_index(r->auth.region) < 0)
        return CU_OK;
    /* a pipeline without a region set (unit tests) serves its default region alone */
    if (pl->env.regions ? !region_set_has(pl->env.regions, r->auth.region)
                        : strcmp(r->auth.region, pl->env.region) != 0)
        return cu_err_set(&r->err, CU_E_UNKNOWN_ACCESS_KEY,
                          "The security token included in the request is invalid.");
    *region = r->auth.region;
    return CU_OK;
}

static cu_rc authenticate(struct pipeline *pl, struct request *r)
{
    cu_rc rc = CU_OK;
    uint8_t secret_key[PRINCIPAL_SECRET_MAX];
    size_t secret_len = 0;
    const char *region = NULL;

    TRY(scope_region(pl, r, &region));
    TRY(sigv4_check_scope(&r->auth, region, r->route.svc->signing_name,
                          r->now_ms / 1000, skew_for(r->route.svc->id), &r->err));
    TRY(principal_resolve(pl->principals, pl->env.store, pl->env.master_key,
                          r->auth.access_key_id, r->auth.session_token, r->now_ms / 1000,
                          &r->principal, secret_key, &secret_len, &r->err));
    TRY(sigv4_verify(r->http, &r->auth, bytes_of(secret_key, secret_len), &r->err));
    /* GetSessionToken's credentials cannot call IAM without MFA (STS API reference,
     * GetSessionToken: "You cannot call any IAM API operations unless MFA authentication
     * information is included in the request"), a federated user's never
     * (GetFederationToken: "You cannot use these credentials to call any IAM API
     * operations"); IAM answers as for a bad token. Role sessions call IAM as their
     * policies allow. */
    ENSURE(!(r->principal.session_issued_s && r->principal.type != PRINCIPAL_ROLE_SESSION &&
             (!r->principal.mfa || r->principal.type == PRINCIPAL_FEDERATED) &&
             strcmp(r->route.svc->id, "iam") == 0),
           cu_err_set(&r->err, CU_E_UNKNOWN_ACCESS_KEY,
                      "The security token included in the request is invalid."));
    r->authenticated = true;
    /* GetAccessKeyLastUsed: a hash probe and a compare, the store written off this path */
    key_usage_note(pl->key_usage, r->auth.access_key_id, r->route.svc->signing_name,
                   r->auth.region, r->now_ms);
out:
    secret_wipe(secret_key, sizeof(secret_key));
    return rc;
}

/* The region of the call: its credential scope's once the signature is verified (the
 * scope was checked against the served regions), else the default region. */
static const char *request_region(const struct pipeline *pl, const struct request *r)
{
    return r->authenticated && r->signed_request ? r->auth.region : pl->env.region;
}

/* Forget call->also (what an also-resolver filled). */
static void also_release(struct call *call)
{
    if (call->also.unpin)
        call->also.unpin(call->also.pin);
    json_decref(call->also.doc);
    /* member by member: the ARN buffer is rewritten by the next resolver, not cleared */
    call->also.unpin = NULL;
    call->also.pin = NULL;
    call->also.doc = NULL;
    call->also.resource = NULL;
    call->also.parsed = NULL;
    call->also.resource_policy = NULL;
    call->also.grant_action = NULL;
}

/* The authorizations the descriptor declares: its action on call->target; if it asks
 * (by-policy), whether policies alone allow that action; if it declares a second one
 * (also=), its also-resolver's resource and action. */
static cu_rc authorize_call(struct pipeline *pl, const struct op_desc *d, struct call *call,
                            const json_t *in, struct authz *az)
{
    cu_rc rc = CU_OK;

    TRY(authz_begin(pl->identities, call, az));
    TRY(authorize(az, call, d->action, &call->target, &call->err));
    if (d->by_policy)
        call->allowed_by_policy = authorize_by_policy(az, call, d->action, &call->target);
    if (d->also_resolve) {
        TRY(d->also_resolve(call, in));
        if (!call->also.not_needed)
            TRY(authorize(az, call, d->also_action, &call->also, &call->err));
    }
    if (d->also_next_resolve) {
        also_release(call);
        call->also.not_needed = false;
        TRY(d->also_next_resolve(call, in));
        if (!call->also.not_needed)
            TRY(authorize(az, call, d->also_next_action, &call->also, &call->err));
    }
out:
    return rc;
}

/* Resolve, authorize and run the handler inside one transaction. A read-only call's
 * transaction ends here; a mutation whose handler succeeded leaves its transaction open in
 * call.tx for conclude() to commit after the record is written. */
static cu_rc execute_once(struct pipeline *pl, struct request *r)
{
    cu_rc rc = CU_OK;
    struct call *call = &r->call;
    const struct op_desc *d = r->desc;
    struct call_keys keys;
    struct authz az; /* large: authz_begin fills what it uses */

    az.pin = NULL;
    az.denial.known = false;
    call->env = &pl->env;
    call->principal = &r->principal;
    call->region = request_region(pl, r);
    call->caller = d->unauthenticated ? &r->principal : NULL;
    call->action = d->action;
    call->request_id = r->id;
    call->now_ms = r->now_ms;
    call->source_ip = r->http->source_ip;
    call->user_agent = http_req_header(r->http, "User-Agent");
    call->secure_transport = r->http->tls;
    call->mfa_auth_s = 0;
    str_copy(call->target.arn, sizeof(call->target.arn), "*");
    str_copy(call->target.account_id, sizeof(call->target.account_id), pl->env.account_id);
    r->output = json_object();
    ENSURE(r->output, CU_E_NOMEM);
    if (!call->on_behalf)
        call->on_behalf = json_array();
    ENSURE(call->on_behalf, CU_E_NOMEM);
    keys.n = keys.n_values = 0;
    call->keys = &keys;
    if (d->condition_keys)
        d->condition_keys(r->input, &keys);
    TRY(store_tx_begin(pl->env.store, !d->read_only, &call->tx));
    if (d->resolve)
        TRY(d->resolve(call, r->input));
    if (!d->always_allowed && !d->unauthenticated)
        TRY(authorize_call(pl, d, call, r->input, &az));
    TRY(d->handler(call, r->input, r->output));
    if (d->read_only) {
        rc = store_tx_commit(call->tx);
        call->tx = NULL;
    }
out:
    if (rc != CU_OK) {
        store_tx_rollback(call->tx);
        call->tx = NULL;
    }
    if (rc == CU_E_ACCESS_DENIED && az.denial.known)
        r->denial = az.denial;
    authz_end(&az, call);
    /* the second resource serves authorization and the handler only (the trail names the
     * first), so it is released here rather than with the request */
    also_release(call);
    call->keys = NULL;
    if (rc != CU_OK && call->err.code != CU_OK)
        r->err = call->err;
    return rc;
}

/* Forget what a call's attempt resolved and answered, for the next attempt. */
static void attempt_reset(struct request *r)
{
    struct call *call = &r->call;

    if (call->target.unpin)
        call->target.unpin(call->target.pin);
    json_decref(call->target.doc);
    memset(&call->target, 0, sizeof(call->target));
    json_decref(r->output);
    r->output = NULL;
    json_array_clear(call->on_behalf); /* a lost attempt's KMS calls are not recorded */
    call->allowed_by_policy = false;
    call->authz = NULL;
    memset(&call->err, 0, sizeof(call->err));
    memset(&r->err, 0, sizeof(r->err));
    r->denial.known = false;
}

/* A call whose compare-and-set lost (store.h: another writer changed a record it read)
 * is run again from its resolver, in a fresh transaction, up to EXECUTE_ATTEMPTS times;
 * nothing of a lost attempt is committed or recorded, so the call still leaves one
 * record. Past that it answers as IAM does (IAM API reference,
 * ConcurrentModificationException). */
#define EXECUTE_ATTEMPTS 5

static cu_rc execute(struct pipeline *pl, struct request *r)
{
    cu_rc rc = CU_OK;
    bool synced = false;

    for (int attempt = 1;; attempt++) {
        uint64_t began = store_last_seq(pl->env.store);

        rc = execute_once(pl, r);
        /* read-after-write across nodes: a denial may come from caches a commit of another
         * node has not reached yet (a grant or policy just added there); once this node
         * has read the store's change log up to now, the call runs once more */
        if (rc == CU_E_ACCESS_DENIED && !synced && store_sync(pl->env.store, began)) {
            synced = true;
            attempt_reset(r);
            continue;
        }
        if (rc != CU_E_STORE_CONFLICT)
            return rc;
        stats_add(STATS_STORE_CONFLICT, 1);
        if (attempt == EXECUTE_ATTEMPTS)
            break;
        stats_add(STATS_STORE_RETRY, 1);
        attempt_reset(r);
    }
    stats_add(STATS_STORE_RETRIES_EXHAUSTED, 1);
    log_warn("request %s: still conflicting after %d attempts", r->id, EXECUTE_ATTEMPTS);
    return cu_err_set(&r->err, CU_E_CONCURRENT_MODIFICATION,
                      "The request was rejected because multiple requests to change this "
                      "object were submitted simultaneously. Wait a few minutes and submit "
                      "your request again.");
}

/* Make sure err names the failure, hiding internal causes from the client. */
static void settle_error(struct request *r, cu_rc rc)
{
    if (r->err.code == CU_OK)
        cu_err_set(&r->err, rc, "%s", "");
    if (cu_code_is_server_fault(r->err.code)) {
        log_error("request %s: internal failure %s", r->id, cu_code_ident(r->err.code));
        cu_err_set(&r->err, r->err.code == CU_E_UNAVAILABLE ? CU_E_UNAVAILABLE : CU_E_INTERNAL,
                   "%s", internal_message);
    }
}

static void respond(struct request *r, cu_rc rc, struct proto_response *resp)
{
    if (rc == CU_OK) {
        bool sensitive = r->desc && r->desc->secret_fields;
        rc = proto_encode_output(&r->route, r->output, r->id, sensitive, resp);
        if (rc == CU_OK)
            return;
        proto_response_release(resp);
    }
    settle_error(r, rc);
    if (proto_encode_error(r->protocol, r->route.svc, &r->err, r->id, resp) != CU_OK)
        resp->status = 500;
}

/* The records of the calls a service made on the caller's behalf (call.h, on_behalf:
 * Secrets Manager's KMS calls), as CloudTrail shows them: the caller's identity with
 * invokedBy the service, the service's host as source and user agent, a request id of
 * their own, read-only. Written before the call's own record, in the same group, so the
 * sync that makes the call's record durable (before a mutation commits) covers them. */
static cu_rc write_on_behalf(struct pipeline *pl, struct request *r, uint64_t *seq)
{
    cu_rc rc = CU_OK;
    const char *via = r->route.svc ? r->route.svc->id : "unknown";
    char host[64], request_id[IDS_UUID_LEN + 1];
    struct buf record;
    size_t i;
    json_t *e;

    buf_init(&record, BUF_NO_LIMIT);
    snprintf(host, sizeof(host), "%s.amazonaws.com", via);
    json_array_foreach(r->call.on_behalf, i, e)
    {
        struct audit_event ev = {0};

        TRY(ids_uuid(request_id));
        ev.request_id = request_id;
        ev.time_ms = r->now_ms;
        ev.service = json_string_value(json_object_get(e, "Service"));
        ev.event_name = json_string_value(json_object_get(e, "EventName"));
        ev.region = json_string_value(json_object_get(e, "Region"));
        ev.source_ip = host;
        ev.user_agent = host;
        ev.principal = &r->principal;
        ev.access_key_id = r->auth.access_key_id;
        ev.request = json_object_get(e, "Request");
        ev.read_only = true;
        ev.error_code = json_string_value(json_object_get(e, "ErrorCode"));
        ev.error_message = json_string_value(json_object_get(e, "ErrorMessage"));
        ev.resource_arn = json_string_value(json_object_get(e, "ResourceArn"));
        ev.account_id = pl->env.account_id;
        ev.invoked_by = host;
        buf_reset(&record);
        TRY(audit_record_build(&ev, &record));
        TRY(audit_writer_write(pl->audit, record.p, record.n, false, seq));
    }
    r->on_behalf_written = true;
out:
    buf_release(&record);
    return rc;
}

/* Build the call's record from what the request holds now and write it to the trail (not
 * yet synced: a caller that needs it durable then waits with audit_writer_wait).
 * commit_seq: the seq a mutation's transaction will commit as (0: none), which
 * audit_reconcile() compares with the store's after a crash. */
static cu_rc write_record(struct pipeline *pl, struct request *r, uint64_t commit_seq,
                          uint64_t *seq)
{
    cu_rc rc = CU_OK;
    struct audit_event ev = {0};
    struct buf record;
    bool failed = r->err.code != CU_OK;
    bool json = r->protocol != MODEL_QUERY;

    buf_init(&record, BUF_NO_LIMIT);
    ev.request_id = r->id;
    ev.time_ms = r->now_ms;
    ev.service = r->route.svc ? r->route.svc->id : NULL;
    ev.event_name = r->route.op ? r->route.op->name : NULL;
    ev.region = request_region(pl, r);
    ev.source_ip = r->http->source_ip;
    ev.user_agent = http_req_header(r->http, "User-Agent");
    ev.principal = r->authenticated || r->call.caller_identified ? &r->principal : NULL;
    ev.access_key_id = r->signed_request && !r->unauthenticated_op ? r->auth.access_key_id : NULL;
    ev.request = r->authenticated || r->unauthenticated_op ? r->input : NULL;
    ev.secret_fields = r->desc ? r->desc->secret_fields : NULL;
    ev.read_only = r->desc ? r->desc->read_only || r->desc->read_event : true;
    ev.response = !failed && !ev.read_only ? r->output : NULL;
    ev.error_code = failed ? cu_code_name(r->err.code, json) : NULL;
    ev.error_message = failed ? r->err.msg : NULL;
    ev.resource_arn = r->call.target.arn[0] ? r->call.target.arn : NULL;
    ev.account_id = pl->env.account_id;
    ev.commit_seq = failed ? 0 : commit_seq;
    ev.event_id = r->key_use_event[0] ? r->key_use_event : NULL;
    ev.tls_version = r->http->tls_version;
    ev.tls_cipher = r->http->tls_cipher;
    ev.host = http_req_header(r->http, "Host");
    if (!r->on_behalf_written && json_array_size(r->call.on_behalf))
        TRY(write_on_behalf(pl, r, seq));
    /* 2 KiB holds most records: one allocation instead of a doubling series */
    TRY(buf_reserve(&record, 2048));
    TRY(audit_record_build(&ev, &record));
    TRY(audit_writer_write(pl->audit, record.p, record.n, false, seq));
out:
    buf_release(&record);
    return rc;
}

/* Replace whatever answer was ready with 500 InternalFailure, and tell the operator why. */
static void answer_internal(struct request *r, struct proto_response *resp, const char *why)
{
    log_error("request %s: %s", r->id, why);
    proto_response_release(resp);
    cu_err_set(&r->err, CU_E_INTERNAL, "%s", internal_message);
    if (proto_encode_error(r->protocol, r->route.svc, &r->err, r->id, resp) != CU_OK)
        resp->status = 500;
}

/* A mutation whose record was written did not commit: answer 500, and follow the record
 * with a second one of the same requestID that says so (synced before the answer). */
static void answer_not_taken(struct pipeline *pl, struct request *r, struct proto_response *resp,
                             const char *why)
{
    uint64_t seq = 0;

    answer_internal(r, resp, why);
    if (write_record(pl, r, 0, &seq) != CU_OK || audit_writer_wait(pl->audit, seq) != CU_OK)
        log_error("request %s: cannot record that it did not take effect: the trail shows "
                  "an attempt that did not take effect as done", r->id);
}

/* A mutation whose handler succeeded, write-ahead: its record, the sync that makes the
 * record durable, then the commit (audit.h). The transaction holds the store's write lock
 * throughout, which is what makes its commit seq known here. */
static void commit_mutation(struct pipeline *pl, struct request *r, struct store_tx *tx,
                            struct proto_response *resp)
{
    uint64_t seq = 0;

    if (write_record(pl, r, store_tx_commit_seq(tx), &seq) != CU_OK) {
        store_tx_rollback(tx);
        answer_internal(r, resp, "its audit record cannot be written; nothing was committed");
        return;
    }
    if (audit_writer_wait(pl->audit, seq) != CU_OK) {
        store_tx_rollback(tx);
        answer_not_taken(pl, r, resp, "its audit record may not be on disk (fdatasync "
                                      "failed); nothing was committed");
        return;
    }
    if (pl->test_exit_before_commit && (strcmp(pl->test_exit_before_commit, "*") == 0 ||
                                        strcmp(pl->test_exit_before_commit, r->route.op->name) == 0))
        _exit(PIPELINE_TEST_EXIT);
    if (store_tx_commit(tx) != CU_OK)
        answer_not_taken(pl, r, resp, "the commit failed after its record was written");
}

/* The one place that orders a call's effects once its handler has run (or it failed
 * earlier): audit.h, "The order of a call's effects", states the order and what a crash
 * at each step leaves. r->call.tx is open only for a mutation whose handler succeeded. */
/* GetKeyLastUsage: a successful cryptographic call on a KMS key (all are read-only) gets
 * an eventID chosen before its record is written, so the note can name the record. */
static void key_use_prepare(struct request *r)
{
    if (r->err.code == CU_OK && r->route.svc && strcmp(r->route.svc->id, "kms") == 0 &&
        r->route.op && kms_operation_uses_key(r->route.op->name) && r->call.target.arn[0] &&
        ids_uuid(r->key_use_event) != CU_OK)
        r->key_use_event[0] = '\0';
}

/* Note the use in memory (a hash probe, auth/kms_key_usage.h): the store is written by
 * the flusher, off this path. */
static void key_use_note(struct pipeline *pl, const struct request *r)
{
    if (!r->key_use_event[0] || r->err.code != CU_OK)
        return;
    kms_key_usage_note(pl->kms_key_usage,
                       &(struct kms_key_use){.key_arn = r->call.target.arn,
                                             .op = r->route.op->name,
                                             .request_id = r->id,
                                             .event_id = r->key_use_event,
                                             .now_ms = r->now_ms});
}

static void conclude(struct pipeline *pl, struct request *r, cu_rc rc, struct proto_response *resp)
{
    struct store_tx *tx = r->call.tx;
    bool durable = r->desc && !r->desc->read_only;
    uint64_t seq = 0;

    r->call.tx = NULL;
    respond(r, rc, resp); /* everything that can fail before the commit fails here */
    if (r->err.code != CU_OK) {
        store_tx_rollback(tx);
        tx = NULL;
    }
    if (tx) {
        commit_mutation(pl, r, tx, resp);
        return;
    }
    /* a read-only call, or a call that failed: nothing to commit */
    key_use_prepare(r);
    if (write_record(pl, r, 0, &seq) != CU_OK) {
        answer_internal(r, resp, "its audit record cannot be written");
        return;
    }
    key_use_note(pl, r);
    if (durable && audit_writer_wait(pl->audit, seq) != CU_OK)
        answer_internal(r, resp, "its audit record may not be on disk: fdatasync failed");
}

/* Write the aggregate record of one source's throttled unauthenticated requests. */
static void record_suppressed(struct pipeline *pl, const struct unauth_count *c)
{
    struct audit_suppressed s = {.source_ip = c->source,
                                 .count = c->count,
                                 .window_start_ms = c->start_ms,
                                 .window_end_ms = c->end_ms,
                                 .region = pl->env.region,
                                 .account_id = pl->env.account_id};
    struct buf record;

    buf_init(&record, BUF_NO_LIMIT);
    if (audit_record_build_suppressed(&s, &record) != CU_OK ||
        audit_writer_append(pl->audit, record.p, record.n, false) != CU_OK)
        log_error("audit: cannot record %llu throttled unauthenticated requests from %s",
                  (unsigned long long)c->count, c->source);
    buf_release(&record);
}

void pipeline_flush_suppressed(struct pipeline *pl, int64_t now_ms)
{
    struct unauth_count counts[32];
    size_t n;

    if (!pl->unauth)
        return;
    do {
        n = unauth_limit_collect(pl->unauth, now_ms, counts, ARRAY_LEN(counts));
        for (size_t i = 0; i < n; i++)
            record_suppressed(pl, &counts[i]);
    } while (n == ARRAY_LEN(counts));
}

/* A request that failed before authentication: answered and recorded as usual while its
 * source has tokens, else answered with AWS's throttling error and only counted. */
static bool admitted(struct pipeline *pl, struct request *r)
{
    struct unauth_count evicted;
    bool ok;

    if (!pl->unauth)
        return true;
    ok = unauth_limit_take(pl->unauth, r->http->source_ip, r->now_ms, &evicted);
    if (evicted.count)
        record_suppressed(pl, &evicted);
    return ok;
}

/* Conclude a request that has not been authenticated (and so changed nothing). */
static void conclude_unauthenticated(struct pipeline *pl, struct request *r, cu_rc rc,
                                     struct proto_response *resp)
{
    if (admitted(pl, r)) {
        conclude(pl, r, rc, resp);
        return;
    }
    cu_err_set(&r->err, CU_E_THROTTLING, "Rate exceeded");
    respond(r, CU_E_THROTTLING, resp);
}

/* Count the call as it was answered (r->err: what the client was told). */
static void count_call(struct pipeline *pl, const struct request *r)
{
    struct metrics_call c = {.desc = r->desc,
                             .json = r->protocol != MODEL_QUERY,
                             .code = r->err.code,
                             .denial_known = r->denial.known,
                             .denial_explicit = r->denial.explicit_deny,
                             .denial_source = r->denial.source,
                             .elapsed_ns = stats_now_ns() - r->start_ns};

    metrics_count(pl->metrics, &c);
}

static void request_release(struct request *r)
{
    if (r->call.target.unpin)
        r->call.target.unpin(r->call.target.pin);
    json_decref(r->call.target.doc);
    json_decref(r->call.on_behalf);
    json_decref(r->input);
    json_decref(r->output);
    proto_route_release(&r->route);
}

static void request_init(struct request *r, const struct http_req *http)
{
    /* all but the principal zeroed; the principal emptied member by member: its session
     * members are two thirds of the request (a whole memset was 18 KB per request) */
    memset(r, 0, offsetof(struct request, principal));
    memset((char *)r + offsetof(struct request, principal) + sizeof(r->principal), 0,
           sizeof(*r) - offsetof(struct request, principal) - sizeof(r->principal));
    principal_clear(&r->principal);
    r->http = http;
    r->start_ns = stats_now_ns();
    r->now_ms = clock_now_ms();
    r->protocol = guess_protocol(http);
    if (ids_uuid(r->id) != CU_OK)
        snprintf(r->id, sizeof(r->id), "00000000-0000-4000-8000-000000000000");
}

void pipeline_handle(struct pipeline *pl, const struct http_req *http, struct proto_response *resp)
{
    cu_rc rc = CU_OK, auth_rc;
    struct request r;
    struct cu_err auth_err = {0};

    request_init(&r, http);
    memset(resp, 0, sizeof(*resp));
    TRY(check_headers(pl, http, &r.err));
    auth_rc = sigv4_parse(http, &r.auth, &auth_err);
    r.signed_request = auth_rc == CU_OK;
    TRY(proto_route(http, r.signed_request ? r.auth.service : NULL, &r.route, &r.err));
    r.protocol = r.route.svc->protocol;
    r.desc = registry_find(r.route.svc->id, r.route.op->name);
    /* AssumeRoleWithWebIdentity and AssumeRoleWithSAML are sent unsigned (their model's
     * auth is none): the token in the request authenticates, and the handler checks it */
    r.unauthenticated_op = r.desc && r.desc->unauthenticated;
    if (!r.unauthenticated_op) {
        if (auth_rc != CU_OK) {
            r.err = auth_err;
            rc = auth_rc;
            goto out;
        }
        TRY(authenticate(pl, &r));
        ENSURE(r.desc, cu_err_set(&r.err, CU_E_INVALID_ACTION,
                                  "The action %s is not implemented by custos.",
                                  r.route.op->name));
        /* IAM's access advisor counts every authenticated attempt, allowed or not */
        key_usage_note_action(pl->key_usage, &r.principal, r.desc->action, r.auth.region,
                              r.now_ms);
    }
    r.route.secret_fields = r.desc->secret_fields;
    TRY(proto_decode(http, &r.route, &r.input, &r.err));
    TRY(execute(pl, &r));
out:
    /* an unauthenticated operation's failures are throttled like failed signatures: a flood
     * of bad tokens is counted, not recorded one by one */
    if (r.authenticated || (r.unauthenticated_op && rc == CU_OK))
        conclude(pl, &r, rc, resp);
    else
        conclude_unauthenticated(pl, &r, rc, resp);
    if (pl->unauth && unauth_limit_due(pl->unauth, r.now_ms))
        pipeline_flush_suppressed(pl, r.now_ms);
    str_copy(resp->request_id, sizeof(resp->request_id), r.id);
    count_call(pl, &r);
    request_release(&r);
}

void pipeline_refuse(struct pipeline *pl, const struct http_req *http, cu_rc code,
                     const char *message, struct proto_response *resp)
{
    struct request r;

    request_init(&r, http);
    memset(resp, 0, sizeof(*resp));
    cu_err_set(&r.err, code, "%s", message);
    conclude_unauthenticated(pl, &r, code, resp);
    str_copy(resp->request_id, sizeof(resp->request_id), r.id);
    count_call(pl, &r);
    request_release(&r);
}

/* The health body's warnings: the trail still takes records, but a seal failed (the
 * trail's tamper evidence lags) or its disk is nearly full; the store answers, but this
 * node has not read its change log for too long (store.h, "Several nodes"). */
static cu_rc health_warnings(const struct audit_trail_status *t, bool stale, struct buf *out,
                             bool *any)
{
    cu_rc rc = CU_OK;
    char text[400];

    *any = t->seal_failed || t->disk_low || stale;
    if (!*any)
        return CU_OK;
    TRY(buf_addstr(out, ",\"warnings\":["));
    if (t->seal_failed) {
        snprintf(text, sizeof(text), "audit trail seal failed: %s; tried again at the next one",
                 t->seal_error);
        TRY(tree_write_string(out, text, strlen(text)));
    }
    if (t->disk_low) {
        snprintf(text, sizeof(text),
                 "audit trail disk nearly full: %llu bytes free, below --audit-disk-warn-bytes "
                 "%llu; mutations fail once a record cannot be written",
                 (unsigned long long)t->disk_free, (unsigned long long)t->disk_warn_bytes);
        if (t->seal_failed)
            TRY(buf_addch(out, ','));
        TRY(tree_write_string(out, text, strlen(text)));
    }
    if (stale) {
        snprintf(text, sizeof(text),
                 "store change log not read for over %d ms: no cache answers, every call "
                 "reaches the store", STORE_STALE_MS);
        if (t->seal_failed || t->disk_low)
            TRY(buf_addch(out, ','));
        TRY(tree_write_string(out, text, strlen(text)));
    }
    TRY(buf_addch(out, ']'));
out:
    return rc;
}

/* 200 {"status":"ok"|"degraded"[,"warnings":[..]],"store":{"backend":..,"state":"ok"|
 * "stale"},"cache_loads":{..}} while the trail takes records and the store answers; 503
 * {"status":"unavailable","reason":..} while either cannot (calls fail then). */
void pipeline_health(struct pipeline *pl, struct proto_response *resp)
{
    char reason[200];
    cu_rc rc = CU_OK;
    struct audit_trail_status trail = {0};
    struct buf warnings;
    bool warned = false, stale = store_stale(pl->env.store);

    memset(resp, 0, sizeof(*resp));
    buf_init(&resp->body, BUF_NO_LIMIT);
    buf_init(&warnings, BUF_NO_LIMIT);
    resp->content_type = "application/json";
    if (pl->sealer)
        audit_sealer_status(pl->sealer, &trail);
    if (audit_writer_healthy(pl->audit, reason, sizeof(reason)) &&
        store_healthy(pl->env.store, reason, sizeof(reason))) {
        resp->status = 200;
        TRY(health_warnings(&trail, stale, &warnings, &warned));
        /* how many cache entries were loaded from the store: lets an operator (and the
         * e2e tests) see that a write reloads only the entries whose records changed */
        TRY(buf_addf(&resp->body,
                       "{\"status\":\"%s\"%s,\"store\":{\"backend\":\"%s\",\"state\":\"%s\"},"
                       "\"cache_loads\":{\"principal\":%llu,\"identity\":%llu,"
                       "\"kms_key\":%llu}}",
                       warned ? "degraded" : "ok", warnings.p ? warnings.p : "",
                       store_backend(pl->env.store), stale ? "stale" : "ok",
                       (unsigned long long)principal_cache_loads(pl->principals),
                       (unsigned long long)identity_cache_loads(pl->identities),
                       (unsigned long long)kms_key_cache_loads()));
    } else {
        resp->status = 503;
        TRY(buf_addstr(&resp->body, "{\"status\":\"unavailable\",\"reason\":"));
        TRY(tree_write_string(&resp->body, reason, strlen(reason)));
        TRY(buf_addch(&resp->body, '}'));
    }
out:
    buf_release(&warnings);
    if (rc != CU_OK)
        resp->status = 500;
}

void pipeline_metrics(struct pipeline *pl, struct proto_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    buf_init(&resp->body, BUF_NO_LIMIT);
    resp->status = 200;
    resp->content_type = METRICS_CONTENT_TYPE;
    if (!pl->metrics || metrics_write(pl->metrics, &resp->body) != CU_OK ||
        (pl->sealer && metrics_write_trail(pl->sealer, &resp->body) != CU_OK)) {
        buf_reset(&resp->body);
        resp->status = 500;
    }
}
