/* trail_set.c — several nodes' trails searched as one (trail_set.h). */
#include "trail_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "core/log.h"

struct member {
    char node[AUDIT_NODE_ID_MAX + 1];
    struct trail_index *ix;
};

struct trail_set {
    struct member m[TRAIL_SET_MAX];
    size_t n;
};

/* A hit of one trail, copied out of the callback. */
struct hit {
    uint64_t pos;
    int64_t t;
    char *line;
    size_t len;
};

struct stream {
    struct hit *h;
    size_t n, cap, next;
    bool more;
};

static int by_node(const void *a, const void *b)
{
    return strcmp(((const struct member *)a)->node, ((const struct member *)b)->node);
}

void trail_set_node_name(const char *dir, char out[AUDIT_NODE_ID_MAX + 1])
{
    const char *end = dir + strlen(dir), *base;

    audit_node_id_read(dir, out);
    if (out[0])
        return;
    while (end > dir && end[-1] == '/')
        end--;
    for (base = end; base > dir && base[-1] != '/'; base--)
        ;
    snprintf(out, AUDIT_NODE_ID_MAX + 1, "%.*s", (int)(end - base), base);
}

cu_rc trail_set_new(const char *own_dir, const char *own_node, const char *const *peers,
                    size_t n_peers, struct trail_set **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct trail_set *set = calloc(1, sizeof(*set));

    *out = NULL;
    ENSURE(set, CU_E_NOMEM);
    if (n_peers + 1 > TRAIL_SET_MAX) {
        rc = cu_err_set(err, CU_E_VALIDATION, "--audit-peer-dir: at most %d peers",
                        TRAIL_SET_MAX - 1);
        goto out;
    }
    str_copy(set->m[0].node, sizeof(set->m[0].node), own_node);
    TRY(trail_index_new(own_dir, &set->m[0].ix));
    set->n = 1;
    for (size_t i = 0; i < n_peers; i++) {
        struct member *p = &set->m[set->n];

        trail_set_node_name(peers[i], p->node);
        for (size_t k = 0; k < set->n; k++)
            if (strcmp(set->m[k].node, p->node) == 0) {
                rc = cu_err_set(err, CU_E_VALIDATION,
                                "--audit-peer-dir %s: its trail is node %s's, as is another "
                                "one's: each node needs a name of its own (--node-id)",
                                peers[i], p->node);
                goto out;
            }
        /* not fatal: a peer may start later, or its mount come up later */
        if (access(peers[i], R_OK | X_OK) != 0)
            log_warn("audit: --audit-peer-dir %s cannot be read now: LookupEvents finds its "
                     "records once it can", peers[i]);
        TRY(trail_index_new_peer(peers[i], &p->ix));
        set->n++;
    }
    qsort(set->m, set->n, sizeof(set->m[0]), by_node);
    *out = set;
    set = NULL;
out:
    trail_set_free(set);
    return rc;
}

void trail_set_free(struct trail_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        trail_index_free(set->m[i].ix);
    free(set);
}

size_t trail_set_size(const struct trail_set *set)
{
    return set->n;
}

const char *trail_set_node(const struct trail_set *set, size_t i)
{
    return set->m[i].node;
}

size_t trail_set_pick(const struct trail_set_head *heads, size_t n, bool newest_first)
{
    size_t best = SIZE_MAX;

    for (size_t i = 0; i < n; i++) {
        if (!heads[i].has)
            continue;
        /* strictly later (earlier): a tie stays with the lower i, the lower node name */
        if (best == SIZE_MAX ||
            (newest_first ? heads[i].t > heads[best].t : heads[i].t < heads[best].t))
            best = i;
    }
    return best;
}

static cu_rc take(void *ctx, uint64_t pos, const json_t *rec, const char *line, size_t len)
{
    struct stream *s = ctx;
    struct hit *h;
    int64_t t = 0;

    (void)rec;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct hit *grown = realloc(s->h, cap * sizeof(*grown));

        if (!grown)
            return CU_E_NOMEM;
        s->h = grown;
        s->cap = cap;
    }
    h = &s->h[s->n];
    if (!audit_chain_event_time(line, len, &t))
        t = 0;
    h->line = malloc(len + 1);
    if (!h->line)
        return CU_E_NOMEM;
    memcpy(h->line, line, len);
    h->line[len] = '\0';
    h->len = len;
    h->pos = pos;
    h->t = t;
    s->n++;
    return CU_OK;
}

/* One trail (no peers): its hits as they come, nothing copied (bench/'s LookupEvents row). */
struct single {
    trail_set_hit_fn fn;
    void *ctx;
};

static cu_rc pass(void *ctx, uint64_t pos, const json_t *rec, const char *line, size_t len)
{
    struct single *one = ctx;

    return one->fn(one->ctx, &pos, rec, line, len);
}

cu_rc trail_set_lookup(struct trail_set *set, const struct trail_query *q,
                       const uint64_t *cursor, trail_set_hit_fn fn, void *ctx, bool *more)
{
    cu_rc rc = CU_OK;
    struct stream s[TRAIL_SET_MAX] = {0};
    uint64_t cur[TRAIL_SET_MAX];
    size_t emitted = 0;

    *more = false;
    if (set->n == 1) {
        struct trail_query one = *q;
        struct single pass_on = {.fn = fn, .ctx = ctx};

        one.before = cursor[0];
        rc = trail_index_lookup(set->m[0].ix, &one, pass, &pass_on, more);
        goto out;
    }
    for (size_t i = 0; i < set->n; i++) {
        struct trail_query one = *q;

        cur[i] = cursor[i];
        one.before = cursor[i];
        /* the merge's first q->max are at most q->max of any one trail */
        TRY(trail_index_lookup(set->m[i].ix, &one, take, &s[i], &s[i].more));
    }
    while (emitted < q->max) {
        struct trail_set_head heads[TRAIL_SET_MAX];
        size_t best;
        json_error_t jerr;
        json_t *rec;
        const struct hit *h;

        for (size_t i = 0; i < set->n; i++) {
            heads[i].has = s[i].next < s[i].n;
            heads[i].t = heads[i].has ? s[i].h[s[i].next].t : 0;
        }
        best = trail_set_pick(heads, set->n, true);
        if (best == SIZE_MAX)
            break;
        h = &s[best].h[s[best].next++];
        cur[best] = h->pos;
        rec = json_loadb(h->line, h->len, 0, &jerr);
        ENSURE(rec, CU_E_STORE); /* the index parsed it a moment ago */
        rc = fn(ctx, cur, rec, h->line, h->len);
        json_decref(rec);
        TRY(rc);
        emitted++;
    }
    for (size_t i = 0; i < set->n; i++)
        *more = *more || s[i].next < s[i].n || s[i].more;
out:
    for (size_t i = 0; i < set->n; i++) {
        for (size_t k = 0; k < s[i].n; k++)
            free(s[i].h[k].line);
        free(s[i].h);
    }
    return rc;
}
