/* instance_profile_tags.c — IAM instance profile tags: TagInstanceProfile,
 * UntagInstanceProfile, ListInstanceProfileTags. Tags live in the profile record (iam_tags.c:
 * at most 50, TagsPerInstanceProfile) and are its aws:ResourceTag/<key>
 * (iam_resolve_instance_profile). Each handler acts on the record its resolver loaded. */
#include "iam_common.h"
#include "iam_ops.gen.h"

cu_rc iam_tag_instance_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *profile;

    TRY(kind_target(call, &iam_kind_instance_profile, in_str(in, "InstanceProfileName"),
                    &profile));
    TRY(iam_tags_add(call, profile, in_list(in, "Tags"), "TagsPerInstanceProfile"));
    TRY(kind_update(call, &iam_kind_instance_profile, NULL, profile));
out:
    return rc;
}

cu_rc iam_untag_instance_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *profile;

    TRY(kind_target(call, &iam_kind_instance_profile, in_str(in, "InstanceProfileName"),
                    &profile));
    iam_tags_remove(profile, in_list(in, "TagKeys"));
    TRY(kind_update(call, &iam_kind_instance_profile, NULL, profile));
out:
    return rc;
}

cu_rc iam_list_instance_profile_tags(struct call *call, const json_t *in, json_t *out)
{
    return iam_tags_list(call, &iam_list_instance_profile_tags_page, in,
                         &iam_kind_instance_profile, in_str(in, "InstanceProfileName"), out);
}
