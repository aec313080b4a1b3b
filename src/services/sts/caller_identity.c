/* caller_identity.c — STS GetCallerIdentity: who signed this request. It needs no
 * permission and works even under an explicit deny (STS API reference:
 * "No permissions are required to perform this operation"). */
#include "core/tree.h"
#include "sts_ops.gen.h"

cu_rc sts_get_caller_identity(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;

    TRY(tree_set_str(out, "UserId", p->user_id));
    TRY(tree_set_str(out, "Account", p->account_id));
    TRY(tree_set_str(out, "Arn", p->arn));
out:
    return rc;
}
