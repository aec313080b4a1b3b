/* asym.c — RSA, EC and HMAC KMS keys: their sealed private material, the symmetric
 * operations' behaviour on them (RSA Encrypt/Decrypt, InvalidKeyUsageException), and
 * GetPublicKey. Sign/Verify and GenerateMac/VerifyMac are in sign.c.
 *
 * The record's "Private" member holds {"Version": 1, "Sealed": b64}: the material sealed
 * under the master key with backing_key_seal_aad(arn, version) as AAD, as symmetric
 * backing keys are, so sealed material cannot move to another key; the sealed bytes
 * start with a format byte (asym_key.h) so other material kinds fit the same record. */
#include <string.h>

#include "asym.h"
#include "core/codec.h"
#include "core/tree.h"
#include "crypto/asym_key.h"
#include "crypto/backing_key.h"
#include "kms.h"
#include "kms_ops.gen.h"
#include "services/in.h"

#define PRIVATE_VERSION 1

cu_rc kms_asym_new_material(struct call *call, const struct kms_key_spec *spec, const char *arn,
                            json_t *doc)
{
    cu_rc rc = CU_OK;
    struct asym_key *k = NULL;

    TRY(asym_key_generate(spec->type, spec->bits, spec->curve, &k));
    TRY(kms_asym_store(call, k, arn, doc));
out:
    asym_key_free(k);
    return rc;
}

cu_rc kms_asym_store(struct call *call, const struct asym_key *k, const char *arn, json_t *doc)
{
    cu_rc rc = CU_OK;
    struct buf sealed, text, aad;

    buf_init(&sealed, 1 << 16);
    buf_init(&text, 1 << 17);
    buf_init(&aad, 4096);
    TRY(backing_key_seal_aad(arn, PRIVATE_VERSION, &aad));
    TRY(asym_key_seal(call->env->master_key, k, buf_bytes(&aad), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), &text));
    TRY(tree_set_new(doc, "Private",
                     json_pack("{s:i, s:s}", "Version", PRIVATE_VERSION, "Sealed", text.p)));
out:
    buf_release(&aad);
    buf_release(&sealed);
    buf_release(&text);
    return rc;
}

cu_rc kms_asym_open(struct call *call, struct kms_key *key)
{
    cu_rc rc = CU_OK;
    const json_t *priv = json_object_get(key->doc, "Private");
    const char *text = json_string_value(json_object_get(priv, "Sealed"));
    json_int_t version = json_integer_value(json_object_get(priv, "Version"));
    struct buf sealed, aad;

    buf_init(&sealed, 1 << 16);
    buf_init(&aad, 4096);
    ENSURE(text && version >= 1, CU_E_STORE);
    TRY(b64_decode(bytes_str(text), &sealed));
    TRY(backing_key_seal_aad(key->arn, (uint32_t)version, &aad));
    TRY(asym_key_open(call->env->master_key, buf_bytes(&sealed), buf_bytes(&aad), &key->asym));
out:
    buf_release(&aad);
    buf_release(&sealed);
    return rc;
}

/* The operation's name, for AWS's messages: the IAM action without its service. */
static const char *op_name(const struct call *call)
{
    const char *colon = call->action ? strchr(call->action, ':') : NULL;

    return colon ? colon + 1 : "this operation";
}

static const char *doc_str(const struct kms_key *key, const char *member)
{
    const char *v = json_string_value(json_object_get(key->doc, member));

    return v ? v : "";
}

cu_rc kms_key_check_symmetric(struct call *call, const struct kms_key *key)
{
    if (!key->asym && key->n_backing > 0)
        return CU_OK;
    return cu_err_set(&call->err, CU_E_KMS_INVALID_KEY_USAGE,
                      "%s key usage is %s which is not valid for %s.", key->arn,
                      doc_str(key, "KeyUsage"), op_name(call));
}

/* The OAEP algorithm the request names for an RSA ENCRYPT_DECRYPT key, or AWS's error. */
static cu_rc oaep_algorithm(struct call *call, const struct kms_key *key, const json_t *in,
                            const struct kms_alg **alg)
{
    const char *name = in_str_or(in, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    const struct kms_key_spec *spec = kms_key_spec_find(doc_str(key, "KeySpec"));

    if (strcmp(doc_str(key, "KeyUsage"), "ENCRYPT_DECRYPT") != 0)
        return kms_key_check_symmetric(call, key);
    *alg = kms_alg_find(name);
    if (!spec || !*alg || !kms_spec_lists(spec->encryption, name))
        return cu_err_set(&call->err, CU_E_KMS_INVALID_KEY_USAGE,
                          "The encryption algorithm %s is not compatible with the key spec "
                          "%s.", name, doc_str(key, "KeySpec"));
    return CU_OK;
}

cu_rc kms_asym_algorithm(struct call *call, const struct kms_key *key, const json_t *in,
                         const struct kms_alg **alg)
{
    return oaep_algorithm(call, key, in, alg);
}

cu_rc kms_asym_seal_bytes(struct call *call, const struct kms_key *key, const json_t *in,
                          struct bytes plain, struct buf *ct, const struct kms_alg **alg)
{
    cu_rc rc = CU_OK;
    const struct kms_key_spec *spec = kms_key_spec_find(doc_str(key, "KeySpec"));
    size_t max;

    TRY(oaep_algorithm(call, key, in, alg));
    /* RSAES-OAEP carries at most k - 2 hLen - 2 bytes (RFC 8017 §7.1.1): 214 / 190 bytes
     * for RSA_2048 with SHA-1 / SHA-256 (KMS developer guide, asymmetric key specs) */
    max = (size_t)spec->bits / 8 - 2 * (*alg)->digest_len - 2;
    ENSURE(plain.n <= max,
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "Plaintext is too long for %s with %s: at most %zu bytes.", spec->name,
                      (*alg)->name, max));
    TRY(asym_key_encrypt(key->asym, (*alg)->md, plain, ct));
out:
    return rc;
}

cu_rc kms_asym_open_bytes(struct call *call, const struct kms_key *key, const json_t *in,
                          struct bytes ct, struct secret **plain, const struct kms_alg **alg)
{
    cu_rc rc = CU_OK;

    TRY(oaep_algorithm(call, key, in, alg));
    rc = asym_key_decrypt(key->asym, (*alg)->md, ct, plain);
    if (rc == CU_E_SEAL_BROKEN)
        rc = cu_err_set(&call->err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", "");
out:
    return rc;
}

cu_rc kms_asym_encrypt(struct call *call, const struct kms_key *key, const json_t *in,
                       json_t *out)
{
    cu_rc rc = CU_OK;
    const struct kms_alg *alg = NULL;
    struct buf plain, ct;

    buf_init_sensitive(&plain, 8192);
    buf_init(&ct, 1024);
    TRY(oaep_algorithm(call, key, in, &alg));
    TRY(kms_check_dry_run(call, in));
    TRY(tree_opt_blob(in, "Plaintext", &plain, NULL));
    TRY(kms_asym_seal_bytes(call, key, in, buf_bytes(&plain), &ct, &alg));
    TRY(tree_set_blob(out, "CiphertextBlob", buf_bytes(&ct)));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_str(out, "EncryptionAlgorithm", alg->name));
out:
    buf_release(&plain);
    buf_release(&ct);
    return rc;
}

cu_rc kms_asym_decrypt(struct call *call, const struct kms_key *key, const json_t *in,
                       json_t *out)
{
    cu_rc rc = CU_OK;
    const struct kms_alg *alg = NULL;
    struct secret *plain = NULL;
    struct buf ct;

    buf_init(&ct, 8192);
    TRY(oaep_algorithm(call, key, in, &alg));
    TRY(kms_check_dry_run(call, in));
    TRY(tree_opt_blob(in, "CiphertextBlob", &ct, NULL));
    TRY(kms_asym_open_bytes(call, key, in, buf_bytes(&ct), &plain, &alg));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_blob(out, "Plaintext", secret_bytes(plain)));
    TRY(tree_set_str(out, "EncryptionAlgorithm", alg->name));
out:
    secret_free(plain);
    buf_release(&ct);
    return rc;
}

/* GetPublicKey (KMS API reference): the DER SubjectPublicKeyInfo of an RSA or EC key
 * with its spec, usage and algorithms; a symmetric or HMAC key has none. */
cu_rc kms_get_public_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    struct buf der;

    (void)in;
    buf_init(&der, 8192);
    TRY(kms_key_check_usable(call, key));
    ENSURE(key->asym && strncmp(doc_str(key, "KeySpec"), "HMAC_", 5) != 0,
           cu_err_set(&call->err, CU_E_KMS_UNSUPPORTED,
                      "%s key spec is %s which is not valid for GetPublicKey.", key->arn,
                      doc_str(key, "KeySpec")));
    TRY(asym_key_public_der(key->asym, &der));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_blob(out, "PublicKey", buf_bytes(&der)));
    TRY(tree_set_str(out, "KeySpec", doc_str(key, "KeySpec")));
    TRY(tree_set_str(out, "CustomerMasterKeySpec", doc_str(key, "KeySpec")));
    TRY(tree_set_str(out, "KeyUsage", doc_str(key, "KeyUsage")));
    TRY(kms_key_spec_render(key->doc, out));
out:
    buf_release(&der);
    return rc;
}
