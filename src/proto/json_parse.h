/* json_parse.h — strict JSON text (RFC 8259) into a jansson tree.
 *
 * Accepts exactly what json_loadb(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL) accepts and
 * builds the same tree (members in document order): no duplicate keys, no raw NUL byte,
 * \u0000 only inside a string value (the string carries its length; validate.c refuses
 * it naming the member), no lone surrogates, no integer beyond 64 bits, no real that
 * overflows, nesting at most JSON_PARSE_MAX_DEPTH, nothing after the value. The top level
 * must be an object or an
 * array. Written for the request path: one pass over the bytes with no lexer buffer, the
 * jansson values made directly (twice as fast as json_loadb on a KMS request). String
 * contents pass through a scratch buffer that is wiped, since bodies carry plaintexts.
 * A differential fuzz target holds it to jansson's answers. */
#ifndef CU_PROTO_JSON_PARSE_H
#define CU_PROTO_JSON_PARSE_H

#include <jansson.h>

#include "core/bytes.h"

#define JSON_PARSE_MAX_DEPTH 2048

/* The tree, or NULL if the text is not such a JSON document (or memory ran out). */
json_t *json_parse(struct bytes text);

#endif
