/* iam_common.h — what the IAM handlers share: ARNs, the caller's own user name, IAM's
 * record kinds (iam_kinds.c), the target user the resolver loaded, Marker/MaxItems/
 * PathPrefix lists, and the resolvers used for authorization. Handlers reach the generic
 * helpers through it: kinds (services/kind.h), rendering (services/render.h), input
 * getters (services/in.h) and pagination (services/page.h). */
#ifndef CU_IAM_COMMON_H
#define CU_IAM_COMMON_H

#include "services/call.h"
#include "services/in.h"
#include "services/kind.h"
#include "services/page.h"
#include "services/render.h"
#include "store/records.h"

#define IAM_ARN_MAX 1024

/* IAM's record kinds (iam_kinds.c). iam_kind_attachable_policy is iam_kind_managed_policy
 * with the not-found wording of a request that attaches the policy. */
extern const struct kind iam_kind_user;
extern const struct kind iam_kind_group;
extern const struct kind iam_kind_managed_policy;
extern const struct kind iam_kind_attachable_policy;
extern const struct kind iam_kind_user_policy;
extern const struct kind iam_kind_role;
extern const struct kind iam_kind_role_policy;
extern const struct kind iam_kind_group_policy;
extern const struct kind iam_kind_login_profile;
extern const struct kind iam_kind_instance_profile;
/* Identity providers (oidc_providers.c, saml_providers.c); the _delete row is the same
 * kind with the not-found wording DeleteOpenIDConnectProvider answers. */
extern const struct kind iam_kind_oidc_provider;
extern const struct kind iam_kind_oidc_provider_delete;
extern const struct kind iam_kind_saml_provider;
extern const struct kind iam_kind_mfa_device;
extern const struct kind iam_kind_ssh_public_key;
extern const struct kind iam_kind_signing_cert;
extern const struct kind iam_kind_server_cert;
extern const struct kind iam_kind_service_credential;

/* arn:aws:iam::<account>:user<path><name>; path defaults to "/". */
void iam_user_arn(const char *account, const char *path, const char *name, char out[IAM_ARN_MAX]);

/* The UserName the request names, or — when it names none — the calling IAM user's own
 * name (AWS: "If you do not specify a user name, IAM determines the user name implicitly
 * based on the AWS access key ID used to sign the request"). NULL for root with no name. */
const char *iam_user_name_or_caller(const struct call *call, const json_t *in);

/* The user an operation resolved by iam_resolve_user acts on: the record the resolver
 * loaded (call->target.doc, borrowed: change it and save it with iam_user_save), or
 * NoSuchEntity in AWS's wording naming the user the request gave. */
MUST_CHECK cu_rc iam_target_user(struct call *call, const json_t *in, json_t **user);

/* Load the user named `name` or fail with NoSuchEntity in AWS's wording. *doc owned.
 * For a user that is not the operation's target (the target: iam_target_user). */
MUST_CHECK cu_rc iam_user_load(struct call *call, const char *name, json_t **doc);

/* Store a changed user record (iam_target_user's or iam_user_load's) in place. */
MUST_CHECK cu_rc iam_user_save(struct call *call, const json_t *user);

/* A list operation over the records of `kind` in the call's account, in key order
 * (lowercased name), keeping those whose Path starts with the request's PathPrefix,
 * paged by desc (page.h), each rendered through the element shape of the operation's
 * result list (desc->op's desc->result_key: ListGroups' Groups, Group): the result list,
 * IsTruncated and Marker. */
MUST_CHECK cu_rc iam_list_by_path(struct call *call, const struct page_desc *desc,
                                  const json_t *in, const char *kind, json_t *out);

/* The element shape of an IAM list operation's result (desc->op's desc->result_key), or
 * NULL when the model has none; render_record then fails with CU_E_INTERNAL. */
const struct shape *iam_page_item_shape(const struct page_desc *desc);

/* Tags of an entity record (a user, a role; iam_tags.c). iam_tags_add adds or replaces
 * the tags `add` lists ([{Key, Value}]) in record (not saved), LimitExceeded past 50
 * ("Cannot exceed quota for <quota>: 50"); iam_tags_remove drops the keys listed;
 * iam_tags_list pages the tags of the record of kind k named `name` its resolver loaded. */
MUST_CHECK cu_rc iam_tags_add(struct call *call, json_t *record, const json_t *add,
                              const char *quota);
void iam_tags_remove(json_t *record, const json_t *keys);
MUST_CHECK cu_rc iam_tags_list(struct call *call, const struct page_desc *desc,
                               const json_t *in, const struct kind *k, const char *name,
                               json_t *out);

/* Managed policies attached to an entity record (a user, a role; attached_policies.c).
 * iam_attach_policy attaches arn (nothing when attached already), counting its use,
 * LimitExceeded past 10 ("Cannot exceed quota for <quota>: 10"); iam_detach_policy
 * detaches it, NoSuchEntity when not attached; neither saves the entity.
 * iam_list_attached pages the attached policies of the record of kind k named `name`
 * its resolver loaded, keeping those under the request's PathPrefix. */
MUST_CHECK cu_rc iam_attach_policy(struct call *call, json_t *entity, const char *arn,
                                   const char *quota);
MUST_CHECK cu_rc iam_detach_policy(struct call *call, json_t *entity, const char *arn);
MUST_CHECK cu_rc iam_list_attached(struct call *call, const struct page_desc *desc,
                                   const json_t *in, const struct kind *k, const char *name,
                                   json_t *out);

/* The resource's owner is the call's account (IAM resolvers start here). */
void iam_set_account_target(struct call *call);

#endif
