/* iam_common.h — what the IAM handlers share: ARNs, the caller's own user name,
 * Marker/MaxItems pagination, and the user resolver used for authorization. */
#ifndef CU_IAM_COMMON_H
#define CU_IAM_COMMON_H

#include "services/call.h"
#include "services/page.h"
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

/* Renders one stored record as the item a list operation returns; *out is new. */
typedef cu_rc (*iam_view_fn)(const json_t *doc, json_t **out);
/* A list operation over the records of `kind` in the call's account, in key order
 * (lowercased name), keeping those whose Path starts with the request's PathPrefix,
 * paged by desc (page.h): the result list, IsTruncated and Marker. */
MUST_CHECK cu_rc iam_list_by_path(struct call *call, const struct page_desc *desc,
                                  const json_t *in, const char *kind, iam_view_fn view,
                                  json_t *out);

/* The resource's owner is the call's account (IAM resolvers start here). */
void iam_set_account_target(struct call *call);

#endif
