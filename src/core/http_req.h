/* http_req.h — a neutral view of one HTTP request, built by server/http.c and read by
 * proto/ (routing, decoding) and auth/ (SigV4). Everything is borrowed from the HTTP
 * layer and lives until the response is queued. */
#ifndef CU_HTTP_REQ_H
#define CU_HTTP_REQ_H

#include <string.h>
#include <strings.h>

#include "bytes.h"

struct http_header {
    const char *name;   /* as received; compare case-insensitively */
    const char *value;  /* as received (not trimmed) */
};

struct http_req {
    const char *method;       /* "GET", "POST", ... */
    const char *path;         /* raw path as received, percent-encoding intact, no query */
    const char *query;        /* raw query string without '?'; "" when none */
    const struct http_header *headers;
    size_t n_headers;
    const size_t *name_lens;  /* strlen of each header's name, measured by the parser;
                               * NULL when not measured (requests built by hand) */
    struct bytes body;
    const char *source_ip;    /* peer address, text */
    bool tls;                 /* arrived over HTTPS */
    const char *tls_version;  /* over HTTPS: the protocol ("TLSv1.3") and the cipher suite, */
    const char *tls_cipher;   /* OpenSSL's names (static strings); NULL over plain HTTP */
};

/* Whether header i of r is named name, name_len long (case-insensitive). A request is
 * looked up a dozen times over a dozen headers: the measured length rejects most at once. */
static inline bool http_req_header_is(const struct http_req *r, size_t i, const char *name,
                                      size_t name_len)
{
    return (!r->name_lens || r->name_lens[i] == name_len) &&
           strcasecmp(r->headers[i].name, name) == 0;
}

/* First header with this name (case-insensitive), or NULL. */
static inline const char *http_req_header(const struct http_req *r, const char *name)
{
    size_t n = strlen(name);    /* a constant for the literal names callers pass */

    for (size_t i = 0; i < r->n_headers; i++)
        if (http_req_header_is(r, i, name, n))
            return r->headers[i].value;
    return NULL;
}

#endif
