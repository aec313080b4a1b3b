/* tree_write.c — see tree_write.h. */
#include "tree_write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

static const char hex_digits[] = "0123456789ABCDEF"; /* jansson writes \u001F */

/* The bytes written as they are: printable ASCII but '"' (0x22) and '\\' (0x5c), and DEL,
 * which JSON allows unescaped. A table, since every byte of every string of every response
 * and audit record is looked up. */
#define P4(c) [(c)] = true, [(c) + 1] = true, [(c) + 2] = true, [(c) + 3] = true
#define P16(c) P4(c), P4((c) + 4), P4((c) + 8), P4((c) + 12)
static const bool plain[256] = {
    [0x20] = true, [0x21] = true, [0x23] = true, P4(0x24), P4(0x28), P4(0x2c),
    P16(0x30), P16(0x40), P4(0x50), P4(0x54), P4(0x58), [0x5d] = true, [0x5e] = true,
    [0x5f] = true, P16(0x60), P16(0x70),
};

/* Whether all 8 bytes of w are plain (the table above), tested at once: no byte below
 * 0x20, none with the high bit set, none equal to '"' or '\\'. (x - 0x01..01) & ~x has a
 * byte's high bit set, as a whole word nonzero exactly when some byte of x is zero; the
 * same with 0x20..20 when some byte is below 0x20 (exact for bytes under 0x80, and the
 * others are caught by w itself). About a quarter of the instructions of a byte-wise scan
 * over the ids, ARNs and base64 that make up most strings. */
static bool word_plain(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
    uint64_t flagged = ((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
                       ((backslash - ones) & ~backslash) | w;

    return (flagged & highs) == 0;
}

/* How many bytes at the start of p[0..n) are plain. */
static size_t plain_prefix(const uint8_t *p, size_t n)
{
    size_t i = 0;
    uint64_t w;

    for (; i + sizeof(w) <= n; i += sizeof(w)) {
        memcpy(&w, p + i, sizeof(w));
        if (!word_plain(w))
            break;
    }
    while (i < n && plain[p[i]])
        i++;
    return i;
}

cu_rc tree_write_string(struct buf *out, const char *s, size_t n)
{
    cu_rc rc = CU_OK;
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    size_t plain_len = plain_prefix(p, n);

    /* the usual string (an id, an ARN, base64) needs no escape: quoted and copied whole */
    if (plain_len == n) {
        TRY(buf_reserve(out, n + 2));
        out->p[out->n] = '"';
        memcpy(out->p + out->n + 1, s, n);
        out->p[out->n + n + 1] = '"';
        out->n += n + 2;
        out->p[out->n] = '\0';
        return CU_OK;
    }
    /* escaped, it takes at least that much room */
    TRY(buf_reserve(out, n + 2));
    TRY(buf_addch(out, '"'));
    while (p < end) {
        const uint8_t *run = p;
        size_t len = 0;

        /* printable ASCII needs no escape: copy it in one go */
        p += plain_prefix(p, (size_t)(end - p));
        if (p > run)
            TRY(buf_add(out, run, (size_t)(p - run)));
        if (p == end)
            break;
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p++};
            TRY(buf_add(out, esc, 2));
        } else if (*p < 0x20) {
            /* jansson's short forms, then \u00XX */
            static const char short_form[] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
                                              ['\r'] = 'r', ['\t'] = 't'};
            char esc[6] = {'\\', 'u', '0', '0', hex_digits[*p >> 4], hex_digits[*p & 15]};
            if (*p < sizeof(short_form) && short_form[*p]) {
                esc[1] = short_form[*p];
                TRY(buf_add(out, esc, 2));
            } else {
                TRY(buf_add(out, esc, 6));
            }
            p++;
        } else {
            len = utf8_seq_len(p, (size_t)(end - p));
            if (len) {
                TRY(buf_add(out, p, len));
                p += len;
            } else {
                TRY(buf_addstr(out, "\\ufffd"));
                p++;
            }
        }
    }
    TRY(buf_addch(out, '"'));
out:
    return rc;
}

/* A real as jansson's dump writes it at precision 17: "%.17g", then ".0" when that reads
 * as an integer, and the exponent without '+' or leading zeros ("1e+20" -> "1e20"). */
static cu_rc write_real(struct buf *out, double d)
{
    char text[40], tidy[40];
    size_t n, t = 0;

    n = (size_t)snprintf(text, sizeof(text), "%.17g", d);
    if (n >= sizeof(text))
        return CU_E_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        tidy[t++] = text[i];
        if (text[i] == 'e') {
            i++;
            if (text[i] == '-')
                tidy[t++] = text[i++];
            else if (text[i] == '+')
                i++;
            while (i + 1 < n && text[i] == '0')
                i++;
            i--;
        }
    }
    tidy[t] = '\0';
    if (strspn(tidy, "0123456789-") == t) {
        tidy[t++] = '.';
        tidy[t++] = '0';
        tidy[t] = '\0';
    }
    return buf_add(out, tidy, t);
}

static cu_rc write_integer(struct buf *out, json_int_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, v);

    return n > 0 && (size_t)n < sizeof(text) ? buf_add(out, text, (size_t)n) : CU_E_INTERNAL;
}

cu_rc tree_write_json(struct buf *out, const json_t *v)
{
    cu_rc rc = CU_OK;
    const char *name;
    json_t *item;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        TRY(buf_addch(out, '{'));
        i = 0;
        json_object_foreach((json_t *)v, name, item)
        {
            if (i++)
                TRY(buf_addch(out, ','));
            TRY(tree_write_string(out, name, strlen(name)));
            TRY(buf_addch(out, ':'));
            TRY(tree_write_json(out, item));
        }
        TRY(buf_addch(out, '}'));
        break;
    case JSON_ARRAY:
        TRY(buf_addch(out, '['));
        json_array_foreach((json_t *)v, i, item)
        {
            if (i)
                TRY(buf_addch(out, ','));
            TRY(tree_write_json(out, item));
        }
        TRY(buf_addch(out, ']'));
        break;
    case JSON_STRING:
        TRY(tree_write_string(out, json_string_value(v), json_string_length(v)));
        break;
    case JSON_INTEGER:
        TRY(write_integer(out, json_integer_value(v)));
        break;
    case JSON_REAL:
        TRY(write_real(out, json_real_value(v)));
        break;
    case JSON_TRUE:
        TRY(buf_addstr(out, "true"));
        break;
    case JSON_FALSE:
        TRY(buf_addstr(out, "false"));
        break;
    case JSON_NULL:
        TRY(buf_addstr(out, "null"));
        break;
    }
out:
    return rc;
}
