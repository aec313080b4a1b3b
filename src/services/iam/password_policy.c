/* password_policy.c — UpdateAccountPasswordPolicy, GetAccountPasswordPolicy,
 * DeleteAccountPasswordPolicy, and the check every new console password passes
 * (password_policy.h).
 *
 * The policy is one record per account (records.h: password_policy, key "account") under
 * AWS's member names, so GetAccountPasswordPolicy renders it through the model's
 * PasswordPolicy shape. UpdateAccountPasswordPolicy replaces the whole policy: a member the
 * request omits takes AWS's default (API reference: MinimumPasswordLength 6, every Require*
 * and AllowUsersToChangePassword false, no expiry, no reuse prevention), and ExpirePasswords
 * is computed, true exactly when MaxPasswordAge is set. The ranges (6–128, 1–1,095,
 * 1–24) are the model's and checked before the handler runs. */
#include "password_policy.h"

#include <string.h>

#include "core/tree.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

#define DEFAULT_MIN_LENGTH 6
/* AWS's default policy, in force while the account sets none */
#define FALLBACK_MIN_LENGTH 8
#define FALLBACK_CLASSES 3
/* IAM guide, id_credentials_passwords_account-policy: the characters that count as symbols */
#define SYMBOLS "!@#$%^&*()_+-=[]{}|'"

static const char *const POLICY_FLAGS[] = {
    "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
    "RequireLowercaseCharacters", "AllowUsersToChangePassword", "HardExpiry",
};

static cu_rc policy_load(struct call *call, json_t **policy)
{
    return store_get(call->tx, RECORD_PASSWORD_POLICY, call->env->account_id,
                     RECORD_PASSWORD_POLICY_KEY, policy);
}

static cu_rc policy_not_found(struct call *call)
{
    return cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                      "The Password Policy with domain name %s cannot be found.",
                      call->env->account_id);
}

cu_rc iam_update_account_password_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *policy = json_object();
    int64_t max_age = in_int(in, "MaxPasswordAge", 0);
    int64_t reuse = in_int(in, "PasswordReusePrevention", 0);

    (void)out;
    ENSURE(policy, CU_E_NOMEM);
    TRY(tree_set_int(policy, "MinimumPasswordLength",
                     in_int(in, "MinimumPasswordLength", DEFAULT_MIN_LENGTH)));
    for (size_t i = 0; i < sizeof(POLICY_FLAGS) / sizeof(POLICY_FLAGS[0]); i++)
        TRY(tree_set_bool(policy, POLICY_FLAGS[i], in_bool(in, POLICY_FLAGS[i], false)));
    TRY(tree_set_bool(policy, "ExpirePasswords", max_age > 0));
    if (max_age > 0)
        TRY(tree_set_int(policy, "MaxPasswordAge", max_age));
    if (reuse > 0)
        TRY(tree_set_int(policy, "PasswordReusePrevention", reuse));
    TRY(store_put(call->tx, RECORD_PASSWORD_POLICY, call->env->account_id,
                  RECORD_PASSWORD_POLICY_KEY, policy, STORE_UPSERT));
out:
    json_decref(policy);
    return rc;
}

cu_rc iam_get_account_password_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *policy = NULL;

    (void)in;
    TRY(policy_load(call, &policy));
    ENSURE(policy, policy_not_found(call));
    TRY(render_output(out, "iam", "GetAccountPasswordPolicy", "PasswordPolicy", policy));
out:
    json_decref(policy);
    return rc;
}

cu_rc iam_delete_account_password_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    bool existed = false;

    (void)in;
    (void)out;
    TRY(store_delete(call->tx, RECORD_PASSWORD_POLICY, call->env->account_id,
                     RECORD_PASSWORD_POLICY_KEY, &existed));
    ENSURE(existed, policy_not_found(call));
out:
    return rc;
}

/* The character classes present in pw. */
struct classes {
    bool upper, lower, digit, symbol;
};

static struct classes classes_of(const char *pw)
{
    struct classes c = {false, false, false, false};

    for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
        c.upper |= *p >= 'A' && *p <= 'Z';
        c.lower |= *p >= 'a' && *p <= 'z';
        c.digit |= *p >= '0' && *p <= '9';
        c.symbol |= *p != '\0' && strchr(SYMBOLS, *p) != NULL;
    }
    return c;
}

static bool flag(const json_t *policy, const char *name)
{
    return json_is_true(json_object_get(policy, name));
}

static bool policy_met(const json_t *policy, const char *pw)
{
    struct classes c = classes_of(pw);
    json_int_t min = json_integer_value(json_object_get(policy, "MinimumPasswordLength"));

    return (json_int_t)strlen(pw) >= min && (!flag(policy, "RequireSymbols") || c.symbol) &&
           (!flag(policy, "RequireNumbers") || c.digit) &&
           (!flag(policy, "RequireUppercaseCharacters") || c.upper) &&
           (!flag(policy, "RequireLowercaseCharacters") || c.lower);
}

static bool fallback_met(const char *pw)
{
    struct classes c = classes_of(pw);
    int n = c.upper + c.lower + c.digit + c.symbol;

    return strlen(pw) >= FALLBACK_MIN_LENGTH && n >= FALLBACK_CLASSES;
}

cu_rc iam_password_violation(struct call *call)
{
    return cu_err_set(&call->err, CU_E_IAM_PASSWORD_POLICY_VIOLATION,
                      "Password does not conform to the account password policy.");
}

cu_rc iam_password_check(struct call *call, const char *pw, int *reuse)
{
    cu_rc rc = CU_OK;
    json_t *policy = NULL;

    *reuse = 0;
    TRY(policy_load(call, &policy));
    ENSURE(policy ? policy_met(policy, pw) : fallback_met(pw), iam_password_violation(call));
    if (policy)
        *reuse = (int)json_integer_value(json_object_get(policy, "PasswordReusePrevention"));
out:
    json_decref(policy);
    return rc;
}
