/* query_decode.c — AWS Query form parameters into a tree shaped by the input shape
 * (fuzzed: tests/fuzz/query_decode_fuzz.c).
 *
 *   UserName=alice                     -> {"UserName": "alice"}
 *   Tags.member.1.Key=k&Tags.member.1.Value=v
 *                                      -> {"Tags": [{"Key": "k", "Value": "v"}]}
 *   Attributes.entry.1.key=a&Attributes.entry.1.value=b -> {"Attributes": {"a": "b"}}
 *
 * The form is split and percent-decoded once, while routing (query_form_split: proto_route
 * needs the Action), and that split is what decoding places. Then two passes: parameters are first placed in a scratch tree where list elements and map
 * entries are objects keyed by their index, then the scratch tree is finished into the
 * real one by the shape (indexes sorted, maps paired). Parameters naming no member are
 * ignored, as AWS ignores them; malformed encodings, bad indexes and duplicates fail
 * (Action and Version included: the first of two is never silently the one that runs).
 * A value keeps every decoded byte, "%00" included: strings carry their length, so
 * validate.c refuses a NUL naming the member instead of anything reading a shorter
 * value; numbers, booleans, timestamps and map keys with a NUL are refused here. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/uri.h"
#include "proto_impl.h"

#define MAX_PARAMS 1000
#define MAX_INDEX 1000

static cu_rc bad(struct cu_err *err, const char *msg)
{
    return cu_err_set(err, CU_E_MALFORMED_INPUT, "%s", msg);
}

#define DUPLICATE_MSG "A parameter was given more than once."

/* Append one decoded name or value to f->text, NUL-terminated; *off and *len say where. */
static cu_rc add_decoded(struct query_form *f, struct bytes raw, size_t *off, size_t *len)
{
    cu_rc rc = CU_OK;

    *off = f->text.n;
    TRY(uri_decode(raw, true, &f->text));
    *len = f->text.n - *off;
    TRY(buf_addch(&f->text, '\0'));
out:
    return rc;
}

cu_rc query_form_split(struct bytes form, struct query_form *f, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    size_t start = 0;

    *f = (struct query_form){0};
    /* decoding never lengthens: the raw text plus a terminator per part is enough */
    buf_init(&f->text, form.n + 2 * MAX_PARAMS + 2);
    while (start <= form.n) {
        size_t end = start, eq;
        struct query_param *q;
        while (end < form.n && form.p[end] != '&')
            end++;
        if (end > start) {
            ENSURE(f->n < MAX_PARAMS, bad(err, "Too many parameters."));
            if (f->n == f->cap) {
                size_t cap = f->cap ? f->cap * 2 : 16;
                struct query_param *grown = realloc(f->params, cap * sizeof(*grown));
                ENSURE(grown, CU_E_NOMEM);
                f->params = grown;
                f->cap = cap;
            }
            q = &f->params[f->n];
            eq = start;
            while (eq < end && form.p[eq] != '=')
                eq++;
            rc = add_decoded(f, bytes_of(form.p + start, eq - start), &q->name, &q->name_len);
            if (rc == CU_OK)
                rc = add_decoded(f, eq < end ? bytes_of(form.p + eq + 1, end - eq - 1)
                                             : bytes_of("", 0),
                                 &q->value, &q->value_len);
            ENSURE(rc == CU_OK, bad(err, "The request contains an invalid URL encoding."));
            f->n++;
        }
        start = end + 1;
    }
out:
    if (rc != CU_OK)
        query_form_release(f);
    return rc;
}

void query_form_release(struct query_form *f)
{
    buf_release(&f->text);
    free(f->params);
    *f = (struct query_form){0};
}

static bool param_named(const struct query_form *f, const struct query_param *q, const char *name)
{
    size_t n = strlen(name);

    return q->name_len == n && memcmp(f->text.p + q->name, name, n) == 0;
}

cu_rc query_form_get(const struct query_form *f, const char *name, const char **value,
                     size_t *len, struct cu_err *err)
{
    *value = NULL;
    *len = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (!param_named(f, &f->params[i], name))
            continue;
        if (*value)
            return bad(err, DUPLICATE_MSG);
        *value = f->text.p + f->params[i].value;
        *len = f->params[i].value_len;
    }
    return CU_OK;
}

/* The wire name of a structure member. */
static const char *wire_name(const struct shape_member *m)
{
    return m->location_name ? m->location_name : m->name;
}

static const struct shape_member *member_by_wire(const struct shape *s, const char *seg, size_t n)
{
    for (size_t i = 0; i < s->n_members; i++) {
        const char *w = wire_name(&s->members[i]);
        if (strlen(w) == n && strncmp(w, seg, n) == 0)
            return &s->members[i];
    }
    return NULL;
}

static bool parse_index(const char *seg, size_t n, char out[8])
{
    size_t v = 0;

    if (n == 0 || n > 4 || seg[0] == '0')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)seg[i]))
            return false;
        v = v * 10 + (size_t)(seg[i] - '0');
    }
    if (v > MAX_INDEX)
        return false;
    snprintf(out, 8, "%zu", v);
    return true;
}

/* Next '.'-separated segment of [p, end). */
static size_t segment(const char *p, const char *end)
{
    const char *dot = memchr(p, '.', (size_t)(end - p));

    return dot ? (size_t)(dot - p) : (size_t)(end - p);
}

static json_t *child_object(json_t *parent, const char *key)
{
    json_t *c = json_object_get(parent, key);

    if (!c) {
        c = json_object();
        if (c && json_object_set_new(parent, key, c) != 0)
            return NULL;
    }
    return json_is_object(c) ? c : NULL;
}

/* Place one parameter (path [p, end)) with its raw text value in the scratch tree. */
static cu_rc place(json_t *node, const struct shape *shape, const char *p, const char *end,
                   const char *value, size_t value_len, struct cu_err *err)
{
    size_t n = segment(p, end);
    const char *rest = p + n < end ? p + n + 1 : end;
    char key[8];
    json_t *next;

    if (shape->type == SHAPE_STRUCTURE) {
        const struct shape_member *m = member_by_wire(shape, p, n);
        if (!m)
            return CU_OK; /* AWS ignores parameters it does not know */
        if (rest == end && p + n == end) {
            if (m->shape->type == SHAPE_STRUCTURE || m->shape->type == SHAPE_LIST ||
                m->shape->type == SHAPE_MAP) {
                /* "Tags=" with no elements: an empty list */
                if (value_len == 0 && m->shape->type == SHAPE_LIST)
                    return child_object(node, m->name) ? CU_OK : CU_E_NOMEM;
                return bad(err, "A structured parameter was given a plain value.");
            }
            if (json_object_get(node, m->name))
                return bad(err, DUPLICATE_MSG);
            return json_object_set_new(node, m->name, json_stringn(value, value_len)) == 0
                       ? CU_OK
                       : bad(err, "A parameter value is not valid UTF-8.");
        }
        if (m->shape->type != SHAPE_STRUCTURE && m->shape->type != SHAPE_LIST &&
            m->shape->type != SHAPE_MAP)
            return CU_OK;
        next = child_object(node, m->name);
        return next ? place(next, m->shape, rest, end, value, value_len, err)
                    : bad(err, "A parameter is given both as a value and as a structure.");
    }
    if (shape->type == SHAPE_LIST) {
        const char *element = shape->member && shape->member->location_name
                                  ? shape->member->location_name : "member";
        if (!shape->flattened) {
            if (n != strlen(element) || strncmp(p, element, n) != 0 || rest == end)
                return bad(err, "A list parameter is not in the form Name.member.N.");
            p = rest;
            n = segment(p, end);
            rest = p + n < end ? p + n + 1 : end;
        }
        if (!parse_index(p, n, key))
            return bad(err, "A list index is not a number between 1 and 1000.");
        if (p + n == end) {
            if (json_object_get(node, key))
                return bad(err, DUPLICATE_MSG);
            return json_object_set_new(node, key, json_stringn(value, value_len)) == 0
                       ? CU_OK
                       : bad(err, "A parameter value is not valid UTF-8.");
        }
        next = child_object(node, key);
        return next ? place(next, shape->member->shape, rest, end, value, value_len, err)
                    : bad(err, "A parameter is given both as a value and as a structure.");
    }
    if (shape->type == SHAPE_MAP) {
        if (!shape->flattened) {
            if (n != 5 || strncmp(p, "entry", 5) != 0 || rest == end)
                return bad(err, "A map parameter is not in the form Name.entry.N.key.");
            p = rest;
            n = segment(p, end);
            rest = p + n < end ? p + n + 1 : end;
        }
        if (!parse_index(p, n, key) || rest == end)
            return bad(err, "A map index is not a number between 1 and 1000.");
        next = child_object(node, key);
        if (!next)
            return CU_E_NOMEM;
        n = (size_t)(end - rest);
        if (!((n == 3 && strncmp(rest, "key", 3) == 0) || (n == 5 && strncmp(rest, "value", 5) == 0)))
            return bad(err, "A map entry has neither key nor value.");
        if (json_object_get(next, n == 3 ? "key" : "value"))
            return bad(err, DUPLICATE_MSG);
        return json_object_set_new(next, n == 3 ? "key" : "value", json_stringn(value, value_len)) == 0
                   ? CU_OK
                   : bad(err, "A parameter value is not valid UTF-8.");
    }
    return CU_OK;
}

/* A scalar from its text (len bytes; a NUL inside ends what strto* and friends read, so
 * such a text is refused for every type but a string, which keeps all its bytes). */
static cu_rc convert_scalar(const struct shape *s, const char *path, const char *text,
                            size_t len, json_t **out, struct cu_err *err)
{
    char *end = NULL;
    int64_t epoch = 0;
    bool whole = strlen(text) == len;

    errno = 0;
    switch (s->type) {
    case SHAPE_INTEGER:
    case SHAPE_LONG: {
        long long v = strtoll(text, &end, 10);
        if (!whole || !*text || *end || errno || isspace((unsigned char)*text))
            return cu_err_set(err, CU_E_VALIDATION, "1 validation error detected: Value '%.64s' "
                              "at '%s' failed to satisfy constraint: Member must be a number",
                              text, path);
        if (s->type == SHAPE_INTEGER && (v > INT32_MAX || v < INT32_MIN))
            return cu_err_set(err, CU_E_VALIDATION, "1 validation error detected: Value '%.64s' "
                              "at '%s' failed to satisfy constraint: Member must be a 32-bit "
                              "integer", text, path);
        *out = json_integer(v);
        break;
    }
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT: {
        double v = strtod(text, &end);
        if (!whole || !*text || *end || errno)
            return bad(err, "A number parameter is not a number.");
        *out = json_real(v);
        break;
    }
    case SHAPE_BOOLEAN:
        if (!whole || (strcasecmp(text, "true") != 0 && strcasecmp(text, "false") != 0))
            return bad(err, "A boolean parameter is neither true nor false.");
        *out = json_boolean(strcasecmp(text, "true") == 0);
        break;
    case SHAPE_TIMESTAMP:
        if (!whole || clock_parse_iso8601(text, len, &epoch) != CU_OK)
            return bad(err, "A timestamp parameter is not in ISO 8601 form.");
        *out = json_integer(epoch);
        break;
    default:
        *out = json_stringn(text, len);
        break;
    }
    return *out ? CU_OK : CU_E_NOMEM;
}

static int index_order(const void *a, const void *b)
{
    long x = strtol(*(const char *const *)a, NULL, 10), y = strtol(*(const char *const *)b, NULL, 10);

    return (x > y) - (x < y);
}

/* Sorted keys of a scratch object (list/map indexes). *keys: malloc'd array. */
static cu_rc sorted_indexes(json_t *node, const char ***keys, size_t *n)
{
    const char *k;
    json_t *v;
    size_t i = 0;

    *n = json_object_size(node);
    *keys = calloc(*n ? *n : 1, sizeof(char *));
    if (!*keys)
        return CU_E_NOMEM;
    json_object_foreach(node, k, v)
        (*keys)[i++] = k;
    qsort(*keys, *n, sizeof(char *), index_order);
    return CU_OK;
}

/* Turn a scratch node into the final tree for its shape; path names it in errors, in
 * validate.c's words, so a number that is not one names its member like AWS does. */
static cu_rc finish(json_t *scratch, const struct shape *s, const char *path, json_t **out,
                    struct cu_err *err)
{
    char sub[PATH_MAX_LEN];
    cu_rc rc = CU_OK;
    const char **keys = NULL;
    size_t n = 0;
    json_t *result = NULL, *item = NULL;

    if (json_is_string(scratch)) {
        if (s->type == SHAPE_STRUCTURE || s->type == SHAPE_LIST || s->type == SHAPE_MAP)
            return bad(err, "A structured parameter was given a plain value.");
        return convert_scalar(s, path, json_string_value(scratch), json_string_length(scratch),
                              out, err);
    }
    ENSURE(json_is_object(scratch), CU_E_INTERNAL);
    if (s->type == SHAPE_STRUCTURE) {
        result = json_object();
        ENSURE(result, CU_E_NOMEM);
        for (size_t i = 0; i < s->n_members; i++) {
            json_t *child = json_object_get(scratch, s->members[i].name);
            if (!child)
                continue;
            proto_member_path(path, s->members[i].name, sub);
            TRY(finish(child, s->members[i].shape, sub, &item, err));
            TRY(json_object_set_new(result, s->members[i].name, item) == 0 ? CU_OK : CU_E_NOMEM);
            item = NULL;
        }
    } else if (s->type == SHAPE_LIST) {
        result = json_array();
        ENSURE(result, CU_E_NOMEM);
        TRY(sorted_indexes(scratch, &keys, &n));
        for (size_t i = 0; i < n; i++) {
            snprintf(sub, sizeof(sub), "%.200s.%zu.member", path, i + 1);
            TRY(finish(json_object_get(scratch, keys[i]), s->member->shape, sub, &item, err));
            TRY(json_array_append_new(result, item) == 0 ? CU_OK : CU_E_NOMEM);
            item = NULL;
        }
    } else if (s->type == SHAPE_MAP) {
        result = json_object();
        ENSURE(result, CU_E_NOMEM);
        TRY(sorted_indexes(scratch, &keys, &n));
        for (size_t i = 0; i < n; i++) {
            json_t *entry = json_object_get(scratch, keys[i]);
            json_t *key = json_object_get(entry, "key"), *v = json_object_get(entry, "value");
            const char *k = json_string_value(key);
            ENSURE(k && v, bad(err, "A map entry lacks its key or its value."));
            /* a tree's keys are C strings: a NUL would cut the key short */
            ENSURE(strlen(k) == json_string_length(key),
                   bad(err, "A map key contains a NUL character."));
            snprintf(sub, sizeof(sub), "%.200s.%.40s", path, k);
            TRY(finish(v, s->value->shape, sub, &item, err));
            TRY(json_object_set_new(result, k, item) == 0 ? CU_OK : CU_E_NOMEM);
            item = NULL;
        }
    } else {
        rc = bad(err, "A plain parameter was given a structure.");
        goto out;
    }
    *out = result;
    result = NULL;
out:
    free(keys);
    json_decref(item);
    json_decref(result);
    return rc;
}

cu_rc query_decode_params(const struct query_form *f, const struct shape *input, json_t **out,
                          struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_t *scratch = json_object();
    const char *ignored;
    size_t n;

    *out = NULL;
    ENSURE(scratch, CU_E_NOMEM);
    /* Action and Version belong to routing, not to the input; each may come once */
    TRY(query_form_get(f, "Action", &ignored, &n, err));
    TRY(query_form_get(f, "Version", &ignored, &n, err));
    for (size_t i = 0; input && i < f->n; i++) {
        const struct query_param *q = &f->params[i];
        const char *name = f->text.p + q->name;
        if (param_named(f, q, "Action") || param_named(f, q, "Version"))
            continue;
        ENSURE(strlen(name) == q->name_len, bad(err, "A parameter name contains a NUL byte."));
        TRY(place(scratch, input, name, name + q->name_len, f->text.p + q->value, q->value_len,
                  err));
    }
    if (input)
        TRY(finish(scratch, input, "", out, err));
    else
        *out = json_object();
    ENSURE(*out, CU_E_NOMEM);
out:
    json_decref(scratch);
    return rc;
}

cu_rc query_decode_form(struct bytes form, const struct shape *input, json_t **out,
                        struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct query_form f;

    *out = NULL;
    TRY(query_form_split(form, &f, err));
    rc = query_decode_params(&f, input, out, err);
    query_form_release(&f);
out:
    return rc;
}
