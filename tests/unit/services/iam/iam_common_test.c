/* Tests for services/iam/iam_common.c's contract with the IAM handlers: what a resolver
 * loaded (call->target.doc) is what the handler uses, so each record is loaded once per
 * request. Over a real SQLite store, each operation's resolver runs, then the store's
 * fault hook (store_test_fail_after) fails the first store operation past the handler's
 * budget — the operations its own logic needs, without re-reading the target — and the
 * handler must still succeed, and leave the effect it should. A handler that loads its
 * target again (the code before this test: 16 of them did) runs out of budget and fails
 * with CU_E_STORE. A handler whose target the resolver did not find answers NoSuchEntity
 * in AWS's words without touching the store. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core/ids.h"
#include "crypto/master_key.h"
#include "services/iam/iam.h"
#include "services/iam/iam_common.h"
#include "services/iam/iam_ops.gen.h"
#include "store/store.h"

#define ACCOUNT "111122223333"
#define ARN(x) "arn:aws:iam::" ACCOUNT ":" x

static char dir[] = "/tmp/custos-iam-common-test-XXXXXX";
static struct store *store;
static struct call_env env = {.account_id = ACCOUNT, .region = "us-east-1"};

#define ALICE_KEY "AKIAALICEKEY00000001"

static void put(struct store_tx *tx, const char *kind, const char *scope, const char *key,
                json_t *doc)
{
    CHECK(doc != NULL);
    CHECK_OK(store_put(tx, kind, scope, key, doc, STORE_UPSERT));
    json_decref(doc);
}

/* Alice (tagged, with Plain attached and an inline policy, in group Devs), Bob (bounded by
 * Edge), Carl (nothing), group Devs (with inline policy GInline), group Idle, policies Plain (attached once), Edge (bounding once), Spare. */
static void fixtures(void)
{
    struct store_tx *tx = NULL;
    char scope[RECORD_NAME_MAX];

    CHECK_OK(store_tx_begin(store, true, &tx));
    put(tx, RECORD_USER, ACCOUNT, "alice",
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:[{s:s, s:s}], s:[{s:s, s:s}]}", "Path", "/",
                  "UserName", "Alice", "UserId", "AIDAALICE", "Arn", ARN("user/Alice"),
                  "CreateDate", (json_int_t)1700000000000, "Tags", "Key", "team", "Value", "a",
                  RECORD_USER_ATTACHED, "PolicyName", "Plain", "PolicyArn", ARN("policy/Plain")));
    put(tx, RECORD_USER, ACCOUNT, "bob",
        json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "Path", "/", "UserName", "Bob", "Arn",
                  ARN("user/Bob"), "PermissionsBoundary", "PermissionsBoundaryType", "Policy",
                  "PermissionsBoundaryArn", ARN("policy/Edge")));
    put(tx, RECORD_USER, ACCOUNT, "carl",
        json_pack("{s:s, s:s, s:s}", "Path", "/", "UserName", "Carl", "Arn", ARN("user/Carl")));
    record_user_scope(ACCOUNT, "Alice", scope);
    put(tx, RECORD_USER_POLICY, scope, "Inline",
        json_pack("{s:s, s:s}", "PolicyName", "Inline", "PolicyDocument", "{}"));
    put(tx, RECORD_GROUP, ACCOUNT, "devs",
        json_pack("{s:s, s:s, s:s, s:s, s:I}", "Path", "/", "GroupName", "Devs", "GroupId",
                  "AGPADEVS", "Arn", ARN("group/Devs"), "CreateDate", (json_int_t)1000));
    put(tx, RECORD_GROUP, ACCOUNT, "idle",
        json_pack("{s:s, s:s, s:s, s:s, s:I}", "Path", "/", "GroupName", "Idle", "GroupId",
                  "AGPAIDLE", "Arn", ARN("group/Idle"), "CreateDate", (json_int_t)1000));
    record_user_scope(ACCOUNT, "Devs", scope);
    put(tx, RECORD_GROUP_POLICY, scope, "GInline",
        json_pack("{s:s, s:s}", "PolicyName", "GInline", "PolicyDocument", "{}"));
    put(tx, RECORD_GROUP_MEMBER, ACCOUNT, "devs/alice",
        json_pack("{s:s, s:s}", "GroupName", "Devs", "UserName", "Alice"));
    put(tx, RECORD_MANAGED_POLICY, ACCOUNT, "plain",
        json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "PolicyName", "Plain", "Arn",
                  ARN("policy/Plain"), "Path", "/", "AttachmentCount", (json_int_t)1,
                  "PermissionsBoundaryUsageCount", (json_int_t)0, "CreateDate",
                  (json_int_t)1000, "Document", "{}"));
    put(tx, RECORD_MANAGED_POLICY, ACCOUNT, "edge",
        json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "PolicyName", "Edge", "Arn",
                  ARN("policy/Edge"), "Path", "/", "AttachmentCount", (json_int_t)0,
                  "PermissionsBoundaryUsageCount", (json_int_t)1, "CreateDate",
                  (json_int_t)1000, "Document", "{}"));
    put(tx, RECORD_MANAGED_POLICY, ACCOUNT, "spare",
        json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "PolicyName", "Spare", "Arn",
                  ARN("policy/Spare"), "Path", "/", "AttachmentCount", (json_int_t)0,
                  "PermissionsBoundaryUsageCount", (json_int_t)0, "CreateDate",
                  (json_int_t)1000, "Document", "{}"));
    put(tx, RECORD_ROLE, ACCOUNT, "web",
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "Path", "/", "RoleName", "Web", "RoleId",
                  "AROAWEB", "Arn", ARN("role/Web"), "CreateDate", (json_int_t)1000,
                  "AssumeRolePolicyDocument", "%7B%7D"));
    put(tx, RECORD_INSTANCE_PROFILE, ACCOUNT, "box",
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:[{s:s}], s:[{s:s, s:s}]}", "Path", "/",
                  "InstanceProfileName", "Box", "InstanceProfileId", "AIPABOX", "Arn",
                  ARN("instance-profile/Box"), "CreateDate", (json_int_t)1000, "Roles",
                  "RoleName", "Web", "Tags", "Key", "k", "Value", "v"));
    put(tx, RECORD_INSTANCE_PROFILE, ACCOUNT, "empty",
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:[]}", "Path", "/", "InstanceProfileName",
                  "Empty", "InstanceProfileId", "AIPAEMPTY", "Arn", ARN("instance-profile/Empty"),
                  "CreateDate", (json_int_t)1000, "Roles"));
    /* MFA devices: Spare (unassigned, tagged), AlicePhone (enabled for Alice) */
    put(tx, RECORD_MFA_DEVICE, ACCOUNT, "arn:aws:iam::111122223333:mfa/spare",
        json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "SerialNumber", ARN("mfa/Spare"), "Path", "/",
                  "Tags", "Key", "k", "Value", "v"));
    put(tx, RECORD_MFA_DEVICE, ACCOUNT, "arn:aws:iam::111122223333:mfa/alicephone",
        json_pack("{s:s, s:s, s:s, s:I}", "SerialNumber", ARN("mfa/AlicePhone"), "Path", "/",
                  "UserName", "Alice", "EnableDate", (json_int_t)1700000000000));
    CHECK_OK(iam_store_access_key(tx, env.master_key, ACCOUNT, "Alice", ALICE_KEY,
                                  "secret/for/tests/only", 1700000000000));
    CHECK_OK(store_tx_commit(tx));
}

struct row {
    const char *op;
    call_resolver resolve;
    call_handler handler;
    const char *input;
    int budget;         /* store operations the handler's own logic needs */
    const char *effect; /* NULL, or the member of the output that must be there */
};

/* The budgets, operation by operation: what each handler must still do in the store
 * once its target is loaded. */
static const struct row rows[] = {
    {"GetUser", iam_resolve_user, iam_get_user, "{\"UserName\": \"alice\"}", 0, "User"},
    {"ListUserTags", iam_resolve_user, iam_list_user_tags, "{\"UserName\": \"Alice\"}", 0, "Tags"},
    {"ListAttachedUserPolicies", iam_resolve_user, iam_list_attached_user_policies,
     "{\"UserName\": \"Alice\"}", 0, "AttachedPolicies"},
    {"TagUser", iam_resolve_user, iam_tag_user,
     "{\"UserName\": \"Alice\", \"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}]}", 1, NULL},
    {"UntagUser", iam_resolve_user, iam_untag_user,
     "{\"UserName\": \"Alice\", \"TagKeys\": [\"team\"]}", 1, NULL},
    {"ListUserPolicies", iam_resolve_user, iam_list_user_policies, "{\"UserName\": \"Alice\"}",
     1, "PolicyNames"},
    {"GetUserPolicy", iam_resolve_user, iam_get_user_policy,
     "{\"UserName\": \"Alice\", \"PolicyName\": \"Inline\"}", 1, "PolicyDocument"},
    {"PutUserPolicy", iam_resolve_user, iam_put_user_policy,
     "{\"UserName\": \"Alice\", \"PolicyName\": \"P2\", \"PolicyDocument\": "
     "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
     "\\\"Action\\\":\\\"s3:*\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}",
     2, NULL},
    {"DeleteUserPolicy", iam_resolve_user, iam_delete_user_policy,
     "{\"UserName\": \"Alice\", \"PolicyName\": \"Inline\"}", 1, NULL},
    /* the policy: loaded once and saved; the user: saved */
    {"AttachUserPolicy", iam_resolve_user, iam_attach_user_policy,
     "{\"UserName\": \"Carl\", \"PolicyArn\": \"" ARN("policy/Spare") "\"}", 3, NULL},
    {"DetachUserPolicy", iam_resolve_user, iam_detach_user_policy,
     "{\"UserName\": \"Alice\", \"PolicyArn\": \"" ARN("policy/Plain") "\"}", 3, NULL},
    {"PutUserPermissionsBoundary", iam_resolve_user, iam_put_user_permissions_boundary,
     "{\"UserName\": \"Carl\", \"PermissionsBoundary\": \"" ARN("policy/Spare") "\"}", 3, NULL},
    {"DeleteUserPermissionsBoundary", iam_resolve_user, iam_delete_user_permissions_boundary,
     "{\"UserName\": \"Bob\"}", 3, NULL},
    /* three conflict counts (keys, inline policies, groups), the login profile lookup, the
     * MFA devices' count, three credential counts (signing certificates, SSH keys,
     * service-specific credentials: iam_credentials.c) and the delete */
    {"DeleteUser", iam_resolve_user, iam_delete_user, "{\"UserName\": \"Carl\"}", 9, NULL},
    /* groups: the group is the resolver's; its members are one index lookup, then each
     * member's user record (Devs has one: Alice) */
    {"GetGroup", iam_resolve_group, iam_get_group, "{\"GroupName\": \"DEVS\"}", 2, "Users"},
    /* the user, the membership, the user's group count, the new membership */
    {"AddUserToGroup", iam_resolve_group, iam_add_user_to_group,
     "{\"GroupName\": \"DEVS\", \"UserName\": \"carl\"}", 4, NULL},
    {"RemoveUserFromGroup", iam_resolve_group, iam_remove_user_from_group,
     "{\"GroupName\": \"DEVS\", \"UserName\": \"Alice\"}", 2, NULL},
    {"ListGroupsForUser", iam_resolve_user, iam_list_groups_for_user,
     "{\"UserName\": \"Alice\"}", 2, "Groups"}, /* the lookup, then Devs */
    {"UpdateGroup", iam_resolve_group, iam_update_group,
     "{\"GroupName\": \"Devs\", \"NewPath\": \"/moved/\"}", 1, NULL},
    /* three conflict counts and the delete */
    {"DeleteGroup", iam_resolve_group, iam_delete_group, "{\"GroupName\": \"idle\"}", 3, NULL},
    {"PutGroupPolicy", iam_resolve_group, iam_put_group_policy,
     "{\"GroupName\": \"Devs\", \"PolicyName\": \"G2\", \"PolicyDocument\": "
     "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
     "\\\"Action\\\":\\\"s3:*\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}",
     2, NULL},
    {"GetGroupPolicy", iam_resolve_group, iam_get_group_policy,
     "{\"GroupName\": \"Devs\", \"PolicyName\": \"GInline\"}", 1, "PolicyDocument"},
    {"ListGroupPolicies", iam_resolve_group, iam_list_group_policies,
     "{\"GroupName\": \"Devs\"}", 1, "PolicyNames"},
    {"DeleteGroupPolicy", iam_resolve_group, iam_delete_group_policy,
     "{\"GroupName\": \"Devs\", \"PolicyName\": \"GInline\"}", 1, NULL},
    {"AttachGroupPolicy", iam_resolve_group, iam_attach_group_policy,
     "{\"GroupName\": \"Devs\", \"PolicyArn\": \"" ARN("policy/Spare") "\"}", 3, NULL},
    {"ListAttachedGroupPolicies", iam_resolve_group, iam_list_attached_group_policies,
     "{\"GroupName\": \"Devs\"}", 0, "AttachedPolicies"},
    /* the new name's lookup, the old record's delete and the new one's create, then what
     * follows the name: the keys' lookup, the inline policies' list (STS sessions are not
     * stored, auth/session_token.h),
     * the login profile's lookup, the group memberships' lookup, the MFA devices' lookup,
     * the three credential kinds' lists (iam_credentials.c) */
    {"UpdateUser", iam_resolve_user, iam_update_user,
     "{\"UserName\": \"Carl\", \"NewUserName\": \"Carlos\"}", 11, NULL},
    {"GetPolicy", iam_resolve_policy_arn, iam_get_policy,
     "{\"PolicyArn\": \"" ARN("policy/Plain") "\"}", 0, "Policy"},
    {"GetPolicyVersion", iam_resolve_policy_arn, iam_get_policy_version,
     "{\"PolicyArn\": \"" ARN("policy/Plain") "\", \"VersionId\": \"v1\"}", 0, "PolicyVersion"},
    {"DeletePolicy", iam_resolve_policy_arn, iam_delete_policy,
     "{\"PolicyArn\": \"" ARN("policy/Spare") "\"}", 1, NULL},
    /* policy versions and tags (policy_versions.c): the policy record saved, or nothing */
    {"CreatePolicyVersion", iam_resolve_policy_arn, iam_create_policy_version,
     "{\"PolicyArn\": \"" ARN("policy/Spare") "\", \"PolicyDocument\": "
     "\"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{\\\"Effect\\\": "
     "\\\"Allow\\\", \\\"Action\\\": \\\"s3:*\\\", \\\"Resource\\\": \\\"*\\\"}]}\", "
     "\"SetAsDefault\": true}", 1, "PolicyVersion"},
    {"ListPolicyVersions", iam_resolve_policy_arn, iam_list_policy_versions,
     "{\"PolicyArn\": \"" ARN("policy/Plain") "\"}", 0, "Versions"},
    {"SetDefaultPolicyVersion", iam_resolve_policy_arn, iam_set_default_policy_version,
     "{\"PolicyArn\": \"" ARN("policy/Plain") "\", \"VersionId\": \"v1\"}", 1, NULL},
    {"TagPolicy", iam_resolve_policy_arn, iam_tag_policy,
     "{\"PolicyArn\": \"" ARN("policy/Spare") "\", \"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}]}",
     1, NULL},
    {"UntagPolicy", iam_resolve_policy_arn, iam_untag_policy,
     "{\"PolicyArn\": \"" ARN("policy/Spare") "\", \"TagKeys\": [\"k\"]}", 1, NULL},
    {"ListPolicyTags", iam_resolve_policy_arn, iam_list_policy_tags,
     "{\"PolicyArn\": \"" ARN("policy/Plain") "\"}", 0, "Tags"},
    /* the account's groups, roles and users read, a list each; the policy not again */
    {"ListEntitiesForPolicy", iam_resolve_policy_arn, iam_list_entities_for_policy,
     "{\"PolicyArn\": \"" ARN("policy/Plain") "\"}", 3, "PolicyUsers"},
    /* access keys: the user is the resolver's; the count and the new key */
    {"CreateAccessKey", iam_resolve_user, iam_create_access_key, "{\"UserName\": \"alice\"}", 2,
     "AccessKey"},
    {"ListAccessKeys", iam_resolve_user, iam_list_access_keys, "{\"UserName\": \"Alice\"}", 1,
     "AccessKeyMetadata"},
    /* the key: read and written back (or deleted) */
    {"UpdateAccessKey", iam_resolve_user, iam_update_access_key,
     "{\"UserName\": \"Alice\", \"AccessKeyId\": \"" ALICE_KEY "\", \"Status\": \"Inactive\"}", 2,
     NULL},
    /* ... and DeleteAccessKey deletes the key's last-use record too (access_key_last_used.c) */
    {"DeleteAccessKey", iam_resolve_user, iam_delete_access_key,
     "{\"UserName\": \"Alice\", \"AccessKeyId\": \"" ALICE_KEY "\"}", 3, NULL},
    /* the key is the resolver's; its last use is one read */
    {"GetAccessKeyLastUsed", iam_resolve_access_key_owner, iam_get_access_key_last_used,
     "{\"AccessKeyId\": \"" ALICE_KEY "\"}", 1, "AccessKeyLastUsed"},
    /* instance profiles: the profile is the resolver's; each of its roles is one read */
    {"GetInstanceProfile", iam_resolve_instance_profile, iam_get_instance_profile,
     "{\"InstanceProfileName\": \"box\"}", 1, "InstanceProfile"},
    {"ListInstanceProfileTags", iam_resolve_instance_profile, iam_list_instance_profile_tags,
     "{\"InstanceProfileName\": \"Box\"}", 0, "Tags"},
    {"TagInstanceProfile", iam_resolve_instance_profile, iam_tag_instance_profile,
     "{\"InstanceProfileName\": \"Box\", \"Tags\": [{\"Key\": \"a\", \"Value\": \"b\"}]}", 1,
     NULL},
    {"UntagInstanceProfile", iam_resolve_instance_profile, iam_untag_instance_profile,
     "{\"InstanceProfileName\": \"Box\", \"TagKeys\": [\"k\"]}", 1, NULL},
    {"DeleteInstanceProfile", iam_resolve_instance_profile, iam_delete_instance_profile,
     "{\"InstanceProfileName\": \"Empty\"}", 1, NULL},
    /* the role, then the profile saved */
    {"AddRoleToInstanceProfile", iam_resolve_instance_profile, iam_add_role_to_instance_profile,
     "{\"InstanceProfileName\": \"Empty\", \"RoleName\": \"web\"}", 2, NULL},
    {"RemoveRoleFromInstanceProfile", iam_resolve_instance_profile,
     iam_remove_role_from_instance_profile,
     "{\"InstanceProfileName\": \"Box\", \"RoleName\": \"Web\"}", 2, NULL},
    /* the role index lookup, then Box's role */
    {"ListInstanceProfilesForRole", iam_resolve_role, iam_list_instance_profiles_for_role,
     "{\"RoleName\": \"Web\"}", 2, "InstanceProfiles"},
    /* MFA devices: the device is the resolver's; saved, deleted, or only read */
    {"TagMFADevice", iam_resolve_mfa_device, iam_tag_mfa_device,
     "{\"SerialNumber\": \"" ARN("mfa/Spare") "\", "
     "\"Tags\": [{\"Key\": \"a\", \"Value\": \"b\"}]}",
     1, NULL},
    {"UntagMFADevice", iam_resolve_mfa_device, iam_untag_mfa_device,
     "{\"SerialNumber\": \"" ARN("mfa/Spare") "\", \"TagKeys\": [\"k\"]}", 1, NULL},
    {"ListMFADeviceTags", iam_resolve_mfa_device, iam_list_mfa_device_tags,
     "{\"SerialNumber\": \"" ARN("mfa/Spare") "\"}", 0, "Tags"},
    {"DeleteVirtualMFADevice", iam_resolve_mfa_device, iam_delete_virtual_mfa_device,
     "{\"SerialNumber\": \"" ARN("mfa/Spare") "\"}", 1, NULL},
    /* the user is the resolver's: the user's devices one index lookup; the device named
     * one read (and its save) */
    {"ListMFADevices", iam_resolve_user, iam_list_mfa_devices, "{\"UserName\": \"alice\"}", 1,
     "MFADevices"},
    {"GetMFADevice", iam_resolve_user, iam_get_mfa_device,
     "{\"UserName\": \"Alice\", \"SerialNumber\": \"" ARN("mfa/AlicePhone") "\"}", 1,
     "SerialNumber"},
    {"DeactivateMFADevice", iam_resolve_user, iam_deactivate_mfa_device,
     "{\"UserName\": \"Alice\", \"SerialNumber\": \"" ARN("mfa/AlicePhone") "\"}", 2, NULL},
};

/* Run one row in a write transaction that is rolled back, so rows do not see each
 * other's effects. Returns the handler's result. */
static cu_rc run(const struct row *r, int budget, json_t **out)
{
    struct call call = {0};
    struct call_keys keys = {0};
    json_t *in = json_loads(r->input, 0, NULL);
    cu_rc rc;

    CHECK(in != NULL);
    call.env = &env;
    call.region = env.region;
    call.keys = &keys;
    call.now_ms = 1700000000000;
    *out = json_object();
    CHECK_OK(store_tx_begin(store, true, &call.tx));
    CHECK_OK(r->resolve(&call, in));
    store_test_fail_after(store, budget + 1);
    rc = r->handler(&call, in, *out);
    store_test_fail_after(store, 0);
    if (rc != CU_OK && budget == r->budget)
        fprintf(stderr, "%s: %s %s\n", r->op, cu_code_ident(rc), call.err.msg);
    store_tx_rollback(call.tx);
    json_decref(call.target.doc);
    json_decref(in);
    return rc;
}

static void test_loaded_once(void)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        json_t *out = NULL;

        CHECK_OK(run(&rows[i], rows[i].budget, &out));
        if (rows[i].effect)
            CHECK(json_object_get(out, rows[i].effect) != NULL);
        json_decref(out);
        /* the budgets are tight: one operation fewer and the handler fails (so the
         * check above would catch one more) */
        if (rows[i].budget > 0) {
            CHECK_RC(run(&rows[i], rows[i].budget - 1, &out), CU_E_STORE);
            json_decref(out);
        }
    }
}

/* What the handler writes is the resolver's record, changed: TagUser keeps the record's
 * other members (its attached policies) and adds the tag. */
static void test_saves_the_resolved_record(void)
{
    struct call call = {0};
    struct call_keys keys = {0};
    json_t *in = json_pack("{s:s, s:[{s:s, s:s}]}", "UserName", "alice", "Tags", "Key", "k",
                           "Value", "v");
    json_t *out = json_object(), *doc = NULL;

    call.env = &env;
    call.region = env.region;
    call.keys = &keys;
    CHECK_OK(store_tx_begin(store, true, &call.tx));
    CHECK_OK(iam_resolve_user(&call, in));
    CHECK(call.target.doc != NULL);
    CHECK_OK(iam_tag_user(&call, in, out));
    CHECK_OK(store_get(call.tx, RECORD_USER, ACCOUNT, "alice", &doc));
    CHECK_INT(json_array_size(json_object_get(doc, "Tags")), 2);
    CHECK_INT(json_array_size(json_object_get(doc, RECORD_USER_ATTACHED)), 1);
    CHECK_STR(json_string_value(json_object_get(doc, "UserName")), "Alice");
    store_tx_rollback(call.tx);
    json_decref(doc);
    json_decref(call.target.doc);
    json_decref(in);
    json_decref(out);
}

/* A target the resolver did not find: NoSuchEntity naming what was asked for, and no
 * store operation at all (the fault hook fails the first). */
static void test_absent_target(void)
{
    static const struct row absent[] = {
        {"GetUser", iam_resolve_user, iam_get_user, "{\"UserName\": \"Nobody\"}", 0, NULL},
        {"TagUser", iam_resolve_user, iam_tag_user,
         "{\"UserName\": \"Nobody\", \"Tags\": []}", 0, NULL},
        {"GetGroup", iam_resolve_group, iam_get_group, "{\"GroupName\": \"Nobody\"}", 0, NULL},
        {"GetPolicy", iam_resolve_policy_arn, iam_get_policy,
         "{\"PolicyArn\": \"" ARN("policy/team/Plain") "\"}", 0, NULL},
        {"ListAccessKeys", iam_resolve_user, iam_list_access_keys, "{\"UserName\": \"Nobody\"}",
         0, NULL},
        {"DeleteAccessKey", iam_resolve_user, iam_delete_access_key,
         "{\"UserName\": \"Nobody\", \"AccessKeyId\": \"" ALICE_KEY "\"}", 0, NULL},
    };
    static const char *const want[] = {
        "The user with name Nobody cannot be found.",
        "The user with name Nobody cannot be found.",
        "The group with name Nobody cannot be found.",
        "Policy " ARN("policy/team/Plain") " was not found.",
        "The user with name Nobody cannot be found.",
        "The user with name Nobody cannot be found.",
    };

    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
        struct call call = {0};
        struct call_keys keys = {0};
        json_t *in = json_loads(absent[i].input, 0, NULL), *out = json_object();

        call.env = &env;
        call.region = env.region;
        call.keys = &keys;
        CHECK_OK(store_tx_begin(store, true, &call.tx));
        CHECK_OK(absent[i].resolve(&call, in));
        CHECK(call.target.doc == NULL);
        store_test_fail_after(store, 1);
        CHECK_RC(absent[i].handler(&call, in, out), CU_E_IAM_NO_SUCH_ENTITY);
        store_test_fail_after(store, 0);
        CHECK_STR(call.err.msg, want[i]);
        store_tx_rollback(call.tx);
        json_decref(in);
        json_decref(out);
    }
}

/* CreateAccessKey and ListAccessKeys answer through the model's shapes: the AccessKeyId,
 * the user's stored name, and never the sealed secret; the new secret only in the
 * CreateAccessKey answer. */
static void test_access_key_views(void)
{
    static const struct row create = {"CreateAccessKey", iam_resolve_user, iam_create_access_key,
                                      "{\"UserName\": \"ALICE\"}", 2, NULL};
    static const struct row list = {"ListAccessKeys", iam_resolve_user, iam_list_access_keys,
                                    "{\"UserName\": \"alice\"}", 1, NULL};
    json_t *out = NULL, *key, *meta;

    CHECK_OK(run(&create, create.budget, &out));
    key = json_object_get(out, "AccessKey");
    CHECK_STR(json_string_value(json_object_get(key, "UserName")), "Alice");
    CHECK_INT(strlen(json_string_value(json_object_get(key, "SecretAccessKey"))), IDS_SECRET_KEY_LEN);
    CHECK_INT(strncmp(json_string_value(json_object_get(key, "AccessKeyId")), "AKIA", 4), 0);
    CHECK_STR(json_string_value(json_object_get(key, "Status")), "Active");
    CHECK(json_is_real(json_object_get(key, "CreateDate")));
    CHECK(json_object_get(key, "SealedSecret") == NULL && json_object_get(key, "Account") == NULL);
    json_decref(out);
    CHECK_OK(run(&list, list.budget, &out));
    meta = json_array_get(json_object_get(out, "AccessKeyMetadata"), 0);
    CHECK_INT(json_object_size(meta), 4);
    CHECK_STR(json_string_value(json_object_get(meta, "AccessKeyId")), ALICE_KEY);
    CHECK_STR(json_string_value(json_object_get(meta, "UserName")), "Alice");
    CHECK(json_object_get(meta, "SecretAccessKey") == NULL);
    json_decref(out);
}

int main(void)
{
    struct cu_err err = {0};
    char cmd[128];

    struct master_key *mk = NULL;

    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(store_open(dir, &store, &err));
    CHECK_OK(master_key_new_random(&mk));
    env.master_key = mk;
    fixtures();
    test_loaded_once();
    test_saves_the_resolved_record();
    test_absent_target();
    test_access_key_views();
    store_close(store);
    master_key_free(mk);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_END();
}
