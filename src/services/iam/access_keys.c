/* access_keys.c — IAM access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey,
 * DeleteAccessKey, and the record writer the bootstrap uses for root credentials.
 *
 * A key is stored once, by AccessKeyId ("access_key", what authentication reads); the
 * store's index of access keys by owner (records.h) is what listing and DeleteUser's
 * conflict check read. The secret access key is sealed under the master key with the
 * AccessKeyId as AAD, so a sealed secret copied onto another key id does not open. The
 * plaintext secret exists only in the CreateAccessKey response. The handlers act on the
 * user their resolver loaded (iam_resolve_user, read back with iam_target_user) and render
 * a key record through the model's AccessKey / AccessKeyMetadata shape. */
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/ids.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/master_key.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

/* AWS's default quota (IAM guide, reference_iam-quotas: "Access keys assigned to an IAM
 * user: 2"), also for the root user. */
#define ACCESS_KEYS_PER_USER 2

/* A new key's record: its owner ("" for root), status, creation date, and the secret
 * sealed with the AccessKeyId as AAD. The AccessKeyId is the record's store key. */
static cu_rc key_record(const struct master_key *mk, const char *account, const char *user,
                        const char *akid, const char *secret, int64_t now_ms, json_t **out)
{
    cu_rc rc = CU_OK;
    struct buf sealed, text;
    json_t *doc = json_object();

    buf_init(&sealed, 4096);
    buf_init(&text, 8192);
    ENSURE(doc, CU_E_NOMEM);
    TRY(master_key_seal(mk, bytes_str(secret), bytes_str(akid), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), &text));
    TRY(tree_set_str(doc, "Account", account));
    TRY(tree_set_str(doc, "UserName", user));
    TRY(tree_set_str(doc, "Status", "Active"));
    TRY(tree_set_int(doc, "CreateDate", now_ms / 1000 * 1000));
    TRY(tree_set_str(doc, "SealedSecret", text.p));
    *out = doc;
    doc = NULL;
out:
    buf_release(&sealed);
    buf_release(&text);
    json_decref(doc);
    return rc;
}

cu_rc iam_store_access_key(struct store_tx *tx, const struct master_key *mk, const char *account,
                           const char *user, const char *akid, const char *secret,
                           int64_t now_ms)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    TRY(key_record(mk, account, user, akid, secret, now_ms, &doc));
    TRY(store_put(tx, RECORD_ACCESS_KEY, "", akid, doc, STORE_CREATE));
out:
    json_decref(doc);
    return rc;
}

void iam_access_key_lookup(const char *account, const char *user, struct store_lookup *q,
                           char *value)
{
    record_user_scope(account, user, value);
    *q = (struct store_lookup){RECORD_ACCESS_KEY, RECORD_ACCESS_KEY_BY_USER, value, NULL};
}

cu_rc iam_access_key_count(struct store_tx *tx, const char *account, const char *user, size_t *n)
{
    char value[RECORD_NAME_MAX];
    struct store_lookup q;

    iam_access_key_lookup(account, user, &q, value);
    return store_find_count(tx, &q, n);
}

/* The name of the user whose keys the call acts on, as stored, borrowed from the record
 * the resolver loaded (iam_resolve_user); "" when root acts on its own keys. NoSuchEntity
 * for a named user that does not exist. */
static cu_rc key_owner(struct call *call, const json_t *in, const char **owner)
{
    cu_rc rc = CU_OK;
    json_t *user;

    *owner = "";
    if (!iam_user_name_or_caller(call, in))
        return CU_OK;
    TRY(iam_target_user(call, in, &user));
    *owner = kind_name(&iam_kind_user, user);
    ENSURE(*owner, CU_E_STORE);
out:
    return rc;
}

/* A key record rendered through `shape` (AccessKey, AccessKeyMetadata) into *item, with
 * the AccessKeyId (the record's store key, not a member); root's keys name no user. */
static cu_rc key_view(const struct shape *shape, const char *akid, const json_t *doc,
                      json_t **item)
{
    cu_rc rc = CU_OK;
    json_t *v = NULL;
    const char *owner = json_string_value(json_object_get(doc, "UserName"));

    TRY(render_record(doc, shape, &v));
    if (!owner || !owner[0])
        json_object_del(v, "UserName");
    TRY(tree_set_str(v, "AccessKeyId", akid));
    *item = v;
    v = NULL;
out:
    json_decref(v);
    return rc;
}

cu_rc iam_create_access_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner;
    char akid[IDS_ACCESS_KEY_ID_LEN + 1];
    char secret[IDS_SECRET_KEY_LEN + 1] = "";
    json_t *doc = NULL, *key = NULL;
    size_t n = 0;

    TRY(key_owner(call, in, &owner));
    TRY(iam_access_key_count(call->tx, call->env->account_id, owner, &n));
    ENSURE(n < ACCESS_KEYS_PER_USER,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for AccessKeysPerUser: %d", ACCESS_KEYS_PER_USER));
    TRY(ids_access_key_id("AKIA", akid));
    TRY(ids_secret_key(secret));
    TRY(key_record(call->env->master_key, call->env->account_id, owner, akid, secret,
                   call->now_ms, &doc));
    TRY(store_put(call->tx, RECORD_ACCESS_KEY, "", akid, doc, STORE_CREATE));
    TRY(key_view(model_output_shape("iam", "CreateAccessKey", "AccessKey"), akid, doc, &key));
    /* the one place the secret is ever in the clear: the response (the model marks it
     * sensitive, so neither the log nor the trail shows it) */
    TRY(tree_set_str(key, "SecretAccessKey", secret));
    TRY(tree_set_new(out, "AccessKey", key));
    key = NULL;
out:
    secret_wipe(secret, sizeof(secret));
    json_decref(doc);
    json_decref(key);
    return rc;
}

/* Load a key that must belong to (account, owner) or fail with AWS's NoSuchEntity. */
static cu_rc key_load(struct call *call, const char *owner, const char *akid, json_t **doc)
{
    cu_rc rc = CU_OK;
    const char *user, *account;

    TRY(store_get(call->tx, RECORD_ACCESS_KEY, "", akid, doc));
    if (*doc) {
        user = json_string_value(json_object_get(*doc, "UserName"));
        account = json_string_value(json_object_get(*doc, "Account"));
        if (user && account && strcmp(account, call->env->account_id) == 0 &&
            strcasecmp(user, owner) == 0)
            goto out;
        json_decref(*doc);
        *doc = NULL;
    }
    rc = cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                    "The Access Key with id %s cannot be found.", akid);
out:
    return rc;
}

cu_rc iam_list_access_keys(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct shape *entry = iam_page_item_shape(&iam_list_access_keys_page);
    const char *owner;
    char value[RECORD_NAME_MAX];
    struct store_lookup q;
    struct store_position at = {"", NULL};
    struct page page = {0};
    json_t *keys = NULL, *rec, *item = NULL;
    bool more = false;
    size_t i;

    TRY(page_begin(call, &iam_list_access_keys_page, in, &page));
    TRY(key_owner(call, in, &owner));
    iam_access_key_lookup(call->env->account_id, owner, &q, value);
    /* access keys are node records (scope ""): the marker is the last AccessKeyId; one
     * past the page, so that page_add() sees whether more follow */
    at.key = page_after(&page);
    TRY(store_find(call->tx, &q, at.key ? &at : NULL, page.limit + 1, &keys, &more));
    json_array_foreach(keys, i, rec)
    {
        const char *akid = json_string_value(json_object_get(rec, "key"));

        TRY(key_view(entry, akid, json_object_get(rec, "doc"), &item));
        rc = page_add(&page, akid, item); /* steals item */
        item = NULL;
        TRY(rc);
        if (page_full(&page))
            break;
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    json_decref(keys);
    return rc;
}

cu_rc iam_update_access_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner, *akid = in_str(in, "AccessKeyId");
    json_t *doc = NULL;

    (void)out;
    TRY(key_owner(call, in, &owner));
    TRY(key_load(call, owner, akid, &doc));
    TRY(tree_set_str(doc, "Status", in_str(in, "Status")));
    TRY(store_put(call->tx, RECORD_ACCESS_KEY, "", akid, doc, STORE_REPLACE));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_delete_access_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner, *akid = in_str(in, "AccessKeyId");
    json_t *doc = NULL;

    (void)out;
    TRY(key_owner(call, in, &owner));
    TRY(key_load(call, owner, akid, &doc));
    TRY(store_delete(call->tx, RECORD_ACCESS_KEY, "", akid, NULL));
    /* its last use goes with it (access_key_last_used.c) */
    TRY(store_delete(call->tx, RECORD_ACCESS_KEY_LAST_USED, "", akid, NULL));
out:
    json_decref(doc);
    return rc;
}
