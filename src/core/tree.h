/* tree.h — the request and response trees: jansson json_t values.
 *
 * Decoders (proto/) produce a tree whose shape follows the operation's input shape;
 * handlers read it with these typed getters and build their output as a tree, which
 * encoders turn into the protocol's bytes. Conventions inside trees:
 *   - blobs are base64 strings (as both wire protocols carry them);
 *   - timestamps are JSON numbers: seconds since the epoch (fractions allowed);
 *   - integers/longs are JSON integers, booleans JSON booleans.
 * Getters borrow: a returned json_t or string lives as long as the tree. A getter for
 * an absent member returns CU_OK with *out untouched when optional, and
 * CU_E_MISSING_PARAMETER when required (validation normally catches that first). */
#ifndef CU_TREE_H
#define CU_TREE_H

#include <jansson.h>

#include "buf.h"
#include "cu.h"

/* Route jansson's allocations through a free that wipes, so that plaintext held in trees
 * (Decrypt results, data keys) never lingers in freed memory. Call once at start. */
void tree_init_allocator(void);

/* Optional string member: *out = NULL when absent. */
MUST_CHECK cu_rc tree_opt_str(const json_t *obj, const char *name, const char **out);
MUST_CHECK cu_rc tree_req_str(const json_t *obj, const char *name, const char **out);
MUST_CHECK cu_rc tree_opt_int(const json_t *obj, const char *name, int64_t *out, bool *present);
MUST_CHECK cu_rc tree_opt_bool(const json_t *obj, const char *name, bool *out, bool *present);
/* Decode a base64 blob member into out (which may be a sensitive buf). */
MUST_CHECK cu_rc tree_opt_blob(const json_t *obj, const char *name, struct buf *out,
                               bool *present);

/* Whether the array `list` holds the string s (a version's "Labels", a secret version's
 * "VersionStages"); false for a NULL or non-array list, and an item that is not a string
 * never matches. */
bool tree_list_has(const json_t *list, const char *s);

/* Setters: create the member, taking ownership of nothing the caller keeps. */
MUST_CHECK cu_rc tree_set_str(json_t *obj, const char *name, const char *value);
MUST_CHECK cu_rc tree_set_strn(json_t *obj, const char *name, const char *value, size_t n);
MUST_CHECK cu_rc tree_set_int(json_t *obj, const char *name, int64_t value);
MUST_CHECK cu_rc tree_set_bool(json_t *obj, const char *name, bool value);
/* Timestamp in milliseconds since the epoch, stored as seconds (a JSON real). */
MUST_CHECK cu_rc tree_set_time_ms(json_t *obj, const char *name, int64_t epoch_ms);
/* Base64-encode bytes into a string member; the intermediate text is wiped. */
MUST_CHECK cu_rc tree_set_blob(json_t *obj, const char *name, struct bytes value);
/* Steal a reference: obj takes `value` (which may be NULL → CU_E_NOMEM). */
MUST_CHECK cu_rc tree_set_new(json_t *obj, const char *name, json_t *value);
MUST_CHECK cu_rc tree_append_new(json_t *array, json_t *value);

#endif
