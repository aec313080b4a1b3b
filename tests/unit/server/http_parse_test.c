/* Tests for server/http_parse.c: well-formed heads and bodies, and the adversarial ones —
 * truncated, oversized, malformed, and each Content-Length value of issue 7's smuggling
 * probes. */
#include "check.h"
#include "server/http_parse.h"

static const struct http_limits lim = {.max_header_bytes = 8192, .max_body_bytes = 1000};

/* Scan then parse text as one request head; the head's length through *len. */
static cu_rc head(const char *text, struct http_head *h, size_t *len)
{
    struct http_scan s = {0};
    struct cu_err err = {0};
    struct bytes in = bytes_str(text);
    size_t n = 0;
    cu_rc rc = http_parse_scan(&s, in, &lim, &n, &err);

    if (len)
        *len = n;
    if (rc != CU_OK)
        return rc;
    if (n == 0)
        return -1;
    return http_parse_head(bytes_of(in.p, n), &lim, h, &err);
}

static cu_rc chunked(const char *text, struct buf *body, size_t *used, bool *done)
{
    struct http_chunked d = {0};
    struct cu_err err = {0};
    cu_rc rc = http_parse_chunked(&d, bytes_str(text), &lim, used, body, &err);

    *done = d.done;
    return rc;
}

static void test_good_heads(void)
{
    static struct http_head h;
    size_t len;

    CHECK_OK(head("POST /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", &h, &len));
    CHECK(bytes_eq_str(h.method, "POST"));
    CHECK(bytes_eq_str(h.target, "/a?b=c"));
    CHECK_INT(h.minor, 1);
    CHECK_INT(h.n_fields, 2);
    CHECK(bytes_eq_str(h.fields[0].name, "Host"));
    CHECK(bytes_eq_str(h.fields[0].value, "x"));
    CHECK_INT(h.body, HTTP_BODY_LENGTH);
    CHECK_INT(h.content_length, 5);
    CHECK(h.keep_alive);
    CHECK_INT(len, strlen("POST /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"));
    /* identical duplicate lengths are one length (RFC 9112 §6.3) */
    CHECK_OK(head("POST / HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n", &h, NULL));
    CHECK_INT(h.content_length, 7);
    CHECK_OK(head("GET / HTTP/1.0\r\n\r\n", &h, NULL));
    CHECK(!h.keep_alive);
    CHECK_OK(head("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h, NULL));
    CHECK(h.keep_alive);
    CHECK_OK(head("GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", &h, NULL));
    CHECK(!h.keep_alive);
    CHECK_OK(head("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\nExpect: 100-continue\r\n\r\n",
                  &h, NULL));
    CHECK_INT(h.body, HTTP_BODY_CHUNKED);
    CHECK(h.expect_continue);
    /* leading empty lines are skipped; trailing whitespace of a value is not part of it */
    CHECK_OK(head("\r\n\r\nGET / HTTP/1.1\r\nX-A:  v \t\r\n\r\n", &h, NULL));
    CHECK(bytes_eq_str(h.fields[0].value, "v"));
}

static void test_truncated(void)
{
    static struct http_head h;
    size_t len = 99;

    CHECK_RC(head("GET / HTTP/1.1\r\nHost: x\r\n", &h, &len), -1);
    CHECK_INT(len, 0);
    CHECK_RC(head("GET / HTTP/1.1\r", &h, NULL), -1);
    CHECK_RC(head("", &h, NULL), -1);
}

static void test_bad_lengths(void)
{
    static struct http_head h;
    static const char *bad[] = {"-1", "abc", "18446744073709551616", "43, 43", "+43", "", "4 3",
                                "0x10", "99999999999999999999999"};
    char text[256];

    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        snprintf(text, sizeof(text), "POST / HTTP/1.1\r\nContent-Length: %s\r\n\r\n", bad[i]);
        CHECK_RC(head(text, &h, NULL), CU_E_BAD_REQUEST);
    }
    CHECK_RC(head("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 48\r\n\r\n", &h, NULL),
             CU_E_BAD_REQUEST);
    CHECK_RC(head("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                  &h, NULL), CU_E_BAD_REQUEST);
    CHECK_RC(head("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", &h, NULL),
             CU_E_BAD_REQUEST);
    CHECK_RC(head("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &h, NULL),
             CU_E_NOT_IMPLEMENTED);
    CHECK_RC(head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                  &h, NULL), CU_E_NOT_IMPLEMENTED);
    /* 18446744073709551615 parses but is far past the body limit: refused before reading */
    CHECK_RC(head("POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n", &h, NULL),
             CU_E_PAYLOAD_TOO_LARGE);
    CHECK_RC(head("POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", &h, NULL),
             CU_E_PAYLOAD_TOO_LARGE);
}

static void test_bad_lines(void)
{
    static struct http_head h;
    static const char *bad[] = {
        "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 \r\n\r\n", "GET /\r\n\r\n", " GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.x\r\n\r\n", "GET / http/1.1\r\n\r\n", "GET / HTTP/1.1\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", "GET / HTTP/1.1\r\n: x\r\n\r\n",
        "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "G\x01T / HTTP/1.1\r\n\r\n",
        "GET /\x7f HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nX: \x01\r\n\r\n",
        "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n"};

    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        cu_rc rc = head(bad[i], &h, NULL);
        CHECK_RC(rc, CU_E_BAD_REQUEST);
        if (rc != CU_E_BAD_REQUEST)
            fprintf(stderr, "  case %zu\n", i);
    }
    CHECK_RC(head("GET / HTTP/2.0\r\n\r\n", &h, NULL), CU_E_HTTP_VERSION);
    CHECK_RC(head("GET / HTTP/1.2\r\n\r\n", &h, NULL), CU_E_HTTP_VERSION);
    CHECK_RC(head("GET / HTTP/0.9\r\n\r\n", &h, NULL), CU_E_HTTP_VERSION);
    /* a NUL inside a value: the head is found, its parse refuses */
    {
        static const char nul[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
        struct http_scan s = {0};
        struct cu_err err = {0};
        size_t n = 0;

        CHECK_OK(http_parse_scan(&s, bytes_of(nul, sizeof(nul) - 1), &lim, &n, &err));
        CHECK_INT(n, sizeof(nul) - 1);
        CHECK_RC(http_parse_head(bytes_of(nul, n), &lim, &h, &err), CU_E_BAD_REQUEST);
    }
}

static void test_oversized(void)
{
    static struct http_head h;
    struct buf b;

    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(buf_addstr(&b, "GET /"));
    for (int i = 0; i < HTTP_MAX_TARGET + 100; i++)
        CHECK_OK(buf_addch(&b, 'a'));
    /* refused before the line even ends */
    CHECK_RC(head(b.p, &h, NULL), CU_E_URI_TOO_LONG);
    buf_reset(&b);
    CHECK_OK(buf_addstr(&b, "GET / HTTP/1.1\r\nX: "));
    for (int i = 0; i < 9000; i++)
        CHECK_OK(buf_addch(&b, 'p'));
    CHECK_RC(head(b.p, &h, NULL), CU_E_HEADER_TOO_LARGE);
    buf_reset(&b);
    CHECK_OK(buf_addstr(&b, "GET / HTTP/1.1\r\n"));
    for (int i = 0; i < HTTP_MAX_HEADERS; i++)
        CHECK_OK(buf_addstr(&b, "A: b\r\n"));
    CHECK_OK(buf_addstr(&b, "\r\n"));
    CHECK_OK(head(b.p, &h, NULL));
    CHECK_INT(h.n_fields, HTTP_MAX_HEADERS);
    b.n -= 2;
    CHECK_OK(buf_addstr(&b, "A: b\r\n\r\n"));
    CHECK_RC(head(b.p, &h, NULL), CU_E_HEADER_TOO_LARGE);
    buf_release(&b);
}

/* Fed one byte at a time, the scan finds the same end as in one piece. */
static void test_incremental_scan(void)
{
    static const char text[] = "POST / HTTP/1.1\r\nA: b\r\nC: d\r\n\r\nbody";
    struct http_scan s = {0};
    struct cu_err err = {0};
    size_t n = 0, i;

    for (i = 1; i <= sizeof(text) - 1 && n == 0; i++)
        CHECK_OK(http_parse_scan(&s, bytes_of(text, i), &lim, &n, &err));
    CHECK_INT(n, strlen("POST / HTTP/1.1\r\nA: b\r\nC: d\r\n\r\n"));
}

/* The byte-at-a-time scan http_parse_scan was before it went line by line with memchr,
 * kept as the model the faster one must agree with: same refusals, same head length,
 * wherever the input is split. */
#define MODEL_REQUEST_LINE_MAX (HTTP_MAX_METHOD + HTTP_MAX_TARGET + 16)

static cu_rc model_scan(struct http_scan *s, struct bytes in, const struct http_limits *l,
                        size_t *head_len)
{
    *head_len = 0;
    for (; s->pos < in.n; s->pos++) {
        size_t line_len;

        if (in.p[s->pos] != '\n') {
            if (s->lines == 0 && s->pos - s->line_start >= MODEL_REQUEST_LINE_MAX)
                return CU_E_URI_TOO_LONG;
            if (s->lines > 0 && s->pos - s->fields_start >= l->max_header_bytes)
                return CU_E_HEADER_TOO_LARGE;
            continue;
        }
        if (s->pos == s->line_start || in.p[s->pos - 1] != '\r')
            return CU_E_BAD_REQUEST;
        line_len = s->pos - 1 - s->line_start;
        s->line_start = s->pos + 1;
        if (line_len == 0 && s->lines == 0) {
            if (s->line_start > 2 * HTTP_MAX_LEADING_CRLF)
                return CU_E_BAD_REQUEST;
            continue;
        }
        if (line_len == 0) {
            *head_len = s->pos + 1;
            s->pos++;
            return CU_OK;
        }
        if (s->lines == 0)
            s->fields_start = s->line_start;
        else if (s->lines > HTTP_MAX_HEADERS)
            return CU_E_HEADER_TOO_LARGE;
        s->lines++;
    }
    return CU_OK;
}

/* Feed in to a scan in pieces of at most piece bytes (0: whole); the result and the head
 * length found, the model's or the real one's. */
static cu_rc scan_in_pieces(bool model, struct bytes in, const struct http_limits *l,
                            size_t piece, size_t *head_len)
{
    struct http_scan s = {0};
    struct cu_err err = {0};
    size_t got = 0;
    cu_rc rc = CU_OK;

    *head_len = 0;
    do {
        got = piece && got + piece < in.n ? got + piece : in.n;
        rc = model ? model_scan(&s, bytes_of(in.p, got), l, head_len)
                   : http_parse_scan(&s, bytes_of(in.p, got), l, head_len, &err);
    } while (rc == CU_OK && *head_len == 0 && got < in.n);
    return rc;
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Random heads made of lines of random lengths (some near the request-line and header
 * limits) and random endings (CRLF, bare LF, bare CR, none), scanned whole and in random
 * pieces by both scans. */
static void test_scan_matches_model(void)
{
    static const char *endings[] = {"\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", ""};
    static const size_t near[] = {MODEL_REQUEST_LINE_MAX - 1, MODEL_REQUEST_LINE_MAX,
                                  MODEL_REQUEST_LINE_MAX + 1, 60, 61, 62, 63, 64};
    const struct http_limits small = {.max_header_bytes = 64, .max_body_bytes = 1000};
    struct buf text;
    int mismatches = 0;
    bool built = true;

    buf_init(&text, BUF_NO_LIMIT);
    for (int round = 0; round < 4000; round++) {
        const struct http_limits *l = round % 2 ? &small : &lim;
        size_t lines = rng() % 8, whole_len = 0, model_len = 0, piece_len = 0;
        cu_rc whole, model, pieces;

        buf_reset(&text);
        for (size_t i = 0; i < lines; i++) {
            size_t n = rng() % 10 == 0 ? near[rng() % ARRAY_LEN(near)] : rng() % 24;

            for (size_t k = 0; k < n; k++)
                built = built && buf_addch(&text, "aB:-x \t/"[rng() % 9]) == CU_OK;
            built = built && buf_addstr(&text, endings[rng() % ARRAY_LEN(endings)]) == CU_OK;
        }
        if (rng() % 2)
            built = built && buf_addstr(&text, "\r\n") == CU_OK;
        model = scan_in_pieces(true, buf_bytes(&text), l, 0, &model_len);
        whole = scan_in_pieces(false, buf_bytes(&text), l, 0, &whole_len);
        pieces = scan_in_pieces(false, buf_bytes(&text), l, rng() % 40 + 1, &piece_len);
        if (whole != model || pieces != model ||
            (model == CU_OK && (whole_len != model_len || piece_len != model_len))) {
            if (mismatches++ < 5)
                fprintf(stderr, "  round %d: model %s/%zu, whole %s/%zu, pieces %s/%zu\n",
                        round, cu_code_ident(model), model_len, cu_code_ident(whole), whole_len,
                        cu_code_ident(pieces), piece_len);
        }
    }
    CHECK(built);
    CHECK_INT(mismatches, 0);
    buf_release(&text);
}

/* Field values of random bytes (tabs, CR, NUL, DEL, other controls, obs-text, words)
 * against the rule: a bare CR or NUL anywhere is refused as such, then any other control
 * but HTAB, or DEL; everything else parses, the value trimmed of SP and HTAB. */
static void test_field_values_against_rule(void)
{
    static const uint8_t pick[] = {'\t', '\r', 0, 0x7f, 0x1f, 0x01, 0x80, 0xff, ' ', 'a',
                                   'Z', '0', '=', ';', '/', '"', 'q', 'w', 'e', 'r'};
    static struct http_head h;
    int wrong = 0;

    for (int round = 0; round < 20000; round++) {
        uint8_t text[128];
        size_t n = 0, len = rng() % 40, start;
        bool cr_nul = false, control = false;
        struct cu_err err = {0};
        cu_rc rc;

        static const char prefix[] = "GET / HTTP/1.1\r\nX-Name: ";

        memcpy(text, prefix, sizeof(prefix) - 1);
        n = start = sizeof(prefix) - 1;
        for (size_t k = 0; k < len; k++) {
            /* mostly plain bytes, so that whole words of them are common */
            uint8_t c = rng() % 4 ? pick[8 + rng() % 12] : pick[rng() % ARRAY_LEN(pick)];

            text[n++] = c;
            cr_nul = cr_nul || c == '\r' || c == 0;
            control = control || (c < 0x20 && c != '\t') || c == 0x7f;
        }
        memcpy(text + n, "\r\n\r\n", 4);
        rc = http_parse_head(bytes_of(text, n + 4), &lim, &h, &err);
        if (cr_nul)
            wrong += rc != CU_E_BAD_REQUEST || !strstr(err.msg, "bare CR or a NUL");
        else if (control)
            wrong += rc != CU_E_BAD_REQUEST || !strstr(err.msg, "control character");
        else if (rc != CU_OK)
            wrong++;
        else {
            size_t a = start, b = n;

            while (a < b && (text[a] == ' ' || text[a] == '\t'))
                a++;
            while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
                b--;
            wrong += h.fields[0].value.n != b - a || memcmp(h.fields[0].value.p, text + a, b - a);
        }
    }
    CHECK_INT(wrong, 0);
    /* in the name, or where the colon should be, a CR or NUL is still named as such */
    {
        static const char *bad[] = {"GET / HTTP/1.1\r\nX\rY: v\r\n\r\n", "GET / HTTP/1.1\r\n\r: v\r\n\r\n",
                                    "GET / HTTP/1.1\r\n X\r: v\r\n\r\n"};
        for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
            struct cu_err err = {0};

            CHECK_RC(http_parse_head(bytes_str(bad[i]), &lim, &h, &err), CU_E_BAD_REQUEST);
            CHECK_CONTAINS(err.msg, "bare CR or a NUL");
        }
    }
}

/* The token table against RFC 9110's definition, for every byte as a field name. */
static void test_tchar_every_byte(void)
{
    static struct http_head h;
    static const char extra[] = "!#$%&'*+-.^_`|~";

    for (int c = 0; c < 256; c++) {
        char text[64];
        bool token = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c != 0 && memchr(extra, c, sizeof(extra) - 1));
        int n = snprintf(text, sizeof(text), "GET / HTTP/1.1\r\nA%cb: v\r\n\r\n", c);
        struct cu_err err = {0};

        if (c == '\n' || c == ':')
            continue;   /* they end the line or the name: not a name character either way */
        CHECK_RC(http_parse_head(bytes_of(text, (size_t)n), &lim, &h, &err),
                 token ? CU_OK : CU_E_BAD_REQUEST);
    }
}

static void test_chunked(void)
{
    struct buf body;
    size_t used;
    bool done;
    static const char good[] = "5;name=val\r\nhello\r\n6 ;x\r\n world\r\n0\r\nTrailer: t\r\n\r\nNEXT";

    buf_init(&body, lim.max_body_bytes);
    CHECK_OK(chunked(good, &body, &used, &done));
    CHECK(done);
    CHECK_STR(body.p, "hello world");
    CHECK_INT(used, sizeof(good) - 1 - 4);
    /* byte by byte */
    {
        struct http_chunked d = {0};
        struct cu_err err = {0};

        buf_reset(&body);
        for (size_t i = 0; i < sizeof(good) - 1 && !d.done; i++) {
            CHECK_OK(http_parse_chunked(&d, bytes_of(good + i, 1), &lim, &used, &body, &err));
            CHECK_INT(used, 1);
        }
        CHECK(d.done);
        CHECK_STR(body.p, "hello world");
    }
    /* truncated: not done, no error */
    buf_reset(&body);
    CHECK_OK(chunked("5\r\nhel", &body, &used, &done));
    CHECK(!done);
    static const char *bad[] = {"\r\n", "x\r\n", "5\r\nhelloX\r\n", "5\nhello\r\n0\r\n\r\n",
                                "-5\r\n", "5 5\r\nhello\r\n",
                                "0\r\nT: a\nb\r\n\r\n", "5\r\nhello\r\n0\r\n\rX"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        buf_reset(&body);
        CHECK_RC(chunked(bad[i], &body, &used, &done), CU_E_BAD_REQUEST);
    }
    /* a chunk size that overflows 64 bits, even with no body limit to stop it first */
    {
        static const struct http_limits huge = {.max_header_bytes = 8192,
                                                .max_body_bytes = SIZE_MAX};
        struct http_chunked d = {0};
        struct cu_err err = {0};

        buf_reset(&body);
        CHECK_RC(http_parse_chunked(&d, bytes_str("ffffffffffffffffff\r\n"), &huge, &used, &body,
                                    &err), CU_E_BAD_REQUEST);
        buf_reset(&body);
        CHECK_RC(chunked("ffffffffffffffffff\r\n", &body, &used, &done), CU_E_PAYLOAD_TOO_LARGE);
    }
    /* a declared chunk past the limit is refused before its data */
    buf_reset(&body);
    CHECK_RC(chunked("3e9\r\n", &body, &used, &done), CU_E_PAYLOAD_TOO_LARGE);
    buf_reset(&body);
    CHECK_RC(chunked("1f4\r\n", &body, &used, &done), CU_OK);
    /* two chunks that together pass the limit */
    {
        struct buf text;

        buf_init(&text, BUF_NO_LIMIT);
        CHECK_OK(buf_addstr(&text, "1f4\r\n"));
        for (int i = 0; i < 500; i++)
            CHECK_OK(buf_addch(&text, 'a'));
        CHECK_OK(buf_addstr(&text, "\r\n1f5\r\n"));
        buf_reset(&body);
        CHECK_RC(chunked(text.p, &body, &used, &done), CU_E_PAYLOAD_TOO_LARGE);
        buf_reset(&text);
        CHECK_OK(buf_addstr(&text, "0\r\n"));
        for (int i = 0; i < HTTP_MAX_TRAILER_BYTES / 7 + 1; i++)
            CHECK_OK(buf_addstr(&text, "T: abc\r\n"));
        buf_reset(&body);
        CHECK_RC(chunked(text.p, &body, &used, &done), CU_E_HEADER_TOO_LARGE);
        buf_reset(&text);
        CHECK_OK(buf_addstr(&text, "5;"));
        for (int i = 0; i < HTTP_MAX_CHUNK_LINE; i++)
            CHECK_OK(buf_addch(&text, 'e'));
        buf_reset(&body);
        CHECK_RC(chunked(text.p, &body, &used, &done), CU_E_BAD_REQUEST);
        buf_release(&text);
    }
    buf_release(&body);
}

static void test_sniff(void)
{
    CHECK(http_parse_sniff_field(bytes_str("POST / HTTP/1.1\r\nx-amz-target: K.L\r\n"),
                                 "X-Amz-Target"));
    CHECK(!http_parse_sniff_field(bytes_str("POST / HTTP/1.1\r\nX-Amz-Targets: K\r\n"),
                                  "X-Amz-Target"));
    CHECK(!http_parse_sniff_field(bytes_str("POST / HTTP/1.1\r\nA: X-Amz-Target: K\r\n"),
                                  "X-Amz-Target"));
    CHECK(!http_parse_sniff_field(bytes_str("X-Amz-Targ"), "X-Amz-Target"));
}

int main(void)
{
    test_good_heads();
    test_truncated();
    test_bad_lengths();
    test_bad_lines();
    test_oversized();
    test_incremental_scan();
    test_scan_matches_model();
    test_tchar_every_byte();
    test_field_values_against_rule();
    test_chunked();
    test_sniff();
    TEST_END();
}
