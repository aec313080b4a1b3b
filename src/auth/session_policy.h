/* session_policy.h — the session policy of a role session, as one compiled policy.
 *
 * AssumeRole takes an inline Policy and up to 10 managed PolicyArns; the session may do
 * what the role's policies allow and at least one of them allows (IAM guide,
 * access_policies, "Session policies"). Their union is one policy whose statements are
 * all of theirs, which is what the engine's policy_set.session takes. */
#ifndef CU_SESSION_POLICY_H
#define CU_SESSION_POLICY_H

#include "core/err.h"

struct store_tx;
struct policy;

/* Compile the union of inline (a policy document, or "") and the managed policies whose
 * ARNs policy_arns lists ('\n'-separated, or "") of account into *out (the caller's,
 * policy_free); *out is NULL when both are empty. A document that does not compile fails
 * with CU_E_IAM_MALFORMED_POLICY and IAM's message in err; a managed policy that does not
 * exist in account with CU_E_IAM_NO_SUCH_ENTITY. */
MUST_CHECK cu_rc session_policy_compile(struct store_tx *tx, const char *account,
                                        const char *inline_text, const char *policy_arns,
                                        struct policy **out, struct cu_err *err);

#endif
