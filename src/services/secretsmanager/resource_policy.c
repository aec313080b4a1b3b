/* resource_policy.c — a secret's resource-based policy: PutResourcePolicy,
 * GetResourcePolicy, DeleteResourcePolicy, ValidateResourcePolicy, and the compiled
 * policy the resolver hands to authorization (call->target.resource_policy).
 *
 * The policy is stored as text ("ResourcePolicy") and compiled as a resource policy
 * (Principal required) when a call on the secret is authorized, so same-account
 * principals it names are allowed as AWS allows them (AWS-NOTES §3). BlockPublicPolicy
 * (PutResourcePolicy API reference: "block resource-based policies that allow broad
 * access to the secret, for example those that use a wildcard for the principal. By
 * default, public policies aren't blocked"): custos calls a policy broad when an Allow
 * statement names the principal "*" without a condition that pins the caller's account,
 * organization, ARN or network (the keys below) — a syntactic reading, not AWS's
 * Zelkova proof. */
#include <string.h>
#include <strings.h>

#include "core/tree.h"
#include "policy/policy.h"
#include "secretsmanager.h"
#include "secretsmanager_ops.gen.h"
#include "services/in.h"

/* Condition keys whose presence keeps a "*" principal from being public. */
static const char *const narrowing[] = {
    "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:SourceAccount",    "aws:SourceArn",    "aws:SourceVpc",      "aws:SourceVpce",
    "aws:SourceIp",         "aws:userid",       "aws:username",       "aws:SourceOrgID",
};

static bool wildcard_principal(const json_t *p)
{
    const json_t *aws;
    size_t i;
    json_t *v;

    if (json_is_string(p))
        return strcmp(json_string_value(p), "*") == 0;
    aws = json_object_get(p, "AWS");
    if (json_is_string(aws))
        return strcmp(json_string_value(aws), "*") == 0;
    json_array_foreach((json_t *)aws, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), "*") == 0)
            return true;
    }
    return false;
}

static bool narrowed(const json_t *condition)
{
    const char *op, *key;
    json_t *keys, *value;

    json_object_foreach((json_t *)condition, op, keys)
    {
        json_object_foreach(keys, key, value)
        {
            for (size_t i = 0; i < ARRAY_LEN(narrowing); i++)
                if (strcasecmp(key, narrowing[i]) == 0)
                    return true;
        }
    }
    return false;
}

/* Whether a (compiled, so well-formed) policy document grants broad access. */
static bool is_public(const char *text)
{
    json_t *doc = json_loads(text, 0, NULL), *stmts, *s;
    bool found = false;
    size_t i;

    stmts = json_object_get(doc, "Statement");
    if (json_is_object(stmts)) {
        found = strcmp(json_string_value(json_object_get(stmts, "Effect")), "Allow") == 0 &&
                wildcard_principal(json_object_get(stmts, "Principal")) &&
                !narrowed(json_object_get(stmts, "Condition"));
    }
    json_array_foreach(stmts, i, s)
    {
        const char *effect = json_string_value(json_object_get(s, "Effect"));

        if (effect && strcmp(effect, "Allow") == 0 &&
            wildcard_principal(json_object_get(s, "Principal")) &&
            !narrowed(json_object_get(s, "Condition")))
            found = true;
    }
    json_decref(doc);
    return found;
}

static void policy_unpin(void *p)
{
    policy_free(p);
}

cu_rc sm_target_policy(struct call *call, const json_t *secret)
{
    cu_rc rc = CU_OK;
    const char *text = json_string_value(json_object_get(secret, "ResourcePolicy"));
    struct policy *compiled = NULL;
    struct cu_err why = {0};

    if (!text)
        return CU_OK;
    /* accepted by PutResourcePolicy, so it compiles; if it no longer does, fail closed */
    TRY(policy_compile(bytes_str(text), POLICY_RESOURCE, "resource-policy", &compiled, &why));
    call->target.resource_policy = compiled;
    call->target.pin = compiled;
    call->target.unpin = policy_unpin;
out:
    return rc;
}

bool sm_caller_may(const struct call *call, const char *action, const json_t *secret)
{
    const char *text = json_string_value(json_object_get(secret, "ResourcePolicy"));
    struct policy *compiled = NULL;
    struct cu_err why = {0};
    bool allowed;

    if (text && policy_compile(bytes_str(text), POLICY_RESOURCE, "resource-policy", &compiled,
                               &why) != CU_OK)
        return false; /* fail closed */
    allowed = call_policy_allows(call, action,
                                 json_string_value(json_object_get(secret, "ARN")), compiled);
    policy_free(compiled);
    return allowed;
}

cu_rc secretsmanager_put_resource_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *text = in_str(in, "ResourcePolicy");
    struct policy *compiled = NULL;
    struct cu_err why = {0};
    json_t *secret;

    TRY(sm_target_primary(call, true, &secret));
    ENSURE(policy_compile(bytes_str(text), POLICY_RESOURCE, "resource-policy", &compiled, &why) ==
               CU_OK,
           cu_err_set(&call->err, CU_E_SM_MALFORMED_POLICY, "%s", why.msg));
    ENSURE(!in_bool(in, "BlockPublicPolicy", false) || !is_public(text),
           cu_err_set(&call->err, CU_E_SM_PUBLIC_POLICY,
                      "The BlockPublicPolicy parameter is set to true, and the resource policy "
                      "did not prevent broad access to the secret."));
    TRY(tree_set_str(secret, "ResourcePolicy", text));
    TRY(sm_save(call, secret));
    TRY(tree_set_str(out, "ARN", json_string_value(json_object_get(secret, "ARN"))));
    TRY(tree_set_str(out, "Name", json_string_value(json_object_get(secret, "Name"))));
out:
    policy_free(compiled);
    return rc;
}

cu_rc secretsmanager_get_resource_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *text;
    json_t *secret;

    (void)in;
    TRY(sm_target(call, false, &secret));
    text = json_string_value(json_object_get(secret, "ResourcePolicy"));
    TRY(tree_set_str(out, "ARN", json_string_value(json_object_get(secret, "ARN"))));
    TRY(tree_set_str(out, "Name", json_string_value(json_object_get(secret, "Name"))));
    if (text)
        TRY(tree_set_str(out, "ResourcePolicy", text));
out:
    return rc;
}

cu_rc secretsmanager_delete_resource_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret;

    (void)in;
    TRY(sm_target_primary(call, true, &secret));
    json_object_del(secret, "ResourcePolicy");
    TRY(sm_save(call, secret));
    TRY(tree_set_str(out, "ARN", json_string_value(json_object_get(secret, "ARN"))));
    TRY(tree_set_str(out, "Name", json_string_value(json_object_get(secret, "Name"))));
out:
    return rc;
}

/* ValidateResourcePolicy: the document's syntax, and whether it grants broad access (a
 * failed check is an answer, not an error). */
cu_rc secretsmanager_validate_resource_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *text = in_str(in, "ResourcePolicy");
    struct policy *compiled = NULL;
    struct cu_err why = {0};
    json_t *errors = json_array();

    ENSURE(errors, CU_E_NOMEM);
    if (in_str(in, "SecretId")) {
        json_t *secret = NULL;

        TRY(sm_find(call, in_str(in, "SecretId"), &secret));
        rc = sm_check_secret(call, secret, false);
        json_decref(secret);
        TRY(rc);
    }
    if (policy_compile(bytes_str(text), POLICY_RESOURCE, "resource-policy", &compiled, &why) !=
        CU_OK)
        TRY(tree_append_new(errors, json_pack("{s:s, s:s}", "CheckName", "SYNTAX_CHECKING",
                                              "ErrorMessage", why.msg)));
    else if (is_public(text))
        TRY(tree_append_new(errors, json_pack("{s:s, s:s}", "CheckName",
                                              "PUBLIC_ACCESS_CHECKING", "ErrorMessage",
                                              "The resource policy grants broad access to the "
                                              "secret.")));
    TRY(tree_set_bool(out, "PolicyValidationPassed", json_array_size(errors) == 0));
    TRY(tree_set_new(out, "ValidationErrors", errors));
    errors = NULL;
out:
    policy_free(compiled);
    json_decref(errors);
    return rc;
}
