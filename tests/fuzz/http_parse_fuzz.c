/* Fuzz target: HTTP/1.1 request framing (server/http_parse.c). The input is a byte stream
 * as a client would send it; the first byte picks the size of the pieces it arrives in, so
 * the incremental scan and the chunked decoder are driven across every split point. Every
 * head that parses is followed by its body, and then by the next request (pipelining). The
 * scan fed in pieces must find what one scan of the whole input finds: the same head
 * length, or the same refusal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/http_parse.h"

static const struct http_limits lim = {.max_header_bytes = 2048, .max_body_bytes = 4096};

/* One request from in; returns the bytes it took, 0 when incomplete or refused. */
static size_t one_request(struct bytes in, size_t piece)
{
    static struct http_head h;
    struct http_scan s = {0}, whole = {0};
    struct http_chunked d = {0};
    struct cu_err err = {0};
    struct buf body;
    size_t head_len = 0, whole_len = 0, got = 0, taken = 0;
    cu_rc rc = CU_OK, whole_rc = http_parse_scan(&whole, in, &lim, &whole_len, &err);

    while (rc == CU_OK && head_len == 0 && got < in.n) {
        got = got + piece < in.n ? got + piece : in.n;
        rc = http_parse_scan(&s, bytes_of(in.p, got), &lim, &head_len, &err);
    }
    if (rc != whole_rc || head_len != whole_len)
        abort();
    if (rc != CU_OK)
        return 0;
    if (head_len == 0 || http_parse_head(bytes_of(in.p, head_len), &lim, &h, &err) != CU_OK)
        return 0;
    if (h.body == HTTP_BODY_LENGTH)
        return in.n - head_len >= h.content_length ? head_len + (size_t)h.content_length : 0;
    if (h.body == HTTP_BODY_NONE)
        return head_len;
    buf_init_sensitive(&body, lim.max_body_bytes);
    taken = head_len;
    while (!d.done && taken < in.n) {
        size_t n = in.n - taken < piece ? in.n - taken : piece, used = 0;

        if (http_parse_chunked(&d, bytes_of(in.p + taken, n), &lim, &used, &body, &err) != CU_OK)
            break;
        taken += used;
    }
    if (body.n > lim.max_body_bytes)
        abort();
    buf_release(&body);
    return d.done ? taken : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bytes in;
    size_t piece, n;

    if (size == 0)
        return 0;
    piece = (size_t)(data[0] % 16) + 1;
    in = bytes_of(data + 1, size - 1);
    (void)http_parse_sniff_field(in, "X-Amz-Target");
    while (in.n && (n = one_request(in, piece)) > 0) {
        if (n > in.n)
            abort();
        in = bytes_of(in.p + n, in.n - n);
    }
    return 0;
}
