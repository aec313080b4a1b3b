/* service_linked_roles.h — the AWS services that have service-linked roles (the table
 * tools/gen_slr.py generates from service_linked_roles.json) and what the other role
 * handlers ask of a service-linked role. */
#ifndef CU_SERVICE_LINKED_ROLES_H
#define CU_SERVICE_LINKED_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#include "services/call.h"

/* One AWS service's service-linked role: its service principal, the role name AWS gives
 * it, whether a CustomSuffix is accepted (the role is then "<role>_<suffix>"), and the AWS
 * managed permission policy AWS attaches (NULL when not documented). */
struct slr_service {
    const char *service;
    const char *role;
    bool suffix;
    const char *policy;
};

/* The generated table, sorted by service principal (service_linked_roles.gen.c). */
extern const struct slr_service slr_services[];
extern const size_t slr_services_n;

/* The row for a service principal (exact, case-sensitive as AWS's are), or NULL. */
const struct slr_service *slr_find(const char *service);

/* Whether a role record is a service-linked role (CreateServiceLinkedRole made it). */
bool iam_role_is_service_linked(const json_t *role);

/* CU_OK for an ordinary role; for a service-linked one, UnmodifiableEntity as IAM words it
 * ("Cannot perform the operation on the protected role '<name>' - this role is only
 * modifiable by AWS"): only its service may change its trust, its policies or delete it
 * with DeleteRole (IAM guide, using-service-linked-roles). */
MUST_CHECK cu_rc iam_slr_refuse(struct call *call, const json_t *role);

#endif
