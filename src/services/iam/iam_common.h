/* iam_common.h — what the IAM handlers share: ARNs, the caller's own user name,
 * Marker/MaxItems pagination, and the user resolver used for authorization. */
#ifndef CU_IAM_COMMON_H
#define CU_IAM_COMMON_H

#include "services/call.h"
#include "store/records.h"

#define IAM_ARN_MAX 1024

/* arn:aws:iam::<account>:user<path><name>; path defaults to "/". */
void iam_user_arn(const char *account, const char *path, const char *name, char out[IAM_ARN_MAX]);

/* The UserName the request names, or — when it names none — the calling IAM user's own
 * name (AWS: "If you do not specify a user name, IAM determines the user name implicitly
 * based on the AWS access key ID used to sign the request"). NULL for root with no name. */
const char *iam_user_name_or_caller(const struct call *call, const json_t *in);

/* Load the user named `name` or fail with NoSuchEntity in AWS's wording. *doc owned. */
MUST_CHECK cu_rc iam_user_load(struct call *call, const char *name, json_t **doc);

/* Store a changed user record (loaded with iam_user_load) in place. */
MUST_CHECK cu_rc iam_user_save(struct call *call, const json_t *user);

/* Marker/MaxItems as IAM's list operations take them. MaxItems defaults to 100. */
struct iam_page {
    const char *marker;  /* borrowed from the request, NULL for the first page */
    size_t max_items;
};
MUST_CHECK cu_rc iam_page_parse(struct call *call, const json_t *in, struct iam_page *page);
/* Add IsTruncated (and Marker when truncated) to out. */
MUST_CHECK cu_rc iam_page_finish(json_t *out, bool truncated, const char *next_marker);

/* Resolver for operations on one user (UserName member, or the caller): the target ARN
 * is the user's ARN with its path when the user exists, else with the path "/". */
MUST_CHECK cu_rc iam_resolve_user(struct call *call, const json_t *in);
/* Resolver for CreateUser: the ARN the new user will have. */
MUST_CHECK cu_rc iam_resolve_new_user(struct call *call, const json_t *in);
/* Resolver for list operations over users: arn:aws:iam::<acct>:user<PathPrefix>. */
MUST_CHECK cu_rc iam_resolve_user_list(struct call *call, const json_t *in);

#endif
