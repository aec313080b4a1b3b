/* iam_common.c — helpers shared by the IAM handlers (see iam_common.h). */
#include "iam_common.h"

#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "iam_ops.gen.h"

void iam_user_arn(const char *account, const char *path, const char *name, char out[IAM_ARN_MAX])
{
    snprintf(out, IAM_ARN_MAX, "arn:aws:iam::%s:user%s%s", account, path ? path : "/", name);
}

const char *iam_user_name_or_caller(const struct call *call, const json_t *in)
{
    const char *name = json_string_value(json_object_get(in, "UserName"));

    if (name)
        return name;
    if (call->principal && call->principal->type == PRINCIPAL_USER)
        return call->principal->name;
    return NULL;
}

cu_rc iam_user_load(struct call *call, const char *name, json_t **doc)
{
    cu_rc rc = CU_OK;

    TRY(record_user_get(call->tx, call->env->account_id, name, doc));
    if (!*doc)
        rc = cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                        "The user with name %s cannot be found.", name);
out:
    return rc;
}

cu_rc iam_user_save(struct call *call, const json_t *user)
{
    char key[RECORD_NAME_MAX];

    record_fold(json_string_value(json_object_get(user, "UserName")), key);
    return store_put(call->tx, RECORD_USER, call->env->account_id, key, user, STORE_REPLACE);
}

cu_rc iam_page_parse(struct call *call, const json_t *in, struct iam_page *page)
{
    cu_rc rc = CU_OK;
    int64_t max = 100;
    bool present = false;

    page->marker = json_string_value(json_object_get(in, "Marker"));
    TRY(tree_opt_int(in, "MaxItems", &max, &present));
    /* The model bounds MaxItems to 1..1000 and validation has checked it. */
    page->max_items = (size_t)max;
out:
    return rc;
}

cu_rc iam_page_finish(json_t *out, bool truncated, const char *next_marker)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_bool(out, "IsTruncated", truncated));
    if (truncated && next_marker)
        TRY(tree_set_str(out, "Marker", next_marker));
out:
    return rc;
}

cu_rc iam_list_by_path(struct call *call, const json_t *in, const char *kind, iam_view_fn view,
                       const char *member, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *prefix = json_string_value(json_object_get(in, "PathPrefix"));
    struct iam_page page;
    json_t *list = json_array(), *items = NULL, *item_view = NULL;
    char last[RECORD_NAME_MAX] = "";
    bool more = true, truncated = false;

    ENSURE(list, CU_E_NOMEM);
    TRY(iam_page_parse(call, in, &page));
    if (page.marker)
        snprintf(last, sizeof(last), "%s", page.marker);
    /* Page through the store until MaxItems records pass the path filter; the marker is
     * the key of the last record looked at, so the next page starts after it. */
    while (more && !truncated) {
        size_t i;
        json_t *item;

        TRY(store_list(call->tx, kind, call->env->account_id, last[0] ? last : NULL,
                       page.max_items + 1, &items, &more));
        json_array_foreach(items, i, item)
        {
            const json_t *doc = json_object_get(item, "doc");
            const char *path = json_string_value(json_object_get(doc, "Path"));

            if (prefix && strncmp(path, prefix, strlen(prefix)) != 0) {
                snprintf(last, sizeof(last), "%s", json_string_value(json_object_get(item, "key")));
                continue;
            }
            if (json_array_size(list) == page.max_items) {
                truncated = true;
                break;
            }
            TRY(view(doc, &item_view));
            TRY(tree_append_new(list, item_view));
            item_view = NULL;
            snprintf(last, sizeof(last), "%s", json_string_value(json_object_get(item, "key")));
        }
        json_decref(items);
        items = NULL;
    }
    TRY(tree_set_new(out, member, list));
    list = NULL;
    TRY(iam_page_finish(out, truncated, last));
out:
    json_decref(items);
    json_decref(list);
    return rc;
}

void iam_set_account_target(struct call *call)
{
    snprintf(call->target.account_id, sizeof(call->target.account_id), "%s",
             call->env->account_id);
}

/* Resolver for operations on one user (UserName member, or the caller): the target ARN
 * is the user's ARN with its path when the user exists, else with the path "/". */
cu_rc iam_resolve_user(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = iam_user_name_or_caller(call, in);
    json_t *doc = NULL;

    iam_set_account_target(call);
    if (!name) {
        /* root acting on itself */
        snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:root",
                 call->env->account_id);
        goto out;
    }
    TRY(record_user_get(call->tx, call->env->account_id, name, &doc));
    if (doc) {
        snprintf(call->target.arn, sizeof(call->target.arn), "%s",
                 json_string_value(json_object_get(doc, "Arn")));
        /* the user's tags are the resource's: aws:ResourceTag/<key> (borrowed from the
         * record, which the target keeps) */
        call_keys_resource_tags(call->keys, json_object_get(doc, "Tags"));
        call->target.doc = doc;
        doc = NULL;
    } else {
        iam_user_arn(call->env->account_id, "/", name, call->target.arn);
    }
out:
    json_decref(doc);
    return rc;
}

/* Resolver for CreateUser: the ARN the new user will have. */
cu_rc iam_resolve_new_user(struct call *call, const json_t *in)
{
    const char *path = json_string_value(json_object_get(in, "Path"));
    const char *name = json_string_value(json_object_get(in, "UserName"));

    iam_set_account_target(call);
    iam_user_arn(call->env->account_id, path, name ? name : "", call->target.arn);
    return CU_OK;
}

/* Resolver for list operations over users: arn:aws:iam::<acct>:user<PathPrefix>. */
cu_rc iam_resolve_user_list(struct call *call, const json_t *in)
{
    const char *prefix = json_string_value(json_object_get(in, "PathPrefix"));

    iam_set_account_target(call);
    /* AWS authorizes ListUsers against the path prefix itself; its denials read
     * "... iam:ListUsers on resource: arn:aws:iam::111122223333:user/". */
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:user%s",
             call->env->account_id, prefix ? prefix : "/");
    return CU_OK;
}
