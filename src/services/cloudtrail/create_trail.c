/* create_trail.c — CreateTrail, answered as CloudTrail answers it in custos's account.
 * CloudTrail checks the name first (InvalidTrailNameException; the rules are the model's:
 * 3 to 128 ASCII letters, digits, '.', '_' or '-', starting and ending with a letter or
 * digit, no two of '.', '_', '-' side by side, not an IP address), then whether the name is
 * taken (custos's own trail: TrailAlreadyExistsException), then the destination bucket.
 * custos serves no S3, so no bucket exists in its account: every request ends with
 * S3BucketDoesNotExistException, and no second trail is ever made (so
 * MaximumNumberOfTrailsExceededException is never reached). An organization trail needs an
 * organization first (OrganizationsNotInUseException). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cloudtrail.h"
#include "cloudtrail_ops.gen.h"
#include "services/in.h"

#define NAME_MIN 3
#define NAME_MAX 128

static bool is_separator(char c)
{
    return c == '.' || c == '_' || c == '-';
}

/* A dotted quad of decimal numbers each 0..255 (192.168.5.4). */
static bool is_ipv4(const char *s)
{
    int parts = 0;

    while (*s) {
        int v = 0, digits = 0;

        while (isdigit((unsigned char)*s) && digits < 4) {
            v = v * 10 + (*s++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255 || ++parts > 4)
            return false;
        if (*s == '.' && s[1])
            s++;
        else if (*s)
            return false;
    }
    return parts == 4;
}

static cu_rc check_name(struct call *call, const char *name)
{
    size_t n = strlen(name);

    if (n < NAME_MIN)
        return cu_err_set(&call->err, CU_E_CT_INVALID_TRAIL_NAME,
                          "Trail name too short. Minimum allowed length: %d characters. "
                          "Specified name length: %zu characters.",
                          NAME_MIN, n);
    if (n > NAME_MAX)
        return cu_err_set(&call->err, CU_E_CT_INVALID_TRAIL_NAME,
                          "Trail name too long. Maximum allowed length: %d characters. "
                          "Specified name length: %zu characters.",
                          NAME_MAX, n);
    if (!isalnum((unsigned char)name[0]))
        return cu_err_set(&call->err, CU_E_CT_INVALID_TRAIL_NAME,
                          "Trail name must starts with a letter or number.");
    if (!isalnum((unsigned char)name[n - 1]))
        return cu_err_set(&call->err, CU_E_CT_INVALID_TRAIL_NAME,
                          "Trail name must ends with a letter or number.");
    for (size_t i = 0; i < n; i++)
        if (!isascii((unsigned char)name[i]) ||
            (!isalnum((unsigned char)name[i]) && !is_separator(name[i])))
            return cu_err_set(&call->err, CU_E_CT_INVALID_TRAIL_NAME,
                              "Trail name or ARN can only contain uppercase letters, lowercase "
                              "letters, numbers, periods (.), hyphens (-), and underscores (_).");
    for (size_t i = 1; i < n; i++)
        if (is_separator(name[i]) && is_separator(name[i - 1]))
            return cu_err_set(&call->err, CU_E_CT_INVALID_TRAIL_NAME,
                              "Trail name cannot have adjacent periods (.), hyphens (-), or "
                              "underscores (_).");
    if (is_ipv4(name))
        return cu_err_set(&call->err, CU_E_CT_INVALID_TRAIL_NAME,
                          "Trail name cannot be formatted as an IP address.");
    return CU_OK;
}

cu_rc cloudtrail_create_trail(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "Name");

    (void)out;
    TRY(check_name(call, name));
    if (strcmp(name, CLOUDTRAIL_TRAIL_NAME) == 0)
        TRY(cu_err_set(&call->err, CU_E_CT_TRAIL_ALREADY_EXISTS,
                       "Trail %s already exists for customer: %s", name, call->env->account_id));
    if (in_bool(in, "IsOrganizationTrail", false))
        TRY(cu_err_set(&call->err, CU_E_CT_ORGANIZATIONS_NOT_IN_USE,
                       "This account is not a member of an organization: an organization "
                       "trail needs one."));
    TRY(cu_err_set(&call->err, CU_E_CT_S3_BUCKET_DOES_NOT_EXIST, "S3 bucket %s does not exist!",
                   in_str(in, "S3BucketName")));
out:
    return rc;
}
