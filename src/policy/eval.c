/* eval.c — AWS's evaluation flow for one request (IAM guide,
 * reference_policies_evaluation-logic and ...-cross-account; AWS-NOTES §3):
 *
 *   1. an explicit Deny in any applicable policy (RCP, SCP, identity, resource,
 *      boundary, session)                                    -> explicit deny
 *   2. each level of RCPs (of the resource's account) must allow, and then each level
 *      of SCPs (of the caller's account); neither grants anything -> else implicit deny
 *   3. a KMS grant naming the caller for the operation (the caller decides which grants
 *      apply): allowed, like a key policy statement naming the caller itself
 *   4. the account's root user: allowed, except that a KMS key policy must allow the
 *      account (a key policy that does not name it locks root out, AWS-NOTES §2)
 *   5. same account: a resource policy that names the caller itself (the user, or the
 *      role session) allows on its own; one that names a session's role skips the
 *      identity policies but not the boundary or session policy
 *   6. a KMS key policy must allow (directly or by enabling the account); across accounts
 *      any resource policy must allow the caller or its account
 *   7. identity policies must allow (unless 5 granted through the role)
 *   8. a permissions boundary, when set, must allow
 *   9. a session: its session policy, when given, must allow; a federated session
 *      without one has no permissions
 * Evaluation allocates nothing: matches are recorded in the fixed array of the result. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "policy_impl.h"

/* What one policy says about the request. */
struct verdict {
    bool deny;            /* an explicit Deny statement matched */
    bool allow;           /* an Allow statement matched */
    bool allow_direct;    /* ...naming the caller itself (resource policies) */
    bool allow_role;      /* ...naming the caller's role (resource policies) */
};

static void record(struct policy_result *res, const struct policy *p, size_t i)
{
    const struct statement *st = &p->statements[i];

    if (res->n_matches == POLICY_MAX_MATCHES)
        return;
    res->matches[res->n_matches++] =
        (struct policy_match){.label = p->label, .statement = i, .sid = st->sid,
                              .allow = st->allow, .start = st->start, .end = st->end};
}

/* has_boundary: the caller is an IAM user or role with a permissions boundary. */
/* The request's action, lowercased, measured once for every policy judged. */
struct action {
    char text[256];
    size_t len;
    size_t service_len; /* before its ':'; SIZE_MAX without one */
};

static struct verdict judge(const struct policy *p, const struct policy_request *req,
                            const struct action *a, bool has_boundary,
                            struct policy_result *res)
{
    struct verdict v = {0};
    bool resource_policy =
        p->kind == POLICY_RESOURCE || p->kind == POLICY_KEY || p->kind == POLICY_TRUST;
    const char *action_lower = a->text;
    size_t action_len = a->len;

    /* a policy about other services only: none of its statements can match */
    if (!policy_may_match_service(p, a->text, a->service_len))
        return v;

    for (size_t i = 0; i < p->n_statements; i++) {
        const struct statement *st = &p->statements[i];
        bool by_account = false, by_role = false;

        if (!st->has_action || !policy_match_action(st, action_lower, action_len))
            continue;
        /* a trust policy has no Resource element: it is about the role it belongs to
         * (IAM guide, id_roles_terms-and-concepts, "Trust policy") */
        if (p->kind != POLICY_TRUST && !policy_match_resource(st, req))
            continue;
        /* IAM guide, access_policies_boundaries (and ..._elements_notprincipal): a
         * NotPrincipal statement with Deny "will always deny any IAM principal that has a
         * permissions boundary policy attached, regardless of the values specified" */
        if (resource_policy && !policy_match_principal(st, req, &by_account, &by_role) &&
            !(has_boundary && st->not_principal && !st->allow))
            continue;
        if (!policy_conditions_hold(st, req))
            continue;
        record(res, p, i);
        if (!st->allow) {
            v.deny = true;
            continue;
        }
        v.allow = true;
        if (resource_policy && by_role)
            v.allow_role = true;
        else if (resource_policy && !by_account)
            v.allow_direct = true;
    }
    return v;
}

static void decide(struct policy_result *res, enum policy_decision d, enum policy_source s)
{
    res->decision = d;
    res->source = s;
}

/* Organizations policies (SCPs or RCPs): every level has an allow, and none denies. */
static enum policy_decision judge_levels(const struct policy_scp_level *levels, size_t n,
                                        const struct policy_request *req,
                                        const struct action *action, struct policy_result *res)
{
    bool denied = false, all_levels = true;

    for (size_t l = 0; l < n; l++) {
        bool level_allows = false;
        for (size_t i = 0; i < levels[l].n; i++) {
            struct verdict v = judge(levels[l].policies[i], req, action, false, res);
            denied |= v.deny;
            level_allows |= v.allow;
        }
        all_levels &= level_allows;
    }
    if (denied)
        return POLICY_EXPLICIT_DENY;
    return all_levels ? POLICY_ALLOWED : POLICY_IMPLICIT_DENY;
}

void policy_evaluate(const struct policy_set *set, const struct policy_request *req,
                     struct policy_result *res)
{
    struct action a;
    const char *colon;
    struct verdict identity = {0}, resource = {0}, boundary = {0}, session = {0};
    /* Two resource policies do not grant on their own when they name only the account,
     * even within it: a KMS key policy (the KMS account rule) and a role's trust policy.
     * A trust policy naming the caller's ARN suffices; one naming the account needs the
     * caller's identity policy to allow sts:AssumeRole as well (STS API reference,
     * AssumeRole: "To allow a user to assume a role in the same account, you can do either
     * of the following: attach a policy to the user ... [or] add the user as a principal
     * directly in the role's trust policy"; IAM guide,
     * reference_policies_evaluation-logic-cross-account and
     * id_roles_use_permissions-to-switch). A trust policy that allows nobody denies. */
    bool key_policy = set->resource && (set->resource->kind == POLICY_KEY ||
                                        set->resource->kind == POLICY_TRUST);
    bool is_session = req->principal_type == POLICY_PRINCIPAL_ROLE_SESSION ||
                      req->principal_type == POLICY_PRINCIPAL_FEDERATED;
    bool cross_account = req->resource_account && req->principal_account &&
                         strcmp(req->resource_account, req->principal_account) != 0;
    enum policy_decision scps = POLICY_ALLOWED, rcps = POLICY_ALLOWED;
    size_t i;

    memset(res, 0, sizeof(*res));
    for (i = 0; req->action && req->action[i] && i < sizeof(a.text) - 1; i++)
        a.text[i] = (char)tolower((unsigned char)req->action[i]);
    a.text[i] = '\0';
    a.len = i;
    colon = memchr(a.text, ':', a.len);
    a.service_len = colon ? (size_t)(colon - a.text) : SIZE_MAX;

    if (set->n_rcps)
        rcps = judge_levels(set->rcps, set->n_rcps, req, &a, res);
    if (set->n_scps)
        scps = judge_levels(set->scps, set->n_scps, req, &a, res);
    for (i = 0; i < set->n_identity; i++) {
        struct verdict v = judge(set->identity[i], req, &a, false, res);
        identity.deny |= v.deny;
        identity.allow |= v.allow;
    }
    if (set->resource)
        resource = judge(set->resource, req, &a, set->boundary != NULL, res);
    if (set->boundary)
        boundary = judge(set->boundary, req, &a, false, res);
    if (set->session)
        session = judge(set->session, req, &a, false, res);

    if (rcps == POLICY_EXPLICIT_DENY)
        return decide(res, POLICY_EXPLICIT_DENY, POLICY_SOURCE_RCP);
    if (scps == POLICY_EXPLICIT_DENY)
        return decide(res, POLICY_EXPLICIT_DENY, POLICY_SOURCE_SCP);
    if (identity.deny)
        return decide(res, POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY);
    if (resource.deny)
        return decide(res, POLICY_EXPLICIT_DENY, POLICY_SOURCE_RESOURCE);
    if (boundary.deny)
        return decide(res, POLICY_EXPLICIT_DENY, POLICY_SOURCE_BOUNDARY);
    if (session.deny)
        return decide(res, POLICY_EXPLICIT_DENY, POLICY_SOURCE_SESSION);
    if (rcps == POLICY_IMPLICIT_DENY)
        return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RCP);
    if (scps == POLICY_IMPLICIT_DENY)
        return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_SCP);

    if (set->grant)
        return decide(res, POLICY_ALLOWED, POLICY_SOURCE_NONE);
    if (req->principal_type == POLICY_PRINCIPAL_ROOT) {
        if ((key_policy || cross_account) && !resource.allow)
            return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE);
        return decide(res, POLICY_ALLOWED, POLICY_SOURCE_NONE);
    }
    if (resource.allow_direct && !cross_account)
        return decide(res, POLICY_ALLOWED, POLICY_SOURCE_NONE);
    if ((key_policy || cross_account) && !resource.allow)
        return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE);
    if (!identity.allow && !(resource.allow_role && !cross_account))
        return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY);
    if (set->boundary && !boundary.allow)
        return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_BOUNDARY);
    if (is_session && (set->session ? !session.allow
                                    : req->principal_type == POLICY_PRINCIPAL_FEDERATED))
        return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_SESSION);
    decide(res, POLICY_ALLOWED, POLICY_SOURCE_NONE);
}
