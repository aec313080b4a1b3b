/* principal.h — who is calling: the result of authentication, as every layer above
 * auth/ reads it (audit records, authorization, handlers). auth/principal.h resolves it. */
#ifndef CU_CORE_PRINCIPAL_H
#define CU_CORE_PRINCIPAL_H

#include "cu.h"

enum principal_type {
    PRINCIPAL_ROOT,
    PRINCIPAL_USER,
    PRINCIPAL_ROLE_SESSION,
    PRINCIPAL_FEDERATED,
};

#define PRINCIPAL_ARN_MAX 600

/* The aws:PrincipalType value of a principal type (IAM guide, reference_policies_variables,
 * "Principal key values": Account for the root user, User for an IAM user, AssumedRole for
 * a role session, including web-identity ones, FederatedUser for GetFederationToken).
 * Credentials from GetSessionToken act as the user (or root) who asked for them, so
 * their principal keeps that type: User, or Account. A static string. */
static inline const char *principal_type_name(enum principal_type type)
{
    static const char *const names[] = {
        [PRINCIPAL_ROOT] = "Account",
        [PRINCIPAL_USER] = "User",
        [PRINCIPAL_ROLE_SESSION] = "AssumedRole",
        [PRINCIPAL_FEDERATED] = "FederatedUser",
    };

    return (unsigned)type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type]
                                                                              : "User";
}

struct principal {
    enum principal_type type;
    char account_id[13];
    char arn[PRINCIPAL_ARN_MAX];  /* arn:aws:iam::<acct>:root | :user/<path><name> */
    char user_id[130];            /* GetCallerIdentity UserId: account id for root, AIDA... */
    char name[130];               /* user name; empty for root */
    char access_key_id[129];
    /* temporary credentials (STS GetSessionToken): when they were issued; 0 for long-term
     * access keys. Session credentials never carry MFA in custos (no MFA devices). */
    int64_t session_issued_s;
};

#endif
