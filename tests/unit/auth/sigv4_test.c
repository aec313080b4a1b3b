/* Tests for auth/sigv4_*.c: the request vectors under tests/vectors/sigv4 (AWS's
 * published suite parameters), tampering, scope and clock edges, malformed headers. */
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "check.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define T0 1440938160 /* 20150830T123600Z */

struct parsed {
    char *text;
    struct http_header headers[32];
    struct http_req req;
    char method[8], path[512], query[1024];
};

/* Split a .req file: request line, headers, blank line, body. */
static bool load(const char *path, struct parsed *p)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *line, *body, *target, *q;

    memset(p, 0, sizeof(*p));
    if (!f)
        return false;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p->text = calloc(1, (size_t)n + 1);
    if (fread(p->text, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return false;
    }
    fclose(f);
    body = strstr(p->text, "\n\n");
    *body = '\0';
    body += 2;
    line = strtok_r(p->text, "\n", &q);
    sscanf(line, "%7s %511s", p->method, p->path);
    target = strchr(p->path, '?');
    if (target) {
        *target = '\0';
        snprintf(p->query, sizeof(p->query), "%s", target + 1);
    }
    while ((line = strtok_r(NULL, "\n", &q))) {
        char *colon = strchr(line, ':');
        *colon = '\0';
        p->headers[p->req.n_headers++] = (struct http_header){line, colon + 2};
    }
    p->req.method = p->method;
    p->req.path = p->path;
    p->req.query = p->query;
    p->req.headers = p->headers;
    p->req.body = bytes_of(body, strlen(body));
    return true;
}

static void vectors(void)
{
    DIR *d = opendir(CU_VECTORS_DIR "/sigv4");
    struct dirent *e;
    int count = 0;

    CHECK(d != NULL);
    while (d && (e = readdir(d))) {
        char path[1024];
        struct parsed p;
        struct sigv4_auth a;
        struct cu_err err = {0};
        char *body_copy;
        size_t name_lens[32];

        if (!strstr(e->d_name, ".req"))
            continue;
        snprintf(path, sizeof(path), "%s/sigv4/%s", CU_VECTORS_DIR, e->d_name);
        CHECK(load(path, &p));
        CHECK_OK(sigv4_parse(&p.req, &a, &err));
        CHECK_STR(a.access_key_id, "AKIDEXAMPLE");
        CHECK_STR(a.service, "service");
        CHECK_INT(a.request_time, T0);
        CHECK_OK(sigv4_check_scope(&a, "us-east-1", "service", T0, 300, &err));
        if (sigv4_verify(&p.req, &a, bytes_str(SECRET), &err) != CU_OK) {
            fprintf(stderr, "vector %s: %s\n", e->d_name, err.msg);
            check_failed++;
        }
        /* again with the name lengths the HTTP layer measures, as a served request has */
        for (size_t i = 0; i < p.req.n_headers; i++)
            name_lens[i] = strlen(p.headers[i].name);
        p.req.name_lens = name_lens;
        CHECK_OK(sigv4_parse(&p.req, &a, &err));
        CHECK_OK(sigv4_verify(&p.req, &a, bytes_str(SECRET), &err));
        /* a wrong secret, a changed body, a changed query must all fail */
        CHECK_RC(sigv4_verify(&p.req, &a, bytes_str("x" SECRET), &err), CU_E_SIGNATURE_MISMATCH);
        body_copy = strdup("tampered");
        p.req.body = bytes_str(body_copy);
        CHECK_RC(sigv4_verify(&p.req, &a, bytes_str(SECRET), &err), CU_E_SIGNATURE_MISMATCH);
        free(body_copy);
        free(p.text);
        count++;
    }
    if (d)
        closedir(d);
    CHECK(count >= 10);
}

static struct http_req with_auth(struct http_header *h, const char *auth)
{
    h[0] = (struct http_header){"Host", "example.amazonaws.com"};
    h[1] = (struct http_header){"X-Amz-Date", "20150830T123600Z"};
    h[2] = (struct http_header){"Authorization", auth};
    return (struct http_req){.method = "GET", .path = "/", .query = "", .headers = h,
                             .n_headers = auth ? 3 : 2};
}

static void malformed(void)
{
    static const struct {
        const char *auth;
        cu_rc want;
        const char *msg_part;
    } cases[] = {
        {NULL, CU_E_MISSING_AUTH, "Missing Authentication Token"},
        {"AWS4-HMAC-SHA256 ", CU_E_INCOMPLETE_SIGNATURE, "requires 'Credential'"},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request",
         CU_E_INCOMPLETE_SIGNATURE, "requires 'Signature'"},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, Signature=ab",
         CU_E_INCOMPLETE_SIGNATURE, "requires 'SignedHeaders'"},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/bad, SignedHeaders=host, "
         "Signature=00", CU_E_INCOMPLETE_SIGNATURE, "valid terminator"},
        {"AWS4-HMAC-SHA256 Credential=AKID/2015/us-east-1, SignedHeaders=host, Signature=00",
         CU_E_INCOMPLETE_SIGNATURE, ""},
        {"AWS4-HMAC-SHA1 Credential=x", CU_E_INCOMPLETE_SIGNATURE, "Unsupported AWS 'algorithm'"},
        {"AWS AKID:c2ln", CU_E_INCOMPLETE_SIGNATURE, "Unsupported"},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=host, Signature=nothex", CU_E_SIGNATURE_MISMATCH, "does not match"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct http_header h[3];
        struct http_req req = with_auth(h, cases[i].auth);
        struct sigv4_auth a;
        struct cu_err err = {0};

        CHECK_RC(sigv4_parse(&req, &a, &err), cases[i].want);
        CHECK_CONTAINS(err.msg, cases[i].msg_part);
    }
    {
        /* an oversized access key id does not overflow */
        char big[600], auth[800];
        struct http_header h[3];
        struct http_req req;
        struct sigv4_auth a;
        struct cu_err err = {0};
        memset(big, 'A', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        snprintf(auth, sizeof(auth), "AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/s/aws4_request, SignedHeaders=host, Signature=00", big);
        req = with_auth(h, auth);
        CHECK_RC(sigv4_parse(&req, &a, &err), CU_E_INCOMPLETE_SIGNATURE);
    }
}

struct cache_case {
    struct parsed p;
    struct sigv4_auth a;
    int wrong;
};

/* The vector verifies, then twenty other secrets under its key id and scope fail (each
 * deriving and caching a key: the cache is bounded, so they push the first out), then it
 * verifies again: a cached key is found again or derived again, never mistaken. */
static void *cache_round(void *arg)
{
    struct cache_case *k = arg;
    struct cu_err err = {0};

    for (int round = 0; round < 3; round++) {
        k->wrong += sigv4_verify(&k->p.req, &k->a, bytes_str(SECRET), &err) != CU_OK;
        for (int i = 0; i < 20; i++) {
            char other[64];

            snprintf(other, sizeof(other), "%s%d", SECRET, i);
            k->wrong += sigv4_verify(&k->p.req, &k->a, bytes_str(other), &err) !=
                        CU_E_SIGNATURE_MISMATCH;
        }
        /* the secret of another length, and one too long to be cached */
        k->wrong += sigv4_verify(&k->p.req, &k->a, bytes_str("short"), &err) !=
                    CU_E_SIGNATURE_MISMATCH;
        {
            char big[300];

            memset(big, 'k', sizeof(big) - 1);
            big[sizeof(big) - 1] = '\0';
            k->wrong += sigv4_verify(&k->p.req, &k->a, bytes_str(big), &err) !=
                        CU_E_SIGNATURE_MISMATCH;
        }
    }
    return NULL;
}

/* The signing-key cache (per thread, in the secure heap, freed when its thread ends):
 * on this thread and on threads that come and go. */
static void key_cache(void)
{
    static struct cache_case k;
    struct cu_err err = {0};

    CHECK(load(CU_VECTORS_DIR "/sigv4/post-vanilla.req", &k.p));
    CHECK_OK(sigv4_parse(&k.p.req, &k.a, &err));
    cache_round(&k);
    for (int t = 0; t < 4; t++) {
        pthread_t th;

        CHECK_INT(pthread_create(&th, NULL, cache_round, &k), 0);
        pthread_join(th, NULL);
    }
    CHECK_INT(k.wrong, 0);
    free(k.p.text);
}

/* http_req_header with measured name lengths: the length picks the candidates, the name
 * still decides (case-insensitively); without lengths every header is a candidate. */
static void measured_names(void)
{
    struct http_header h[] = {{"Host", "h"}, {"x-amz-date", "d1"}, {"X-Amz-Dates", "d2"},
                              {"X-AMZ-DATE", "d3"}, {"Content-Type", "c"}};
    size_t lens[] = {4, 10, 11, 10, 12};
    struct http_req req = {.headers = h, .n_headers = ARRAY_LEN(h), .name_lens = lens};

    CHECK_STR(http_req_header(&req, "X-Amz-Date"), "d1");
    CHECK_STR(http_req_header(&req, "x-amz-dates"), "d2");
    CHECK_STR(http_req_header(&req, "content-type"), "c");
    CHECK(http_req_header(&req, "Content") == NULL);
    CHECK(http_req_header(&req, "X-Amz-Target") == NULL);
    /* a length says which headers can match: a wrong one hides the header */
    lens[1] = 9;
    CHECK_STR(http_req_header(&req, "X-Amz-Date"), "d3");
    req.name_lens = NULL;
    CHECK_STR(http_req_header(&req, "X-Amz-Date"), "d1");
}

static void scope_and_clock(void)
{
    struct sigv4_auth a = {.scope_date = "20150830", .region = "us-east-1", .service = "kms",
                           .request_time = T0, .amz_date = "20150830T123600Z"};
    struct cu_err err = {0};

    CHECK_OK(sigv4_check_scope(&a, "us-east-1", "kms", T0 + 300, 300, &err));
    CHECK_OK(sigv4_check_scope(&a, "us-east-1", "kms", T0 - 300, 300, &err));
    CHECK_RC(sigv4_check_scope(&a, "us-east-1", "kms", T0 + 301, 300, &err), CU_E_SIGNATURE_EXPIRED);
    CHECK_STR(err.msg, "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
                       "(20150830T124101Z - 5 min.)");
    CHECK_RC(sigv4_check_scope(&a, "us-east-1", "kms", T0 - 301, 300, &err), CU_E_SIGNATURE_EXPIRED);
    CHECK_CONTAINS(err.msg, "Signature not yet current");
    CHECK_RC(sigv4_check_scope(&a, "eu-west-1", "kms", T0, 300, &err), CU_E_SIGNATURE_MISMATCH);
    CHECK_STR(err.msg, "Credential should be scoped to a valid region, not 'us-east-1'. ");
    CHECK_RC(sigv4_check_scope(&a, "us-east-1", "iam", T0, 300, &err), CU_E_SIGNATURE_MISMATCH);
    CHECK_STR(err.msg, "Credential should be scoped to correct service: 'iam'. ");
    memcpy(a.scope_date, "20150831", 9);
    CHECK_RC(sigv4_check_scope(&a, "us-east-1", "kms", T0, 300, &err), CU_E_SIGNATURE_MISMATCH);
    memcpy(a.scope_date, "20150830", 9);
    a.presigned = true;
    a.expires = 60;
    CHECK_OK(sigv4_check_scope(&a, "us-east-1", "kms", T0 + 60, 300, &err));
    CHECK_RC(sigv4_check_scope(&a, "us-east-1", "kms", T0 + 61, 300, &err), CU_E_SIGNATURE_EXPIRED);
    a.expires = 604801;
    CHECK_RC(sigv4_check_scope(&a, "us-east-1", "kms", T0, 300, &err), CU_E_INCOMPLETE_SIGNATURE);
}

int main(void)
{
    vectors();
    malformed();
    measured_names();
    key_cache();
    scope_and_clock();
    TEST_END();
}
