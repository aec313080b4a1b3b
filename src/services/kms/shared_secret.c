/* shared_secret.c — DeriveSharedSecret: ECDH between the private key of a KEY_AGREEMENT
 * KMS key (a NIST curve) and a peer's public key, answered as the raw shared secret (KMS
 * API reference, DeriveSharedSecret). The secret is the x-coordinate of the shared point
 * (SP 800-56A; the NIST curves' cofactor is 1, so cofactor ECDH is plain ECDH), exactly
 * what `openssl pkeyutl -derive` computes from the other side; it lives in a secret and
 * in the response only (SharedSecret is sensitive in the model). */
#include <string.h>

#include "asym.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/asym_key.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"

static const char *doc_str(const struct kms_key *key, const char *member)
{
    const char *v = json_string_value(json_object_get(key->doc, member));

    return v ? v : "";
}

cu_rc kms_derive_shared_secret(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    const char *alg = in_str_or(in, "KeyAgreementAlgorithm", "");
    struct secret *shared = NULL;
    struct buf peer;

    buf_init(&peer, 8192);
    TRY(kms_key_check_usable(call, key));
    ENSURE(key->asym && strcmp(doc_str(key, "KeyUsage"), "KEY_AGREEMENT") == 0,
           cu_err_set(&call->err, CU_E_KMS_INVALID_KEY_USAGE,
                      "%s key usage is %s which is not valid for DeriveSharedSecret.",
                      key->arn, doc_str(key, "KeyUsage")));
    /* ECDH is the model's one KeyAgreementAlgorithmSpec; the check keeps a later one out */
    ENSURE(strcmp(alg, "ECDH") == 0,
           cu_err_set(&call->err, CU_E_KMS_INVALID_KEY_USAGE,
                      "Algorithm %s is incompatible with key spec %s.", alg,
                      doc_str(key, "KeySpec")));
    TRY(kms_check_recipient(call, in));
    TRY(tree_opt_blob(in, "PublicKey", &peer, NULL));
    TRY(kms_check_dry_run(call, in));
    rc = asym_key_derive(key->asym, buf_bytes(&peer), &shared);
    /* AWS answers a public key that is not DER SPKI on the key's curve with a
     * ValidationException (API reference, DeriveSharedSecret "PublicKey") */
    if (rc == CU_E_VALIDATION)
        rc = cu_err_set(&call->err, CU_E_VALIDATION,
                        "PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo of a "
                        "valid point on the curve of key spec %s.", doc_str(key, "KeySpec"));
    TRY(rc);
    TRY(tree_set_str(out, "KeyId", key->arn));
    TRY(tree_set_blob(out, "SharedSecret", secret_bytes(shared)));
    TRY(tree_set_str(out, "KeyAgreementAlgorithm", "ECDH"));
    TRY(tree_set_str(out, "KeyOrigin", doc_str(key, "Origin")));
out:
    secret_free(shared);
    buf_release(&peer);
    return rc;
}
