/* match.c — matching actions, resources and principals of one statement.
 *
 * Wildcards: '*' is any run of characters, '?' exactly one (IAM guide, "IAM JSON policy
 * elements: Action/Resource"). Actions compare without regard to case; resources with
 * it. In a resource ARN a wildcard stays inside its segment: the first five ':'
 * separate the fixed segments, and the sixth (the resource) may itself contain ':'; a
 * pattern with fewer segments lets its last one run to the end of the ARN. */
#include <ctype.h>
#include <string.h>

#include "policy_impl.h"

static char fold(char c, bool ignore_case)
{
    /* the literal stand-ins of expanded ${*} and ${?} match the characters themselves */
    if (c == POLICY_LITERAL_STAR)
        return '*';
    if (c == POLICY_LITERAL_QUESTION)
        return '?';
    return ignore_case ? (char)tolower((unsigned char)c) : c;
}

/* Iterative glob with one backtrack point: linear in practice, no recursion. */
static bool glob_n(const char *p, size_t pn, const char *t, size_t tn, bool ignore_case)
{
    size_t pi = 0, ti = 0, star_p = (size_t)-1, star_t = 0;

    while (ti < tn) {
        /* a '*' is a wildcard even where the text holds a '*' too */
        if (pi < pn && p[pi] == '*') {
            star_p = pi++;
            star_t = ti;
        } else if (pi < pn &&
                   (p[pi] == '?' || fold(p[pi], ignore_case) == fold(t[ti], ignore_case))) {
            pi++;
            ti++;
        } else if (star_p != (size_t)-1) {
            pi = star_p + 1;
            ti = ++star_t;
        } else {
            return false;
        }
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

bool policy_glob(const char *pattern, const char *text, bool ignore_case)
{
    return glob_n(pattern, strlen(pattern), text, strlen(text), ignore_case);
}

/* A compiled pattern against a text: the literal prefix first (most patterns of a policy
 * differ from the request there, in the service prefix), the glob only for the rest. */
static bool pattern_matches(const struct pattern *p, const char *text, size_t len)
{
    if (!p->wild)
        return p->len == len && memcmp(p->text, text, len) == 0;
    if (p->literal > len || memcmp(p->text, text, p->literal) != 0)
        return false;
    return glob_n(p->text + p->literal, p->len - p->literal, text + p->literal,
                  len - p->literal, false);
}

bool policy_match_action(const struct statement *st, const char *action_lower, size_t len)
{
    bool hit = false;

    for (size_t i = 0; i < st->n_actions && !hit; i++)
        hit = pattern_matches(&st->actions[i], action_lower, len);
    return st->not_action ? !hit : hit;
}

/* Split an ARN at its first five colons; returns the number of segments found (<= 6). */
static size_t arn_segments(const char *s, const char *seg[6], size_t len[6])
{
    size_t n = 0;
    const char *start = s;

    for (const char *c = s; *c && n < 5; c++) {
        if (*c == ':') {
            seg[n] = start;
            len[n] = (size_t)(c - start);
            n++;
            start = c + 1;
        }
    }
    seg[n] = start;
    len[n] = strlen(start);
    return n + 1;
}

bool policy_match_arn(const char *pattern, const char *resource)
{
    const char *ps[6], *rs[6];
    size_t pl[6], rl[6], pn, rn, last;

    if (strcmp(pattern, "*") == 0)
        return true;
    pn = arn_segments(pattern, ps, pl);
    rn = arn_segments(resource, rs, rl);
    if (rn != 6)
        return glob_n(pattern, strlen(pattern), resource, strlen(resource), false);
    /* A pattern of fewer fields ("arn:aws:s3:*"): its last field takes the rest of the
     * ARN, colons included ("If the * wildcard is the last character of a resource ARN
     * segment, it can expand to match beyond the colon boundaries"); the fields before it
     * are still matched one by one, so a '?' never stands for a ':'. */
    last = pn - 1;
    for (size_t i = 0; i < last; i++)
        if (!glob_n(ps[i], pl[i], rs[i], rl[i], false))
            return false;
    return glob_n(ps[last], pl[last], rs[last], strlen(rs[last]), false);
}

bool policy_match_resource(const struct statement *st, const struct policy_request *req)
{
    char expanded[POLICY_EXPANDED_MAX];
    bool hit = false;

    if (!st->has_resource || !req->resource)
        return false;
    for (size_t i = 0; i < st->n_resources && !hit; i++) {
        const struct pattern *p = &st->resources[i];
        if (p->vars) {
            /* IAM guide, reference_policies_variables, "Policy variables with no value": a
             * Resource or NotResource entry holding a variable with no value matches no
             * resource; the other entries still count, and NotResource then applies */
            hit = policy_expand(p->text, req, expanded, sizeof(expanded)) &&
                  policy_match_arn(expanded, req->resource);
            continue;
        }
        /* a literal prefix is literal in every ARN field it covers: a quick refusal */
        if (p->literal && strncmp(p->text, req->resource, p->literal) != 0)
            continue;
        hit = p->wild ? policy_match_arn(p->text, req->resource)
                      : strcmp(p->text, req->resource) == 0;
    }
    return st->not_resource ? !hit : hit;
}

/* A principal entry against the caller. Account entries match every principal of the
 * account, which in AWS delegates the decision to that account's IAM policies. */
static bool entry_matches(const struct principal_entry *e, const struct policy_request *req,
                          bool *by_account, bool *by_role)
{
    switch (e->form) {
    case PRINCIPAL_ANY:
        return true;
    case PRINCIPAL_ACCOUNT:
        if (!req->principal_account || strcmp(e->value, req->principal_account) != 0)
            return false;
        *by_account = true;
        return true;
    case PRINCIPAL_ARN:
        if (req->principal_arn && strcmp(e->value, req->principal_arn) == 0)
            return true;
        /* naming a session's role grants through the role (still bounded by the session's
         * boundary and session policy), not to the session itself */
        if (req->role_arn && strcmp(e->value, req->role_arn) == 0) {
            *by_role = true;
            return true;
        }
        return false;
    case PRINCIPAL_PROVIDER:
        return req->principal_type == POLICY_PRINCIPAL_PROVIDER && req->principal_arn &&
               strcmp(e->value, req->principal_arn) == 0;
    case PRINCIPAL_SERVICE:
    case PRINCIPAL_OTHER:
        return false;
    }
    return false;
}

bool policy_match_principal(const struct statement *st, const struct policy_request *req,
                            bool *by_account, bool *by_role)
{
    bool hit = false, via_account = false, via_role = false;

    if (!st->has_principal)
        return false;
    for (size_t i = 0; i < st->n_principals && !hit; i++) {
        bool acct = false, role = false;
        hit = entry_matches(&st->principals[i], req, &acct, &role);
        if (hit) {
            via_account = acct;
            via_role = role;
        }
    }
    *by_account = false;
    *by_role = false;
    if (st->not_principal)
        return !hit;
    *by_account = via_account;
    *by_role = via_role;
    return hit;
}
