/* Tests for auth/key_usage.c over a real SQLite store: many notes of one key make one
 * record with the latest use, a flush with nothing noted writes nothing, session keys and
 * oversized ids are ignored, a key deleted before the flush gets no record, two threads
 * noting at once lose nothing, and stopping writes what is pending; the access advisor's
 * notes: one record per (user, action) with its latest attempt, keyed by the user's unique
 * id, the root user and oversized ids ignored, written by the stop's flush too. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/key_usage.h"
#include "check.h"
#include "store/records.h"
#include "store/store.h"

static char dir[] = "/tmp/custos-key-usage-test-XXXXXX";

static void put_key(struct store *s, const char *akid)
{
    struct store_tx *tx = NULL;
    json_t *doc = json_pack("{s:s, s:s, s:s}", "Account", "111122223333", "UserName", "u", "Status",
                            "Active");

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, RECORD_ACCESS_KEY, "", akid, doc, STORE_UPSERT));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

static void delete_key(struct store *s, const char *akid)
{
    struct store_tx *tx = NULL;

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_delete(tx, RECORD_ACCESS_KEY, "", akid, NULL));
    CHECK_OK(store_tx_commit(tx));
}

/* The stored last use of akid, or NULL. */
static json_t *used(struct store *s, const char *akid)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;

    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_get(tx, RECORD_ACCESS_KEY_LAST_USED, "", akid, &doc));
    store_tx_rollback(tx);
    return doc;
}

static void latest_use_in_one_write(struct store *s)
{
    struct key_usage *u = NULL;
    uint64_t seq;
    json_t *doc;

    put_key(s, "AKIAONE0000000000001");
    CHECK_OK(key_usage_start(s, 3600 * 1000, &u));
    seq = store_last_seq(s);
    CHECK_OK(key_usage_flush(u)); /* nothing noted: no transaction */
    CHECK_INT(store_last_seq(s), seq);
    for (int i = 0; i < 100; i++)
        key_usage_note(u, "AKIAONE0000000000001", "sts", "us-east-1", 1000000 + i);
    /* within KEY_USAGE_NOTE_MS of the first: kept as the first */
    key_usage_note(u, "AKIAONE0000000000001", "kms", "eu-west-1", 1000000 + KEY_USAGE_NOTE_MS + 5);
    key_usage_note(u, "ASIATEMP000000000001", "sts", "us-east-1", 1000000);
    key_usage_note(u, "AKIAWAYTOOLONG000000000000000000000000000", "sts", "us-east-1", 1000000);
    CHECK_OK(key_usage_flush(u));
    CHECK_INT(store_last_seq(s), seq + 1); /* one write transaction */
    doc = used(s, "AKIAONE0000000000001");
    CHECK(doc != NULL);
    CHECK_INT(json_integer_value(json_object_get(doc, "LastUsedDate")),
              1000000 + KEY_USAGE_NOTE_MS + 5);
    CHECK_STR(json_string_value(json_object_get(doc, "ServiceName")), "kms");
    CHECK_STR(json_string_value(json_object_get(doc, "Region")), "eu-west-1");
    json_decref(doc);
    CHECK(used(s, "ASIATEMP000000000001") == NULL);
    /* clean after the flush: a second flush writes nothing */
    seq = store_last_seq(s);
    CHECK_OK(key_usage_flush(u));
    CHECK_INT(store_last_seq(s), seq);
    key_usage_stop(u);
}

static void deleted_key_gets_no_record(struct store *s)
{
    struct key_usage *u = NULL;

    put_key(s, "AKIAGONE000000000001");
    CHECK_OK(key_usage_start(s, 3600 * 1000, &u));
    key_usage_note(u, "AKIAGONE000000000001", "iam", "us-east-1", 5000);
    delete_key(s, "AKIAGONE000000000001");
    key_usage_stop(u); /* the stop's flush */
    CHECK(used(s, "AKIAGONE000000000001") == NULL);
}

/* The stored last attempt of action by the user whose unique id is id, or NULL. */
static json_t *attempted(struct store *s, const char *id, const char *action)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    char scope[STORE_NAME_MAX];

    store_scope(RECORD_ACTION_LAST_USED, "111122223333", NULL, id, scope);
    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_get(tx, RECORD_ACTION_LAST_USED, scope, action, &doc));
    store_tx_rollback(tx);
    return doc;
}

static void action_notes(struct store *s)
{
    static const char encrypt[] = "kms:Encrypt", list[] = "kms:ListKeys";
    struct key_usage *u = NULL;
    struct principal user = {.type = PRINCIPAL_USER, .account_id = "111122223333",
                             .arn = "arn:aws:iam::111122223333:user/a", .user_id = "AIDAUSERA00000000001"};
    struct principal root = {.type = PRINCIPAL_ROOT, .account_id = "111122223333",
                             .arn = "arn:aws:iam::111122223333:root", .user_id = "111122223333"};
    struct principal odd = user;
    uint64_t seq;
    json_t *doc;

    memset(odd.user_id, 'A', sizeof(odd.user_id) - 1);
    CHECK_OK(key_usage_start(s, 3600 * 1000, &u));
    for (int i = 0; i < 50; i++)
        key_usage_note_action(u, &user, encrypt, "us-east-1", 2000000 + i);
    key_usage_note_action(u, &user, encrypt, "eu-west-1", 2000000 + KEY_USAGE_NOTE_MS + 1);
    key_usage_note_action(u, &user, list, "us-east-1", 2000100);
    key_usage_note_action(u, &root, list, "us-east-1", 2000100);
    key_usage_note_action(u, &odd, list, "us-east-1", 2000100);
    key_usage_note_action(u, &user, NULL, "us-east-1", 2000100);
    seq = store_last_seq(s);
    CHECK_OK(key_usage_flush(u));
    CHECK_INT(store_last_seq(s), seq + 1); /* one transaction for both records */
    doc = attempted(s, user.user_id, encrypt);
    CHECK(doc != NULL);
    CHECK_INT(json_integer_value(json_object_get(doc, "LastAuthenticated")),
              2000000 + KEY_USAGE_NOTE_MS + 1);
    CHECK_STR(json_string_value(json_object_get(doc, "Region")), "eu-west-1");
    CHECK_STR(json_string_value(json_object_get(doc, "Entity")), user.arn);
    json_decref(doc);
    doc = attempted(s, user.user_id, list);
    CHECK(doc != NULL);
    json_decref(doc);
    CHECK(attempted(s, root.user_id, list) == NULL);
    /* a later attempt, written by the stop */
    key_usage_note_action(u, &user, list, "ap-south-1", 9000000);
    key_usage_stop(u);
    doc = attempted(s, user.user_id, list);
    CHECK_STR(json_string_value(json_object_get(doc, "Region")), "ap-south-1");
    json_decref(doc);
}

struct noter {
    struct key_usage *u;
    const char *akid;
};

static void *note_many(void *arg)
{
    struct noter *n = arg;

    for (int64_t t = 0; t < 200000; t += 10)
        key_usage_note(n->u, n->akid, "sts", "us-east-1", t);
    return NULL;
}

static void two_threads_and_the_flusher(struct store *s)
{
    struct key_usage *u = NULL;
    pthread_t a, b;
    struct noter na, nb;
    json_t *doc;

    put_key(s, "AKIATHREADA000000001");
    put_key(s, "AKIATHREADB000000001");
    CHECK_OK(key_usage_start(s, 5, &u)); /* the flusher runs all along */
    na = (struct noter){u, "AKIATHREADA000000001"};
    nb = (struct noter){u, "AKIATHREADB000000001"};
    CHECK(pthread_create(&a, NULL, note_many, &na) == 0);
    CHECK(pthread_create(&b, NULL, note_many, &nb) == 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    key_usage_stop(u);
    doc = used(s, "AKIATHREADA000000001");
    CHECK(doc != NULL);
    /* the last note (t = 199990) is within a grain of the last one kept */
    CHECK(json_integer_value(json_object_get(doc, "LastUsedDate")) > 199990 - KEY_USAGE_NOTE_MS);
    json_decref(doc);
    doc = used(s, "AKIATHREADB000000001");
    CHECK(doc != NULL);
    json_decref(doc);
}

int main(void)
{
    struct store *s = NULL;
    struct cu_err err = {0};
    char cmd[128];

    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(store_open(dir, &s, &err));
    latest_use_in_one_write(s);
    deleted_key_gets_no_record(s);
    two_threads_and_the_flusher(s);
    action_notes(s);
    key_usage_note(NULL, "AKIAONE0000000000001", "sts", "us-east-1", 1); /* NULL-safe */
    key_usage_stop(NULL);
    store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_END();
}
