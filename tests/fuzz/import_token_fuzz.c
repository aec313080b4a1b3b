/* import_token_fuzz.c — libFuzzer target for import_token_parse (services/kms/import_token.c).
 *
 * Any input must parse or fail with CU_E_KMS_INVALID_IMPORT_TOKEN and an empty message; a
 * parsed token's views must lie inside the input, its fields in range; formatting it again
 * must give back exactly the input (one token, one reading); and opening the input as a
 * sealed token must fail cleanly (it was never sealed by this key). */
#include <stdlib.h>
#include <string.h>

#include "services/kms/import_token.h"
#include "services/kms/kms_key.h"

static struct master_key *fuzz_mk;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct import_token t;
    struct cu_err err = {0};
    struct secret *claims = NULL;
    struct buf again;
    cu_rc rc;

    if (!fuzz_mk && (secret_heap_init(1 << 16) != CU_OK || master_key_new_random(&fuzz_mk) != CU_OK))
        abort();
    rc = import_token_open(fuzz_mk, bytes_of(data, size), &claims, &t, &err);
    if (rc != CU_E_KMS_INVALID_IMPORT_TOKEN || claims)
        abort();
    rc = import_token_parse(bytes_of(data, size), &t, &err);
    if (rc != CU_OK) {
        if (rc != CU_E_KMS_INVALID_IMPORT_TOKEN || err.msg[0] != '\0')
            abort();
        return 0;
    }
    if (t.arn.p < data || t.arn.p + t.arn.n > data + size || t.private_der.p < data ||
        t.private_der.p + t.private_der.n != data + size || t.arn.n == 0 ||
        t.arn.n >= KMS_ARN_MAX || t.private_der.n == 0 ||
        t.private_der.n > IMPORT_WRAP_PRIVATE_MAX ||
        (t.bits != 2048 && t.bits != 3072 && t.bits != 4096) || t.alg < IMPORT_WRAP_OAEP_SHA1 ||
        t.alg > IMPORT_WRAP_AES_KW_SHA256)
        abort();
    buf_init(&again, IMPORT_TOKEN_MAX);
    if (import_token_format(&t, &again) != CU_OK || again.n != size ||
        memcmp(again.p, data, size) != 0)
        abort();
    buf_release(&again);
    return 0;
}
