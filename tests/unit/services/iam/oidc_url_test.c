/* Tests for services/iam/oidc_url.c: accepted URLs and the resource part they give (host,
 * port, path, the scheme in any case), and the refusals — other schemes, empty or bad
 * hosts and labels, ports out of range, queries, fragments, spaces, userinfo, over-long
 * labels and URLs, every truncation of a valid URL that stops inside the scheme, and bytes
 * past a NUL (the view's length, not a terminator, bounds the parse). */
#include "check.h"
#include "services/iam/oidc_url.h"

static const char *resource_of(const char *url, char out[300])
{
    struct bytes r = {0};

    if (!oidc_url_parse(bytes_str(url), &r))
        return NULL;
    memcpy(out, r.p, r.n);
    out[r.n] = '\0';
    return out;
}

static void accepted(void)
{
    char buf[300];

    CHECK_STR(resource_of("https://token.actions.githubusercontent.com", buf),
              "token.actions.githubusercontent.com");
    CHECK_STR(resource_of("https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123", buf),
              "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123");
    CHECK_STR(resource_of("HTTPS://Example.COM:8443/realms/x/", buf), "Example.COM:8443/realms/x/");
    CHECK_STR(resource_of("https://a", buf), "a");
    CHECK_STR(resource_of("https://1.2.3.4:1", buf), "1.2.3.4:1");
    CHECK_STR(resource_of("https://a.example:65535/", buf), "a.example:65535/");
    CHECK_STR(resource_of("https://x-y.example/a~b_c.d-e%20f", buf), "x-y.example/a~b_c.d-e%20f");
}

static void refused(void)
{
    static const char *const bad[] = {
        "", "https", "https:/", "https://", "http://a.example", "ftp://a.example",
        "a.example", "https:///path", "https://.a", "https://a.", "https://a..b",
        "https://-a", "https://a-", "https://a-.b", "https://a_b", "https://a b",
        "https://a:0", "https://a:65536", "https://a:123456", "https://a:", "https://a:x",
        "https://a:80:80", "https://a/?q", "https://a/p?q=1", "https://a#f", "https://a/p#f",
        "https://u@a", "https://u:p@a", "https://a/p q", "https://a/\x7f", "https://a/\xc3\xa9",
        "https://a\\b", "https://a/p\\q", "https://[::1]", " https://a", "https://a ",
    };
    char label[8 + 63 + 1], big[300];
    struct bytes r;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (oidc_url_parse(bytes_str(bad[i]), &r))
            fprintf(stderr, "accepted: bad[%zu]\n", i);
        CHECK(!oidc_url_parse(bytes_str(bad[i]), &r));
    }
    /* a label of 63 is fine, 64 is not */
    memcpy(label, "https://", 8);
    memset(label + 8, 'b', 63);
    label[8 + 63] = '\0';
    CHECK(oidc_url_parse(bytes_str(label), &r));
    memcpy(big, label, 8 + 63);
    big[8 + 63] = 'b';
    big[8 + 64] = '\0';
    CHECK(!oidc_url_parse(bytes_str(big), &r));
    /* 255 characters in all is the most */
    memcpy(big, "https://a/", 10);
    memset(big + 10, 'p', 245);
    big[255] = '\0';
    CHECK(oidc_url_parse(bytes_str(big), &r));
    CHECK_INT(r.n, 247);
    big[255] = 'p';
    big[256] = '\0';
    CHECK(!oidc_url_parse(bytes_str(big), &r));
    CHECK(!oidc_url_parse((struct bytes){NULL, 0}, &r));
}

/* Truncations inside the scheme fail; a NUL inside the view is a byte like any other. */
static void truncated_and_nul(void)
{
    static const char url[] = "https://a.example/x";
    struct bytes r;

    for (size_t n = 0; n <= 8; n++)
        CHECK(!oidc_url_parse(bytes_of(url, n), &r));
    CHECK(oidc_url_parse(bytes_of(url, 9), &r));
    CHECK(!oidc_url_parse(bytes_of("https://a\0b", 11), &r));
    CHECK(!oidc_url_parse(bytes_of("https://a/\0b", 12), &r));
}

int main(void)
{
    accepted();
    refused();
    truncated_and_nul();
    TEST_END();
}
