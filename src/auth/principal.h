/* principal.h — who is calling: the result of authentication.
 *
 * A principal is resolved from the access key id of a verified SigV4 signature:
 * the account's root credentials, or an IAM user's access key (AKIA...). Role sessions
 * (ASIA... with a session token) arrive with STS. */
#ifndef CU_PRINCIPAL_H
#define CU_PRINCIPAL_H

#include "core/cu.h"

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
};

struct store;
struct master_key;
struct secret;
struct cu_err;
struct principal_cache;

/* A cache of resolved access keys, shared by all server threads. Entries are reused while
 * the store's generation is unchanged, so a deleted or deactivated key stops working with
 * the next request after the change commits. */
MUST_CHECK cu_rc principal_cache_new(struct principal_cache **out);
void principal_cache_free(struct principal_cache *cache);

/* Resolve the access key id of a request into its principal and a copy of its secret
 * access key (*secret_key owned by the caller: secret_free). Unknown or inactive keys fail
 * with CU_E_UNKNOWN_ACCESS_KEY and AWS's message. */
MUST_CHECK cu_rc principal_resolve(struct principal_cache *cache, struct store *store,
                                   const struct master_key *mk, const char *akid,
                                   struct principal *out, struct secret **secret_key,
                                   struct cu_err *err);

#endif
