/* render.h — a stored record rendered through an operation's output shape.
 *
 * Where a record already uses AWS's member names (an IAM user record holds Path, UserName,
 * UserId, Arn, CreateDate, ...), the response is the record seen through the model's shape
 * of the response member (model_output_shape("iam", "GetUser", "User")), not a view built
 * by hand. The renderer walks the shape, not the record:
 *   - a member the shape names and the record has is copied, converted as the shape says;
 *   - a member the shape names and the record lacks (or holds null) is left out;
 *   - a member the record has and the shape does not name is never copied, so what is
 *     stored only for custos (a managed policy's Document, a user's attached policies) never
 *     reaches a response or the audit trail's responseElements;
 *   - an empty list the shape does not require is left out, as AWS leaves it out (GetUser
 *     of a user without tags answers no Tags member);
 *   - structures, lists and maps are rendered member by member, element by element, so the
 *     same rules hold at every depth (a stored tag's extra member is not copied either).
 * Conversions from the stored form (records.h) to the tree form (core/tree.h): a timestamp
 * is stored as epoch milliseconds (a JSON integer) and rendered as epoch seconds (a JSON
 * real, as tree_set_time_ms writes it); strings, enums, blobs (base64 text), integers,
 * longs, booleans and floating numbers are copied. A stored value of another JSON type than
 * its shape's is a broken record: CU_E_STORE (logged with the member's name, no value).
 * Where a response needs a member computed rather than stored (a policy's IsAttachable),
 * the handler sets just that member on the rendered result. */
#ifndef CU_RENDER_H
#define CU_RENDER_H

#include <jansson.h>

#include "core/cu.h"
#include "model/model.h"

/* Render the record `rec` (borrowed; a JSON object) through the structure shape `s` into
 * *out, a new object owned by the caller. Errors: CU_E_INTERNAL when s is NULL or no
 * structure (a lookup that found nothing), CU_E_STORE for a record that does not match s,
 * CU_E_NOMEM. *out is untouched on error. */
MUST_CHECK cu_rc render_record(const json_t *rec, const struct shape *s, json_t **out);

/* out[member] = rec rendered through the shape of `member` in the output of `service`'s
 * operation `op` (render_output(out, "iam", "GetGroup", "Group", doc)). Errors as
 * render_record's; CU_E_INTERNAL when the model has no such member. */
MUST_CHECK cu_rc render_output(json_t *out, const char *service, const char *op,
                               const char *member, const json_t *rec);

#endif
