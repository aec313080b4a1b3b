/* mfa_device_tags.c — virtual MFA device tags: TagMFADevice, UntagMFADevice,
 * ListMFADeviceTags. Tags live in the device record (iam_tags.c: at most 50, the IAM
 * quota for tags per MFA device) and are its aws:ResourceTag/<key>
 * (iam_resolve_mfa_device). Each handler acts on the record its resolver loaded. */
#include "iam_common.h"
#include "iam_ops.gen.h"

cu_rc iam_tag_mfa_device(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *device;

    (void)out;
    TRY(kind_target(call, &iam_kind_mfa_device, in_str(in, "SerialNumber"), &device));
    TRY(iam_tags_add(call, device, in_list(in, "Tags"), "TagsPerMFADevice"));
    TRY(kind_update(call, &iam_kind_mfa_device, NULL, device));
out:
    return rc;
}

cu_rc iam_untag_mfa_device(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *device;

    (void)out;
    TRY(kind_target(call, &iam_kind_mfa_device, in_str(in, "SerialNumber"), &device));
    iam_tags_remove(device, in_list(in, "TagKeys"));
    TRY(kind_update(call, &iam_kind_mfa_device, NULL, device));
out:
    return rc;
}

cu_rc iam_list_mfa_device_tags(struct call *call, const json_t *in, json_t *out)
{
    return iam_tags_list(call, &iam_list_mfa_device_tags_page, in, &iam_kind_mfa_device,
                         in_str(in, "SerialNumber"), out);
}
