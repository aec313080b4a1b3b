/* ct_names.c — how CloudTrail names its resources, for the resolvers of the operation files
 * (cloudtrail.h): a request names a trail, event data store, channel or dashboard by ARN or
 * by its name or id, and its action is authorized on that resource's ARN (Service
 * Authorization Reference, AWS CloudTrail: resource types trail, eventdatastore, channel,
 * dashboard). Pure string work over what validation already bounded (256 characters). */
#include <stdio.h>
#include <string.h>

#include "cloudtrail.h"

bool cloudtrail_arn_is(const char *s, const char *type)
{
    const char *part[6] = {0}, *p = s;
    size_t n = 0, tlen = strlen(type);

    if (!s || strncmp(s, "arn:", 4) != 0)
        return false;
    /* arn : partition : service : region : account : type/id (the id may hold ':') */
    for (part[n++] = p; n < 6 && (p = strchr(p, ':')); part[n++] = ++p)
        ;
    if (n < 6 || strncmp(part[2], "cloudtrail:", 11) != 0 || part[4] - part[3] < 2)
        return false;
    if (part[5] - part[4] != 13)
        return false;
    for (const char *d = part[4]; d < part[5] - 1; d++)
        if (*d < '0' || *d > '9')
            return false;
    return strncmp(part[5], type, tlen) == 0 && part[5][tlen] == '/' && part[5][tlen + 1];
}

void cloudtrail_target(struct call *call, const char *value, const char *type)
{
    /* a trail's home region is the server's; Lake resources live in the call's region */
    const char *region = strcmp(type, "trail") == 0 ? call->env->region : call->region;

    snprintf(call->target.account_id, sizeof(call->target.account_id), "%s", call->env->account_id);
    if (value && strncmp(value, "arn:", 4) == 0)
        snprintf(call->target.arn, sizeof(call->target.arn), "%s", value);
    else
        snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:cloudtrail:%s:%s:%s/%s",
                 region, call->env->account_id, type, value ? value : "");
}
