/* iam_providers.h — what other IAM files ask of identity providers (oidc_providers.c,
 * saml_providers.c), and the helpers the two provider families share (providers.c). */
#ifndef CU_IAM_PROVIDERS_H
#define CU_IAM_PROVIDERS_H

#include "services/call.h"

/* AWS's default quotas (IAM guide, reference_iam-quotas): 100 OIDC and 100 SAML
 * providers per account, 50 tags per provider. */
#define IAM_PROVIDERS_PER_ACCOUNT 100
#define IAM_PROVIDER_TAGS_MAX 50

/* *n: the OpenID Connect and SAML providers of the call's account together
 * (GetAccountSummary's "Providers"). Errors: the store's. */
MUST_CHECK cu_rc iam_identity_provider_count(struct call *call, size_t *n);

/* Render `rec` (borrowed) through the whole output shape of IAM operation `op` into the
 * top level of out (GetOpenIDConnectProvider: Url, ClientIDList, ...), then give each of
 * the NULL-terminated list members in `lists` an empty list where the record has none,
 * as AWS answers them (GetOpenIDConnectProvider of a provider without client ids answers
 * ClientIDList []). Errors as render_record's. */
MUST_CHECK cu_rc iam_provider_render(json_t *out, const char *op, const json_t *rec,
                                     const char *const *lists);

/* The List operation `op` of a provider kind: every record of store kind `store_kind` in
 * the account, in key order, rendered through the model's element shape of the output
 * list `member` (the models give these lists no Marker). */
MUST_CHECK cu_rc iam_provider_list(struct call *call, const char *store_kind, const char *op,
                                   const char *member, json_t *out);

/* Resolve a provider ARN of the call's account: call->target.arn is `arn` as given, the
 * owner the call's account; when arn is "arn:aws:iam::<account>:<type>/<rest>" and the
 * record of kind k keyed <rest> exists, it is call->target.doc and its Tags the resource's
 * aws:ResourceTag/<key>. No client error: the handler answers the absence. */
MUST_CHECK cu_rc iam_provider_resolve(struct call *call, const struct kind *k,
                                      const char *type, const char *arn);

/* Add the request's tags to a provider record (not saved): LimitExceeded past 50 in the
 * wording AWS uses for providers ("The number of tags has reached the maximum limit."). */
MUST_CHECK cu_rc iam_provider_tag(struct call *call, json_t *rec, const json_t *tags);

#endif
