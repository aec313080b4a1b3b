/* policy.h — the IAM policy engine: compile a policy document once, evaluate requests
 * against sets of compiled policies many times, and explain every decision in AWS's
 * words. Pure: no I/O, no clock (time is part of the request), no globals.
 *
 * Evaluation follows the IAM User Guide, "Policy evaluation logic"
 * (reference_policies_evaluation-logic.html), as summarised in AWS-NOTES §3. */
#ifndef CU_POLICY_H
#define CU_POLICY_H

#include "core/buf.h"
#include "core/bytes.h"
#include "core/err.h"

/* What a document is; it decides which elements are required or forbidden. */
enum policy_kind {
    POLICY_IDENTITY,   /* inline identity policy (user, group, role): no Principal */
    POLICY_MANAGED,    /* managed identity policy: also needs Version 2012-10-17 */
    POLICY_RESOURCE,   /* resource-based policy: Principal required */
    POLICY_KEY,        /* KMS key policy: a resource policy with the KMS account rule */
    POLICY_BOUNDARY,   /* permissions boundary: an identity-style document */
    POLICY_SESSION,    /* session policy */
    POLICY_SCP,        /* service control policy */
    POLICY_RCP,        /* resource control policy: Deny statements with Principal "*" */
    POLICY_TRUST,      /* a role's trust policy (AssumeRolePolicyDocument): a resource
                        * policy on the role, Principal required, no Resource, sts actions */
};

/* A compiled policy: immutable, shareable across threads. */
struct policy;

/* Parse, validate and compile a policy document. label names the policy in explanations
 * (e.g. the policy name). Invalid documents fail with CU_E_IAM_MALFORMED_POLICY and AWS's
 * message in err: IAM's for identity, managed, boundary and session policies, checked in
 * the order IAM checks them (validate.c), KMS's for key policies, Organizations' for
 * SCPs and RCPs. *out is owned by the caller (policy_free). */
MUST_CHECK cu_rc policy_compile(struct bytes json, enum policy_kind kind, const char *label,
                                struct policy **out, struct cu_err *err);
void policy_free(struct policy *p);
/* The label p was compiled with; policy_match.label of a match in p is this very pointer,
 * so a caller can tell which of its policies a match came from. */
const char *policy_label(const struct policy *p);

/* Characters of a document as IAM counts them against size quotas: whitespace outside
 * string literals is not counted (IAM guide, reference_iam-quotas). */
size_t policy_size_without_whitespace(struct bytes json);

/* Size quotas of policy documents, the one place they are written down (IAM guide,
 * reference_iam-quotas; KMS developer guide, resource-limits; Organizations guide,
 * orgs_reference_limits). IAM counts characters without the whitespace outside strings,
 * and inline quotas are per user, group or role, summed over its inline policies; KMS
 * and Organizations count every character. */
#define POLICY_QUOTA_USER_INLINE 2048
#define POLICY_QUOTA_GROUP_INLINE 5120
#define POLICY_QUOTA_ROLE_INLINE 10240
#define POLICY_QUOTA_MANAGED 6144
#define POLICY_QUOTA_KEY 32768
#define POLICY_QUOTA_ORGANIZATIONS 5120 /* an SCP or RCP */
#define POLICY_QUOTA_SESSION 2048       /* the plain-text session policy of STS calls */

struct policy_quota {
    const char *type;       /* "user", "group", "role", "managed", "boundary", "key", "scp",
                             * "rcp", "session" */
    const char *what;       /* "a user's inline policies" */
    size_t max;
    bool whitespace_counts;
};

/* The quota for a document type, or NULL when it has none of its own. */
const struct policy_quota *policy_quota(const char *type);
/* The size of json as the quota counts it. */
size_t policy_quota_size(const struct policy_quota *q, struct bytes json);

enum policy_principal_type {
    POLICY_PRINCIPAL_ROOT,
    POLICY_PRINCIPAL_USER,
    POLICY_PRINCIPAL_ROLE_SESSION,
    POLICY_PRINCIPAL_FEDERATED,
    /* An OIDC or SAML identity provider asking for a role (AssumeRoleWithWebIdentity,
     * AssumeRoleWithSAML): principal_arn is the provider's ARN, which only a trust
     * policy's {"Federated": ...} principal names; it has no identity policies. */
    POLICY_PRINCIPAL_PROVIDER,
};

/* One condition key and its values (multi-valued keys have several). Keys compare
 * without regard to case, as AWS's condition keys do. */
struct policy_context_entry {
    const char *key;
    const char *const *values;
    size_t n_values;
};

struct policy_context {
    const struct policy_context_entry *entries;
    size_t n;
};

struct policy_request {
    const char *action;              /* "kms:Encrypt" */
    const char *resource;            /* ARN, or "*" when the action takes none */
    const char *principal_arn;
    const char *principal_account;
    enum policy_principal_type principal_type;
    const char *resource_account;
    const struct policy_context *context; /* condition keys; may be NULL */
    int64_t now_s;
    const char *role_arn;            /* role sessions: the role's ARN, else NULL */
};

/* One level of an AWS Organizations hierarchy (root, each OU, the account): at least one
 * of its service control policies (or, for RCP levels, resource control policies) must
 * allow an action. */
struct policy_scp_level {
    const struct policy *const *policies;
    size_t n;
};

/* The policies that apply to one request. Borrowed. */
struct policy_set {
    const struct policy *const *identity;  /* the principal's identity policies */
    size_t n_identity;
    const struct policy *resource;         /* resource-based or key policy, or NULL */
    const struct policy *boundary;         /* permissions boundary, or NULL */
    const struct policy_scp_level *scps;   /* SCP levels, root first; none: no Organizations */
    size_t n_scps;
    const struct policy_scp_level *rcps;   /* RCP levels of the resource's account, alike */
    size_t n_rcps;
    const struct policy *session;          /* session policy of a role or federated session */
    bool grant;                            /* a KMS grant names the caller for this request */
};

enum policy_decision { POLICY_ALLOWED, POLICY_EXPLICIT_DENY, POLICY_IMPLICIT_DENY };

/* Which kind of policy decided a denial (AWS's wording in policy_denial_message). */
enum policy_source {
    POLICY_SOURCE_NONE,
    POLICY_SOURCE_IDENTITY,
    POLICY_SOURCE_RESOURCE,
    POLICY_SOURCE_BOUNDARY,
    POLICY_SOURCE_SCP,
    POLICY_SOURCE_SESSION,
    POLICY_SOURCE_RCP,
};

#define POLICY_MAX_MATCHES 8

/* A place in a policy document: 1-based line and column. */
struct policy_position {
    unsigned line, column;
};

struct policy_match {
    const char *label;      /* the policy's label */
    size_t statement;       /* 0-based index in Statement */
    const char *sid;        /* or NULL */
    bool allow;
    struct policy_position start, end; /* the statement's first and last character */
};

struct policy_result {
    enum policy_decision decision;
    enum policy_source source;   /* explicit deny: where it was; implicit: what lacked an allow */
    struct policy_match matches[POLICY_MAX_MATCHES];
    size_t n_matches;            /* statements that matched (first POLICY_MAX_MATCHES) */
};

/* The condition keys a policy refers to, in its conditions and in policy variables, each
 * once, in document order: up to cap of them into out (borrowed from p). Returns how many
 * there are in all (IAM GetContextKeysFor*Policy). */
size_t policy_context_keys(const struct policy *p, const char **out, size_t cap);

/* The services an Allow statement of p names actions of, for IAM's access advisor
 * (GetServiceLastAccessedDetails lists "every service that the resource could access using
 * permissions policies"): fn is called with each lowercase namespace ("kms" for
 * "kms:Encrypt"), NUL-terminated and borrowed for the call, possibly more than once.
 * Returns true when an Allow statement can match actions of any service (Action "*", or
 * NotAction): the caller then asks policy_grants_service about each service it knows.
 * Resources and conditions are not looked at: the advisor "only applies permissions policy
 * logic" to name services, not to decide requests. */
bool policy_services(const struct policy *p, void (*fn)(const char *service, void *ctx),
                     void *ctx);

/* Whether an Allow statement of p can match some action of `service` (a lowercase
 * namespace): an Action pattern of that service or "*", or a NotAction that does not
 * leave out the whole service ("service:*" or "*"). As policy_services, without resources
 * or conditions. */
bool policy_grants_service(const struct policy *p, const char *service);

/* Decide one request. Allocates nothing. */
void policy_evaluate(const struct policy_set *set, const struct policy_request *req,
                     struct policy_result *out);

/* AWS's AccessDenied message for a denial, e.g. "User: arn:aws:iam::111122223333:user/bob
 * is not authorized to perform: kms:Encrypt on resource: arn:... because no
 * identity-based policy allows the kms:Encrypt action" (IAM guide,
 * troubleshoot_access-denied). Appended to out. */
MUST_CHECK cu_rc policy_denial_message(const struct policy_request *req,
                                       const struct policy_result *res, struct buf *out);

#endif
