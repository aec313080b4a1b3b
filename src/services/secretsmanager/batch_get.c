/* batch_get.c — BatchGetSecretValue (Secrets Manager API reference): up to 20 secrets,
 * named by SecretIdList or chosen by Filters (one of the two), each answered as
 * GetSecretValue answers it or, when it cannot be, an entry of Errors {SecretId,
 * ErrorCode, Message} while the others are still returned. "Required permissions:
 * secretsmanager:BatchGetSecretValue, and you must have secretsmanager:GetSecretValue for
 * each secret. If you use filters, you must also have secretsmanager:ListSecrets": the
 * pipeline authorizes the first; the others are judged here against the caller's policies
 * and the secret's resource policy (sm_caller_may), per secret. Filters page by MaxResults (1 to 20) and NextToken;
 * the model gives BatchGetSecretValue no paginator, so its page is declared here. */
#include <string.h>

#include "core/tree.h"
#include "secretsmanager.h"
#include "secretsmanager_ops.gen.h"
#include "services/in.h"
#include "services/page.h"

static const struct page_desc batch_page = {
    .op = "BatchGetSecretValue",
    .input_token = "NextToken",
    .limit_key = "MaxResults",
    .output_token = "NextToken",
    .result_key = "SecretValues",
    .limit_default = 20,
    .limit_max = 20,
    .bad_marker = CU_E_SM_INVALID_NEXT_TOKEN,
    .bad_marker_message = "The NextToken value is invalid.",
};

/* Append {SecretId, ErrorCode, Message} for the error now in call->err, and clear it. */
static cu_rc add_error(struct call *call, json_t *errors, const char *id)
{
    json_t *e = json_pack("{s:s, s:s, s:s}", "SecretId", id, "ErrorCode",
                          cu_code_name(call->err.code, true), "Message", call->err.msg);

    cu_err_clear(&call->err);
    return tree_append_new(errors, e);
}

/* One secret's entry, or its error. Failures other than the secret's own (memory, the
 * store) fail the whole call. */
static cu_rc one(struct call *call, json_t *secret, const char *id, json_t **entry,
                 json_t *errors)
{
    cu_rc rc = CU_OK;
    *entry = json_object();
    ENSURE(*entry, CU_E_NOMEM);
    if (secret && !sm_caller_may(call, "secretsmanager:GetSecretValue", secret)) {
        rc = cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                        "User: %s is not authorized to perform: secretsmanager:GetSecretValue on "
                        "resource: %s", call->principal->arn, id);
    } else {
        rc = sm_check_secret(call, secret, true);
        if (rc == CU_OK)
            rc = sm_read_value(call, secret, NULL, NULL, *entry);
    }
    if (rc == CU_E_NOMEM || rc == CU_E_STORE || rc == CU_E_STORE_CONFLICT || rc == CU_E_INTERNAL)
        goto out;
    if (rc != CU_OK) {
        json_decref(*entry);
        *entry = NULL;
        rc = add_error(call, errors, id);
    }
out:
    return rc;
}

static cu_rc by_list(struct call *call, const json_t *ids, json_t *values, json_t *errors)
{
    cu_rc rc = CU_OK;
    json_t *secret = NULL, *entry = NULL, *id;
    size_t i;

    json_array_foreach((json_t *)ids, i, id)
    {
        TRY(sm_find(call, json_string_value(id), &secret));
        TRY(one(call, secret, json_string_value(id), &entry, errors));
        if (entry)
            TRY(tree_append_new(values, entry));
        entry = NULL;
        json_decref(secret);
        secret = NULL;
    }
out:
    json_decref(entry);
    json_decref(secret);
    return rc;
}

static cu_rc by_filters(struct call *call, const json_t *in, json_t *out, json_t *errors)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    json_t *found = NULL, *entry = NULL;
    size_t first;

    ENSURE(call_policy_allows(call, "secretsmanager:ListSecrets", "*", NULL),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: secretsmanager:ListSecrets",
                      call->principal->arn));
    TRY(page_begin(call, &batch_page, in, &page));
    TRY(sm_list_matching(call, in_list(in, "Filters"), false, &found));
    TRY(page_first_index(call, &page, &first));
    for (size_t i = first; i < json_array_size(found) && !page_full(&page); i++) {
        json_t *secret = json_array_get(found, i);

        TRY(one(call, secret, json_string_value(json_object_get(secret, "ARN")), &entry, errors));
        TRY(page_add_index(&page, i, entry ? entry : json_null()));
        entry = NULL;
    }
    TRY(page_end(&page, out));
    /* a secret answered by an error holds its place in the page, not in SecretValues */
    for (size_t i = 0; i < json_array_size(json_object_get(out, "SecretValues"));)
        if (json_is_null(json_array_get(json_object_get(out, "SecretValues"), i)))
            json_array_remove(json_object_get(out, "SecretValues"), i);
        else
            i++;
out:
    json_decref(entry);
    json_decref(found);
    page_release(&page);
    return rc;
}

cu_rc secretsmanager_batch_get_secret_value(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *ids = in_list(in, "SecretIdList"), *filters = in_list(in, "Filters");
    json_t *values = NULL, *errors = json_array();

    ENSURE(errors, CU_E_NOMEM);
    ENSURE(!ids != !filters,
           cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                      "You must include Filters or SecretIdList, but not both."));
    ENSURE(!ids || !json_object_get(in, "MaxResults"),
           cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                      "To use MaxResults, you must also use the Filters parameter."));
    if (ids) {
        values = json_array();
        ENSURE(values, CU_E_NOMEM);
        TRY(by_list(call, ids, values, errors));
        TRY(tree_set_new(out, "SecretValues", values));
        values = NULL;
    } else {
        TRY(by_filters(call, in, out, errors));
    }
    TRY(tree_set_new(out, "Errors", errors));
    errors = NULL;
out:
    json_decref(values);
    json_decref(errors);
    return rc;
}
