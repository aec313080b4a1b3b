/* page_marker_fuzz.c — libFuzzer target for page_marker_decode (services/page.c).
 *
 * Any input must decode or fail with CU_E_MALFORMED_INPUT; a decoded key must be a
 * NUL-free string of at most PAGE_KEY_MAX bytes whose re-encoded marker decodes to the
 * same key, and must not decode for another operation. */
#include <stdlib.h>
#include <string.h>

#include "services/page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct page_desc users = {.op = "ListUsers"}, groups = {.op = "ListGroups"};
    char key[PAGE_KEY_MAX + 1], again[PAGE_KEY_MAX + 1], marker[PAGE_MARKER_MAX + 1];
    cu_rc rc = page_marker_decode(&users, bytes_of(data, size), key);

    if (rc != CU_OK) {
        if (rc != CU_E_MALFORMED_INPUT)
            abort();
        return 0;
    }
    if (strlen(key) == 0 || strlen(key) > PAGE_KEY_MAX)
        abort();
    if (page_marker_encode(&users, key, marker) != CU_OK ||
        page_marker_decode(&users, bytes_str(marker), again) != CU_OK || strcmp(key, again) != 0)
        abort();
    if (page_marker_decode(&groups, bytes_of(data, size), again) != CU_E_MALFORMED_INPUT)
        abort();
    return 0;
}
