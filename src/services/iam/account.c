/* account.c — the account itself: CreateAccountAlias, ListAccountAliases,
 * DeleteAccountAlias, GetAccountSummary and SetSecurityTokenServicePreferences.
 *
 * The account's settings are one record per account (records.h: account_settings, key
 * "account") holding AccountAlias and GlobalEndpointTokenVersion; an absent record or
 * member is AWS's default (no alias, v1 tokens). GetAccountSummary counts what the store
 * holds at the time of the call (in the call's read transaction) beside AWS's default
 * quotas; a resource custos does not keep yet (server certificates, signing
 * certificates) is a true 0, since none can exist. */
#include <string.h>

#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_credentials.h"
#include "iam_ops.gen.h"
#include "iam_providers.h"
#include "mfa_devices.h"

static cu_rc settings_load(struct call *call, json_t **doc)
{
    return store_get(call->tx, RECORD_ACCOUNT_SETTINGS, call->env->account_id,
                     RECORD_ACCOUNT_SETTINGS_KEY, doc);
}

static cu_rc settings_save(struct call *call, json_t *doc)
{
    return store_put(call->tx, RECORD_ACCOUNT_SETTINGS, call->env->account_id,
                     RECORD_ACCOUNT_SETTINGS_KEY, doc, STORE_UPSERT);
}

/* The settings record, or a new empty one when the account has none yet. */
static cu_rc settings_load_or_new(struct call *call, json_t **doc)
{
    cu_rc rc = CU_OK;

    TRY(settings_load(call, doc));
    if (!*doc)
        ENSURE(*doc = json_object(), CU_E_NOMEM);
out:
    return rc;
}

/* The model's alias pattern, ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$, uses a lookahead
 * POSIX regcomp cannot express, so proto/pattern.c lets every value through it: the rule
 * is checked here (lowercase letters, digits and single dashes, a letter or digit at both
 * ends; the model has checked the length, 3-63), in the validator's words. */
static bool alias_ok(const char *a)
{
    size_t n = strlen(a);

    if (n < 2 || a[0] == '-' || a[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        bool alnum = (a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '0' && a[i] <= '9');

        if (!alnum && (a[i] != '-' || a[i + 1] == '-'))
            return false;
    }
    return true;
}

/* Sign-In guide, CreateAccountAlias: an account has at most one alias, and creating a new
 * one replaces the previous alias; creating the alias the account already has succeeds.
 * (EntityAlreadyExists is AWS's answer for an alias another account holds: custos serves
 * one account, so no alias can be taken elsewhere.) */
cu_rc iam_create_account_alias(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *alias = in_str(in, "AccountAlias");
    json_t *doc = NULL;

    (void)out;
    ENSURE(alias_ok(alias),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "1 validation error detected: Value '%s' at 'accountAlias' failed to "
                      "satisfy constraint: Member must satisfy regular expression pattern: "
                      "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", alias));
    TRY(settings_load_or_new(call, &doc));
    TRY(tree_set_str(doc, "AccountAlias", alias));
    TRY(settings_save(call, doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_list_account_aliases(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    json_t *doc = NULL;
    const char *alias;
    size_t i;

    TRY(page_begin(call, &iam_list_account_aliases_page, in, &page));
    TRY(settings_load(call, &doc));
    alias = json_string_value(json_object_get(doc, "AccountAlias"));
    /* a list of at most one: its position is an index, as for any in-memory list */
    TRY(page_first_index(call, &page, &i));
    if (alias && i == 0) {
        json_t *item = json_string(alias);

        ENSURE(item, CU_E_NOMEM);
        TRY(page_add_index(&page, 0, item)); /* steals item */
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    json_decref(doc);
    return rc;
}

cu_rc iam_delete_account_alias(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "AccountAlias"), *alias;
    json_t *doc = NULL;

    (void)out;
    TRY(settings_load(call, &doc));
    alias = json_string_value(json_object_get(doc, "AccountAlias"));
    ENSURE(alias && strcmp(alias, name) == 0,
           cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                      "The account alias %s cannot be found.", name));
    json_object_del(doc, "AccountAlias");
    TRY(settings_save(call, doc));
out:
    json_decref(doc);
    return rc;
}

/* SetSecurityTokenServicePreferences: the version of the tokens STS's global endpoint
 * issues (v1Token: valid only in regions enabled by default; v2Token: in all regions).
 * custos keeps the choice and reports it in GetAccountSummary; its tokens are the same in
 * every region either way. */
cu_rc iam_set_security_token_service_preferences(struct call *call, const json_t *in,
                                                 json_t *out)
{
    cu_rc rc = CU_OK;
    const char *version = in_str(in, "GlobalEndpointTokenVersion");
    json_t *doc = NULL;

    (void)out;
    TRY(settings_load_or_new(call, &doc));
    TRY(tree_set_int(doc, "GlobalEndpointTokenVersion", strcmp(version, "v2Token") == 0 ? 2 : 1));
    TRY(settings_save(call, doc));
out:
    json_decref(doc);
    return rc;
}

/* AWS's default quotas as GetAccountSummary reports them (API reference, GetAccountSummary
 * example; IAM guide, reference_iam-quotas). */
static const struct {
    const char *key;
    json_int_t value;
} QUOTAS[] = {
    {"UsersQuota", 5000},
    {"GroupsQuota", 300},
    {"RolesQuota", 1000},
    {"PoliciesQuota", 1500},
    {"InstanceProfilesQuota", 1000},
    {"ServerCertificatesQuota", 20},
    {"AccessKeysPerUserQuota", 2},
    {"SigningCertificatesPerUserQuota", 2},
    {"GroupsPerUserQuota", 10},
    {"AttachedPoliciesPerUserQuota", 10},
    {"AttachedPoliciesPerGroupQuota", 10},
    {"AttachedPoliciesPerRoleQuota", 10},
    {"UserPolicySizeQuota", 2048},
    {"GroupPolicySizeQuota", 5120},
    {"RolePolicySizeQuota", 10240},
    {"AssumeRolePolicySizeQuota", 2048},
    {"PolicySizeQuota", 6144},
    {"VersionsPerPolicyQuota", 5},
    {"PolicyVersionsInUseQuota", 10000},
};

/* What custos cannot hold yet, so the count is 0 by construction, not by assumption:
 * there is no operation that creates any of these. */
static const char *const NONE_YET[] = {
    "AccountMFAEnabled",
};

/* The counts of account-scoped kinds, by summary key. */
static const struct {
    const char *key;
    const char *kind;
} COUNTED[] = {
    {"Users", RECORD_USER},
    {"Groups", RECORD_GROUP},
    {"Roles", RECORD_ROLE},
    {"Policies", RECORD_MANAGED_POLICY},
    {"InstanceProfiles", RECORD_INSTANCE_PROFILE},
};

/* PolicyVersionsInUse: every attachment of a customer managed policy uses its default
 * version, so the sum of the policies' AttachmentCount. */
static cu_rc add_attachments(const char *key, const json_t *doc, void *ctx)
{
    (void)key;
    *(json_int_t *)ctx += json_integer_value(json_object_get(doc, "AttachmentCount"));
    return CU_OK;
}

static cu_rc summary_counts(struct call *call, json_t *map)
{
    cu_rc rc = CU_OK;
    const char *account = call->env->account_id;
    json_int_t in_use = 0;
    size_t n = 0, root_keys = 0, mfa_devices = 0, mfa_in_use = 0;

    for (size_t i = 0; i < sizeof(COUNTED) / sizeof(COUNTED[0]); i++) {
        TRY(store_count(call->tx, COUNTED[i].kind, account, &n));
        TRY(tree_set_int(map, COUNTED[i].key, (json_int_t)n));
    }
    TRY(store_each(call->tx, RECORD_MANAGED_POLICY, account, add_attachments, &in_use));
    TRY(tree_set_int(map, "PolicyVersionsInUse", in_use));
    TRY(iam_identity_provider_count(call, &n));
    TRY(tree_set_int(map, "Providers", (json_int_t)n));
    /* the root user's own keys (stored with no UserName) */
    TRY(iam_access_key_count(call->tx, account, "", &root_keys));
    TRY(tree_set_int(map, "AccountAccessKeysPresent", root_keys > 0));
    /* root signs in with its keys only: custos keeps no root console password */
    TRY(tree_set_int(map, "AccountPasswordPresent", 0));
    /* virtual MFA devices (mfa_devices.c); the root user has none in custos, so
     * AccountMFAEnabled stays among NONE_YET */
    TRY(iam_mfa_counts(call, &mfa_devices, &mfa_in_use));
    TRY(tree_set_int(map, "MFADevices", (json_int_t)mfa_devices));
    TRY(tree_set_int(map, "MFADevicesInUse", (json_int_t)mfa_in_use));
    TRY(iam_credentials_summary(call, map));
    for (size_t i = 0; i < sizeof(NONE_YET) / sizeof(NONE_YET[0]); i++)
        TRY(tree_set_int(map, NONE_YET[i], 0));
out:
    return rc;
}

cu_rc iam_get_account_summary(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *map = json_object(), *settings = NULL;
    json_int_t version;

    (void)in;
    ENSURE(map, CU_E_NOMEM);
    for (size_t i = 0; i < sizeof(QUOTAS) / sizeof(QUOTAS[0]); i++)
        TRY(tree_set_int(map, QUOTAS[i].key, QUOTAS[i].value));
    TRY(summary_counts(call, map));
    TRY(settings_load(call, &settings));
    version = json_integer_value(json_object_get(settings, "GlobalEndpointTokenVersion"));
    TRY(tree_set_int(map, "GlobalEndpointTokenVersion", version ? version : 1));
    rc = tree_set_new(out, "SummaryMap", map); /* steals map, even on failure */
    map = NULL;
out:
    json_decref(map);
    json_decref(settings);
    return rc;
}
