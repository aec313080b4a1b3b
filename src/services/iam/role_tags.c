/* role_tags.c — IAM role tags: TagRole, UntagRole, ListRoleTags. Tags live in the role
 * record (iam_tags.c: at most 50, TagsPerRole) and are the role's aws:ResourceTag/<key>
 * (iam_resolve_role). Each handler acts on the role record its resolver loaded. */
#include "iam_common.h"
#include "iam_ops.gen.h"

cu_rc iam_tag_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(kind_target(call, &iam_kind_role, in_str(in, "RoleName"), &role));
    TRY(iam_tags_add(call, role, in_list(in, "Tags"), "TagsPerRole"));
    TRY(kind_update(call, &iam_kind_role, NULL, role));
out:
    return rc;
}

cu_rc iam_untag_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role;

    TRY(kind_target(call, &iam_kind_role, in_str(in, "RoleName"), &role));
    iam_tags_remove(role, in_list(in, "TagKeys"));
    TRY(kind_update(call, &iam_kind_role, NULL, role));
out:
    return rc;
}

cu_rc iam_list_role_tags(struct call *call, const json_t *in, json_t *out)
{
    return iam_tags_list(call, &iam_list_role_tags_page, in, &iam_kind_role,
                         in_str(in, "RoleName"), out);
}
