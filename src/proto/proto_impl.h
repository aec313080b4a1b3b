/* proto_impl.h — what the files of src/proto/ share with each other only. */
#ifndef CU_PROTO_IMPL_H
#define CU_PROTO_IMPL_H

#include "proto.h"

/* Append s with XML's five special characters (and CR) escaped. */
MUST_CHECK cu_rc xml_escape(const char *s, size_t n, struct buf *out);
/* Query XML success body. */
MUST_CHECK cu_rc query_encode_output(const struct proto_route *route, const json_t *output,
                                     const char *request_id, struct buf *out);

#endif
