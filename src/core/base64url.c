/* base64url.c — RFC 4648 §5 base64url without padding, encode and a strict decode.
 *
 * The decoder takes exactly the canonical text the encoder writes: one text per byte
 * string, so a message that decodes was not altered in its encoding (nonzero trailing
 * bits and a dangling sixth of a byte are refused). */
#include "base64url.h"

#include "secret.h"

static const char ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

cu_rc base64url_encode(struct bytes in, struct buf *out)
{
    cu_rc rc = CU_OK;
    size_t i = 0;
    char q[4];

    for (; i + 3 <= in.n; i += 3) {
        uint32_t v = (uint32_t)in.p[i] << 16 | (uint32_t)in.p[i + 1] << 8 | in.p[i + 2];
        q[0] = ALPHABET[v >> 18];
        q[1] = ALPHABET[(v >> 12) & 63];
        q[2] = ALPHABET[(v >> 6) & 63];
        q[3] = ALPHABET[v & 63];
        TRY(buf_add(out, q, 4));
    }
    if (in.n - i == 1) {
        uint32_t v = (uint32_t)in.p[i] << 16;
        q[0] = ALPHABET[v >> 18];
        q[1] = ALPHABET[(v >> 12) & 63];
        TRY(buf_add(out, q, 2));
    } else if (in.n - i == 2) {
        uint32_t v = (uint32_t)in.p[i] << 16 | (uint32_t)in.p[i + 1] << 8;
        q[0] = ALPHABET[v >> 18];
        q[1] = ALPHABET[(v >> 12) & 63];
        q[2] = ALPHABET[(v >> 6) & 63];
        TRY(buf_add(out, q, 3));
    }
out:
    return rc;
}

static int value_of(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

cu_rc base64url_decode(struct bytes in, struct buf *out)
{
    cu_rc rc = CU_OK;
    size_t start = out->n, bits = 0;
    uint32_t acc = 0;

    ENSURE(in.n % 4 != 1, CU_E_MALFORMED_INPUT);
    for (size_t i = 0; i < in.n; i++) {
        int v = value_of(in.p[i]);
        ENSURE(v >= 0, CU_E_MALFORMED_INPUT);
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            TRY(buf_addch(out, (char)(acc >> bits & 0xff)));
        }
    }
    /* the leftover bits of a short last group must be zero: the canonical encoding */
    ENSURE((acc & ((1u << bits) - 1)) == 0, CU_E_MALFORMED_INPUT);
out:
    if (rc != CU_OK && out->n > start) {
        secret_wipe(out->p + start, out->n - start);
        out->n = start;
        out->p[start] = '\0';
    }
    return rc;
}
