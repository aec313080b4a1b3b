/* access_key_info.c — STS GetAccessKeyInfo: the account an access key id belongs to (STS
 * API reference, GetAccessKeyInfo). It needs sts:GetAccessKeyInfo (authorized on "*").
 *
 * Long-term ids (AKIA) are looked up in the store's access keys, which hold every
 * account's; the answer does not depend on the key's state, as AWS's does not ("This
 * operation does not indicate the state of the access key"). A temporary id (ASIA) is in
 * no store: its session lives in its token, which the request does not carry, so the only
 * one custos can place is the caller's own. AWS documents no decoding of an account from
 * an id, only that "providing a deleted access key might return an error that the key
 * doesn't exist": a key custos cannot place gets the error of a key that does not exist,
 * InvalidClientTokenId. The id's form (16 to 128 word characters) is the model's, checked
 * before the handler runs. */
#include <string.h>

#include "core/tree.h"
#include "services/in.h"
#include "store/records.h"
#include "store/store.h"
#include "sts_credentials.h"
#include "sts_ops.gen.h"

cu_rc sts_get_access_key_info(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    const char *akid = in_str_or(in, "AccessKeyId", ""), *account = NULL;
    json_t *key = NULL;

    TRY(sts_session_refuse(call));
    if (strcmp(akid, p->access_key_id) == 0) {
        account = p->account_id;
    } else {
        TRY(store_get(call->tx, RECORD_ACCESS_KEY, "", akid, &key));
        account = json_string_value(json_object_get(key, "Account"));
    }
    ENSURE(account, cu_err_set(&call->err, CU_E_UNKNOWN_ACCESS_KEY,
                               "The security token included in the request is invalid."));
    TRY(tree_set_str(out, "Account", account));
out:
    json_decref(key);
    return rc;
}
