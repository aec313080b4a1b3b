/* proto_impl.h — what the files of src/proto/ share with each other only. */
#ifndef CU_PROTO_IMPL_H
#define CU_PROTO_IMPL_H

#include "proto.h"

/* Member paths in errors are AWS's: lowerCamelCase, dotted ("tags.1.member.value"). */
#define PATH_MAX_LEN 256
/* out = parent.name with name's first letter lowered ("KeyId" under "" -> "keyId"), cut
 * to fit. */
void proto_member_path(const char *parent, const char *name, char out[PATH_MAX_LEN]);

/* Append s with XML's five special characters (and CR) escaped. */
MUST_CHECK cu_rc xml_escape(const char *s, size_t n, struct buf *out);
/* Query XML success body. */
MUST_CHECK cu_rc query_encode_output(const struct proto_route *route, const json_t *output,
                                     const char *request_id, struct buf *out);

#endif
