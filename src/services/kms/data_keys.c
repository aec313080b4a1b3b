/* data_keys.c — GenerateDataKey and GenerateDataKeyWithoutPlaintext: a fresh random data
 * key, returned sealed under the KMS key (and, for the first, in the clear too). The
 * clear copy lives in a secret and in the response only. */
#include <string.h>

#include "asym.h"
#include "core/rand.h"
#include "core/secret.h"
#include "core/tree.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"

/* KeySpec or NumberOfBytes, exactly one (KMS API reference, GenerateDataKey). */
static cu_rc data_key_length(struct call *call, const json_t *in, size_t *n)
{
    const char *spec = in_str(in, "KeySpec");
    int64_t bytes = in_int(in, "NumberOfBytes", -1);

    if (spec && bytes >= 0)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "Please specify either number of bytes or key spec.");
    if (bytes >= 0) {
        *n = (size_t)bytes;
        return CU_OK;
    }
    if (!spec)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "Please specify either number of bytes or key spec.");
    *n = strcmp(spec, "AES_128") == 0 ? 16 : 32;
    return CU_OK;
}

static cu_rc generate(struct call *call, const json_t *in, json_t *out, bool with_plaintext)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    uint8_t data_key[1024]; /* NumberOfBytes is at most 1,024 [model]; wiped below */
    struct buf blob;
    size_t n = 0;

    buf_init(&blob, 8192);
    TRY(kms_key_check_usable(call, key));
    TRY(kms_key_check_symmetric(call, key));
    TRY(data_key_length(call, in, &n));
    TRY(kms_check_recipient(call, in));
    TRY(kms_check_dry_run(call, in));
    ENSURE(n >= 1 && n <= sizeof(data_key), CU_E_VALIDATION);
    TRY(rand_bytes(data_key, n));
    TRY(kms_seal(call, key, in_obj(in, "EncryptionContext"), bytes_of(data_key, n),
                 &blob));
    TRY(tree_set_blob(out, "CiphertextBlob", buf_bytes(&blob)));
    if (with_plaintext)
        TRY(tree_set_blob(out, "Plaintext", bytes_of(data_key, n)));
    TRY(tree_set_str(out, "KeyId", key->arn));
out:
    secret_wipe(data_key, n);
    buf_release(&blob);
    return rc;
}

cu_rc kms_generate_data_key(struct call *call, const json_t *in, json_t *out)
{
    return generate(call, in, out, true);
}

cu_rc kms_generate_data_key_without_plaintext(struct call *call, const json_t *in, json_t *out)
{
    return generate(call, in, out, false);
}
