/* ciphertext_fuzz.c — libFuzzer target for kms_ciphertext_parse (services/kms/ciphertext.c).
 *
 * Any input must parse or fail with CU_E_KMS_INVALID_CIPHERTEXT and an empty message; a
 * parsed blob's views must tile the input exactly; opening it under a fixed backing key
 * must succeed or fail cleanly; and re-sealing under the parsed key id and version must
 * parse back to the same header fields. */
#include <stdlib.h>
#include <string.h>

#include "services/kms/ciphertext.h"

static struct backing_key *fuzz_key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t material[BACKING_KEY_LEN] = {1,  2,  3,  4,  5,  6,  7,  8, 9,
                                                      10, 11, 12, 13, 14, 15, 16, 17};
    struct kms_ciphertext ct, again;
    struct cu_err err = {0};
    struct secret *plain = NULL;
    struct buf blob;
    cu_rc rc;

    if (!fuzz_key && backing_key_import(bytes_of(material, sizeof(material)), &fuzz_key) != CU_OK)
        abort();
    rc = kms_ciphertext_parse(bytes_of(data, size), &ct, &err);
    if (rc != CU_OK) {
        if (rc != CU_E_KMS_INVALID_CIPHERTEXT || err.msg[0] != '\0')
            abort();
        return 0;
    }
    if (ct.header.p != data || ct.header.n != KMS_CIPHERTEXT_HEADER_LEN ||
        ct.nonce.p != data + KMS_CIPHERTEXT_HEADER_LEN - KMS_CIPHERTEXT_NONCE_LEN ||
        ct.ciphertext.p != data + KMS_CIPHERTEXT_HEADER_LEN ||
        ct.tag.p != ct.ciphertext.p + ct.ciphertext.n || ct.tag.p + ct.tag.n != data + size ||
        ct.ciphertext.n < 1 || ct.ciphertext.n > KMS_PLAINTEXT_MAX || ct.backing_version == 0 ||
        strlen(ct.key_id) != IDS_UUID_LEN)
        abort();

    rc = kms_ciphertext_open(fuzz_key, &ct, bytes_of(NULL, 0), &plain, &err);
    if (rc == CU_OK) {
        if (plain->n != ct.ciphertext.n)
            abort();
    } else if (rc != CU_E_KMS_INVALID_CIPHERTEXT) {
        abort();
    }
    secret_free(plain);

    buf_init(&blob, KMS_CIPHERTEXT_MAX);
    if (kms_ciphertext_seal(fuzz_key, ct.key_id, ct.backing_version, bytes_of(NULL, 0),
                            ct.ciphertext, &blob) != CU_OK ||
        kms_ciphertext_parse(buf_bytes(&blob), &again, &err) != CU_OK ||
        strcmp(again.key_id, ct.key_id) != 0 || again.backing_version != ct.backing_version ||
        memcmp(again.key_id_bin, ct.key_id_bin, sizeof(ct.key_id_bin)) != 0)
        abort();
    buf_release(&blob);
    return 0;
}
