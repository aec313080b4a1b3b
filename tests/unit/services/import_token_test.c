/* Tests for services/kms/import_token.c: the claims layout byte by byte, round trips of
 * every algorithm and key size, every truncation, trailing bytes, each field out of range
 * (version, algorithm, bits, zero and oversized lengths, a control byte in the ARN), and
 * the seal: tampered, under another master key, oversized. */
#include "check.h"
#include "services/kms/import_token.h"

static const char *arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

static struct import_token sample(void)
{
    struct import_token t = {IMPORT_WRAP_AES_KW_SHA256, 4096, 0x0102030405060708LL,
                             bytes_str(arn), bytes_str("private-der")};
    return t;
}

static void layout_and_round_trip(void)
{
    struct import_token t = sample(), got;
    struct cu_err err = {0};
    struct buf b;

    buf_init_sensitive(&b, IMPORT_TOKEN_MAX);
    CHECK_OK(import_token_format(&t, &b));
    CHECK_INT(b.n, 1 + 1 + 2 + 8 + 2 + strlen(arn) + 2 + 11);
    CHECK_INT((uint8_t)b.p[0], 1);
    CHECK_INT((uint8_t)b.p[1], IMPORT_WRAP_AES_KW_SHA256);
    CHECK_INT((uint8_t)b.p[2], 0x10);
    CHECK_INT((uint8_t)b.p[3], 0x00);
    CHECK_INT((uint8_t)b.p[4], 0x01);
    CHECK_INT((uint8_t)b.p[11], 0x08);
    CHECK_OK(import_token_parse(buf_bytes(&b), &got, &err));
    CHECK_INT(got.alg, t.alg);
    CHECK_INT(got.bits, 4096);
    CHECK_INT(got.valid_to_ms, t.valid_to_ms);
    CHECK(bytes_eq_str(got.arn, arn));
    CHECK(bytes_eq_str(got.private_der, "private-der"));
    /* every algorithm and size, and a negative time */
    for (int alg = IMPORT_WRAP_OAEP_SHA1; alg <= IMPORT_WRAP_AES_KW_SHA256; alg++)
        for (int bits = 2048; bits <= 4096; bits += 1024) {
            t.alg = alg;
            t.bits = bits;
            t.valid_to_ms = -5;
            buf_reset(&b);
            CHECK_OK(import_token_format(&t, &b));
            CHECK_OK(import_token_parse(buf_bytes(&b), &got, &err));
            CHECK(got.alg == (enum import_wrap_alg)alg && got.bits == bits &&
                  got.valid_to_ms == -5);
        }
    buf_release(&b);
}

static void malformed(void)
{
    struct import_token t = sample(), got;
    struct cu_err err = {0};
    struct buf b;
    size_t i;

    buf_init_sensitive(&b, IMPORT_TOKEN_MAX);
    CHECK_OK(import_token_format(&t, &b));
    for (i = 0; i < b.n; i++)
        CHECK_RC(import_token_parse(bytes_of(b.p, i), &got, &err), CU_E_KMS_INVALID_IMPORT_TOKEN);
    CHECK_OK(buf_addch(&b, 0));
    CHECK_RC(import_token_parse(buf_bytes(&b), &got, &err), CU_E_KMS_INVALID_IMPORT_TOKEN);
    b.n--;
    {
        /* one field at a time out of range: version, algorithm (0, 5), bits */
        static const struct {
            size_t at;
            uint8_t v;
        } bad[] = {{0, 0}, {0, 2}, {1, 0}, {1, 5}, {2, 0x11}, {3, 1}};
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            uint8_t was = (uint8_t)b.p[bad[i].at];
            b.p[bad[i].at] = (char)bad[i].v;
            CHECK_RC(import_token_parse(buf_bytes(&b), &got, &err),
                     CU_E_KMS_INVALID_IMPORT_TOKEN);
            b.p[bad[i].at] = (char)was;
        }
    }
    /* a control byte inside the ARN */
    b.p[14 + 3] = '\n';
    CHECK_RC(import_token_parse(buf_bytes(&b), &got, &err), CU_E_KMS_INVALID_IMPORT_TOKEN);
    CHECK(err.msg[0] == '\0');
    /* formatting refuses what parsing would */
    t.arn = bytes_of(NULL, 0);
    CHECK_RC(import_token_format(&t, &b), CU_E_INTERNAL);
    t = sample();
    t.bits = 1024;
    CHECK_RC(import_token_format(&t, &b), CU_E_INTERNAL);
    t = sample();
    t.private_der = bytes_of((const uint8_t *)arn, IMPORT_WRAP_PRIVATE_MAX + 1);
    CHECK_RC(import_token_format(&t, &b), CU_E_INTERNAL);
    buf_release(&b);
}

static void sealing(void)
{
    struct master_key *mk = NULL, *other = NULL;
    struct import_token t = sample(), got;
    struct secret *claims = NULL;
    struct cu_err err = {0};
    struct buf tok;
    uint8_t big[IMPORT_TOKEN_MAX + 1] = {0};

    buf_init(&tok, IMPORT_TOKEN_MAX);
    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_new_random(&other));
    CHECK_OK(import_token_seal(mk, &t, &tok));
    CHECK_OK(import_token_open(mk, buf_bytes(&tok), &claims, &got, &err));
    CHECK(bytes_eq_str(got.arn, arn) && got.valid_to_ms == t.valid_to_ms);
    secret_free(claims);
    CHECK_RC(import_token_open(other, buf_bytes(&tok), &claims, &got, &err),
             CU_E_KMS_INVALID_IMPORT_TOKEN);
    CHECK(claims == NULL);
    for (size_t i = 0; i < tok.n; i += 5) {
        tok.p[i] ^= 0x40;
        CHECK_RC(import_token_open(mk, buf_bytes(&tok), &claims, &got, &err),
                 CU_E_KMS_INVALID_IMPORT_TOKEN);
        tok.p[i] ^= 0x40;
    }
    CHECK_RC(import_token_open(mk, bytes_of(tok.p, tok.n - 1), &claims, &got, &err),
             CU_E_KMS_INVALID_IMPORT_TOKEN);
    CHECK_RC(import_token_open(mk, bytes_of(big, sizeof(big)), &claims, &got, &err),
             CU_E_KMS_INVALID_IMPORT_TOKEN);
    master_key_free(mk);
    master_key_free(other);
    buf_release(&tok);
}

int main(void)
{
    if (secret_heap_init(1 << 16) != CU_OK)
        return 1;
    layout_and_round_trip();
    malformed();
    sealing();
    TEST_END();
}
