/* iam_keys.c — the IAM request condition keys that iam.ops names with keys=: added to
 * the call before authorization (IAM guide, reference_policies_iam-condition-keys). Values
 * are borrowed from the request tree, which outlives the call's keys. */
#include "iam_ops.gen.h"

void iam_keys_request_tags(const json_t *in, struct call_keys *keys)
{
    call_keys_request_tags(keys, json_object_get(in, "Tags"));
}

void iam_keys_tag_keys(const json_t *in, struct call_keys *keys)
{
    const char *names[CALL_MAX_KEYS];
    size_t i, n = 0;
    json_t *k;

    json_array_foreach(json_object_get(in, "TagKeys"), i, k)
        if (n < CALL_MAX_KEYS)
            names[n++] = json_string_value(k);
    if (n)
        call_keys_add_multi(keys, "aws:TagKeys", names, n);
}

void iam_keys_boundary(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "iam:PermissionsBoundary",
                  json_string_value(json_object_get(in, "PermissionsBoundary")));
}

/* iam:PolicyARN: the managed policy an Attach/Detach request names. */
void iam_keys_policy_arn(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "iam:PolicyARN", json_string_value(json_object_get(in, "PolicyArn")));
}

/* CreateUser: its tags and its permissions boundary. */
void iam_keys_new_user(const json_t *in, struct call_keys *keys)
{
    iam_keys_request_tags(in, keys);
    iam_keys_boundary(in, keys);
}
