/* aliases.c — KMS aliases: CreateAlias, ListAliases, DeleteAlias.
 *
 * An alias is a record ("kms_alias", keyed by its name under the account and region)
 * pointing at a key id; the store indexes aliases by that key id (records.h), which is how
 * ListAliases with KeyId finds a key's aliases without reading the others. Changing an alias needs permission on both the alias (identity policies only:
 * an alias has no policy of its own) and the key (key policy and identity policies) —
 * KMS developer guide, alias-access. kms.ops declares both: the resolver names the key
 * (call->target), the also-resolver kms_resolve_alias_name the alias (call->also), and the
 * pipeline authorizes the action on each, the key first. */
#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "store/records.h"

static cu_rc check_alias_name(struct call *call, const char *name)
{
    if (strncmp(name, "alias/", 6) != 0)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "Alias must start with the prefix \"alias/\". Please see "
                          "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
    if (strncmp(name, "alias/aws/", 10) == 0)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_ALIAS,
                          "Alias must not begin with the reserved prefix alias/aws/");
    return CU_OK;
}

/* Also-resolver of CreateAlias and DeleteAlias: the alias named by AliasName, a resource
 * of this account with no policy of its own. */
cu_rc kms_resolve_alias_name(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "AliasName"));

    TRY(check_alias_name(call, name));
    kms_alias_arn(call, name, call->also.arn);
    snprintf(call->also.account_id, sizeof(call->also.account_id), "%s", call->env->account_id);
out:
    return rc;
}

cu_rc kms_create_alias(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "AliasName"));
    struct kms_key *key = kms_target_key(call);
    char arn[KMS_ARN_MAX], scope[RECORD_NAME_MAX];
    json_t *doc = NULL;

    kms_alias_arn(call, name, arn);
    kms_scope(call, RECORD_KMS_ALIAS, scope);
    doc = json_pack("{s:s, s:s, s:s, s:I, s:I}", "AliasName", name, "AliasArn", arn,
                    "TargetKeyId", key->key_id, "CreationDate", (json_int_t)call->now_ms,
                    "LastUpdatedDate", (json_int_t)call->now_ms);
    ENSURE(doc, CU_E_NOMEM);
    rc = store_put(call->tx, RECORD_KMS_ALIAS, scope, name, doc, STORE_CREATE);
    if (rc == CU_E_STORE_EXISTS)
        rc = cu_err_set(&call->err, CU_E_KMS_ALREADY_EXISTS,
                        "An alias with the name %s already exists", arn);
out:
    json_decref(doc);
    return rc;
}

/* ListAliases entry from a stored alias. */
static json_t *alias_view(const json_t *doc)
{
    json_t *a = json_pack("{s:O, s:O, s:O}", "AliasName", json_object_get(doc, "AliasName"),
                          "AliasArn", json_object_get(doc, "AliasArn"), "TargetKeyId",
                          json_object_get(doc, "TargetKeyId"));

    if (a && (tree_set_time_ms(a, "CreationDate",
                               json_integer_value(json_object_get(doc, "CreationDate"))) ||
              tree_set_time_ms(a, "LastUpdatedDate",
                               json_integer_value(json_object_get(doc, "LastUpdatedDate"))))) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static cu_rc alias_entry_view(const char *name, const json_t *doc, void *ctx, json_t **item)
{
    (void)name, (void)ctx;
    *item = alias_view(doc);
    return *item ? CU_OK : CU_E_NOMEM;
}

static cu_rc alias_match_view(const json_t *match, void *ctx, json_t **item)
{
    (void)ctx;
    *item = alias_view(json_object_get(match, "doc"));
    return *item ? CU_OK : CU_E_NOMEM;
}

cu_rc kms_list_aliases(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *filter = NULL;
    struct page page = {0};
    char scope[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_KMS_ALIAS, RECORD_KMS_ALIAS_BY_KEY, NULL, scope};

    TRY(page_begin(call, &kms_list_aliases_page, in, &page));
    kms_scope(call, RECORD_KMS_ALIAS, scope);
    if (json_object_get(in, "KeyId")) {
        TRY(kms_key_find(call, json_string_value(json_object_get(in, "KeyId")), &filter));
        q.value = filter->key_id;
        TRY(kms_page_find(call, &page, &q, false, alias_match_view, NULL));
    } else {
        TRY(page_scan(&page, call->tx, RECORD_KMS_ALIAS, scope, alias_entry_view, NULL));
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    kms_key_unref(filter);
    return rc;
}

/* Resolver of DeleteAlias: the alias's target key. */
cu_rc kms_resolve_alias(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "AliasName"));
    struct kms_key *key = NULL;

    TRY(check_alias_name(call, name));
    TRY(kms_key_find(call, name, &key));
    kms_target_set(call, key);
out:
    return rc;
}

cu_rc kms_delete_alias(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(in, "AliasName"));
    char scope[RECORD_NAME_MAX];

    kms_scope(call, RECORD_KMS_ALIAS, scope);
    TRY(store_delete(call->tx, RECORD_KMS_ALIAS, scope, name, NULL));
out:
    return rc;
}
