/* user_tags.c — IAM user tags: TagUser, UntagUser, ListUserTags. Tags live in the user
 * record (iam_tags.c: at most 50, TagsPerUser). The tags also become the user's
 * aws:PrincipalTag/<key> condition keys (server/authorize.c). Each handler acts on the
 * user record its resolver loaded (iam_target_user). */
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

cu_rc iam_tag_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user;

    TRY(iam_target_user(call, in, &user));
    TRY(iam_tags_add(call, user, in_list(in, "Tags"), "TagsPerUser"));
    TRY(iam_user_save(call, user));
out:
    return rc;
}

cu_rc iam_untag_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user;

    TRY(iam_target_user(call, in, &user));
    iam_tags_remove(user, in_list(in, "TagKeys"));
    TRY(iam_user_save(call, user));
out:
    return rc;
}

cu_rc iam_list_user_tags(struct call *call, const json_t *in, json_t *out)
{
    return iam_tags_list(call, &iam_list_user_tags_page, in, &iam_kind_user,
                         iam_user_name_or_caller(call, in), out);
}
