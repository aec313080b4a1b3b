/* proto_impl.h — what the files of src/proto/ share with each other only. */
#ifndef CU_PROTO_IMPL_H
#define CU_PROTO_IMPL_H

#include "proto.h"

/* Member paths in errors are AWS's: lowerCamelCase, dotted ("tags.1.member.value"). */
#define PATH_MAX_LEN 256
/* out = parent.name with name's first letter lowered ("KeyId" under "" -> "keyId"), cut
 * to fit. */
void proto_member_path(const char *parent, const char *name, char out[PATH_MAX_LEN]);

/* The members of structure s that object obj holds: children[i] is obj's value for
 * s->members[i], or NULL. One pass over obj's keys, a handful in a request, each matched
 * against the member names, instead of a hash lookup (strlen, hash, compare) for every
 * member the shape has, most of them absent. Keys that are not members are skipped.
 * s has at most PROTO_MEMBERS_MAX members (more than any structure of the served models
 * has; callers look a larger one up member by member). */
#define PROTO_MEMBERS_MAX 64
void proto_members_present(const struct shape *s, const json_t *obj, json_t **children);

/* Append s with XML's five special characters (and CR) escaped. */
MUST_CHECK cu_rc xml_escape(const char *s, size_t n, struct buf *out);
/* Query XML success body. */
MUST_CHECK cu_rc query_encode_output(const struct proto_route *route, const json_t *output,
                                     const char *request_id, struct buf *out);

#endif
