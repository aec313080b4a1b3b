/* codec.c — base64, base64url and hex. Written by hand rather than with EVP_EncodeBlock because
 * OpenSSL's decoder accepts whitespace and returns padded lengths; AWS blobs are strict. */
#include "codec.h"

#include "secret.h"

/* The two alphabets of RFC 4648: base64 (§4) and base64url (§5) differ in their last two
 * characters only. */
static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Encode in with alphabet into out, '='-padded to whole quads when pad; terminated.
 * Returns the characters written. */
static size_t encode_to(struct bytes in, const char *alphabet, bool pad, char *out)
{
    char *o = out;
    size_t i = 0;
    uint32_t v;

    for (; i + 3 <= in.n; i += 3) {
        v = ((uint32_t)in.p[i] << 16) | ((uint32_t)in.p[i + 1] << 8) | in.p[i + 2];
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    if (i < in.n) {
        bool two = i + 1 < in.n;
        v = (uint32_t)in.p[i] << 16;
        if (two)
            v |= (uint32_t)in.p[i + 1] << 8;
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        if (two)
            *o++ = alphabet[(v >> 6) & 63];
        else if (pad)
            *o++ = '=';
        if (pad)
            *o++ = '=';
    }
    *o = '\0';
    return (size_t)(o - out);
}

void b64_encode_to(struct bytes in, char *out)
{
    (void)encode_to(in, b64_alphabet, true, out);
}

cu_rc b64_encode(struct bytes in, struct buf *out)
{
    cu_rc rc = CU_OK;
    size_t n = B64_ENCODED_LEN(in.n);

    TRY(buf_reserve(out, n));
    b64_encode_to(in, out->p + out->n);
    out->n += n;
out:
    return rc;
}

cu_rc base64url_encode(struct bytes in, struct buf *out)
{
    cu_rc rc = CU_OK;

    TRY(buf_reserve(out, B64_ENCODED_LEN(in.n)));
    out->n += encode_to(in, b64url_alphabet, false, out->p + out->n);
out:
    return rc;
}

/* The value of c in the alphabet whose characters 62 and 63 are c62 and c63, or -1. */
static int sextet(uint8_t c, char c62, char c63)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (uint8_t)c62)
        return 62;
    if (c == (uint8_t)c63)
        return 63;
    return -1;
}

size_t b64_decoded_len(size_t n)
{
    return n / 4 * 3 + 3;
}

/* The 24 bits of the 4 characters at p (the last `pad` of them '=' padding), or false when
 * one is outside the alphabet or stray bits sit under the padding (a non-canonical
 * encoding). */
static bool b64_quad(const uint8_t *p, size_t pad, uint32_t *w)
{
    int v[4];

    for (int k = 0; k < 4; k++) {
        v[k] = k >= 4 - (int)pad ? 0 : sextet(p[k], '+', '/');
        if (v[k] < 0)
            return false;
    }
    *w = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) | (uint32_t)v[3];
    return !(pad == 2 && (*w & 0xffff)) && !(pad == 1 && (*w & 0xff));
}

/* How many '=' end a text of a length divisible by 4. */
static size_t b64_padding(struct bytes in)
{
    size_t pad = 0;

    if (in.n >= 1 && in.p[in.n - 1] == '=')
        pad++;
    if (in.n >= 2 && in.p[in.n - 2] == '=')
        pad++;
    return pad;
}

bool b64_valid(struct bytes in)
{
    size_t pad = b64_padding(in);
    uint32_t w;

    if (in.n % 4 != 0)
        return false;
    for (size_t i = 0; i < in.n; i += 4)
        if (!b64_quad(in.p + i, i + 4 == in.n ? pad : 0, &w))
            return false;
    return true;
}

cu_rc b64_decode(struct bytes in, struct buf *out)
{
    cu_rc rc = CU_OK;
    uint8_t tri[3];
    size_t pad = b64_padding(in);
    uint32_t w = 0;

    ENSURE(in.n % 4 == 0, CU_E_MALFORMED_INPUT);
    TRY(buf_reserve(out, in.n / 4 * 3));
    for (size_t i = 0; i < in.n; i += 4) {
        bool last = i + 4 == in.n;
        ENSURE(b64_quad(in.p + i, last ? pad : 0, &w), CU_E_MALFORMED_INPUT);
        tri[0] = (uint8_t)(w >> 16);
        tri[1] = (uint8_t)(w >> 8);
        tri[2] = (uint8_t)w;
        TRY(buf_add(out, tri, last ? 3 - pad : 3));
    }
out:
    secret_wipe(tri, sizeof(tri));
    secret_wipe(&w, sizeof(w));
    return rc;
}

/* base64url is decoded by sextets rather than by quads: its last group is not padded. */
cu_rc base64url_decode(struct bytes in, struct buf *out)
{
    cu_rc rc = CU_OK;
    size_t start = out->n, bits = 0;
    uint32_t acc = 0;

    ENSURE(in.n % 4 != 1, CU_E_MALFORMED_INPUT);
    /* exactly the decoded size: a caller may bound out to it */
    TRY(buf_reserve(out, in.n / 4 * 3 + in.n % 4 * 3 / 4));
    for (size_t i = 0; i < in.n; i++) {
        int v = sextet(in.p[i], '-', '_');
        ENSURE(v >= 0, CU_E_MALFORMED_INPUT);
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out->p[out->n++] = (char)(acc >> bits & 0xff);
        }
    }
    /* the leftover bits of a short last group must be zero: the canonical encoding */
    ENSURE((acc & ((1u << bits) - 1)) == 0, CU_E_MALFORMED_INPUT);
out:
    if (rc == CU_OK) {
        out->p[out->n] = '\0';
    } else if (out->n > start) {
        secret_wipe(out->p + start, out->n - start);
        out->n = start;
        out->p[start] = '\0';
    }
    secret_wipe(&acc, sizeof(acc));
    return rc;
}

void hex_encode_to(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

size_t dec_encode_to(uint64_t v, char out[21])
{
    char rev[20];
    size_t n = 0;

    do {
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    out[n] = '\0';
    return n;
}

cu_rc hex_encode(struct bytes in, struct buf *out)
{
    cu_rc rc = CU_OK;

    TRY(buf_reserve(out, in.n * 2));
    hex_encode_to(in.p, in.n, out->p + out->n);
    out->n += in.n * 2;
out:
    return rc;
}

size_t utf8_seq_len(const uint8_t *s, size_t left)
{
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf;

    if (left == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        lo = s[0] == 0xe0 ? 0xa0 : 0x80;
        hi = s[0] == 0xed ? 0x9f : 0xbf;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        lo = s[0] == 0xf0 ? 0x90 : 0x80;
        hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (left < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

cu_rc utf8_append(struct buf *b, uint32_t cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return buf_add(b, u, n);
}
