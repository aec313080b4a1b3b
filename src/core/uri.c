/* uri.c — percent-encoding and -decoding (see uri.h). Strict on input: a malformed
 * escape is an error, never passed through, so two parsers cannot disagree on it. */
#include "uri.h"

#include "codec.h"

static bool unreserved(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

cu_rc uri_encode(struct bytes in, bool encode_slash, struct buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    cu_rc rc = CU_OK;

    TRY(buf_reserve(out, in.n));
    for (size_t i = 0; i < in.n; i++) {
        uint8_t c = in.p[i];
        if (unreserved(c) || (c == '/' && !encode_slash)) {
            TRY(buf_addch(out, (char)c));
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            TRY(buf_add(out, esc, 3));
        }
    }
out:
    return rc;
}

cu_rc uri_decode(struct bytes in, bool plus_is_space, struct buf *out)
{
    cu_rc rc = CU_OK;

    TRY(buf_reserve(out, in.n));
    for (size_t i = 0; i < in.n; i++) {
        uint8_t c = in.p[i];
        size_t run = 0;

        /* plain characters go in runs */
        while (i + run < in.n && in.p[i + run] != '%' && !(in.p[i + run] == '+' && plus_is_space))
            run++;
        if (run) {
            TRY(buf_add(out, in.p + i, run));
            i += run - 1;
            continue;
        }
        if (c == '%') {
            int hi, lo;
            ENSURE(in.n - i > 2, CU_E_MALFORMED_INPUT);
            hi = hex_digit(in.p[i + 1]);
            lo = hex_digit(in.p[i + 2]);
            ENSURE(hi >= 0 && lo >= 0, CU_E_MALFORMED_INPUT);
            TRY(buf_addch(out, (char)(hi * 16 + lo)));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            TRY(buf_addch(out, ' '));
        } else {
            TRY(buf_addch(out, (char)c));
        }
    }
out:
    return rc;
}
