/* inline_policies.h — the inline policies of IAM users, groups and roles, written once.
 *
 * Put/Get/List/Delete{User,Group,Role}Policy differ only in whose policies they are: the
 * owner's kind, the kind its policies are stored as (under the owner: "<account>/<lower
 * (owner)>"), the request member naming it, and the aggregate-size quota. Those are one
 * row each (inline_policies.c); the handlers are one call each. */
#ifndef CU_IAM_INLINE_POLICIES_H
#define CU_IAM_INLINE_POLICIES_H

#include "iam_common.h"

struct inline_owner {
    const struct kind *owner;    /* &iam_kind_user, ... */
    const struct kind *policies; /* &iam_kind_user_policy, ... */
    const char *name_member;     /* "UserName": in the request and GetXPolicy's response */
    const char *noun;            /* "user": in the LimitExceeded message */
    size_t quota;                /* aggregate size, whitespace not counted */
};

extern const struct inline_owner iam_inline_user, iam_inline_group, iam_inline_role;

/* PutXPolicy: compile the document (the compiler authorization uses), check the owner's
 * quota (the policy being replaced does not count) and store it under the owner. */
MUST_CHECK cu_rc iam_inline_put(struct call *call, const struct inline_owner *o,
                                const json_t *in);
/* GetXPolicy: the document URL-encoded, as IAM returns it. */
MUST_CHECK cu_rc iam_inline_get(struct call *call, const struct inline_owner *o,
                                const json_t *in, json_t *out);
/* ListXPolicies: PolicyNames, paged by desc. */
MUST_CHECK cu_rc iam_inline_list(struct call *call, const struct inline_owner *o,
                                 const struct page_desc *desc, const json_t *in, json_t *out);
/* DeleteXPolicy: NoSuchEntity in the policy kind's wording when absent. */
MUST_CHECK cu_rc iam_inline_delete(struct call *call, const struct inline_owner *o,
                                   const json_t *in);
/* Move the owner's policies from the name `from` to `to` (a rename); nothing to do when
 * the two fold to the same scope (a change of case). */
MUST_CHECK cu_rc iam_inline_move(struct call *call, const struct inline_owner *o,
                                 const char *from, const char *to);

#endif
