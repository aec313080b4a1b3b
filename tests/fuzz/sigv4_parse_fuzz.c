/* Fuzz target: SigV4 parsing of an arbitrary Authorization header or query string, and
 * the canonical request over whatever parses. The input's first byte picks the form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    struct http_header h[3] = {{"Host", "example.amazonaws.com"},
                               {"X-Amz-Date", "20150830T123600Z"}, {"Authorization", ""}};
    struct http_req req = {.method = "GET", .path = "/", .query = "", .headers = h,
                           .n_headers = 3, .body = bytes_of("", 0)};
    struct sigv4_auth a;
    struct cu_err err = {0};
    struct buf canonical;

    if (size == 0)
        return 0;
    text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    if (data[0] & 1) {
        req.query = text;
        req.n_headers = 2;
    } else {
        h[2].value = text;
        req.path = (data[0] & 2) ? text : "/";
    }
    if (sigv4_parse(&req, &a, &err) == CU_OK) {
        buf_init(&canonical, 1 << 20);
        (void)sigv4_canonical_request(&req, &a, &canonical, &err);
        (void)sigv4_check_scope(&a, "us-east-1", "service", 1440938160, 300, &err);
        (void)sigv4_verify(&req, &a, bytes_str("secret"), &err);
        buf_release(&canonical);
    }
    free(text);
    return 0;
}
