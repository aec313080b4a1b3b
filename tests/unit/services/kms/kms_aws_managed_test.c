/* Tests of src/services/kms/aws_managed.c over a real SQLite store: kms_aws_managed_key
 * makes a service's AWS managed key once (KeyManager AWS, AWS's description and policy,
 * yearly rotation) and finds it after; kms_aws_managed_ensure records before it commits,
 * a failing record leaves nothing, a second ensure makes nothing; unknown services and
 * reserved names of no service are refused or ignored; a read-only call's first use goes
 * through env's hook and reads on in a fresh transaction. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "services/kms/kms.h"
#include "services/kms/kms_key.h"
#include "store/records.h"

#define KMS_FIXTURE_DIR "/tmp/custos-kms-managed-test-XXXXXX"
#include "kms_fixture.h"

struct records {
    int n;
    char arn[256];
    cu_rc answer;
};

static cu_rc record(const char *region, const char *key_arn, uint64_t commit_seq, void *ctx)
{
    struct records *r = ctx;

    CHECK(strcmp(region, "eu-west-1") == 0);
    CHECK(commit_seq > 0);
    r->n++;
    snprintf(r->arn, sizeof(r->arn), "%s", key_arn);
    return r->answer;
}

static void begin(struct call *call, bool write, const char *region)
{
    memset(call, 0, sizeof(*call));
    call->env = &env;
    call->region = region;
    call->now_ms = NOW;
    CHECK_OK(store_tx_begin(store, write, &call->tx));
}

static void test_key_for_a_service(void)
{
    struct call call;
    struct kms_key *key = NULL, *again = NULL;
    const char *policy;

    begin(&call, true, "us-east-1");
    CHECK_OK(kms_aws_managed_key(&call, "secretsmanager", &key));
    CHECK_STR(json_string_value(json_object_get(key->doc, "KeyManager")), "AWS");
    CHECK_STR(json_string_value(json_object_get(key->doc, "Description")),
              "Default key that protects my Secrets Manager data when no other key is defined");
    CHECK(json_is_true(json_object_get(key->doc, "RotationEnabled")));
    CHECK_INT(json_integer_value(json_object_get(key->doc, "RotationPeriodInDays")), 365);
    policy = json_string_value(json_object_get(key->doc, "Policy"));
    CHECK(strstr(policy, "\"kms:ViaService\" : \"secretsmanager.us-east-1.amazonaws.com\""));
    CHECK(strstr(policy, "\"kms:CallerAccount\" : \"" ACCOUNT "\""));
    CHECK(key->n_backing == 1);
    CHECK_OK(store_tx_commit(call.tx));
    /* found, not made again */
    begin(&call, true, "us-east-1");
    CHECK_OK(kms_aws_managed_key(&call, "secretsmanager", &again));
    CHECK_STR(again->key_id, key->key_id);
    store_tx_rollback(call.tx);
    kms_key_unref(again);
    kms_key_unref(key);
    /* a service custos has no AWS managed key for is a bug of the caller */
    begin(&call, true, "us-east-1");
    CHECK_RC(kms_aws_managed_key(&call, "no-such-service", &key), CU_E_INTERNAL);
    store_tx_rollback(call.tx);
    CHECK(kms_aws_managed_alias("alias/aws/ssm"));
    CHECK(!kms_aws_managed_alias("alias/aws/"));
    CHECK(!kms_aws_managed_alias("alias/aws/ssmx"));
    CHECK(!kms_aws_managed_alias("alias/ssm"));
    CHECK(!kms_aws_managed_alias(NULL));
}

static bool alias_stored(const char *region, const char *alias)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    char scope[RECORD_NAME_MAX];
    bool there;

    store_scope(RECORD_KMS_ALIAS, ACCOUNT, region, NULL, scope);
    CHECK_OK(store_tx_begin(store, false, &tx));
    CHECK_OK(store_get(tx, RECORD_KMS_ALIAS, scope, alias, &doc));
    there = doc != NULL;
    json_decref(doc);
    store_tx_rollback(tx);
    return there;
}

static void test_ensure_records_first(void)
{
    struct records r = {0};

    /* a record that cannot be written: nothing is made */
    r.answer = CU_E_INTERNAL;
    CHECK_RC(kms_aws_managed_ensure(&env, "eu-west-1", "alias/aws/ssm", NOW, record, &r),
             CU_E_INTERNAL);
    CHECK(!alias_stored("eu-west-1", "alias/aws/ssm"));
    r.answer = CU_OK;
    r.n = 0;
    CHECK_OK(kms_aws_managed_ensure(&env, "eu-west-1", "alias/aws/ssm", NOW, record, &r));
    CHECK_INT(r.n, 1);
    CHECK(strncmp(r.arn, "arn:aws:kms:eu-west-1:" ACCOUNT ":key/", 34) == 0);
    CHECK(alias_stored("eu-west-1", "alias/aws/ssm"));
    CHECK(!alias_stored("us-east-1", "alias/aws/ssm"));
    /* made already: nothing made, nothing recorded */
    CHECK_OK(kms_aws_managed_ensure(&env, "eu-west-1", "alias/aws/ssm", NOW, record, &r));
    CHECK_INT(r.n, 1);
    CHECK_RC(kms_aws_managed_ensure(&env, "eu-west-1", "alias/aws/nothing", NOW, record, &r),
             CU_E_INTERNAL);
}

static int hook_calls;

static cu_rc hook(const struct call_env *e, const char *region, const char *alias, int64_t now_ms)
{
    struct records r = {0};

    hook_calls++;
    CHECK(strcmp(region, "eu-west-1") == 0);
    return kms_aws_managed_ensure(e, region, alias, now_ms, record, &r);
}

static void test_first_use_in_a_read_call(void)
{
    struct call call;
    struct kms_key *key = NULL;

    env.aws_managed_key = hook;
    /* an action that is no first use: the alias stays unknown */
    begin(&call, false, "eu-west-1");
    call.action = "kms:Decrypt";
    CHECK_RC(kms_key_find(&call, "alias/aws/s3", &key), CU_E_KMS_NOT_FOUND);
    store_tx_rollback(call.tx);
    CHECK_INT(hook_calls, 0);
    /* DescribeKey: made through the hook, then found in the fresh read transaction */
    begin(&call, false, "eu-west-1");
    call.action = "kms:DescribeKey";
    CHECK_OK(kms_key_find(&call, "alias/aws/s3", &key));
    CHECK_INT(hook_calls, 1);
    CHECK_STR(json_string_value(json_object_get(key->doc, "Description")),
              "Default key that protects my S3 objects when no other key is defined");
    kms_key_unref(key);
    store_tx_rollback(call.tx);
    /* made once */
    begin(&call, false, "eu-west-1");
    call.action = "kms:Encrypt";
    CHECK_OK(kms_key_find(&call, "alias/aws/s3", &key));
    CHECK_INT(hook_calls, 1);
    kms_key_unref(key);
    store_tx_rollback(call.tx);
    env.aws_managed_key = NULL;
}

int main(void)
{
    fixture_open();
    test_key_for_a_service();
    test_ensure_records_first();
    test_first_use_in_a_read_call();
    fixture_close();
    TEST_END();
}
