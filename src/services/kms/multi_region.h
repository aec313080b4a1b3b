/* multi_region.h — multi-Region keys (multi_region.c): the hooks CreateKey, DescribeKey,
 * rotation and deletion call, one line each. */
#ifndef CU_KMS_MULTI_REGION_H
#define CU_KMS_MULTI_REGION_H

#include "core/ids.h"
#include "kms_key.h"

/* true when the key record is one of a set of multi-Region keys. */
bool kms_mrk_is(const json_t *doc);

/* A new key id for CreateKey: "mrk-" and 32 random hex digits when the request sets
 * MultiRegion, else a UUID. */
MUST_CHECK cu_rc kms_mrk_new_id(const json_t *in, char key_id[IDS_UUID_LEN + 1]);
/* Mark a new key record as a multi-Region primary when the request sets MultiRegion. */
MUST_CHECK cu_rc kms_mrk_mark(const json_t *in, json_t *doc);

/* metadata's MultiRegion and, for a multi-Region key, MultiRegionConfiguration (its type,
 * PrimaryKey and every ReplicaKeys entry, read in every served region). */
MUST_CHECK cu_rc kms_mrk_render(struct call *call, json_t *metadata, const json_t *doc);

/* *n: how many live replicas a primary key has (0 for any other key). */
MUST_CHECK cu_rc kms_mrk_replicas(struct call *call, const json_t *doc, size_t *n);

/* After a change of the primary's shared properties (rotation, its material): every
 * replica's record gets them too, in call's transaction. Nothing for other keys. */
MUST_CHECK cu_rc kms_mrk_follow_primary(struct call *call, const json_t *primary);

/* The name imported material is fingerprinted under (import.c): the key's ARN, but for a
 * multi-Region key its key id alone, so that a replica takes only the material imported
 * into its primary (ReplicateKey: "You must import the same key material"). Borrowed from
 * key. */
const char *kms_mrk_material_name(const struct kms_key *key);

/* UnsupportedOperationException for a replica key (rotation is managed on the primary). */
MUST_CHECK cu_rc kms_mrk_check_not_replica(struct call *call, const struct kms_key *key);

/* The sweep deleted the key key_id in call->region: a primary of it in
 * PendingReplicaDeletion whose last replica that was starts its waiting period. */
MUST_CHECK cu_rc kms_mrk_replica_deleted(struct call *call, const char *key_id);

#endif
