/* iam_common.c — helpers shared by the IAM handlers (see iam_common.h), and the user
 * resolvers. A user resolver loads the user it authorizes into call->target.doc, in the
 * call's own transaction, and the handler acts on that record (iam_target_user): each user
 * is loaded once per request. */
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
    const char *name = in_str(in, "UserName");

    if (name)
        return name;
    if (call->principal && call->principal->type == PRINCIPAL_USER)
        return call->principal->name;
    return NULL;
}

cu_rc iam_target_user(struct call *call, const json_t *in, json_t **user)
{
    return kind_target(call, &iam_kind_user, iam_user_name_or_caller(call, in), user);
}

cu_rc iam_user_load(struct call *call, const char *name, json_t **doc)
{
    return kind_load(call, &iam_kind_user, NULL, name, doc);
}

cu_rc iam_user_save(struct call *call, const json_t *user)
{
    return kind_update(call, &iam_kind_user, NULL, user);
}

const struct shape *iam_page_item_shape(const struct page_desc *desc)
{
    return model_list_element(model_output_shape("iam", desc->op, desc->result_key));
}

struct by_path {
    const char *prefix;        /* PathPrefix, or NULL */
    const struct shape *item;  /* what each record is rendered as */
};

static cu_rc path_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    const struct by_path *bp = ctx;
    const char *path = json_string_value(json_object_get(doc, "Path"));

    (void)key;
    *item = NULL;
    if (bp->prefix && (!path || strncmp(path, bp->prefix, strlen(bp->prefix)) != 0))
        return CU_OK;
    return render_record(doc, bp->item, item);
}

cu_rc iam_list_by_path(struct call *call, const struct page_desc *desc, const json_t *in,
                       const char *kind, json_t *out)
{
    cu_rc rc = CU_OK;
    struct by_path bp = {in_str(in, "PathPrefix"), iam_page_item_shape(desc)};
    struct page page = {0};

    TRY(page_begin(call, desc, in, &page));
    if (bp.prefix) {
        /* the path index holds exactly the records whose Path starts with the prefix */
        struct store_lookup q = {.kind = kind, .index = RECORD_BY_PATH, .value = bp.prefix,
                                 .within = call->env->account_id};
        TRY(page_find(&page, call->tx, &q, true, path_view, &bp));
    } else {
        TRY(page_scan(&page, call->tx, kind, call->env->account_id, path_view, &bp));
    }
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
 * is the user's ARN with its path when the user exists, else with the path "/". The user's
 * record stays in call->target.doc for the handler (iam_target_user). */
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
    TRY(kind_find(call, &iam_kind_user, NULL, name, &doc));
    if (doc) {
        snprintf(call->target.arn, sizeof(call->target.arn), "%s",
                 json_string_value(json_object_get(doc, "Arn")));
        /* the user's tags are the resource's: aws:ResourceTag/<key> (borrowed from the
         * record, which the target keeps; authorization reads them before the handler may
         * change the record) */
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
    iam_set_account_target(call);
    iam_user_arn(call->env->account_id, in_str(in, "Path"), in_str_or(in, "UserName", ""),
                 call->target.arn);
    return CU_OK;
}

/* Resolver for list operations over users: arn:aws:iam::<acct>:user<PathPrefix>. */
cu_rc iam_resolve_user_list(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    /* AWS authorizes ListUsers against the path prefix itself; its denials read
     * "... iam:ListUsers on resource: arn:aws:iam::111122223333:user/". */
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:user%s",
             call->env->account_id, in_str_or(in, "PathPrefix", "/"));
    return CU_OK;
}
