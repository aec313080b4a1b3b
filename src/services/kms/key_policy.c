/* key_policy.c — a KMS key's key policy: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies.
 *
 * A key has one key policy, named "default" (KMS API reference, GetKeyPolicy, PolicyName:
 * "The only valid name is default"), stored as text in the key's record (keys.c) and
 * compiled when the key is loaded (kms_key.c). PutKeyPolicy accepts a document as
 * CreateKey does (kms_policy_accept: size, syntax, and the lockout safety check unless
 * BypassPolicyLockoutSafetyCheck), then saves a copy of the cached record: the change log
 * evicts the cached key, so the next call is authorized by the new policy. */
#include <string.h>

#include "core/tree.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "policy/policy.h"
#include "services/in.h"

#define POLICY_NAME "default"

/* Only "default" names a key policy. AWS's wording for another name is not documented;
 * custos answers it as a policy that does not exist. */
static cu_rc check_name(struct call *call, const json_t *in)
{
    const char *name = in_str_or(in, "PolicyName", POLICY_NAME);

    if (strcmp(name, POLICY_NAME) != 0)
        return cu_err_set(&call->err, CU_E_KMS_NOT_FOUND, "No such policy exists: %s", name);
    return CU_OK;
}

cu_rc kms_get_key_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *doc = kms_target_key(call)->doc;

    TRY(check_name(call, in));
    TRY(tree_set_str(out, "Policy", json_string_value(json_object_get(doc, "Policy"))));
    TRY(tree_set_str(out, "PolicyName", POLICY_NAME));
out:
    return rc;
}

/* kms:BypassPolicyLockoutSafetyCheck (KMS developer guide, conditions-kms). */
void kms_put_key_policy_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "kms:BypassPolicyLockoutSafetyCheck",
                  in_bool(in, "BypassPolicyLockoutSafetyCheck", false) ? "true" : "false");
}

cu_rc kms_put_key_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    struct policy *compiled = NULL;
    json_t *doc = NULL;

    (void)out;
    TRY(check_name(call, in));
    TRY(kms_policy_accept(call, key->arn, in_str(in, "Policy"),
                          in_bool(in, "BypassPolicyLockoutSafetyCheck", false), &compiled));
    doc = json_deep_copy(key->doc);
    ENSURE(doc, CU_E_NOMEM);
    TRY(tree_set_str(doc, "Policy", in_str(in, "Policy")));
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
out:
    policy_free(compiled);
    json_decref(doc);
    return rc;
}

cu_rc kms_list_key_policies(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    size_t first = 0;

    TRY(page_begin(call, &kms_list_key_policies_page, in, &page));
    TRY(page_first_index(call, &page, &first));
    if (first == 0)
        TRY(page_add_index(&page, 0, json_string(POLICY_NAME)));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}
