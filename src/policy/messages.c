/* messages.c — every MalformedPolicyDocument text the policy engine answers with, in one
 * table, so the IAM handlers, KMS and `custos policy check` print the same words. IAM's
 * texts are those IAM returns (the IAM API reference names the error, not its texts; the
 * wordings were observed from AWS and are recorded in the issue that asked for them, and
 * in AWS-recorded test tables such as moto's tests/test_iam/test_iam_policies.py). KMS's
 * and Organizations' differ from IAM's and are kept apart. A "%s" in a text is filled
 * with a piece of the document, cut to MESSAGE_ARG_MAX characters. */
#include <string.h>

#include "policy_impl.h"

#define MESSAGE_ARG_MAX 200

static const char *const texts[] = {
    [MSG_SYNTAX] = "Syntax errors in policy.",
    [MSG_VERSION] = "Policy document must be version 2012-10-17 or greater.",
    [MSG_LEGACY] = "The policy failed legacy parsing",
    [MSG_SID_UNIQUE] = "Statement IDs (SID) in a single policy must be unique.",
    [MSG_SID_ALNUM] = "Statement IDs (SID) must be alpha-numeric. Check that your input "
                      "satisfies the regular expression [0-9A-Za-z]*",
    [MSG_NO_ACTIONS] = "Policy statement must contain actions.",
    [MSG_NO_RESOURCES] = "Policy statement must contain resources.",
    [MSG_ARN_FORMAT] = "Resource %s must be in ARN format or \"*\".",
    [MSG_PARTITION] = "Partition \"%s\" is not valid for resource \"%s\".",
    [MSG_VENDOR_QUALIFIED] = "Resource vendor must be fully qualified and cannot contain regexes.",
    [MSG_IAM_REGION] = "IAM resource %s cannot contain region information.",
    [MSG_S3_REGION] = "Resource %s can not contain region information.",
    /* newer IAM answers add ", root," after "*"; the issue recorded this form */
    [MSG_IAM_PATH] = "IAM resource path must either be \"*\" or start with user/, "
                     "federated-user/, role/, group/, instance-profile/, mfa/, "
                     "server-certificate/, policy/, sms-mfa/, saml-provider/, "
                     "oidc-provider/, report/, access-report/.",
    [MSG_ACTION_VENDOR] = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, "
                          "ec2, etc.",
    [MSG_ACTION_COLON] = "Actions/Condition can contain only one colon.",
    /* quoted from IAM in boogy/iam-policy-validator PR #172 */
    [MSG_ACTION_WILDCARD] = "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards",
    [MSG_VENDOR_INVALID] = "Vendor %s is not valid",
    [MSG_PRINCIPAL_FORBIDDEN] = "Policy document should not specify a principal.",
    [MSG_INVALID_PRINCIPAL] = "Invalid principal in policy: \"AWS\":\"%s\"",
    /* S3 bucket policies and the IAM console */
    [MSG_PRINCIPAL_MISSING] = "Missing required field Principal",
    [MSG_EFFECT_MISSING] = "Missing required field Effect",
    [MSG_EFFECT_INVALID] = "Invalid effect: must be Allow or Deny",
    /* KMS (terraform-aws-modules/terraform-aws-eks #2163, terraform-aws-kms #30) */
    [MSG_KMS_NO_PRINCIPAL] = "Policy contains a statement with no principal.",
    [MSG_KMS_INVALID_PRINCIPAL] = "Policy contains a statement with one or more invalid "
                                  "principals.",
    /* Organizations, for any document an RCP may not be */
    [MSG_ORGANIZATIONS_TYPE] = "The provided policy document does not meet the requirements "
                               "of the specified policy type.",
    /* IAM, for a role's trust policy (CreateRole, UpdateAssumeRolePolicy) */
    [MSG_RESOURCE_PROHIBITED] = "Has prohibited field Resource",
    [MSG_TRUST_ACTIONS] = "AssumeRole policy may only specify STS AssumeRole actions.",
};

const char *policy_message(enum policy_message m)
{
    return texts[m];
}

/* Append at most MESSAGE_ARG_MAX characters of arg. */
static size_t put(char *out, size_t cap, size_t len, const char *s, size_t n)
{
    for (size_t i = 0; i < n && len + 1 < cap; i++)
        out[len++] = s[i];
    return len;
}

cu_rc policy_malformed(struct cu_err *err, enum policy_message m, const char *arg1,
                       const char *arg2)
{
    char msg[CU_ERR_MSG_MAX];
    const char *args[2] = {arg1, arg2};
    const char *t = texts[m];
    size_t len = 0, used = 0;

    while (*t) {
        const char *hole = strstr(t, "%s");
        size_t n = hole ? (size_t)(hole - t) : strlen(t);
        len = put(msg, sizeof(msg), len, t, n);
        t += n;
        if (!hole)
            break;
        if (used < 2 && args[used]) {
            size_t a = strlen(args[used]);
            len = put(msg, sizeof(msg), len, args[used], a > MESSAGE_ARG_MAX ? MESSAGE_ARG_MAX : a);
        }
        used++;
        t += 2;
    }
    msg[len] = '\0';
    return cu_err_set(err, CU_E_IAM_MALFORMED_POLICY, "%s", msg);
}
