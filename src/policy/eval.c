/* eval.c — AWS's evaluation flow for one request (IAM guide,
 * reference_policies_evaluation-logic; AWS-NOTES §3):
 *
 *   1. an explicit Deny in any applicable policy           -> explicit deny
 *   2. the account's root user: allowed, except that a KMS key policy must allow the
 *      account (a key policy that does not name it locks root out, AWS-NOTES §2)
 *   3. a resource policy that allows the caller's own ARN   -> allowed on its own
 *      (same account; for a KMS key the same holds: the key policy grants directly)
 *   4. a KMS key policy that allows nobody                  -> implicit deny (resource)
 *   5. identity policies must allow                         -> else implicit deny
 *      (an allow through the account principal of a key policy only enables them)
 *   6. a permissions boundary, when set, must allow too     -> else implicit deny
 * Evaluation allocates nothing: matches are recorded in the fixed array of the result. */
#include <ctype.h>
#include <string.h>

#include "policy_impl.h"

/* What one policy says about the request. */
struct verdict {
    bool deny;            /* an explicit Deny statement matched */
    bool allow;           /* an Allow statement matched */
    bool allow_direct;    /* ...naming the caller itself (resource policies) */
};

static void record(struct policy_result *res, const struct policy *p, size_t i)
{
    const struct statement *st = &p->statements[i];

    if (res->n_matches == POLICY_MAX_MATCHES)
        return;
    res->matches[res->n_matches++] =
        (struct policy_match){.label = p->label, .statement = i, .sid = st->sid,
                              .allow = st->allow};
}

static struct verdict judge(const struct policy *p, const struct policy_request *req,
                            const char *action_lower, struct policy_result *res)
{
    struct verdict v = {0};
    bool resource_policy = p->kind == POLICY_RESOURCE || p->kind == POLICY_KEY;

    for (size_t i = 0; i < p->n_statements; i++) {
        const struct statement *st = &p->statements[i];
        bool by_account = false;

        if (!st->has_action || !policy_match_action(st, action_lower))
            continue;
        if (!policy_match_resource(st, req))
            continue;
        if (resource_policy && !policy_match_principal(st, req, &by_account))
            continue;
        if (!policy_conditions_hold(st, req))
            continue;
        record(res, p, i);
        if (!st->allow) {
            v.deny = true;
            continue;
        }
        v.allow = true;
        if (resource_policy && !by_account)
            v.allow_direct = true;
    }
    return v;
}

static void decide(struct policy_result *res, enum policy_decision d, enum policy_source s)
{
    res->decision = d;
    res->source = s;
}

void policy_evaluate(const struct policy_set *set, const struct policy_request *req,
                     struct policy_result *res)
{
    char action[256];
    struct verdict identity = {0}, resource = {0}, boundary = {0};
    bool key_policy = set->resource && set->resource->kind == POLICY_KEY;
    size_t i;

    memset(res, 0, sizeof(*res));
    for (i = 0; req->action[i] && i < sizeof(action) - 1; i++)
        action[i] = (char)tolower((unsigned char)req->action[i]);
    action[i] = '\0';

    for (i = 0; i < set->n_identity; i++) {
        struct verdict v = judge(set->identity[i], req, action, res);
        identity.deny |= v.deny;
        identity.allow |= v.allow;
    }
    if (set->resource)
        resource = judge(set->resource, req, action, res);
    if (set->boundary)
        boundary = judge(set->boundary, req, action, res);

    if (identity.deny)
        return decide(res, POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY);
    if (resource.deny)
        return decide(res, POLICY_EXPLICIT_DENY, POLICY_SOURCE_RESOURCE);
    if (boundary.deny)
        return decide(res, POLICY_EXPLICIT_DENY, POLICY_SOURCE_BOUNDARY);

    if (req->principal_type == POLICY_PRINCIPAL_ROOT) {
        if (key_policy && !resource.allow)
            return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE);
        return decide(res, POLICY_ALLOWED, POLICY_SOURCE_NONE);
    }
    if (resource.allow_direct)
        return decide(res, POLICY_ALLOWED, POLICY_SOURCE_NONE);
    if (key_policy && !resource.allow)
        return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE);
    if (!identity.allow)
        return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY);
    if (set->boundary && !boundary.allow)
        return decide(res, POLICY_IMPLICIT_DENY, POLICY_SOURCE_BOUNDARY);
    decide(res, POLICY_ALLOWED, POLICY_SOURCE_NONE);
}
