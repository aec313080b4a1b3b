/* tree.c — typed access to jansson trees (see tree.h for the conventions). */
#include "tree.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "secret.h"

static void wiping_free(void *p)
{
    if (p) {
        secret_wipe(p, malloc_usable_size(p));
        free(p);
    }
}

void tree_init_allocator(void)
{
    json_set_alloc_funcs(malloc, wiping_free);
}

cu_rc tree_opt_str(const json_t *obj, const char *name, const char **out)
{
    json_t *v = json_object_get(obj, name);

    *out = NULL;
    if (!v || json_is_null(v))
        return CU_OK;
    if (!json_is_string(v))
        return CU_E_VALIDATION;
    *out = json_string_value(v);
    return CU_OK;
}

cu_rc tree_req_str(const json_t *obj, const char *name, const char **out)
{
    cu_rc rc = tree_opt_str(obj, name, out);

    if (rc == CU_OK && !*out)
        return CU_E_MISSING_PARAMETER;
    return rc;
}

cu_rc tree_opt_int(const json_t *obj, const char *name, int64_t *out, bool *present)
{
    json_t *v = json_object_get(obj, name);

    if (present)
        *present = false;
    if (!v || json_is_null(v))
        return CU_OK;
    if (!json_is_integer(v))
        return CU_E_VALIDATION;
    *out = (int64_t)json_integer_value(v);
    if (present)
        *present = true;
    return CU_OK;
}

cu_rc tree_opt_bool(const json_t *obj, const char *name, bool *out, bool *present)
{
    json_t *v = json_object_get(obj, name);

    if (present)
        *present = false;
    if (!v || json_is_null(v))
        return CU_OK;
    if (!json_is_boolean(v))
        return CU_E_VALIDATION;
    *out = json_is_true(v);
    if (present)
        *present = true;
    return CU_OK;
}

cu_rc tree_opt_blob(const json_t *obj, const char *name, struct buf *out, bool *present)
{
    const char *s = NULL;
    cu_rc rc = tree_opt_str(obj, name, &s);

    if (present)
        *present = false;
    if (rc != CU_OK || !s)
        return rc;
    rc = b64_decode(bytes_of(s, json_string_length(json_object_get(obj, name))), out);
    if (rc == CU_OK && present)
        *present = true;
    return rc;
}

cu_rc tree_set_new(json_t *obj, const char *name, json_t *value)
{
    if (!value)
        return CU_E_NOMEM;
    return json_object_set_new(obj, name, value) == 0 ? CU_OK : CU_E_NOMEM;
}

bool tree_list_has(const json_t *list, const char *s)
{
    size_t i;
    json_t *item;

    json_array_foreach((json_t *)list, i, item)
    {
        if (json_is_string(item) && strcmp(json_string_value(item), s) == 0)
            return true;
    }
    return false;
}

cu_rc tree_append_new(json_t *array, json_t *value)
{
    if (!value)
        return CU_E_NOMEM;
    return json_array_append_new(array, value) == 0 ? CU_OK : CU_E_NOMEM;
}

cu_rc tree_set_str(json_t *obj, const char *name, const char *value)
{
    return tree_set_new(obj, name, json_string(value));
}

cu_rc tree_set_strn(json_t *obj, const char *name, const char *value, size_t n)
{
    return tree_set_new(obj, name, json_stringn(value, n));
}

cu_rc tree_set_int(json_t *obj, const char *name, int64_t value)
{
    return tree_set_new(obj, name, json_integer((json_int_t)value));
}

cu_rc tree_set_bool(json_t *obj, const char *name, bool value)
{
    return tree_set_new(obj, name, json_boolean(value));
}

cu_rc tree_set_time_ms(json_t *obj, const char *name, int64_t epoch_ms)
{
    return tree_set_new(obj, name, json_real((double)epoch_ms / 1000.0));
}

cu_rc tree_set_blob(json_t *obj, const char *name, struct bytes value)
{
    cu_rc rc = CU_OK;
    char small[2048]; /* data keys and ciphertexts of them: no heap round trip */
    size_t n = B64_ENCODED_LEN(value.n);
    char *text = n < sizeof(small) ? small : malloc(n + 1);

    ENSURE(text, CU_E_NOMEM);
    b64_encode_to(value, text);
    /* base64 is ASCII by construction: jansson's UTF-8 scan of it would find nothing */
    TRY(tree_set_new(obj, name, json_stringn_nocheck(text, n)));
out:
    if (text)
        secret_wipe(text, n + 1);
    if (text != small)
        free(text);
    return rc;
}
