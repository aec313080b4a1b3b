/* http_response.h — a struct proto_response as HTTP/1.1 bytes: status line, Content-Type,
 * Content-Length, x-amzn-RequestId, Date, Connection, then the body. */
#ifndef CU_SERVER_HTTP_RESPONSE_H
#define CU_SERVER_HTTP_RESPONSE_H

#include "core/buf.h"
#include "proto/proto.h"

/* The Date header's value (RFC 9110 §5.6.7, IMF-fixdate), remade once a second. */
struct http_date {
    int64_t second;
    char text[32];
};

/* The IMF-fixdate of now_s, reusing d's text within the same second. */
const char *http_response_date(struct http_date *d, int64_t now_s);

enum http_connection { HTTP_CONN_KEEP, HTTP_CONN_KEEP_ALIVE_10, HTTP_CONN_CLOSE };

/* Append resp to out (a sensitive buf: a Decrypt answer holds plaintext). conn says
 * which Connection header to send: none (HTTP/1.1 keep-alive), "keep-alive" (an HTTP/1.0
 * client that asked for it) or "close". With head_only (HEAD), the body is not sent but
 * its length is. resp is not released. */
MUST_CHECK cu_rc http_response_write(struct buf *out, const struct proto_response *resp,
                                     enum http_connection conn, bool head_only,
                                     const char *date);

/* The interim answer to Expect: 100-continue. */
MUST_CHECK cu_rc http_response_continue(struct buf *out);

#endif
