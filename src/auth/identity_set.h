/* identity_set.h — principal -> the policies that apply to it, in one place.
 *
 * Authorization (through the cache, auth/identity_cache.h) and IAM's policy simulator
 * (on its own transaction) both load a principal's policies here, so both see the same
 * policies in the same order under the same limit, and a simulated answer is the answer
 * a real call gets. */
#ifndef CU_IDENTITY_SET_H
#define CU_IDENTITY_SET_H

#include <jansson.h>

#include "core/err.h"
#include "core/principal.h"

struct store_tx;
struct policy;
struct policy_set;
struct policy_request;

/* More than any principal has in practice: a user's inline policies share 2,048
 * characters, at most 10 managed policies are attached to it and to each of its at most 10
 * groups (whose inline policies share 5,120 characters each), and the simulator adds at
 * most what it is given beside them. A set that would pass it fails to load (CU_E_INTERNAL):
 * denied, never a policy left out. */
#define IDENTITY_SET_MAX 256

/* Where an identity policy of the set comes from. */
enum identity_policy_type {
    IDENTITY_USER_INLINE,  /* an inline policy of the user (PutUserPolicy) */
    IDENTITY_USER_MANAGED, /* a managed policy attached to the user (AttachUserPolicy) */
    IDENTITY_ROLE_INLINE,  /* an inline policy of the role (PutRolePolicy) */
    IDENTITY_ROLE_MANAGED, /* a managed policy attached to the role (AttachRolePolicy) */
    IDENTITY_GROUP_INLINE, /* an inline policy of one of the user's groups (PutGroupPolicy) */
    IDENTITY_GROUP_MANAGED, /* a managed policy attached to one of them (AttachGroupPolicy) */
    IDENTITY_SIMULATED,    /* a document given to the simulator (PolicyInputList) */
};

/* The policies of one principal. Owns its policies and tags (identity_set_release), except
 * those marked shared: an AWS managed policy attached to the principal is the process-wide
 * compiled copy of its built-in document (identity_set.c), which no set frees. */
struct identity_set {
    struct policy *policies[IDENTITY_SET_MAX]; /* labelled with the policy's name */
    bool shared[IDENTITY_SET_MAX];
    enum identity_policy_type types[IDENTITY_SET_MAX];
    size_t n;
    struct policy *boundary; /* the permissions boundary, or NULL */
    struct policy *session;  /* the session policy of a role or federated session, or NULL */
    json_t *tags;            /* the principal's tags [{Key, Value}], or NULL */
    json_t *groups;          /* the scopes "<account>/lower(group)" of the user's groups,
                              * whose changes the set depends on (identity_cache.c) */
    char role_arn[PRINCIPAL_ARN_MAX]; /* a role session's role, else "" */
    char principal_id[130]; /* the UserId or RoleId of what was loaded, else "" */
    bool renamed; /* a user session's user, found by its unique id under another name
                   * than the session's: not to be cached under the session's name */
};

/* Load the policy set of principal p from tx into *out (zeroed first): an IAM user's
 * inline policies, then its attached managed policies, then its groups' (each group's
 * inline then attached, groups in name order), its
 * permissions boundary and tags; nothing for the root user. A stored inline document
 * that no longer compiles is logged and left out; a managed one refuses the load
 * (CU_E_STORE or the compile error), since it might deny. On failure *out holds nothing. */
MUST_CHECK cu_rc identity_set_load(struct store_tx *tx, const struct principal *p,
                                   struct identity_set *out);

/* The policy set of role session p: its role's (identity_set_load_role, read by the name
 * p carries) with p's session policy (auth/session_policy.h). A role that no longer exists
 * gives an empty set: the session is then allowed nothing an identity policy must allow. */
MUST_CHECK cu_rc identity_set_load_role_session(struct store_tx *tx, const struct principal *p,
                                                struct identity_set *out);

/* identity_set_load for IAM user p whose record the caller has already loaded (`user`,
 * borrowed, as the store holds it in tx): the simulator's policy source, which its
 * resolver loaded, is not read a second time. */
MUST_CHECK cu_rc identity_set_load_user(struct store_tx *tx, const struct principal *p,
                                        const json_t *user, struct identity_set *out);

/* The policy set of the IAM role whose record is `role` (borrowed) in account: its inline
 * policies, its attached managed policies, its permissions boundary and tags, and its ARN
 * as role_arn — what a session of the role is allowed (AssumeRole, when custos has it, adds
 * the session policy) and what the simulator evaluates for a role's PolicySourceArn. The
 * same failure rules as identity_set_load. */
MUST_CHECK cu_rc identity_set_load_role(struct store_tx *tx, const char *account,
                                        const json_t *role, struct identity_set *out);

/* The policies of the IAM group whose record is `group` (borrowed) in account: its inline
 * policies, then its attached managed policies (a group has no boundary and no tags) — what
 * the simulator and IAM's access advisor evaluate for a group's ARN. The same failure rules
 * as identity_set_load. */
MUST_CHECK cu_rc identity_set_load_group(struct store_tx *tx, const char *account,
                                         const json_t *group, struct identity_set *out);

/* Add policy (owned from now on, also on failure) of the given type at the end of s;
 * CU_E_LIMIT when s is full. */
MUST_CHECK cu_rc identity_set_add(struct identity_set *s, struct policy *policy,
                                  enum identity_policy_type type);

/* Free what s owns and zero it. */
void identity_set_release(struct identity_set *s);

/* Point the identity members of set (identity policies, boundary, session policy) and of
 * req (role_arn) at s, which must outlive them; other members are left as they are. */
void identity_set_fill(const struct identity_set *s, struct policy_set *set,
                       struct policy_request *req);

/* The type of the identity policy of s whose label is `label` (a policy_match.label, the
 * label pointer of the policy matched); false when no identity policy of s has it. */
bool identity_set_type_of(const struct identity_set *s, const char *label,
                          enum identity_policy_type *out);

#endif
