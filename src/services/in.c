/* in.c — typed getters over a validated input tree (see in.h). They check the JSON type
 * anyway, so that a tree that never went through validation (a unit test, a future
 * caller) reads as "absent" rather than as a wrong value. */
#include "in.h"

const char *in_str(const json_t *in, const char *name)
{
    return json_string_value(json_object_get(in, name));
}

const char *in_str_or(const json_t *in, const char *name, const char *dflt)
{
    const char *s = in_str(in, name);

    return s ? s : dflt;
}

int64_t in_int(const json_t *in, const char *name, int64_t dflt)
{
    const json_t *v = json_object_get(in, name);

    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

bool in_bool(const json_t *in, const char *name, bool dflt)
{
    const json_t *v = json_object_get(in, name);

    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

const json_t *in_list(const json_t *in, const char *name)
{
    const json_t *v = json_object_get(in, name);

    return json_is_array(v) ? v : NULL;
}

const json_t *in_obj(const json_t *in, const char *name)
{
    const json_t *v = json_object_get(in, name);

    return json_is_object(v) ? v : NULL;
}
