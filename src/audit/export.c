/* export.c — `custos audit export` (verify.h): the records between two times, for a SIEM,
 * of one node's trail or of several nodes' (audit.h, "Several nodes"), as one stream.
 *
 * Each trail is read a record at a time (trail_reader.h), so memory is a window per trail
 * whatever the trails' size, and the trails are merged as they are read: a k-way merge
 * whose every step writes, of the trails' next records in the window, the one
 * trail_set_pick takes oldest first (the earliest eventTime, a tie to the node whose name
 * sorts first: LookupEvents' rule, read the other way). A trail is in its node's write
 * order, which is eventTime's order but for the steps back a record written late makes (a
 * call's eventTime is its arrival, and its record is written when it ends). Such a record
 * is not moved: it comes out after its node's earlier-written records, at its place in its
 * chain, and may so follow other nodes' records stamped up to as much later as it was
 * late; holding records back to sort them would need a bound on how late one can be,
 * which nothing gives (a call can wait on the store's lock, and clocks step). A record's
 * time is its eventTime; a line without one is not a record and is not exported. */
#include <stdlib.h>
#include <string.h>

#include "trail_reader.h"
#include "trail_set.h"
#include "verify.h"

/* One trail of the merge, and its next record in the window (line NULL: none left). */
struct source {
    const char *dir;
    char node[AUDIT_NODE_ID_MAX + 1];
    struct trail_reader *r;
    const char *line;
    size_t len;
    int64_t t;
};

struct exporter {
    int64_t since_s, until_s;
    bool cloudtrail;
    FILE *out;
    uint64_t written;
};

static int by_node(const void *a, const void *b)
{
    return strcmp(((const struct source *)a)->node, ((const struct source *)b)->node);
}

/* Move src on to its next record in the window. */
static cu_rc advance(const struct exporter *x, struct source *src, struct cu_err *err)
{
    for (;;) {
        cu_rc rc = trail_reader_next(src->r, &src->line, &src->len);

        if (rc != CU_OK)
            return cu_err_set(err, rc, "cannot read the trail in %s (%s)", src->dir,
                              trail_reader_file(src->r));
        if (!src->line)
            return CU_OK;
        if (audit_chain_event_time(src->line, src->len, &src->t) &&
            (!x->since_s || src->t >= x->since_s) && (!x->until_s || src->t <= x->until_s))
            return CU_OK;
    }
}

static cu_rc write_record(struct exporter *x, const char *line, size_t len)
{
    char prev[AUDIT_HASH_HEX + 1];

    if (x->cloudtrail && x->written && fputc(',', x->out) == EOF)
        return CU_E_STORE;
    if (x->cloudtrail && audit_chain_prev_of(line, len, prev)) {
        /* CloudTrail's records have no chain member: the record closes where it began */
        if (fwrite(line, 1, len - AUDIT_CHAIN_SUFFIX_LEN, x->out) != len - AUDIT_CHAIN_SUFFIX_LEN ||
            fputc('}', x->out) == EOF)
            return CU_E_STORE;
    } else if (fwrite(line, 1, len, x->out) != len ||
               (!x->cloudtrail && fputc('\n', x->out) == EOF)) {
        return CU_E_STORE;
    }
    x->written++;
    return CU_OK;
}

/* Name and open every trail, in node-name order; two of one name are one node's trail
 * given twice (its records would come out twice). */
static cu_rc open_sources(struct source *s, const char *const *dirs, size_t n, struct cu_err *err)
{
    for (size_t i = 0; i < n; i++) {
        s[i].dir = dirs[i];
        trail_set_node_name(dirs[i], s[i].node);
    }
    qsort(s, n, sizeof(*s), by_node);
    for (size_t i = 0; i < n; i++) {
        cu_rc rc;

        if (i > 0 && strcmp(s[i - 1].node, s[i].node) == 0)
            return cu_err_set(err, CU_E_VALIDATION,
                              "%s and %s are trails of one node name, %s: each node keeps "
                              "its own trail",
                              s[i - 1].dir, s[i].dir, s[i].node);
        rc = trail_reader_open(s[i].dir, &s[i].r);
        if (rc != CU_OK)
            return cu_err_set(err, rc, "cannot read the trail in %s", s[i].dir);
    }
    return CU_OK;
}

cu_rc audit_export(const char *const *data_dirs, size_t n, int64_t since_s, int64_t until_s,
                   bool cloudtrail, FILE *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct exporter x = {
        .since_s = since_s, .until_s = until_s, .cloudtrail = cloudtrail, .out = out};
    struct source *s = calloc(n ? n : 1, sizeof(*s));
    struct trail_set_head *heads = calloc(n ? n : 1, sizeof(*heads));

    ENSURE(s && heads, CU_E_NOMEM);
    TRY(open_sources(s, data_dirs, n, err));
    for (size_t i = 0; i < n; i++)
        TRY(advance(&x, &s[i], err));
    if (cloudtrail && fputs("{\"Records\":[", out) == EOF)
        TRY(CU_E_STORE);
    for (;;) {
        size_t next;

        for (size_t i = 0; i < n; i++)
            heads[i] = (struct trail_set_head){.has = s[i].line != NULL, .t = s[i].t};
        next = trail_set_pick(heads, n, false);
        if (next == SIZE_MAX)
            break;
        TRY(write_record(&x, s[next].line, s[next].len));
        TRY(advance(&x, &s[next], err));
    }
    if (cloudtrail && fputs("]}\n", out) == EOF)
        TRY(CU_E_STORE);
out:
    if (rc == CU_E_STORE && err && !err->msg[0])
        cu_err_set(err, rc, "cannot write the export");
    for (size_t i = 0; s && i < n; i++)
        trail_reader_free(s[i].r);
    free(s);
    free(heads);
    return rc;
}
