/* Tests for auth/kms_key_usage.c over a real SQLite store: many uses of one key make one
 * record in one write transaction with the latest use (notes within KEY_USAGE_NOTE_MS of
 * the last keep it), a flush with nothing noted writes nothing, ARNs that are not a KMS
 * key's (truncated, another service, an alias, oversized, empty parts) are ignored, a key
 * not in the store gets no record, and stopping writes what is pending. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/kms_key_usage.h"
#include "auth/key_usage.h"
#include "check.h"
#include "store/records.h"
#include "store/store.h"

static char dir[] = "/tmp/custos-kms-key-usage-test-XXXXXX";

#define ARN "arn:aws:kms:eu-west-1:111122223333:key/1111aaaa-0000-4000-8000-000000000001"
#define KEY_ID "1111aaaa-0000-4000-8000-000000000001"

static void put_key(struct store *s, const char *region, const char *key_id)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:s}", "KeyId", key_id);
    char scope[STORE_NAME_MAX];

    store_scope(RECORD_KMS_KEY, "111122223333", region, NULL, scope);
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, RECORD_KMS_KEY, scope, key_id, doc, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

static json_t *used(struct store *s, const char *region, const char *key_id)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    char scope[STORE_NAME_MAX];

    store_scope(RECORD_KMS_KEY_LAST_USED, "111122223333", region, NULL, scope);
    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_get(tx, RECORD_KMS_KEY_LAST_USED, scope, key_id, &doc));
    store_tx_rollback(tx);
    return doc;
}

static void note(struct kms_key_usage *u, const char *arn, const char *op, const char *rid,
                 int64_t now_ms)
{
    kms_key_usage_note(u, &(struct kms_key_use){.key_arn = arn, .op = op, .request_id = rid,
                                                .event_id = "e-" "1", .now_ms = now_ms});
}

static void latest_use_in_one_write(struct store *s)
{
    struct kms_key_usage *u = NULL;
    uint64_t seq;
    json_t *doc;

    put_key(s, "eu-west-1", KEY_ID);
    CHECK_OK(kms_key_usage_start(s, 3600 * 1000, &u));
    seq = store_last_seq(s);
    CHECK_OK(kms_key_usage_flush(u)); /* nothing noted: no transaction */
    CHECK_INT(store_last_seq(s), seq);
    for (int i = 0; i < 100; i++)
        note(u, ARN, "Encrypt", "r-first", 1000000 + i);
    note(u, ARN, "Decrypt", "r-last", 1000000 + KEY_USAGE_NOTE_MS + 5);
    /* not a KMS key's ARN: ignored */
    note(u, "arn:aws:kms:eu-west-1:111122223333:alias/x", "Encrypt", "r", 1);
    note(u, "arn:aws:iam::111122223333:user/key/x", "Encrypt", "r", 1);
    note(u, "arn:aws:kms:eu-west-1:111122223333:key/", "Encrypt", "r", 1);
    note(u, "arn:aws:kms::111122223333:key/x", "Encrypt", "r", 1);
    note(u, "arn:aws:kms:eu-west-1", "Encrypt", "r", 1);
    note(u, "not an arn", "Encrypt", "r", 1);
    note(u, "arn:aws:kms:eu-west-1:111122223333:key/"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "Encrypt", "r", 1);
    kms_key_usage_note(u, &(struct kms_key_use){.key_arn = ARN, .op = NULL, .now_ms = 1});
    CHECK_OK(kms_key_usage_flush(u));
    CHECK_INT(store_last_seq(s), seq + 1); /* one write transaction */
    doc = used(s, "eu-west-1", KEY_ID);
    CHECK(doc != NULL);
    CHECK_INT(json_integer_value(json_object_get(doc, "Timestamp")),
              1000000 + KEY_USAGE_NOTE_MS + 5);
    CHECK_STR(json_string_value(json_object_get(doc, "Operation")), "Decrypt");
    CHECK_STR(json_string_value(json_object_get(doc, "KmsRequestId")), "r-last");
    CHECK_STR(json_string_value(json_object_get(doc, "CloudTrailEventId")), "e-1");
    json_decref(doc);
    /* clean after the flush: a second flush writes nothing */
    seq = store_last_seq(s);
    CHECK_OK(kms_key_usage_flush(u));
    CHECK_INT(store_last_seq(s), seq);
    /* a key the store does not hold gets no record; the stop writes what is pending */
    note(u, "arn:aws:kms:eu-west-1:111122223333:key/2222bbbb-0000-4000-8000-000000000002",
         "Sign", "r", 5000000);
    note(u, ARN, "Sign", "r-stop", 5000000);
    kms_key_usage_stop(u);
    CHECK(used(s, "eu-west-1", "2222bbbb-0000-4000-8000-000000000002") == NULL);
    doc = used(s, "eu-west-1", KEY_ID);
    CHECK_STR(json_string_value(json_object_get(doc, "Operation")), "Sign");
    json_decref(doc);
    /* the same key id in another region is another key */
    CHECK(used(s, "us-east-1", KEY_ID) == NULL);
}

int main(void)
{
    struct store *s = NULL;
    struct cu_err err = {0};
    char cmd[128];

    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(store_open(dir, &s, &err));
    latest_use_in_one_write(s);
    note(NULL, ARN, "Encrypt", "r", 1); /* NULL-safe */
    kms_key_usage_stop(NULL);
    store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_END();
}
