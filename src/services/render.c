/* render.c — stored records rendered through output shapes (see render.h for the rules).
 *
 * One recursive walk over the shape: structures member by member, lists element by element,
 * maps value by value, scalars converted from their stored form. The walk is bounded by
 * RENDER_DEPTH_MAX, which no model shape custos serves comes near (IAM's deepest rendered
 * path, User.Tags[].Key, is three levels), so a recursive shape cannot run away. */
#include "render.h"

#include "core/log.h"
#include "core/tree.h"

#define RENDER_DEPTH_MAX 16

static cu_rc render_value(const json_t *v, const struct shape *s, const char *name, int depth,
                          json_t **out);

/* A stored value that does not have its shape's type: the record is broken. */
static cu_rc mismatch(const char *name, const struct shape *s)
{
    log_error("render: stored member %s does not match its shape %s", name ? name : "?",
              s->name ? s->name : "?");
    return CU_E_STORE;
}

static cu_rc render_structure(const json_t *rec, const struct shape *s, int depth, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *o = json_object(), *child = NULL;

    ENSURE(o, CU_E_NOMEM);
    for (size_t i = 0; i < s->n_members; i++) {
        const struct shape_member *m = &s->members[i];
        const json_t *v = json_object_get(rec, m->name);

        if (!v || json_is_null(v))
            continue;
        /* AWS leaves an empty optional list out rather than answering it empty */
        if (m->shape->type == SHAPE_LIST && json_is_array(v) && json_array_size(v) == 0 &&
            !m->required)
            continue;
        TRY(render_value(v, m->shape, m->name, depth + 1, &child));
        TRY(tree_set_new(o, m->name, child));
        child = NULL;
    }
    *out = o;
    o = NULL;
out:
    json_decref(o);
    return rc;
}

static cu_rc render_list(const json_t *v, const struct shape *s, const char *name, int depth,
                         json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *list = json_array(), *item = NULL, *e;
    size_t i;

    ENSURE(list, CU_E_NOMEM);
    ENSURE(s->member, CU_E_INTERNAL);
    json_array_foreach(v, i, e)
    {
        TRY(render_value(e, s->member->shape, name, depth + 1, &item));
        TRY(tree_append_new(list, item));
        item = NULL;
    }
    *out = list;
    list = NULL;
out:
    json_decref(list);
    return rc;
}

static cu_rc render_map(const json_t *v, const struct shape *s, const char *name, int depth,
                        json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *map = json_object(), *item = NULL, *e;
    const char *key;

    ENSURE(map, CU_E_NOMEM);
    ENSURE(s->value, CU_E_INTERNAL);
    json_object_foreach((json_t *)v, key, e)
    {
        TRY(render_value(e, s->value->shape, name, depth + 1, &item));
        TRY(tree_set_new(map, key, item));
        item = NULL;
    }
    *out = map;
    map = NULL;
out:
    json_decref(map);
    return rc;
}

/* Does the stored value have the JSON type the shape's stored form uses? */
static bool stored_type_ok(const json_t *v, enum shape_type t)
{
    switch (t) {
    case SHAPE_STRUCTURE:
    case SHAPE_MAP:
        return json_is_object(v);
    case SHAPE_LIST:
        return json_is_array(v);
    case SHAPE_STRING:
    case SHAPE_BLOB: /* base64 text, as trees carry blobs */
        return json_is_string(v);
    case SHAPE_INTEGER:
    case SHAPE_LONG:
    case SHAPE_TIMESTAMP: /* epoch milliseconds */
        return json_is_integer(v);
    case SHAPE_BOOLEAN:
        return json_is_boolean(v);
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT:
        return json_is_number(v);
    }
    return false;
}

static cu_rc render_value(const json_t *v, const struct shape *s, const char *name, int depth,
                          json_t **out)
{
    if (depth > RENDER_DEPTH_MAX)
        return mismatch(name, s);
    if (!stored_type_ok(v, s->type))
        return mismatch(name, s);
    switch (s->type) {
    case SHAPE_STRUCTURE:
        return render_structure(v, s, depth, out);
    case SHAPE_LIST:
        return render_list(v, s, name, depth, out);
    case SHAPE_MAP:
        return render_map(v, s, name, depth, out);
    case SHAPE_TIMESTAMP:
        *out = json_real((double)json_integer_value(v) / 1000.0);
        break;
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT:
        *out = json_real(json_number_value(v));
        break;
    default:
        /* a copy, not a shared reference: the record may change after rendering */
        *out = json_copy((json_t *)v);
        break;
    }
    return *out ? CU_OK : CU_E_NOMEM;
}

cu_rc render_record(const json_t *rec, const struct shape *s, json_t **out)
{
    if (!s || s->type != SHAPE_STRUCTURE)
        return CU_E_INTERNAL;
    if (!json_is_object(rec))
        return mismatch(s->name, s);
    return render_structure(rec, s, 0, out);
}

cu_rc render_output(json_t *out, const char *service, const char *op, const char *member,
                    const json_t *rec)
{
    cu_rc rc = CU_OK;
    json_t *v = NULL;

    TRY(render_record(rec, model_output_shape(service, op, member), &v));
    TRY(tree_set_new(out, member, v));
out:
    return rc;
}
