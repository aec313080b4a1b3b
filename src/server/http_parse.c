/* http_parse.c — HTTP/1.1 request framing (RFC 9112) as pure functions: the end of a head,
 * the head itself, and chunked bodies. See http_parse.h.
 *
 * Framing is where request smuggling lives, so the rules are strict rather than lenient:
 * every line ends in CRLF, field names are tokens with the colon right after them, no
 * obs-fold, no NUL or bare CR, one unambiguous body length. Anything else is refused and
 * the caller closes the connection after answering, so nothing after a framing error is
 * ever read as a request. */
#include "http_parse.h"

#include <strings.h>

#include "core/codec.h"

/* tchar (RFC 9110 §5.6.2): the characters of a token. A table, since every byte of every
 * method and field name is looked up. */
static const bool tchar[256] = {
    ['!'] = true, ['#'] = true, ['$'] = true, ['%'] = true, ['&'] = true, ['\''] = true,
    ['*'] = true, ['+'] = true, ['-'] = true, ['.'] = true, ['^'] = true, ['_'] = true,
    ['`'] = true, ['|'] = true, ['~'] = true,
    ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true, ['5'] = true,
    ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true,
    ['A'] = true, ['B'] = true, ['C'] = true, ['D'] = true, ['E'] = true, ['F'] = true,
    ['G'] = true, ['H'] = true, ['I'] = true, ['J'] = true, ['K'] = true, ['L'] = true,
    ['M'] = true, ['N'] = true, ['O'] = true, ['P'] = true, ['Q'] = true, ['R'] = true,
    ['S'] = true, ['T'] = true, ['U'] = true, ['V'] = true, ['W'] = true, ['X'] = true,
    ['Y'] = true, ['Z'] = true,
    ['a'] = true, ['b'] = true, ['c'] = true, ['d'] = true, ['e'] = true, ['f'] = true,
    ['g'] = true, ['h'] = true, ['i'] = true, ['j'] = true, ['k'] = true, ['l'] = true,
    ['m'] = true, ['n'] = true, ['o'] = true, ['p'] = true, ['q'] = true, ['r'] = true,
    ['s'] = true, ['t'] = true, ['u'] = true, ['v'] = true, ['w'] = true, ['x'] = true,
    ['y'] = true, ['z'] = true,
};

static bool is_tchar(uint8_t c)
{
    return tchar[c];
}

static bool is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static bool bytes_ieq(struct bytes b, const char *s)
{
    size_t n = strlen(s);

    return b.n == n && strncasecmp((const char *)b.p, s, n) == 0;
}

static struct bytes trim_ows(struct bytes b)
{
    while (b.n && is_ows(b.p[0])) {
        b.p++;
        b.n--;
    }
    while (b.n && is_ows(b.p[b.n - 1]))
        b.n--;
    return b;
}

/* The longest request line worth reading: method, target, version and separators. */
#define REQUEST_LINE_MAX (HTTP_MAX_METHOD + HTTP_MAX_TARGET + 16)

/* The first index at which a byte other than the LF ending the current line is refused:
 * the request line may not reach REQUEST_LINE_MAX, the header section max_header_bytes. */
static size_t scan_bound(const struct http_scan *s, const struct http_limits *lim)
{
    if (s->lines == 0)
        return s->line_start + REQUEST_LINE_MAX;
    if (lim->max_header_bytes > SIZE_MAX - s->fields_start)
        return SIZE_MAX;
    return s->fields_start + lim->max_header_bytes;
}

cu_rc http_parse_scan(struct http_scan *s, struct bytes in, const struct http_limits *lim,
                      size_t *head_len, struct cu_err *err)
{
    *head_len = 0;
    /* line by line with memchr: the bytes between two LFs need no look of their own, only
     * the bound of the part they are in, which changes only at an LF */
    while (s->pos < in.n) {
        size_t bound = scan_bound(s, lim), limit = bound > s->pos ? bound : s->pos;
        size_t end = limit < in.n ? limit + 1 : in.n, line_len;
        const uint8_t *lf = memchr(in.p + s->pos, '\n', end - s->pos);

        if (!lf) {
            s->pos = end;
            if (end <= limit)
                return CU_OK;   /* the line goes on in bytes not received yet */
            if (s->lines == 0)
                return cu_err_set(err, CU_E_URI_TOO_LONG,
                                  "The request line is longer than %d bytes.", REQUEST_LINE_MAX);
            return cu_err_set(err, CU_E_HEADER_TOO_LARGE,
                              "Request headers exceed the limit of %zu bytes.",
                              lim->max_header_bytes);
        }
        s->pos = (size_t)(lf - in.p);
        if (s->pos == s->line_start || in.p[s->pos - 1] != '\r')
            return cu_err_set(err, CU_E_BAD_REQUEST, "A line of the request ends in a bare LF.");
        line_len = s->pos - 1 - s->line_start;
        s->line_start = ++s->pos;
        if (line_len == 0 && s->lines == 0) {
            /* RFC 9112 §2.2: a server should ignore empty lines before the request line */
            if (s->line_start > 2 * HTTP_MAX_LEADING_CRLF)
                return cu_err_set(err, CU_E_BAD_REQUEST, "The request line is missing.");
            continue;
        }
        if (line_len == 0) {
            *head_len = s->pos;
            return CU_OK;
        }
        if (s->lines == 0)
            s->fields_start = s->line_start;
        else if (s->lines > HTTP_MAX_HEADERS)
            return cu_err_set(err, CU_E_HEADER_TOO_LARGE,
                              "The request has more than %d header fields.", HTTP_MAX_HEADERS);
        s->lines++;
    }
    return CU_OK;
}

/* method SP request-target SP HTTP-version (RFC 9112 §3). */
static cu_rc parse_request_line(struct bytes line, struct http_head *out, struct cu_err *err)
{
    size_t i = 0, start;
    struct bytes version;

    while (i < line.n && is_tchar(line.p[i]))
        i++;
    if (i == 0 || i > HTTP_MAX_METHOD || i == line.n || line.p[i] != ' ')
        return cu_err_set(err, CU_E_BAD_REQUEST, "The request line is malformed.");
    out->method = bytes_of(line.p, i);
    start = ++i;
    while (i < line.n && line.p[i] > 0x20 && line.p[i] < 0x7f)
        i++;
    if (i == start || i == line.n || line.p[i] != ' ')
        return cu_err_set(err, CU_E_BAD_REQUEST, "The request line is malformed.");
    if (i - start > HTTP_MAX_TARGET)
        return cu_err_set(err, CU_E_URI_TOO_LONG, "The request URI is longer than %d bytes.",
                          HTTP_MAX_TARGET);
    out->target = bytes_of(line.p + start, i - start);
    version = bytes_of(line.p + i + 1, line.n - i - 1);
    if (version.n != 8 || memcmp(version.p, "HTTP/", 5) != 0 || version.p[6] != '.' ||
        version.p[5] < '0' || version.p[5] > '9' || version.p[7] < '0' || version.p[7] > '9')
        return cu_err_set(err, CU_E_BAD_REQUEST, "The request line has a malformed HTTP version.");
    if (version.p[5] != '1' || version.p[7] > '1')
        return cu_err_set(err, CU_E_HTTP_VERSION, "HTTP version %.3s is not supported.",
                          (const char *)version.p + 5);
    out->minor = version.p[7] - '0';
    return CU_OK;
}

/* A line holding a bare CR or a NUL is refused as such, whatever else is wrong with it. */
static cu_rc line_error(struct bytes line, const char *msg, struct cu_err *err)
{
    if (memchr(line.p, '\r', line.n) || memchr(line.p, '\0', line.n))
        return cu_err_set(err, CU_E_BAD_REQUEST, "The request holds a bare CR or a NUL byte.");
    return cu_err_set(err, CU_E_BAD_REQUEST, "%s", msg);
}

#define BYTES_01 0x0101010101010101ull
#define BYTES_20 0x2020202020202020ull
#define BYTES_7F 0x7f7f7f7f7f7f7f7full
#define BYTES_80 0x8080808080808080ull

/* Whether v holds a control character other than HTAB, or DEL (field-vchar, SP, HTAB and
 * obs-text, >= 0x80, pass: RFC 9110 §5.5). Eight bytes at a time while no byte of a word
 * is below 0x20 or DEL (the usual value has none; a word with a tab is looked at byte by
 * byte, as is the tail). */
static bool has_control(struct bytes v)
{
    size_t k = 0;

    for (; k + 8 <= v.n; k += 8) {
        uint64_t x, del;

        memcpy(&x, v.p + k, 8);
        del = x ^ BYTES_7F;
        if ((((x - BYTES_20) & ~x) | ((del - BYTES_01) & ~del)) & BYTES_80)
            break;
    }
    for (; k < v.n; k++)
        if ((v.p[k] < 0x20 && v.p[k] != '\t') || v.p[k] == 0x7f)
            return true;
    return false;
}

/* field-name ":" OWS field-value OWS (RFC 9112 §5). A bare CR or NUL anywhere in the line
 * is found here too: in the name it stops the token, in the value it is a control
 * character, and the OWS trimmed away holds only SP and HTAB. */
static cu_rc parse_field(struct bytes line, struct http_field *out, struct cu_err *err)
{
    size_t i = 0;

    if (is_ows(line.p[0]))
        return line_error(line, "Folded header lines are not accepted.", err);
    while (i < line.n && is_tchar(line.p[i]))
        i++;
    if (i == 0 || i == line.n || line.p[i] != ':')
        return line_error(line, "A request header field is malformed.", err);
    out->name = bytes_of(line.p, i);
    out->value = trim_ows(bytes_of(line.p + i + 1, line.n - i - 1));
    if (has_control(out->value))
        return line_error(line, "A request header field holds a control character.", err);
    return CU_OK;
}

/* Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, no list, no overflow. */
static cu_rc parse_length(struct bytes v, uint64_t *out, struct cu_err *err)
{
    uint64_t n = 0;

    if (v.n == 0)
        return cu_err_set(err, CU_E_BAD_REQUEST, "The Content-Length header is not a number.");
    for (size_t i = 0; i < v.n; i++) {
        unsigned d;

        if (v.p[i] < '0' || v.p[i] > '9')
            return cu_err_set(err, CU_E_BAD_REQUEST, "The Content-Length header is not a number.");
        d = (unsigned)(v.p[i] - '0');
        if (n > (UINT64_MAX - d) / 10)
            return cu_err_set(err, CU_E_BAD_REQUEST, "The Content-Length header is out of range.");
        n = n * 10 + d;
    }
    *out = n;
    return CU_OK;
}

/* The tokens of a comma-separated Connection header. */
static void parse_connection(struct bytes v, struct http_head *out)
{
    size_t start = 0;

    for (size_t i = 0; i <= v.n; i++) {
        if (i < v.n && v.p[i] != ',')
            continue;
        struct bytes tok = trim_ows(bytes_of(v.p + start, i - start));
        if (bytes_ieq(tok, "close"))
            out->keep_alive = false;
        else if (bytes_ieq(tok, "keep-alive") && out->minor == 0)
            out->keep_alive = true;
        start = i + 1;
    }
}

/* The framing headers, once every field is known (RFC 9112 §6). */
static cu_rc parse_framing(struct http_head *out, const struct http_limits *lim,
                           struct cu_err *err)
{
    cu_rc rc = CU_OK;
    bool have_length = false, close = false;
    size_t codings = 0;
    uint64_t n = 0;

    out->keep_alive = out->minor == 1;
    for (size_t i = 0; i < out->n_fields; i++) {
        const struct http_field *f = &out->fields[i];

        if (bytes_ieq(f->name, "Content-Length")) {
            TRY(parse_length(f->value, &n, err));
            /* RFC 9112 §6.3: identical repeats may be taken as one; differing ones never */
            ENSURE(!have_length || n == out->content_length,
                   cu_err_set(err, CU_E_BAD_REQUEST,
                              "The request has conflicting Content-Length headers."));
            have_length = true;
            out->content_length = n;
        } else if (bytes_ieq(f->name, "Transfer-Encoding")) {
            ENSURE(bytes_ieq(f->value, "chunked") && codings == 0,
                   cu_err_set(err, CU_E_NOT_IMPLEMENTED,
                              "Only the chunked transfer coding is supported."));
            codings++;
        } else if (bytes_ieq(f->name, "Connection")) {
            parse_connection(f->value, out);
            close = close || !out->keep_alive;
        } else if (bytes_ieq(f->name, "Expect") && bytes_ieq(f->value, "100-continue")) {
            out->expect_continue = out->minor == 1;
        }
    }
    if (close)
        out->keep_alive = false;
    ENSURE(!(codings && have_length),
           cu_err_set(err, CU_E_BAD_REQUEST,
                      "The request has both Content-Length and Transfer-Encoding."));
    /* RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request is faulty framing */
    ENSURE(!(codings && out->minor == 0),
           cu_err_set(err, CU_E_BAD_REQUEST, "HTTP/1.0 requests cannot be chunked."));
    ENSURE(!have_length || out->content_length <= lim->max_body_bytes,
           cu_err_set(err, CU_E_PAYLOAD_TOO_LARGE,
                      "Request body exceeds the configured limit of %zu bytes.",
                      lim->max_body_bytes));
    out->body = codings ? HTTP_BODY_CHUNKED : have_length ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
out:
    return rc;
}

cu_rc http_parse_head(struct bytes head, const struct http_limits *lim, struct http_head *out,
                      struct cu_err *err)
{
    cu_rc rc = CU_OK;
    size_t pos = 0, lines = 0;

    out->method = out->target = bytes_of("", 0);
    out->minor = 0;
    out->n_fields = 0;
    out->body = HTTP_BODY_NONE;
    out->content_length = 0;
    out->keep_alive = out->expect_continue = false;
    while (pos < head.n) {
        const uint8_t *lf = memchr(head.p + pos, '\n', head.n - pos);
        struct bytes line;

        ENSURE(lf && lf > head.p + pos && lf[-1] == '\r',
               cu_err_set(err, CU_E_BAD_REQUEST, "A line of the request is not ended by CRLF."));
        line = bytes_of(head.p + pos, (size_t)(lf - head.p) - pos - 1);
        pos = (size_t)(lf - head.p) + 1;
        if (line.n == 0 && lines == 0)
            continue;
        if (line.n == 0)
            break;
        if (lines++ == 0) {
            /* field lines have parse_field look for a bare CR or NUL */
            ENSURE(!memchr(line.p, '\r', line.n) && !memchr(line.p, '\0', line.n),
                   cu_err_set(err, CU_E_BAD_REQUEST,
                              "The request holds a bare CR or a NUL byte."));
            TRY(parse_request_line(line, out, err));
            continue;
        }
        ENSURE(out->n_fields < HTTP_MAX_HEADERS,
               cu_err_set(err, CU_E_HEADER_TOO_LARGE,
                          "The request has more than %d header fields.", HTTP_MAX_HEADERS));
        TRY(parse_field(line, &out->fields[out->n_fields], err));
        out->n_fields++;
    }
    ENSURE(lines > 0, cu_err_set(err, CU_E_BAD_REQUEST, "The request line is missing."));
    TRY(parse_framing(out, lim, err));
out:
    return rc;
}

/* Chunked decoder states (RFC 9112 §7.1):
 *
 *   SIZE -hex-> SIZE -';'|WS-> EXT -CR-> SIZE_LF -LF-> DATA (size > 0) -n bytes-> DATA_CR
 *     -CR-> DATA_LF -LF-> SIZE ...
 *   SIZE_LF -LF-> TRAILER (size 0) -CR-> END_LF -LF-> done
 *   TRAILER -other-> TRAILER_LINE -CR-> TRAILER_LF -LF-> TRAILER
 */
enum {
    CH_SIZE,
    CH_EXT,
    CH_SIZE_LF,
    CH_DATA,
    CH_DATA_CR,
    CH_DATA_LF,
    CH_TRAILER,
    CH_TRAILER_LINE,
    CH_TRAILER_LF,
    CH_END_LF
};

static cu_rc chunk_error(struct cu_err *err)
{
    return cu_err_set(err, CU_E_BAD_REQUEST, "The chunked request body is malformed.");
}

/* One byte of a chunk-size line. */
static cu_rc chunk_size_byte(struct http_chunked *d, uint8_t c, const struct http_limits *lim,
                             const struct buf *body, struct cu_err *err)
{
    int h = hex_digit(c);

    if (++d->line > HTTP_MAX_CHUNK_LINE)
        return chunk_error(err);
    if (d->state == CH_SIZE && h >= 0) {
        if (d->left > (UINT64_MAX >> 4))
            return chunk_error(err);
        d->left = (d->left << 4) | (uint64_t)h;
        d->digits++;
        if (d->left > lim->max_body_bytes || body->n > lim->max_body_bytes - d->left)
            return cu_err_set(err, CU_E_PAYLOAD_TOO_LARGE,
                              "Request body exceeds the configured limit of %zu bytes.",
                              lim->max_body_bytes);
        return CU_OK;
    }
    if (d->digits == 0)
        return chunk_error(err);
    if (c == '\r') {
        d->state = CH_SIZE_LF;
        return CU_OK;
    }
    if (c == '\n' || c == '\0')
        return chunk_error(err);
    /* chunk extensions are tolerated and ignored; before the ';' only whitespace (BWS) */
    if (!d->in_ext && c != ';' && !is_ows(c))
        return chunk_error(err);
    d->in_ext = d->in_ext || c == ';';
    d->state = CH_EXT;
    return CU_OK;
}

cu_rc http_parse_chunked(struct http_chunked *d, struct bytes in, const struct http_limits *lim,
                         size_t *used, struct buf *body, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    size_t i = 0;

    while (i < in.n && !d->done) {
        uint8_t c = in.p[i];

        switch (d->state) {
        case CH_SIZE:
        case CH_EXT:
            TRY(chunk_size_byte(d, c, lim, body, err));
            i++;
            break;
        case CH_SIZE_LF:
            ENSURE(c == '\n', chunk_error(err));
            d->state = d->left ? CH_DATA : CH_TRAILER;
            d->line = 0;
            i++;
            break;
        case CH_DATA: {
            size_t n = in.n - i < d->left ? in.n - i : (size_t)d->left;

            ENSURE(buf_add(body, in.p + i, n) == CU_OK,
                   cu_err_set(err, CU_E_PAYLOAD_TOO_LARGE,
                              "Request body exceeds the configured limit of %zu bytes.",
                              lim->max_body_bytes));
            d->left -= n;
            i += n;
            if (d->left == 0)
                d->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            ENSURE(c == '\r', chunk_error(err));
            d->state = CH_DATA_LF;
            i++;
            break;
        case CH_DATA_LF:
            ENSURE(c == '\n', chunk_error(err));
            d->state = CH_SIZE;
            d->digits = 0;
            d->in_ext = false;
            i++;
            break;
        case CH_TRAILER:
        case CH_TRAILER_LINE:
            ENSURE(++d->trailer <= HTTP_MAX_TRAILER_BYTES,
                   cu_err_set(err, CU_E_HEADER_TOO_LARGE,
                              "The chunked body's trailers exceed %d bytes.",
                              HTTP_MAX_TRAILER_BYTES));
            ENSURE(c != '\n' && c != '\0', chunk_error(err));
            if (c == '\r')
                d->state = d->state == CH_TRAILER ? CH_END_LF : CH_TRAILER_LF;
            else
                d->state = CH_TRAILER_LINE;
            i++;
            break;
        case CH_TRAILER_LF:
            ENSURE(c == '\n', chunk_error(err));
            d->state = CH_TRAILER;
            i++;
            break;
        case CH_END_LF:
            ENSURE(c == '\n', chunk_error(err));
            d->done = true;
            i++;
            break;
        default:
            BUG("chunked decoder in an unknown state");
        }
    }
out:
    *used = i;
    return rc;
}

bool http_parse_sniff_field(struct bytes in, const char *name)
{
    size_t n = strlen(name), pos = 0;

    while (pos < in.n) {
        const uint8_t *lf = memchr(in.p + pos, '\n', in.n - pos);
        size_t end = lf ? (size_t)(lf - in.p) : in.n;

        if (end - pos > n && in.p[pos + n] == ':' &&
            strncasecmp((const char *)in.p + pos, name, n) == 0)
            return true;
        pos = end + 1;
    }
    return false;
}
