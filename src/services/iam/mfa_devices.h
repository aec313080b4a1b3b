/* mfa_devices.h — what other IAM files ask of virtual MFA devices (mfa_devices.c). */
#ifndef CU_IAM_MFA_DEVICES_H
#define CU_IAM_MFA_DEVICES_H

#include "services/call.h"

/* DeleteUser's check: DeleteConflict in AWS's wording ("Cannot delete entity, must delete
 * MFA device first.") while an MFA device is enabled for the user named `user`. */
MUST_CHECK cu_rc iam_mfa_delete_conflict(struct call *call, const char *user);

/* UpdateUser's part: the devices enabled for `from` name `to` afterwards (their User in
 * ListVirtualMFADevices, their UserName in ListMFADevices and GetMFADevice). */
MUST_CHECK cu_rc iam_mfa_rename_user(struct call *call, const char *from, const char *to);

/* How many MFA devices are enabled for the user: the credential report's mfa_active. */
MUST_CHECK cu_rc iam_mfa_enabled_count(struct call *call, const char *user, size_t *n);

/* GetAccountSummary's MFADevices (every virtual device of the call's account) and
 * MFADevicesInUse (those enabled for a user). */
MUST_CHECK cu_rc iam_mfa_counts(struct call *call, size_t *devices, size_t *in_use);

#endif
