/* verify_nodes.c — several nodes' trails verified together (verify.h, "several nodes"):
 * each on its own, then the one property they share, that no store commit is recorded
 * as made by two calls. */
#include "verify.h"

#include <stdlib.h>
#include <string.h>

#include "node_id.h"
#include "trail_set.h"

#define RID_MAX 72 /* custos's requestIDs are UUIDs; a longer one is not custos's */
#define GAPS_SHOWN 5

struct seq_rec {
    uint64_t seq;
    uint32_t node;
    bool settled;
    char rid[RID_MAX];
};

struct settle {
    uint32_t node;
    char rid[RID_MAX];
};

struct audit_seqs {
    struct seq_rec *r;
    size_t n, cap;
    struct settle *s;
    size_t ns, caps;
    uint32_t node;
    bool nomem;
};

cu_rc audit_seqs_new(struct audit_seqs **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? CU_OK : CU_E_NOMEM;
}

void audit_seqs_free(struct audit_seqs *s)
{
    if (!s)
        return;
    free(s->r);
    free(s->s);
    free(s);
}

void audit_seqs_set_node(struct audit_seqs *s, uint32_t node)
{
    s->node = node;
}

static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
    size_t want = *cap ? *cap * 2 : 256;
    void *grown;

    if (n < *cap)
        return true;
    grown = realloc(*p, want * size);
    if (!grown)
        return false;
    *p = grown;
    *cap = want;
    return true;
}

void audit_seqs_note(struct audit_seqs *s, const char *line, size_t n)
{
    bool mutation = memmem(line, n, "\"commitSeq\":", 12) != NULL;
    json_error_t jerr;
    json_t *rec, *seq;
    const char *rid;

    if (!mutation && !memmem(line, n, "\"errorCode\":", 12))
        return;
    rec = json_loadb(line, n, 0, &jerr);
    rid = json_string_value(json_object_get(rec, "requestID"));
    seq = json_object_get(json_object_get(rec, "additionalEventData"), "commitSeq");
    if (!rid || strlen(rid) >= RID_MAX)
        goto out;
    if (json_object_get(rec, "errorCode")) {
        if (json_is_integer(seq)) /* not a shape custos writes: a failure commits nothing */
            goto out;
        if (!grow((void **)&s->s, &s->caps, s->ns, sizeof(*s->s))) {
            s->nomem = true;
            goto out;
        }
        s->s[s->ns].node = s->node;
        str_copy(s->s[s->ns++].rid, RID_MAX, rid);
    } else if (json_is_integer(seq) && json_integer_value(seq) > 0) {
        if (!grow((void **)&s->r, &s->cap, s->n, sizeof(*s->r))) {
            s->nomem = true;
            goto out;
        }
        s->r[s->n] = (struct seq_rec){.seq = (uint64_t)json_integer_value(seq), .node = s->node};
        str_copy(s->r[s->n++].rid, RID_MAX, rid);
    }
out:
    json_decref(rec);
}

static int by_node_rid(const void *a, const void *b)
{
    const struct settle *x = a, *y = b;

    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return strcmp(x->rid, y->rid);
}

static int by_seq(const void *a, const void *b)
{
    const struct seq_rec *x = a, *y = b;

    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return x->node < y->node ? -1 : x->node > y->node;
}

cu_rc audit_seqs_check(struct audit_seqs *s, const char *const *nodes, struct buf *report,
                       bool *ok)
{
    cu_rc rc = CU_OK;
    const struct seq_rec *last = NULL;
    uint64_t distinct = 0, gaps = 0, lo = 0, hi = 0;
    char line[600], shown[GAPS_SHOWN * 48] = "";
    size_t n_shown = 0;

    *ok = false;
    ENSURE(!s->nomem, CU_E_NOMEM);
    if (s->ns) /* qsort and bsearch take no NULL array, even of none */
        qsort(s->s, s->ns, sizeof(*s->s), by_node_rid);
    for (size_t i = 0; i < s->n; i++) {
        struct settle key = {.node = s->r[i].node};

        str_copy(key.rid, RID_MAX, s->r[i].rid);
        s->r[i].settled = s->ns && bsearch(&key, s->s, s->ns, sizeof(*s->s), by_node_rid);
    }
    if (s->n)
        qsort(s->r, s->n, sizeof(*s->r), by_seq);
    for (size_t i = 0; i < s->n; i++) {
        const struct seq_rec *r = &s->r[i];

        if (r->settled)
            continue;
        if (last && last->seq == r->seq) {
            snprintf(line, sizeof(line),
                     "FAILED: commitSeq %llu is recorded as taking effect twice: node %s "
                     "requestID %s and node %s requestID %s (one store commit is one call: a "
                     "record was copied between trails, or a node recorded a commit it did "
                     "not make)\n",
                     (unsigned long long)r->seq, nodes[last->node], last->rid, nodes[r->node],
                     r->rid);
            TRY(buf_addstr(report, line));
            goto out;
        }
        if (last && r->seq > last->seq + 1) {
            gaps += r->seq - last->seq - 1;
            if (n_shown++ < GAPS_SHOWN)
                snprintf(shown + strlen(shown), sizeof(shown) - strlen(shown), "%s%llu-%llu",
                         n_shown > 1 ? ", " : "", (unsigned long long)last->seq + 1,
                         (unsigned long long)r->seq - 1);
        }
        if (!last)
            lo = r->seq;
        hi = r->seq;
        distinct++;
        last = r;
    }
    if (!distinct)
        snprintf(line, sizeof(line), "OK: no mutation took effect in these trails\n");
    else
        snprintf(line, sizeof(line),
                 "OK: commitSeq %llu to %llu: %llu store commits recorded, each once; %llu "
                 "seqs with no record%s%s%s (commits no call made, or of trails not given)\n",
                 (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)distinct,
                 (unsigned long long)gaps, gaps ? " (" : "", shown,
                 gaps ? (n_shown > GAPS_SHOWN ? ", ...)" : ")") : "");
    TRY(buf_addstr(report, line));
    *ok = true;
out:
    return rc;
}

cu_rc audit_verify_nodes(const char *const *dirs, const char *const *public_keys, size_t n,
                         int64_t from_s, int64_t to_s, struct buf *report, bool *intact)
{
    cu_rc rc = CU_OK;
    struct audit_seqs *seqs = NULL;
    char (*names)[AUDIT_NODE_ID_MAX + 1] = calloc(n ? n : 1, sizeof(*names));
    const char **name_of = calloc(n ? n : 1, sizeof(*name_of));
    bool all = true;

    *intact = false;
    ENSURE(names && name_of, CU_E_NOMEM);
    TRY(audit_seqs_new(&seqs));
    for (size_t i = 0; i < n; i++) {
        struct audit_verify_options o = {.data_dir = dirs[i],
                                         .public_key_path = public_keys ? public_keys[i] : NULL,
                                         .from_s = from_s, .to_s = to_s, .seqs = seqs};
        bool ok = false;

        trail_set_node_name(dirs[i], names[i]);
        name_of[i] = names[i];
        for (size_t k = 0; k < i; k++)
            if (strcmp(names[k], names[i]) == 0) {
                TRY(buf_addstrs(report, "FAILED: ", dirs[k], " and ", dirs[i],
                                " are trails of one node name, ", names[i],
                                ": each node keeps its own trail\n", NULL));
                goto out;
            }
        TRY(buf_addstrs(report, "node ", names[i], " (", dirs[i], "): ", NULL));
        audit_seqs_set_node(seqs, (uint32_t)i);
        TRY(audit_verify(&o, report, &ok));
        all = all && ok;
    }
    if (!all)
        goto out;
    if (from_s || to_s) {
        TRY(buf_addstr(report, "note: the commitSeq check across nodes needs whole trails "
                               "(no --from or --to): not run\n"));
        *intact = true;
        goto out;
    }
    TRY(buf_addstr(report, "across nodes: "));
    TRY(audit_seqs_check(seqs, name_of, report, intact));
out:
    audit_seqs_free(seqs);
    free(names);
    free(name_of);
    return rc;
}
