/* rows.c — how a row a backend read becomes one of the JSON objects store_ops' items are
 * (store_impl.h). One rule for every backend, by the column's name: "doc" is the document
 * parsed, "version", "seq" and "n" are integers, any other column a string; a backend
 * keeps only the reading of its driver's rows, each column as text. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store_impl.h"

json_t *store_row_new(json_t *items)
{
    json_t *row = json_object();

    /* json_array_append_new takes row even when it fails */
    if (!row || json_array_append_new(items, row) != 0)
        return NULL;
    return row;
}

static bool is_integer(const char *name)
{
    return strcmp(name, "version") == 0 || strcmp(name, "seq") == 0 || strcmp(name, "n") == 0;
}

cu_rc store_row_set(json_t *row, const char *name, const char *text)
{
    json_error_t jerr;
    json_t *v;

    if (!text)
        v = NULL; /* SQL NULL (no column read here may be), or the driver out of memory */
    else if (is_integer(name))
        v = json_integer((json_int_t)strtoll(text, NULL, 10));
    else if (strcmp(name, "doc") == 0)
        v = json_loads(text, 0, &jerr);
    else
        v = json_string(text);
    if (!v) {
        log_error("store: a row's %s does not parse", name);
        return CU_E_STORE;
    }
    if (json_object_set_new(row, name, v) != 0)
        return CU_E_NOMEM;
    return CU_OK;
}
