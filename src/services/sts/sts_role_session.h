/* sts_role_session.h — what the AssumeRole family shares (role_session.c): the role a
 * request names, its trust policy, the session's duration, session policies and tags,
 * and the issuing of the role session's credentials with its AssumedRoleUser. AssumeRole
 * (assume_role.c) and AssumeRoleWithWebIdentity (web_identity.c) differ only in who the
 * caller is and where tags and source identity come from. */
#ifndef CU_STS_ROLE_SESSION_H
#define CU_STS_ROLE_SESSION_H

#include "core/buf.h"
#include "sts_credentials.h"

/* Load the role named by the request's RoleArn into call->target (doc: the role record;
 * resource_policy: its trust policy, compiled; resource tags as condition keys). A role
 * that does not exist, or an ARN that is not a role's own, leaves target.doc NULL for the
 * handler to answer as a denial. Errors: CU_E_STORE (a stored trust policy that no longer
 * compiles: nobody is trusted rather than everybody), CU_E_NOMEM. */
MUST_CHECK cu_rc sts_role_resolve(struct call *call, const json_t *in);

/* DurationSeconds (default 3,600) within the role's MaxSessionDuration; chained: within
 * the one hour of role chaining. ValidationError with AWS's words otherwise. */
MUST_CHECK cu_rc sts_session_duration(struct call *call, const json_t *in, const json_t *role,
                                      bool chained, int64_t *out);

/* Append "key\tvalue\n" to tags and, when transitive, "key\n" to keys (claims' layout);
 * PackedPolicyTooLarge when they outgrow the claims. */
MUST_CHECK cu_rc sts_session_tag_add(struct call *call, struct buf *tags, struct buf *keys,
                                     const char *key, const char *value, bool transitive);
/* The PackedPolicyTooLarge error for session tags that do not fit. */
cu_rc sts_session_tags_too_large(struct call *call);

/* The session's tags into claims: the caller's transitive tags (a chained session keeps
 * them and cannot override them), then the request's Tags and TransitiveTagKeys (in: a
 * tree shaped like AssumeRole's input). Tags need sts:TagSession on role_arn (the role,
 * with its trust policy as call->target.resource_policy; or GetFederationToken's
 * federated user, with none). ValidationError, AccessDenied,
 * PackedPolicyTooLarge in AWS's words. */
MUST_CHECK cu_rc sts_session_tags_take(struct call *call, const json_t *in, const char *role_arn,
                                       struct session_claims *claims);

/* The session's source identity into claims: the request's SourceIdentity or the
 * caller's, which a chained session keeps; sts:SetSourceIdentity must be allowed on
 * role_arn. AccessDenied in AWS's words. */
MUST_CHECK cu_rc sts_session_source_identity_take(struct call *call, const json_t *in,
                                                  const char *role_arn,
                                                  struct session_claims *claims);

/* The request's Policy and PolicyArns into claims (claims->session_tags already set, as
 * they count against the same packed limit), compiled once to check them; *percent is
 * the packed size AWS answers as PackedPolicySize. MalformedPolicyDocument,
 * PackedPolicyTooLarge, ValidationError. */
MUST_CHECK cu_rc sts_session_policies(struct call *call, const json_t *in,
                                      struct session_claims *claims, int64_t *percent);

/* Finish a role session of the role in call->target.doc named session: claims' identity
 * (assumed-role ARN, AROA...:session, the role), credentials valid for duration_s,
 * AssumedRoleUser, PackedPolicySize when policies or tags were passed, SourceIdentity
 * when set, and the role's RoleLastUsed. The caller has filled tags, policies, source
 * identity and flags of claims. */
MUST_CHECK cu_rc sts_role_session_issue(struct call *call, const char *session,
                                        struct session_claims *claims, int64_t duration_s,
                                        int64_t percent, json_t *out);

#endif
