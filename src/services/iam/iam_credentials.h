/* iam_credentials.h — what the IAM credential families (ssh_keys.c, signing_certs.c,
 * server_certs.c, service_credentials.c; iam_credentials.c) offer users.c and account.c:
 * DeleteUser's refusal while a user holds any of them, UpdateUser's move of them to the
 * user's new name, GetAccountSummary's counts, and the helpers the families share. */
#ifndef CU_IAM_CREDENTIALS_H
#define CU_IAM_CREDENTIALS_H

#include "iam_common.h"

/* DeleteConflict, in AWS's wording for the first kind found, when the user `user` still
 * has signing certificates, SSH public keys or service-specific credentials. */
MUST_CHECK cu_rc iam_credentials_delete_conflict(struct call *call, const char *user);

/* Move the credentials of user `from` to its new name `to` (same transaction as the
 * rename): their records change scope and UserName; ids, dates and secrets stay. */
MUST_CHECK cu_rc iam_credentials_rename_user(struct call *call, const char *from,
                                             const char *to);

/* GetAccountSummary's ServerCertificates and AccountSigningCertificatesPresent. */
MUST_CHECK cu_rc iam_credentials_summary(struct call *call, json_t *map);

/* The user whose credentials the call acts on (UserName, else the calling IAM user), as
 * stored, borrowed from the record its resolver (iam_resolve_user) loaded; NULL when root
 * names no user. NoSuchEntity for a named user that does not exist. */
MUST_CHECK cu_rc iam_credential_owner(struct call *call, const json_t *in, const char **owner);

/* How many records of kind k the user `owner` ("" for root) holds. */
MUST_CHECK cu_rc iam_credential_count(struct call *call, const struct kind *k,
                                      const char *owner, size_t *n);

/* Refuse a Status no request may set: "Expired" is only ever reported (InvalidInput). */
MUST_CHECK cu_rc iam_credential_status(struct call *call, const json_t *in, const char **status);

#endif
