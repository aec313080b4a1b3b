/* aws_managed_policies.h — one look-up of a managed policy by ARN for both namespaces:
 * a customer managed policy (its store record, managed_policies.c) and an AWS managed
 * policy (arn:aws:iam::aws:policy/..., the built-in table policy/aws_managed.h, whose
 * documents are AWS's and whose use by this account — AttachmentCount,
 * PermissionsBoundaryUsageCount — is a store record, RECORD_AWS_POLICY_USE). Handlers
 * treat both alike: they find, count and save through these functions, and refuse the
 * changes AWS refuses on an AWS managed policy with iam_policy_refuse_aws. */
#ifndef CU_IAM_AWS_MANAGED_POLICIES_H
#define CU_IAM_AWS_MANAGED_POLICIES_H

#include "iam_common.h"

/* The managed policy arn names: a customer managed policy's record, or an AWS managed
 * policy as a record of the same members (PolicyName, PolicyId, Arn, Path,
 * DefaultVersionId, Description, CreateDate, UpdateDate, AttachmentCount,
 * PermissionsBoundaryUsageCount, Document, Versions: its default version), marked
 * "AwsManaged". *doc owned; NULL when there is none (no client error). */
MUST_CHECK cu_rc iam_policy_find(struct call *call, const char *arn, json_t **doc);

/* iam_policy_find, failing with k's not-found error naming arn when there is none. */
MUST_CHECK cu_rc iam_policy_load(struct call *call, const struct kind *k, const char *arn,
                                 json_t **doc);

/* Whether a record from iam_policy_find is an AWS managed policy. */
bool iam_policy_is_aws(const json_t *doc);

/* Store a changed policy record: a customer managed policy's record in place, or an AWS
 * managed policy's counts in this account (the use record goes when both are 0). */
MUST_CHECK cu_rc iam_policy_save(struct call *call, const json_t *doc);

/* When policy is an AWS managed policy, set AccessDenied ("Cannot <what> policies outside
 * your own account.") and return its code: AWS managed policies cannot be changed,
 * versioned, tagged or deleted. CU_OK for a customer managed policy. */
MUST_CHECK cu_rc iam_policy_refuse_aws(struct call *call, const json_t *policy,
                                       const char *what);

/* Call each(key, view, ctx) for every AWS managed policy, in name order, with its view
 * (as iam_policy_find makes it, borrowed for the call) and key its lowercased name. */
typedef cu_rc (*iam_aws_policy_fn)(const char *key, const json_t *view, void *ctx);
MUST_CHECK cu_rc iam_aws_policies_each(struct call *call, iam_aws_policy_fn each, void *ctx);

#endif
