/* authorize.h — the authorization step: descriptor + principal + resource -> decision. */
#ifndef CU_AUTHORIZE_H
#define CU_AUTHORIZE_H

#include "services/call.h"

struct identity_cache;

/* Decide whether call->principal may perform `action` on `resource_arn` (owned by
 * resource_account) given the resource's own policy (NULL: none). A denial is
 * CU_E_ACCESS_DENIED with AWS's message in err. Matches call_authorize_fn, so services
 * reach it through call->env->authorize for second resources. */
MUST_CHECK cu_rc authorize(struct call *call, const char *action, const char *resource_arn,
                           const struct policy *resource_policy, bool key_policy,
                           struct cu_err *err);

#endif
