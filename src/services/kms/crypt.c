/* crypt.c — symmetric cryptography on KMS keys: Encrypt, Decrypt, and the sealing step
 * GenerateDataKey shares.
 *
 * Encrypt seals under the key's current backing key; Decrypt reads the key id and
 * backing-key version from the blob's clear header (KMS cryptographic details: "the
 * cleartext portion includes the HBK identifier"), so rotation never breaks old data.
 * The encryption context is bound as AAD in a canonical form: any change to it, or to
 * any byte of the blob, is an InvalidCiphertextException that says nothing more. */
#include <string.h>

#include "ciphertext.h"
#include "core/secret.h"
#include "core/tree.h"
#include "encryption_context.h"
#include "kms.h"
#include "grants.h"
#include "kms_key.h"
#include "kms_ops.gen.h"

static cu_rc check_algorithm(struct call *call, const json_t *in)
{
    const char *alg = json_string_value(json_object_get(in, "EncryptionAlgorithm"));

    if (alg && strcmp(alg, "SYMMETRIC_DEFAULT") != 0)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_KEY_USAGE,
                          "The encryption algorithm %s is not compatible with the key spec "
                          "SYMMETRIC_DEFAULT.", alg);
    return CU_OK;
}

cu_rc kms_check_dry_run(struct call *call, const json_t *in)
{
    if (json_is_true(json_object_get(in, "DryRun")))
        return cu_err_set(&call->err, CU_E_KMS_DRY_RUN,
                          "The request would have succeeded, but the DryRun option is set.");
    return CU_OK;
}

/* Condition keys of KMS cryptographic operations (kms:EncryptionContext:<k>, ...). */
void kms_condition_keys(const json_t *in, struct call_keys *keys)
{
    const json_t *ctx = json_object_get(in, "EncryptionContext");
    const char *names[CALL_MAX_KEYS];
    const char *key;
    json_t *value;
    size_t n = 0;
    char name[160];

    /* KMS developer guide, conditions-kms: kms:EncryptionContext:<key> for each pair,
     * kms:EncryptionContextKeys for the set of keys, kms:EncryptionAlgorithm. */
    json_object_foreach((json_t *)ctx, key, value)
    {
        snprintf(name, sizeof(name), "kms:EncryptionContext:%s", key);
        call_keys_add(keys, name, json_string_value(value));
        if (n < CALL_MAX_KEYS)
            names[n++] = key;
    }
    if (n)
        call_keys_add_multi(keys, "kms:EncryptionContextKeys", names, n);
    call_keys_add(keys, "kms:EncryptionAlgorithm",
                  json_string_value(json_object_get(in, "EncryptionAlgorithm")));
}

cu_rc kms_seal(struct call *call, const struct kms_key *key, const json_t *context,
               struct bytes plaintext, struct buf *blob)
{
    cu_rc rc = CU_OK;
    struct buf aad;

    buf_init(&aad, 1 << 20);
    TRY(encryption_context_canonical(context, &aad, &call->err));
    TRY(kms_ciphertext_seal(key->backing[key->current_version - 1], key->key_id,
                            key->current_version, buf_bytes(&aad), plaintext, blob));
out:
    buf_release(&aad);
    return rc;
}

cu_rc kms_encrypt(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    struct buf plain, blob;

    buf_init_sensitive(&plain, 8192);
    buf_init(&blob, 8192);
    TRY(kms_key_check_usable(call, key));
    TRY(check_algorithm(call, in));
    TRY(kms_check_dry_run(call, in));
    TRY(tree_opt_blob(in, "Plaintext", &plain, NULL));
    TRY(kms_seal(call, key, json_object_get(in, "EncryptionContext"), buf_bytes(&plain), &blob));
    TRY(tree_set_blob(out, "CiphertextBlob", buf_bytes(&blob)));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_str(out, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT"));
out:
    buf_release(&plain);
    buf_release(&blob);
    return rc;
}

/* Decrypt's resolver: the key is the one the blob names; a KeyId in the request must
 * name the same key (else IncorrectKeyException, KMS API reference, Decrypt). */
cu_rc kms_resolve_ciphertext(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    struct kms_ciphertext ct;
    struct kms_key *key = NULL, *named = NULL;
    struct buf blob;

    buf_init(&blob, 8192);
    TRY(tree_opt_blob(in, "CiphertextBlob", &blob, NULL));
    TRY(kms_ciphertext_parse(buf_bytes(&blob), &ct, &call->err));
    rc = kms_key_by_id(call, ct.key_id, &key);
    if (rc == CU_E_KMS_NOT_FOUND) {
        /* A well-formed blob naming no key of this account is simply not ours. */
        cu_err_clear(&call->err);
        rc = cu_err_set(&call->err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", "");
    }
    TRY(rc);
    if (json_object_get(in, "KeyId")) {
        TRY(kms_key_find(call, json_string_value(json_object_get(in, "KeyId")), &named));
        ENSURE(strcmp(named->key_id, key->key_id) == 0,
               cu_err_set(&call->err, CU_E_KMS_INCORRECT_KEY,
                          "The key ID in the request does not identify a KMS key that can "
                          "perform this operation."));
    }
    kms_target_set(call, key);
    kms_grants_mark(call, key, in);
    key = NULL;
out:
    kms_key_unref(key);
    kms_key_unref(named);
    buf_release(&blob);
    return rc;
}

cu_rc kms_decrypt(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    struct kms_ciphertext ct;
    struct secret *plain = NULL;
    struct buf blob, aad;

    buf_init(&blob, 8192);
    buf_init(&aad, 1 << 20);
    TRY(kms_key_check_usable(call, key));
    TRY(check_algorithm(call, in));
    TRY(kms_check_dry_run(call, in));
    TRY(tree_opt_blob(in, "CiphertextBlob", &blob, NULL));
    TRY(kms_ciphertext_parse(buf_bytes(&blob), &ct, &call->err));
    ENSURE(ct.backing_version >= 1 && ct.backing_version <= key->n_backing,
           cu_err_set(&call->err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", ""));
    TRY(encryption_context_canonical(json_object_get(in, "EncryptionContext"), &aad, &call->err));
    TRY(kms_ciphertext_open(key->backing[ct.backing_version - 1], &ct, buf_bytes(&aad), &plain,
                            &call->err));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_blob(out, "Plaintext", secret_bytes(plain)));
    TRY(tree_set_str(out, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT"));
out:
    secret_free(plain);
    buf_release(&blob);
    buf_release(&aad);
    return rc;
}
