/* Tests for services/kms/ciphertext.c: the byte layout, round trips at the plaintext
 * bounds, every byte of a blob flipped, every truncation, trailing bytes, wrong context
 * (value, case, extra or missing pair) while a reordered context still opens, wrong backing
 * key and version, unknown format version, the size limits, and AWS's empty message. */
#include "check.h"
#include "core/codec.h"
#include "services/kms/ciphertext.h"
#include "services/kms/encryption_context.h"

static const char *key_id = "1234abcd-12ab-34cd-56ef-1234567890ab";
static const uint8_t key_id_bin[16] = {0x12, 0x34, 0xab, 0xcd, 0x12, 0xab, 0x34, 0xcd,
                                       0x56, 0xef, 0x12, 0x34, 0x56, 0x78, 0x90, 0xab};

static struct backing_key *k1, *k2;

/* Canonical context of a JSON text (NULL = absent) into a fresh buf. */
static void context(const char *json, struct buf *out)
{
    json_t *v = json ? json_loads(json, 0, NULL) : NULL;
    struct cu_err err = {0};

    buf_init(out, 1 << 20);
    if ((json && !v) || encryption_context_canonical(v, out, &err) != CU_OK)
        abort();
    json_decref(v);
}

/* Parse then open; the rc of whichever step failed. */
static cu_rc decrypt(const struct backing_key *k, struct bytes blob, const struct buf *ctx,
                     struct secret **plain, struct cu_err *err)
{
    struct kms_ciphertext ct;
    cu_rc rc = kms_ciphertext_parse(blob, &ct, err);

    if (rc == CU_OK)
        rc = kms_ciphertext_open(k, &ct, buf_bytes(ctx), plain, err);
    return rc;
}

static void layout_and_round_trips(void)
{
    static const size_t lens[] = {1, 2, 16, 32, 1024, 4096};
    uint8_t msg[4096];
    struct buf ctx, blob;
    struct kms_ciphertext ct;
    struct secret *plain = NULL;
    struct cu_err err = {0};

    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i ^ 0x5a);
    context("{\"purpose\":\"test\",\"tenant\":\"a\"}", &ctx);
    buf_init(&blob, KMS_CIPHERTEXT_MAX);
    for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
        buf_reset(&blob);
        CHECK_OK(
            kms_ciphertext_seal(k1, key_id, 7, buf_bytes(&ctx), bytes_of(msg, lens[i]), &blob));
        CHECK_INT(blob.n, KMS_CIPHERTEXT_OVERHEAD + lens[i]);
        CHECK_INT((uint8_t)blob.p[0], 1);
        CHECK_MEM(blob.p + 1, key_id_bin, 16);
        CHECK_MEM(blob.p + 17, "\0\0\0\7", 4);
        CHECK(lens[i] < 8 || memmem(blob.p, blob.n, msg, 8) == NULL);
        CHECK_OK(kms_ciphertext_parse(buf_bytes(&blob), &ct, &err));
        CHECK_INT(ct.version, 1);
        CHECK_STR(ct.key_id, key_id);
        CHECK_MEM(ct.key_id_bin, key_id_bin, 16);
        CHECK_INT(ct.backing_version, 7);
        CHECK(ct.header.p == (const uint8_t *)blob.p && ct.header.n == 37);
        CHECK(ct.nonce.p == (const uint8_t *)blob.p + 21 && ct.nonce.n == 16);
        CHECK_INT(ct.ciphertext.n, lens[i]);
        CHECK_INT(ct.tag.n, 16);
        CHECK_OK(kms_ciphertext_open(k1, &ct, buf_bytes(&ctx), &plain, &err));
        CHECK(plain && plain->n == lens[i] && memcmp(plain->p, msg, lens[i]) == 0);
        secret_free(plain);
        plain = NULL;
    }
    /* Fresh nonce per message: the same input never gives the same blob. */
    {
        struct buf again;
        buf_init(&again, KMS_CIPHERTEXT_MAX);
        CHECK_OK(kms_ciphertext_seal(k1, key_id, 7, buf_bytes(&ctx), bytes_of(msg, 4096), &again));
        CHECK(again.n == blob.n && memcmp(again.p + 21, blob.p + 21, 16) != 0);
        buf_release(&again);
    }
    /* An uppercase key id is stored in binary and reads back lowercase. */
    buf_reset(&blob);
    CHECK_OK(kms_ciphertext_seal(k1, "1234ABCD-12AB-34CD-56EF-1234567890AB", 1, buf_bytes(&ctx),
                                 bytes_str("x"), &blob));
    CHECK_OK(kms_ciphertext_parse(buf_bytes(&blob), &ct, &err));
    CHECK_STR(ct.key_id, key_id);
    /* Appends after existing bytes. */
    buf_reset(&blob);
    CHECK_OK(buf_addstr(&blob, "pre"));
    CHECK_OK(kms_ciphertext_seal(k1, key_id, 1, buf_bytes(&ctx), bytes_str("x"), &blob));
    CHECK_INT(blob.n, 3 + KMS_CIPHERTEXT_OVERHEAD + 1);
    CHECK_OK(decrypt(k1, bytes_of(blob.p + 3, blob.n - 3), &ctx, &plain, &err));
    CHECK(plain && bytes_eq_str(secret_bytes(plain), "x"));
    secret_free(plain);
    buf_release(&ctx);
    buf_release(&blob);
}

static void tampering(void)
{
    struct buf ctx, blob;
    struct secret *plain = NULL;
    struct cu_err err = {0};
    int invalid = 0, empty_msg = 0;

    context("{\"a\":\"b\"}", &ctx);
    buf_init(&blob, KMS_CIPHERTEXT_MAX + 10);
    CHECK_OK(kms_ciphertext_seal(k1, key_id, 1, buf_bytes(&ctx),
                                 bytes_str("thirty-two bytes of plaintext!!!"), &blob));
    /* Every byte of header, nonce, ciphertext and tag. */
    for (size_t i = 0; i < blob.n; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            blob.p[i] ^= (char)(1 << bit);
            snprintf(err.msg, sizeof(err.msg), "x");
            invalid +=
                decrypt(k1, buf_bytes(&blob), &ctx, &plain, &err) == CU_E_KMS_INVALID_CIPHERTEXT;
            empty_msg += err.msg[0] == '\0';
            blob.p[i] ^= (char)(1 << bit);
        }
    }
    CHECK_INT(invalid, blob.n * 3);
    CHECK_INT(empty_msg, blob.n * 3);
    CHECK(plain == NULL);
    /* Every truncation; one byte more. */
    invalid = 0;
    for (size_t len = 0; len < blob.n; len++)
        invalid +=
            decrypt(k1, bytes_of(blob.p, len), &ctx, &plain, &err) == CU_E_KMS_INVALID_CIPHERTEXT;
    CHECK_INT(invalid, blob.n);
    CHECK_OK(buf_addch(&blob, 0));
    CHECK_RC(decrypt(k1, buf_bytes(&blob), &ctx, &plain, &err), CU_E_KMS_INVALID_CIPHERTEXT);
    blob.n--;
    CHECK_OK(decrypt(k1, buf_bytes(&blob), &ctx, &plain, &err));
    secret_free(plain);
    plain = NULL;
    /* Another backing key (another key, or another version of this one). */
    CHECK_RC(decrypt(k2, buf_bytes(&blob), &ctx, &plain, &err), CU_E_KMS_INVALID_CIPHERTEXT);
    /* The header names version 1; claiming version 2 breaks authentication. */
    blob.p[20] = 2;
    CHECK_RC(decrypt(k1, buf_bytes(&blob), &ctx, &plain, &err), CU_E_KMS_INVALID_CIPHERTEXT);
    /* Version 0 and unknown format versions are refused by the parser. */
    blob.p[20] = 0;
    CHECK_RC(decrypt(k1, buf_bytes(&blob), &ctx, &plain, &err), CU_E_KMS_INVALID_CIPHERTEXT);
    blob.p[20] = 1;
    blob.p[0] = 2;
    CHECK_RC(decrypt(k1, buf_bytes(&blob), &ctx, &plain, &err), CU_E_KMS_INVALID_CIPHERTEXT);
    CHECK_STR(err.msg, "");
    blob.p[0] = 1;
    CHECK_OK(decrypt(k1, buf_bytes(&blob), &ctx, &plain, &err));
    secret_free(plain);
    buf_release(&ctx);
    buf_release(&blob);
}

static void contexts(void)
{
    static const char *const wrong[] = {
        NULL,
        "{}",
        "{\"Purpose\":\"Test\"}",
        "{\"purpose\":\"test\"}",
        "{\"Purpose\":\"Test\",\"Dept\":\"10\"}",
        "{\"Purpose\":\"Test\",\"Dept\":\"10\",\"Extra\":\"\"}",
        "{\"Purpose\":\"Test \",\"Dept\":\"1\"}",
        "{\"PurposeTest\":\"\",\"Dept\":\"1\"}",
    };
    struct buf ctx, other, blob;
    struct secret *plain = NULL;
    struct cu_err err = {0};

    context("{\"Purpose\":\"Test\",\"Dept\":\"1\"}", &ctx);
    buf_init(&blob, KMS_CIPHERTEXT_MAX);
    CHECK_OK(kms_ciphertext_seal(k1, key_id, 1, buf_bytes(&ctx), bytes_str("secret"), &blob));
    for (size_t i = 0; i < ARRAY_LEN(wrong); i++) {
        context(wrong[i], &other);
        CHECK_RC(decrypt(k1, buf_bytes(&blob), &other, &plain, &err), CU_E_KMS_INVALID_CIPHERTEXT);
        buf_release(&other);
    }
    context("{\"Dept\":\"1\",\"Purpose\":\"Test\"}", &other);
    CHECK_OK(decrypt(k1, buf_bytes(&blob), &other, &plain, &err));
    CHECK(plain && bytes_eq_str(secret_bytes(plain), "secret"));
    secret_free(plain);
    plain = NULL;
    buf_release(&other);
    /* No context at encryption: absent and {} both open it. */
    buf_reset(&blob);
    buf_release(&ctx);
    context(NULL, &ctx);
    CHECK_OK(kms_ciphertext_seal(k1, key_id, 1, buf_bytes(&ctx), bytes_str("s"), &blob));
    context("{}", &other);
    CHECK_OK(decrypt(k1, buf_bytes(&blob), &other, &plain, &err));
    secret_free(plain);
    buf_release(&other);
    buf_release(&ctx);
    buf_release(&blob);
}

static void limits(void)
{
    static uint8_t big[KMS_CIPHERTEXT_MAX + 2];
    struct buf ctx, blob;
    struct kms_ciphertext ct;
    struct secret *plain = NULL;
    struct cu_err err = {0};

    context(NULL, &ctx);
    buf_init(&blob, KMS_CIPHERTEXT_MAX * 2);
    CHECK_RC(kms_ciphertext_seal(k1, key_id, 1, buf_bytes(&ctx), bytes_of(big, 0), &blob),
             CU_E_VALIDATION);
    CHECK_RC(kms_ciphertext_seal(k1, key_id, 1, buf_bytes(&ctx), bytes_of(big, 4097), &blob),
             CU_E_VALIDATION);
    CHECK_RC(kms_ciphertext_seal(k1, "not-a-uuid", 1, buf_bytes(&ctx), bytes_str("x"), &blob),
             CU_E_INTERNAL);
    CHECK_RC(kms_ciphertext_seal(k1, "1234abcd-12ab-34cd-56ef-1234567890a", 1, buf_bytes(&ctx),
                                 bytes_str("x"), &blob),
             CU_E_INTERNAL);
    CHECK_RC(kms_ciphertext_seal(k1, "1234abcd+12ab-34cd-56ef-1234567890ab", 1, buf_bytes(&ctx),
                                 bytes_str("x"), &blob),
             CU_E_INTERNAL);
    CHECK_RC(kms_ciphertext_seal(k1, "1234abcd-12ab-34cd-56ef-1234567890ag", 1, buf_bytes(&ctx),
                                 bytes_str("x"), &blob),
             CU_E_INTERNAL);
    CHECK_RC(kms_ciphertext_seal(k1, key_id, 0, buf_bytes(&ctx), bytes_str("x"), &blob),
             CU_E_INTERNAL);
    CHECK_INT(blob.n, 0);
    /* The blob's own limit: nothing is appended. */
    buf_release(&blob);
    buf_init(&blob, 60);
    CHECK_RC(kms_ciphertext_seal(k1, key_id, 1, buf_bytes(&ctx), bytes_of(big, 8), &blob),
             CU_E_PAYLOAD_TOO_LARGE);
    CHECK_INT(blob.n, 0);
    /* Parser bounds: 53 bytes hold no ciphertext; past 4096 bytes of ciphertext; past 6144. */
    big[0] = 1;
    big[20] = 1;
    CHECK_RC(kms_ciphertext_parse(bytes_of(big, 53), &ct, &err), CU_E_KMS_INVALID_CIPHERTEXT);
    CHECK_OK(kms_ciphertext_parse(bytes_of(big, 54), &ct, &err));
    CHECK_OK(kms_ciphertext_parse(bytes_of(big, 53 + 4096), &ct, &err));
    CHECK_RC(kms_ciphertext_parse(bytes_of(big, 53 + 4097), &ct, &err),
             CU_E_KMS_INVALID_CIPHERTEXT);
    CHECK_RC(kms_ciphertext_parse(bytes_of(big, KMS_CIPHERTEXT_MAX + 1), &ct, &err),
             CU_E_KMS_INVALID_CIPHERTEXT);
    CHECK_RC(kms_ciphertext_parse(bytes_of(NULL, 0), &ct, &err), CU_E_KMS_INVALID_CIPHERTEXT);
    /* A well-formed blob of zeros parses but does not open. */
    CHECK_OK(kms_ciphertext_parse(bytes_of(big, 60), &ct, &err));
    CHECK_STR(ct.key_id, "00000000-0000-0000-0000-000000000000");
    CHECK_RC(kms_ciphertext_open(k1, &ct, buf_bytes(&ctx), &plain, &err),
             CU_E_KMS_INVALID_CIPHERTEXT);
    /* A struct not made by the parser is refused. */
    memset(&ct, 0, sizeof(ct));
    CHECK_RC(kms_ciphertext_open(k1, &ct, buf_bytes(&ctx), &plain, &err),
             CU_E_KMS_INVALID_CIPHERTEXT);
    CHECK(plain == NULL);
    buf_release(&ctx);
    buf_release(&blob);
}

/* A blob sealed by the format as it stands when rotation came (format 1, backing version
 * 2, context {"purpose":"rotation"}, plaintext "rotated data") under the material 0x00..0x1f:
 * every later custos must still parse and open it, and the same bytes seed the fuzz corpus
 * (tests/fuzz/corpus/ciphertext/blob-v2). */
static const char golden_hex[] = "011234abcd12ab34cd56ef1234567890ab00000002d9f5d84de45e367c45e059"
                                 "08a1d14bd4efc6bc43111e5321cea448c9a83cb523a30e7ac55d2841f6d3f3e7"
                                 "2c";

static void golden_blob_still_opens(void)
{
    uint8_t material[32], blob[128];
    struct backing_key *k = NULL;
    struct kms_ciphertext ct;
    struct secret *plain = NULL;
    struct buf ctx;
    struct cu_err err = {0};
    size_t n = strlen(golden_hex) / 2;

    for (size_t i = 0; i < 32; i++)
        material[i] = (uint8_t)i;
    for (size_t i = 0; i < n; i++)
        blob[i] = (uint8_t)(hex_digit(golden_hex[2 * i]) << 4 | hex_digit(golden_hex[2 * i + 1]));
    CHECK_OK(backing_key_import(bytes_of(material, 32), &k));
    context("{\"purpose\":\"rotation\"}", &ctx);
    CHECK_OK(kms_ciphertext_parse(bytes_of(blob, n), &ct, &err));
    CHECK_INT(ct.version, 1);
    CHECK_INT(ct.backing_version, 2);
    CHECK_STR(ct.key_id, key_id);
    CHECK_OK(kms_ciphertext_open(k, &ct, buf_bytes(&ctx), &plain, &err));
    CHECK_INT(plain->n, 12);
    CHECK_MEM(plain->p, "rotated data", 12);
    secret_free(plain);
    plain = NULL;
    /* the version is authenticated: the same blob naming version 1 does not open */
    blob[20] = 1;
    CHECK_OK(kms_ciphertext_parse(bytes_of(blob, n), &ct, &err));
    CHECK_RC(kms_ciphertext_open(k, &ct, buf_bytes(&ctx), &plain, &err),
             CU_E_KMS_INVALID_CIPHERTEXT);
    CHECK(plain == NULL);
    buf_release(&ctx);
    backing_key_free(k);
}

/* A multi-Region key's id ("mrk-" + 32 hex) travels under format byte 2 and comes back
 * exactly; a malformed one is refused at sealing; byte 2 with a UUID key is not made. */
static void multi_region_key_id(void)
{
    static const char *mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";
    struct buf ctx, blob;
    struct kms_ciphertext ct;
    struct secret *plain = NULL;
    struct cu_err err = {0};

    context(NULL, &ctx);
    buf_init(&blob, KMS_CIPHERTEXT_MAX);
    CHECK_OK(kms_ciphertext_seal(k1, mrk, 1, buf_bytes(&ctx), bytes_str("mrk"), &blob));
    CHECK_INT((uint8_t)blob.p[0], 2);
    CHECK_MEM(blob.p + 1, key_id_bin, 16);
    CHECK_OK(kms_ciphertext_parse(buf_bytes(&blob), &ct, &err));
    CHECK_STR(ct.key_id, mrk);
    CHECK_OK(kms_ciphertext_open(k1, &ct, buf_bytes(&ctx), &plain, &err));
    CHECK(plain && bytes_eq_str(secret_bytes(plain), "mrk"));
    secret_free(plain);
    plain = NULL;
    /* the format byte is authenticated: a v2 blob relabelled v1 names a UUID key and fails */
    blob.p[0] = 1;
    CHECK_RC(decrypt(k1, buf_bytes(&blob), &ctx, &plain, &err), CU_E_KMS_INVALID_CIPHERTEXT);
    CHECK(!plain);
    blob.p[0] = 3;
    CHECK_RC(kms_ciphertext_parse(buf_bytes(&blob), &ct, &err), CU_E_KMS_INVALID_CIPHERTEXT);
    buf_reset(&blob);
    CHECK_RC(kms_ciphertext_seal(k1, "mrk-1234", 1, buf_bytes(&ctx), bytes_str("x"), &blob),
             CU_E_INTERNAL);
    CHECK_RC(kms_ciphertext_seal(k1, "mrk-1234abcd12ab34cd56ef1234567890zz", 1, buf_bytes(&ctx),
                                 bytes_str("x"), &blob),
             CU_E_INTERNAL);
    buf_release(&blob);
    buf_release(&ctx);
}

int main(void)
{
    /* As the server runs: secrets in OpenSSL's secure heap (falls back if mlock fails). */
    if (secret_heap_init(1 << 16) != CU_OK)
        fprintf(stderr, "secure heap unavailable; testing on the ordinary heap\n");
    if (backing_key_generate(&k1) != CU_OK || backing_key_generate(&k2) != CU_OK)
        return 2;
    layout_and_round_trips();
    tampering();
    contexts();
    limits();
    golden_blob_still_opens();
    multi_region_key_id();
    backing_key_free(k1);
    backing_key_free(k2);
    TEST_END();
}
