/* ciphertext.c — read and write the KMS symmetric ciphertext blob (layout in ciphertext.h).
 *
 * Decrypt: kms_ciphertext_parse (pure, fuzzed) -> the handler finds the key and backing
 * key the header names and authorizes -> kms_ciphertext_open. Encrypt: kms_ciphertext_seal.
 * Invariants: the whole header is authenticated (AAD = header || canonical context), so a
 * blob whose key id or version was edited fails exactly like a flipped ciphertext bit; and
 * every failure is the same InvalidCiphertextException without a message (AWS sends none;
 * aws-sdk-java #1323), so an attacker learns nothing about which part was wrong. */
#include "ciphertext.h"

#include "core/codec.h"
#include "core/rand.h"

#define OFF_KEY_ID 1
#define OFF_VERSION 17
#define OFF_NONCE 21

/* "8-4-4-4-12" hex UUID -> 16 bytes; false if s is not exactly that shape. */
static bool uuid_to_bin(const char *s, uint8_t out[KMS_CIPHERTEXT_KEY_ID_LEN])
{
    size_t o = 0;

    if (!s || strlen(s) != IDS_UUID_LEN)
        return false;
    for (size_t i = 0; i < IDS_UUID_LEN;) {
        int hi, lo;

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
            i++;
            continue;
        }
        hi = hex_digit(s[i]);
        lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[o++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return o == KMS_CIPHERTEXT_KEY_ID_LEN;
}

static void bin_to_uuid(const uint8_t in[KMS_CIPHERTEXT_KEY_ID_LEN], char out[IDS_UUID_LEN + 1])
{
    /* Groups of 4, 2, 2, 2 and 6 bytes. */
    hex_encode_to(in, 4, out);
    out[8] = '-';
    hex_encode_to(in + 4, 2, out + 9);
    out[13] = '-';
    hex_encode_to(in + 6, 2, out + 14);
    out[18] = '-';
    hex_encode_to(in + 8, 2, out + 19);
    out[23] = '-';
    hex_encode_to(in + 10, 6, out + 24);
}

/* "mrk-" and 32 hex digits (a multi-Region key id) -> 16 bytes; false if not that shape. */
static bool mrk_to_bin(const char *s, uint8_t out[KMS_CIPHERTEXT_KEY_ID_LEN])
{
    if (!s || strlen(s) != 4 + 2 * KMS_CIPHERTEXT_KEY_ID_LEN || strncmp(s, "mrk-", 4) != 0)
        return false;
    for (size_t i = 0; i < KMS_CIPHERTEXT_KEY_ID_LEN; i++) {
        int hi = hex_digit(s[4 + 2 * i]), lo = hex_digit(s[5 + 2 * i]);

        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static cu_rc invalid(struct cu_err *err)
{
    return cu_err_set(err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", "");
}

cu_rc kms_ciphertext_parse(struct bytes blob, struct kms_ciphertext *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct cursor c;
    struct bytes key_id;

    memset(out, 0, sizeof(*out));
    cursor_init(&c, blob);
    /* Bounds first: at least one byte of ciphertext, at most AWS's plaintext limit. */
    ENSURE(blob.n > KMS_CIPHERTEXT_OVERHEAD && blob.n <= KMS_CIPHERTEXT_MAX &&
               blob.n - KMS_CIPHERTEXT_OVERHEAD <= KMS_PLAINTEXT_MAX,
           invalid(err));
    ENSURE(cursor_u8(&c, &out->version) &&
               (out->version == KMS_CIPHERTEXT_VERSION || out->version == KMS_CIPHERTEXT_VERSION_MRK),
           invalid(err));
    ENSURE(cursor_take(&c, KMS_CIPHERTEXT_KEY_ID_LEN, &key_id), invalid(err));
    ENSURE(cursor_u32(&c, &out->backing_version) && out->backing_version >= 1, invalid(err));
    ENSURE(cursor_take(&c, KMS_CIPHERTEXT_NONCE_LEN, &out->nonce), invalid(err));
    ENSURE(cursor_take(&c, cursor_left(&c) - KMS_CIPHERTEXT_TAG_LEN, &out->ciphertext),
           invalid(err));
    ENSURE(cursor_take(&c, KMS_CIPHERTEXT_TAG_LEN, &out->tag) && cursor_left(&c) == 0,
           invalid(err));
    memcpy(out->key_id_bin, key_id.p, KMS_CIPHERTEXT_KEY_ID_LEN);
    if (out->version == KMS_CIPHERTEXT_VERSION_MRK) {
        memcpy(out->key_id, "mrk-", 4);
        hex_encode_to(out->key_id_bin, KMS_CIPHERTEXT_KEY_ID_LEN, out->key_id + 4);
        out->key_id[4 + 2 * KMS_CIPHERTEXT_KEY_ID_LEN] = '\0';
    } else {
        bin_to_uuid(out->key_id_bin, out->key_id);
    }
    out->header = bytes_of(blob.p, KMS_CIPHERTEXT_HEADER_LEN);
out:
    if (rc != CU_OK)
        memset(out, 0, sizeof(*out));
    return rc;
}

/* AAD = header || canonical context, in a fresh buf (released by the caller). */
static cu_rc build_aad(struct bytes header, struct bytes context, struct buf *aad)
{
    cu_rc rc = CU_OK;

    TRY(buf_reserve(aad, header.n + context.n));
    TRY(buf_add(aad, header.p, header.n));
    TRY(buf_add(aad, context.p, context.n));
out:
    return rc;
}

cu_rc kms_ciphertext_seal(const struct backing_key *k, const char *key_id_uuid,
                          uint32_t backing_version, struct bytes context_canonical,
                          struct bytes plaintext, struct buf *blob)
{
    cu_rc rc = CU_OK;
    uint8_t header[KMS_CIPHERTEXT_HEADER_LEN];
    struct buf aad;
    size_t start = blob->n;

    buf_init(&aad, BUF_NO_LIMIT);
    ENSURE(plaintext.n >= 1 && plaintext.n <= KMS_PLAINTEXT_MAX, CU_E_VALIDATION);
    ENSURE(backing_version >= 1, CU_E_INTERNAL);
    /* a multi-Region key's id ("mrk-" + hex) takes the same 16 bytes under its own
     * format byte, so the blob still names its key exactly */
    header[0] = strncmp(key_id_uuid, "mrk-", 4) == 0 ? KMS_CIPHERTEXT_VERSION_MRK
                                                     : KMS_CIPHERTEXT_VERSION;
    ENSURE(header[0] == KMS_CIPHERTEXT_VERSION ? uuid_to_bin(key_id_uuid, header + OFF_KEY_ID)
                                               : mrk_to_bin(key_id_uuid, header + OFF_KEY_ID),
           CU_E_INTERNAL);
    put_u32(header + OFF_VERSION, backing_version);
    TRY(rand_bytes(header + OFF_NONCE, KMS_CIPHERTEXT_NONCE_LEN));
    TRY(build_aad(bytes_of(header, sizeof(header)), context_canonical, &aad));
    TRY(buf_reserve(blob, KMS_CIPHERTEXT_OVERHEAD + plaintext.n));
    TRY(buf_add(blob, header, sizeof(header)));
    TRY(backing_key_encrypt(k, bytes_of(header + OFF_NONCE, KMS_CIPHERTEXT_NONCE_LEN),
                            buf_bytes(&aad), plaintext, blob));
out:
    if (rc != CU_OK && blob->p) {
        blob->n = start;
        blob->p[start] = '\0';
    }
    buf_release(&aad);
    return rc;
}

cu_rc kms_ciphertext_open(const struct backing_key *k, const struct kms_ciphertext *ct,
                          struct bytes context_canonical, struct secret **plaintext,
                          struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct buf aad;

    *plaintext = NULL;
    buf_init(&aad, BUF_NO_LIMIT);
    /* A struct not made by kms_ciphertext_parse is refused rather than trusted. */
    ENSURE((ct->version == KMS_CIPHERTEXT_VERSION || ct->version == KMS_CIPHERTEXT_VERSION_MRK) &&
               ct->ciphertext.p && ct->ciphertext.n >= 1 &&
               ct->header.n == KMS_CIPHERTEXT_HEADER_LEN &&
               ct->nonce.n == KMS_CIPHERTEXT_NONCE_LEN && ct->tag.n == KMS_CIPHERTEXT_TAG_LEN &&
               ct->tag.p == ct->ciphertext.p + ct->ciphertext.n,
           invalid(err));
    TRY(build_aad(ct->header, context_canonical, &aad));
    rc = backing_key_decrypt(k, ct->nonce, buf_bytes(&aad),
                             bytes_of(ct->ciphertext.p, ct->ciphertext.n + KMS_CIPHERTEXT_TAG_LEN),
                             plaintext);
    if (rc == CU_E_SEAL_BROKEN)
        rc = invalid(err);
out:
    buf_release(&aad);
    return rc;
}
