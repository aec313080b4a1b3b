/* delegated_access_token.c — STS GetDelegatedAccessToken: credentials for a principal in
 * exchange for a trade-in token (STS API reference, GetDelegatedAccessToken). A trade-in
 * token is what a customer's approval of a partner's delegation request hands out; custos
 * serves no delegation requests, so it has issued no trade-in token and none it is given
 * can be exchanged. After sts:GetDelegatedAccessToken is authorized (on "*": the action
 * names no resource type), every token is answered with the one token error the model
 * has, ExpiredTradeInTokenException in its documented words ("can no longer be exchanged
 * for credentials"). TradeInToken is sensitive in the model: it never reaches the log
 * or the trail. */
#include "sts_credentials.h"
#include "sts_ops.gen.h"

cu_rc sts_get_delegated_access_token(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;

    (void)in;
    (void)out;
    TRY(sts_session_refuse(call));
    rc = cu_err_set(&call->err, CU_E_STS_EXPIRED_TRADE_IN_TOKEN,
                    "The trade-in token provided in the request has expired and can no "
                    "longer be exchanged for credentials. Request a new token and retry the "
                    "operation.");
out:
    return rc;
}
