/* in.h — typed getters for the members of a request's input tree.
 *
 * By the time a handler or a resolver runs, proto/validate.c has checked the input tree
 * against the operation's input shape: required members are present and every member has
 * its shape's type. These getters read one top-level member of that tree; they never fail
 * and never allocate. A member that is absent (or, in a tree that was not validated, of
 * another type) reads as the default: NULL, `dflt`, or false. Everything returned is
 * borrowed from `in` and lives as long as it does. */
#ifndef CU_IN_H
#define CU_IN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A string member ("GroupName"), or NULL when absent. */
const char *in_str(const json_t *in, const char *name);

/* A string member, or dflt when absent ("Path" defaults to "/"). */
const char *in_str_or(const json_t *in, const char *name, const char *dflt);

/* An integer or long member ("MaxItems"), or dflt when absent. */
int64_t in_int(const json_t *in, const char *name, int64_t dflt);

/* A boolean member ("OnlyAttached"), or dflt when absent. */
bool in_bool(const json_t *in, const char *name, bool dflt);

/* A list member ("Tags", "ActionNames"): the array, or NULL when absent. */
const json_t *in_list(const json_t *in, const char *name);

/* A structure or map member: the object, or NULL when absent. */
const json_t *in_obj(const json_t *in, const char *name);

#endif
