/* backing_key.c — KMS backing keys: generate, seal/open at rest, per-message encryption.
 *
 * Sits between the KMS handlers (which hold handles and sealed blobs) and aead.c/kdf.c.
 * Invariants: material is only ever in the secure heap or in a sealed blob; each message is
 * encrypted under its own HKDF-derived key and IV (see backing_key.h), and the derived
 * key is wiped before return; failures to open or decrypt are one code, CU_E_SEAL_BROKEN,
 * so no caller can tell a wrong key from a flipped bit. */
#include "backing_key.h"

#include <stdlib.h>

#include "aead.h"
#include "core/rand.h"
#include "kdf.h"

struct backing_key {
    struct secret *material; /* BACKING_KEY_LEN bytes */
};

static const char data_info[] = "custos/v1/kms-data";
static const char seal_aad_label[] = "custos/v1/backing-key";

/* K || IV for one message, in one buffer so a single wipe clears both. */
struct derived {
    uint8_t key[AEAD_KEY_LEN];
    uint8_t iv[AEAD_IV_LEN];
};

static cu_rc backing_key_wrap(struct secret *material, struct backing_key **out)
{
    struct backing_key *k = calloc(1, sizeof(*k));

    if (!k) {
        secret_free(material);
        return CU_E_NOMEM;
    }
    k->material = material;
    *out = k;
    return CU_OK;
}

cu_rc backing_key_generate(struct backing_key **out)
{
    cu_rc rc = CU_OK;
    struct secret *material = NULL;

    *out = NULL;
    TRY(secret_new(BACKING_KEY_LEN, &material));
    TRY(rand_bytes(material->p, BACKING_KEY_LEN));
    rc = backing_key_wrap(material, out);
    material = NULL;
out:
    secret_free(material);
    return rc;
}

cu_rc backing_key_import(struct bytes material, struct backing_key **out)
{
    cu_rc rc = CU_OK;
    struct secret *copy = NULL;

    *out = NULL;
    ENSURE(material.n == BACKING_KEY_LEN, CU_E_VALIDATION);
    TRY(secret_from(material, &copy));
    rc = backing_key_wrap(copy, out);
out:
    return rc;
}

void backing_key_free(struct backing_key *k)
{
    if (!k)
        return;
    secret_free(k->material);
    free(k);
}

static cu_rc add_u32(struct buf *b, uint32_t v)
{
    uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

    return buf_add(b, be, sizeof(be));
}

cu_rc backing_key_seal_aad(const char *key_arn, uint32_t version, struct buf *aad)
{
    cu_rc rc = CU_OK;
    size_t arn_len = strlen(key_arn);

    /* Label, then a length-prefixed ARN, then the version: no two (arn, version) pairs share
     * an encoding, whatever characters the ARN holds. */
    ENSURE(arn_len <= UINT32_MAX, CU_E_INTERNAL);
    TRY(buf_add(aad, seal_aad_label, sizeof(seal_aad_label))); /* with its NUL */
    TRY(add_u32(aad, (uint32_t)arn_len));
    TRY(buf_add(aad, key_arn, arn_len));
    TRY(add_u32(aad, version));
out:
    return rc;
}

cu_rc backing_key_seal(const struct master_key *mk, const struct backing_key *k, struct bytes aad,
                       struct buf *sealed)
{
    return master_key_seal(mk, secret_bytes(k->material), aad, sealed);
}

cu_rc backing_key_open(const struct master_key *mk, struct bytes sealed, struct bytes aad,
                       struct backing_key **out)
{
    cu_rc rc = CU_OK;
    struct secret *material = NULL;

    *out = NULL;
    TRY(master_key_open(mk, sealed, aad, &material));
    /* Authentic but not 32 bytes: sealed by custos for something else under this AAD. */
    ENSURE(material->n == BACKING_KEY_LEN, CU_E_SEAL_BROKEN);
    rc = backing_key_wrap(material, out);
    material = NULL;
out:
    secret_free(material);
    return rc;
}

static cu_rc derive(const struct backing_key *k, struct bytes nonce, struct derived *d)
{
    if (nonce.n != BACKING_KEY_NONCE_LEN)
        return CU_E_INTERNAL;
    return kdf_hkdf_sha256(secret_bytes(k->material), nonce, bytes_str(data_info), (uint8_t *)d,
                           sizeof(*d));
}

cu_rc backing_key_encrypt(const struct backing_key *k, struct bytes nonce, struct bytes aad,
                          struct bytes plaintext, struct buf *ciphertext_and_tag)
{
    cu_rc rc = CU_OK;
    struct derived d;
    struct buf *out = ciphertext_and_tag;
    uint8_t *dst;

    ENSURE(plaintext.n <= BACKING_KEY_MAX_PLAINTEXT, CU_E_INTERNAL);
    TRY(derive(k, nonce, &d));
    TRY(buf_reserve(out, plaintext.n + BACKING_KEY_TAG_LEN));
    /* Encrypt straight into the reserved tail; commit only on success (see master_key.c). */
    dst = (uint8_t *)out->p + out->n;
    TRY(aead_seal(d.key, d.iv, aad, plaintext, dst, dst + plaintext.n));
    out->n += plaintext.n + BACKING_KEY_TAG_LEN;
    out->p[out->n] = '\0';
out:
    secret_wipe(&d, sizeof(d));
    return rc;
}

cu_rc backing_key_decrypt(const struct backing_key *k, struct bytes nonce, struct bytes aad,
                          struct bytes ciphertext_and_tag, struct secret **plaintext)
{
    cu_rc rc = CU_OK;
    struct derived d;
    struct secret *plain = NULL;
    size_t n;

    *plaintext = NULL;
    ENSURE(nonce.n == BACKING_KEY_NONCE_LEN, CU_E_SEAL_BROKEN);
    ENSURE(ciphertext_and_tag.n >= BACKING_KEY_TAG_LEN, CU_E_SEAL_BROKEN);
    n = ciphertext_and_tag.n - BACKING_KEY_TAG_LEN;
    ENSURE(n <= BACKING_KEY_MAX_PLAINTEXT, CU_E_SEAL_BROKEN);
    TRY(derive(k, nonce, &d));
    TRY(secret_new(n, &plain));
    TRY(aead_open(d.key, d.iv, aad, bytes_of(ciphertext_and_tag.p, n), ciphertext_and_tag.p + n,
                  plain->p));
    *plaintext = plain;
    plain = NULL;
out:
    secret_wipe(&d, sizeof(d));
    secret_free(plain);
    return rc;
}
