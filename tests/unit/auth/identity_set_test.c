/* Tests for auth/identity_set.c and auth/identity_cache.c over a real SQLite store: a
 * user's inline, attached managed and boundary policies and tags come back in one order
 * with their labels and types, under one limit, and the cache (authorization's path)
 * hands out the very set a direct load (the simulator's path) builds. */
#include <stdlib.h>
#include <unistd.h>

#include "auth/identity_cache.h"
#include "auth/identity_set.h"
#include "check.h"
#include "policy/policy.h"
#include "store/records.h"
#include "store/store.h"

#define ACCOUNT "111122223333"

static char dir[] = "/tmp/custos-identity-test-XXXXXX";

static const char *allow(const char *action)
{
    static char doc[256];

    snprintf(doc, sizeof(doc),
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
             "\"%s\",\"Resource\":\"*\"}]}",
             action);
    return doc;
}

static void put(struct store *s, const char *kind, const char *scope, const char *key,
                json_t *doc)
{
    struct store_tx *tx = NULL;

    CHECK(doc != NULL);
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, kind, scope, key, doc, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

static void put_inline(struct store *s, const char *user, const char *name, const char *doc)
{
    char scope[RECORD_NAME_MAX];

    record_user_scope(ACCOUNT, user, scope);
    put(s, RECORD_USER_POLICY, scope, name,
        json_pack("{s:s, s:s}", "PolicyName", name, "PolicyDocument", doc));
}

static void put_managed(struct store *s, const char *name, const char *doc)
{
    char key[RECORD_NAME_MAX];

    record_fold(name, key);
    put(s, RECORD_MANAGED_POLICY, ACCOUNT, key,
        json_pack("{s:s, s:s}", "PolicyName", name, "Document", doc));
}

/* alice: inline "B-inline" and "a-inline" (stored by name, so a- comes first), attached
 * Zeta then Alpha (attachment order, not name order), boundary Fence, one tag. */
static void seed(struct store *s)
{
    put_inline(s, "alice", "b-inline", allow("iam:GetUser"));
    put_inline(s, "alice", "a-inline", allow("iam:ListUsers"));
    put_managed(s, "Zeta", allow("kms:Encrypt"));
    put_managed(s, "Alpha", allow("kms:Decrypt"));
    put_managed(s, "Fence", allow("kms:*"));
    put(s, RECORD_USER, ACCOUNT, "alice",
        json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}], s:{s:s, s:s}, s:[{s:s, s:s}]}",
                  "UserName", "alice", "Arn", "arn:aws:iam::" ACCOUNT ":user/alice",
                  RECORD_USER_ATTACHED, "PolicyName", "Zeta", "PolicyArn",
                  "arn:aws:iam::" ACCOUNT ":policy/Zeta", "PolicyName", "Alpha", "PolicyArn",
                  "arn:aws:iam::" ACCOUNT ":policy/Alpha", "PermissionsBoundary",
                  "PermissionsBoundaryType", "Policy", "PermissionsBoundaryArn",
                  "arn:aws:iam::" ACCOUNT ":policy/Fence", "Tags", "Key", "team", "Value",
                  "blue"));
}

static struct principal user(const char *name)
{
    struct principal p = {.type = PRINCIPAL_USER};

    snprintf(p.account_id, sizeof(p.account_id), "%s", ACCOUNT);
    snprintf(p.name, sizeof(p.name), "%s", name);
    snprintf(p.arn, sizeof(p.arn), "arn:aws:iam::%s:user/%s", ACCOUNT, name);
    return p;
}

static cu_rc load(struct store *s, const struct principal *p, struct identity_set *out)
{
    struct store_tx *tx = NULL;
    cu_rc rc;

    CHECK_OK(store_tx_begin(s, false, &tx));
    rc = identity_set_load(tx, p, out);
    store_tx_rollback(tx);
    return rc;
}

static void check_alice(const struct identity_set *set)
{
    static const char *const labels[] = {"a-inline", "b-inline", "Zeta", "Alpha"};
    static const enum identity_policy_type types[] = {
        IDENTITY_USER_INLINE, IDENTITY_USER_INLINE, IDENTITY_USER_MANAGED,
        IDENTITY_USER_MANAGED};
    enum identity_policy_type type;

    CHECK_INT(set->n, 4);
    for (size_t i = 0; i < set->n && i < 4; i++) {
        CHECK_STR(policy_label(set->policies[i]), labels[i]);
        CHECK_INT(set->types[i], types[i]);
        CHECK(identity_set_type_of(set, policy_label(set->policies[i]), &type));
        CHECK_INT(type, types[i]);
    }
    CHECK(set->boundary != NULL);
    if (set->boundary) {
        CHECK_STR(policy_label(set->boundary), "permissions-boundary");
        /* the boundary is no identity policy of the set */
        CHECK(!identity_set_type_of(set, policy_label(set->boundary), &type));
    }
    /* an equal string is not the label: types are told by the policy's own pointer */
    CHECK(!identity_set_type_of(set, "Zeta", &type));
    CHECK(set->session == NULL);
    CHECK_STR(set->role_arn, "");
    CHECK_INT(json_array_size(set->tags), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(set->tags, 0), "Value")),
              "blue");
}

static enum policy_decision decide(const struct identity_set *ids, const char *action)
{
    struct policy_set set = {0};
    struct policy_request req = {.action = action, .resource = "*",
                                 .principal_arn = "arn:aws:iam::" ACCOUNT ":user/alice",
                                 .principal_account = ACCOUNT,
                                 .principal_type = POLICY_PRINCIPAL_USER,
                                 .resource_account = ACCOUNT,
                                 .role_arn = "not cleared"};
    struct policy_result res;

    identity_set_fill(ids, &set, &req);
    CHECK(set.identity == (const struct policy *const *)ids->policies);
    CHECK_INT(set.n_identity, ids->n);
    CHECK(set.boundary == ids->boundary);
    CHECK(set.session == NULL);
    CHECK(req.role_arn == NULL);
    policy_evaluate(&set, &req, &res);
    return res.decision;
}

static void order_labels_and_fill(struct store *s)
{
    struct principal alice = user("alice");
    struct identity_set set;

    CHECK_OK(load(s, &alice, &set));
    check_alice(&set);
    /* inline and managed allows count; the boundary (kms:*) caps the inline ones */
    CHECK_INT(decide(&set, "kms:Encrypt"), POLICY_ALLOWED);
    CHECK_INT(decide(&set, "kms:Decrypt"), POLICY_ALLOWED);
    CHECK_INT(decide(&set, "iam:GetUser"), POLICY_IMPLICIT_DENY);
    CHECK_INT(decide(&set, "kms:Sign"), POLICY_IMPLICIT_DENY);
    identity_set_release(&set);
    CHECK_INT(set.n, 0);
    CHECK(set.boundary == NULL && set.tags == NULL);
}

/* Authorization's path hands out the same set, reloaded once the store changes. */
static void cache_serves_the_same_set(struct store *s)
{
    struct principal alice = user("alice"), root = {.type = PRINCIPAL_ROOT};
    struct identity_cache *cache = NULL;
    const struct identity_set *got = NULL, *again = NULL;
    void *pin = NULL, *pin2 = NULL;

    CHECK_OK(identity_cache_new(&cache));
    CHECK_OK(identity_cache_get(cache, s, &alice, &got, &pin));
    check_alice(got);
    CHECK_OK(identity_cache_get(cache, s, &alice, &again, &pin2));
    CHECK(again == got); /* cached: loaded once while nothing it depends on changes */
    identity_release(pin2);
    /* writes to what alice's set does not depend on leave it cached (the change log
     * evicts per record): a KMS key, another user's inline policy, an access key */
    put(s, RECORD_KMS_KEY, ACCOUNT, "cache-test-key", json_pack("{s:s}", "KeyId", "k"));
    put_inline(s, "cache-other", "other-inline", allow("iam:ListUsers"));
    put(s, RECORD_ACCESS_KEY, "", "AKIACACHETEST0000001", json_pack("{s:s}", "Status", "Active"));
    CHECK_OK(identity_cache_get(cache, s, &alice, &again, &pin2));
    CHECK(again == got);
    identity_release(pin2);
    put_inline(s, "alice", "c-inline", allow("iam:ListGroups"));
    CHECK_OK(identity_cache_get(cache, s, &alice, &again, &pin2));
    CHECK(again != got);
    CHECK_INT(again->n, 5);
    if (again->n == 5) {
        CHECK_STR(policy_label(again->policies[2]), "c-inline");
        CHECK_STR(policy_label(again->policies[3]), "Zeta");
    }
    check_alice(got); /* a holder's old set stays whole */
    identity_release(pin);
    identity_release(pin2);
    CHECK_OK(identity_cache_get(cache, s, &root, &got, &pin));
    CHECK_INT(got->n, 0);
    CHECK(got->boundary == NULL && got->tags == NULL);
    identity_release(pin);
    identity_cache_free(cache);
}

static void root_unknown_and_broken(struct store *s)
{
    struct principal root = {.type = PRINCIPAL_ROOT}, ghost = user("ghost"), bob = user("bob");
    struct identity_set set;

    snprintf(root.account_id, sizeof(root.account_id), "%s", ACCOUNT);
    CHECK_OK(load(s, &root, &set));
    CHECK_INT(set.n, 0);
    CHECK_OK(load(s, &ghost, &set));
    CHECK_INT(set.n, 0);
    CHECK(set.tags == NULL);
    /* an inline document that no longer compiles is left out, the rest kept */
    put_inline(s, "bob", "broken", "{not json");
    put_inline(s, "bob", "fine", allow("iam:GetUser"));
    put(s, RECORD_USER, ACCOUNT, "bob", json_pack("{s:s}", "UserName", "bob"));
    CHECK_OK(load(s, &bob, &set));
    CHECK_INT(set.n, 1);
    identity_set_release(&set);
    /* an attached policy missing from the store refuses the load */
    put(s, RECORD_USER, ACCOUNT, "bob",
        json_pack("{s:s, s:[{s:s}]}", "UserName", "bob", RECORD_USER_ATTACHED, "PolicyName",
                  "Gone"));
    CHECK_RC(load(s, &bob, &set), CU_E_STORE);
    CHECK_INT(set.n, 0);
}

/* grace: AWS managed ReadOnlyAccess attached, AdministratorAccess as her boundary. The
 * attached one is the built-in document compiled once and shared by every set (the same
 * policy across loads, never freed by a release: ASan would see a double free); the
 * boundary is compiled per set. An AWS managed ARN custos does not have refuses the load. */
static void aws_managed_policies(struct store *s)
{
    struct principal grace = user("grace");
    struct identity_set one, two;

    put(s, RECORD_USER, ACCOUNT, "grace",
        json_pack("{s:s, s:[{s:s, s:s}], s:{s:s, s:s}}", "UserName", "grace",
                  RECORD_USER_ATTACHED, "PolicyName", "ReadOnlyAccess", "PolicyArn",
                  "arn:aws:iam::aws:policy/ReadOnlyAccess", "PermissionsBoundary",
                  "PermissionsBoundaryType", "Policy", "PermissionsBoundaryArn",
                  "arn:aws:iam::aws:policy/AdministratorAccess"));
    CHECK_OK(load(s, &grace, &one));
    CHECK_OK(load(s, &grace, &two));
    CHECK_INT(one.n, 1);
    CHECK(one.shared[0] && two.shared[0] && one.policies[0] == two.policies[0]);
    CHECK_STR(policy_label(one.policies[0]), "ReadOnlyAccess");
    CHECK(one.boundary && two.boundary && one.boundary != two.boundary);
    CHECK_INT(decide(&one, "iam:ListUsers"), POLICY_ALLOWED);
    CHECK_INT(decide(&one, "kms:DescribeKey"), POLICY_ALLOWED);
    CHECK_INT(decide(&one, "iam:CreateUser"), POLICY_IMPLICIT_DENY);
    identity_set_release(&one);
    CHECK_INT(decide(&two, "iam:ListUsers"), POLICY_ALLOWED);
    identity_set_release(&two);
    /* the path is part of the ARN: no built-in policy has this one */
    put(s, RECORD_USER, ACCOUNT, "grace",
        json_pack("{s:s, s:[{s:s, s:s}]}", "UserName", "grace", RECORD_USER_ATTACHED,
                  "PolicyName", "ReadOnlyAccess", "PolicyArn",
                  "arn:aws:iam::aws:policy/service-role/ReadOnlyAccess"));
    CHECK_RC(load(s, &grace, &one), CU_E_STORE);
    CHECK_INT(one.n, 0);
}

static void put_member(struct store *s, const char *group, const char *user)
{
    char key[RECORD_NAME_MAX];

    record_group_member_key(group, user, key);
    put(s, RECORD_GROUP_MEMBER, ACCOUNT, key,
        json_pack("{s:s, s:s}", "GroupName", group, "UserName", user));
}

static void put_group(struct store *s, const char *name, const char *attached)
{
    char key[RECORD_NAME_MAX], arn[128];

    record_fold(name, key);
    snprintf(arn, sizeof(arn), "arn:aws:iam::" ACCOUNT ":policy/%s", attached);
    put(s, RECORD_GROUP, ACCOUNT, key,
        json_pack("{s:s, s:[{s:s, s:s}]}", "GroupName", name, RECORD_USER_ATTACHED,
                  "PolicyName", attached, "PolicyArn", arn));
}

static void put_group_inline(struct store *s, const char *group, const char *name,
                             const char *doc)
{
    char scope[RECORD_NAME_MAX];

    record_user_scope(ACCOUNT, group, scope);
    put(s, RECORD_GROUP_POLICY, scope, name,
        json_pack("{s:s, s:s}", "PolicyName", name, "PolicyDocument", doc));
}

static const struct identity_set *cached(struct identity_cache *c, struct store *s,
                                         const char *name, void **pin)
{
    struct principal p = user(name);
    const struct identity_set *set = NULL;

    CHECK_OK(identity_cache_get(c, s, &p, &set, pin));
    return set;
}

/* A user's groups come after its own policies, group by group in name order, each
 * group's inline then attached; and the cache evicts exactly the sets a group change
 * touches: a membership its user's, a group or group policy its members'. */
static void groups_and_their_evictions(struct store *s)
{
    struct identity_cache *c = NULL;
    const struct identity_set *dave, *erin, *again;
    void *pd = NULL, *pe = NULL, *p2 = NULL;

    put_managed(s, "OpsManaged", allow("ec2:*"));
    put_managed(s, "DevManaged", allow("s3:*"));
    put(s, RECORD_USER, ACCOUNT, "dave", json_pack("{s:s}", "UserName", "dave"));
    put(s, RECORD_USER, ACCOUNT, "erin", json_pack("{s:s}", "UserName", "erin"));
    put_inline(s, "dave", "own", allow("iam:GetUser"));
    put_group(s, "Ops", "OpsManaged");
    put_group(s, "dev", "DevManaged");
    put_group_inline(s, "Ops", "ops-inline", allow("sqs:*"));
    put_member(s, "Ops", "dave");
    put_member(s, "dev", "dave");
    CHECK_OK(identity_cache_new(&c));
    dave = cached(c, s, "dave", &pd);
    erin = cached(c, s, "erin", &pe);
    CHECK_INT(dave->n, 4);
    if (dave->n == 4) {
        static const char *const labels[] = {"own", "DevManaged", "ops-inline", "OpsManaged"};
        static const enum identity_policy_type types[] = {
            IDENTITY_USER_INLINE, IDENTITY_GROUP_MANAGED, IDENTITY_GROUP_INLINE,
            IDENTITY_GROUP_MANAGED};

        for (size_t i = 0; i < 4; i++) {
            CHECK_STR(policy_label(dave->policies[i]), labels[i]);
            CHECK_INT(dave->types[i], types[i]);
        }
    }
    CHECK_INT(erin->n, 0);
    /* erin joins dev: her set is reloaded, dave's stays */
    put_member(s, "dev", "erin");
    again = cached(c, s, "dave", &p2);
    CHECK(again == dave);
    identity_release(p2);
    identity_release(pe);
    erin = cached(c, s, "erin", &pe);
    CHECK_INT(erin->n, 1);
    /* an inline policy of Ops: dave (a member) is reloaded, erin (not one) is not */
    put_group_inline(s, "ops", "ops-more", allow("sns:*"));
    again = cached(c, s, "erin", &p2);
    CHECK(again == erin);
    identity_release(p2);
    again = cached(c, s, "dave", &p2);
    CHECK(again != dave);
    CHECK_INT(again->n, 5);
    identity_release(pd);
    dave = again;
    pd = p2;
    /* the dev group record changes (an attachment): both members are reloaded */
    put_group(s, "dev", "OpsManaged");
    again = cached(c, s, "dave", &p2);
    CHECK(again != dave);
    identity_release(p2);
    again = cached(c, s, "erin", &p2);
    CHECK(again != erin);
    if (again->n == 1)
        CHECK_STR(policy_label(again->policies[0]), "OpsManaged");
    identity_release(p2);
    identity_release(pd);
    identity_release(pe);
    identity_cache_free(c);
}

/* More policies than the limit fail the load rather than drop one that might deny. */
static void limit(struct store *s)
{
    struct principal carol = user("carol");
    struct identity_set set;
    char name[32];

    put(s, RECORD_USER, ACCOUNT, "carol", json_pack("{s:s}", "UserName", "carol"));
    for (int i = 0; i < IDENTITY_SET_MAX; i++) {
        snprintf(name, sizeof(name), "p%03d", i);
        put_inline(s, "carol", name, allow("iam:GetUser"));
    }
    CHECK_OK(load(s, &carol, &set));
    CHECK_INT(set.n, IDENTITY_SET_MAX);
    CHECK_STR(policy_label(set.policies[0]), "p000");
    snprintf(name, sizeof(name), "p%03d", IDENTITY_SET_MAX - 1);
    CHECK_STR(policy_label(set.policies[IDENTITY_SET_MAX - 1]), name);
    identity_set_release(&set);
    snprintf(name, sizeof(name), "p%03d", IDENTITY_SET_MAX);
    put_inline(s, "carol", name, allow("iam:GetUser"));
    CHECK_RC(load(s, &carol, &set), CU_E_INTERNAL);
    CHECK_INT(set.n, 0);
}

/* A group's own set (the simulator's group PolicySourceArn): its inline then attached
 * policies, nothing of its members; a group record naming a deleted policy refuses. */
static void group_set(struct store *s)
{
    struct store_tx *tx = NULL;
    struct identity_set set;
    json_t *group = json_pack("{s:s, s:[{s:s, s:s}]}", "GroupName", "Ops", RECORD_USER_ATTACHED,
                              "PolicyName", "OpsManaged", "PolicyArn",
                              "arn:aws:iam::" ACCOUNT ":policy/OpsManaged");
    json_t *broken = json_pack("{s:s, s:[{s:s, s:s}]}", "GroupName", "Ops", RECORD_USER_ATTACHED,
                               "PolicyName", "Gone", "PolicyArn",
                               "arn:aws:iam::" ACCOUNT ":policy/Gone");

    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(identity_set_load_group(tx, ACCOUNT, group, &set));
    CHECK_INT(set.n, 3);
    if (set.n == 3) {
        CHECK_STR(policy_label(set.policies[0]), "ops-inline");
        CHECK_STR(policy_label(set.policies[1]), "ops-more");
        CHECK_STR(policy_label(set.policies[2]), "OpsManaged");
        CHECK_INT(set.types[0], IDENTITY_GROUP_INLINE);
        CHECK_INT(set.types[2], IDENTITY_GROUP_MANAGED);
    }
    CHECK(set.boundary == NULL);
    identity_set_release(&set);
    CHECK(identity_set_load_group(tx, ACCOUNT, broken, &set) != CU_OK);
    CHECK_INT(set.n, 0);
    store_tx_rollback(tx);
    json_decref(group);
    json_decref(broken);
}

int main(void)
{
    struct store *s = NULL;
    struct cu_err err = {0};
    char cmd[128];

    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(store_open(dir, &s, &err));
    seed(s);
    order_labels_and_fill(s);
    cache_serves_the_same_set(s);
    root_unknown_and_broken(s);
    limit(s);
    groups_and_their_evictions(s);
    group_set(s);
    aws_managed_policies(s);
    store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_END();
}
