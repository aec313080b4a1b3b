/* http_parse.h — HTTP/1.1 request framing (RFC 9112), as pure functions over bytes: find
 * where a request head ends, parse it, and decode a chunked body. No I/O, no globals, no
 * clock; every length is checked against a named limit below or in struct http_limits.
 * The connection code (http_conn.c) owns the bytes; everything here borrows them.
 *
 * Refusals carry the error the client gets: CU_E_BAD_REQUEST (400) for malformed framing,
 * CU_E_URI_TOO_LONG (414), CU_E_HEADER_TOO_LARGE (431), CU_E_PAYLOAD_TOO_LARGE (413),
 * CU_E_NOT_IMPLEMENTED (501, a transfer coding other than chunked) and
 * CU_E_HTTP_VERSION (505). After any of them the stream cannot be trusted any further. */
#ifndef CU_SERVER_HTTP_PARSE_H
#define CU_SERVER_HTTP_PARSE_H

#include "core/buf.h"
#include "core/bytes.h"
#include "core/err.h"

#define HTTP_MAX_METHOD 32          /* longest method token */
#define HTTP_MAX_TARGET 16384       /* longest request-target: 414 past it */
#define HTTP_MAX_HEADERS 128        /* most header fields: 431 past it */
#define HTTP_MAX_LEADING_CRLF 8     /* empty lines tolerated before a request line */
#define HTTP_MAX_CHUNK_LINE 1024    /* chunk-size line, extensions included */
#define HTTP_MAX_TRAILER_BYTES 8192 /* all trailer fields of a chunked body: 431 past it */

struct http_limits {
    size_t max_header_bytes;        /* header section (request line excluded): 431 past it */
    size_t max_body_bytes;          /* decoded body: 413 past it */
};

/* The most bytes a complete head can take within lim (struct http_limits *). */
#define HTTP_HEAD_MAX(lim)                                                                         \
    (HTTP_MAX_METHOD + HTTP_MAX_TARGET + 16 + 2 * HTTP_MAX_LEADING_CRLF + (lim)->max_header_bytes + 4)

/* Where the search for the end of a head stands; zero it for each new request. */
struct http_scan {
    size_t pos;                     /* next byte to look at */
    size_t line_start;              /* first byte of the current line */
    size_t lines;                   /* complete lines so far, request line included */
    size_t fields_start;            /* first byte after the request line */
};

struct http_field {
    struct bytes name, value;       /* value without surrounding whitespace */
};

enum http_body_kind { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED };

struct http_head {
    struct bytes method, target;
    int minor;                      /* HTTP/1.<minor>: 0 or 1 */
    struct http_field fields[HTTP_MAX_HEADERS];
    size_t n_fields;
    enum http_body_kind body;
    uint64_t content_length;        /* with HTTP_BODY_LENGTH */
    bool keep_alive;                /* the client allows another request on this connection */
    bool expect_continue;           /* Expect: 100-continue */
};

/* Look for the end of a request head in in (all bytes received so far, from the request's
 * first byte), resuming where s stopped. *head_len is 0 while the head is incomplete, else
 * its length including the final empty line. Refuses early, before the head is complete:
 * a request line past HTTP_MAX_TARGET (414), a header section past max_header_bytes or
 * HTTP_MAX_HEADERS (431), a bare LF or too many leading empty lines (400). */
MUST_CHECK cu_rc http_parse_scan(struct http_scan *s, struct bytes in,
                                 const struct http_limits *lim, size_t *head_len,
                                 struct cu_err *err);

/* Parse a complete head (as delimited by http_parse_scan) into out, whose views point into
 * head. Checks the request line, every field's syntax, and the framing: Content-Length
 * (digits only, no overflow, duplicates identical), Transfer-Encoding (chunked only, never
 * with Content-Length or in HTTP/1.0), and a declared length past max_body_bytes (413). */
MUST_CHECK cu_rc http_parse_head(struct bytes head, const struct http_limits *lim,
                                 struct http_head *out, struct cu_err *err);

/* Incremental chunked-body decoder; zero it for each body. */
struct http_chunked {
    int state;
    uint64_t left;                  /* bytes left in the current chunk (or its size so far) */
    size_t line;                    /* bytes of the current chunk-size line */
    size_t trailer;                 /* trailer bytes so far */
    size_t digits;                  /* hex digits of the current chunk size */
    bool in_ext;                    /* past the ';' of a chunk extension */
    bool done;                      /* the last chunk and the trailers are complete */
};

/* Decode more of a chunked body from in, appending data to body (whose limit should be
 * max_body_bytes). *used: bytes of in consumed; once d->done, the rest of in belongs to
 * the next request. Errors: 400 for bad syntax or a chunk size that overflows, 413 past
 * max_body_bytes (checked on each declared chunk size, before its data arrives), 431 for
 * trailers past HTTP_MAX_TRAILER_BYTES. */
MUST_CHECK cu_rc http_parse_chunked(struct http_chunked *d, struct bytes in,
                                    const struct http_limits *lim, size_t *used,
                                    struct buf *body, struct cu_err *err);

/* Whether some line of in (a head, complete or not) starts with the field name followed
 * by ':', case-insensitively. Used only to choose the shape of an error answer for a head
 * that could not be parsed. */
bool http_parse_sniff_field(struct bytes in, const char *name);

#endif
