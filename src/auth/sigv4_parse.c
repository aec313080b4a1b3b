/* sigv4_parse.c — where a request's SigV4 signature is and what it claims (fuzzed:
 * tests/fuzz/sigv4_parse_fuzz.c). Two forms (IAM guide, reference_sigv-signing-elements):
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request,
 *                  SignedHeaders=host;x-amz-date, Signature=<64 hex>      + X-Amz-Date
 *   ?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...&X-Amz-Date=...
 *    &X-Amz-Expires=...&X-Amz-SignedHeaders=...&X-Amz-Signature=...       (presigned)
 *
 * Nothing here is trusted: every field is length-checked into fixed buffers, and the
 * result only says what the caller claims; sigv4_verify proves it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/uri.h"
#include "sigv4.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

static bool copy_field(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        return false;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return true;
}

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!isxdigit((unsigned char)*s))
            return false;
    return true;
}

/* "AKID/20150830/us-east-1/iam/aws4_request" into its parts. */
static cu_rc parse_credential(const char *cred, size_t n, struct sigv4_auth *a, struct cu_err *err)
{
    const char *parts[5];
    size_t lens[5], k = 0, start = 0;

    for (size_t i = 0; i <= n && k < 5; i++) {
        if (i == n || cred[i] == '/') {
            parts[k] = cred + start;
            lens[k++] = i - start;
            start = i + 1;
        }
    }
    if (k != 5 || start <= n)
        return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE,
                          "Credential should be scoped to a valid region, not ''. ");
    if (lens[4] != 12 || memcmp(parts[4], "aws4_request", 12) != 0)
        return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE,
                          "Credential should be scoped with a valid terminator: 'aws4_request', "
                          "not '%.*s'. ", (int)(lens[4] > 64 ? 64 : lens[4]), parts[4]);
    if (lens[0] == 0 || !copy_field(a->access_key_id, sizeof(a->access_key_id), parts[0], lens[0]) ||
        lens[1] != 8 || !copy_field(a->scope_date, sizeof(a->scope_date), parts[1], lens[1]) ||
        !copy_field(a->region, sizeof(a->region), parts[2], lens[2]) ||
        !copy_field(a->service, sizeof(a->service), parts[3], lens[3]))
        return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE,
                          "Authorization header requires 'Credential' parameter.");
    return CU_OK;
}

static cu_rc parse_amz_date(const char *value, struct sigv4_auth *a, struct cu_err *err)
{
    size_t n = strlen(value);

    if (n != 16 || clock_parse_amz_date(value, n, &a->request_time) != CU_OK)
        return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE,
                          "Date must be in ISO-8601 'basic format'. Got '%.32s'. See "
                          "http://en.wikipedia.org/wiki/ISO_8601", value);
    memcpy(a->amz_date, value, 17);
    return CU_OK;
}

static cu_rc parse_header(const struct http_req *req, const char *auth, struct sigv4_auth *a,
                          struct cu_err *err)
{
    const char *p = auth + strlen(ALGORITHM), *date;
    bool have_cred = false, have_headers = false, have_sig = false;
    cu_rc rc;

    while (*p) {
        const char *start, *eq, *end;
        while (*p == ' ' || *p == ',')
            p++;
        start = p;
        while (*p && *p != ',')
            p++;
        end = p;
        while (end > start && end[-1] == ' ')
            end--;
        eq = memchr(start, '=', (size_t)(end - start));
        if (!eq)
            continue;
        if ((size_t)(eq - start) == 10 && strncmp(start, "Credential", 10) == 0 && !have_cred) {
            rc = parse_credential(eq + 1, (size_t)(end - eq - 1), a, err);
            if (rc != CU_OK)
                return rc;
            have_cred = true;
        } else if ((size_t)(eq - start) == 13 && strncmp(start, "SignedHeaders", 13) == 0) {
            have_headers = copy_field(a->signed_headers, sizeof(a->signed_headers), eq + 1,
                                      (size_t)(end - eq - 1)) && end > eq + 1;
        } else if ((size_t)(eq - start) == 9 && strncmp(start, "Signature", 9) == 0) {
            have_sig = copy_field(a->signature, sizeof(a->signature), eq + 1,
                                  (size_t)(end - eq - 1)) && end > eq + 1;
        }
    }
    if (!have_cred || !have_headers || !have_sig)
        return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE, "%s%s%sAuthorization=%.256s",
                          have_cred ? "" : "Authorization header requires 'Credential' parameter. ",
                          have_sig ? "" : "Authorization header requires 'Signature' parameter. ",
                          have_headers ? "" : "Authorization header requires 'SignedHeaders' parameter. ",
                          auth);
    date = http_req_header(req, "X-Amz-Date");
    if (!date)
        return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE,
                          "Authorization header requires existence of either a 'X-Amz-Date' or "
                          "a 'Date' header. Authorization=%.256s", auth);
    a->session_token = http_req_header(req, "X-Amz-Security-Token");
    return parse_amz_date(date, a, err);
}

/* One decoded query parameter by name, into out; false when absent or undecodable. */
static bool query_value(const char *query, const char *name, char *out, size_t cap)
{
    size_t name_len = strlen(name);
    const char *p = query;

    while (*p) {
        const char *end = strchr(p, '&');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
            struct buf v;
            bool ok;
            buf_init(&v, cap - 1);
            ok = uri_decode(bytes_of(p + name_len + 1, n - name_len - 1), false, &v) == CU_OK;
            if (ok)
                ok = copy_field(out, cap, v.p ? v.p : "", v.n);
            buf_release(&v);
            return ok;
        }
        p += n;
        if (*p == '&')
            p++;
    }
    return false;
}

static cu_rc parse_query(const struct http_req *req, struct sigv4_auth *a, struct cu_err *err)
{
    char algorithm[32], credential[400], date[32], expires[16];
    char *end = NULL;
    cu_rc rc;

    a->presigned = true;
    if (!query_value(req->query, "X-Amz-Algorithm", algorithm, sizeof(algorithm)) ||
        strcmp(algorithm, ALGORITHM) != 0)
        return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE,
                          "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    if (!query_value(req->query, "X-Amz-Credential", credential, sizeof(credential)) ||
        !query_value(req->query, "X-Amz-Date", date, sizeof(date)) ||
        !query_value(req->query, "X-Amz-SignedHeaders", a->signed_headers,
                     sizeof(a->signed_headers)) ||
        !query_value(req->query, "X-Amz-Signature", a->signature, sizeof(a->signature)) ||
        !query_value(req->query, "X-Amz-Expires", expires, sizeof(expires)))
        return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE,
                          "AWS query-string parameters must include 'X-Amz-Algorithm', "
                          "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', "
                          "'X-Amz-SignedHeaders', and 'X-Amz-Expires'. Re-examine the query-string "
                          "parameters.");
    rc = parse_credential(credential, strlen(credential), a, err);
    if (rc != CU_OK)
        return rc;
    a->expires = strtoll(expires, &end, 10);
    if (!end || *end || !isdigit((unsigned char)expires[0]))
        return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE,
                          "X-Amz-Expires should be a number");
    return parse_amz_date(date, a, err);
}

cu_rc sigv4_parse(const struct http_req *req, struct sigv4_auth *out, struct cu_err *err)
{
    const char *auth = http_req_header(req, "Authorization");
    cu_rc rc;

    memset(out, 0, sizeof(*out));
    if (auth) {
        if (strncmp(auth, ALGORITHM " ", strlen(ALGORITHM) + 1) != 0) {
            const char *sp = strchr(auth, ' ');
            return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE, "Unsupported AWS 'algorithm': '%.*s'",
                              (int)(sp ? (sp - auth > 64 ? 64 : sp - auth) : (int)strnlen(auth, 64)),
                              auth);
        }
        rc = parse_header(req, auth, out, err);
    } else if (strstr(req->query, "X-Amz-Algorithm=")) {
        /* a presigned URL's X-Amz-Security-Token stays in the query (it is signed there);
         * custos issues no session tokens yet, so nothing reads it */
        rc = parse_query(req, out, err);
    } else {
        return cu_err_set(err, CU_E_MISSING_AUTH, "Missing Authentication Token");
    }
    if (rc == CU_OK && !is_hex64(out->signature))
        rc = cu_err_set(err, CU_E_SIGNATURE_MISMATCH,
                        "The request signature we calculated does not match the signature you "
                        "provided. Check your AWS Secret Access Key and signing method. Consult "
                        "the service documentation for details.");
    return rc;
}
