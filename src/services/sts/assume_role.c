/* assume_role.c — STS AssumeRole: temporary credentials for a role (STS API reference,
 * AssumeRole), the way the pipeline reaches it:
 *   resolver  the role named by RoleArn, its trust policy compiled as the resource policy
 *             (root callers are refused here: "You cannot use AWS account root user
 *             credentials to call AssumeRole");
 *   authorize sts:AssumeRole on the role with the caller as principal: the engine applies
 *             the trust-policy rule (policy/eval.c) and the request's sts:* keys below;
 *   handler   duration and session-policy rules, then the session token (credentials.c)
 *             and the role's RoleLastUsed.
 * A role that does not exist is answered like a denial, so callers cannot probe for
 * role names (AWS answers AccessDenied, not NoSuchEntity, for a missing role). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/tree.h"
#include "services/in.h"
#include "sts_ops.gen.h"
#include "sts_role_session.h"

cu_rc sts_resolve_assume_role(struct call *call, const json_t *in)
{
    if (call->principal->type == PRINCIPAL_ROOT)
        return cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                          "Roles may not be assumed by root accounts.");
    return sts_role_resolve(call, in);
}

void sts_assume_role_keys(const json_t *in, struct call_keys *keys)
{
    /* IAM guide, reference_policies_iam-condition-keys: sts:ExternalId,
     * sts:RoleSessionName and sts:SourceIdentity are the request's values */
    if (in_str(in, "ExternalId"))
        call_keys_add(keys, "sts:ExternalId", in_str(in, "ExternalId"));
    if (in_str(in, "RoleSessionName"))
        call_keys_add(keys, "sts:RoleSessionName", in_str(in, "RoleSessionName"));
    if (in_str(in, "SourceIdentity"))
        call_keys_add(keys, "sts:SourceIdentity", in_str(in, "SourceIdentity"));
    /* session tags are request tags of AssumeRole (IAM guide, id_session-tags) */
    call_keys_request_tags(keys, in_list(in, "Tags"));
}

/* The session's tags (IAM guide, id_session-tags): the caller's transitive tags, which a
 * chained session keeps and cannot override, then the request's Tags; TransitiveTagKeys
 * must name request tags. A session with tags needs sts:TagSession on the role (its trust
 * policy and, in the same account through the account, the caller's identity policy). */
static cu_rc take_session_tags(struct call *call, const json_t *in, const char *role_arn,
                               struct session_claims *claims)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    const json_t *asked = in_list(in, "Tags"), *transitive = in_list(in, "TransitiveTagKeys");
    json_t *item;
    struct buf tags, keys;
    size_t i;

    buf_init(&tags, sizeof(claims->session_tags) - 1);
    buf_init(&keys, sizeof(claims->transitive_tag_keys) - 1);
    for (const char *at = p->transitive_tag_keys; *at;) {
        size_t n = strcspn(at, "\n");
        char key[129] = "";
        const char *v = p->session_tags;
        snprintf(key, sizeof(key), "%.*s", (int)n, at);
        /* the value of key in the caller's tags */
        while (*v && !(strcspn(v, "\t") == n && strncasecmp(v, key, n) == 0))
            v += strcspn(v, "\n") + (v[strcspn(v, "\n")] != '\0');
        if (*v) {
            char value[257];
            size_t len = strcspn(v + n + 1, "\n");
            snprintf(value, sizeof(value), "%.*s", (int)len, v + n + 1);
            TRY(sts_session_tag_add(call, &tags, &keys, key, value, true));
        }
        at += n + (at[n] != '\0');
    }
    json_array_foreach((json_t *)asked, i, item)
    {
        const char *key = json_string_value(json_object_get(item, "Key"));
        const char *value = json_string_value(json_object_get(item, "Value"));
        ENSURE(key && value, CU_E_VALIDATION);
        ENSURE(!principal_tag_lines_have(p->transitive_tag_keys, key),
               cu_err_set(&call->err, CU_E_VALIDATION,
                          "The tag key %s is a transitive tag of the calling session and "
                          "cannot be overridden.",
                          key));
        ENSURE(!principal_tag_lines_have(tags.n ? tags.p : "", key),
               cu_err_set(&call->err, CU_E_VALIDATION,
                          "Duplicate tag keys found. Please note that Tag keys are case "
                          "insensitive."));
        TRY(sts_session_tag_add(call, &tags, &keys, key, value, false));
    }
    json_array_foreach((json_t *)transitive, i, item)
    {
        const char *key = json_string_value(item);
        bool found = false;
        const json_t *t;
        size_t j;
        json_array_foreach((json_t *)asked, j, t) found |=
            key && strcasecmp(key, json_string_value(json_object_get(t, "Key"))) == 0;
        ENSURE(found, cu_err_set(&call->err, CU_E_VALIDATION,
                                 "The specified transitive tag key must be included in the "
                                 "requested tags."));
        ENSURE(buf_addstrs(&keys, key, "\n", NULL) == CU_OK, sts_session_tags_too_large(call));
    }
    if (!tags.n)
        goto out;
    ENSURE(call_policy_allows(call, "sts:TagSession", role_arn, call->target.resource_policy),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: sts:TagSession on resource: %s",
                      p->arn, role_arn));
    snprintf(claims->session_tags, sizeof(claims->session_tags), "%s", tags.p);
    snprintf(claims->transitive_tag_keys, sizeof(claims->transitive_tag_keys), "%s",
             keys.n ? keys.p : "");
out:
    buf_release(&tags);
    buf_release(&keys);
    return rc;
}

/* The session's source identity: the one asked for, or the caller's, which a chained
 * session keeps and cannot change; either way the caller must be allowed
 * sts:SetSourceIdentity on the role (IAM guide, id_credentials_temp_control-access_monitor:
 * the role's trust policy, and in chaining the next role's, must allow it). */
static cu_rc take_source_identity(struct call *call, const json_t *in, const char *role_arn,
                                  struct session_claims *claims)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    const char *asked = in_str(in, "SourceIdentity");
    const char *value = asked ? asked : p->source_identity;

    if (!value[0])
        goto out;
    ENSURE((!asked || !p->source_identity[0] || strcmp(asked, p->source_identity) == 0) &&
               call_policy_allows(call, "sts:SetSourceIdentity", role_arn,
                                  call->target.resource_policy),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: sts:SetSourceIdentity on "
                      "resource: %s",
                      p->arn, role_arn));
    ENSURE(strlen(value) < sizeof(claims->source_identity), CU_E_VALIDATION);
    snprintf(claims->source_identity, sizeof(claims->source_identity), "%s", value);
out:
    return rc;
}

cu_rc sts_assume_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    json_t *role = call->target.doc;
    const char *session = in_str_or(in, "RoleSessionName", "");
    const char *role_arn;
    struct session_claims *claims = calloc(1, sizeof(*claims));
    int64_t duration = 0, percent = 0;

    ENSURE(claims, CU_E_NOMEM);
    ENSURE(role, cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                            "User: %s is not authorized to perform: sts:AssumeRole on "
                            "resource: %s",
                            p->arn, call->target.arn));
    /* not yet: MFA on AssumeRole and provided contexts; refused rather than ignored */
    ENSURE(!in_str(in, "SerialNumber") && !in_str(in, "TokenCode") &&
               !in_list(in, "ProvidedContexts"),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "SerialNumber, TokenCode and ProvidedContexts are not supported by this "
                      "server yet."));
    role_arn = json_string_value(json_object_get(role, "Arn"));
    ENSURE(role_arn, CU_E_STORE);
    TRY(sts_session_duration(call, in, role, p->type == PRINCIPAL_ROLE_SESSION, &duration));
    TRY(take_session_tags(call, in, role_arn, claims));
    TRY(sts_session_policies(call, in, claims, &percent));
    TRY(take_source_identity(call, in, role_arn, claims));
    claims->chained = p->type == PRINCIPAL_ROLE_SESSION;
    TRY(sts_role_session_issue(call, session, claims, duration, percent, out));
out:
    free(claims);
    return rc;
}
