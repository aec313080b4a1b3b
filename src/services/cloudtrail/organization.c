/* organization.c — CloudTrail's delegated administrators, which belong to an AWS
 * Organizations organization. custos serves no Organizations, so its account is a member
 * of none and CloudTrail answers as it answers such an account: OrganizationsNotInUse
 * (the model's error for a request from an account outside any organization). Nothing is
 * registered, so nothing is written. */
#include "cloudtrail.h"
#include "cloudtrail_ops.gen.h"

static cu_rc not_in_organization(struct call *call)
{
    return cu_err_set(&call->err, CU_E_CT_ORGANIZATIONS_NOT_IN_USE,
                      "This account is not a member of an organization: custos serves no "
                      "AWS Organizations, so it has no delegated administrator.");
}

cu_rc cloudtrail_register_organization_delegated_admin(struct call *call, const json_t *in,
                                                       json_t *out)
{
    (void)in, (void)out;
    return not_in_organization(call);
}

cu_rc cloudtrail_deregister_organization_delegated_admin(struct call *call, const json_t *in,
                                                         json_t *out)
{
    (void)in, (void)out;
    return not_in_organization(call);
}
