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

struct by_path {
    const char *prefix; /* PathPrefix, or NULL */
    iam_view_fn view;
};

static cu_rc path_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    const struct by_path *bp = ctx;
    const char *path = json_string_value(json_object_get(doc, "Path"));

    (void)key;
    *item = NULL;
    if (bp->prefix && (!path || strncmp(path, bp->prefix, strlen(bp->prefix)) != 0))
        return CU_OK;
    return bp->view(doc, item);
}

cu_rc iam_list_by_path(struct call *call, const struct page_desc *desc, const json_t *in,
                       const char *kind, iam_view_fn view, json_t *out)
{
    cu_rc rc = CU_OK;
    struct by_path bp = {json_string_value(json_object_get(in, "PathPrefix")), view};
    struct page page = {0};

    TRY(page_begin(call, desc, in, &page));
    TRY(page_scan(&page, call->tx, kind, call->env->account_id, path_view, &bp));
    TRY(page_end(&page, out));
out:
    page_release(&page);
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
