/* identity_policies.h — the compiled identity policies of a principal, cached.
 *
 * A set is compiled once per store generation and shared by every thread; callers hold a
 * reference for the length of one call. */
#ifndef CU_IDENTITY_POLICIES_H
#define CU_IDENTITY_POLICIES_H

#include <jansson.h>

#include "auth/principal.h"
#include "core/err.h"
#include "store/store.h"

struct policy;

struct policy_list {
    const struct policy *const *items;
    size_t n;
    const json_t *tags;        /* the principal's tags [{Key, Value}], or NULL */
    const struct policy *boundary; /* the principal's permissions boundary, or NULL */
};

struct identity_cache;

MUST_CHECK cu_rc identity_cache_new(struct identity_cache **out);
void identity_cache_free(struct identity_cache *c);

/* The identity policies that apply to principal p (an IAM user's attached managed and
 * inline policies and permissions boundary; none for root). *pin must be passed to identity_release when the call is done. */
MUST_CHECK cu_rc identity_policies_get(struct identity_cache *c, struct store *store,
                                       const struct principal *p, struct policy_list *out,
                                       void **pin);
void identity_release(void *pin);

#endif
