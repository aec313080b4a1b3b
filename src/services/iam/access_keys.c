/* access_keys.c — IAM access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey,
 * DeleteAccessKey, and the record writer the bootstrap uses for root credentials.
 *
 * A key is stored once, by AccessKeyId ("access_key", what authentication reads); the
 * store's index of access keys by owner (records.h) is what listing and DeleteUser's
 * conflict check read. The secret access key is sealed under the master key with the
 * AccessKeyId as AAD, so a sealed secret copied onto another key id does not open. The
 * plaintext secret exists only in the CreateAccessKey response. */
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

cu_rc iam_store_access_key(struct store_tx *tx, const struct master_key *mk, const char *account,
                           const char *user, const char *akid, const char *secret,
                           int64_t now_ms)
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
    TRY(store_put(tx, RECORD_ACCESS_KEY, "", akid, doc, STORE_CREATE));
out:
    buf_release(&sealed);
    buf_release(&text);
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

/* The display name of a key's owner: the user, or nothing for root. */
static const char *owner_or_null(const char *user)
{
    return user && user[0] ? user : NULL;
}

cu_rc iam_create_access_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = iam_user_name_or_caller(call, in);
    char akid[IDS_ACCESS_KEY_ID_LEN + 1];
    char secret[IDS_SECRET_KEY_LEN + 1] = "";
    json_t *user = NULL, *key = json_object();
    size_t n = 0;

    ENSURE(key, CU_E_NOMEM);
    if (name)
        TRY(iam_user_load(call, name, &user));
    TRY(iam_access_key_count(call->tx, call->env->account_id, name ? name : "", &n));
    if (n >= ACCESS_KEYS_PER_USER) {
        rc = cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                        "Cannot exceed quota for AccessKeysPerUser: %d", ACCESS_KEYS_PER_USER);
        goto out;
    }
    TRY(ids_access_key_id("AKIA", akid));
    TRY(ids_secret_key(secret));
    TRY(iam_store_access_key(call->tx, call->env->master_key, call->env->account_id,
                             name ? json_string_value(json_object_get(user, "UserName")) : "",
                             akid, secret, call->now_ms));
    if (name)
        TRY(tree_set_str(key, "UserName", json_string_value(json_object_get(user, "UserName"))));
    TRY(tree_set_str(key, "AccessKeyId", akid));
    TRY(tree_set_str(key, "Status", "Active"));
    TRY(tree_set_str(key, "SecretAccessKey", secret));
    TRY(tree_set_time_ms(key, "CreateDate", call->now_ms / 1000 * 1000));
    TRY(tree_set_new(out, "AccessKey", key));
    key = NULL;
out:
    secret_wipe(secret, sizeof(secret));
    json_decref(user);
    json_decref(key);
    return rc;
}

/* Load a key that must belong to (account, user) or fail with AWS's NoSuchEntity. */
static cu_rc key_load(struct call *call, const char *user, const char *akid, json_t **doc)
{
    cu_rc rc = CU_OK;
    const char *owner, *account;

    TRY(store_get(call->tx, RECORD_ACCESS_KEY, "", akid, doc));
    if (*doc) {
        owner = json_string_value(json_object_get(*doc, "UserName"));
        account = json_string_value(json_object_get(*doc, "Account"));
        if (strcmp(account, call->env->account_id) == 0 &&
            strcasecmp(owner, user ? user : "") == 0)
            goto out;
        json_decref(*doc);
        *doc = NULL;
    }
    rc = cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                    "The Access Key with id %s cannot be found.", akid);
out:
    return rc;
}

/* A key record as its AccessKeyMetadata item. */
static cu_rc key_meta_view(const char *akid, const json_t *doc, json_t **item)
{
    cu_rc rc = CU_OK;
    json_t *meta = json_object();
    const char *owner;

    ENSURE(meta, CU_E_NOMEM);
    owner = json_string_value(json_object_get(doc, "UserName"));
    if (owner_or_null(owner))
        TRY(tree_set_str(meta, "UserName", owner));
    TRY(tree_set_str(meta, "AccessKeyId", akid));
    TRY(tree_set_str(meta, "Status", json_string_value(json_object_get(doc, "Status"))));
    TRY(tree_set_time_ms(meta, "CreateDate",
                         json_integer_value(json_object_get(doc, "CreateDate"))));
    *item = meta;
    meta = NULL;
out:
    json_decref(meta);
    return rc;
}

cu_rc iam_list_access_keys(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = iam_user_name_or_caller(call, in);
    char value[RECORD_NAME_MAX];
    struct store_lookup q;
    struct store_position at = {"", NULL};
    struct page page = {0};
    json_t *user = NULL, *keys = NULL, *rec, *item = NULL;
    bool more = false;
    size_t i;

    TRY(page_begin(call, &iam_list_access_keys_page, in, &page));
    if (name)
        TRY(iam_user_load(call, name, &user));
    iam_access_key_lookup(call->env->account_id, name ? name : "", &q, value);
    /* access keys are node records (scope ""): the marker is the last AccessKeyId; one
     * past the page, so that page_add() sees whether more follow */
    at.key = page_after(&page);
    TRY(store_find(call->tx, &q, at.key ? &at : NULL, page.limit + 1, &keys, &more));
    json_array_foreach(keys, i, rec)
    {
        const char *akid = json_string_value(json_object_get(rec, "key"));

        TRY(key_meta_view(akid, json_object_get(rec, "doc"), &item));
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
    json_decref(user);
    return rc;
}

cu_rc iam_update_access_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = iam_user_name_or_caller(call, in);
    const char *akid = json_string_value(json_object_get(in, "AccessKeyId"));
    const char *status = json_string_value(json_object_get(in, "Status"));
    json_t *user = NULL, *doc = NULL;

    if (name)
        TRY(iam_user_load(call, name, &user));
    TRY(key_load(call, name ? json_string_value(json_object_get(user, "UserName")) : "", akid,
                 &doc));
    TRY(tree_set_str(doc, "Status", status));
    TRY(store_put(call->tx, RECORD_ACCESS_KEY, "", akid, doc, STORE_REPLACE));
out:
    json_decref(user);
    json_decref(doc);
    return rc;
}

cu_rc iam_delete_access_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = iam_user_name_or_caller(call, in);
    const char *akid = json_string_value(json_object_get(in, "AccessKeyId"));
    json_t *user = NULL, *doc = NULL;

    if (name)
        TRY(iam_user_load(call, name, &user));
    TRY(key_load(call, name ? json_string_value(json_object_get(user, "UserName")) : "", akid,
                 &doc));
    TRY(store_delete(call->tx, RECORD_ACCESS_KEY, "", akid, NULL));
out:
    json_decref(user);
    json_decref(doc);
    return rc;
}
