/* trail_index.h — the trail's search index, for CloudTrail's LookupEvents
 * (services/cloudtrail/): every record of DIR/audit-trail's log files and of the live
 * DIR/audit.log, as (eventTime, file, offset, length, readOnly, 32-bit hashes of the seven
 * other lookup attributes and of each resource's type and name), kept in memory.
 *
 * The request path pays nothing for it: the writer does not know it. The index reads the
 * trail behind the writer, on the lookup's own thread and under its own lock (which only
 * lookups take): before each lookup it reads what the live file gained since the last one,
 * and follows a rotation (the live file renamed into DIR/audit-trail) by finishing the
 * renamed file through the descriptor it already holds, opening the next live file, and
 * only then listing the trail (twice over: trail_list_settled), which names the renamed
 * file by its number and takes whole, in order, any file rotated and sealed in between —
 * so a rotation while it lists loses no file and puts none out of order. Sealed files are
 * opened only while a line is read from them, so the index never keeps a file retention
 * removes; a plain file the sealer compressed is read from its gzip copy from then on.
 * What the index learnt of a sealed file is kept beside it, in its .idx (trail_idx.h,
 * written when the index first has the whole sealed file), so that a start (the index's
 * build, one pass over the trail, which trail_index_new starts on a thread of its own so
 * that it is done, or under way, by the first lookup) reads the .idx files, the live file
 * and only the sealed files without a valid .idx; retention's removal of a sealed file
 * takes its .idx along when the index sees it.
 *
 * A hash only narrows: each candidate's line is read back and its attributes compared
 * exactly, so a collision never returns a record that does not match. Records are ordered
 * as they were written (the writer's order, which is eventTime's up to the clock's steps);
 * a lookup walks them newest first. */
#ifndef CU_AUDIT_TRAIL_INDEX_H
#define CU_AUDIT_TRAIL_INDEX_H

#include <jansson.h>

#include "core/buf.h"

/* The lookup attributes, as CloudTrail's LookupAttributeKey names them. */
enum trail_attr {
    TRAIL_ATTR_NONE,
    TRAIL_ATTR_EVENT_ID,
    TRAIL_ATTR_EVENT_NAME,
    TRAIL_ATTR_READ_ONLY,
    TRAIL_ATTR_USERNAME,
    TRAIL_ATTR_RESOURCE_TYPE,
    TRAIL_ATTR_RESOURCE_NAME,
    TRAIL_ATTR_EVENT_SOURCE,
    TRAIL_ATTR_ACCESS_KEY_ID,
};

/* The attribute named key ("EventName"), or TRAIL_ATTR_NONE. */
enum trail_attr trail_attr_parse(const char *key);

struct trail_query {
    enum trail_attr attr;   /* TRAIL_ATTR_NONE: every record */
    const char *value;      /* the attribute's value (borrowed) */
    int64_t start_s, end_s; /* eventTime within [start_s, end_s] */
    uint64_t before;        /* only records before this position; UINT64_MAX: from the newest */
    size_t max;             /* at most this many hits */
};

/* One hit: the record line (without the newline), borrowed for the callback only, and the
 * position to resume before. The record is parsed (rec, borrowed) for the callback. */
typedef cu_rc (*trail_hit_fn)(void *ctx, uint64_t pos, const json_t *rec, const char *line,
                              size_t len);

struct trail_index;

/* An index of data_dir's trail; its first pass starts on a thread of its own. Errors:
 * CU_E_NOMEM. */
MUST_CHECK cu_rc trail_index_new(const char *data_dir, struct trail_index **out);
/* The same over another node's data dir (a shared or read-only mount; trail_set.h): its
 * .idx files are used when valid but never written or removed, that node's own index
 * keeps them. */
MUST_CHECK cu_rc trail_index_new_peer(const char *data_dir, struct trail_index **out);
/* Catch up with the trail, then call fn for each record matching q, newest first, up to
 * q->max; *more says whether a further match exists (its position is the last hit's).
 * Errors: CU_E_STORE (a file cannot be read), CU_E_NOMEM, or fn's. Thread-safe. */
MUST_CHECK cu_rc trail_index_lookup(struct trail_index *ix, const struct trail_query *q,
                                    trail_hit_fn fn, void *ctx, bool *more);
/* What the index did with the sealed files it took: from their .idx (trail_idx.h), or
 * inflated and read (a first start, an .idx missing, stale or corrupt), and .idx written. */
struct trail_index_stats {
    uint64_t idx_loaded, files_read, idx_written;
};
void trail_index_get_stats(struct trail_index *ix, struct trail_index_stats *out);
/* How many records are indexed (after catching up). */
MUST_CHECK cu_rc trail_index_count(struct trail_index *ix, uint64_t *n);
/* The mtime (epoch ms) of the newest log file and of the newest digest of the trail (0:
 * none): GetTrailStatus's LatestDeliveryTime and LatestDigestDeliveryTime. */
void trail_index_latest(const char *data_dir, int64_t *log_ms, int64_t *digest_ms);
void trail_index_free(struct trail_index *ix);

/* What a record shows for attr (Username, ReadOnly "true"/"false", ...); NULL when it has
 * none. For the resources, the i-th one's (*n: how many). Borrowed from rec. */
const char *trail_record_attr(const json_t *rec, enum trail_attr attr);
size_t trail_record_resources(const json_t *rec);
const char *trail_record_resource(const json_t *rec, size_t i, enum trail_attr attr);

#endif
