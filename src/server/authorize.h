/* authorize.h — the authorization step: descriptor + principal + resource -> decision. */
#ifndef CU_AUTHORIZE_H
#define CU_AUTHORIZE_H

#include "auth/identity_cache.h"
#include "services/call.h"

struct identity_cache;

/* The global condition keys custos knows for every request (IAM guide,
 * reference_policies_condition-keys), the call's own keys and the caller's tags; entries
 * point into the other members and into call->keys. */
#define AUTHZ_MAX_PRINCIPAL_TAGS 50
#define AUTHZ_GLOBAL_KEYS 20
struct authz_context {
    struct policy_context_entry
        entries[AUTHZ_GLOBAL_KEYS + CALL_MAX_KEYS + AUTHZ_MAX_PRINCIPAL_TAGS];
    const char *tag_values[AUTHZ_MAX_PRINCIPAL_TAGS];
    char tag_names[AUTHZ_MAX_PRINCIPAL_TAGS][160];
    char session_tag_values[AUTHZ_MAX_PRINCIPAL_TAGS][257]; /* a role session's own tags */
    const char *values[AUTHZ_GLOBAL_KEYS];
    char now_iso[21], epoch[24], issued_iso[21], mfa_age[24];
    struct policy_context ctx;
};

/* One call's authorization state: the caller's identity policies, held from authz_begin
 * to authz_end, and what the handler sees of them (call->authz points at `view`). */
/* Which policy decided the last denial authorize() answered (metrics.h counts denials by
 * it). */
struct authz_denial {
    bool known;                  /* authorize() denied: the rest is set */
    bool explicit_deny;          /* by an explicit Deny, else for want of an Allow */
    enum policy_source source;
};

struct authz {
    struct call_authz view;
    struct authz_denial denial;  /* known false until authorize() denies */
    const struct identity_set *identity;
    struct authz_context context;
    void *pin;
};

/* Fetch the caller's identity policies (from the cache) and point call->authz at them. On
 * success az must be released with authz_end, after the handler has run. */
MUST_CHECK cu_rc authz_begin(struct identity_cache *identities, struct call *call,
                             struct authz *az);
/* Drop the identity policies and clear call->authz. Safe on a zeroed az. */
void authz_end(struct authz *az, struct call *call);

/* Decide whether the caller may perform `action` on target t (its ARN, owner, own policy,
 * and the grant that covers the call's action there, if any), with the call's condition
 * keys as they are now. A denial is CU_E_ACCESS_DENIED with AWS's message, naming
 * t->arn, in err. */
MUST_CHECK cu_rc authorize(struct authz *az, const struct call *call, const char *action,
                           const struct call_target *t, struct cu_err *err);

/* After authorize allowed `action` on t: whether policies alone, without a KMS grant,
 * allow it (true at once when no grant covered it). */
bool authorize_by_policy(struct authz *az, const struct call *call, const char *action,
                         const struct call_target *t);

#endif
