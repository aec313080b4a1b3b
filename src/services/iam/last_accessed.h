/* last_accessed.h — IAM's access advisor inside the IAM service: last_accessed.c holds the
 * four operations and the report jobs, last_accessed_policies.c an entity's permissions
 * policies, last_accessed_report.c what a report says (which services those policies
 * grant, when the entity's principals last attempted each). */
#ifndef CU_IAM_LAST_ACCESSED_H
#define CU_IAM_LAST_ACCESSED_H

#include <jansson.h>

#include "services/call.h"

struct policy;

/* What an access advisor ARN names (IAM API reference, GenerateServiceLastAccessedDetails:
 * "user, group, role, or managed policy"). */
enum last_accessed_type {
    LAST_ACCESSED_USER,
    LAST_ACCESSED_GROUP,
    LAST_ACCESSED_ROLE,
    LAST_ACCESSED_POLICY,
};

/* One permissions policy of an entity, as ListPoliciesGrantingServiceAccess names it. */
struct last_accessed_policy {
    struct policy *compiled;
    json_t *entry; /* {PolicyName, PolicyType INLINE|MANAGED, PolicyArn | EntityType,
                    * EntityName} */
};

/* The permissions policies of an entity: a user's own inline and attached policies, then
 * its groups' (group by group in name order, inline then attached); a group's or a role's
 * inline and attached ones; a managed policy alone. Boundaries are not among them (the
 * advisor "only applies permissions policy logic"). Owns its policies. */
struct last_accessed_policies {
    struct last_accessed_policy *v;
    size_t n, cap;
};

/* The type an ARN of this account names, with its last segment (the name) in *name; false
 * when arn is none of the four. Pure. */
bool last_accessed_parse_arn(const char *arn, const char *account, enum last_accessed_type *type,
                             const char **name);

/* Load the permissions policies of the entity whose record is `rec` (borrowed) into *out
 * (zeroed first; released on failure). Errors: CU_E_STORE, CU_E_NOMEM. */
MUST_CHECK cu_rc last_accessed_policies_load(struct call *call, enum last_accessed_type type,
                                             const json_t *rec,
                                             struct last_accessed_policies *out);
void last_accessed_policies_release(struct last_accessed_policies *p);

/* Call fn(call, membership doc {GroupName, UserName}, ctx) for each group membership of
 * the index `index` (RECORD_GROUP_MEMBER_BY_USER or _BY_GROUP) with value lower(name): a
 * user's groups, or a group's users, in key order. */
MUST_CHECK cu_rc last_accessed_each_membership(struct call *call, const char *index,
                                               const char *name,
                                               cu_rc (*fn)(struct call *, const json_t *, void *),
                                               void *ctx);

/* The report on the entity `rec` of `type`: *out its ServicesLastAccessed in namespace
 * order, TrackedActionsLastAccessed when action_level, each item with a stored-only "Used"
 * list [{i, t}]: which of *principals (the report's users and roles, as EntityInfo) last
 * attempted the service when (epoch ms), most recent first. Both owned by the caller. */
MUST_CHECK cu_rc last_accessed_report(struct call *call, enum last_accessed_type type,
                                      const json_t *rec, bool action_level, json_t **out,
                                      json_t **principals);

/* AWS's name of a service namespace custos knows, or NULL. */
const char *last_accessed_service_name(const char *ns);

#endif
