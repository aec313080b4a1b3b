/* Tests of src/services/kms/rotation.c over a real SQLite store: the sweep rotates only
 * enabled keys whose date has come, one record each written before the commit (a failing
 * record rolls the rotation back), the next date counts from the rotation, ciphertexts of
 * every version keep decrypting; KeyMaterialIds are stable per (key, version); the period
 * bounds and the on-demand limit. */
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

#define KMS_FIXTURE_DIR "/tmp/custos-kms-rotation-test-XXXXXX"
#include "kms_fixture.h"

/* The number of backing key versions the key's record holds. */
static size_t versions(const char *key_id)
{
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    char scope[RECORD_NAME_MAX];
    size_t n;

    store_scope(RECORD_KMS_KEY, ACCOUNT, "us-east-1", NULL, scope);
    CHECK_OK(store_tx_begin(store, false, &tx));
    CHECK_OK(store_get(tx, RECORD_KMS_KEY, scope, key_id, &doc));
    CHECK(doc != NULL);
    n = json_array_size(json_object_get(doc, "Backing"));
    json_decref(doc);
    store_tx_rollback(tx);
    return n;
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

/* Encrypt "data" under key_id at now_ms; the blob base64 in b64. */
static void encrypt(const char *key_id, int64_t now_ms, char b64[256])
{
    char text[256];
    json_t *out = NULL;

    snprintf(text, sizeof(text), "{\"KeyId\": \"%s\", \"Plaintext\": \"ZGF0YQ==\"}", key_id);
    CHECK_OK(run(kms_resolve_key_id, kms_encrypt, text, now_ms, &out, NULL));
    snprintf(b64, 256, "%s", json_string_value(json_object_get(out, "CiphertextBlob")));
    json_decref(out);
}

static void decrypts(const char *b64, int64_t now_ms)
{
    char text[512];
    json_t *out = NULL;

    snprintf(text, sizeof(text), "{\"CiphertextBlob\": \"%s\"}", b64);
    CHECK_OK(run(kms_resolve_ciphertext, kms_decrypt, text, now_ms, &out, NULL));
    CHECK_STR(json_string_value(json_object_get(out, "Plaintext")), "ZGF0YQ==");
    json_decref(out);
}

static void test_sweep_rotates_due_keys(void)
{
    char due[64], idle[64], off[64], b64[256], want[256];
    int64_t at = NOW + 90 * DAY;
    struct records r = {0};
    size_t n = 9;

    new_key(due);
    new_key(idle);
    new_key(off);
    encrypt(due, NOW, b64);
    call_key(kms_resolve_key_id, kms_enable_key_rotation,
             "{\"KeyId\": \"%s\", \"RotationPeriodInDays\": 90}", due, NOW, CU_OK);
    call_key(kms_resolve_key_id, kms_enable_key_rotation, "{\"KeyId\": \"%s\"}", off, NOW, CU_OK);
    call_key(kms_resolve_key_id, kms_disable_key, "{\"KeyId\": \"%s\"}", off, NOW, CU_OK);
    /* a day early: nothing is due */
    CHECK_OK(kms_sweep_rotations(&env, at - DAY, record, &r, &n));
    CHECK_INT(n, 0);
    CHECK_INT(r.n, 0);
    /* a record that cannot be written rolls the rotation back */
    r.answer = CU_E_STORE;
    CHECK_RC(kms_sweep_rotations(&env, at, record, &r, &n), CU_E_STORE);
    CHECK_INT(versions(due), 1);
    /* due: one new version, one record naming the key; the disabled and the idle key stay */
    r = (struct records){0};
    CHECK_OK(kms_sweep_rotations(&env, at, record, &r, &n));
    CHECK_INT(n, 1);
    CHECK_INT(r.n, 1);
    snprintf(want, sizeof(want), "arn:aws:kms:us-east-1:%s:key/%s", ACCOUNT, due);
    CHECK_STR(r.arn, want);
    CHECK(r.seq > 0);
    CHECK_INT(versions(due), 2);
    CHECK_INT(versions(idle), 1);
    CHECK_INT(versions(off), 1);
    decrypts(b64, at);
    /* the next date counts from this rotation: not due again until 90 days on */
    r = (struct records){0};
    CHECK_OK(kms_sweep_rotations(&env, at + 89 * DAY, record, &r, &n));
    CHECK_INT(n, 0);
    CHECK_OK(kms_sweep_rotations(&env, at + 90 * DAY, record, &r, &n));
    CHECK_INT(n, 1);
    CHECK_INT(versions(due), 3);
    decrypts(b64, at + 90 * DAY);
}

static void test_material_ids(void)
{
    char a[KMS_MATERIAL_ID_LEN + 1], b[KMS_MATERIAL_ID_LEN + 1], c[KMS_MATERIAL_ID_LEN + 1];

    kms_key_material_id("arn:aws:kms:us-east-1:111122223333:key/x", 1, a);
    kms_key_material_id("arn:aws:kms:us-east-1:111122223333:key/x", 1, b);
    kms_key_material_id("arn:aws:kms:us-east-1:111122223333:key/x", 2, c);
    CHECK_INT(strlen(a), KMS_MATERIAL_ID_LEN);
    CHECK_STR(a, b);
    CHECK(strcmp(a, c) != 0);
    kms_key_material_id("arn:aws:kms:us-east-1:111122223333:key/y", 1, b);
    CHECK(strcmp(a, b) != 0);
}

static void test_errors(void)
{
    char key[64], msg[MSG_MAX];
    json_t *out = NULL;
    char text[256];

    new_key(key);
    snprintf(text, sizeof(text), "{\"KeyId\": \"%s\", \"RotationPeriodInDays\": 2561}", key);
    CHECK_RC(run(kms_resolve_key_id, kms_enable_key_rotation, text, NOW, &out, msg),
             CU_E_VALIDATION);
    CHECK(strstr(msg, "Member must have value less than or equal to 2560") != NULL);
    json_decref(out);
    for (int i = 0; i < 25; i++)
        call_key(kms_resolve_key_id, kms_rotate_key_on_demand, "{\"KeyId\": \"%s\"}", key, NOW,
                 CU_OK);
    call_key(kms_resolve_key_id, kms_rotate_key_on_demand, "{\"KeyId\": \"%s\"}", key, NOW,
             CU_E_KMS_LIMIT_EXCEEDED);
    CHECK_INT(versions(key), 26);
}

/* A key whose material KMS cannot rotate (here an asymmetric key spec, written straight to
 * its record): every rotation operation but GetKeyRotationStatus is
 * UnsupportedOperationException. */
static void test_unsupported(void)
{
    char key[64], scope[RECORD_NAME_MAX], text[256], msg[MSG_MAX];
    struct store_tx *tx = NULL;
    json_t *doc = NULL, *out = NULL;

    new_key(key);
    store_scope(RECORD_KMS_KEY, ACCOUNT, "us-east-1", NULL, scope);
    CHECK_OK(store_tx_begin(store, true, &tx));
    CHECK_OK(store_get(tx, RECORD_KMS_KEY, scope, key, &doc));
    CHECK(doc != NULL);
    CHECK(json_object_set_new(doc, "KeySpec", json_string("RSA_2048")) == 0);
    CHECK_OK(store_put(tx, RECORD_KMS_KEY, scope, key, doc, STORE_REPLACE));
    CHECK_OK(store_tx_commit(tx));
    json_decref(doc);
    call_key(kms_resolve_key_id, kms_enable_key_rotation, "{\"KeyId\": \"%s\"}", key, NOW,
             CU_E_KMS_UNSUPPORTED);
    call_key(kms_resolve_key_id, kms_disable_key_rotation, "{\"KeyId\": \"%s\"}", key, NOW,
             CU_E_KMS_UNSUPPORTED);
    /* its status reads as not rotating */
    call_key(kms_resolve_key_id, kms_get_key_rotation_status, "{\"KeyId\": \"%s\"}", key, NOW,
             CU_OK);
    call_key(kms_resolve_key_id, kms_rotate_key_on_demand, "{\"KeyId\": \"%s\"}", key, NOW,
             CU_E_KMS_UNSUPPORTED);
    call_key(kms_resolve_key_id, kms_list_key_rotations, "{\"KeyId\": \"%s\"}", key, NOW,
             CU_E_KMS_UNSUPPORTED);
    snprintf(text, sizeof(text), "{\"KeyId\": \"%s\"}", key);
    CHECK_RC(run(kms_resolve_key_id, kms_enable_key_rotation, text, NOW, &out, msg),
             CU_E_KMS_UNSUPPORTED);
    CHECK_STR(msg, "You cannot perform this operation on a non-symmetric key or a key with "
                   "non-ENCRYPT_DECRYPT key usage.");
    json_decref(out);
    CHECK_INT(versions(key), 1);
}

int main(void)
{
    fixture_open();
    test_sweep_rotates_due_keys();
    test_material_ids();
    test_errors();
    test_unsupported();
    fixture_close();
    TEST_END();
}
