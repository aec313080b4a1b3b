/* iam.h — what the IAM service offers the rest of custos: the record writer bootstrap
 * reuses and the managed-policy use counts its own files share. A principal's policies are
 * loaded by auth/identity_set.h, not here. Its handlers are declared in iam_ops.gen.h,
 * generated from iam.ops. */
#ifndef CU_IAM_H
#define CU_IAM_H

#include "services/call.h"

/* Store an access key for `user` ("" for the account's root user) in `account`, its secret
 * sealed under the master key. Used by CreateAccessKey and by the first-start bootstrap.
 * Fails with CU_E_STORE_EXISTS if the key id is taken. secret is not kept. */
MUST_CHECK cu_rc iam_store_access_key(struct store_tx *tx, const struct master_key *mk,
                                      const char *account, const char *user, const char *akid,
                                      const char *secret, int64_t now_ms);
/* How many access keys `user` ("" for root) of `account` has (the store's access_key
 * index by user, records.h). */
MUST_CHECK cu_rc iam_access_key_count(struct store_tx *tx, const char *account, const char *user,
                                      size_t *n);
/* The same index lookup, for store_find: q's value points into value, which holds
 * RECORD_NAME_MAX bytes and must outlive q. */
void iam_access_key_lookup(const char *account, const char *user, struct store_lookup *q,
                           char *value);

/* Make the managed policy arn the boundary of the user record (not yet saved), counting
 * its use (and releasing the previous boundary's); NoSuchEntity as IAM words it ("Policy
 * <arn> does not exist or is not attachable."). */
MUST_CHECK cu_rc iam_boundary_set(struct call *call, json_t *user, const char *arn);
/* Add delta to the use count `count` ("AttachmentCount" or
 * "PermissionsBoundaryUsageCount") of the managed policy arn; NoSuchEntity if none. */
MUST_CHECK cu_rc iam_managed_policy_count(struct call *call, const char *arn, const char *count,
                                          int delta);
/* The same for a policy record the call has loaded (changed in place and saved). */
MUST_CHECK cu_rc iam_managed_policy_use(struct call *call, json_t *policy, const char *count,
                                        int delta);

/* What iam_mfa_check_code found. */
enum iam_mfa_check {
    IAM_MFA_OK,        /* the code is the device's, and now spent */
    IAM_MFA_NO_DEVICE, /* serial names no virtual device enabled for the user */
    IAM_MFA_BAD_CODE,  /* the device's, but not a code it shows now, or one already used */
};

/* STS's MFA check (GetSessionToken, AssumeRole SerialNumber and TokenCode): whether code
 * is a current code of the virtual MFA device `serial` enabled for the IAM user named
 * `user` ("" or NULL: the root user, which holds no device in custos) of the call's
 * account, under the rules EnableMFADevice's codes follow (a step either side of the
 * device's clock, never a step at or before the last accepted). An accepted code's step
 * becomes the device's LastStep, written in the call's transaction, so it is never
 * accepted twice. *out says which; the wording of the failure is the caller's.
 * Errors: store and crypto failures only. */
MUST_CHECK cu_rc iam_mfa_check_code(struct call *call, const char *user, const char *serial,
                                    const char *code, enum iam_mfa_check *out);

#endif
