/* kind.h — record kinds as data, and the helpers that load, create, update and delete
 * records of a kind with AWS's errors, so that no handler writes that mapping by hand.
 *
 * A kind says where its records live in the store (store/records.h: kind, scope, key) and
 * how AWS words its two errors. A service declares its kinds once (IAM: iam_kinds.c):
 *
 *     const struct kind iam_kind_group = {
 *         .store_kind = RECORD_GROUP, .scope = KIND_ACCOUNT, .fold = true,
 *         .name_member = "GroupName",
 *         .not_found = CU_E_IAM_NO_SUCH_ENTITY,
 *         .not_found_msg = "The group with name %s cannot be found.",
 *         .exists = CU_E_IAM_ENTITY_EXISTS, .exists_msg = "Group with name %s already exists."};
 *
 * and a handler then reads as its logic:
 *
 *     TRY(kind_create(call, &iam_kind_group, NULL, doc));      EntityAlreadyExists
 *     TRY(kind_load(call, &iam_kind_group, NULL, name, &doc)); NoSuchEntity
 *
 * Addressing. A record is named by (parent, name): `parent` is NULL for kinds scoped by the
 * call's account, and the owning user's name for KIND_USER kinds (a user's inline
 * policies). A KIND_REGION kind (KMS keys, aliases, grants) is scoped by the call's account
 * and region through store_scope(); its `parent`, when given, names the record it lives
 * under (a grant's key id: "<account>/<region>/<key id>"). The key is the name, lowercased when the kind folds case (IAM names are unique
 * without regard to case). Kinds with `arn_resource` (managed policies) are found by ARN:
 * kind_find/kind_load take "arn:aws:<arn_service>::<account>:<arn_resource>/<path><name>"
 * (a global kind's ARN, in the call's account), key the record by the ARN's last segment
 * and answer only a record whose "Arn" is exactly that ARN.
 *
 * Loaded once. A resolver that loads the record it authorizes keeps it in call->target.doc
 * (call.h); it runs in the handler's own transaction (a write transaction for a mutation),
 * so the handler takes that record with kind_target, changes it and saves it with
 * kind_update, instead of loading it again. Since the handler changes target.doc in
 * place, a request run again (a retried transaction) must run its resolver again too.
 * kind_update is the one place a changed record goes back to the store: where a
 * compare-and-set on the record's version belongs.
 *
 * Every function runs in call->tx; messages go to call->err; `doc` arguments are borrowed
 * and *doc results owned by the caller unless said otherwise. */
#ifndef CU_KIND_H
#define CU_KIND_H

#include "services/call.h"

enum kind_scope {
    KIND_ACCOUNT, /* scope: the call's account id */
    KIND_USER,    /* scope: "<account>/<lower(parent user)>" (record_user_scope) */
    KIND_REGION,  /* scope: store_scope(store_kind, account, region, parent) */
};

struct kind {
    const char *store_kind;    /* store kind (records.h): RECORD_USER */
    enum kind_scope scope;
    bool fold;                 /* key = lowercased name */
    const char *name_member;   /* the record's member holding its name: "UserName" */
    const char *arn_service;   /* found by a global ARN of this service ("iam") ... */
    const char *arn_resource;  /* ... and resource type ("policy"); NULL: found by name */
    const char *error_arn;     /* NULL: the errors name what was asked for; else they name
                                * the regional ARN "arn:aws:<arn_service>:<region>:<account>:
                                * <error_arn><name>" (KMS: "key/", "" for an alias, whose
                                * name starts with "alias/") */
    cu_rc not_found;           /* code and wording when absent; %s: the name or ARN asked for */
    const char *not_found_msg;
    cu_rc exists;              /* code and wording when the name is taken; %s: the name */
    const char *exists_msg;    /* NULL: records of the kind are only put (kind_put) */
};

/* Find the record `id` (its name, or its ARN for an arn_resource kind) of kind k under
 * parent: *doc is the record, or NULL when there is none (an ARN of another account or
 * resource type, or whose path differs from the record's, is none). No client error. */
MUST_CHECK cu_rc kind_find(struct call *call, const struct kind *k, const char *parent,
                           const char *id, json_t **doc);

/* kind_find, failing with the kind's not-found error naming id when there is none. */
MUST_CHECK cu_rc kind_load(struct call *call, const struct kind *k, const char *parent,
                           const char *id, json_t **doc);

/* Set the kind's not-found error naming id (or its ARN, for an error_arn kind); returns
 * its code. */
MUST_CHECK cu_rc kind_not_found(struct call *call, const struct kind *k, const char *id);

/* The record the call's resolver loaded into call->target.doc, borrowed (the handler may
 * change it and kind_update it): or, when the resolver found none, the kind's not-found
 * error naming id. Only for operations whose resolver loads a record of kind k. */
MUST_CHECK cu_rc kind_target(struct call *call, const struct kind *k, const char *id,
                             json_t **doc);

/* Store a new record under its name (doc's name_member), or fail with the kind's
 * already-exists error naming it. */
MUST_CHECK cu_rc kind_create(struct call *call, const struct kind *k, const char *parent,
                             const json_t *doc);

/* Store a record under its name, creating or replacing it (PutUserPolicy). */
MUST_CHECK cu_rc kind_put(struct call *call, const struct kind *k, const char *parent,
                          const json_t *doc);

/* Save a changed record the call loaded, in place, under its name; the kind's not-found
 * error if it is gone (which, in the transaction that loaded it, it cannot be). */
MUST_CHECK cu_rc kind_update(struct call *call, const struct kind *k, const char *parent,
                             const json_t *doc);

/* Delete the record named `name` under parent, or fail with the kind's not-found error
 * naming it when there is none. A kind found by ARN is deleted with kind_remove, since its
 * not-found error names an ARN: kind_delete on one is CU_E_INTERNAL. */
MUST_CHECK cu_rc kind_delete(struct call *call, const struct kind *k, const char *parent,
                             const char *name);

/* Delete the record the call loaded (keyed by its name member). */
MUST_CHECK cu_rc kind_remove(struct call *call, const struct kind *k, const char *parent,
                             const json_t *doc);

/* The record's name (its name_member), borrowed from doc; NULL when it has none. */
const char *kind_name(const struct kind *k, const json_t *doc);

#endif
