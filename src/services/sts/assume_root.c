/* assume_root.c — STS AssumeRoot: a short root session in a member account of the
 * caller's organization (STS API reference, AssumeRoot; IAM guide, id_root-user and
 * id_root-enable-root-access), answered as AWS answers outside Organizations:
 *   resolver  the request's own checks before anything is authorized: TargetPrincipal is
 *             an account id or that account's root ARN, TaskPolicyArn one of the five
 *             root-task managed policies, the caller not a root user ("You cannot use
 *             root user credentials to make this call"); the resource is the target
 *             account's root, arn:aws:iam::<target>:root (Service Authorization
 *             Reference, sts: resource type "root");
 *   authorize sts:AssumeRoot on that resource by the caller's identity policies;
 *   handler   no session: a root session needs the caller's account to be the
 *             organization's management account (or IAM's delegated administrator) with
 *             centralized root access enabled, and custos has no Organizations, so no
 *             account is a member of any. AWS documents no error of its own for this
 *             (the model lists only RegionDisabledException and ExpiredTokenException),
 *             so the answer is the AccessDenied of an unauthorized AssumeRoot.
 * DurationSeconds (0..900) is the model's constraint, checked before the resolver. */
#include <stdio.h>
#include <string.h>

#include "services/in.h"
#include "sts_credentials.h"
#include "sts_ops.gen.h"

#define ROOT_TASK_PREFIX "arn:aws:iam::aws:policy/root-task/"

/* the AWS managed policies a root session may be scoped to (AssumeRoot, TaskPolicyArn) */
static const char *const ROOT_TASK_POLICIES[] = {
    "IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
    "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy",
};

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return s[n] == '\0' || s[n] == ':';
}

/* the 12-digit account of TargetPrincipal ("111122223333" or
 * "arn:aws:iam::111122223333:root"), into acct[13]; false for anything else */
static bool target_account(const char *target, char acct[13])
{
    static const char arn_prefix[] = "arn:aws:iam::";
    const char *digits = target;

    if (strncmp(target, arn_prefix, sizeof(arn_prefix) - 1) == 0) {
        digits = target + sizeof(arn_prefix) - 1;
        if (strlen(digits) != 12 + strlen(":root") || strcmp(digits + 12, ":root") != 0)
            return false;
    } else if (strlen(target) != 12) {
        return false;
    }
    if (!all_digits(digits, 12))
        return false;
    memcpy(acct, digits, 12);
    acct[12] = '\0';
    return true;
}

static bool root_task_policy(const char *arn)
{
    if (strncmp(arn, ROOT_TASK_PREFIX, sizeof(ROOT_TASK_PREFIX) - 1) != 0)
        return false;
    for (size_t i = 0; i < sizeof(ROOT_TASK_POLICIES) / sizeof(ROOT_TASK_POLICIES[0]); i++)
        if (strcmp(arn + sizeof(ROOT_TASK_PREFIX) - 1, ROOT_TASK_POLICIES[i]) == 0)
            return true;
    return false;
}

cu_rc sts_resolve_assume_root(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *target = in_str_or(in, "TargetPrincipal", "");
    const json_t *task = in_obj(in, "TaskPolicyArn");
    const char *task_arn = json_string_value(json_object_get(task, "arn"));
    char acct[13] = "";

    ENSURE(target_account(target, acct),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "TargetPrincipal must be a 12-digit account ID or the ARN of an "
                      "account's root user (arn:aws:iam::<account-id>:root)."));
    ENSURE(task_arn && root_task_policy(task_arn),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "TaskPolicyArn must be one of the AWS managed policies under "
                      "%s: IAMAuditRootUserCredentials, IAMCreateRootUserPassword, "
                      "IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, "
                      "SQSUnlockQueuePolicy.",
                      ROOT_TASK_PREFIX));
    ENSURE(call->principal->type != PRINCIPAL_ROOT,
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "You cannot use root user credentials to call AssumeRoot."));
    /* the caller's identity policies grant sts:AssumeRoot on a member account's root
     * (IAM guide, id_root-user-privileged-task); the target account holds no policy that
     * takes part, its membership is the organization's to vouch for. So the resource is
     * evaluated as the caller's account's: identity policies decide, no resource policy
     * is asked for. */
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:root", acct);
    memcpy(call->target.account_id, call->principal->account_id,
           sizeof(call->target.account_id));
out:
    return rc;
}

cu_rc sts_assume_root(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;

    (void)in;
    (void)out;
    TRY(sts_session_refuse(call));
    /* allowed, yet no account is a member of an organization the caller manages: the
     * session AWS would issue cannot exist (file comment) */
    rc = cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                    "User: %s is not authorized to perform: sts:AssumeRoot on resource: %s",
                    call->principal->arn, call->target.arn);
out:
    return rc;
}
