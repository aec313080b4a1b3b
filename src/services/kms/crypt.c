/* crypt.c — symmetric cryptography on KMS keys: Encrypt, Decrypt, and the sealing step
 * GenerateDataKey shares.
 *
 * Encrypt seals under the key's current backing key; Decrypt reads the key id and
 * backing-key version from the blob's clear header (KMS cryptographic details: "the
 * cleartext portion includes the HBK identifier"), so rotation never breaks old data.
 * The encryption context is bound as AAD in a canonical form: any change to it, or to
 * any byte of the blob, is an InvalidCiphertextException that says nothing more. */
#include <stdlib.h>
#include <string.h>

#include "asym.h"
#include "ciphertext.h"
#include "core/secret.h"
#include "core/tree.h"
#include "encryption_context.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"

static cu_rc check_algorithm(struct call *call, const json_t *in)
{
    const char *alg = in_str(in, "EncryptionAlgorithm");

    if (alg && strcmp(alg, "SYMMETRIC_DEFAULT") != 0)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_KEY_USAGE,
                          "The encryption algorithm %s is not compatible with the key spec "
                          "SYMMETRIC_DEFAULT.", alg);
    return CU_OK;
}

cu_rc kms_check_dry_run(struct call *call, const json_t *in)
{
    if (in_bool(in, "DryRun", false))
        return cu_err_set(&call->err, CU_E_KMS_DRY_RUN,
                          "The request would have succeeded, but the DryRun option is set.");
    return CU_OK;
}

cu_rc kms_seal(struct call *call, const struct kms_key *key, const json_t *context,
               struct bytes plaintext, struct buf *blob)
{
    cu_rc rc = CU_OK;
    struct buf aad;

    buf_init(&aad, 1 << 20);
    TRY(kms_key_check_symmetric(call, key));
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
    if (key->asym) {
        rc = kms_asym_encrypt(call, key, in, out); /* RSA (asym.c) or InvalidKeyUsage */
        goto out;
    }
    TRY(check_algorithm(call, in));
    TRY(kms_check_dry_run(call, in));
    TRY(tree_opt_blob(in, "Plaintext", &plain, NULL));
    TRY(kms_seal(call, key, in_obj(in, "EncryptionContext"), buf_bytes(&plain), &blob));
    TRY(tree_set_blob(out, "CiphertextBlob", buf_bytes(&blob)));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_str(out, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT"));
out:
    buf_release(&plain);
    buf_release(&blob);
    return rc;
}

/* What Decrypt's resolver hands its handler (call->target.pin): the key the blob names
 * and the blob, decoded from base64 and parsed once; ct views into blob. */
struct decrypt_target {
    struct kms_key *key; /* a reference */
    struct buf blob;
    struct kms_ciphertext ct;
};

static void decrypt_target_free(void *p)
{
    struct decrypt_target *t = p;

    if (!t)
        return;
    kms_key_unref(t->key);
    buf_release(&t->blob);
    free(t);
}

/* Decrypt's resolver: the key is the one the blob names; a KeyId in the request must
 * name the same key (else IncorrectKeyException, KMS API reference, Decrypt). */
cu_rc kms_resolve_ciphertext(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    struct decrypt_target *t = calloc(1, sizeof(*t));
    struct kms_key *named = NULL;

    ENSURE(t, CU_E_NOMEM);
    buf_init(&t->blob, 8192);
    /* An asymmetric ciphertext names no key: Decrypt needs KeyId for one (API reference,
     * Decrypt "KeyId"), and the key it names is the one to use. */
    if (in_str(in, "KeyId")) {
        TRY(kms_key_find(call, in_str(in, "KeyId"), &named));
        if (named->asym) {
            kms_target_set(call, named, in);
            named = NULL;
            goto out;
        }
    }
    TRY(tree_opt_blob(in, "CiphertextBlob", &t->blob, NULL));
    TRY(kms_ciphertext_parse(buf_bytes(&t->blob), &t->ct, &call->err));
    rc = kms_key_by_id(call, t->ct.key_id, &t->key);
    if (rc == CU_E_KMS_NOT_FOUND) {
        /* A well-formed blob naming no key of this account is simply not ours. */
        cu_err_clear(&call->err);
        rc = cu_err_set(&call->err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", "");
    }
    TRY(rc);
    if (named) {
        ENSURE(strcmp(named->key_id, t->key->key_id) == 0,
               cu_err_set(&call->err, CU_E_KMS_INCORRECT_KEY,
                          "The key ID in the request does not identify a KMS key that can "
                          "perform this operation."));
    }
    kms_target_hold(call, t->key, in, t, decrypt_target_free);
    call->target.parsed = &t->ct;
    t = NULL;
out:
    decrypt_target_free(t);
    kms_key_unref(named);
    return rc;
}

/* The blob's key and backing version came from its header in the resolver
 * (call->target.parsed); opening it authenticates all of it. */
cu_rc kms_decrypt(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    const struct kms_ciphertext *ct = call->target.parsed;
    struct secret *plain = NULL;
    char material_id[KMS_MATERIAL_ID_LEN + 1];
    struct buf aad;

    buf_init(&aad, 1 << 20);
    TRY(kms_key_check_usable(call, key));
    TRY(kms_check_recipient(call, in));
    if (key->asym) {
        rc = kms_asym_decrypt(call, key, in, out); /* RSA (asym.c) or InvalidKeyUsage */
        goto out;
    }
    ENSURE(ct, CU_E_INTERNAL);
    TRY(check_algorithm(call, in));
    TRY(kms_check_dry_run(call, in));
    ENSURE(ct->backing_version >= 1 && ct->backing_version <= key->n_backing,
           cu_err_set(&call->err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", ""));
    TRY(encryption_context_canonical(in_obj(in, "EncryptionContext"), &aad, &call->err));
    TRY(kms_ciphertext_open(key->backing[ct->backing_version - 1], ct, buf_bytes(&aad), &plain,
                            &call->err));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_blob(out, "Plaintext", secret_bytes(plain)));
    TRY(tree_set_str(out, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT"));
    kms_key_material_id(key->arn, ct->backing_version, material_id);
    TRY(tree_set_str(out, "KeyMaterialId", material_id));
out:
    secret_free(plain);
    buf_release(&aad);
    return rc;
}
