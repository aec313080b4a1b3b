/* iam_profiles.h — what other IAM files ask of instance profiles (instance_profiles.c). */
#ifndef CU_IAM_PROFILES_H
#define CU_IAM_PROFILES_H

#include "services/call.h"

/* *n: the number of instance profiles holding the role named `role` in the call's account
 * (one index lookup): DeleteRole refuses a role while it is above 0. */
MUST_CHECK cu_rc iam_role_profile_count(struct call *call, const char *role, size_t *n);

#endif
