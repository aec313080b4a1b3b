/* Tests for the store's secondary indexes (kinds.c, store.c, sqlite.c): every put,
 * replace and delete keeps the index in step in the same transaction, a rollback leaves
 * no entry, lookups are restricted to a scope and the scopes below it, page by position,
 * count, find a unique value, take each element of an array member, and refuse an index
 * the kinds table does not declare. Also store_scope's classes. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "store/records.h"
#include "store/store.h"
#include "target.h"

static struct target tgt;

static void put(struct store *s, const char *kind, const char *scope, const char *key,
                json_t *doc, enum store_put_mode mode)
{
    struct store_tx *tx = NULL;

    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_put(tx, kind, scope, key, doc, mode));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
}

/* How many access keys the by-user index finds for "<account>/<lower(user)>". */
static size_t keys_of(struct store *s, const char *account_user)
{
    return lookup_count(s, RECORD_ACCESS_KEY, RECORD_ACCESS_KEY_BY_USER, account_user, NULL);
}

static json_t *access_key(const char *account, const char *user)
{
    return json_pack("{s:s, s:s, s:s}", "Account", account, "UserName", user, "Status", "Active");
}

/* access_key's derived index: "<account>/<lower(user)>". */
static void derived_index_follows_puts_and_deletes(struct store *s)
{
    struct store_tx *tx = NULL;
    bool existed = false;

    put(s, RECORD_ACCESS_KEY, "", "AKIA1", access_key("111122223333", "Alice"), STORE_CREATE);
    put(s, RECORD_ACCESS_KEY, "", "AKIA2", access_key("111122223333", "alice"), STORE_CREATE);
    put(s, RECORD_ACCESS_KEY, "", "AKIA3", access_key("111122223333", "bob"), STORE_CREATE);
    put(s, RECORD_ACCESS_KEY, "", "AKIA4", access_key("999988887777", "alice"), STORE_CREATE);
    CHECK_INT(keys_of(s, "111122223333/alice"), 2);
    CHECK_INT(keys_of(s, "111122223333/bob"), 1);
    CHECK_INT(keys_of(s, "999988887777/alice"), 1);
    /* a replace that changes the owner moves the entry */
    put(s, RECORD_ACCESS_KEY, "", "AKIA3", access_key("111122223333", "carol"), STORE_REPLACE);
    CHECK_INT(keys_of(s, "111122223333/bob"), 0);
    CHECK_INT(keys_of(s, "111122223333/carol"), 1);
    /* a document without the members has no entry */
    put(s, RECORD_ACCESS_KEY, "", "AKIA3", json_pack("{s:s}", "Status", "Active"), STORE_UPSERT);
    CHECK_INT(keys_of(s, "111122223333/carol"), 0);
    /* delete drops it; a rolled-back delete does not */
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_delete(tx, RECORD_ACCESS_KEY, "", "AKIA1", &existed));
    CHECK(existed);
    store_tx_rollback(tx);
    CHECK_INT(keys_of(s, "111122223333/alice"), 2);
    CHECK_OK(store_tx_begin(s, true, &tx));
    CHECK_OK(store_delete(tx, RECORD_ACCESS_KEY, "", "AKIA1", &existed));
    CHECK_OK(store_tx_commit(tx));
    CHECK_INT(keys_of(s, "111122223333/alice"), 1);
    /* a rolled-back put leaves no entry */
    CHECK_OK(store_tx_begin(s, true, &tx));
    {
        json_t *doc = access_key("111122223333", "dave");
        CHECK_OK(store_put(tx, RECORD_ACCESS_KEY, "", "AKIA5", doc, STORE_CREATE));
        json_decref(doc);
    }
    /* the transaction's own lookups see its writes */
    {
        struct store_lookup q = {RECORD_ACCESS_KEY, RECORD_ACCESS_KEY_BY_USER,
                                 "111122223333/dave", NULL};
        size_t n = 0;
        CHECK_OK(store_find_count(tx, &q, &n));
        CHECK_INT(n, 1);
    }
    store_tx_rollback(tx);
    CHECK_INT(keys_of(s, "111122223333/dave"), 0);
}

static json_t *grant(const char *retiring, const char *t1, const char *t2)
{
    return json_pack("{s:s, s:[s,s]}", "RetiringPrincipal", retiring, "TokenHashes", t1, t2);
}

/* kms_grant: a member index (RetiringPrincipal) and an array member (TokenHashes); scopes
 * "<account>/<region>/<key>" restricted by `within`. */
static void member_indexes_and_scopes(struct store *s)
{
    struct store_tx *tx = NULL;
    struct store_lookup q = {RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_RETIRING, "arn:r", NULL};
    struct store_position at;
    json_t *items = NULL, *doc = NULL;
    char scope[STORE_NAME_MAX], key[STORE_NAME_MAX];
    bool more = false;

    put(s, RECORD_KMS_GRANT, "111122223333/us-east-1/k2", "g1", grant("arn:r", "h1", "h2"),
        STORE_CREATE);
    put(s, RECORD_KMS_GRANT, "111122223333/us-east-1/k1", "g2", grant("arn:r", "h3", "h3"),
        STORE_CREATE);
    put(s, RECORD_KMS_GRANT, "111122223333/us-east-1/k1", "g3", grant("arn:r", "h4", "h5"),
        STORE_CREATE);
    put(s, RECORD_KMS_GRANT, "111122223333/eu-west-1/k9", "g4", grant("arn:r", "h6", "h7"),
        STORE_CREATE);
    /* a scope that merely starts with the same characters is not below it */
    put(s, RECORD_KMS_GRANT, "111122223333/us-east-10/k1", "g5", grant("arn:r", "h8", "h9"),
        STORE_CREATE);
    CHECK_INT(lookup_count(s, RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_RETIRING, "arn:r", NULL), 5);
    CHECK_INT(lookup_count(s, RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_RETIRING, "arn:r",
                           "111122223333/us-east-1"), 3);
    CHECK_INT(lookup_count(s, RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_RETIRING, "arn:r",
                           "111122223333/us-east-1/k1"), 2);
    CHECK_INT(lookup_count(s, RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_RETIRING, "arn:other", NULL),
              0);
    /* each element of the array is a value; a repeated one is one entry */
    CHECK_INT(lookup_count(s, RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_TOKEN, "h2", NULL), 1);
    CHECK_INT(lookup_count(s, RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_TOKEN, "h3", NULL), 1);

    CHECK_OK(store_tx_begin(s, false, &tx));
    /* scope then key order, paged by position */
    q.within = "111122223333/us-east-1";
    CHECK_OK(store_find(tx, &q, NULL, 2, &items, &more));
    CHECK_INT(json_array_size(items), 2);
    CHECK(more);
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 0), "key")), "g2");
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 1), "key")), "g3");
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 1), "scope")),
              "111122223333/us-east-1/k1");
    CHECK(json_object_get(json_object_get(json_array_get(items, 0), "doc"), "TokenHashes"));
    json_decref(items);
    at = (struct store_position){"111122223333/us-east-1/k1", "g3"};
    CHECK_OK(store_find(tx, &q, &at, 2, &items, &more));
    CHECK_INT(json_array_size(items), 1);
    CHECK(!more);
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 0), "key")), "g1");
    json_decref(items);
    /* one match of a unique value */
    q = (struct store_lookup){RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_TOKEN, "h5",
                              "111122223333/us-east-1"};
    CHECK_OK(store_find_one(tx, &q, scope, key, &doc));
    CHECK(doc != NULL);
    CHECK_STR(scope, "111122223333/us-east-1/k1");
    CHECK_STR(key, "g3");
    json_decref(doc);
    q.value = "h6"; /* another region's */
    CHECK_OK(store_find_one(tx, &q, scope, key, &doc));
    CHECK(doc == NULL);
    /* a value two records hold is not unique */
    q = (struct store_lookup){RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_RETIRING, "arn:r", NULL};
    CHECK_RC(store_find_one(tx, &q, NULL, NULL, &doc), CU_E_STORE);
    /* undeclared indexes and kinds are refused */
    q = (struct store_lookup){RECORD_KMS_GRANT, "GranteePrincipal", "x", NULL};
    CHECK_RC(store_find(tx, &q, NULL, 10, &items, &more), CU_E_INTERNAL);
    CHECK(items == NULL);
    q = (struct store_lookup){"nonsense", "x", "x", NULL};
    {
        size_t n = 0;
        CHECK_RC(store_find_count(tx, &q, &n), CU_E_INTERNAL);
    }
    store_tx_rollback(tx);
}

/* kms_alias by TargetKeyId: a retarget (replace) moves the alias to the other key. */
static void alias_by_target(struct store *s)
{
    const char *scope = "111122223333/us-east-1";

    put(s, RECORD_KMS_ALIAS, scope, "alias/a", json_pack("{s:s}", "TargetKeyId", "k1"),
        STORE_CREATE);
    put(s, RECORD_KMS_ALIAS, scope, "alias/b", json_pack("{s:s}", "TargetKeyId", "k1"),
        STORE_CREATE);
    CHECK_INT(lookup_count(s, RECORD_KMS_ALIAS, RECORD_KMS_ALIAS_BY_KEY, "k1", scope), 2);
    put(s, RECORD_KMS_ALIAS, scope, "alias/b", json_pack("{s:s}", "TargetKeyId", "k2"),
        STORE_REPLACE);
    CHECK_INT(lookup_count(s, RECORD_KMS_ALIAS, RECORD_KMS_ALIAS_BY_KEY, "k1", scope), 1);
    CHECK_INT(lookup_count(s, RECORD_KMS_ALIAS, RECORD_KMS_ALIAS_BY_KEY, "k2", scope), 1);
}

/* The names store_find_prefix returns for a path prefix, comma-joined, in key order. */
static void prefix_names(struct store *s, const char *prefix, size_t limit, char *out, size_t cap)
{
    struct store_tx *tx = NULL;
    struct store_lookup q = {RECORD_USER, RECORD_BY_PATH, prefix, "111122223333"};
    json_t *items = NULL, *item;
    bool more = false;
    size_t i, n = 0;

    out[0] = '\0';
    CHECK_OK(store_tx_begin(s, false, &tx));
    CHECK_OK(store_find_prefix(tx, &q, NULL, limit, &items, &more));
    json_array_foreach(items, i, item)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "",
                              json_string_value(json_object_get(item, "key")));
    if (more)
        snprintf(out + n, cap - n, ",...");
    json_decref(items);
    store_tx_rollback(tx);
}

/* The path index: a prefix is a plain string prefix (AWS's PathPrefix), case-sensitive,
 * with no wildcard characters; a path change moves the record; other accounts stay out. */
static void path_prefix(struct store *s)
{
    const char *acct = "111122223333";
    char got[256];

    put(s, RECORD_USER, acct, "ann", json_pack("{s:s}", "Path", "/eng/"), STORE_CREATE);
    put(s, RECORD_USER, acct, "bea", json_pack("{s:s}", "Path", "/eng/db/"), STORE_CREATE);
    put(s, RECORD_USER, acct, "cy", json_pack("{s:s}", "Path", "/engineering/"), STORE_CREATE);
    put(s, RECORD_USER, acct, "dee", json_pack("{s:s}", "Path", "/Eng/"), STORE_CREATE);
    put(s, RECORD_USER, acct, "eve", json_pack("{s:s}", "Path", "/e_g/"), STORE_CREATE);
    put(s, RECORD_USER, acct, "fay", json_pack("{s:s}", "Path", "/"), STORE_CREATE);
    put(s, RECORD_USER, "999988887777", "gus", json_pack("{s:s}", "Path", "/eng/"), STORE_CREATE);
    prefix_names(s, "/eng/", 10, got, sizeof(got));
    CHECK_STR(got, "ann,bea");
    prefix_names(s, "/eng", 10, got, sizeof(got));
    CHECK_STR(got, "ann,bea,cy");
    prefix_names(s, "/e_", 10, got, sizeof(got));
    CHECK_STR(got, "eve");
    prefix_names(s, "/", 2, got, sizeof(got));
    CHECK_STR(got, "ann,bea,...");
    prefix_names(s, "/x/", 10, got, sizeof(got));
    CHECK_STR(got, "");
    put(s, RECORD_USER, acct, "bea", json_pack("{s:s}", "Path", "/ops/"), STORE_REPLACE);
    prefix_names(s, "/eng/", 10, got, sizeof(got));
    CHECK_STR(got, "ann");
}

static void scopes_by_class(void)
{
    char out[STORE_NAME_MAX];

    store_scope(RECORD_KMS_KEY, "111122223333", "eu-west-1", NULL, out);
    CHECK_STR(out, "111122223333/eu-west-1");
    store_scope(RECORD_KMS_GRANT, "111122223333", "eu-west-1", "k1", out);
    CHECK_STR(out, "111122223333/eu-west-1/k1");
    store_scope(RECORD_USER, "111122223333", "eu-west-1", NULL, out);
    CHECK_STR(out, "111122223333");
    store_scope(RECORD_USER_POLICY, "111122223333", "eu-west-1", "alice", out);
    CHECK_STR(out, "111122223333/alice");
    store_scope(RECORD_ACCESS_KEY, "111122223333", "eu-west-1", NULL, out);
    CHECK_STR(out, "");
    CHECK_INT(store_kind_class(RECORD_KMS_ALIAS), STORE_CLASS_REGIONAL);
    CHECK_INT(store_kind_class(RECORD_SESSION), STORE_CLASS_NODE);
    CHECK_INT(store_kind_class("unknown-kind"), STORE_CLASS_GLOBAL);
}

int main(void)
{
    struct store *s = NULL;
    struct cu_err err = {0};

    target_new(&tgt, "index");
    CHECK_OK(store_open(tgt.url, &s, &err));
    derived_index_follows_puts_and_deletes(s);
    member_indexes_and_scopes(s);
    alias_by_target(s);
    path_prefix(s);
    scopes_by_class();
    store_close(s);
    /* the index survives a reopen */
    CHECK_OK(store_open(tgt.url, &s, &err));
    CHECK_INT(keys_of(s, "111122223333/alice"), 1);
    store_close(s);
    target_remove(&tgt);
    TEST_END();
}
