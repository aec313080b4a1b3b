/* iam_groups.h — what the group files (groups.c, group_members.c, group_policies.c,
 * group_attached.c) share with each other and with DeleteUser: a group's ARN, the counts
 * behind DeleteGroup's and DeleteUser's DeleteConflict, and what UpdateGroup carries to a
 * group's new name. Memberships are group_member records (store/records.h). */
#ifndef CU_IAM_GROUPS_H
#define CU_IAM_GROUPS_H

#include "iam_common.h"

/* arn:aws:iam::<account>:group<path><name>; path defaults to "/". */
void iam_group_arn(const char *account, const char *path, const char *name,
                   char out[IAM_ARN_MAX]);

/* How many users group `group` has (by: RECORD_GROUP_MEMBER_BY_GROUP), or how many groups
 * user `user` is in (by: RECORD_GROUP_MEMBER_BY_USER); name as given, folded here. */
MUST_CHECK cu_rc iam_group_member_count(struct call *call, const char *by, const char *name,
                                        size_t *n);

/* Move the memberships of group `from` to the group record `to` (renamed): each record is
 * deleted and put again under the new key with the new GroupName. */
MUST_CHECK cu_rc iam_group_members_move(struct call *call, const char *from, const json_t *to);

/* Move the memberships of user `from` to its new name `to` (UpdateUser): the renamed user
 * stays in its groups. */
MUST_CHECK cu_rc iam_group_memberships_rename_user(struct call *call, const char *from,
                                                   const char *to);

#endif
