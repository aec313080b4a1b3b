/* oidc_url.c — the URL of an OpenID Connect identity provider, checked before IAM keeps
 * it. IAM API reference, CreateOpenIDConnectProvider, Url: it "must begin with https://",
 * names a host (optionally a port and a path, as the OIDC issuer may carry a path) and no
 * query ("path components are allowed but query parameters are not"). What follows the
 * scheme is the provider's identity: its ARN is oidc-provider/<that>, kept as given
 * (no case folding, no trailing-slash trimming), so two spellings are two providers.
 * Pure: no allocation, every read bounded by url.n. */
#include "oidc_url.h"


#define SCHEME "https://"
#define SCHEME_LEN 8
#define HOST_MAX 253
#define LABEL_MAX 63

static bool is_alnum(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool scheme_ok(struct bytes url)
{
    static const char want[] = SCHEME;

    if (url.n < SCHEME_LEN)
        return false;
    for (size_t i = 0; i < SCHEME_LEN; i++) {
        uint8_t c = url.p[i];

        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c - 'A' + 'a');
        if (c != (uint8_t)want[i])
            return false;
    }
    return true;
}

/* Host labels from p[*i] up to ':', '/' or the end: each 1-63 letters, digits or '-',
 * not starting or ending with '-'. */
static bool host_ok(const uint8_t *p, size_t n, size_t *i)
{
    size_t start = *i, label = 0;

    for (; *i < n && p[*i] != ':' && p[*i] != '/'; (*i)++) {
        uint8_t c = p[*i];

        if (c == '.') {
            if (label == 0 || p[*i - 1] == '-')
                return false;
            label = 0;
        } else if (is_alnum(c) || (c == '-' && label > 0)) {
            if (++label > LABEL_MAX)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && p[*i - 1] != '-' && *i - start <= HOST_MAX;
}

static bool port_ok(const uint8_t *p, size_t n, size_t *i)
{
    unsigned long port = 0;
    size_t digits = 0;

    if (*i >= n || p[*i] != ':')
        return true;
    for ((*i)++; *i < n && p[*i] >= '0' && p[*i] <= '9'; (*i)++) {
        if (++digits > 5)
            return false;
        port = port * 10 + (unsigned long)(p[*i] - '0');
    }
    return digits > 0 && port >= 1 && port <= 65535;
}

/* The rest: empty, or a path of visible ASCII without '?' or '#'. */
static bool path_ok(const uint8_t *p, size_t n, size_t i)
{
    if (i == n)
        return true;
    if (p[i] != '/')
        return false;
    for (; i < n; i++)
        if (p[i] <= ' ' || p[i] >= 0x7f || p[i] == '?' || p[i] == '#' || p[i] == '\\')
            return false;
    return true;
}

bool oidc_url_parse(struct bytes url, struct bytes *resource)
{
    size_t i = SCHEME_LEN;

    if (!url.p || url.n > OIDC_URL_MAX || !scheme_ok(url))
        return false;
    if (!host_ok(url.p, url.n, &i) || !port_ok(url.p, url.n, &i) || !path_ok(url.p, url.n, i))
        return false;
    *resource = bytes_of(url.p + SCHEME_LEN, url.n - SCHEME_LEN);
    return true;
}
