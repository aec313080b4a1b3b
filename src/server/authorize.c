/* authorize.c — the authorization step of the pipeline: gathers the policies that apply
 * (the caller's policy set from auth/identity_cache.h, the resource's own policy from the
 * resolver) and asks the policy engine, which alone knows AWS's evaluation logic. This
 * file builds the request context; it never decides anything itself. The caller's policy
 * set is fetched once per call (authz_begin) and serves every check the descriptor
 * declares; handlers see it as data (call->authz), never as a call back into server/. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/identity_cache.h"
#include "authorize.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/codec.h"
#include "policy/policy.h"

static enum policy_principal_type principal_type(const struct principal *p)
{
    switch (p->type) {
    case PRINCIPAL_ROOT:
        return POLICY_PRINCIPAL_ROOT;
    case PRINCIPAL_USER:
        return POLICY_PRINCIPAL_USER;
    case PRINCIPAL_ROLE_SESSION:
        return POLICY_PRINCIPAL_ROLE_SESSION;
    case PRINCIPAL_FEDERATED:
        return POLICY_PRINCIPAL_FEDERATED;
    case PRINCIPAL_SAML_USER: /* never authorized by the pipeline (unauthenticated op) */
    case PRINCIPAL_WEB_IDENTITY_USER: /* never authorized by the pipeline: it signs nothing */
        return POLICY_PRINCIPAL_PROVIDER;
    }
    return POLICY_PRINCIPAL_USER;
}

static void add_key(struct authz_context *rc, const char *key, const char *value)
{
    size_t i = rc->ctx.n;

    if (!value || i >= ARRAY_LEN(rc->values))
        return;
    rc->values[i] = value;
    rc->entries[i] = (struct policy_context_entry){key, &rc->values[i], 1};
    rc->ctx.n++;
}

/* One aws:PrincipalTag/<key> entry; false when the context is full. */
static bool add_principal_tag(struct authz_context *rc, size_t *n, const char *key,
                              const char *value)
{
    if (*n == AUTHZ_MAX_PRINCIPAL_TAGS)
        return false;
    snprintf(rc->tag_names[*n], sizeof(rc->tag_names[*n]), "aws:PrincipalTag/%.128s", key);
    rc->tag_values[*n] = value;
    rc->entries[rc->ctx.n++] =
        (struct policy_context_entry){rc->tag_names[*n], &rc->tag_values[*n], 1};
    (*n)++;
    return true;
}

/* aws:PrincipalTag/<key>: a role session's session tags first, then the tags of its user
 * or role that the session does not override (IAM guide, id_session-tags: "If a session
 * tag ... has the same key as a role tag, the session tag value overrides it"). */
static void add_principal_tags(struct authz_context *rc, const struct principal *p,
                               const json_t *tags)
{
    size_t i, n = 0;
    json_t *t;

    for (const char *at = p->session_tags; *at;) {
        size_t line = strcspn(at, "\n"), key = strcspn(at, "\t");
        char name[129]; /* tag keys: 128 characters at most */
        if (key >= line || key >= sizeof(name) || line - key - 1 >= sizeof(rc->session_tag_values[0]))
            break; /* written by AssumeRole, sealed: cannot happen */
        memcpy(name, at, key);
        name[key] = '\0';
        memcpy(rc->session_tag_values[n], at + key + 1, line - key - 1);
        rc->session_tag_values[n][line - key - 1] = '\0';
        if (!add_principal_tag(rc, &n, name, rc->session_tag_values[n]))
            return;
        at += line + (at[line] != 0);
    }
    json_array_foreach((json_t *)tags, i, t)
    {
        const char *key = json_string_value(json_object_get(t, "Key"));
        if (!key || principal_tag_lines_have(p->session_tags, key))
            continue;
        if (!add_principal_tag(rc, &n, key, json_string_value(json_object_get(t, "Value"))))
            return;
    }
}

static void build_context(const struct call *call, const struct identity_set *identity,
                          struct authz_context *rc)
{
    const struct principal *p = call->principal;
    bool user = p->type == PRINCIPAL_USER;

    rc->ctx.entries = rc->entries;
    rc->ctx.n = 0;
    clock_iso8601(call->now_ms / 1000, rc->now_iso);
    dec_encode_to(call->now_ms > 0 ? (uint64_t)(call->now_ms / 1000) : 0, rc->epoch);
    add_key(rc, "aws:PrincipalArn", p->arn);
    add_key(rc, "aws:PrincipalAccount", p->account_id);
    add_key(rc, "aws:PrincipalType", principal_type_name(p->type));
    add_key(rc, "aws:userid", p->user_id);
    if (user)
        add_key(rc, "aws:username", p->name);
    add_key(rc, "aws:SourceIp", call->source_ip);
    add_key(rc, "aws:SecureTransport", call->secure_transport ? "true" : "false");
    add_key(rc, "aws:RequestedRegion", call->region);
    add_key(rc, "aws:CurrentTime", rc->now_iso);
    add_key(rc, "aws:EpochTime", rc->epoch);
    /* a caller's own request, not one an AWS service makes on its behalf */
    add_key(rc, "aws:ViaAWSService", "false");
    add_key(rc, "aws:UserAgent", call->user_agent);
    /* temporary credentials: when they were issued, and whether with MFA; long-term
     * access keys have neither key (reference_policies_condition-keys) */
    if (p->session_issued_s) {
        clock_iso8601(p->session_issued_s, rc->issued_iso);
        add_key(rc, "aws:TokenIssueTime", rc->issued_iso);
    }
    /* a request that authenticates with MFA itself (AssumeRole's SerialNumber and
     * TokenCode) is MFA-authenticated now, whatever signed it; else the session's own */
    if (p->session_issued_s || call->mfa_auth_s)
        add_key(rc, "aws:MultiFactorAuthPresent", p->mfa || call->mfa_auth_s ? "true" : "false");
    /* seconds since MFA authenticated; absent without MFA (IAM guide,
     * reference_policies_condition-keys, aws:MultiFactorAuthAge) */
    if (call->mfa_auth_s || (p->session_issued_s && p->mfa)) {
        int64_t age = call->now_ms / 1000 - (call->mfa_auth_s ? call->mfa_auth_s : p->mfa_auth_s);
        dec_encode_to(age > 0 ? (uint64_t)age : 0, rc->mfa_age);
        add_key(rc, "aws:MultiFactorAuthAge", rc->mfa_age);
    }
    if (p->source_identity[0])
        add_key(rc, "aws:SourceIdentity", p->source_identity);
    /* a web identity session's IdP (IAM guide, reference_policies_condition-keys,
     * aws:FederatedProvider: the provider's ARN for an IAM OIDC provider) */
    if (p->web_provider[0])
        add_key(rc, "aws:FederatedProvider", p->web_provider);
    for (size_t i = 0; call->keys && i < call->keys->n; i++)
        rc->entries[rc->ctx.n++] = call->keys->entries[i];
    add_principal_tags(rc, p, identity->tags);
}

cu_rc authz_begin(struct identity_cache *identities, struct call *call, struct authz *az)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;

    /* not a memset of the whole: the context is large and build_context fills it */
    az->view = (struct call_authz){0};
    az->identity = NULL;
    az->pin = NULL;
    TRY(identity_cache_get(identities, call->env->store, p, &az->identity, &az->pin));
    identity_set_fill(az->identity, &az->view.set, &az->view.req);
    az->view.req.principal_arn = p->arn;
    az->view.req.principal_account = p->account_id;
    az->view.req.principal_type = principal_type(p);
    az->view.req.now_s = call->now_ms / 1000;
    az->view.req.context = &az->context.ctx;
    call->authz = &az->view;
out:
    return rc;
}

void authz_end(struct authz *az, struct call *call)
{
    identity_release(az->pin);
    az->pin = NULL;
    call->authz = NULL;
}

/* Evaluate with the context rebuilt from the call's keys as they are now (a second
 * resolver may have added some). */
static void evaluate(struct authz *az, const struct call *call, const char *action,
                     const struct call_target *t, bool grant, struct policy_request *req,
                     struct policy_result *result)
{
    struct policy_set set = az->view.set;

    build_context(call, az->identity, &az->context);
    *req = az->view.req;
    req->action = action;
    req->resource = t->arn;
    req->resource_account = t->account_id;
    set.resource = t->resource_policy; /* a key policy's kind (POLICY_KEY) carries the KMS rule */
    set.grant = grant;
    policy_evaluate(&set, req, result);
}

/* A KMS grant covers the call's own action on its key, not other checks it makes. */
static bool grant_covers(const struct call_target *t, const char *action)
{
    return t->grant_action && strcmp(t->grant_action, action) == 0;
}

/* Actions whose denials AWS words without the reason: STS's AssumeRole answers "User: <arn>
 * is not authorized to perform: sts:AssumeRole on resource: <role arn>" whichever policy
 * lacked the allow, so that a caller learns nothing of the role's trust policy. */
static bool bare_denial(const char *action)
{
    static const char *const bare[] = {"sts:AssumeRole"};

    for (size_t i = 0; i < ARRAY_LEN(bare); i++)
        if (strcmp(bare[i], action) == 0)
            return true;
    return false;
}

cu_rc authorize(struct authz *az, const struct call *call, const char *action,
                const struct call_target *t, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct policy_request req;
    struct policy_result result;
    struct buf message;

    buf_init(&message, 4096);
    evaluate(az, call, action, t, grant_covers(t, action), &req, &result);
    if (result.decision != POLICY_ALLOWED)
        az->denial = (struct authz_denial){.known = true,
                                           .explicit_deny = result.decision == POLICY_EXPLICIT_DENY,
                                           .source = result.source};
    if (result.decision != POLICY_ALLOWED && bare_denial(action)) {
        rc = cu_err_set(err, CU_E_ACCESS_DENIED,
                        "User: %s is not authorized to perform: %s on resource: %s",
                        req.principal_arn, action, req.resource);
    } else if (result.decision != POLICY_ALLOWED) {
        TRY(policy_denial_message(&req, &result, &message));
        rc = cu_err_set(err, CU_E_ACCESS_DENIED, "%s", message.p);
    }
out:
    buf_release(&message);
    return rc;
}

bool authorize_by_policy(struct authz *az, const struct call *call, const char *action,
                         const struct call_target *t)
{
    struct policy_request req;
    struct policy_result result;

    if (!grant_covers(t, action))
        return true;
    evaluate(az, call, action, t, false, &req, &result);
    return result.decision == POLICY_ALLOWED;
}
