/* Tests for services/call.c's call_policy_allows: a handler judging a policy document the
 * request supplies (CreateKey's lockout check) with the caller's policies the pipeline
 * handed down in call->authz — identity policies and the KMS key-policy rule count, the
 * request's condition keys count, a grant never does, and without call->authz nothing is
 * allowed. Also the condition-key builders the services share (call_keys_*). */
#include "check.h"
#include "core/bytes.h"
#include "services/call.h"

#define ACCOUNT "111122223333"
#define USER "arn:aws:iam::111122223333:user/alice"
#define KEY "arn:aws:kms:us-east-1:111122223333:key/0b0b0b0b-0000-4000-8000-000000000000"

static struct policy *compile(const char *text, enum policy_kind kind)
{
    struct policy *p = NULL;
    struct cu_err err = {0};

    if (policy_compile(bytes_str(text), kind, "test", &p, &err) != CU_OK) {
        fprintf(stderr, "cannot compile test policy: %s\n", err.msg);
        abort();
    }
    return p;
}

/* The caller's side as the pipeline fills it: principal, time, condition keys. */
struct fixture {
    struct call_env env;
    struct call call;
    struct call_authz authz;
    struct policy_context_entry entries[1];
    const char *username;
    struct policy_context ctx;
    const struct policy *identity[1];
};

static void fixture_init(struct fixture *f, const struct policy *identity)
{
    memset(f, 0, sizeof(*f));
    f->env.account_id = ACCOUNT;
    f->call.env = &f->env;
    f->call.region = f->env.region;
    f->username = "alice";
    f->entries[0] = (struct policy_context_entry){"aws:username", &f->username, 1};
    f->ctx = (struct policy_context){f->entries, 1};
    f->identity[0] = identity;
    f->authz.set.identity = f->identity;
    f->authz.set.n_identity = identity ? 1 : 0;
    f->authz.req = (struct policy_request){.principal_arn = USER,
                                           .principal_account = ACCOUNT,
                                           .principal_type = POLICY_PRINCIPAL_USER,
                                           .context = &f->ctx,
                                           .now_s = 1700000000};
    f->call.authz = &f->authz;
}

static const char enables_account[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
    "\"arn:aws:iam::111122223333:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
static const char names_alice[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
    "\"arn:aws:iam::111122223333:user/alice\"},\"Action\":\"kms:PutKeyPolicy\",\"Resource\":\"*\"}]}";
static const char names_bob[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
    "\"arn:aws:iam::111122223333:user/bob\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
static const char allows_put[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Action\":\"kms:PutKeyPolicy\",\"Resource\":\"*\","
    "\"Condition\":{\"StringEquals\":{\"aws:username\":\"alice\"}}}]}";
static const char allows_encrypt[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Action\":\"kms:Encrypt\",\"Resource\":\"*\"}]}";

static void identity_policies_count_where_the_key_policy_enables_the_account(void)
{
    struct policy *id = compile(allows_put, POLICY_IDENTITY);
    struct policy *enables = compile(enables_account, POLICY_KEY);
    struct policy *bob = compile(names_bob, POLICY_KEY);
    struct fixture f;

    fixture_init(&f, id);
    CHECK(call_policy_allows(&f.call, "kms:PutKeyPolicy", KEY, enables));
    /* the KMS rule: a key policy that names someone else locks IAM policies out */
    CHECK(!call_policy_allows(&f.call, "kms:PutKeyPolicy", KEY, bob));
    /* another action than the identity policy allows */
    CHECK(!call_policy_allows(&f.call, "kms:ScheduleKeyDeletion", KEY, enables));
    policy_free(id);
    policy_free(enables);
    policy_free(bob);
}

static void the_key_policy_alone_may_allow(void)
{
    struct policy *alice = compile(names_alice, POLICY_KEY);
    struct policy *bob = compile(names_bob, POLICY_KEY);
    struct fixture f;

    fixture_init(&f, NULL);
    CHECK(call_policy_allows(&f.call, "kms:PutKeyPolicy", KEY, alice));
    CHECK(!call_policy_allows(&f.call, "kms:Encrypt", KEY, alice));
    CHECK(!call_policy_allows(&f.call, "kms:PutKeyPolicy", KEY, bob));
    policy_free(alice);
    policy_free(bob);
}

/* The request's condition keys are the pipeline's: another value, another answer. */
static void condition_keys_count(void)
{
    struct policy *id = compile(allows_put, POLICY_IDENTITY);
    struct policy *enables = compile(enables_account, POLICY_KEY);
    struct fixture f;

    fixture_init(&f, id);
    f.username = "mallory";
    CHECK(!call_policy_allows(&f.call, "kms:PutKeyPolicy", KEY, enables));
    f.authz.req.context = NULL;
    CHECK(!call_policy_allows(&f.call, "kms:PutKeyPolicy", KEY, enables));
    policy_free(id);
    policy_free(enables);
}

/* A grant covers the call's own action, never a judgement of a new document; and a
 * handler without authorization state (always-allowed operations) is allowed nothing. */
static void no_grant_and_no_authz(void)
{
    struct policy *id = compile(allows_encrypt, POLICY_IDENTITY);
    struct policy *enables = compile(enables_account, POLICY_KEY);
    struct fixture f;

    fixture_init(&f, id);
    f.authz.set.grant = true;
    CHECK(!call_policy_allows(&f.call, "kms:PutKeyPolicy", KEY, enables));
    CHECK(call_policy_allows(&f.call, "kms:Encrypt", KEY, enables));
    f.call.authz = NULL;
    CHECK(!call_policy_allows(&f.call, "kms:Encrypt", KEY, enables));
    policy_free(id);
    policy_free(enables);
}

/* call_policy_allows_on_behalf: kms:ViaService reaches the key policy's condition; the
 * first service's own keys (aws:ResourceTag of the secret, secretsmanager:*) are dropped
 * from the caller's context, and the caller's global keys (aws:username) kept. */
static const char via_secretsmanager[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
    "\"*\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{"
    "\"kms:ViaService\":\"secretsmanager.us-east-1.amazonaws.com\",\"aws:username\":\"alice\"},"
    "\"Null\":{\"aws:ResourceTag/team\":\"true\",\"secretsmanager:SecretId\":\"true\"}}}]}";

static void on_behalf(void)
{
    struct policy *key = compile(via_secretsmanager, POLICY_KEY);
    struct fixture f;
    struct call_keys *k = calloc(1, sizeof(*k));
    struct policy_context_entry first[3];
    const char *team = "ml", *id = "arn:aws:secretsmanager:us-east-1:111122223333:secret:x";

    fixture_init(&f, NULL);
    CHECK(!call_policy_allows_on_behalf(&f.call, "kms:Decrypt", KEY, key, "secretsmanager", k));
    call_keys_add(k, "kms:ViaService", "secretsmanager.us-east-1.amazonaws.com");
    CHECK(call_policy_allows_on_behalf(&f.call, "kms:Decrypt", KEY, key, "secretsmanager", k));
    CHECK(!call_policy_allows_on_behalf(&f.call, "kms:Encrypt", KEY, key, "secretsmanager", k));
    /* the secret's keys in the caller's context do not reach the key's evaluation */
    first[0] = f.entries[0];
    first[1] = (struct policy_context_entry){"aws:ResourceTag/team", &team, 1};
    first[2] = (struct policy_context_entry){"secretsmanager:SecretId", &id, 1};
    f.ctx = (struct policy_context){first, 3};
    CHECK(call_policy_allows_on_behalf(&f.call, "kms:Decrypt", KEY, key, "secretsmanager", k));
    /* another caller (aws:username kept from the caller's context) is refused */
    f.username = "mallory";
    CHECK(!call_policy_allows_on_behalf(&f.call, "kms:Decrypt", KEY, key, "secretsmanager", k));
    f.call.authz = NULL;
    CHECK(!call_policy_allows_on_behalf(&f.call, "kms:Decrypt", KEY, key, "secretsmanager", k));
    free(k);
    policy_free(key);
}

/* call_keys_add_number: the number's text outlives the caller's frame (it is kept in the
 * key's own slot), later keys do not disturb it, and a full set takes no more. */
static void number_keys(void)
{
    static struct call_keys k;

    k.n = k.n_values = 0;
    call_keys_add_number(&k, "sts:DurationSeconds", 300);
    call_keys_add(&k, "sts:SigningAlgorithm", "ES384");
    call_keys_add_number(&k, "x:Negative", -42);
    CHECK_INT(k.n, 3);
    CHECK_STR(k.entries[0].key, "sts:DurationSeconds");
    CHECK_INT(k.entries[0].n_values, 1);
    CHECK_STR(k.entries[0].values[0], "300");
    CHECK_STR(k.entries[1].values[0], "ES384");
    CHECK_STR(k.entries[2].key, "x:Negative");
    CHECK_STR(k.entries[2].values[0], "-42");
    while (k.n < CALL_MAX_KEYS)
        call_keys_add_number(&k, "a:Key", (int64_t)k.n);
    CHECK_STR(k.entries[CALL_MAX_KEYS - 1].values[0], "127");
    call_keys_add_number(&k, "a:Over", 1);
    CHECK_INT(k.n, CALL_MAX_KEYS);
}

/* ReEncrypt's second half replaces the first's kms:Encryption* keys: the others keep their
 * order, names and values, numbers too (their text moves with their name's slot). */
static void remove_prefix(void)
{
    static struct call_keys k;
    const char *both[] = {"a", "b"};

    k.n = k.n_values = 0;
    call_keys_add(&k, "kms:EncryptionContext:a", "1");
    call_keys_add_number(&k, "kms:Days", 7);
    call_keys_add_multi(&k, "kms:EncryptionContextKeys", both, 2);
    call_keys_add(&k, "kms:CallerAccount", "111122223333");
    call_keys_add_number(&k, "x:Count", 12);
    call_keys_add(&k, "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    call_keys_remove_prefix(&k, "kms:Encryption");
    CHECK_INT(k.n, 3);
    CHECK_STR(k.entries[0].key, "kms:Days");
    CHECK_STR(k.entries[0].values[0], "7");
    CHECK_STR(k.entries[1].key, "kms:CallerAccount");
    CHECK_STR(k.entries[1].values[0], "111122223333");
    CHECK_STR(k.entries[2].key, "x:Count");
    CHECK_STR(k.entries[2].values[0], "12");
    CHECK(k.entries[2].key == k.names[2]);
    call_keys_add(&k, "kms:EncryptionContext:b", "2");
    CHECK_INT(k.n, 4);
    CHECK_STR(k.entries[3].values[0], "2");
    call_keys_remove_prefix(&k, "");
    CHECK_INT(k.n, 0);
    call_keys_remove_prefix(&k, "kms:");
    CHECK_INT(k.n, 0);
}

/* call_keys_tag_keys: an UntagResource's TagKeys become one multi-valued aws:TagKeys, in
 * order, borrowed from the tree; a member that is not a string is passed over; an absent or
 * empty list adds no key at all (a policy's ForAllValues must then see no key). */
static void tag_keys(void)
{
    static struct call_keys k;
    json_t *list = json_pack("[s, i, s]", "team", 7, "cost");

    k.n = k.n_values = 0;
    call_keys_tag_keys(&k, list);
    CHECK_INT(k.n, 1);
    CHECK_STR(k.entries[0].key, "aws:TagKeys");
    CHECK_INT(k.entries[0].n_values, 2);
    CHECK_STR(k.entries[0].values[0], "team");
    CHECK_STR(k.entries[0].values[1], "cost");
    CHECK(k.entries[0].values[0] == json_string_value(json_array_get(list, 0)));
    call_keys_tag_keys(&k, NULL);
    json_array_clear(list);
    call_keys_tag_keys(&k, list);
    CHECK_INT(k.n, 1);
    json_decref(list);
}

int main(void)
{
    tag_keys();
    number_keys();
    remove_prefix();
    identity_policies_count_where_the_key_policy_enables_the_account();
    the_key_policy_alone_may_allow();
    condition_keys_count();
    no_grant_and_no_authz();
    on_behalf();
    TEST_END();
}
