/* node_id.h — the name of a custos node's trail, for a cluster of nodes on one store
 * (audit.h, "Several nodes"). Each node keeps its own chain in its own data dir; the name
 * tells the trails apart when `custos audit verify` checks several and when LookupEvents
 * merges them (trail_set.h), and orders the merge's ties the same way on every node.
 *
 * It is kept in DIR/audit-trail/node-id (one line), beside the trail it names, so a peer
 * that mounts that directory reads it too. A name is 1 to AUDIT_NODE_ID_MAX of
 * [A-Za-z0-9._-], starting with a letter or digit: it goes into reports and logs as is.
 * The name is a label, not evidence: the records' integrity is their chain's and digests'
 * (a renamed node verifies the same). */
#ifndef CU_AUDIT_NODE_ID_H
#define CU_AUDIT_NODE_ID_H

#include "core/err.h"

#define AUDIT_NODE_ID_MAX 64
#define AUDIT_NODE_ID_FILE "node-id"

/* Is s a valid node name? */
bool audit_node_id_valid(const char *s);
/* The default name of the node of data_dir: the host name (its characters outside the
 * set above turned into '-') and 8 hex of SHA-256 of data_dir's absolute path, so two
 * nodes on one host differ. */
void audit_node_id_default(const char *data_dir, char out[AUDIT_NODE_ID_MAX + 1]);
/* The name data_dir's trail is kept under, or "" when it has none (or an invalid one). */
void audit_node_id_read(const char *data_dir, char out[AUDIT_NODE_ID_MAX + 1]);
/* Keep id as data_dir's node name (DIR/audit-trail must exist). Errors: CU_E_STORE. */
MUST_CHECK cu_rc audit_node_id_write(const char *data_dir, const char *id, struct cu_err *err);

#endif
