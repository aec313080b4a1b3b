/* password_policy.h — the account password policy as the login profile operations use it
 * (password_policy.c holds Update/Get/DeleteAccountPasswordPolicy). */
#ifndef CU_IAM_PASSWORD_POLICY_H
#define CU_IAM_PASSWORD_POLICY_H

#include "services/call.h"

/* Whether pw satisfies the account's password policy — or, while none is set, AWS's
 * default one (IAM guide, id_credentials_passwords_account-policy: at least 8 characters
 * and three of uppercase, lowercase, numbers and symbols). PasswordPolicyViolation in
 * AWS's wording otherwise; the password itself never reaches the error. *reuse is the
 * policy's PasswordReusePrevention: how many of the latest passwords (the current one
 * included) pw must not be; 0 without a policy or without that member. */
MUST_CHECK cu_rc iam_password_check(struct call *call, const char *pw, int *reuse);

/* The PasswordPolicyViolation error, for a check made elsewhere (password reuse). */
MUST_CHECK cu_rc iam_password_violation(struct call *call);

#endif
