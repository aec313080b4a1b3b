/* json_decode.c — an AWS JSON 1.1 request body into a tree shaped by the input shape
 * (fuzzed: tests/fuzz/json_decode_fuzz.c). The body must be one JSON object (an empty
 * body counts as {}); duplicate keys and invalid UTF-8 are refused; members the shape
 * does not know are dropped; a value of the wrong JSON type is a SerializationException
 * in the words AWS's JSON services use. */
#include <string.h>

#include "core/codec.h"
#include "json_parse.h"
#include "proto_impl.h"

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "START_OBJECT";
    case JSON_ARRAY:
        return "START_ARRAY";
    case JSON_STRING:
        return "STRING_VALUE";
    case JSON_INTEGER:
    case JSON_REAL:
        return "NUMBER_VALUE";
    case JSON_TRUE:
    case JSON_FALSE:
        return "BOOLEAN_VALUE";
    case JSON_NULL:
        break;
    }
    return "NULL_VALUE";
}

static const char *shape_kind(const struct shape *s)
{
    switch (s->type) {
    case SHAPE_STRING:
        return "String";
    case SHAPE_INTEGER:
        return "Integer";
    case SHAPE_LONG:
        return "Long";
    case SHAPE_BOOLEAN:
        return "Boolean";
    case SHAPE_TIMESTAMP:
        return "Date";
    case SHAPE_BLOB:
        return "ByteBuffer";
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT:
        return "Double";
    default:
        return "Structure";
    }
}

static cu_rc wrong_type(const json_t *v, const struct shape *s, struct cu_err *err)
{
    if (json_is_object(v) || json_is_array(v))
        return cu_err_set(err, CU_E_SERIALIZATION, "Start of %s found where not expected.",
                          json_is_object(v) ? "structure or map" : "list");
    return cu_err_set(err, CU_E_SERIALIZATION, "%s can not be converted to %s %s", json_kind(v),
                      s->type == SHAPE_INTEGER ? "an" : "a", shape_kind(s));
}

static bool is_member(const struct shape *s, const char *name)
{
    for (size_t i = 0; i < s->n_members; i++)
        if (strcmp(s->members[i].name, name) == 0)
            return true;
    return false;
}

static cu_rc conform(json_t *v, const struct shape *s, struct cu_err *err);

/* Drop the members of object v that shape s does not know, and those whose value is null
 * (AWS ignores both); then check the others, in the shape's order. */
static cu_rc conform_structure(json_t *v, const struct shape *s, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_t *child, *present[PROTO_MEMBERS_MAX];
    const char *key;
    void *tmp;
    bool few = s->n_members <= PROTO_MEMBERS_MAX;

    json_object_foreach_safe(v, tmp, key, child)
    {
        if (json_is_null(child) || !is_member(s, key))
            json_object_del(v, key);
    }
    if (few)
        proto_members_present(s, v, present);
    for (size_t i = 0; i < s->n_members; i++) {
        child = few ? present[i] : json_object_get(v, s->members[i].name);
        if (child)
            TRY(conform(child, s->members[i].shape, err));
    }
out:
    return rc;
}

/* Check v against shape s and trim it in place: members the shape does not know, and
 * members whose value is null, are dropped (AWS ignores both). Members are checked in
 * the shape's order, so the first error reported does not depend on the body's order. */
static cu_rc conform(json_t *v, const struct shape *s, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_t *child;
    const char *key;
    size_t i;

    switch (s->type) {
    case SHAPE_STRUCTURE:
        ENSURE(json_is_object(v), wrong_type(v, s, err));
        TRY(conform_structure(v, s, err));
        break;
    case SHAPE_LIST:
        ENSURE(json_is_array(v), wrong_type(v, s, err));
        json_array_foreach(v, i, child)
        {
            ENSURE(!json_is_null(child), cu_err_set(err, CU_E_SERIALIZATION,
                                                    "A list may not contain null."));
            TRY(conform(child, s->member->shape, err));
        }
        break;
    case SHAPE_MAP:
        ENSURE(json_is_object(v), wrong_type(v, s, err));
        json_object_foreach(v, key, child)
        {
            ENSURE(!json_is_null(child), cu_err_set(err, CU_E_SERIALIZATION,
                                                    "A map may not contain null values."));
            TRY(conform(child, s->value->shape, err));
        }
        break;
    case SHAPE_STRING:
        ENSURE(json_is_string(v), wrong_type(v, s, err));
        break;
    case SHAPE_BLOB:
        ENSURE(json_is_string(v), wrong_type(v, s, err));
        ENSURE(b64_valid(bytes_of(json_string_value(v), json_string_length(v))),
               cu_err_set(err, CU_E_SERIALIZATION, "Base64 encoded value is not valid."));
        break;
    case SHAPE_INTEGER:
    case SHAPE_LONG:
        ENSURE(json_is_integer(v), wrong_type(v, s, err));
        ENSURE(s->type == SHAPE_LONG ||
                   (json_integer_value(v) <= INT32_MAX && json_integer_value(v) >= INT32_MIN),
               cu_err_set(err, CU_E_SERIALIZATION, "Numeric value out of range of int"));
        break;
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT:
    case SHAPE_TIMESTAMP:
        ENSURE(json_is_number(v), wrong_type(v, s, err));
        break;
    case SHAPE_BOOLEAN:
        ENSURE(json_is_boolean(v), wrong_type(v, s, err));
        break;
    }
out:
    return rc;
}

cu_rc json_decode_body(struct bytes body, const struct shape *input, json_t **out,
                       struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    *out = NULL;
    if (body.n == 0)
        doc = json_object();
    else
        doc = json_parse(body);
    ENSURE(doc, cu_err_set(err, CU_E_SERIALIZATION, "Unexpected character or malformed JSON."));
    ENSURE(json_is_object(doc), cu_err_set(err, CU_E_SERIALIZATION,
                                           "The request body must be a JSON object."));
    if (input) {
        TRY(conform(doc, input, err));
        *out = doc;
        doc = NULL;
    } else {
        *out = json_object();
        ENSURE(*out, CU_E_NOMEM);
    }
out:
    json_decref(doc);
    return rc;
}
