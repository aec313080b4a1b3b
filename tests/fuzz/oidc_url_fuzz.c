/* oidc_url_fuzz.c — libFuzzer target for services/iam/oidc_url.c.
 *
 * An accepted URL is at most OIDC_URL_MAX bytes, starts with "https://" in some case, and
 * its resource is exactly what follows the scheme: visible ASCII without '?', '#' or
 * spaces. Anything else is refused; never a read past the input. */
#include <stdlib.h>
#include <strings.h>

#include "services/iam/oidc_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bytes r = {0};

    if (!oidc_url_parse(bytes_of(data, size), &r))
        return 0;
    if (size > OIDC_URL_MAX || size < 9 || strncasecmp((const char *)data, "https://", 8) != 0 ||
        r.p != data + 8 || r.n != size - 8)
        abort();
    for (size_t i = 0; i < r.n; i++)
        if (r.p[i] <= ' ' || r.p[i] >= 0x7f || r.p[i] == '?' || r.p[i] == '#')
            abort();
    return 0;
}
