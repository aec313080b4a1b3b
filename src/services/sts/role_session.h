/* role_session.h — the parts of making a role session that AssumeRole and the federation
 * operations share (role_session.c). Each fills call->err with AWS's wording when it
 * refuses; `in` is a tree shaped like AssumeRole's input (DurationSeconds, Tags,
 * TransitiveTagKeys, SourceIdentity, Policy, PolicyArns), borrowed. */
#ifndef CU_STS_ROLE_SESSION_H
#define CU_STS_ROLE_SESSION_H

#include "auth/session_token.h"
#include "services/call.h"

/* The role named by arn into call->target: its record (doc, owned by the target), its
 * trust policy compiled as the resource policy, its tags as aws:ResourceTag keys. A role
 * that does not exist (or an ARN that is no role's, path included) leaves target.doc
 * NULL, for the caller to answer as a denial. Errors: CU_E_STORE, CU_E_NOMEM. */
MUST_CHECK cu_rc role_session_load_role(struct call *call, const char *arn);

/* DurationSeconds (default 3600) within the role's MaxSessionDuration, and within an hour
 * for role chaining, into *out; ValidationError otherwise. */
MUST_CHECK cu_rc role_session_check_duration(struct call *call, const json_t *in,
                                             const json_t *role, int64_t *out);

/* The session tags (the caller's transitive ones, then Tags and TransitiveTagKeys) into
 * claims; sts:TagSession must be allowed on role_arn (call->authz, the trust policy). */
MUST_CHECK cu_rc role_session_take_tags(struct call *call, const json_t *in, const char *role_arn,
                                        struct session_claims *claims);

/* SourceIdentity (or the caller's) into claims; sts:SetSourceIdentity must be allowed. */
MUST_CHECK cu_rc role_session_take_source_identity(struct call *call, const json_t *in,
                                                   const char *role_arn,
                                                   struct session_claims *claims);

/* Policy and PolicyArns into claims, compiled to check them; *percent the packed size
 * (PackedPolicyTooLarge past 100). Call after role_session_take_tags. */
MUST_CHECK cu_rc role_session_take_policies(struct call *call, const json_t *in,
                                            struct session_claims *claims, int64_t *percent);

/* The role's RoleLastUsed, rewritten at most once per interval, in call->tx. */
MUST_CHECK cu_rc role_session_note_used(struct call *call, json_t *role);

#endif
