/* iam_keys.c — the IAM request condition keys that iam.ops names with keys=: added to
 * the call before authorization (IAM guide, reference_policies_iam-condition-keys). Values
 * are borrowed from the request tree, which outlives the call's keys. */
#include "iam_ops.gen.h"
#include "services/in.h"

void iam_keys_request_tags(const json_t *in, struct call_keys *keys)
{
    call_keys_request_tags(keys, in_list(in, "Tags"));
}

void iam_keys_tag_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_tag_keys(keys, in_list(in, "TagKeys"));
}

void iam_keys_boundary(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "iam:PermissionsBoundary", in_str(in, "PermissionsBoundary"));
}

/* iam:PolicyARN: the managed policy an Attach/Detach request names. */
void iam_keys_policy_arn(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "iam:PolicyARN", in_str(in, "PolicyArn"));
}

/* CreateUser: its tags and its permissions boundary. */
void iam_keys_new_user(const json_t *in, struct call_keys *keys)
{
    iam_keys_request_tags(in, keys);
    iam_keys_boundary(in, keys);
}

/* CreateRole: its tags and its permissions boundary, as CreateUser's. */
void iam_keys_new_role(const json_t *in, struct call_keys *keys)
{
    iam_keys_new_user(in, keys);
}

/* iam:AWSServiceName: the service a CreateServiceLinkedRole request names (IAM guide,
 * reference_policies_iam-condition-keys). */
void iam_keys_aws_service_name(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "iam:AWSServiceName", in_str(in, "AWSServiceName"));
}
