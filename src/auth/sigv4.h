/* sigv4.h — AWS Signature Version 4: finding a request's signature, checking its scope
 * and clock, and verifying it against the caller's secret access key (IAM guide,
 * reference_sigv-create-signed-request and reference_sigv-signing-elements). */
#ifndef CU_SIGV4_H
#define CU_SIGV4_H

#include "core/buf.h"
#include "core/err.h"
#include "core/http_req.h"

struct sigv4_auth {
    bool presigned;               /* from the query string (X-Amz-Algorithm=...) */
    char access_key_id[129];
    char scope_date[9];           /* YYYYMMDD from the credential scope */
    char region[64];
    char service[64];
    int64_t request_time;         /* X-Amz-Date as epoch seconds */
    char amz_date[17];            /* X-Amz-Date as sent */
    int64_t expires;              /* presigned: X-Amz-Expires seconds, else 0 */
    char signed_headers[1024];    /* as given: "host;x-amz-date" */
    char signature[65];
    const char *session_token;    /* X-Amz-Security-Token header, borrowed; NULL if none
                                   * (presigned URLs keep theirs in the query) */
};

/* Find and parse the signature of a request: the Authorization header or the presigned
 * query parameters (pure; fuzzed). No signature at all: CU_E_MISSING_AUTH. Incomplete or
 * malformed: CU_E_INCOMPLETE_SIGNATURE. Messages in AWS's words. */
MUST_CHECK cu_rc sigv4_parse(const struct http_req *req, struct sigv4_auth *out,
                             struct cu_err *err);

/* Check the credential scope (date, region, service) and the clock: the request time may
 * differ from now_s by at most skew_s either way; a presigned URL also expires. */
MUST_CHECK cu_rc sigv4_check_scope(const struct sigv4_auth *auth, const char *expected_region,
                                   const char *expected_service, int64_t now_s, int skew_s,
                                   struct cu_err *err);

/* Recompute the signature with secret_key and compare in constant time. A mismatch is
 * CU_E_SIGNATURE_MISMATCH. Derived signing keys are cached per thread. */
MUST_CHECK cu_rc sigv4_verify(const struct http_req *req, const struct sigv4_auth *auth,
                              struct bytes secret_key, struct cu_err *err);

/* The pure steps, exposed for tests: the canonical request and the string to sign. */
MUST_CHECK cu_rc sigv4_canonical_request(const struct http_req *req,
                                         const struct sigv4_auth *auth, struct buf *out,
                                         struct cu_err *err);
MUST_CHECK cu_rc sigv4_string_to_sign(const struct sigv4_auth *auth,
                                      struct bytes canonical_request, struct buf *out);

#endif
