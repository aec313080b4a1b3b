/* tree_write.h — JSON text from trees and strings, appended to a buf.
 *
 * One writer for every JSON that custos emits by itself: JSON 1.1 response bodies and the
 * audit record. It writes what jansson's json_dump(JSON_COMPACT) writes — members in the
 * tree's order, no spaces, '/' and non-ASCII left as they are — at a fraction of the
 * cost, since it appends runs of plain bytes instead of calling back per token. */
#ifndef CU_TREE_WRITE_H
#define CU_TREE_WRITE_H

#include <jansson.h>

#include "buf.h"

/* s as a JSON string: quoted, with '"', '\\' and control characters escaped. Bytes that
 * are not UTF-8 become U+FFFD (header values are the caller's bytes; tree strings are
 * always UTF-8 already). */
MUST_CHECK cu_rc tree_write_string(struct buf *out, const char *s, size_t n);

/* v (any JSON value) as compact JSON. Reals are written as jansson writes them with
 * JSON_REAL_PRECISION(17). */
MUST_CHECK cu_rc tree_write_json(struct buf *out, const json_t *v);

#endif
