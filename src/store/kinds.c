/* kinds.c — the table of record kinds: for each kind, the class its scope belongs to
 * (store.h: node, global, regional) and its secondary indexes, and the one place index
 * entries are written (store_index_record, called by every put and delete in store.c and
 * by the migrations in schema.c), so an index can never disagree with its records.
 *
 * Adding an index is a row here and a schema version whose data step rebuilds the
 * declared indexes (schema.c: v4 added the path index that way). */
#include <stdio.h>
#include <string.h>

#include "records.h"
#include "store_impl.h"

/* access_key → "<account>/<lower(user)>" ("<account>/" for root's keys): ListAccessKeys,
 * DeleteUser's key check and the root key bootstrap look a user's keys up by it. */
static bool access_key_owner(const json_t *doc, char *out)
{
    const char *account = json_string_value(json_object_get(doc, "Account"));
    const char *user = json_string_value(json_object_get(doc, "UserName"));

    if (!account || !user)
        return false;
    record_user_scope(account, user, out);
    return true;
}

/* group_member → lower(GroupName) and lower(UserName): a group's members (GetGroup) and a
 * user's groups (ListGroupsForUser, authorization) are both lookups within the account. */
static bool member_folded(const json_t *doc, const char *member, char *out)
{
    const char *name = json_string_value(json_object_get(doc, member));

    if (!name)
        return false;
    record_fold(name, out);
    return true;
}

static bool member_group(const json_t *doc, char *out)
{
    return member_folded(doc, "GroupName", out);
}

static bool member_user(const json_t *doc, char *out)
{
    return member_folded(doc, "UserName", out);
}

/* instance_profile → lower(RoleName) of the role it holds (at most one): a role's
 * instance profiles (ListInstanceProfilesForRole, DeleteRole's check). */
static bool profile_role(const json_t *doc, char *out)
{
    const json_t *role = json_array_get(json_object_get(doc, "Roles"), 0);

    return role && member_folded(role, "RoleName", out);
}

const struct store_kind store_kinds[] = {
    {RECORD_ACCOUNT, STORE_CLASS_NODE, {{NULL}}},
    {RECORD_MASTER_CHECK, STORE_CLASS_NODE, {{NULL}}},
    {RECORD_SESSION, STORE_CLASS_NODE, {{NULL}}},
    {RECORD_ACCESS_KEY, STORE_CLASS_NODE, {{RECORD_ACCESS_KEY_BY_USER, NULL, access_key_owner}}},
    /* IAM's PathPrefix lists read the path index with a prefix lookup (store_lookup) */
    {RECORD_USER, STORE_CLASS_GLOBAL,
     {{RECORD_BY_PATH, "Path", NULL}, {RECORD_BY_UNIQUE_ID, "UserId", NULL}}},
    {RECORD_GROUP, STORE_CLASS_GLOBAL, {{RECORD_BY_PATH, "Path", NULL}}},
    {RECORD_USER_POLICY, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_GROUP_POLICY, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_GROUP_MEMBER,
     STORE_CLASS_GLOBAL,
     {{RECORD_GROUP_MEMBER_BY_GROUP, NULL, member_group},
      {RECORD_GROUP_MEMBER_BY_USER, NULL, member_user}}},
    {RECORD_LOGIN_PROFILE, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_PASSWORD_POLICY, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_ACCOUNT_SETTINGS, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_MANAGED_POLICY, STORE_CLASS_GLOBAL, {{RECORD_BY_PATH, "Path", NULL}}},
    {RECORD_ROLE, STORE_CLASS_GLOBAL, {{RECORD_BY_PATH, "Path", NULL}}},
    {RECORD_ROLE_POLICY, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_KMS_KEY, STORE_CLASS_REGIONAL, {{NULL}}},
    {RECORD_KMS_KEY_LAST_USED, STORE_CLASS_REGIONAL, {{NULL}}},
    {RECORD_KMS_ALIAS, STORE_CLASS_REGIONAL, {{RECORD_KMS_ALIAS_BY_KEY, "TargetKeyId", NULL}}},
    {RECORD_KMS_GRANT,
     STORE_CLASS_REGIONAL,
     {{RECORD_KMS_GRANT_BY_TOKEN, "TokenHashes", NULL},
      {RECORD_KMS_GRANT_BY_RETIRING, "RetiringPrincipal", NULL}}},
    {RECORD_SECRET, STORE_CLASS_REGIONAL, {{NULL}}},
    {RECORD_PARAMETER, STORE_CLASS_REGIONAL, {{NULL}}},
    {RECORD_CT_TRAIL_TAGS, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_INSTANCE_PROFILE,
     STORE_CLASS_GLOBAL,
     {{RECORD_BY_PATH, "Path", NULL}, {RECORD_INSTANCE_PROFILE_BY_ROLE, NULL, profile_role}}},
    {RECORD_OIDC_PROVIDER, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_SAML_PROVIDER, STORE_CLASS_GLOBAL, {{NULL}}},
    /* an MFA device → lower(UserName) of the user it is enabled for (none while
     * unassigned): ListMFADevices, the per-user quota, DeleteUser's check, UpdateUser */
    {RECORD_MFA_DEVICE, STORE_CLASS_GLOBAL, {{RECORD_MFA_DEVICE_BY_USER, NULL, member_user}}},
    {RECORD_SSH_PUBLIC_KEY, STORE_CLASS_GLOBAL, {{NULL}}},
    /* a certificate is one user's in the whole account: found by its DER's SHA-256 */
    {RECORD_SIGNING_CERT, STORE_CLASS_GLOBAL, {{RECORD_SIGNING_CERT_BY_FINGERPRINT, "Fingerprint", NULL}}},
    {RECORD_SERVER_CERT, STORE_CLASS_GLOBAL, {{RECORD_BY_PATH, "Path", NULL}}},
    {RECORD_SERVICE_CREDENTIAL, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_SLR_DELETION_TASK, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_CREDENTIAL_REPORT, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_ACCESS_KEY_LAST_USED, STORE_CLASS_NODE, {{NULL}}},
    {RECORD_ACTION_LAST_USED, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_LAST_ACCESSED_JOB, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_AWS_POLICY_USE, STORE_CLASS_GLOBAL, {{NULL}}},
    {RECORD_OUTBOUND_FEDERATION, STORE_CLASS_GLOBAL, {{NULL}}},
};
const size_t store_kinds_n = sizeof(store_kinds) / sizeof(store_kinds[0]);

const struct store_kind *store_kind_find(const char *kind)
{
    /* callers pass the RECORD_* constants, which the compiler merges into one copy each:
     * an address match finds them without comparing strings, on every store call */
    for (size_t i = 0; i < store_kinds_n; i++)
        if (store_kinds[i].kind == kind)
            return &store_kinds[i];
    for (size_t i = 0; i < store_kinds_n; i++)
        if (strcmp(store_kinds[i].kind, kind) == 0)
            return &store_kinds[i];
    return NULL;
}

enum store_class store_kind_class(const char *kind)
{
    const struct store_kind *k = store_kind_find(kind);

    return k ? k->class : STORE_CLASS_GLOBAL;
}

/* Append at most max bytes of s to out, which holds n; the new length. Never writes past
 * STORE_NAME_MAX - 1 bytes and the NUL (what snprintf's truncation kept, without its cost
 * on a path every store call takes). */
static size_t scope_put(char out[STORE_NAME_MAX], size_t n, const char *s, size_t max)
{
    size_t room = STORE_NAME_MAX - 1 - n;
    size_t len = strnlen(s, max < room ? max : room);

    memcpy(out + n, s, len);
    out[n + len] = '\0';
    return n + len;
}

void store_scope(const char *kind, const char *account, const char *region, const char *sub,
                 char out[STORE_NAME_MAX])
{
    size_t n = 0;

    /* account ids are 12 digits and regions short; the bounds only keep corrupt ones from
     * crowding out the rest */
    out[0] = '\0';
    switch (store_kind_class(kind)) {
    case STORE_CLASS_NODE:
        break;
    case STORE_CLASS_GLOBAL:
        n = scope_put(out, 0, account, 64);
        break;
    case STORE_CLASS_REGIONAL:
        n = scope_put(out, 0, account, 64);
        n = scope_put(out, n, "/", 1);
        n = scope_put(out, n, region, 64);
        break;
    }
    if (!sub)
        return;
    if (n)
        n = scope_put(out, n, "/", 1);
    scope_put(out, n, sub, STORE_NAME_MAX);
}

/* The rows of one declared index for doc. */
static cu_rc index_one(const struct store_ops *ops, void *tx_impl, const char *kind,
                       const struct store_index_decl *ix, const char *scope, const char *key,
                       const json_t *doc)
{
    cu_rc rc = CU_OK;
    char derived[STORE_NAME_MAX];
    const json_t *v, *item;
    size_t i;

    if (ix->derive) {
        if (ix->derive(doc, derived))
            TRY(ops->index_add(tx_impl, kind, ix->name, derived, scope, key));
        goto out;
    }
    v = json_object_get(doc, ix->member);
    if (json_is_string(v))
        TRY(ops->index_add(tx_impl, kind, ix->name, json_string_value(v), scope, key));
    json_array_foreach((json_t *)v, i, item)
        if (json_is_string(item))
            TRY(ops->index_add(tx_impl, kind, ix->name, json_string_value(item), scope, key));
out:
    return rc;
}

cu_rc store_index_record(const struct store_ops *ops, void *tx_impl, const char *kind,
                         const char *scope, const char *key, const json_t *doc)
{
    cu_rc rc = CU_OK;
    const struct store_kind *k = store_kind_find(kind);

    if (!k || !k->indexes[0].name)
        goto out;
    TRY(ops->index_drop(tx_impl, kind, scope, key));
    for (size_t i = 0; doc && i < STORE_INDEXES_MAX && k->indexes[i].name; i++)
        TRY(index_one(ops, tx_impl, kind, &k->indexes[i], scope, key, doc));
out:
    return rc;
}
