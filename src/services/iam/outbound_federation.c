/* outbound_federation.c — IAM EnableOutboundWebIdentityFederation,
 * DisableOutboundWebIdentityFederation and GetOutboundWebIdentityFederationInfo: the
 * account's switch for STS GetWebIdentityToken (services/outbound.h keeps the record).
 *
 * Enabling twice is FeatureEnabled (409), disabling while disabled FeatureDisabled (404)
 * (IAM API reference, the two operations' Errors). GetOutboundWebIdentityFederationInfo
 * lists FeatureDisabled too: custos answers it for an account that never enabled the
 * feature (there is no issuer to report yet), and once an issuer exists reports it with
 * JwtVendingEnabled true or false. The wording of both errors paraphrases the model's
 * documentation of FeatureEnabledException and FeatureDisabledException. */
#include "core/tree.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "services/outbound.h"

static cu_rc feature_disabled(struct call *call)
{
    return cu_err_set(&call->err, CU_E_IAM_FEATURE_DISABLED,
                      "Outbound web identity federation is disabled for this account.");
}

/* out.IssuerIdentifier, and JwtVendingEnabled when asked for */
static cu_rc answer(struct call *call, const json_t *rec, bool with_state, json_t *out)
{
    cu_rc rc = CU_OK;
    char issuer[OUTBOUND_ISSUER_MAX];

    outbound_issuer(call->env->public_url, rec, issuer);
    TRY(tree_set_str(out, "IssuerIdentifier", issuer));
    if (with_state)
        TRY(tree_set_bool(out, "JwtVendingEnabled", outbound_enabled(rec)));
out:
    return rc;
}

cu_rc iam_enable_outbound_web_identity_federation(struct call *call, const json_t *in,
                                                  json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *rec = NULL, *stored = NULL;

    (void)in;
    TRY(outbound_load(call->tx, call->env->account_id, &rec));
    ENSURE(!outbound_enabled(rec),
           cu_err_set(&call->err, CU_E_IAM_FEATURE_ENABLED,
                      "Outbound web identity federation is already enabled for this account. "
                      "To fetch the current configuration (including the unique issuer URL), "
                      "use the GetOutboundWebIdentityFederationInfo operation."));
    TRY(outbound_enable(call->tx, call->env->master_key, call->env->account_id, rec, &stored));
    TRY(answer(call, stored, false, out));
out:
    json_decref(rec);
    json_decref(stored);
    return rc;
}

cu_rc iam_disable_outbound_web_identity_federation(struct call *call, const json_t *in,
                                                   json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *rec = NULL;

    (void)in;
    (void)out;
    TRY(outbound_load(call->tx, call->env->account_id, &rec));
    ENSURE(outbound_enabled(rec), feature_disabled(call));
    TRY(outbound_disable(call->tx, call->env->account_id, rec));
out:
    json_decref(rec);
    return rc;
}

cu_rc iam_get_outbound_web_identity_federation_info(struct call *call, const json_t *in,
                                                    json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *rec = NULL;

    (void)in;
    TRY(outbound_load(call->tx, call->env->account_id, &rec));
    ENSURE(rec, feature_disabled(call));
    TRY(answer(call, rec, true, out));
out:
    json_decref(rec);
    return rc;
}
