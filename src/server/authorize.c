/* authorize.c — the authorization step of the pipeline: gathers the policies that apply
 * (the caller's identity policies from the cache, the resource's own policy from the
 * resolver) and asks the policy engine, which alone knows AWS's evaluation logic. This
 * file builds the request context; it never decides anything itself. */
#include <stdio.h>
#include <string.h>

#include "authorize.h"
#include "core/buf.h"
#include "core/clock.h"
#include "identity_policies.h"
#include "pipeline.h"
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
    }
    return POLICY_PRINCIPAL_USER;
}

/* The global condition keys custos knows for every request (IAM guide,
 * reference_policies_condition-keys). Values live in `text`, entries point into it. */
#define MAX_PRINCIPAL_TAGS 50

#define GLOBAL_KEYS 14

struct request_context {
    struct policy_context_entry entries[GLOBAL_KEYS + CALL_MAX_KEYS + MAX_PRINCIPAL_TAGS];
    const char *tag_values[MAX_PRINCIPAL_TAGS];
    char tag_names[MAX_PRINCIPAL_TAGS][160];
    const char *values[GLOBAL_KEYS];
    char now_iso[21], epoch[24], issued_iso[21];
    struct policy_context ctx;
};

static void add_key(struct request_context *rc, const char *key, const char *value)
{
    size_t i = rc->ctx.n;

    if (!value || i >= ARRAY_LEN(rc->values))
        return;
    rc->values[i] = value;
    rc->entries[i] = (struct policy_context_entry){key, &rc->values[i], 1};
    rc->ctx.n++;
}

/* aws:PrincipalTag/<key> for each tag of the calling user. */
static void add_principal_tags(struct request_context *rc, const json_t *tags)
{
    size_t i, n = 0;
    json_t *t;

    json_array_foreach((json_t *)tags, i, t)
    {
        if (n == MAX_PRINCIPAL_TAGS)
            break;
        snprintf(rc->tag_names[n], sizeof(rc->tag_names[n]), "aws:PrincipalTag/%s",
                 json_string_value(json_object_get(t, "Key")));
        rc->tag_values[n] = json_string_value(json_object_get(t, "Value"));
        rc->entries[rc->ctx.n++] =
            (struct policy_context_entry){rc->tag_names[n], &rc->tag_values[n], 1};
        n++;
    }
}

static void build_context(const struct call *call, const struct policy_list *identity,
                          struct request_context *rc)
{
    const struct principal *p = call->principal;
    bool user = p->type == PRINCIPAL_USER;

    rc->ctx.entries = rc->entries;
    rc->ctx.n = 0;
    clock_iso8601(call->now_ms / 1000, rc->now_iso);
    snprintf(rc->epoch, sizeof(rc->epoch), "%lld", (long long)(call->now_ms / 1000));
    add_key(rc, "aws:PrincipalArn", p->arn);
    add_key(rc, "aws:PrincipalAccount", p->account_id);
    add_key(rc, "aws:PrincipalType", principal_type_name(p->type));
    add_key(rc, "aws:userid", p->user_id);
    if (user)
        add_key(rc, "aws:username", p->name);
    add_key(rc, "aws:SourceIp", call->source_ip);
    add_key(rc, "aws:SecureTransport", call->secure_transport ? "true" : "false");
    add_key(rc, "aws:RequestedRegion", call->env->region);
    add_key(rc, "aws:CurrentTime", rc->now_iso);
    add_key(rc, "aws:EpochTime", rc->epoch);
    /* a caller's own request, not one an AWS service makes on its behalf */
    add_key(rc, "aws:ViaAWSService", "false");
    add_key(rc, "aws:UserAgent", call->user_agent);
    /* temporary credentials: when they were issued, and whether with MFA (never, in
     * custos); long-term access keys have neither key (reference_policies_condition-keys) */
    if (p->session_issued_s) {
        clock_iso8601(p->session_issued_s, rc->issued_iso);
        add_key(rc, "aws:TokenIssueTime", rc->issued_iso);
        add_key(rc, "aws:MultiFactorAuthPresent", "false");
    }
    for (size_t i = 0; call->keys && i < call->keys->n; i++)
        rc->entries[rc->ctx.n++] = call->keys->entries[i];
    if (identity->tags)
        add_principal_tags(rc, identity->tags);
}

cu_rc authorize(struct call *call, const char *action, const char *resource_arn,
                const struct policy *resource_policy, bool key_policy, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct pipeline *pl = call->env->authorizer;
    struct policy_list identity = {0};
    struct policy_request req = {0};
    struct policy_set set = {0};
    struct policy_result result;
    struct buf message;
    struct request_context context;
    void *pin = NULL;

    buf_init(&message, 4096);
    TRY(identity_policies_get(pl->identities, call->env->store, call->principal, &identity, &pin));
    req.action = action;
    req.resource = resource_arn;
    req.principal_arn = call->principal->arn;
    req.principal_account = call->principal->account_id;
    req.principal_type = principal_type(call->principal);
    req.resource_account = call->target.account_id;
    req.now_s = call->now_ms / 1000;
    build_context(call, &identity, &context);
    req.context = &context.ctx;
    set.identity = identity.items;
    set.n_identity = identity.n;
    set.resource = resource_policy;
    set.boundary = identity.boundary;
    /* a KMS grant covers the call's own action on its key, not other checks it makes */
    set.grant = call->target.grant_action && strcmp(call->target.grant_action, action) == 0 &&
                strcmp(call->target.arn, resource_arn) == 0;
    (void)key_policy; /* the key policy's kind (POLICY_KEY) carries the KMS rule */
    policy_evaluate(&set, &req, &result);
    if (result.decision != POLICY_ALLOWED) {
        TRY(policy_denial_message(&req, &result, &message));
        rc = cu_err_set(err, CU_E_ACCESS_DENIED, "%s", message.p);
    }
out:
    identity_release(pin);
    buf_release(&message);
    return rc;
}
