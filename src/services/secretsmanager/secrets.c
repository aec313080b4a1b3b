/* secrets.c — secrets as resources: CreateSecret, DescribeSecret, UpdateSecret,
 * DeleteSecret, RestoreSecret, ListSecrets, TagResource, UntagResource.
 *
 * Deletion (DeleteSecret API reference): a recovery window of 7 to 30 days (30 unless
 * given) sets DeletedDate to its end; meanwhile the secret is described and listed (with
 * IncludePlannedDeletion) but refuses its other operations, and RestoreSecret clears it;
 * when the window ends the sweep (secret_kinds.c, run by server/key_sweeper.c) deletes it.
 * ForceDeleteWithoutRecovery deletes it at once. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/tree.h"
#include "model/model.h"
#include "secretsmanager.h"
#include "secretsmanager_ops.gen.h"
#include "services/in.h"
#include "services/page.h"
#include "services/render.h"
#include "store/records.h"

#define DAY_MS (24LL * 3600 * 1000)
#define SM_MAX_TAGS 50

/* out gets the members of the operation's output shape that view holds. */
static cu_rc render_op(json_t *out, const char *op, const json_t *view)
{
    cu_rc rc = CU_OK;
    const struct op_model *m = model_op(model_service("secretsmanager"), op, strlen(op));
    json_t *r = NULL;

    ENSURE(m && m->output, CU_E_INTERNAL);
    TRY(render_record(view, m->output, &r));
    ENSURE(json_object_update(out, r) == 0, CU_E_NOMEM);
out:
    json_decref(r);
    return rc;
}

/* The version id -> labels map (VersionIdsToStages, SecretVersionsToStages); deprecated
 * versions are not in it. */
static json_t *stages_map(const json_t *secret)
{
    json_t *map = json_object(), *v;
    size_t i;

    json_array_foreach(json_object_get(secret, "Versions"), i, v)
    {
        json_t *stages = json_object_get(v, "VersionStages");

        if (map && json_array_size(stages))
            json_object_set(map, json_string_value(json_object_get(v, "VersionId")), stages);
    }
    return map;
}

/* The record as DescribeSecret and ListSecrets show it. */
static json_t *secret_view(const json_t *secret, const char *map_member)
{
    json_t *view = json_copy((json_t *)secret);

    if (view) {
        json_object_del(view, "Versions");
        json_object_set_new(view, map_member, stages_map(secret));
        if (json_array_size(json_object_get(view, "Tags")) == 0)
            json_object_del(view, "Tags");
    }
    return view;
}

/* Secret names (CreateSecret API reference, Name): "The secret name can contain ASCII
 * letters, numbers, and the following characters: /_+=.@-". */
static cu_rc check_name(struct call *call, const char *name)
{
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("/_+=.@-", *p)))
            return cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                              "Invalid name. Must be a valid name containing alphanumeric "
                              "characters, or any of the following: -/_+=.@!");
    return CU_OK;
}

static cu_rc check_tags(struct call *call, const json_t *tags, size_t already)
{
    if (json_array_size(tags) + already > SM_MAX_TAGS)
        return cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                          "Number of tags exceeds the limit of %d.", SM_MAX_TAGS);
    return CU_OK;
}

static cu_rc answer_arn_name(json_t *out, const json_t *secret)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_str(out, "ARN", json_string_value(json_object_get(secret, "ARN"))));
    TRY(tree_set_str(out, "Name", json_string_value(json_object_get(secret, "Name"))));
out:
    return rc;
}

/* A CreateSecret whose name is taken: its token repeated with the same value is the same
 * request (CreateSecret API reference, ClientRequestToken); a name scheduled for deletion
 * is refused as such. */
static cu_rc create_again(struct call *call, const json_t *in, json_t *old, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *token = in_str(in, "ClientRequestToken");
    json_t *version = token ? sm_version_by_id(old, token) : NULL;
    bool same = false;

    if (json_object_get(old, "DeletedDate"))
        return cu_err_set(&call->err, CU_E_SM_INVALID_REQUEST,
                          "You can't create this secret because a secret with this name is "
                          "already scheduled for deletion.");
    if (version) {
        TRY(sm_same_value(call, old, version, in, &same));
        ENSURE(same, cu_err_set(&call->err, CU_E_SM_EXISTS,
                                "You can't modify an existing version, you can only create a new "
                                "version."));
        TRY(answer_arn_name(out, old));
        TRY(tree_set_str(out, "VersionId", token));
        goto out;
    }
    rc = cu_err_set(&call->err, CU_E_SM_EXISTS,
                    "The operation failed because the secret %s already exists.",
                    in_str(in, "Name"));
out:
    return rc;
}

cu_rc secretsmanager_create_secret(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "Name");
    const json_t *tags = in_list(in, "Tags");
    json_t *secret = NULL, *old = NULL;
    char vid[65];
    bool has_value;

    TRY(check_name(call, name));
    TRY(sm_check_value(call, in, &has_value));
    TRY(check_tags(call, tags, 0));
    TRY(kind_find(call, &sm_kind_secret, NULL, name, &old));
    if (old && sm_is_deleted(old, call->now_ms)) {
        TRY(kind_remove(call, &sm_kind_secret, NULL, old)); /* not swept yet */
        json_decref(old);
        old = NULL;
    }
    if (old) {
        rc = create_again(call, in, old, out);
        goto out;
    }
    secret = json_pack("{s:s, s:s, s:I, s:I, s:o, s:[]}", "Name", name, "ARN", call->target.arn,
                       "CreatedDate", (json_int_t)call->now_ms, "LastChangedDate",
                       (json_int_t)call->now_ms, "Tags", tags ? json_deep_copy(tags) : json_array(), "Versions");
    ENSURE(secret, CU_E_NOMEM);
    if (in_str(in, "Description"))
        TRY(tree_set_str(secret, "Description", in_str(in, "Description")));
    if (in_str(in, "KmsKeyId"))
        TRY(tree_set_str(secret, "KmsKeyId", in_str(in, "KmsKeyId")));
    if (has_value) {
        TRY(sm_version_id(in, vid));
        TRY(sm_add_version(call, secret, in, vid, NULL));
        TRY(tree_set_str(out, "VersionId", vid));
    }
    TRY(kind_create(call, &sm_kind_secret, NULL, secret));
    if (in_list(in, "AddReplicaRegions")) {
        TRY(sm_add_replicas(call, secret, in_list(in, "AddReplicaRegions"),
                            in_bool(in, "ForceOverwriteReplicaSecret", false)));
        TRY(tree_set_new(out, "ReplicationStatus",
                         json_deep_copy(json_object_get(secret, "ReplicationStatus"))));
    }
    TRY(answer_arn_name(out, secret));
out:
    json_decref(old);
    json_decref(secret);
    return rc;
}

cu_rc secretsmanager_describe_secret(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret, *view = NULL;

    (void)in;
    TRY(sm_target(call, false, &secret));
    view = secret_view(secret, "VersionIdsToStages");
    ENSURE(view, CU_E_NOMEM);
    TRY(render_op(out, "DescribeSecret", view));
out:
    json_decref(view);
    return rc;
}

cu_rc secretsmanager_update_secret(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret, *version;
    char vid[65];
    bool has_value, same = false;

    TRY(sm_target_primary(call, true, &secret));
    TRY(sm_check_value(call, in, &has_value));
    if (in_str(in, "Description"))
        TRY(tree_set_str(secret, "Description", in_str(in, "Description")));
    if (in_str(in, "KmsKeyId"))
        TRY(tree_set_str(secret, "KmsKeyId", in_str(in, "KmsKeyId")));
    if (has_value) {
        TRY(sm_version_id(in, vid));
        version = sm_version_by_id(secret, vid);
        if (version && json_object_get(version, "Sealed")) { /* else a rotation's placeholder */
            TRY(sm_same_value(call, secret, version, in, &same));
            ENSURE(same, cu_err_set(&call->err, CU_E_SM_EXISTS,
                                    "You can't modify an existing version, you can only create "
                                    "a new version."));
        } else {
            TRY(sm_add_version(call, secret, in, vid, NULL));
        }
        TRY(tree_set_str(out, "VersionId", vid));
    }
    TRY(tree_set_int(secret, "LastChangedDate", call->now_ms));
    TRY(sm_save(call, secret));
    TRY(answer_arn_name(out, secret));
out:
    return rc;
}

cu_rc secretsmanager_delete_secret(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    bool force = in_bool(in, "ForceDeleteWithoutRecovery", false);
    bool windowed = json_object_get(in, "RecoveryWindowInDays") != NULL;
    int64_t days = in_int(in, "RecoveryWindowInDays", 30);
    json_t *secret;

    TRY(sm_target_primary(call, false, &secret));
    /* a primary goes only once its replicas have been removed */
    TRY(sm_check_no_replicas(call, secret));
    ENSURE(!(force && windowed),
           cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                      "You can't use ForceDeleteWithoutRecovery in conjunction with "
                      "RecoveryWindowInDays."));
    ENSURE(days >= 7 && days <= 30,
           cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                      "The RecoveryWindowInDays value must be between 7 and 30 days "
                      "(inclusive)."));
    TRY(answer_arn_name(out, secret));
    if (force) {
        TRY(tree_set_time_ms(out, "DeletionDate", call->now_ms));
        TRY(kind_remove(call, &sm_kind_secret, NULL, secret));
        goto out;
    }
    ENSURE(!json_object_get(secret, "DeletedDate"),
           cu_err_set(&call->err, CU_E_SM_INVALID_REQUEST,
                      "You can't perform this operation on the secret because it was marked "
                      "for deletion."));
    TRY(tree_set_int(secret, "DeletedDate", call->now_ms + days * DAY_MS));
    TRY(kind_update(call, &sm_kind_secret, NULL, secret));
    TRY(tree_set_time_ms(out, "DeletionDate", call->now_ms + days * DAY_MS));
out:
    return rc;
}

cu_rc secretsmanager_restore_secret(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret;

    (void)in;
    TRY(sm_target_primary(call, false, &secret));
    json_object_del(secret, "DeletedDate");
    TRY(sm_save(call, secret));
    TRY(answer_arn_name(out, secret));
out:
    return rc;
}

cu_rc secretsmanager_tag_resource(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *add = in_list(in, "Tags");
    json_t *secret, *tags, *t, *have;
    size_t i, j;

    (void)out;
    TRY(sm_target_primary(call, true, &secret));
    tags = json_object_get(secret, "Tags");
    json_array_foreach((json_t *)add, i, t)
    {
        const char *key = json_string_value(json_object_get(t, "Key"));
        bool replaced = false;

        json_array_foreach(tags, j, have)
        {
            if (key && strcmp(json_string_value(json_object_get(have, "Key")), key) == 0) {
                json_array_set(tags, j, t);
                replaced = true;
            }
        }
        if (!replaced)
            ENSURE(json_array_append(tags, t) == 0, CU_E_NOMEM);
    }
    TRY(check_tags(call, tags, 0));
    TRY(sm_save(call, secret));
out:
    return rc;
}

cu_rc secretsmanager_untag_resource(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *keys = in_list(in, "TagKeys");
    json_t *secret, *tags, *k;
    size_t i;

    (void)out;
    TRY(sm_target_primary(call, true, &secret));
    tags = json_object_get(secret, "Tags");
    json_array_foreach((json_t *)keys, i, k)
    {
        for (size_t j = 0; j < json_array_size(tags); j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(tags, j), "Key")),
                       json_string_value(k)) == 0)
                json_array_remove(tags, j--);
    }
    TRY(sm_save(call, secret));
out:
    return rc;
}

/* --- ListSecrets --- */

/* One filter value against one attribute (ListSecrets API reference, Filter: name,
 * description, tag-key and tag-value match "as a prefix"; name and description "not
 * case-sensitive"; "all" any of them). */
static bool prefix_of(const char *value, const char *attr, bool fold)
{
    size_t n = strlen(value);

    return attr && (fold ? strncasecmp(attr, value, n) == 0 : strncmp(attr, value, n) == 0);
}

static bool tags_match(const json_t *tags, const char *member, const char *value, bool fold)
{
    size_t i;
    json_t *t;

    json_array_foreach((json_t *)tags, i, t)
    {
        if (prefix_of(value, json_string_value(json_object_get(t, member)), fold))
            return true;
    }
    return false;
}

static bool value_matches(const json_t *secret, const char *key, const char *value)
{
    const char *name = json_string_value(json_object_get(secret, "Name"));
    const char *desc = json_string_value(json_object_get(secret, "Description"));
    const json_t *tags = json_object_get(secret, "Tags");

    if (strcmp(key, "name") == 0)
        return prefix_of(value, name, true);
    if (strcmp(key, "description") == 0)
        return prefix_of(value, desc, true);
    if (strcmp(key, "tag-key") == 0)
        return tags_match(tags, "Key", value, false);
    if (strcmp(key, "tag-value") == 0)
        return tags_match(tags, "Value", value, false);
    if (strcmp(key, "all") == 0)
        return prefix_of(value, name, true) || prefix_of(value, desc, true) ||
               tags_match(tags, "Key", value, true) || tags_match(tags, "Value", value, true);
    return false; /* primary-region, owning-service: no custos secret has either */
}

/* A filter holds when any of its values matches; "!v" matches what v does not. Every
 * filter must hold. */
static bool filters_match(const json_t *secret, const json_t *filters)
{
    size_t i, j;
    json_t *f, *v;

    json_array_foreach((json_t *)filters, i, f)
    {
        const char *key = json_string_value(json_object_get(f, "Key"));
        bool any = false;

        json_array_foreach(json_object_get(f, "Values"), j, v)
        {
            const char *value = json_string_value(v);

            if (value[0] == '!' ? !value_matches(secret, key, value + 1)
                                : value_matches(secret, key, value))
                any = true;
        }
        if (!any)
            return false;
    }
    return true;
}

struct list_ctx {
    const json_t *filters;
    bool planned;
    int64_t now_ms;
    json_t *found;
};

static cu_rc collect(const char *key, const json_t *doc, void *ctx)
{
    struct list_ctx *l = ctx;

    (void)key;
    if (sm_is_deleted(doc, l->now_ms) || (!l->planned && json_object_get(doc, "DeletedDate")))
        return CU_OK;
    if (!filters_match(doc, l->filters))
        return CU_OK;
    return json_array_append(l->found, (json_t *)doc) == 0 ? CU_OK : CU_E_NOMEM;
}

cu_rc sm_list_matching(struct call *call, const json_t *filters, bool planned, json_t **found)
{
    cu_rc rc = CU_OK;
    struct list_ctx l = {filters, planned, call->now_ms, json_array()};
    char scope[RECORD_NAME_MAX];

    ENSURE(l.found, CU_E_NOMEM);
    store_scope(RECORD_SECRET, call->env->account_id, call->region, NULL, scope);
    TRY(store_each(call->tx, RECORD_SECRET, scope, collect, &l));
    *found = l.found;
    l.found = NULL;
out:
    json_decref(l.found);
    return rc;
}

/* -1, 0 or 1 as secret a's `member` sorts before, with or after b's (timestamps as
 * numbers, the name as text; a missing date first). */
static int compare(const json_t *a, const json_t *b, const char *member)
{
    const json_t *x = json_object_get(a, member), *y = json_object_get(b, member);

    if (json_is_string(x) || json_is_string(y))
        return strcmp(json_string_value(x) ? json_string_value(x) : "",
                      json_string_value(y) ? json_string_value(y) : "");
    return (json_integer_value(x) > json_integer_value(y)) -
           (json_integer_value(x) < json_integer_value(y));
}

/* SortBy (created-date unless given) and SortOrder (desc unless given; the API reference
 * says only "Secrets are listed by CreatedDate"). A stable insertion sort: the store hands
 * secrets in name order, which stays the order among equals. */
static void sort_secrets(json_t **v, size_t n, const char *by, bool asc)
{
    const char *member = strcmp(by, "name") == 0                 ? "Name"
                         : strcmp(by, "last-accessed-date") == 0 ? "LastAccessedDate"
                         : strcmp(by, "last-changed-date") == 0  ? "LastChangedDate"
                                                                 : "CreatedDate";

    for (size_t i = 1; i < n; i++) {
        json_t *x = v[i];
        size_t j = i;

        while (j > 0 && (asc ? compare(v[j - 1], x, member) : compare(x, v[j - 1], member)) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

cu_rc secretsmanager_list_secrets(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    const struct shape *entry =
        model_list_element(model_output_shape("secretsmanager", "ListSecrets", "SecretList"));
    json_t **v = NULL, *view = NULL, *item = NULL, *found = NULL;
    size_t n, first;

    TRY(page_begin(call, &secretsmanager_list_secrets_page, in, &page));
    TRY(sm_list_matching(call, in_list(in, "Filters"), in_bool(in, "IncludePlannedDeletion", false),
                         &found));
    n = json_array_size(found);
    v = calloc(n + 1, sizeof(*v));
    ENSURE(v, CU_E_NOMEM);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(found, i);
    sort_secrets(v, n, in_str_or(in, "SortBy", "created-date"),
                 strcmp(in_str_or(in, "SortOrder", "desc"), "asc") == 0);
    TRY(page_first_index(call, &page, &first));
    for (size_t i = first; i < n && !page_full(&page); i++) {
        view = secret_view(v[i], "SecretVersionsToStages");
        ENSURE(view, CU_E_NOMEM);
        TRY(render_record(view, entry, &item));
        json_decref(view);
        view = NULL;
        TRY(page_add_index(&page, i, item));
        item = NULL;
    }
    TRY(page_end(&page, out));
out:
    json_decref(view);
    json_decref(item);
    free(v);
    json_decref(found);
    page_release(&page);
    return rc;
}
