/* mfa.c — MFA-authenticated STS sessions (sts_mfa.h): GetSessionToken's and AssumeRole's
 * SerialNumber and TokenCode, checked against the caller's IAM virtual MFA device through
 * iam.h (the TOTP window and the one-use rule are IAM's, kept in iam/mfa_devices.c).
 *
 * AWS's answers, as its clients report them (the STS API reference says only "an access
 * denied error" for an incorrect code): AccessDenied with "MultiFactorAuthentication
 * failed with invalid MFA one time pass code. " for a wrong code, "...unable to validate
 * MFA code.  Please verify your MFA serial number is valid and associated with this
 * user." for a serial that is not the caller's device, and "...must provide both MFA
 * serial number and one time pass code." for one without the other. Only an IAM user
 * (signing with its keys or a session of its own) holds a device; the root user holds
 * none in custos, and a role session none at all. */
#include "services/iam/iam.h"
#include "services/in.h"
#include "sts_mfa.h"

cu_rc sts_mfa_check(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    const char *serial = in_str(in, "SerialNumber"), *code = in_str(in, "TokenCode");
    enum iam_mfa_check got = IAM_MFA_NO_DEVICE;

    if (!serial && !code)
        goto out;
    ENSURE(serial && code,
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "MultiFactorAuthentication failed, must provide both MFA serial number "
                      "and one time pass code."));
    if (p->type == PRINCIPAL_USER)
        TRY(iam_mfa_check_code(call, p->name, serial, code, &got));
    ENSURE(got != IAM_MFA_NO_DEVICE,
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "MultiFactorAuthentication failed, unable to validate MFA code.  Please "
                      "verify your MFA serial number is valid and associated with this user."));
    ENSURE(got == IAM_MFA_OK,
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "MultiFactorAuthentication failed with invalid MFA one time pass code. "));
    call->mfa_auth_s = call->now_ms / 1000;
out:
    return rc;
}

void sts_mfa_claims(const struct call *call, struct session_claims *claims)
{
    const struct principal *p = call->principal;

    claims->mfa = call->mfa_auth_s || p->mfa;
    claims->mfa_auth_s = call->mfa_auth_s ? call->mfa_auth_s : p->mfa ? p->mfa_auth_s : 0;
}
