/* session_policy.c — a role session's inline and managed session policies as one policy
 * (session_policy.h). The inline one is compiled first and on its own, so its errors read
 * as IAM words them; the managed ones are read from the store (their default version's
 * document, as the identity loader reads attached policies) and their statements joined
 * to it. Called when AssumeRole issues the session (to refuse bad input) and when the
 * identity cache loads a session's policy set (to evaluate). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/principal.h"
#include "policy/policy.h"
#include "session_policy.h"
#include "store/records.h"
#include "store/store.h"

/* Append the statements of document text (an object or an array of them) to all. */
static cu_rc add_statements(const char *text, json_t *all)
{
    cu_rc rc = CU_OK;
    json_t *doc = json_loads(text, 0, NULL), *st;
    size_t i;
    json_t *item;

    ENSURE(doc, CU_E_IAM_MALFORMED_POLICY);
    st = json_object_get(doc, "Statement");
    if (json_is_array(st)) {
        json_array_foreach(st, i, item) ENSURE(json_array_append(all, item) == 0, CU_E_NOMEM);
    } else {
        ENSURE(st && json_array_append(all, st) == 0, CU_E_IAM_MALFORMED_POLICY);
    }
out:
    json_decref(doc);
    return rc;
}

/* The document of managed policy arn in account, borrowed from *doc (the caller's). */
static cu_rc managed_text(struct store_tx *tx, const char *account, const char *arn, json_t **doc,
                          const char **text, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    char prefix[64], key[RECORD_NAME_MAX];
    const char *name = strrchr(arn, '/');

    snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:policy/", account);
    ENSURE(strncmp(arn, prefix, strlen(prefix)) == 0 && name && name[1],
           cu_err_set(err, CU_E_IAM_NO_SUCH_ENTITY,
                      "Policy %s does not exist or is not attachable.", arn));
    record_fold(name + 1, key);
    TRY(store_get(tx, RECORD_MANAGED_POLICY, account, key, doc));
    ENSURE(*doc && json_string_value(json_object_get(*doc, "Arn")) &&
               strcmp(json_string_value(json_object_get(*doc, "Arn")), arn) == 0,
           cu_err_set(err, CU_E_IAM_NO_SUCH_ENTITY,
                      "Policy %s does not exist or is not attachable.", arn));
    *text = json_string_value(json_object_get(*doc, "Document"));
    ENSURE(*text, CU_E_STORE);
out:
    return rc;
}

cu_rc session_policy_compile(struct store_tx *tx, const char *account, const char *inline_text,
                             const char *policy_arns, struct policy **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct policy *one = NULL;
    json_t *all = json_array(), *doc = NULL, *joined = NULL;
    char *text = NULL, arn[PRINCIPAL_ARN_MAX];
    const char *at = policy_arns, *managed = NULL;

    *out = NULL;
    ENSURE(all, CU_E_NOMEM);
    if (inline_text[0]) {
        TRY(policy_compile(bytes_str(inline_text), POLICY_SESSION, "session-policy", &one, err));
        if (!policy_arns[0]) {
            *out = one;
            one = NULL;
            goto out;
        }
        TRY(add_statements(inline_text, all));
    }
    while (*at) {
        size_t n = strcspn(at, "\n");
        ENSURE(n < sizeof(arn), CU_E_IAM_MALFORMED_POLICY);
        memcpy(arn, at, n);
        arn[n] = '\0';
        at += n + (at[n] == '\n');
        json_decref(doc);
        doc = NULL;
        TRY(managed_text(tx, account, arn, &doc, &managed, err));
        TRY(add_statements(managed, all));
    }
    if (!json_array_size(all))
        goto out;
    joined = json_pack("{s:s, s:O}", "Version", "2012-10-17", "Statement", all);
    ENSURE(joined, CU_E_NOMEM);
    text = json_dumps(joined, JSON_COMPACT);
    ENSURE(text, CU_E_NOMEM);
    TRY(policy_compile(bytes_str(text), POLICY_SESSION, "session-policy", out, err));
out:
    policy_free(one);
    free(text);
    json_decref(joined);
    json_decref(doc);
    json_decref(all);
    return rc;
}
