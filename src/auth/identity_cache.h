/* identity_cache.h — the policy sets of principals (auth/identity_set.h), cached.
 *
 * A set is loaded once per change to what it depends on (identity_cache.c) and shared by
 * every thread; callers hold a reference for the length of one call. */
#ifndef CU_IDENTITY_CACHE_H
#define CU_IDENTITY_CACHE_H

#include "core/err.h"
#include "core/principal.h"
#include "identity_set.h"

struct store;
struct identity_cache;

MUST_CHECK cu_rc identity_cache_new(struct identity_cache **out);
void identity_cache_free(struct identity_cache *c);

/* The policy set of principal p as the store holds it now (identity_set_load; empty for
 * root), in *out, valid until *pin is passed to identity_release when the call is done. */
MUST_CHECK cu_rc identity_cache_get(struct identity_cache *c, struct store *store,
                                    const struct principal *p,
                                    const struct identity_set **out, void **pin);
void identity_release(void *pin);

/* How many sets have been loaded from the store since start (GET /_custos/health). */
uint64_t identity_cache_loads(struct identity_cache *c);

#endif
