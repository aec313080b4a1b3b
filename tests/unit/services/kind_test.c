/* Tests for services/kind.c with IAM's kinds (services/iam/iam_kinds.c) over a real SQLite
 * store: create answers the kind's already-exists error in AWS's words (and case folding
 * makes "alice" taken by "Alice"), load and delete its not-found error naming what was
 * asked for, a kind found by ARN refuses another account's, another path's and a
 * malformed ARN, update replaces in place and fails on a record that is gone, a user's
 * inline policies live under the user (exact names), kind_target takes the resolver's
 * record, and every IAM kind's wording holds exactly one %s. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "services/iam/iam_common.h"
#include "store/store.h"

#define ACCOUNT "111122223333"

static char dir[] = "/tmp/custos-kind-test-XXXXXX";
static struct store *store;
static struct call_env env = {.account_id = ACCOUNT, .region = "us-east-1"};

static void begin(struct call *call)
{
    memset(call, 0, sizeof(*call));
    call->env = &env;
    call->region = env.region;
    CHECK_OK(store_tx_begin(store, true, &call->tx));
}

static void commit(struct call *call)
{
    CHECK_OK(store_tx_commit(call->tx));
    call->tx = NULL;
}

static void test_create_and_exists(void)
{
    struct call call;
    json_t *alice = json_pack("{s:s, s:s}", "UserName", "Alice", "Arn", "a");
    json_t *lower = json_pack("{s:s}", "UserName", "alice");

    begin(&call);
    CHECK_OK(kind_create(&call, &iam_kind_user, NULL, alice));
    CHECK_RC(kind_create(&call, &iam_kind_user, NULL, lower), CU_E_IAM_ENTITY_EXISTS);
    CHECK_STR(call.err.msg, "User with name alice already exists.");
    commit(&call);
    json_decref(alice);
    json_decref(lower);
}

static void test_load_and_not_found(void)
{
    struct call call;
    json_t *doc = NULL;

    begin(&call);
    CHECK_OK(kind_load(&call, &iam_kind_user, NULL, "ALICE", &doc));
    CHECK_STR(json_string_value(json_object_get(doc, "UserName")), "Alice");
    json_decref(doc);
    doc = NULL;
    CHECK_RC(kind_load(&call, &iam_kind_user, NULL, "Nobody", &doc), CU_E_IAM_NO_SUCH_ENTITY);
    CHECK(doc == NULL);
    CHECK_STR(call.err.msg, "The user with name Nobody cannot be found.");
    CHECK_RC(kind_load(&call, &iam_kind_group, NULL, "Alice", &doc), CU_E_IAM_NO_SUCH_ENTITY);
    CHECK_STR(call.err.msg, "The group with name Alice cannot be found.");
    CHECK_OK(kind_find(&call, &iam_kind_user, NULL, "nobody", &doc));
    CHECK(doc == NULL);
    /* no name at all is no record, not a crash */
    CHECK_OK(kind_find(&call, &iam_kind_user, NULL, NULL, &doc));
    CHECK(doc == NULL);
    store_tx_rollback(call.tx);
}

static void test_update_and_remove(void)
{
    struct call call;
    json_t *doc = NULL, *gone = json_pack("{s:s}", "UserName", "Ghost");

    begin(&call);
    CHECK_OK(kind_load(&call, &iam_kind_user, NULL, "alice", &doc));
    CHECK_OK(json_object_set_new(doc, "Path", json_string("/x/")) == 0 ? CU_OK : CU_E_NOMEM);
    CHECK_OK(kind_update(&call, &iam_kind_user, NULL, doc));
    json_decref(doc);
    CHECK_OK(kind_load(&call, &iam_kind_user, NULL, "Alice", &doc));
    CHECK_STR(json_string_value(json_object_get(doc, "Path")), "/x/");
    /* a record that is not there cannot be updated or removed in place */
    CHECK_RC(kind_update(&call, &iam_kind_user, NULL, gone), CU_E_IAM_NO_SUCH_ENTITY);
    CHECK_STR(call.err.msg, "The user with name Ghost cannot be found.");
    CHECK_RC(kind_remove(&call, &iam_kind_user, NULL, gone), CU_E_IAM_NO_SUCH_ENTITY);
    CHECK_OK(kind_remove(&call, &iam_kind_user, NULL, doc));
    json_decref(doc);
    doc = NULL;
    CHECK_OK(kind_find(&call, &iam_kind_user, NULL, "alice", &doc));
    CHECK(doc == NULL);
    store_tx_rollback(call.tx); /* alice stays for the tests after */
    json_decref(gone);
}

static void test_by_arn(void)
{
    struct call call;
    json_t *doc = json_pack("{s:s, s:s}", "PolicyName", "Boundary", "Arn",
                            "arn:aws:iam::" ACCOUNT ":policy/team/Boundary");
    json_t *got = NULL;
    static const char *const none[] = {
        "arn:aws:iam::" ACCOUNT ":policy/Boundary",         /* another path */
        "arn:aws:iam::999999999999:policy/team/Boundary",   /* another account */
        "arn:aws:iam::" ACCOUNT ":user/team/Boundary",      /* another resource type */
        "arn:aws:kms::" ACCOUNT ":policy/team/Boundary",    /* another service */
        "Boundary",                                         /* a name, no ARN */
        "",
    };

    begin(&call);
    CHECK_OK(kind_create(&call, &iam_kind_managed_policy, NULL, doc));
    CHECK_RC(kind_create(&call, &iam_kind_managed_policy, NULL, doc), CU_E_IAM_ENTITY_EXISTS);
    CHECK_STR(call.err.msg,
              "A policy called Boundary already exists. Duplicate names are not allowed.");
    CHECK_OK(kind_find(&call, &iam_kind_managed_policy, NULL,
                       "arn:aws:iam::" ACCOUNT ":policy/team/BOUNDARY", &got));
    CHECK(got == NULL); /* the name folds into the key, but the ARN must match exactly */
    CHECK_OK(kind_load(&call, &iam_kind_managed_policy, NULL,
                       "arn:aws:iam::" ACCOUNT ":policy/team/Boundary", &got));
    CHECK_STR(json_string_value(json_object_get(got, "PolicyName")), "Boundary");
    json_decref(got);
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        got = NULL;
        CHECK_OK(kind_find(&call, &iam_kind_managed_policy, NULL, none[i], &got));
        CHECK(got == NULL);
    }
    CHECK_RC(kind_load(&call, &iam_kind_managed_policy, NULL, none[0], &got),
             CU_E_IAM_NO_SUCH_ENTITY);
    CHECK_STR(call.err.msg, "Policy arn:aws:iam::" ACCOUNT ":policy/Boundary was not found.");
    CHECK_RC(kind_load(&call, &iam_kind_attachable_policy, NULL, none[1], &got),
             CU_E_IAM_NO_SUCH_ENTITY);
    CHECK_STR(call.err.msg, "Policy arn:aws:iam::999999999999:policy/team/Boundary does not "
                                "exist or is not attachable.");
    CHECK_RC(kind_load(&call, &iam_kind_managed_policy, NULL, NULL, &got),
             CU_E_IAM_NO_SUCH_ENTITY);
    CHECK_STR(call.err.msg, "Policy  was not found.");
    /* by name it cannot be deleted (its error names an ARN); as the loaded record it can */
    CHECK_RC(kind_delete(&call, &iam_kind_managed_policy, NULL, "Boundary"), CU_E_INTERNAL);
    CHECK_OK(kind_remove(&call, &iam_kind_managed_policy, NULL, doc));
    CHECK_RC(kind_remove(&call, &iam_kind_managed_policy, NULL, doc), CU_E_IAM_NO_SUCH_ENTITY);
    CHECK_STR(call.err.msg,
              "Policy arn:aws:iam::" ACCOUNT ":policy/team/Boundary was not found.");
    commit(&call);
    json_decref(doc);
}

static void test_under_a_user(void)
{
    struct call call;
    json_t *p = json_pack("{s:s, s:s}", "PolicyName", "Inline", "PolicyDocument", "{}");
    json_t *got = NULL;

    begin(&call);
    CHECK_OK(kind_put(&call, &iam_kind_user_policy, "Alice", p));
    CHECK_OK(kind_put(&call, &iam_kind_user_policy, "Alice", p)); /* replaces */
    /* the user's name folds into the scope; the policy's name is kept exactly */
    CHECK_OK(kind_load(&call, &iam_kind_user_policy, "alice", "Inline", &got));
    json_decref(got);
    got = NULL;
    CHECK_RC(kind_load(&call, &iam_kind_user_policy, "alice", "inline", &got),
             CU_E_IAM_NO_SUCH_ENTITY);
    CHECK_STR(call.err.msg, "The user policy with name inline cannot be found.");
    CHECK_OK(kind_find(&call, &iam_kind_user_policy, "Bob", "Inline", &got));
    CHECK(got == NULL);
    /* a kind under a user needs the user */
    CHECK_RC(kind_find(&call, &iam_kind_user_policy, NULL, "Inline", &got), CU_E_INTERNAL);
    CHECK_RC(kind_delete(&call, &iam_kind_user_policy, "ALICE", "Inline"), CU_OK);
    CHECK_RC(kind_delete(&call, &iam_kind_user_policy, "ALICE", "Inline"),
             CU_E_IAM_NO_SUCH_ENTITY);
    CHECK_STR(call.err.msg, "The user policy with name Inline cannot be found.");
    /* no already-exists wording: a create that collides is an internal failure */
    CHECK_OK(kind_create(&call, &iam_kind_user_policy, "Alice", p));
    CHECK_RC(kind_create(&call, &iam_kind_user_policy, "Alice", p), CU_E_STORE_EXISTS);
    commit(&call);
    json_decref(p);
}

static void test_target(void)
{
    struct call call;
    json_t *doc = NULL, *rec = json_pack("{s:s}", "UserName", "Alice");

    begin(&call);
    CHECK_RC(kind_target(&call, &iam_kind_user, "Alice", &doc), CU_E_IAM_NO_SUCH_ENTITY);
    CHECK(doc == NULL);
    CHECK_STR(call.err.msg, "The user with name Alice cannot be found.");
    call.target.doc = rec;
    CHECK_OK(kind_target(&call, &iam_kind_user, "Alice", &doc));
    CHECK(doc == rec); /* borrowed: the very record the resolver loaded */
    store_tx_rollback(call.tx);
    json_decref(rec);
}

/* Every wording is a format with one %s and no other conversion. */
static void test_wordings(void)
{
    const struct kind *const kinds[] = {&iam_kind_user, &iam_kind_group, &iam_kind_managed_policy,
                                        &iam_kind_attachable_policy, &iam_kind_user_policy};

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *msgs[] = {kinds[i]->not_found_msg, kinds[i]->exists_msg};
        CHECK(kinds[i]->not_found_msg != NULL);
        for (size_t j = 0; j < 2; j++) {
            const char *m = msgs[j], *p;
            int n = 0;
            for (p = m ? strchr(m, '%') : NULL; p; p = strchr(p + 2, '%')) {
                CHECK(p[1] == 's');
                n++;
            }
            CHECK(!m || n == 1);
        }
    }
}

/* A name as long as a store key (Secrets Manager's may have 512 characters) is not
 * truncated into another's key: 512 and 511 characters are two records. */
static void test_long_names(void)
{
    static const struct kind long_kind = {.store_kind = RECORD_USER, .scope = KIND_ACCOUNT,
                                          .name_member = "UserName",
                                          .not_found = CU_E_IAM_NO_SUCH_ENTITY,
                                          .not_found_msg = "%s", .exists = CU_E_IAM_ENTITY_EXISTS,
                                          .exists_msg = "%s"};
    struct call call;
    char a[513], b[512];
    json_t *da, *db, *got = NULL;

    memset(a, 'n', 512);
    a[512] = '\0';
    memset(b, 'n', 511);
    b[511] = '\0';
    da = json_pack("{s:s, s:s}", "UserName", a, "Arn", "512");
    db = json_pack("{s:s, s:s}", "UserName", b, "Arn", "511");
    begin(&call);
    CHECK_OK(kind_create(&call, &long_kind, NULL, da));
    CHECK_OK(kind_create(&call, &long_kind, NULL, db));
    CHECK_RC(kind_create(&call, &long_kind, NULL, da), CU_E_IAM_ENTITY_EXISTS);
    CHECK_OK(kind_load(&call, &long_kind, NULL, a, &got));
    CHECK_STR(json_string_value(json_object_get(got, "Arn")), "512");
    json_decref(got);
    CHECK_OK(kind_remove(&call, &long_kind, NULL, da));
    CHECK_OK(kind_find(&call, &long_kind, NULL, a, &got));
    CHECK(got == NULL);
    CHECK_OK(kind_load(&call, &long_kind, NULL, b, &got));
    json_decref(got);
    commit(&call);
    json_decref(da);
    json_decref(db);
}

int main(void)
{
    struct cu_err err = {0};
    char cmd[128];

    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(store_open(dir, &store, &err));
    test_create_and_exists();
    test_load_and_not_found();
    test_update_and_remove();
    test_by_arn();
    test_under_a_user();
    test_target();
    test_long_names();
    test_wordings();
    store_close(store);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_END();
}
