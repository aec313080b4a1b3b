/* sigv4_canon.c — the canonical request and the string to sign (IAM guide,
 * reference_sigv-create-signed-request, steps 1 and 2). Pure functions of the request.
 *
 *   METHOD \n canonical URI \n canonical query \n canonical headers \n
 *   signed headers \n payload hash
 *
 * For every service but S3 the path is normalised (dot segments removed) and encoded
 * once more, as the SDKs sign it; the query is decoded, re-encoded strictly and sorted. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/codec.h"
#include "core/uri.h"
#include "crypto/digest.h"
#include "sigv4.h"

#define MAX_QUERY_PARAMS 256

/* RFC 3986 remove_dot_segments on a raw path, into out. */
static cu_rc normalise_path(const char *path, struct buf *out)
{
    cu_rc rc = CU_OK;
    const char *p = path[0] ? path : "/";

    TRY(buf_addch(out, '/'));
    while (*p) {
        const char *seg, *end;
        size_t n;

        while (*p == '/')
            p++;
        seg = p;
        end = strchr(seg, '/');
        n = end ? (size_t)(end - seg) : strlen(seg);
        p = seg + n;
        if (n == 1 && seg[0] == '.')
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            /* drop the last segment written */
            while (out->n > 1 && out->p[out->n - 1] != '/')
                out->n--;
            if (out->n > 1)
                out->n--;
            out->p[out->n] = '\0';
            continue;
        }
        if (n == 0)
            continue;
        if (out->n > 1)
            TRY(buf_addch(out, '/'));
        TRY(buf_add(out, seg, n));
    }
    /* a trailing slash is kept */
    if (strlen(path) > 1 && path[strlen(path) - 1] == '/' && out->n > 1)
        TRY(buf_addch(out, '/'));
out:
    return rc;
}

struct param {
    char *key, *value;   /* re-encoded */
};

static int param_order(const void *a, const void *b)
{
    const struct param *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c ? c : strcmp(x->value, y->value);
}

static cu_rc encode_part(const char *p, size_t n, char **out)
{
    cu_rc rc = CU_OK;
    struct buf raw, enc;

    buf_init(&raw, 1 << 16);
    buf_init(&enc, 3 << 16);
    TRY(uri_decode(bytes_of(p, n), false, &raw));
    TRY(uri_encode(buf_bytes(&raw), true, &enc));
    *out = buf_take(&enc, NULL);
out:
    buf_release(&raw);
    buf_release(&enc);
    return rc;
}

static cu_rc canonical_query(const struct sigv4_auth *auth, const char *query, struct buf *out,
                             struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct param *params = NULL;
    size_t n = 0;
    const char *p = query;

    if (!*p)
        return CU_OK;   /* the usual POST: nothing to sort, nothing to allocate */
    params = calloc(MAX_QUERY_PARAMS, sizeof(*params));
    ENSURE(params, CU_E_NOMEM);
    while (*p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t key_len = eq ? (size_t)(eq - p) : len;

        if (len > 0 && !(auth->presigned && key_len == 15 && strncmp(p, "X-Amz-Signature", 15) == 0)) {
            ENSURE(n < MAX_QUERY_PARAMS,
                   cu_err_set(err, CU_E_MALFORMED_INPUT, "Too many query parameters."));
            rc = encode_part(p, key_len, &params[n].key);
            if (rc == CU_OK)
                rc = encode_part(eq ? eq + 1 : "", eq ? len - key_len - 1 : 0, &params[n].value);
            n++;
            ENSURE(rc == CU_OK, cu_err_set(err, CU_E_SIGNATURE_MISMATCH,
                                           "The query string is not valid percent-encoding."));
        }
        p += len;
        if (*p == '&')
            p++;
    }
    qsort(params, n, sizeof(*params), param_order);
    for (size_t i = 0; i < n; i++)
        TRY(buf_addstrs(out, i ? "&" : "", params[i].key, "=", params[i].value, NULL));
out:
    for (size_t i = 0; params && i < n; i++) {
        free(params[i].key);
        free(params[i].value);
    }
    free(params);
    return rc;
}

/* Value with leading/trailing blanks trimmed and inner runs collapsed to one space. */
static cu_rc add_trimmed(const char *v, struct buf *out)
{
    cu_rc rc = CU_OK;
    bool space = false, started = false;

    while (*v) {
        size_t run = 0;

        if (*v == ' ' || *v == '\t') {
            space = started;
            v++;
            continue;
        }
        if (space)
            TRY(buf_addch(out, ' '));
        space = false;
        started = true;
        while (v[run] && v[run] != ' ' && v[run] != '\t')
            run++;
        TRY(buf_add(out, v, run));
        v += run;
    }
out:
    return rc;
}

static const char mismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

static cu_rc canonical_headers(const struct http_req *req, const char *signed_headers,
                               struct buf *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char *p = signed_headers;
    bool host = false;

    while (*p) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        bool found = false;
        char name[128];

        ENSURE(n > 0 && n < sizeof(name), cu_err_set(err, CU_E_SIGNATURE_MISMATCH, mismatch));
        memcpy(name, p, n);
        name[n] = '\0';
        host = host || strcmp(name, "host") == 0;
        TRY(buf_add(out, name, n));
        TRY(buf_addch(out, ':'));
        for (size_t i = 0; i < req->n_headers; i++) {
            if (!http_req_header_is(req, i, name, n))
                continue;
            if (found)
                TRY(buf_addch(out, ','));
            TRY(add_trimmed(req->headers[i].value, out));
            found = true;
        }
        ENSURE(found, cu_err_set(err, CU_E_SIGNATURE_MISMATCH, mismatch));
        TRY(buf_addch(out, '\n'));
        p += n;
        if (*p == ';')
            p++;
    }
    ENSURE(host, cu_err_set(err, CU_E_SIGNATURE_MISMATCH,
                            "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                            "Authorization."));
out:
    return rc;
}

cu_rc sigv4_canonical_request(const struct http_req *req, const struct sigv4_auth *auth,
                              struct buf *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct buf path;
    const char *payload = http_req_header(req, "X-Amz-Content-Sha256");
    uint8_t hash[32];
    char hex[65];

    buf_init(&path, 1 << 16);
    TRY(buf_addstr(out, req->method));
    TRY(buf_addch(out, '\n'));
    TRY(normalise_path(req->path, &path));
    TRY(uri_encode(buf_bytes(&path), false, out));
    TRY(buf_addch(out, '\n'));
    TRY(canonical_query(auth, req->query, out, err));
    TRY(buf_addch(out, '\n'));
    TRY(canonical_headers(req, auth->signed_headers, out, err));
    TRY(buf_addch(out, '\n'));
    TRY(buf_addstr(out, auth->signed_headers));
    TRY(buf_addch(out, '\n'));
    /* Presigned URLs of services other than S3 sign the hash of the (empty) body too,
     * as the SDKs compute it; UNSIGNED-PAYLOAD only when the client says so. */
    if (payload) {
        TRY(buf_addstr(out, payload));
    } else {
        digest_sha256(req->body, hash);
        hex_encode_to(hash, 32, hex);
        TRY(buf_addstr(out, hex));
    }
out:
    buf_release(&path);
    return rc;
}

cu_rc sigv4_string_to_sign(const struct sigv4_auth *auth, struct bytes canonical_request,
                           struct buf *out)
{
    cu_rc rc = CU_OK;
    uint8_t hash[32];
    char hex[65];

    digest_sha256(canonical_request, hash);
    hex_encode_to(hash, 32, hex);
    /* "AWS4-HMAC-SHA256\n<amz-date>\n<date>/<region>/<service>/aws4_request\n<hex>" */
    const char *parts[] = {"AWS4-HMAC-SHA256\n", auth->amz_date, "\n", auth->scope_date, "/",
                           auth->region, "/", auth->service, "/aws4_request\n", hex};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        TRY(buf_addstr(out, parts[i]));
out:
    return rc;
}
