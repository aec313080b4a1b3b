/* Tests for KMS's record kinds (services/kms/kms_kinds.c) through services/kind.c over a
 * real SQLite store: records of a regional kind live in the call's account and region
 * (store_scope), a grant under its key's id, keys are not case-folded, and the errors are
 * KMS's exact words, naming a key or an alias by its ARN in the call's region. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "services/kms/kms_key.h"
#include "store/store.h"

#define ACCOUNT "111122223333"
#define KEY_ID "0b5b1a9e-3f2c-4d6e-8a7b-9c0d1e2f3a4b"

static char dir[] = "/tmp/custos-kms-kinds-test-XXXXXX";
static struct store *store;
static struct call_env east = {.account_id = ACCOUNT, .region = "us-east-1"};
static struct call_env west = {.account_id = ACCOUNT, .region = "eu-west-1"};

static void begin(struct call *call, const struct call_env *env)
{
    memset(call, 0, sizeof(*call));
    call->env = env;
    call->region = env->region;
    CHECK_OK(store_tx_begin(store, true, &call->tx));
}

static void end(struct call *call)
{
    CHECK_OK(store_tx_commit(call->tx));
    call->tx = NULL;
}

static void test_regional_scope(void)
{
    struct call call;
    json_t *key = json_pack("{s:s, s:s}", "KeyId", KEY_ID, "KeyState", "Enabled");
    json_t *doc = NULL;
    char scope[RECORD_NAME_MAX];

    begin(&call, &east);
    CHECK_OK(kind_create(&call, &kms_kind_key, NULL, key));
    store_scope(RECORD_KMS_KEY, ACCOUNT, "us-east-1", NULL, scope);
    CHECK_STR(scope, ACCOUNT "/us-east-1");
    CHECK_OK(store_get(call.tx, RECORD_KMS_KEY, scope, KEY_ID, &doc));
    CHECK(doc != NULL);
    json_decref(doc);
    doc = NULL;
    end(&call);
    /* the same account in another region has no such key, and says so with its ARN */
    begin(&call, &west);
    CHECK_OK(kind_find(&call, &kms_kind_key, NULL, KEY_ID, &doc));
    CHECK(doc == NULL);
    CHECK_RC(kind_load(&call, &kms_kind_key, NULL, KEY_ID, &doc), CU_E_KMS_NOT_FOUND);
    CHECK_STR(call.err.msg, "Key 'arn:aws:kms:eu-west-1:" ACCOUNT ":key/" KEY_ID "' does not exist");
    end(&call);
    json_decref(key);
}

static void test_alias_wordings(void)
{
    struct call call;
    json_t *a = json_pack("{s:s, s:s}", "AliasName", "alias/App", "TargetKeyId", KEY_ID);
    json_t *doc = NULL;

    begin(&call, &east);
    CHECK_OK(kind_create(&call, &kms_kind_alias, NULL, a));
    CHECK_RC(kind_create(&call, &kms_kind_alias, NULL, a), CU_E_KMS_ALREADY_EXISTS);
    CHECK_STR(call.err.msg,
              "An alias with the name arn:aws:kms:us-east-1:" ACCOUNT ":alias/App already exists");
    /* alias names are not folded: alias/app is another alias, and absent */
    CHECK_RC(kind_load(&call, &kms_kind_alias, NULL, "alias/app", &doc), CU_E_KMS_NOT_FOUND);
    CHECK_STR(call.err.msg, "Alias arn:aws:kms:us-east-1:" ACCOUNT ":alias/app is not found.");
    CHECK_OK(kind_load(&call, &kms_kind_alias, NULL, "alias/App", &doc));
    json_decref(doc);
    CHECK_OK(kind_delete(&call, &kms_kind_alias, NULL, "alias/App"));
    CHECK_RC(kind_delete(&call, &kms_kind_alias, NULL, "alias/App"), CU_E_KMS_NOT_FOUND);
    CHECK_STR(call.err.msg, "Alias arn:aws:kms:us-east-1:" ACCOUNT ":alias/App is not found.");
    end(&call);
    json_decref(a);
}

static void test_grant_under_its_key(void)
{
    struct call call;
    json_t *g = json_pack("{s:s, s:s}", "GrantId", "g1", "GranteePrincipal", "arn:aws:iam::1:user/x");
    json_t *doc = NULL;
    char scope[RECORD_NAME_MAX];

    begin(&call, &east);
    CHECK_OK(kind_create(&call, &kms_kind_grant, KEY_ID, g));
    kms_key_scope(&call, KEY_ID, scope);
    CHECK_STR(scope, ACCOUNT "/us-east-1/" KEY_ID);
    CHECK_OK(store_get(call.tx, RECORD_KMS_GRANT, scope, "g1", &doc));
    CHECK(doc != NULL);
    json_decref(doc);
    doc = NULL;
    /* under another key it is no grant, in KMS's words (the grant id as asked) */
    CHECK_RC(kind_load(&call, &kms_kind_grant, "other", "g1", &doc), CU_E_KMS_NOT_FOUND);
    CHECK_STR(call.err.msg, "Grant ID g1 not found");
    CHECK_OK(kind_load(&call, &kms_kind_grant, KEY_ID, "g1", &doc));
    CHECK_OK(kind_remove(&call, &kms_kind_grant, KEY_ID, doc));
    CHECK_RC(kind_remove(&call, &kms_kind_grant, KEY_ID, doc), CU_E_KMS_NOT_FOUND);
    CHECK_STR(call.err.msg, "Grant ID g1 not found");
    json_decref(doc);
    end(&call);
    json_decref(g);
}

int main(void)
{
    struct cu_err err = {0};
    char cmd[128];

    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(store_open(dir, &store, &err));
    test_regional_scope();
    test_alias_wordings();
    test_grant_under_its_key();
    store_close(store);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_END();
}
