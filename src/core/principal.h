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
