/* reencrypt.c — ReEncrypt: decrypt a symmetric ciphertext and encrypt its plaintext under
 * another (or the same) key without the plaintext leaving the server.
 *
 * Authorized twice, as AWS does (KMS API reference, ReEncrypt, "Required permissions"):
 * kms:ReEncryptFrom on the source key (the one the blob names: the resolver, over
 * Decrypt's), then kms:ReEncryptTo on the destination key (the also-resolver). A grant for
 * either covers only its own half, with its constraints tested against that half's
 * encryption context. kms:ReEncryptOnSameKey tells both whether the keys are the same, and
 * each sees its own half's kms:EncryptionContext:<k>, kms:EncryptionContextKeys and
 * kms:EncryptionAlgorithm: the source's for ReEncryptFrom, the destination's for
 * ReEncryptTo (the also-resolver replaces the first half's).
 *
 * Either key may be an RSA ENCRYPT_DECRYPT key (KMS API reference, ReEncrypt): an RSA
 * source is named by SourceKeyId with its SourceEncryptionAlgorithm (its ciphertext names
 * no key), an RSA destination takes DestinationEncryptionAlgorithm, and RSA-OAEP binds no
 * encryption context. The plaintext lives in one secret, wiped when the handler returns. */
#include <string.h>

#include "asym.h"
#include "ciphertext.h"
#include "core/secret.h"
#include "core/tree.h"
#include "encryption_context.h"
#include "grants.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"

/* A view of the request as a one-key request: KeyId and EncryptionContext taken from the
 * members of one half. Values are shared with `in` (not copied), so what condition keys
 * borrow from it stays valid for the call. */
static json_t *half_view(const json_t *in, const char *key_member, const char *ctx_member,
                         const char *alg_member)
{
    json_t *v = json_object();
    const char *from[] = {"CiphertextBlob", key_member, ctx_member, "GrantTokens", alg_member};
    const char *to[] = {"CiphertextBlob", "KeyId", "EncryptionContext", "GrantTokens",
                        "EncryptionAlgorithm"};

    for (size_t i = 0; v && i < 5; i++) {
        json_t *x = json_object_get(in, from[i]);
        if (x && json_object_set(v, to[i], x) != 0) {
            json_decref(v);
            v = NULL;
        }
    }
    return v;
}

/* Resolver: the source key, named by the blob (SourceKeyId, optional for symmetric
 * ciphertexts, must name the same key). */
cu_rc kms_resolve_re_encrypt_source(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    json_t *view = half_view(in, "SourceKeyId", "SourceEncryptionContext",
                             "SourceEncryptionAlgorithm");
    struct kms_key *dest = NULL;
    const struct kms_key *src;

    ENSURE(view, CU_E_NOMEM);
    TRY(kms_resolve_ciphertext(call, view));
    src = kms_target_key(call);
    if (call->keys)
        kms_condition_keys(view, call->keys); /* values borrowed from `in` (shared) */
    /* kms:ReEncryptOnSameKey (KMS developer guide, conditions-kms). A destination that
     * does not resolve leaves it unset: the caller hears of it (NotFoundException) only
     * once kms:ReEncryptFrom is allowed, from the also-resolver, not before. */
    if (kms_key_find(call, in_str(in, "DestinationKeyId"), &dest) == CU_OK)
        call_keys_add(call->keys, "kms:ReEncryptOnSameKey",
                      strcmp(src->key_id, dest->key_id) == 0 ? "true" : "false");
    else
        cu_err_clear(&call->err);
out:
    kms_key_unref(dest);
    json_decref(view);
    return rc;
}

/* Also-resolver: the destination key, for kms:ReEncryptTo. */
cu_rc kms_resolve_re_encrypt_destination(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    json_t *view = half_view(in, "DestinationKeyId", "DestinationEncryptionContext",
                             "DestinationEncryptionAlgorithm");
    struct kms_key *key = NULL;

    ENSURE(view, CU_E_NOMEM);
    if (call->keys) {
        call_keys_remove_prefix(call->keys, "kms:Encryption");
        kms_condition_keys(view, call->keys);
    }
    TRY(kms_key_find(call, in_str(in, "DestinationKeyId"), &key));
    str_copy(call->also.arn, sizeof(call->also.arn), key->arn);
    str_copy(call->also.account_id, sizeof(call->also.account_id), call->env->account_id);
    call->also.resource_policy = key->policy;
    call->also.resource = key;
    call->also.pin = key;
    call->also.unpin = kms_key_unref;
    if (call->principal && kms_grants_cover(key, call->principal->arn, "kms:ReEncryptTo", view))
        call->also.grant_action = "kms:ReEncryptTo";
out:
    json_decref(view);
    return rc;
}

/* A symmetric key takes SYMMETRIC_DEFAULT alone (or nothing). */
static cu_rc check_algorithm(struct call *call, const json_t *in, const char *member)
{
    const char *alg = in_str(in, member);

    if (alg && strcmp(alg, "SYMMETRIC_DEFAULT") != 0)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_KEY_USAGE,
                          "The encryption algorithm %s is not compatible with the key spec "
                          "SYMMETRIC_DEFAULT.",
                          alg);
    return CU_OK;
}

/* The source half: the plaintext of the blob, and the algorithm that opened it. */
static cu_rc open_source(struct call *call, const json_t *in, const struct kms_key *src,
                         struct secret **plain, const char **alg_name)
{
    cu_rc rc = CU_OK;
    const struct kms_ciphertext *ct = call->target.parsed;
    const struct kms_alg *alg = NULL;
    json_t *view = NULL;
    struct buf aad, blob;

    buf_init(&aad, 1 << 20);
    buf_init(&blob, 8192);
    if (src->asym) {
        view = half_view(in, "SourceKeyId", "SourceEncryptionContext",
                         "SourceEncryptionAlgorithm");
        ENSURE(view, CU_E_NOMEM);
        TRY(tree_opt_blob(in, "CiphertextBlob", &blob, NULL));
        TRY(kms_asym_open_bytes(call, src, view, buf_bytes(&blob), plain, &alg));
        *alg_name = alg->name;
        goto out;
    }
    ENSURE(ct, CU_E_INTERNAL);
    TRY(check_algorithm(call, in, "SourceEncryptionAlgorithm"));
    ENSURE(ct->backing_version >= 1 && ct->backing_version <= src->n_backing,
           cu_err_set(&call->err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", ""));
    TRY(encryption_context_canonical(in_obj(in, "SourceEncryptionContext"), &aad, &call->err));
    TRY(kms_ciphertext_open(src->backing[ct->backing_version - 1], ct, buf_bytes(&aad), plain,
                            &call->err));
    *alg_name = "SYMMETRIC_DEFAULT";
out:
    json_decref(view);
    buf_release(&aad);
    buf_release(&blob);
    return rc;
}

/* The destination half: the plaintext sealed under dest into blob. */
static cu_rc seal_destination(struct call *call, const json_t *in, const struct kms_key *dest,
                              const struct secret *plain, struct buf *blob, const char **alg_name)
{
    cu_rc rc = CU_OK;
    const struct kms_alg *alg = NULL;
    json_t *view = NULL;

    if (dest->asym) {
        view = half_view(in, "DestinationKeyId", "DestinationEncryptionContext",
                         "DestinationEncryptionAlgorithm");
        ENSURE(view, CU_E_NOMEM);
        TRY(kms_asym_seal_bytes(call, dest, view, secret_bytes(plain), blob, &alg));
        *alg_name = alg->name;
        goto out;
    }
    TRY(check_algorithm(call, in, "DestinationEncryptionAlgorithm"));
    TRY(kms_seal(call, dest, in_obj(in, "DestinationEncryptionContext"), secret_bytes(plain),
                 blob));
    *alg_name = "SYMMETRIC_DEFAULT";
out:
    json_decref(view);
    return rc;
}

/* The algorithms are checked before anything is opened: a wrong one on either side is
 * InvalidKeyUsageException, whatever the blob. */
static cu_rc check_algorithms(struct call *call, const json_t *in, const struct kms_key *src,
                              const struct kms_key *dest)
{
    cu_rc rc = CU_OK;
    const struct kms_alg *alg = NULL;
    json_t *view = NULL;

    if (src->asym) {
        view = half_view(in, "SourceKeyId", "SourceEncryptionContext",
                         "SourceEncryptionAlgorithm");
        ENSURE(view, CU_E_NOMEM);
        TRY(kms_asym_algorithm(call, src, view, &alg));
        json_decref(view);
        view = NULL;
    } else {
        TRY(check_algorithm(call, in, "SourceEncryptionAlgorithm"));
    }
    if (dest->asym) {
        view = half_view(in, "DestinationKeyId", "DestinationEncryptionContext",
                         "DestinationEncryptionAlgorithm");
        ENSURE(view, CU_E_NOMEM);
        TRY(kms_asym_algorithm(call, dest, view, &alg));
    } else {
        TRY(check_algorithm(call, in, "DestinationEncryptionAlgorithm"));
    }
out:
    json_decref(view);
    return rc;
}

cu_rc kms_re_encrypt(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *src = kms_target_key(call), *dest = call->also.resource;
    const struct kms_ciphertext *ct = call->target.parsed;
    struct secret *plain = NULL;
    const char *src_alg = NULL, *dest_alg = NULL;
    char material_id[KMS_MATERIAL_ID_LEN + 1];
    struct buf blob;

    buf_init(&blob, 8192);
    ENSURE(dest, CU_E_INTERNAL);
    TRY(kms_key_check_usable(call, src));
    TRY(kms_key_check_usable(call, dest));
    TRY(check_algorithms(call, in, src, dest));
    TRY(kms_check_dry_run(call, in));
    TRY(open_source(call, in, src, &plain, &src_alg));
    TRY(seal_destination(call, in, dest, plain, &blob, &dest_alg));
    TRY(tree_set_blob(out, "CiphertextBlob", buf_bytes(&blob)));
    TRY(tree_set_str(out, "SourceKeyId", src->arn));
    TRY(tree_set_str(out, "KeyId", dest->arn));
    TRY(tree_set_str(out, "SourceEncryptionAlgorithm", src_alg));
    TRY(tree_set_str(out, "DestinationEncryptionAlgorithm", dest_alg));
    /* an RSA key's material is its own (not a rotating backing key): no KeyMaterialId */
    if (ct && !src->asym) {
        kms_key_material_id(src->arn, ct->backing_version, material_id);
        TRY(tree_set_str(out, "SourceKeyMaterialId", material_id));
    }
    if (!dest->asym) {
        kms_key_material_id(dest->arn, dest->current_version, material_id);
        TRY(tree_set_str(out, "DestinationKeyMaterialId", material_id));
    }
out:
    secret_free(plain);
    buf_release(&blob);
    return rc;
}
