/* sign.c — Sign and Verify on RSA and EC keys, GenerateMac and VerifyMac on HMAC keys,
 * and their condition keys (kms:SigningAlgorithm, kms:MessageType, kms:MacAlgorithm).
 *
 * A RAW message (at most 4096 bytes, the model's limit) is digested here with the
 * algorithm's hash; a DIGEST message must already be exactly that hash's length (KMS API
 * reference, Sign "MessageType"). Either way the private key signs a digest, so RAW and
 * DIGEST signatures of the same data are interchangeable, as in AWS. A failed check is
 * KMSInvalidSignatureException / KMSInvalidMacException and says nothing more. */
#include <string.h>

#include "asym.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/asym_key.h"
#include "kms.h"
#include "kms_ops.gen.h"
#include "services/in.h"

static const char *doc_str(const struct kms_key *key, const char *member)
{
    const char *v = json_string_value(json_object_get(key->doc, member));

    return v ? v : "";
}

/* The key must have `usage` (else the InvalidKeyUsageException wording of asym.h) and its
 * spec must list the algorithm named by the request's member `alg_member`. */
static cu_rc key_algorithm(struct call *call, const struct kms_key *key, const json_t *in,
                           const char *usage, const char *alg_member, const struct kms_alg **alg)
{
    const struct kms_key_spec *spec = kms_key_spec_find(doc_str(key, "KeySpec"));
    const char *name = in_str(in, alg_member);
    const char *const *list;

    if (strcmp(doc_str(key, "KeyUsage"), usage) != 0 || !key->asym)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_KEY_USAGE,
                          "%s key usage is %s which is not valid for %s.", key->arn,
                          doc_str(key, "KeyUsage"), call->action + strlen("kms:"));
    list = strcmp(usage, "SIGN_VERIFY") == 0 ? spec->signing : spec->mac;
    *alg = kms_alg_find(name);
    if (!*alg || !kms_spec_lists(list, name))
        return cu_err_set(&call->err, CU_E_KMS_INVALID_KEY_USAGE,
                          "Algorithm %s is incompatible with key spec %s.", name ? name : "",
                          spec->name);
    return CU_OK;
}

/* The digest to sign or verify: the message hashed (RAW), or the message itself (DIGEST)
 * when its length is the algorithm's. */
static cu_rc message_digest(struct call *call, const json_t *in, const struct kms_alg *alg,
                            uint8_t digest[ASYM_DIGEST_MAX], size_t *n)
{
    cu_rc rc = CU_OK;
    const char *type = in_str_or(in, "MessageType", "RAW");
    struct buf msg;

    buf_init_sensitive(&msg, 8192);
    TRY(tree_opt_blob(in, "Message", &msg, NULL));
    if (strcmp(type, "DIGEST") == 0) {
        ENSURE(msg.n == alg->digest_len,
               cu_err_set(&call->err, CU_E_VALIDATION,
                          "Digest is invalid length for algorithm %s.", alg->name));
        memcpy(digest, msg.p, msg.n);
        *n = msg.n;
    } else {
        ENSURE(strcmp(type, "RAW") == 0, CU_E_VALIDATION);
        TRY(asym_digest(alg->md, buf_bytes(&msg), digest, n));
    }
out:
    buf_release(&msg);
    return rc;
}

cu_rc kms_sign(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    const struct kms_alg *alg = NULL;
    uint8_t digest[ASYM_DIGEST_MAX];
    size_t n = 0;
    struct buf sig;

    buf_init(&sig, ASYM_SIG_MAX * 2);
    TRY(kms_key_check_usable(call, key));
    TRY(key_algorithm(call, key, in, "SIGN_VERIFY", "SigningAlgorithm", &alg));
    TRY(message_digest(call, in, alg, digest, &n));
    TRY(kms_check_dry_run(call, in));
    TRY(asym_key_sign(key->asym, alg->md, alg->pad, bytes_of(digest, n), &sig));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_blob(out, "Signature", buf_bytes(&sig)));
    TRY(tree_set_str(out, "SigningAlgorithm", alg->name));
out:
    secret_wipe(digest, sizeof(digest));
    buf_release(&sig);
    return rc;
}

cu_rc kms_verify(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    const struct kms_alg *alg = NULL;
    uint8_t digest[ASYM_DIGEST_MAX];
    size_t n = 0;
    bool valid = false;
    struct buf sig;

    buf_init(&sig, ASYM_SIG_MAX * 2);
    TRY(kms_key_check_usable(call, key));
    TRY(key_algorithm(call, key, in, "SIGN_VERIFY", "SigningAlgorithm", &alg));
    TRY(message_digest(call, in, alg, digest, &n));
    TRY(tree_opt_blob(in, "Signature", &sig, NULL));
    TRY(kms_check_dry_run(call, in));
    TRY(asym_key_verify(key->asym, alg->md, alg->pad, bytes_of(digest, n), buf_bytes(&sig),
                        &valid));
    ENSURE(valid, cu_err_set(&call->err, CU_E_KMS_INVALID_SIGNATURE, "%s", ""));
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_bool(out, "SignatureValid", true));
    TRY(tree_set_str(out, "SigningAlgorithm", alg->name));
out:
    secret_wipe(digest, sizeof(digest));
    buf_release(&sig);
    return rc;
}

/* The HMAC of the request's Message under the target key with its MacAlgorithm. */
static cu_rc compute_mac(struct call *call, const json_t *in, const struct kms_alg **alg,
                         uint8_t mac[ASYM_DIGEST_MAX], size_t *n)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    struct buf msg;

    buf_init_sensitive(&msg, 8192);
    TRY(kms_key_check_usable(call, key));
    TRY(key_algorithm(call, key, in, "GENERATE_VERIFY_MAC", "MacAlgorithm", alg));
    TRY(tree_opt_blob(in, "Message", &msg, NULL));
    TRY(kms_check_dry_run(call, in));
    TRY(asym_key_hmac(key->asym, (*alg)->md, buf_bytes(&msg), mac, n));
out:
    buf_release(&msg);
    return rc;
}

cu_rc kms_generate_mac(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct kms_alg *alg = NULL;
    uint8_t mac[ASYM_DIGEST_MAX];
    size_t n = 0;

    TRY(compute_mac(call, in, &alg, mac, &n));
    TRY(tree_set_blob(out, "Mac", bytes_of(mac, n)));
    TRY(tree_set_str(out, "MacAlgorithm", alg->name));
    TRY(tree_set_str(out, "KeyId", kms_target_key(call)->arn));
out:
    secret_wipe(mac, sizeof(mac));
    return rc;
}

cu_rc kms_verify_mac(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct kms_alg *alg = NULL;
    uint8_t mac[ASYM_DIGEST_MAX];
    size_t n = 0;
    struct buf given;

    buf_init(&given, 1024);
    TRY(compute_mac(call, in, &alg, mac, &n));
    TRY(tree_opt_blob(in, "Mac", &given, NULL));
    ENSURE(ct_equal(mac, n, given.p, given.n),
           cu_err_set(&call->err, CU_E_KMS_INVALID_MAC, "%s", ""));
    TRY(tree_set_str(out, "KeyId", kms_target_key(call)->arn));
    TRY(tree_set_bool(out, "MacValid", true));
    TRY(tree_set_str(out, "MacAlgorithm", alg->name));
out:
    secret_wipe(mac, sizeof(mac));
    buf_release(&given);
    return rc;
}

/* kms:SigningAlgorithm and kms:MessageType (RAW when absent) for Sign and Verify
 * (KMS developer guide, conditions-kms). */
void kms_sign_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "kms:SigningAlgorithm", in_str(in, "SigningAlgorithm"));
    call_keys_add(keys, "kms:MessageType", in_str_or(in, "MessageType", "RAW"));
}

/* kms:MacAlgorithm for GenerateMac and VerifyMac. */
void kms_mac_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "kms:MacAlgorithm", in_str(in, "MacAlgorithm"));
}
