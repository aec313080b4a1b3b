/* query_encode.c — output trees as AWS Query XML (IAM, STS), ordered by the output
 * shape: lists as <member> elements, maps as <entry><key/><value/></entry>, timestamps as
 * ISO 8601 UTC, booleans as true/false, text XML-escaped. */
#include <string.h>

#include "core/clock.h"
#include "proto_impl.h"

cu_rc xml_escape(const char *s, size_t n, struct buf *out)
{
    cu_rc rc = CU_OK;
    size_t start = 0;

    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        case '\r':
            rep = "&#13;";
            break;
        default:
            continue;
        }
        TRY(buf_add(out, s + start, i - start));
        TRY(buf_addstr(out, rep));
        start = i + 1;
    }
    TRY(buf_add(out, s + start, n - start));
out:
    return rc;
}

static cu_rc value(const json_t *v, const struct shape *s, struct buf *out);

static cu_rc element(const char *name, const json_t *v, const struct shape *s, struct buf *out)
{
    cu_rc rc = CU_OK;

    TRY(buf_addch(out, '<'));
    TRY(buf_addstr(out, name));
    TRY(buf_addch(out, '>'));
    TRY(value(v, s, out));
    TRY(buf_addstr(out, "</"));
    TRY(buf_addstr(out, name));
    TRY(buf_addch(out, '>'));
out:
    return rc;
}

static cu_rc members(const json_t *v, const struct shape *s, struct buf *out)
{
    cu_rc rc = CU_OK;

    for (size_t i = 0; i < s->n_members; i++) {
        const struct shape_member *m = &s->members[i];
        const json_t *child = json_object_get(v, m->name);
        const char *name = m->location_name ? m->location_name : m->name;

        if (!child || json_is_null(child))
            continue;
        if (m->shape->type == SHAPE_LIST && (m->flattened || m->shape->flattened)) {
            size_t j;
            json_t *item;
            json_array_foreach((json_t *)child, j, item)
                TRY(element(name, item, m->shape->member->shape, out));
            continue;
        }
        TRY(element(name, child, m->shape, out));
    }
out:
    return rc;
}

static cu_rc value(const json_t *v, const struct shape *s, struct buf *out)
{
    cu_rc rc = CU_OK;
    char when[21];
    const char *key;
    json_t *item;
    size_t i;

    switch (s->type) {
    case SHAPE_STRUCTURE:
        TRY(members(v, s, out));
        break;
    case SHAPE_LIST:
        json_array_foreach((json_t *)v, i, item)
            TRY(element(s->member->location_name ? s->member->location_name : "member", item,
                        s->member->shape, out));
        break;
    case SHAPE_MAP:
        json_object_foreach((json_t *)v, key, item)
        {
            TRY(buf_addstr(out, "<entry><key>"));
            TRY(xml_escape(key, strlen(key), out));
            TRY(buf_addstr(out, "</key>"));
            TRY(element("value", item, s->value->shape, out));
            TRY(buf_addstr(out, "</entry>"));
        }
        break;
    case SHAPE_TIMESTAMP:
        clock_iso8601((int64_t)json_number_value(v), when);
        TRY(buf_addstr(out, when));
        break;
    case SHAPE_BOOLEAN:
        TRY(buf_addstr(out, json_is_true(v) ? "true" : "false"));
        break;
    case SHAPE_INTEGER:
    case SHAPE_LONG:
        TRY(buf_addf(out, "%lld", (long long)json_integer_value(v)));
        break;
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT:
        TRY(buf_addf(out, "%.17g", json_number_value(v)));
        break;
    default:
        if (json_is_string(v))
            TRY(xml_escape(json_string_value(v), json_string_length(v), out));
        break;
    }
out:
    return rc;
}

cu_rc query_encode_output(const struct proto_route *route, const json_t *output,
                          const char *request_id, struct buf *out)
{
    cu_rc rc = CU_OK;
    const char *op = route->op->name;

    TRY(buf_addstrs(out, "<", op, "Response xmlns=\"", route->svc->xml_namespace, "\">", NULL));
    if (route->op->result_wrapper && route->op->output) {
        TRY(buf_addstrs(out, "<", route->op->result_wrapper, ">", NULL));
        if (output)
            TRY(value(output, route->op->output, out));
        TRY(buf_addstrs(out, "</", route->op->result_wrapper, ">", NULL));
    }
    TRY(buf_addstrs(out, "<ResponseMetadata><RequestId>", request_id,
                    "</RequestId></ResponseMetadata></", op, "Response>", NULL));
out:
    return rc;
}
