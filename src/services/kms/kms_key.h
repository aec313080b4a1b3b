/* kms_key.h — a KMS key as the handlers use it: its record, compiled key policy and
 * opened backing keys, loaded once and shared between calls until the change log shows a
 * change to the key or its grants (kms_key.c).
 *
 * Key states (KMS developer guide, key-state.html), as far as custos implements them:
 *
 *     CreateKey ──> Enabled <──EnableKey── Disabled <──CancelKeyDeletion──┐
 *                      └──────DisableKey─────^                             │
 *                      └──────ScheduleKeyDeletion──> PendingDeletion ──────┘
 *                                 (Disabled too)          │ DeletionDate passes
 *                                                         v
 *                                             deleted: NotFoundException
 *
 * A key past its DeletionDate is deleted at once for every call (kms_key_by_id answers
 * NotFoundException); the sweep (key_state.c, kms_sweep_deleted) removes its record,
 * material, grants and aliases.
 *
 * Identifiers a request may use for KeyId (KMS API reference, "KeyId"): a key id
 * (UUID), a key ARN, an alias name ("alias/x") or an alias ARN. */
#ifndef CU_KMS_KEY_H
#define CU_KMS_KEY_H

#include "services/call.h"
#include "services/kind.h"
#include "services/page.h"
#include "store/records.h"

struct asym_key;
struct backing_key;
struct buf;
struct policy;

#define KMS_ARN_MAX 512

/* KMS's record kinds (kms_kinds.c): keys and aliases in the call's account and region,
 * grants under their key (parent: the key id). */
extern const struct kind kms_kind_key, kms_kind_alias, kms_kind_grant;

struct kms_key {
    json_t *doc;                  /* the stored record (see keys.c for its fields) */
    const char *key_id;           /* borrowed from doc */
    char arn[KMS_ARN_MAX];
    struct policy *policy;        /* compiled key policy */
    uint32_t current_version;     /* backing key new ciphertexts use */
    struct backing_key **backing; /* index v - 1 for version v */
    size_t n_backing;
    struct asym_key *asym;        /* RSA, EC or HMAC private material (asym.h), or NULL */
    json_t *grant_docs;           /* the key's grants (grants.h), loaded with it */
    struct kms_grant *grants;
    size_t n_grants;
};

/* The key named by `id` (any of the four identifier forms) in the caller's account,
 * with a reference the caller releases with kms_key_unref. NotFoundException in AWS's
 * wording when there is none. */
MUST_CHECK cu_rc kms_key_find(struct call *call, const char *id, struct kms_key **out);
/* The key with this key id (UUID), or NotFoundException. */
MUST_CHECK cu_rc kms_key_by_id(struct call *call, const char *key_id, struct kms_key **out);
void kms_key_unref(void *key);
/* How many keys the process-wide cache has loaded from the store so far (for tests). */
uint64_t kms_key_cache_loads(void);

/* Point call->target at the key: its ARN, account and key policy, and call->target.resource
 * at the key itself, the one the handler uses (kms_target_key): no handler finds it again.
 * The target takes over the caller's reference (released by the pipeline). With the
 * request `in` (NULL: none, for a handler that sets the target after authorization) it
 * also adds the key's condition keys (conditions.h, kms_key_condition_keys). */
void kms_target_set(struct call *call, struct kms_key *key, const json_t *in);
/* kms_target_set for a resolver that holds more than the key for its handler: `pin`
 * (released by `unpin` when the call ends) owns the caller's reference to key. */
void kms_target_hold(struct call *call, struct kms_key *key, const json_t *in, void *pin,
                     void (*unpin)(void *pin));
/* The key the call's resolver found (borrowed for the call), or NULL. */
struct kms_key *kms_target_key(const struct call *call);

/* What every key record starts with, whoever makes it (CreateKey, ReplicateKey, an AWS
 * managed key's first use): the members below, all borrowed. */
struct kms_key_record {
    const char *key_id, *arn, *description, *key_manager, *policy;
    const json_t *tags; /* [{TagKey, TagValue}] copied, or NULL for none */
};
/* A new record (*out, the caller's) with AWSAccountId (the call's account), KeyId, Arn,
 * CreationDate (now), Description, KeyManager, Policy and Tags set from r; the caller adds
 * the members of its kind of key. Errors: CU_E_NOMEM. */
MUST_CHECK cu_rc kms_key_record_new(const struct call *call, const struct kms_key_record *r,
                                    json_t **out);

/* Generate version 1 of a symmetric backing key for the key `arn` and return its record
 * list [{"Version": 1, "Sealed": b64}] (sealed under the master key; *out the caller's). */
MUST_CHECK cu_rc kms_new_backing(struct call *call, const char *arn, json_t **out);

/* The same list for a backing key the caller has (imported material; bk borrowed). */
MUST_CHECK cu_rc kms_backing_first(struct call *call, const char *arn,
                                   const struct backing_key *bk, json_t **out);

/* A backing key's "Sealed" text as version `version` of the key `arn`: bk (borrowed) sealed
 * under mk with backing_key_seal_aad(arn, version) as AAD, in base64, written over text's
 * content (the caller's buffer, room for 8 KiB). The one sealing a backing key record holds;
 * open_backing (kms_key.c) is its reverse. Errors: the crypto layer's, CU_E_NOMEM. */
MUST_CHECK cu_rc kms_backing_seal(const struct master_key *mk, const struct backing_key *bk,
                                  const char *arn, uint32_t version, struct buf *text);

/* true when id has the form of a key id: a UUID, or "mrk-" and 32 lowercase hex digits
 * (a multi-Region key). */
bool kms_key_id_valid(const char *id);

/* The scope of the call's records of a regional kind (kms_key, kms_alias):
 * "<account>/<region>" (store_scope). */
void kms_scope(const struct call *call, const char *kind, char out[RECORD_NAME_MAX]);
/* "<account>/<region>/<key id>": names a key within the process (the key cache) and
 * scopes the records that belong to it (its grants). */
void kms_key_scope(const struct call *call, const char *key_id, char out[RECORD_NAME_MAX]);
/* The key id a key's scope (kms_key_scope) ends with. Borrowed from scope. */
const char *kms_scope_key_id(const char *scope);

/* A page of index matches (store_find, in scope then key order): view turns each match
 * {"scope", "key", "doc"} (borrowed) into the item to show, or leaves *item NULL to skip
 * it. A page's position is the last match's key when every match is in q->within itself
 * (per_key false: a key's aliases), or "<key id>/<key>" when matches lie in the scopes of
 * several keys (per_key true: grants, whose scope is kms_key_scope). */
typedef cu_rc (*kms_match_view)(const json_t *match, void *ctx, json_t **item);
MUST_CHECK cu_rc kms_page_find(struct call *call, struct page *page,
                               const struct store_lookup *q, bool per_key, kms_match_view view,
                               void *ctx);
/* The key ARN for a key id in the call's account and region. */
void kms_key_arn(const struct call *call, const char *key_id, char out[KMS_ARN_MAX]);
/* The ARN a KMS sweep's trail record names (services/sweep.h, the rules of key_state.c,
 * rotation.c and import_expiry.c): kms_key_arn of key_id; out has SWEEP_ARN_MAX bytes. */
void kms_sweep_key_arn(const struct call *call, const char *key_id, const json_t *doc, char *out);
/* The alias ARN for an alias name ("alias/x"). */
void kms_alias_arn(const struct call *call, const char *alias, char out[KMS_ARN_MAX]);

/* Fail unless the key can be used for cryptography now: DisabledException /
 * KMSInvalidStateException with AWS's messages. */
MUST_CHECK cu_rc kms_key_check_usable(struct call *call, const struct kms_key *key);
/* Fail with KMSInvalidStateException "<arn> is pending deletion." when the key is: the
 * management operations AWS refuses on such a key (KMS developer guide, key-state.html:
 * CreateAlias, CreateGrant, EnableKey, DisableKey, UpdateKeyDescription, ...). */
MUST_CHECK cu_rc kms_key_check_not_pending(struct call *call, const struct kms_key *key);
/* Whether a key record is past the end of its deletion window at now_ms. */
bool kms_key_is_deleted(const json_t *doc, int64_t now_ms);

#endif
