/* aws_managed.c — look-ups in the built-in table of AWS managed policies (aws_managed.h;
 * the table itself is aws_managed.gen.c). An AWS managed policy is named only by its full
 * ARN, path included: arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole is not
 * arn:aws:iam::aws:policy/AWSGlueServiceRole, as in IAM. */
#include <string.h>

#include "aws_managed.h"

bool aws_managed_is_arn(const char *arn)
{
    return arn && strncmp(arn, AWS_MANAGED_ARN_PREFIX, strlen(AWS_MANAGED_ARN_PREFIX)) == 0;
}

const struct aws_managed_policy *aws_managed_find(const char *arn)
{
    if (!aws_managed_is_arn(arn))
        return NULL;
    for (size_t i = 0; i < aws_managed_policies_n; i++)
        if (strcmp(aws_managed_policies[i].arn, arn) == 0)
            return &aws_managed_policies[i];
    return NULL;
}
