/* web_identity.c — STS AssumeRoleWithWebIdentity (STS API reference): temporary
 * credentials for a role, in exchange for an OpenID Connect ID token. AWS serves it
 * unsigned (`unauthenticated` in sts.ops), so the pipeline authorizes nothing:
 *   handler   the role named by RoleArn and its trust policy loaded (role_session.c; no
 *             resolver, since .ops gives unauthenticated operations none), the token checked (web_identity_token.c), the caller then known as a
 *             WebIdentityUser for the trail, and the trust policy evaluated here with the
 *             token's IAM OIDC provider as the principal ({"Federated": <provider ARN>}),
 *             action sts:AssumeRoleWithWebIdentity and the provider's condition keys
 *             (IAM guide, reference_policies_iam-condition-keys, "Available keys for OIDC
 *             federation"); then the role session, as AssumeRole's, with session tags and
 *             source identity from the token's AWS claims (IAM guide, id_session-tags,
 *             "Passing session tags using AssumeRoleWithWebIdentity").
 * A missing role, a trust policy that does not allow: both answer AccessDenied with
 * AWS's words for this operation, which say nothing of why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/codec.h"
#include "core/tree.h"
#include "policy/policy.h"
#include "services/in.h"
#include "sts_ops.gen.h"
#include "sts_role_session.h"
#include "sts_web_identity.h"

#define ACTION "sts:AssumeRoleWithWebIdentity"
/* The issuer whose extra claims AWS makes condition keys (IAM guide, id_roles_providers_oidc
 * and reference_policies_iam-condition-keys, GitHub: "token.actions.githubusercontent.com").
 * The claims listed are GitHub's documented ID-token claims; which of them AWS exposes is
 * not published in one list (unverified beyond sub, aud, job_workflow_ref, repository,
 * repository_owner, actor, workflow, ref, environment). */
#define GITHUB_ISSUER "https://token.actions.githubusercontent.com"
static const char *const github_claims[] = {
    "actor", "actor_id", "base_ref", "environment", "event_name", "head_ref",
    "job_workflow_ref", "job_workflow_sha", "ref", "ref_protected", "ref_type", "repository",
    "repository_id", "repository_owner", "repository_owner_id", "repository_visibility",
    "runner_environment", "sha", "workflow", "workflow_ref", "workflow_sha", "enterprise",
    "enterprise_id",
};
/* The claims AWS reads session tags and the source identity from (IAM guide,
 * id_session-tags and id_credentials_temp_control-access_monitor). */
#define TAGS_CLAIM "https://aws.amazon.com/tags"
#define SOURCE_IDENTITY_CLAIM "https://aws.amazon.com/source_identity"

void sts_web_identity_keys(const json_t *in, struct call_keys *keys)
{
    if (in_str(in, "RoleSessionName"))
        call_keys_add(keys, "sts:RoleSessionName", in_str(in, "RoleSessionName"));
}

/* Values the condition keys borrow that live nowhere else: they last the handler. */
struct web_context {
    char now_iso[21], epoch[21];
    const char *amr[16];
    const char *oaud[16];
};

static cu_rc denied(struct call *call)
{
    /* AWS's answer whichever check failed (STS, AssumeRoleWithWebIdentity, AccessDenied) */
    return cu_err_set(&call->err, CU_E_ACCESS_DENIED, "Not authorized to perform %s", ACTION);
}

/* Strings of a claim that is a string or an array of strings, up to cap; how many. */
static size_t claim_strings(const json_t *v, const char **out, size_t cap)
{
    size_t n = 0, i;
    json_t *item;

    if (json_is_string(v) && cap)
        out[n++] = json_string_value(v);
    json_array_foreach((json_t *)(json_is_array(v) ? v : NULL), i, item)
    {
        if (json_is_string(item) && n < cap)
            out[n++] = json_string_value(item);
    }
    return n;
}

static void add_prefixed(struct call_keys *keys, const char *prefix, const char *claim,
                         const char *const *values, size_t n)
{
    char name[sizeof(keys->names[0])];

    /* a provider URL too long for the key's name gets no key: its conditions then match
     * nothing, so a trust policy that asks for them refuses */
    if (!n || (size_t)snprintf(name, sizeof(name), "%s:%s", prefix, claim) >= sizeof(name))
        return;
    call_keys_add_multi(keys, name, values, n);
}

/* The request's condition keys besides the descriptor's: the provider's token keys and
 * the aws:* keys an unsigned request has. */
static void add_token_keys(struct call *call, const struct web_token *t, struct web_context *w)
{
    struct call_keys *keys = call->keys;
    const json_t *c = t->jwt.claims;
    size_t n;

    add_prefixed(keys, t->key, "sub", &t->sub, 1);
    add_prefixed(keys, t->key, "aud", &t->aud, 1);
    if (t->azp)
        add_prefixed(keys, t->key, "azp", &t->azp, 1);
    /* oaud: the token's other audiences, when its azp is the client id used as aud */
    n = t->aud_is_azp ? claim_strings(json_object_get(c, "aud"), w->oaud, ARRAY_LEN(w->oaud)) : 0;
    add_prefixed(keys, t->key, "oaud", w->oaud, n);
    n = claim_strings(json_object_get(c, "amr"), w->amr, ARRAY_LEN(w->amr));
    add_prefixed(keys, t->key, "amr", w->amr, n);
    if (strcmp(t->iss, GITHUB_ISSUER) == 0)
        for (size_t i = 0; i < ARRAY_LEN(github_claims); i++) {
            const char *v = json_string_value(json_object_get(c, github_claims[i]));
            add_prefixed(keys, t->key, github_claims[i], &v, v ? 1 : 0);
        }
    clock_iso8601(call->now_ms / 1000, w->now_iso);
    dec_encode_to(call->now_ms > 0 ? (uint64_t)(call->now_ms / 1000) : 0, w->epoch);
    call_keys_add(keys, "aws:FederatedProvider", t->provider_arn);
    call_keys_add(keys, "aws:SourceIp", call->source_ip);
    call_keys_add(keys, "aws:SecureTransport", call->secure_transport ? "true" : "false");
    call_keys_add(keys, "aws:RequestedRegion", call->region);
    call_keys_add(keys, "aws:CurrentTime", w->now_iso);
    call_keys_add(keys, "aws:EpochTime", w->epoch);
    call_keys_add(keys, "aws:ViaAWSService", "false");
    call_keys_add(keys, "aws:UserAgent", call->user_agent);
}

/* Whether the role's trust policy lets the token's provider do action on the role: a
 * trust policy's Federated principal alone decides (policy/eval.c). */
static bool trust_allows(const struct call *call, const struct web_token *t, const char *action)
{
    struct policy_set set = {0};
    struct policy_context ctx = {call->keys->entries, call->keys->n};
    struct policy_request req = {
        .action = action,
        .resource = call->target.arn,
        .principal_arn = t->provider_arn,
        .principal_account = call->target.account_id,
        .principal_type = POLICY_PRINCIPAL_PROVIDER,
        .resource_account = call->target.account_id,
        .context = &ctx,
        .now_s = call->now_ms / 1000,
    };
    struct policy_result result;

    set.resource = call->target.resource_policy;
    policy_evaluate(&set, &req, &result);
    return result.decision == POLICY_ALLOWED;
}

/* The caller, for the trail: a WebIdentityUser named by its provider, aud and sub. */
static void identify_caller(struct call *call, const struct web_token *t)
{
    struct principal *p = call->caller;

    p->type = PRINCIPAL_WEB_IDENTITY_USER;
    snprintf(p->arn, sizeof(p->arn), "%s:%s:%s", t->provider_arn, t->aud, t->sub);
    str_copy(p->account_id, sizeof(p->account_id), call->target.account_id);
    str_copy(p->web_provider, sizeof(p->web_provider), t->provider_arn);
    str_copy(p->web_subject, sizeof(p->web_subject), t->sub);
    call->caller_identified = true;
}

static cu_rc bad_claim(struct call *call, const char *claim)
{
    /* IDPRejectedClaim: "the claim is invalid" (STS API reference); wording unverified */
    return cu_err_set(&call->err, CU_E_STS_IDP_REJECTED_CLAIM,
                      "The claim %s in the web identity token is not valid.", claim);
}

/* Session tags from the token's AWS claim: {"principal_tags": {key: [value]},
 * "transitive_tag_keys": [key...]}; request tags of the call (aws:RequestTag/<key>,
 * aws:TagKeys), and the trust policy must allow sts:TagSession. */
static cu_rc take_token_tags(struct call *call, const struct web_token *t,
                             struct session_claims *claims)
{
    cu_rc rc = CU_OK;
    const json_t *claim = json_object_get(t->jwt.claims, TAGS_CLAIM);
    const json_t *tags = json_object_get(claim, "principal_tags");
    const json_t *transitive = json_object_get(claim, "transitive_tag_keys"), *v;
    const char *key, *tag_keys[50];
    char name[sizeof(call->keys->names[0])];
    struct buf lines, keys;
    size_t n = 0;

    buf_init(&lines, sizeof(claims->session_tags) - 1);
    buf_init(&keys, sizeof(claims->transitive_tag_keys) - 1);
    if (!claim)
        goto out;
    ENSURE(json_is_object(claim) && (!tags || json_is_object(tags)) &&
               (!transitive || json_is_array(transitive)) && json_object_size(tags) <= 50,
           bad_claim(call, TAGS_CLAIM));
    json_object_foreach((json_t *)tags, key, v)
    {
        const json_t *only = json_array_get(v, 0);
        bool is_transitive = false;
        size_t j;
        json_t *k;
        ENSURE(json_is_array(v) && json_array_size(v) == 1 && json_is_string(only) &&
                   strlen(key) <= 128 && json_string_length(only) <= 256 && key[0] &&
                   !strpbrk(key, "\t\n") && !strpbrk(json_string_value(only), "\t\n"),
               bad_claim(call, TAGS_CLAIM));
        ENSURE(!principal_tag_lines_have(lines.n ? lines.p : "", key),
               bad_claim(call, TAGS_CLAIM));
        json_array_foreach((json_t *)transitive, j, k)
        {
            is_transitive |= json_is_string(k) && strcmp(json_string_value(k), key) == 0;
        }
        TRY(sts_session_tag_add(call, &lines, &keys, key, json_string_value(only),
                                is_transitive));
        snprintf(name, sizeof(name), "aws:RequestTag/%s", key);
        call_keys_add(call->keys, name, json_string_value(only));
        tag_keys[n++] = key;
    }
    if (!n)
        goto out;
    call_keys_add_multi(call->keys, "aws:TagKeys", tag_keys, n);
    ENSURE(trust_allows(call, t, "sts:TagSession"),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED, "Not authorized to perform sts:TagSession"));
    str_copy(claims->session_tags, sizeof(claims->session_tags), lines.p);
    str_copy(claims->transitive_tag_keys, sizeof(claims->transitive_tag_keys),
             keys.n ? keys.p : "");
out:
    buf_release(&lines);
    buf_release(&keys);
    return rc;
}

/* The source identity the token asks for; the trust policy must allow
 * sts:SetSourceIdentity (with sts:SourceIdentity as a key). */
static cu_rc take_token_source_identity(struct call *call, const struct web_token *t,
                                        struct session_claims *claims)
{
    cu_rc rc = CU_OK;
    const json_t *v = json_object_get(t->jwt.claims, SOURCE_IDENTITY_CLAIM);
    const char *s = json_string_value(v);

    if (!v)
        goto out;
    /* the model's sourceIdentityType: 2 to 64 characters of [\w+=,.@-] */
    ENSURE(s && json_string_length(v) >= 2 && json_string_length(v) <= 64 &&
               strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-") ==
                   strlen(s),
           bad_claim(call, SOURCE_IDENTITY_CLAIM));
    call_keys_add(call->keys, "sts:SourceIdentity", s);
    ENSURE(trust_allows(call, t, "sts:SetSourceIdentity"),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "Not authorized to perform sts:SetSourceIdentity"));
    str_copy(claims->source_identity, sizeof(claims->source_identity), s);
out:
    return rc;
}

/* ProviderId names an OAuth 2.0 provider, whose access tokens STS checks by asking the
 * provider (www.amazon.com and graph.facebook.com, the STS API reference says): custos
 * reaches no provider, so it answers as STS does when the provider cannot be reached. */
static cu_rc check_provider_id(struct call *call, const json_t *in)
{
    if (!in_str(in, "ProviderId"))
        return CU_OK;
    return cu_err_set(&call->err, CU_E_STS_IDP_COMMUNICATION,
                      "The request could not be fulfilled because the identity provider (IDP) "
                      "that was asked to verify the incoming identity token could not be "
                      "reached.");
}

cu_rc sts_assume_role_with_web_identity(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct web_token t;
    bool have_token = false;
    struct web_context *w = calloc(1, sizeof(*w));
    struct session_claims *claims = calloc(1, sizeof(*claims));
    const char *session = in_str_or(in, "RoleSessionName", "");
    int64_t duration = 0, percent = 0;

    ENSURE(w && claims, CU_E_NOMEM);
    TRY(check_provider_id(call, in));
    /* the role first: its account holds the provider the token names */
    TRY(sts_role_resolve(call, in));
    TRY(web_token_check(call, in, &t));
    have_token = true;
    identify_caller(call, &t);
    ENSURE(call->target.doc, denied(call));
    add_token_keys(call, &t, w);
    ENSURE(trust_allows(call, &t, ACTION), denied(call));
    TRY(sts_session_duration(call, in, call->target.doc, false, &duration));
    TRY(take_token_tags(call, &t, claims));
    TRY(sts_session_policies(call, in, claims, &percent));
    TRY(take_token_source_identity(call, &t, claims));
    str_copy(claims->web_provider, sizeof(claims->web_provider), t.provider_arn);
    TRY(sts_role_session_issue(call, session, claims, duration, percent, out));
    TRY(tree_set_str(out, "SubjectFromWebIdentityToken", t.sub));
    /* an IAM OIDC provider's tokens name it by ARN (what STS answers for them) */
    TRY(tree_set_str(out, "Provider", t.provider_arn));
    TRY(tree_set_str(out, "Audience", t.aud));
out:
    if (have_token)
        web_token_release(&t);
    free(w);
    free(claims);
    return rc;
}
