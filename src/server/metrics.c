/* metrics.c — the call counters of GET /_custos/metrics, and the whole exposition (see
 * metrics.h).
 *
 * One tally (core/tally.h) holds, per operation of the registry, a row of counters:
 * allowed; denied, by which policy decided and how; failed, by error code; and the
 * latency histogram's buckets and sum. Two more rows take calls that reached no
 * operation custos implements, one per protocol (their error codes are named by it). A
 * call adds to four counters of its own thread's row; the scrape sums the threads and
 * writes only the series that are not 0, so 220 operations times 90 error codes cost
 * nothing in the output until they happen. */
#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "audit/sealer.h"
#include "core/err.h"
#include "core/prom.h"
#include "core/stats.h"
#include "core/tally.h"
#include "process_metrics.h"
#include "services/registry.h"

/* the kinds of policy a denial names (policy.h's enum policy_source, in its order) */
static const char *const source_names[] = {"none",    "identity", "resource", "boundary",
                                           "scp",     "session",  "rcp"};
#define N_SOURCES ARRAY_LEN(source_names)
/* denial slots: explicit then implicit for each source, then one for a denial the policy
 * engine did not decide (a handler's own AccessDenied) */
#define N_DENIALS (2 * N_SOURCES + 1)

enum {
    OFF_ALLOWED = 0,
    OFF_DENIED = 1,
    OFF_FAILED = OFF_DENIED + N_DENIALS,
    OFF_BUCKETS = OFF_FAILED + CU_E__COUNT,
    OFF_SUM = OFF_BUCKETS + PROM_BUCKETS + 1,
    ROW = OFF_SUM + 1,
};

struct metrics {
    uint64_t id;           /* unique in the process: the thread-local below is keyed by it */
    struct tally *calls;
    size_t n_ops;          /* rows n_ops and n_ops + 1: unrouted calls, Query and JSON */
    _Atomic bool *json_op; /* the operation's calls speak JSON: set once, by its first */
};

/* The calling thread's block of the metrics whose id is `id`: kept beside the tally's
 * pthread key so that a call costs no pthread_getspecific; keyed by id rather than by
 * address, since a metrics freed and another allocated at its place must not find the
 * old block. */
static _Thread_local struct {
    uint64_t id;
    struct tally_block *block;
} own;
static _Atomic uint64_t last_id;

static struct tally_block *own_block(struct metrics *m)
{
    if (own.id != m->id) {
        own.block = tally_block(m->calls);
        own.id = own.block ? m->id : 0;
    }
    return own.block;
}

_Static_assert(N_SOURCES == POLICY_SOURCE_RCP + 1, "a policy source without a name");

cu_rc metrics_new(struct metrics **out)
{
    cu_rc rc = CU_OK;
    struct metrics *m = calloc(1, sizeof(*m));

    ENSURE(m, CU_E_NOMEM);
    m->id = atomic_fetch_add(&last_id, 1) + 1;
    m->n_ops = registry_count();
    m->json_op = calloc(m->n_ops, sizeof(*m->json_op));
    ENSURE(m->json_op, CU_E_NOMEM);
    TRY(tally_new((m->n_ops + 2) * ROW, &m->calls));
    *out = m;
    m = NULL;
out:
    metrics_free(m);
    return rc;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    tally_free(m->calls);
    free(m->json_op);
    free(m);
}

void metrics_count(struct metrics *m, const struct metrics_call *c)
{
    struct tally_block *b = m ? own_block(m) : NULL;
    size_t row, slot;

    if (!b)
        return;
    row = c->desc ? registry_index(c->desc) : m->n_ops + (c->json ? 1 : 0);
    /* read before written: after its first call an operation's flag is only read, so its
     * cache line stays shared between the workers */
    if (c->desc && c->json && !atomic_load_explicit(&m->json_op[row], memory_order_relaxed))
        atomic_store_explicit(&m->json_op[row], true, memory_order_relaxed);
    if (c->code == CU_OK)
        slot = OFF_ALLOWED;
    else if (c->code == CU_E_ACCESS_DENIED && c->denial_known)
        slot = OFF_DENIED + (size_t)c->denial_source * 2 + (c->denial_explicit ? 0 : 1);
    else if (c->code == CU_E_ACCESS_DENIED)
        slot = OFF_DENIED + N_DENIALS - 1;
    else
        slot = OFF_FAILED + (size_t)c->code;
    row *= ROW;
    tally_block_add(b, row + slot, 1);
    tally_block_add(b, row + OFF_BUCKETS + prom_bucket_of(c->elapsed_ns), 1);
    tally_block_add(b, row + OFF_SUM, c->elapsed_ns);
}

/* The counters of the layers below (stats.def), each family announced at its first row. */
static cu_rc write_stats(struct buf *out)
{
    cu_rc rc = CU_OK;
    const char *family = "";
    uint64_t counts[PROM_BUCKETS + 1], sum;

    for (size_t c = 0; c < STATS__COUNTERS; c++) {
        struct prom_label label = stats_counter_label(c);

        if (strcmp(family, stats_counter_family(c)) != 0) {
            family = stats_counter_family(c);
            TRY(prom_family(out, family, "counter", stats_counter_help(c)));
        }
        TRY(prom_uint(out, family, &label, label.name[0] ? 1 : 0, stats_counter_sum(c)));
    }
    for (size_t h = 0; h < STATS__HISTOGRAMS; h++) {
        stats_histogram_sum(h, counts, &sum);
        TRY(prom_family(out, stats_histogram_family(h), "histogram", stats_histogram_help(h)));
        TRY(prom_histogram(out, stats_histogram_family(h), NULL, 0, counts, sum));
    }
out:
    return rc;
}

/* One operation's counters summed over the threads; the unrouted calls' two rows as one. */
struct op_sums {
    const char *service, *operation;
    const uint64_t *row;        /* the first (or only) row */
    const uint64_t *json_row;   /* unrouted: the JSON row, else NULL */
    bool json;                  /* a routed operation's protocol is JSON */
    uint64_t allowed, denied, failed, calls;
};

static void op_sums(const struct metrics *m, const uint64_t *all, size_t op, struct op_sums *s)
{
    const struct op_desc *d = op < m->n_ops ? registry_at(op) : NULL;

    *s = (struct op_sums){.service = d ? d->service : "unknown",
                          .operation = d ? d->name : "unknown",
                          .row = all + op * ROW,
                          .json_row = d ? NULL : all + (op + 1) * ROW,
                          .json = d && atomic_load_explicit(&m->json_op[op],
                                                            memory_order_relaxed)};
    for (int r = 0; r < (d ? 1 : 2); r++) {
        const uint64_t *row = r ? s->json_row : s->row;

        s->allowed += row[OFF_ALLOWED];
        for (size_t i = 0; i < N_DENIALS; i++)
            s->denied += row[OFF_DENIED + i];
        for (size_t i = 0; i < CU_E__COUNT; i++)
            s->failed += row[OFF_FAILED + i];
    }
    s->calls = s->allowed + s->denied + s->failed;
}

static uint64_t both(const struct op_sums *s, size_t slot)
{
    return s->row[slot] + (s->json_row ? s->json_row[slot] : 0);
}

static cu_rc write_outcomes(struct buf *out, const struct op_sums *s)
{
    cu_rc rc = CU_OK;
    static const char *const outcome[] = {"allowed", "denied", "failed"};
    const uint64_t value[] = {s->allowed, s->denied, s->failed};

    for (size_t i = 0; i < ARRAY_LEN(outcome); i++) {
        struct prom_label l[] = {
            {"service", s->service}, {"operation", s->operation}, {"outcome", outcome[i]}};

        TRY(prom_uint(out, "custos_requests_total", l, ARRAY_LEN(l), value[i]));
    }
out:
    return rc;
}

static cu_rc write_denials(struct buf *out, const struct op_sums *s)
{
    cu_rc rc = CU_OK;

    for (size_t i = 0; i < N_DENIALS; i++) {
        uint64_t n = both(s, OFF_DENIED + i);
        bool known = i < N_DENIALS - 1;
        struct prom_label l[] = {{"service", s->service},
                                 {"operation", s->operation},
                                 {"policy", known ? source_names[i / 2] : "unknown"},
                                 {"deny", !known ? "unknown" : i % 2 ? "implicit" : "explicit"}};

        if (n)
            TRY(prom_uint(out, "custos_requests_denied_total", l, ARRAY_LEN(l), n));
    }
out:
    return rc;
}

/* Failures by the error code the client saw: codes the protocol names alike (the server
 * faults all read InternalFailure) are one series. */
static cu_rc write_failures(struct buf *out, const struct op_sums *s)
{
    cu_rc rc = CU_OK;
    const char *names[2 * CU_E__COUNT];
    uint64_t counts[2 * CU_E__COUNT];
    size_t n = 0;

    for (int r = 0; r < (s->json_row ? 2 : 1); r++) {
        const uint64_t *row = r ? s->json_row : s->row;

        for (size_t c = 1; c < CU_E__COUNT; c++) {
            const char *name;
            size_t k = 0;

            if (!row[OFF_FAILED + c])
                continue;
            name = cu_code_name((cu_rc)c, s->json_row ? r == 1 : s->json);
            while (k < n && strcmp(names[k], name) != 0)
                k++;
            if (k == n) {
                names[n] = name;
                counts[n++] = 0;
            }
            counts[k] += row[OFF_FAILED + c];
        }
    }
    for (size_t k = 0; k < n; k++) {
        struct prom_label l[] = {
            {"service", s->service}, {"operation", s->operation}, {"code", names[k]}};

        TRY(prom_uint(out, "custos_requests_failed_total", l, ARRAY_LEN(l), counts[k]));
    }
out:
    return rc;
}

static cu_rc write_latency(struct buf *out, const struct op_sums *s)
{
    uint64_t counts[PROM_BUCKETS + 1];
    struct prom_label l[] = {{"service", s->service}, {"operation", s->operation}};

    for (size_t i = 0; i <= PROM_BUCKETS; i++)
        counts[i] = both(s, OFF_BUCKETS + i);
    return prom_histogram(out, "custos_request_duration_seconds", l, ARRAY_LEN(l), counts,
                          both(s, OFF_SUM));
}

/* Each family in turn over the operations that had calls. */
static cu_rc write_calls(const struct metrics *m, const uint64_t *all, struct buf *out)
{
    static const struct {
        const char *name, *type, *help;
        cu_rc (*write)(struct buf *out, const struct op_sums *s);
    } families[] = {
        {"custos_requests_total", "counter",
         "Calls answered, by service, operation and outcome (allowed, denied, failed).",
         write_outcomes},
        {"custos_requests_denied_total", "counter",
         "Calls denied (AccessDenied), by the kind of policy that decided and whether by an "
         "explicit Deny or for want of an Allow.",
         write_denials},
        {"custos_requests_failed_total", "counter",
         "Calls that failed other than by a denial, by the error code answered.",
         write_failures},
        {"custos_request_duration_seconds", "histogram",
         "Time from a call's parsed request to its answer, audit record included.",
         write_latency},
    };
    cu_rc rc = CU_OK;
    struct op_sums s;

    for (size_t f = 0; f < ARRAY_LEN(families); f++) {
        TRY(prom_family(out, families[f].name, families[f].type, families[f].help));
        for (size_t op = 0; op <= m->n_ops; op++) {
            op_sums(m, all, op, &s);
            if (s.calls)
                TRY(families[f].write(out, &s));
        }
    }
out:
    return rc;
}

cu_rc metrics_write(struct metrics *m, struct buf *out)
{
    cu_rc rc = CU_OK;
    uint64_t *all = NULL;

    TRY(process_metrics_write(out));
    TRY(write_stats(out));
    all = malloc(tally_size(m->calls) * sizeof(*all));
    ENSURE(all, CU_E_NOMEM);
    tally_sum_all(m->calls, all);
    TRY(write_calls(m, all, out));
out:
    free(all);
    return rc;
}

cu_rc metrics_write_trail(struct audit_sealer *sealer, struct buf *out)
{
    cu_rc rc = CU_OK;
    struct audit_trail_status t;

    audit_sealer_status(sealer, &t);
    TRY(prom_family(out, "custos_audit_seal_failing", "gauge",
                    "1 while the last rotation or seal of the audit trail failed, else 0."));
    TRY(prom_uint(out, "custos_audit_seal_failing", NULL, 0, t.seal_failed ? 1 : 0));
    if (!t.disk_known)
        return CU_OK; /* statvfs did not answer: no made-up figure */
    TRY(prom_family(out, "custos_audit_disk_free_bytes", "gauge",
                    "Bytes custos may still use on the audit trail's filesystem (sampled each second)."));
    TRY(prom_uint(out, "custos_audit_disk_free_bytes", NULL, 0, t.disk_free));
    TRY(prom_family(out, "custos_audit_disk_size_bytes", "gauge",
                    "Size of the audit trail's filesystem in bytes."));
    TRY(prom_uint(out, "custos_audit_disk_size_bytes", NULL, 0, t.disk_size));
    TRY(prom_family(out, "custos_audit_disk_warn_bytes", "gauge",
                    "Free bytes below which health warns (--audit-disk-warn-bytes)."));
    TRY(prom_uint(out, "custos_audit_disk_warn_bytes", NULL, 0, t.disk_warn_bytes));
out:
    return rc;
}
