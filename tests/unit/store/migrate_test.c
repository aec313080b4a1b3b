/* Tests for schema.c's migrations and store_adopt_region: a database written here as
 * custos's schema v2 left it — access keys with their user_key twins, a KMS key, an alias
 * and a grant scoped by account alone, the grant's kms_grant_token twin — opens as v3 with
 * every record intact, the twins gone and the indexes built from the records; the first
 * start's region then moves the regional records under "<account>/<region>" (index
 * entries with them), once. A database of a newer schema than this build is refused. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "store/records.h"
#include "store/store.h"
#include "target.h"

#define ACCT "111122223333"
#define KEY_ID "0b7e4c39-3a57-4d1b-9d0e-1f2a3b4c5d6e"

static const char v2_sql[] =
    V2_TABLES_SQL
    "INSERT INTO change_log VALUES (7, 0, 'kms_key', '" ACCT "', '" KEY_ID "');"
    "INSERT INTO objects VALUES ('access_key', '', 'AKIAROOT', "
    " '{\"Account\":\"" ACCT "\",\"UserName\":\"\",\"Status\":\"Active\"}', 1, 0);"
    "INSERT INTO objects VALUES ('user_key', '" ACCT "/', 'AKIAROOT', '{}', 1, 0);"
    "INSERT INTO objects VALUES ('access_key', '', 'AKIAALICE', "
    " '{\"Account\":\"" ACCT "\",\"UserName\":\"Alice\",\"Status\":\"Active\"}', 1, 0);"
    "INSERT INTO objects VALUES ('user_key', '" ACCT "/alice', 'AKIAALICE', '{}', 1, 0);"
    "INSERT INTO objects VALUES ('user', '" ACCT "', 'alice', '{\"UserName\":\"Alice\"}', 3, 0);"
    "INSERT INTO objects VALUES ('kms_key', '" ACCT "', '" KEY_ID "', "
    " '{\"KeyId\":\"" KEY_ID "\",\"KeyState\":\"Enabled\"}', 1, 0);"
    "INSERT INTO objects VALUES ('kms_alias', '" ACCT "', 'alias/app', "
    " '{\"AliasName\":\"alias/app\",\"TargetKeyId\":\"" KEY_ID "\"}', 1, 0);"
    "INSERT INTO objects VALUES ('kms_grant', '" ACCT "/" KEY_ID "', 'g1', "
    " '{\"GrantId\":\"g1\",\"RetiringPrincipal\":\"arn:aws:iam::" ACCT ":user/r\","
    "   \"TokenHashes\":[\"aa11\",\"bb22\"]}', 2, 0);"
    "INSERT INTO objects VALUES ('kms_grant_token', '', 'aa11', "
    " '{\"Account\":\"" ACCT "\",\"KeyId\":\"" KEY_ID "\",\"GrantId\":\"g1\"}', 1, 0);"
    "INSERT INTO objects VALUES ('kms_grant_token', '', 'bb22', "
    " '{\"Account\":\"" ACCT "\",\"KeyId\":\"" KEY_ID "\",\"GrantId\":\"g1\"}', 1, 0);";

static bool exists(struct store *s, const char *kind, const char *scope, const char *key)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    bool found;

    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_get(tx, kind, scope, key, &doc));
    found = doc != NULL;
    json_decref(doc);
    store_tx_rollback(tx);
    return found;
}

static size_t count_kind(struct store *s, const char *kind, const char *scope)
{
    struct store_tx *tx = NULL;
    size_t n = 99;

    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_count(tx, kind, scope, &n));
    store_tx_rollback(tx);
    return n;
}

/* What the v3 data step leaves before any region is known. */
static void opened_as_v3(struct store *s)
{
    CHECK_INT(count_kind(s, "user_key", ACCT "/alice"), 0);
    CHECK_INT(count_kind(s, "user_key", ACCT "/"), 0);
    CHECK_INT(count_kind(s, "kms_grant_token", ""), 0);
    CHECK(exists(s, RECORD_USER, ACCT, "alice"));
    CHECK(exists(s, RECORD_ACCESS_KEY, "", "AKIAALICE"));
    CHECK_INT(lookup_count(s, RECORD_ACCESS_KEY, RECORD_ACCESS_KEY_BY_USER, ACCT "/alice", NULL),
              1);
    CHECK_INT(lookup_count(s, RECORD_ACCESS_KEY, RECORD_ACCESS_KEY_BY_USER, ACCT "/", NULL), 1);
    CHECK_INT(lookup_count(s, RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_TOKEN, "bb22", NULL), 1);
    /* the change log's seqs go on from v2's */
    CHECK_INT(store_last_seq(s), 7);
}

static void adopted(struct store *s, const char *region)
{
    char scope[STORE_NAME_MAX], grants[STORE_NAME_MAX];
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    struct store_lookup q = {RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_TOKEN, "aa11", NULL};
    char found_scope[STORE_NAME_MAX], found_key[STORE_NAME_MAX];

    store_scope(RECORD_KMS_KEY, ACCT, region, NULL, scope);
    store_scope(RECORD_KMS_GRANT, ACCT, region, KEY_ID, grants);
    CHECK(exists(s, RECORD_KMS_KEY, scope, KEY_ID));
    CHECK(exists(s, RECORD_KMS_ALIAS, scope, "alias/app"));
    CHECK(exists(s, RECORD_KMS_GRANT, grants, "g1"));
    CHECK(!exists(s, RECORD_KMS_KEY, ACCT, KEY_ID));
    CHECK(!exists(s, RECORD_KMS_ALIAS, ACCT, "alias/app"));
    CHECK(!exists(s, RECORD_KMS_GRANT, ACCT "/" KEY_ID, "g1"));
    CHECK_INT(lookup_count(s, RECORD_KMS_ALIAS, RECORD_KMS_ALIAS_BY_KEY, KEY_ID, scope), 1);
    CHECK_INT(lookup_count(s, RECORD_KMS_ALIAS, RECORD_KMS_ALIAS_BY_KEY, KEY_ID,
                           ACCT "/other-1"), 0);
    CHECK_INT(lookup_count(s, RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_RETIRING,
                           "arn:aws:iam::" ACCT ":user/r", scope), 1);
    CHECK_OK(store_tx_begin(s, false, &tx));
    q.within = scope;
    CHECK_OK(store_find_one(tx, &q, found_scope, found_key, &doc));
    CHECK(doc != NULL);
    CHECK_STR(found_scope, grants);
    CHECK_STR(found_key, "g1");
    CHECK_STR(json_string_value(json_object_get(doc, "GrantId")), "g1");
    json_decref(doc);
    store_tx_rollback(tx);
    /* global and node records stay where they were */
    CHECK(exists(s, RECORD_USER, ACCT, "alice"));
    CHECK(exists(s, RECORD_ACCESS_KEY, "", "AKIAROOT"));
}

static void v2_opens_as_v3(void)
{
    struct target t;
    struct store *s = NULL;
    struct cu_err err = {0};
    uint64_t seq;

    target_new(&t, "migrate");
    CHECK(target_exec(&t, v2_sql));
    CHECK_OK(store_open(t.url, &s, &err));
    opened_as_v3(s);
    /* v2's scopes until a region is adopted */
    CHECK(exists(s, RECORD_KMS_KEY, ACCT, KEY_ID));
    store_close(s);
    /* reopening re-runs nothing: still v3, still unscoped */
    CHECK_OK(store_open(t.url, &s, &err));
    opened_as_v3(s);
    CHECK_OK(store_adopt_region(s, "eu-west-1", &err));
    adopted(s, "eu-west-1");
    /* the move is a logged change: caches would see it */
    CHECK(store_last_seq(s) > 7);
    seq = store_last_seq(s);
    /* a second start, even with another region, changes nothing */
    CHECK_OK(store_adopt_region(s, "us-west-2", &err));
    CHECK_INT(store_last_seq(s), seq);
    adopted(s, "eu-west-1");
    store_close(s);
    CHECK_OK(store_open(t.url, &s, &err));
    CHECK_OK(store_adopt_region(s, "us-west-2", &err));
    adopted(s, "eu-west-1");
    store_close(s);
    target_remove(&t);
}

/* A new data dir has nothing to adopt; its records are scoped by region from the start. */
static void new_dir_has_nothing_to_adopt(void)
{
    struct target t;
    struct store *s = NULL;
    struct cu_err err = {0};
    uint64_t seq;

    target_new(&t, "migrate");
    CHECK_OK(store_open(t.url, &s, &err));
    seq = store_last_seq(s);
    CHECK_OK(store_adopt_region(s, "eu-west-1", &err));
    CHECK_INT(store_last_seq(s), seq);
    store_close(s);
    target_remove(&t);
}

static void newer_schema_is_refused(void)
{
    struct target t;
    struct store *s = NULL;
    struct cu_err err = {0};

    target_new(&t, "migrate");
    CHECK(target_exec(&t, "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
                          "INSERT INTO meta VALUES ('schema_version', '99');"));
    CHECK_RC(store_open(t.url, &s, &err), CU_E_STORE);
    CHECK(strstr(err.msg, "99") != NULL);
    target_remove(&t);
}

int main(void)
{
    v2_opens_as_v3();
    new_dir_has_nothing_to_adopt();
    newer_schema_is_refused();
    TEST_END();
}
