/* random.c — GenerateRandom: cryptographically secure random bytes (core/rand.h, OpenSSL's
 * DRBG), governed by the IAM policy alone (no KMS key is involved: AWS-NOTES §3).
 *
 * The bytes are a secret for their caller: the model marks Plaintext sensitive, so they
 * never reach the log or the trail, and the stack copy is wiped. custos has no custom key
 * stores, so a CustomKeyStoreId names none; a Nitro Enclaves Recipient is answered as an
 * attestation document that does not verify (recipient.c), never in the clear. */
#include "core/rand.h"
#include "core/secret.h"
#include "core/tree.h"
#include "kms.h"
#include "kms_ops.gen.h"
#include "services/in.h"

/* NumberOfBytes: 1 to 1,024 [model]; "This parameter is required" (KMS API reference,
 * GenerateRandom), though the model does not mark it so. */
#define RANDOM_MAX_BYTES 1024

cu_rc kms_generate_random(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    uint8_t bytes[RANDOM_MAX_BYTES];
    int64_t n = in_int(in, "NumberOfBytes", -1);

    if (n < 0)
        return cu_err_set(&call->err, CU_E_VALIDATION, "NumberOfBytes is required.");
    ENSURE(n >= 1 && n <= RANDOM_MAX_BYTES, CU_E_VALIDATION); /* the model's range */
    if (in_str(in, "CustomKeyStoreId"))
        return cu_err_set(&call->err, CU_E_KMS_CUSTOM_KEY_STORE_NOT_FOUND,
                          "The request was rejected because KMS cannot find a custom key "
                          "store with the specified key store name or ID.");
    TRY(kms_check_recipient(call, in));
    TRY(rand_bytes(bytes, (size_t)n));
    TRY(tree_set_blob(out, "Plaintext", bytes_of(bytes, (size_t)n)));
out:
    secret_wipe(bytes, sizeof(bytes));
    return rc;
}
