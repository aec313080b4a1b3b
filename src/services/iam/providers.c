/* providers.c — what the OpenID Connect (oidc_providers.c) and SAML (saml_providers.c)
 * provider families share: both are named by ARN in every request, render their Get
 * straight from the record through the operation's output shape, carry at most 50 tags,
 * and count together as GetAccountSummary's "Providers". */
#include <stdio.h>
#include <string.h>

#include "core/tree.h"
#include "iam_common.h"
#include "iam_providers.h"

cu_rc iam_identity_provider_count(struct call *call, size_t *n)
{
    cu_rc rc = CU_OK;
    size_t oidc = 0, saml = 0;

    TRY(store_count(call->tx, RECORD_OIDC_PROVIDER, call->env->account_id, &oidc));
    TRY(store_count(call->tx, RECORD_SAML_PROVIDER, call->env->account_id, &saml));
    *n = oidc + saml;
out:
    return rc;
}

cu_rc iam_provider_render(json_t *out, const char *op, const json_t *rec,
                          const char *const *lists)
{
    cu_rc rc = CU_OK;
    const struct op_model *m = model_op(model_service("iam"), op, strlen(op));
    json_t *view = NULL;

    ENSURE(m && m->output, CU_E_INTERNAL);
    TRY(render_record(rec, m->output, &view));
    ENSURE(json_object_update(out, view) == 0, CU_E_NOMEM);
    for (size_t i = 0; lists && lists[i]; i++)
        if (!json_object_get(out, lists[i]))
            TRY(tree_set_new(out, lists[i], json_array()));
out:
    json_decref(view);
    return rc;
}

struct list_ctx {
    const struct shape *entry;
    json_t *list;
};

static cu_rc list_entry(const char *key, const json_t *doc, void *ctx)
{
    cu_rc rc = CU_OK;
    struct list_ctx *c = ctx;
    json_t *item = NULL;

    (void)key;
    TRY(render_record(doc, c->entry, &item));
    TRY(tree_append_new(c->list, item));
out:
    return rc;
}

cu_rc iam_provider_list(struct call *call, const char *store_kind, const char *op,
                        const char *member, json_t *out)
{
    cu_rc rc = CU_OK;
    struct list_ctx c = {model_list_element(model_output_shape("iam", op, member)),
                         json_array()};

    ENSURE(c.list && c.entry, c.list ? CU_E_INTERNAL : CU_E_NOMEM);
    TRY(store_each(call->tx, store_kind, call->env->account_id, list_entry, &c));
    TRY(tree_set_new(out, member, c.list));
    c.list = NULL;
out:
    json_decref(c.list);
    return rc;
}

cu_rc iam_provider_resolve(struct call *call, const struct kind *k, const char *type,
                           const char *arn)
{
    cu_rc rc = CU_OK;
    char prefix[128];
    int n = snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:%s/", call->env->account_id, type);

    iam_set_account_target(call);
    snprintf(call->target.arn, sizeof(call->target.arn), "%s", arn ? arn : "");
    ENSURE(n > 0 && (size_t)n < sizeof(prefix), CU_E_INTERNAL);
    if (!arn || strncmp(arn, prefix, (size_t)n) != 0 || !arn[n])
        goto out;
    TRY(kind_find(call, k, NULL, arn + n, &call->target.doc));
    if (call->target.doc)
        call_keys_resource_tags(call->keys, json_object_get(call->target.doc, "Tags"));
out:
    return rc;
}

cu_rc iam_provider_tag(struct call *call, json_t *rec, const json_t *tags)
{
    cu_rc rc = iam_tags_add(call, rec, tags, "TagsPerProvider");

    /* AWS words a provider's tag quota apart from the other entities' (measured on AWS by
     * LocalStack's test_open_id_connect_provider_tags_limit snapshot) */
    if (rc == CU_E_IAM_LIMIT_EXCEEDED)
        rc = cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                        "The number of tags has reached the maximum limit.");
    return rc;
}
