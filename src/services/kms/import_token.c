/* import_token.c — read and write the ImportToken (layout in import_token.h): the claims
 * parser, pure and bounded, and the master-key seal around it.
 *
 * The parser never trusts a length: each is checked against its named limit before the
 * bytes are taken, and trailing bytes are refused, so one token has one reading. */
#include <string.h>

#include "core/bytes.h"
#include "import_token.h"
#include "kms_key.h"

#define TOKEN_AAD "custos/v1/kms-import-token"

static bool bits_ok(int bits)
{
    return bits == 2048 || bits == 3072 || bits == 4096;
}

static bool alg_ok(int alg)
{
    return alg >= IMPORT_WRAP_OAEP_SHA1 && alg <= IMPORT_WRAP_AES_KW_SHA256;
}

cu_rc import_token_parse(struct bytes claims, struct import_token *out, struct cu_err *err)
{
    struct cursor c;
    struct bytes v;
    uint8_t version, alg;
    uint16_t bits, n, m;
    uint32_t hi, lo;

    (void)err;
    memset(out, 0, sizeof(*out));
    cursor_init(&c, claims);
    if (!cursor_u8(&c, &version) || version != IMPORT_TOKEN_VERSION || !cursor_u8(&c, &alg) ||
        !alg_ok(alg) || !cursor_u16(&c, &bits) || !bits_ok(bits) || !cursor_u32(&c, &hi) ||
        !cursor_u32(&c, &lo))
        return CU_E_KMS_INVALID_IMPORT_TOKEN;
    if (!cursor_u16(&c, &n) || n == 0 || n >= KMS_ARN_MAX || !cursor_take(&c, n, &out->arn))
        return CU_E_KMS_INVALID_IMPORT_TOKEN;
    if (!cursor_u16(&c, &m) || m == 0 || m > IMPORT_WRAP_PRIVATE_MAX ||
        !cursor_take(&c, m, &out->private_der) || cursor_left(&c) != 0)
        return CU_E_KMS_INVALID_IMPORT_TOKEN;
    /* the ARN is text for messages and comparison: no NUL or control bytes in it */
    v = out->arn;
    for (size_t i = 0; i < v.n; i++)
        if (v.p[i] < 0x21 || v.p[i] > 0x7e)
            return CU_E_KMS_INVALID_IMPORT_TOKEN;
    out->alg = (enum import_wrap_alg)alg;
    out->bits = bits;
    out->valid_to_ms = (int64_t)(((uint64_t)hi << 32) | lo);
    return CU_OK;
}

static cu_rc put_u16(struct buf *out, size_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

    return buf_add(out, b, sizeof(b));
}

cu_rc import_token_format(const struct import_token *t, struct buf *out)
{
    cu_rc rc = CU_OK;
    uint64_t when = (uint64_t)t->valid_to_ms;
    uint8_t head[2], stamp[8];

    ENSURE(alg_ok(t->alg) && bits_ok(t->bits), CU_E_INTERNAL);
    ENSURE(t->arn.n > 0 && t->arn.n < KMS_ARN_MAX, CU_E_INTERNAL);
    ENSURE(t->private_der.n > 0 && t->private_der.n <= IMPORT_WRAP_PRIVATE_MAX, CU_E_INTERNAL);
    head[0] = IMPORT_TOKEN_VERSION;
    head[1] = (uint8_t)t->alg;
    for (int i = 0; i < 8; i++)
        stamp[i] = (uint8_t)(when >> (56 - 8 * i));
    TRY(buf_add(out, head, sizeof(head)));
    TRY(put_u16(out, (size_t)t->bits));
    TRY(buf_add(out, stamp, sizeof(stamp)));
    TRY(put_u16(out, t->arn.n));
    TRY(buf_add(out, t->arn.p, t->arn.n));
    TRY(put_u16(out, t->private_der.n));
    TRY(buf_add(out, t->private_der.p, t->private_der.n));
out:
    return rc;
}

cu_rc import_token_seal(const struct master_key *mk, const struct import_token *t,
                        struct buf *out)
{
    cu_rc rc = CU_OK;
    struct buf claims;

    buf_init_sensitive(&claims, IMPORT_TOKEN_MAX);
    TRY(import_token_format(t, &claims));
    TRY(master_key_seal(mk, buf_bytes(&claims), bytes_str(TOKEN_AAD), out));
out:
    buf_release(&claims);
    return rc;
}

cu_rc import_token_open(const struct master_key *mk, struct bytes token, struct secret **claims,
                        struct import_token *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;

    *claims = NULL;
    ENSURE(token.n <= IMPORT_TOKEN_MAX, CU_E_KMS_INVALID_IMPORT_TOKEN);
    rc = master_key_open(mk, token, bytes_str(TOKEN_AAD), claims);
    if (rc == CU_E_SEAL_BROKEN)
        rc = CU_E_KMS_INVALID_IMPORT_TOKEN;
    TRY(rc);
    TRY(import_token_parse(secret_bytes(*claims), out, err));
out:
    if (rc != CU_OK) {
        secret_free(*claims);
        *claims = NULL;
    }
    return rc;
}
