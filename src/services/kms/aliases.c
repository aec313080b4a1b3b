/* aliases.c — KMS aliases: CreateAlias, UpdateAlias, ListAliases, DeleteAlias.
 *
 * An alias is a record ("kms_alias", keyed by its name under the account and region:
 * kms_kind_alias) pointing at a key id, stored under AWS's member names and listed through
 * the model's AliasListEntry shape; the store indexes aliases by that key id (records.h), which is how
 * ListAliases with KeyId finds a key's aliases without reading the others. Changing an alias needs permission on both the alias (identity policies only:
 * an alias has no policy of its own) and the key (key policy and identity policies) —
 * KMS developer guide, alias-access. kms.ops declares both: the resolver names the key
 * (call->target), the also-resolver kms_resolve_alias_name the alias (call->also), and the
 * pipeline authorizes the action on each, the key first. */
#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "services/in.h"
#include "services/render.h"
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

/* Also-resolver of CreateAlias, UpdateAlias and DeleteAlias: the alias named by AliasName, a resource
 * of this account with no policy of its own. */
cu_rc kms_resolve_alias_name(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "AliasName");

    TRY(check_alias_name(call, name));
    kms_alias_arn(call, name, call->also.arn);
    snprintf(call->also.account_id, sizeof(call->also.account_id), "%s", call->env->account_id);
out:
    return rc;
}

cu_rc kms_create_alias(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "AliasName");
    char arn[KMS_ARN_MAX];
    json_t *doc = NULL;

    (void)out;
    /* an alias may point at a disabled key, not at one pending deletion (key-state.html) */
    TRY(kms_key_check_not_pending(call, kms_target_key(call)));
    kms_alias_arn(call, name, arn);
    doc = json_pack("{s:s, s:s, s:s, s:I, s:I}", "AliasName", name, "AliasArn", arn,
                    "TargetKeyId", kms_target_key(call)->key_id, "CreationDate",
                    (json_int_t)call->now_ms, "LastUpdatedDate", (json_int_t)call->now_ms);
    ENSURE(doc, CU_E_NOMEM);
    TRY(kind_create(call, &kms_kind_alias, NULL, doc)); /* AlreadyExistsException */
out:
    json_decref(doc);
    return rc;
}

/* ListAliases entries: a stored alias rendered through AliasListEntry (ctx: the shape). */
static cu_rc alias_entry_view(const char *name, const json_t *doc, void *ctx, json_t **item)
{
    (void)name;
    return render_record(doc, ctx, item);
}

static cu_rc alias_match_view(const json_t *match, void *ctx, json_t **item)
{
    return render_record(json_object_get(match, "doc"), ctx, item);
}

cu_rc kms_list_aliases(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *filter = NULL;
    struct page page = {0};
    char scope[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_KMS_ALIAS, RECORD_KMS_ALIAS_BY_KEY, NULL, scope};
    void *entry = (void *)model_list_element(model_output_shape("kms", "ListAliases", "Aliases"));

    TRY(page_begin(call, &kms_list_aliases_page, in, &page));
    kms_scope(call, RECORD_KMS_ALIAS, scope);
    if (in_str(in, "KeyId")) {
        TRY(kms_key_find(call, in_str(in, "KeyId"), &filter));
        q.value = filter->key_id;
        TRY(kms_page_find(call, &page, &q, false, alias_match_view, entry));
    } else {
        TRY(page_scan(&page, call->tx, RECORD_KMS_ALIAS, scope, alias_entry_view, entry));
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
    const char *name = in_str(in, "AliasName");
    struct kms_key *key = NULL;

    TRY(check_alias_name(call, name));
    TRY(kms_key_find(call, name, &key));
    kms_target_set(call, key, in);
out:
    return rc;
}

/* Also-resolver of UpdateAlias, after the alias itself: the key the alias points at now
 * (KMS developer guide, alias-access: kms:UpdateAlias on the alias, on its current key
 * and on the new one). call->also holds the alias record (doc) and that key (resource),
 * for the handler. */
cu_rc kms_resolve_alias_key(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "AliasName");
    struct kms_key *key = NULL;
    json_t *doc = NULL;
    const char *target;

    TRY(kind_load(call, &kms_kind_alias, NULL, name, &doc)); /* NotFoundException */
    target = json_string_value(json_object_get(doc, "TargetKeyId"));
    ENSURE(target, CU_E_STORE);
    TRY(kms_key_by_id(call, target, &key));
    str_copy(call->also.arn, sizeof(call->also.arn), key->arn);
    str_copy(call->also.account_id, sizeof(call->also.account_id), call->env->account_id);
    call->also.resource_policy = key->policy;
    call->also.resource = key;
    call->also.pin = key;
    call->also.unpin = kms_key_unref;
    call->also.doc = doc;
    doc = NULL;
out:
    json_decref(doc);
    return rc;
}

/* UpdateAlias: the alias (call->also.doc) now names the target key, which must be of the
 * same type and key usage as the current one (call->also.resource) and not pending
 * deletion (KMS API reference, UpdateAlias). */
cu_rc kms_update_alias(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct kms_key *to = kms_target_key(call), *from = call->also.resource;
    json_t *doc = NULL;

    (void)in, (void)out;
    TRY(kms_key_check_not_pending(call, to));
    if (!json_equal(json_object_get(to->doc, "KeySpec"), json_object_get(from->doc, "KeySpec")) ||
        !json_equal(json_object_get(to->doc, "KeyUsage"), json_object_get(from->doc, "KeyUsage"))) {
        rc = cu_err_set(&call->err, CU_E_VALIDATION,
                        "%s and %s are not the same key type or do not have the same key "
                        "usage.",
                        from->arn, to->arn);
        goto out;
    }
    doc = json_deep_copy(call->also.doc);
    ENSURE(doc, CU_E_NOMEM);
    TRY(tree_set_str(doc, "TargetKeyId", to->key_id));
    TRY(tree_set_int(doc, "LastUpdatedDate", call->now_ms));
    TRY(kind_update(call, &kms_kind_alias, NULL, doc));
out:
    json_decref(doc);
    return rc;
}

/* The resolver found the alias (its key is the target) in this transaction. */
cu_rc kms_delete_alias(struct call *call, const json_t *in, json_t *out)
{
    (void)out;
    return kind_delete(call, &kms_kind_alias, NULL, in_str(in, "AliasName"));
}
