/* Tests that KMS handlers hold only their operation's logic on what the resolver found:
 * the key the resolver loaded (call->target.resource, kms_key.h) is the one the handler
 * uses, and Decrypt's blob is decoded and parsed once, by its resolver. Over a real SQLite
 * store, as tests/unit/services/iam/iam_common_test.c does for IAM: each operation's
 * resolver runs, then the store's fault hook fails the first store operation past the
 * handler's budget (the operations its own logic needs). Requests name the key by an alias,
 * so a handler that found its key again would read the alias record again and fail with
 * CU_E_STORE; the budgets are tight (one fewer and the handler fails). */
#include <stdlib.h>
#include <unistd.h>

#include "services/kms/kms_key.h"

#define KMS_FIXTURE_DIR "/tmp/custos-kms-once-test-XXXXXX"
#include "kms_fixture.h"

#define GRANTEE "arn:aws:iam::" ACCOUNT ":user/bob"
static char grant_id[80], blob[512];

struct row {
    const char *op;
    call_resolver resolve;
    call_handler handler;
    const char *input; /* %s: the grant id or the ciphertext blob, where the row needs one */
    const char *arg;
    int budget;
    const char *effect; /* NULL, or the member of the output that must be there */
};

static json_t *input(const struct row *r)
{
    char text[1024];
    json_t *in;

    snprintf(text, sizeof(text), r->input, r->arg ? r->arg : "");
    in = json_loads(text, 0, NULL);
    CHECK(in != NULL);
    return in;
}

static void release(struct call *call)
{
    if (call->target.unpin)
        call->target.unpin(call->target.pin);
    json_decref(call->target.doc);
}

/* Resolve and run one row; commit when asked (fixtures), else roll back. `in` may be
 * changed between the resolver and the handler by `between`. */
static cu_rc run_in(const struct row *r, int budget, bool keep, json_t *in,
                    void (*between)(json_t *in), json_t **out)
{
    struct call call = {0};
    struct call_keys keys = {0};
    cu_rc rc;

    call.env = &env;
    call.region = env.region;
    call.keys = &keys;
    call.now_ms = 1700000000000;
    call.allowed_by_policy = true; /* CreateGrant: by policy, no delegation rule */
    *out = json_object();
    CHECK_OK(store_tx_begin(store, true, &call.tx));
    rc = r->resolve ? r->resolve(&call, in) : CU_OK;
    CHECK_OK(rc);
    if (between)
        between(in);
    if (budget >= 0)
        store_test_fail_after(store, budget + 1);
    rc = r->handler(&call, in, *out);
    store_test_fail_after(store, 0);
    if (rc != CU_OK && budget == r->budget)
        fprintf(stderr, "%s: %s %s\n", r->op, cu_code_ident(rc), call.err.msg);
    if (keep && rc == CU_OK)
        CHECK_OK(store_tx_commit(call.tx));
    else
        store_tx_rollback(call.tx);
    release(&call);
    return rc;
}

static cu_rc run_row(const struct row *r, int budget, bool keep, json_t **out)
{
    json_t *in = input(r);
    cu_rc rc = run_in(r, budget, keep, in, NULL, out);

    json_decref(in);
    return rc;
}

/* A key, its alias alias/app, a grant on it, and a ciphertext under it. */
static void fixtures(void)
{
    char text[512];
    struct row create = {"CreateKey", NULL, kms_create_key, "{}", NULL, -1, NULL};
    struct row alias = {"CreateAlias", kms_resolve_target_key_id, kms_create_alias,
                        "{\"AliasName\": \"alias/app\", \"TargetKeyId\": \"%s\"}", NULL, -1, NULL};
    struct row grant = {"CreateGrant", kms_resolve_key_id, kms_create_grant,
                        "{\"KeyId\": \"alias/app\", \"GranteePrincipal\": \"" GRANTEE "\", "
                        "\"Operations\": [\"Encrypt\"]}", NULL, -1, NULL};
    struct row encrypt = {"Encrypt", kms_resolve_key_id, kms_encrypt,
                          "{\"KeyId\": \"alias/app\", \"Plaintext\": \"aGVsbG8=\"}", NULL, -1, NULL};
    json_t *out = NULL;

    CHECK_OK(run_row(&create, -1, true, &out));
    snprintf(text, sizeof(text), "%s",
             json_string_value(json_object_get(json_object_get(out, "KeyMetadata"), "KeyId")));
    json_decref(out);
    alias.arg = text;
    CHECK_OK(run_row(&alias, -1, true, &out));
    json_decref(out);
    CHECK_OK(run_row(&grant, -1, true, &out));
    snprintf(grant_id, sizeof(grant_id), "%s", json_string_value(json_object_get(out, "GrantId")));
    json_decref(out);
    CHECK_OK(run_row(&encrypt, -1, false, &out));
    snprintf(blob, sizeof(blob), "%s", json_string_value(json_object_get(out, "CiphertextBlob")));
    json_decref(out);
}

static void test_loaded_once(void)
{
    const struct row rows[] = {
        {"DescribeKey", kms_resolve_key_id, kms_describe_key, "{\"KeyId\": \"alias/app\"}", NULL,
         0, "KeyMetadata"},
        {"Encrypt", kms_resolve_key_id, kms_encrypt,
         "{\"KeyId\": \"alias/app\", \"Plaintext\": \"aGVsbG8=\"}", NULL, 0, "CiphertextBlob"},
        {"GenerateDataKey", kms_resolve_key_id, kms_generate_data_key,
         "{\"KeyId\": \"alias/app\", \"NumberOfBytes\": 32}", NULL, 0, "Plaintext"},
        {"GenerateDataKeyWithoutPlaintext", kms_resolve_key_id,
         kms_generate_data_key_without_plaintext, "{\"KeyId\": \"alias/app\", \"KeySpec\": \"AES_256\"}",
         NULL, 0, "CiphertextBlob"},
        {"Decrypt", kms_resolve_ciphertext, kms_decrypt,
         "{\"CiphertextBlob\": \"%s\", \"KeyId\": \"alias/app\"}", blob, 0, "Plaintext"},
        /* the grants are read from the store: one scan */
        {"ListGrants", kms_resolve_key_id, kms_list_grants, "{\"KeyId\": \"alias/app\"}", NULL, 1,
         "Grants"},
        /* the grant: deleted by id, not read first */
        {"RevokeGrant", kms_resolve_key_id, kms_revoke_grant,
         "{\"KeyId\": \"alias/app\", \"GrantId\": \"%s\"}", grant_id, 1, NULL},
        {"CreateGrant", kms_resolve_key_id, kms_create_grant,
         "{\"KeyId\": \"alias/app\", \"GranteePrincipal\": \"" GRANTEE "\", "
         "\"Operations\": [\"Decrypt\"]}", NULL, 1, "GrantToken"},
        {"CreateAlias", kms_resolve_target_key_id, kms_create_alias,
         "{\"AliasName\": \"alias/new\", \"TargetKeyId\": \"alias/app\"}", NULL, 1, NULL},
        /* the key's lifecycle, policy and tags: the record saved once, never read again */
        {"DisableKey", kms_resolve_key_id, kms_disable_key, "{\"KeyId\": \"alias/app\"}", NULL,
         1, NULL},
        {"EnableKey", kms_resolve_key_id, kms_enable_key, "{\"KeyId\": \"alias/app\"}", NULL, 1,
         NULL},
        {"UpdateKeyDescription", kms_resolve_key_id, kms_update_key_description,
         "{\"KeyId\": \"alias/app\", \"Description\": \"d\"}", NULL, 1, NULL},
        {"ScheduleKeyDeletion", kms_resolve_key_id, kms_schedule_key_deletion,
         "{\"KeyId\": \"alias/app\", \"PendingWindowInDays\": 7}", NULL, 1, "DeletionDate"},
        {"GetKeyPolicy", kms_resolve_key_id, kms_get_key_policy, "{\"KeyId\": \"alias/app\"}",
         NULL, 0, "Policy"},
        {"ListKeyPolicies", kms_resolve_key_id, kms_list_key_policies,
         "{\"KeyId\": \"alias/app\"}", NULL, 0, "PolicyNames"},
        {"PutKeyPolicy", kms_resolve_key_id, kms_put_key_policy,
         "{\"KeyId\": \"alias/app\", \"BypassPolicyLockoutSafetyCheck\": true, \"Policy\": "
         "\"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{\\\"Effect\\\": "
         "\\\"Allow\\\", \\\"Principal\\\": {\\\"AWS\\\": \\\"arn:aws:iam::" ACCOUNT
         ":root\\\"}, \\\"Action\\\": \\\"kms:*\\\", \\\"Resource\\\": \\\"*\\\"}]}\"}",
         NULL, 1, NULL},
        {"TagResource", kms_resolve_key_id, kms_tag_resource,
         "{\"KeyId\": \"alias/app\", \"Tags\": [{\"TagKey\": \"a\", \"TagValue\": \"b\"}]}",
         NULL, 1, NULL},
        {"UntagResource", kms_resolve_key_id, kms_untag_resource,
         "{\"KeyId\": \"alias/app\", \"TagKeys\": [\"a\"]}", NULL, 1, NULL},
        {"ListResourceTags", kms_resolve_key_id, kms_list_resource_tags,
         "{\"KeyId\": \"alias/app\"}", NULL, 0, "Tags"},
        {"DeleteAlias", kms_resolve_alias, kms_delete_alias, "{\"AliasName\": \"alias/app\"}",
         NULL, 1, NULL},
    };

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        json_t *out = NULL;

        CHECK_OK(run_row(&rows[i], rows[i].budget, false, &out));
        if (rows[i].effect)
            CHECK(json_object_get(out, rows[i].effect) != NULL);
        json_decref(out);
        if (rows[i].budget > 0) {
            CHECK_RC(run_row(&rows[i], rows[i].budget - 1, false, &out), CU_E_STORE);
            json_decref(out);
        }
    }
}

/* After the resolver, the request's blob is replaced by another well-formed base64 text:
 * the handler still opens the blob the resolver parsed (call->target.parsed), so nothing
 * decodes or parses it a second time. */
static void swap_blob(json_t *in)
{
    CHECK(json_object_set_new(in, "CiphertextBlob", json_string("AAAA")) == 0);
}

static void test_decrypt_parses_once(void)
{
    const struct row decrypt = {"Decrypt", kms_resolve_ciphertext, kms_decrypt,
                                "{\"CiphertextBlob\": \"%s\"}", blob, 0, NULL};
    json_t *in = input(&decrypt), *out = NULL;

    CHECK_OK(run_in(&decrypt, 0, false, in, swap_blob, &out));
    CHECK_STR(json_string_value(json_object_get(out, "Plaintext")), "aGVsbG8=");
    json_decref(out);
    json_decref(in);
}

int main(void)
{
    fixture_open();
    fixtures();
    test_loaded_once();
    test_decrypt_parses_once();
    fixture_close();
    TEST_END();
}
