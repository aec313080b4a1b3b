/* Tests of src/services/kms/key_state.c over a real SQLite store: a key past the end of its
 * deletion window is gone for every call before any sweep (NotFoundException, not in
 * ListKeys), the sweep removes its record, grants and aliases with one record each written
 * before the commit, a failing record rolls the deletion back, and a key whose deletion
 * was cancelled is never swept. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "crypto/master_key.h"
#include "services/kms/kms.h"
#include "services/kms/kms_key.h"
#include "services/kms/kms_ops.gen.h"
#include "store/records.h"
#include "store/store.h"

#define KMS_FIXTURE_DIR "/tmp/custos-kms-state-test-XXXXXX"
#include "kms_fixture.h"

static bool listed(const char *key_id, int64_t now_ms)
{
    json_t *out = NULL, *k;
    size_t i;
    bool found = false;

    CHECK_OK(run(NULL, kms_list_keys, "{\"Limit\": 1000}", now_ms, &out, NULL));
    json_array_foreach(json_object_get(out, "Keys"), i, k)
        found |= strcmp(json_string_value(json_object_get(k, "KeyId")), key_id) == 0;
    json_decref(out);
    return found;
}

static bool stored(const char *kind, const char *scope, const char *key)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    bool there;

    CHECK_OK(store_tx_begin(store, false, &tx));
    CHECK_OK(store_get(tx, kind, scope, key, &doc));
    there = doc != NULL;
    json_decref(doc);
    store_tx_rollback(tx);
    return there;
}

struct records {
    int n;
    char arn[256];
    uint64_t seq;
    cu_rc answer;
};

static cu_rc record(const char *region, const char *key_arn, uint64_t commit_seq, void *ctx)
{
    struct records *r = ctx;

    CHECK(strcmp(region, "us-east-1") == 0);
    r->n++;
    snprintf(r->arn, sizeof(r->arn), "%s", key_arn);
    r->seq = commit_seq;
    return r->answer;
}

static void test_deleted_when_the_window_ends(void)
{
    char doomed[64], kept[64], scope[RECORD_NAME_MAX], grants[RECORD_NAME_MAX], msg[MSG_MAX];
    char want[256];
    json_t *out = NULL;
    struct records r = {0};
    size_t n = 0;
    const int64_t after = NOW + 7 * DAY + 1;

    new_key(doomed);
    new_key(kept);
    call_key(kms_resolve_target_key_id, kms_create_alias,
             "{\"AliasName\": \"alias/doomed\", \"TargetKeyId\": \"%s\"}", doomed, NOW, CU_OK);
    call_key(kms_resolve_key_id, kms_create_grant,
             "{\"KeyId\": \"%s\", \"GranteePrincipal\": \"arn:aws:iam::" ACCOUNT
             ":user/bob\", \"Operations\": [\"Encrypt\"]}",
             doomed, NOW, CU_OK);
    call_key(kms_resolve_key_id, kms_schedule_key_deletion,
             "{\"KeyId\": \"%s\", \"PendingWindowInDays\": 7}", doomed, NOW, CU_OK);
    call_key(kms_resolve_key_id, kms_schedule_key_deletion,
             "{\"KeyId\": \"%s\", \"PendingWindowInDays\": 7}", kept, NOW, CU_OK);
    call_key(kms_resolve_key_id, kms_cancel_key_deletion, "{\"KeyId\": \"%s\"}", kept, NOW,
             CU_OK);

    /* the last moment of the window: still there, pending deletion */
    call_key(kms_resolve_key_id, kms_describe_key, "{\"KeyId\": \"%s\"}", doomed,
             NOW + 7 * DAY - 1, CU_OK);
    CHECK(listed(doomed, NOW + 7 * DAY - 1));
    /* past it, before any sweep: gone for every call, by id and by alias */
    snprintf(want, sizeof(want), "Key 'arn:aws:kms:us-east-1:" ACCOUNT ":key/%s' does not exist",
             doomed);
    snprintf(msg, sizeof(msg), "{\"KeyId\": \"%s\"}", doomed);
    CHECK_RC(run(kms_resolve_key_id, kms_describe_key, msg, after, &out, msg), CU_E_KMS_NOT_FOUND);
    CHECK_STR(msg, want);
    json_decref(out);
    call_key(kms_resolve_key_id, kms_describe_key, "{\"KeyId\": \"%s\"}", "alias/doomed", after,
             CU_E_KMS_NOT_FOUND);
    CHECK(!listed(doomed, after));
    CHECK(listed(kept, after));

    /* a record that cannot be written rolls the deletion back */
    r.answer = CU_E_STORE;
    CHECK_RC(kms_sweep_deleted(&env, after, record, &r, &n), CU_E_STORE);
    CHECK_INT(n, 0);
    CHECK_INT(r.n, 1);
    store_scope(RECORD_KMS_KEY, ACCOUNT, "us-east-1", NULL, scope);
    CHECK(stored(RECORD_KMS_KEY, scope, doomed));

    /* the sweep: one record, before the commit, naming the key and the seq it commits as */
    r = (struct records){0};
    CHECK_OK(kms_sweep_deleted(&env, after, record, &r, &n));
    CHECK_INT(n, 1);
    CHECK_INT(r.n, 1);
    snprintf(want, sizeof(want), "arn:aws:kms:us-east-1:" ACCOUNT ":key/%s", doomed);
    CHECK_STR(r.arn, want);
    CHECK(r.seq > 0 && r.seq == store_last_seq(store));
    CHECK(!stored(RECORD_KMS_KEY, scope, doomed));
    CHECK(stored(RECORD_KMS_KEY, scope, kept));
    store_scope(RECORD_KMS_ALIAS, ACCOUNT, "us-east-1", NULL, scope);
    CHECK(!stored(RECORD_KMS_ALIAS, scope, "alias/doomed"));
    store_scope(RECORD_KMS_GRANT, ACCOUNT, "us-east-1", doomed, grants);
    {
        struct store_tx *tx = NULL;
        size_t count = 1;
        CHECK_OK(store_tx_begin(store, false, &tx));
        CHECK_OK(store_count(tx, RECORD_KMS_GRANT, grants, &count));
        CHECK_INT(count, 0);
        store_tx_rollback(tx);
    }
    /* nothing left to sweep: no record, no transaction */
    r = (struct records){0};
    CHECK_OK(kms_sweep_deleted(&env, after + DAY, record, &r, &n));
    CHECK_INT(n, 0);
    CHECK_INT(r.n, 0);
}

/* Out-of-range windows and a second schedule, as AWS words them. */
static void test_schedule_errors(void)
{
    char key[64], text[128], msg[MSG_MAX];
    json_t *out = NULL;

    new_key(key);
    snprintf(text, sizeof(text), "{\"KeyId\": \"%s\", \"PendingWindowInDays\": 6}", key);
    CHECK_RC(run(kms_resolve_key_id, kms_schedule_key_deletion, text, NOW, &out, msg),
             CU_E_VALIDATION);
    CHECK_STR(msg, "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to "
                   "satisfy constraint: Member must have value greater than or equal to 7");
    json_decref(out);
    snprintf(text, sizeof(text), "{\"KeyId\": \"%s\", \"PendingWindowInDays\": 31}", key);
    CHECK_RC(run(kms_resolve_key_id, kms_schedule_key_deletion, text, NOW, &out, msg),
             CU_E_VALIDATION);
    CHECK(strstr(msg, "Member must have value less than or equal to 30") != NULL);
    json_decref(out);
    snprintf(text, sizeof(text), "{\"KeyId\": \"%s\"}", key);
    CHECK_OK(run(kms_resolve_key_id, kms_schedule_key_deletion, text, NOW, &out, NULL));
    CHECK_INT(json_integer_value(json_object_get(out, "PendingWindowInDays")), 30);
    json_decref(out);
    CHECK_RC(run(kms_resolve_key_id, kms_disable_key, text, NOW, &out, msg),
             CU_E_KMS_INVALID_STATE);
    CHECK(strstr(msg, " is pending deletion.") != NULL);
    json_decref(out);
}

int main(void)
{
    fixture_open();
    test_deleted_when_the_window_ends();
    test_schedule_errors();
    fixture_close();
    TEST_END();
}
