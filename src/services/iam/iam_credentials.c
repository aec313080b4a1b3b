/* iam_credentials.c — what the four IAM credential families share (iam_credentials.h):
 * their owner, their per-user counts, the rule on Status, and the two duties a user's
 * lifecycle gives them: DeleteUser refuses while any is left, UpdateUser moves them.
 *
 * SSH public keys, signing certificates and service-specific credentials live under their
 * user's scope "<account>/lower(user)" (records.h), so a rename is a move of every record
 * of the three kinds from one scope to the other, in the rename's own transaction. Server
 * certificates belong to the account and to no user. */
#include <string.h>

#include "core/tree.h"
#include "iam_credentials.h"

/* The kinds a user owns, with the DeleteConflict wording AWS answers for each (DeleteUser
 * of a user with a signing certificate: "Cannot delete entity, must delete certificates
 * first."; with an SSH public key, as observed, the generic "must remove referenced
 * objects first."). */
static const struct {
    const struct kind *kind;
    const char *conflict;
} OWNED[] = {
    {&iam_kind_signing_cert, "Cannot delete entity, must delete certificates first."},
    {&iam_kind_ssh_public_key, "Cannot delete entity, must remove referenced objects first."},
    {&iam_kind_service_credential,
     "Cannot delete entity, must remove referenced objects first."},
};

cu_rc iam_credential_owner(struct call *call, const json_t *in, const char **owner)
{
    cu_rc rc = CU_OK;
    json_t *user;

    *owner = NULL;
    if (!iam_user_name_or_caller(call, in))
        return CU_OK;
    TRY(iam_target_user(call, in, &user));
    *owner = kind_name(&iam_kind_user, user);
    ENSURE(*owner, CU_E_STORE);
out:
    return rc;
}

cu_rc iam_credential_count(struct call *call, const struct kind *k, const char *owner,
                           size_t *n)
{
    char scope[RECORD_NAME_MAX];

    record_user_scope(call->env->account_id, owner, scope);
    return store_count(call->tx, k->store_kind, scope, n);
}

cu_rc iam_credential_status(struct call *call, const json_t *in, const char **status)
{
    *status = in_str(in, "Status");
    /* the model's statusType lists Expired, which only an expiring credential reaches */
    if (*status && strcmp(*status, "Expired") == 0)
        return cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                          "The status Expired cannot be set; use Active or Inactive.");
    return CU_OK;
}

cu_rc iam_credentials_delete_conflict(struct call *call, const char *user)
{
    cu_rc rc = CU_OK;
    size_t n = 0;

    for (size_t i = 0; i < ARRAY_LEN(OWNED); i++) {
        TRY(iam_credential_count(call, OWNED[i].kind, user, &n));
        ENSURE(n == 0, cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT, "%s", OWNED[i].conflict));
    }
out:
    return rc;
}

static cu_rc collect(const char *key, const json_t *doc, void *ctx)
{
    (void)key;
    return json_array_append((json_t *)ctx, (json_t *)doc) == 0 ? CU_OK : CU_E_NOMEM;
}

/* Every record of kind k under user `from` moves under `to`, naming it. */
static cu_rc move_kind(struct call *call, const struct kind *k, const char *from, const char *to)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    json_t *docs = json_array(), *doc;
    size_t i;

    ENSURE(docs, CU_E_NOMEM);
    record_user_scope(call->env->account_id, from, scope);
    /* collected first: the list is not written while it is walked */
    TRY(store_each(call->tx, k->store_kind, scope, collect, docs));
    json_array_foreach(docs, i, doc)
    {
        TRY(kind_remove(call, k, from, doc));
        TRY(tree_set_str(doc, "UserName", to));
        TRY(kind_create(call, k, to, doc));
    }
out:
    json_decref(docs);
    return rc;
}

cu_rc iam_credentials_rename_user(struct call *call, const char *from, const char *to)
{
    cu_rc rc = CU_OK;

    for (size_t i = 0; i < ARRAY_LEN(OWNED); i++)
        TRY(move_kind(call, OWNED[i].kind, from, to));
out:
    return rc;
}

cu_rc iam_credentials_summary(struct call *call, json_t *map)
{
    cu_rc rc = CU_OK;
    size_t servers = 0, root_certs = 0;

    TRY(store_count(call->tx, RECORD_SERVER_CERT, call->env->account_id, &servers));
    TRY(tree_set_int(map, "ServerCertificates", (json_int_t)servers));
    /* the root user's own signing certificates (owner "") */
    TRY(iam_credential_count(call, &iam_kind_signing_cert, "", &root_certs));
    TRY(tree_set_int(map, "AccountSigningCertificatesPresent", root_certs > 0));
out:
    return rc;
}
