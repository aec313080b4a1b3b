/* Fuzz target: proto/json_parse.c against jansson's json_loadb(JSON_REJECT_DUPLICATES |
 * JSON_ALLOW_NUL) on the same bytes (\u0000 inside string values, never in keys). Both
 * must accept or both refuse, and accepted documents must be the
 * same tree with members in the same order; any difference aborts. One known difference
 * is ours on purpose: jansson 2.14 reads a NUL byte outside a string as the end of the
 * text ("[7,null\0]" parses); RFC 8259 has no such rule and json_parse refuses any NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/json_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *ours = json_parse(bytes_of(data, size));
    json_t *theirs;

    if (memchr(data, '\0', size)) {
        if (ours)
            abort();
        return 0;
    }
    theirs = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!ours != !theirs)
        abort();
    if (ours) {
        char *a = json_dumps(ours, JSON_COMPACT | JSON_REAL_PRECISION(17));
        char *b = json_dumps(theirs, JSON_COMPACT | JSON_REAL_PRECISION(17));
        if (!json_equal(ours, theirs) || !a || !b || strcmp(a, b) != 0)
            abort();
        free(a);
        free(b);
    }
    json_decref(ours);
    json_decref(theirs);
    return 0;
}
