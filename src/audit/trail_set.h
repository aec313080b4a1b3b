/* trail_set.h — LookupEvents over the trails of several nodes (audit.h, "Several
 * nodes"): this node's own trail and the trails of its peers, each an index of its own
 * (trail_index.h; a peer's reads that node's data dir, shared or mounted read-only, and
 * never writes there), merged into one answer, newest first.
 *
 * The merge. Each trail is ordered as its node wrote it; the merged order takes, of the
 * trails' next records, the one with the latest eventTime, a tie going to the trail whose
 * node name sorts first. The trails are held sorted by node name, so every node given the
 * same set of trails (its own and its peers') merges them into one order. The merge's
 * state is one position per trail — where to go on before in each — which is what a page
 * carries to the next (TRAIL_SET_MAX positions fit LookupEvents' NextToken). */
#ifndef CU_AUDIT_TRAIL_SET_H
#define CU_AUDIT_TRAIL_SET_H

#include "node_id.h"
#include "trail_index.h"

#define TRAIL_SET_MAX 8 /* trails: this node and up to 7 peers */

struct trail_set;

/* own_dir (this node's data dir, whose index writes its .idx files) named own_node, and
 * the peers' data dirs, each named by its DIR/audit-trail/node-id or, while it keeps none
 * (a peer not yet started), its directory's last component. Errors: CU_E_VALIDATION with
 * a message (too many, two of one name), CU_E_NOMEM. */
MUST_CHECK cu_rc trail_set_new(const char *own_dir, const char *own_node,
                               const char *const *peers, size_t n_peers, struct trail_set **out,
                               struct cu_err *err);
void trail_set_free(struct trail_set *set);
/* How many trails, and the name of the i-th (in the merge's order). */
size_t trail_set_size(const struct trail_set *set);
const char *trail_set_node(const struct trail_set *set, size_t i);

/* The merge's order, kept here for every reader of several trails (LookupEvents, newest
 * first; `custos audit export`, oldest first): heads[i] is trail i's next record (has: it
 * has one; t: its eventTime), the trails held in node-name order (strcmp of the names
 * trail_set_node_name gives, as trail_set_new sorts them); the one to take next is the
 * trail whose record is the latest (newest_first) or the earliest, a tie going to the
 * trail whose node name sorts first. SIZE_MAX: no trail has one. */
struct trail_set_head {
    bool has;
    int64_t t;
};
size_t trail_set_pick(const struct trail_set_head *heads, size_t n, bool newest_first);
/* The name the trail of data_dir goes by in a merge: its DIR/audit-trail/node-id or, while
 * it keeps none, the directory's last component. */
void trail_set_node_name(const char *data_dir, char out[AUDIT_NODE_ID_MAX + 1]);

/* One hit of the merge: the record as trail_hit_fn has it, and the positions to go on
 * before (trail_set_size of them), borrowed for the call. */
typedef cu_rc (*trail_set_hit_fn)(void *ctx, const uint64_t *cursor, const json_t *rec,
                                  const char *line, size_t len);

/* Call fn for each record matching q (q->before is not used: cursor is), merged newest
 * first, up to q->max, going on before cursor[i] in trail i (UINT64_MAX each: from the
 * newest); *more: a further match exists. Errors: those of trail_index_lookup. */
MUST_CHECK cu_rc trail_set_lookup(struct trail_set *set, const struct trail_query *q,
                                  const uint64_t *cursor, trail_set_hit_fn fn, void *ctx,
                                  bool *more);

#endif
