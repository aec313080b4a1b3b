/* services.c — which services a compiled policy's actions can name, so that evaluation
 * skips a policy none of whose statements could match the request's action.
 *
 * A user in 10 groups with 10 managed policies each carries 100 policies into every call,
 * most about other services; each statement's action patterns cost a comparison or two,
 * and a policy that names only s3: and sqs: actions cannot match kms:GenerateDataKey. The
 * test is a necessary condition for a match, never more: an action pattern can match an
 * action only when the action starts with the pattern's literal prefix (the text before
 * its first '*' or '?'), so when that prefix holds a ':' the action's service is the
 * prefix's text before it. Patterns without one (a wildcard in the service, "*") and
 * NotAction statements (they match every other service) make the policy match any.
 *
 * IAM's access advisor asks a narrower question of the same patterns: which services do the
 * policy's Allow statements name (policy_services, policy_grants_service)? Deny statements
 * grant nothing, so they are left out there; a NotAction Allow grants every service but one
 * it leaves out whole ("kms:*"). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_impl.h"


/* Note the service of one action pattern (or that it may be any). */
static cu_rc note(struct policy *p, const struct pattern *a, size_t *cap)
{
    const char *colon = memchr(a->text, ':', a->literal);
    size_t len;
    struct policy_service *grown;

    if (!colon) {
        p->any_service = true;
        return CU_OK;
    }
    len = (size_t)(colon - a->text);
    if (policy_may_match_service(p, a->text, len))
        return CU_OK;
    if (p->n_services == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        grown = realloc(p->services, *cap * sizeof(*grown));
        if (!grown)
            return CU_E_NOMEM;
        p->services = grown;
    }
    p->services[p->n_services].name = strndup(a->text, len);
    if (!p->services[p->n_services].name)
        return CU_E_NOMEM;
    p->services[p->n_services].len = len;
    p->n_services++;
    return CU_OK;
}

cu_rc policy_index_services(struct policy *p)
{
    cu_rc rc = CU_OK;
    size_t cap = 0;

    for (size_t i = 0; i < p->n_statements && !p->any_service; i++) {
        const struct statement *st = &p->statements[i];

        if (!st->has_action)
            continue; /* a statement without Action matches nothing (judge) */
        if (st->not_action) {
            p->any_service = true;
            break;
        }
        for (size_t j = 0; j < st->n_actions; j++)
            TRY(note(p, &st->actions[j], &cap));
    }
out:
    return rc;
}

/* The namespace of an action pattern: its literal prefix's text before ':' (length in
 * *len), or NULL for a pattern that can match any service ("*"). */
static const char *pattern_service(const struct pattern *a, size_t *len)
{
    const char *colon = memchr(a->text, ':', a->literal);

    if (!colon)
        return NULL;
    *len = (size_t)(colon - a->text);
    return a->text;
}

/* Does a NotAction list leave out every action of service ("service:*", or "*")? */
static bool leaves_out_service(const struct statement *st, const char *service, size_t n)
{
    for (size_t j = 0; j < st->n_actions; j++) {
        const struct pattern *a = &st->actions[j];

        if (strcmp(a->text, "*") == 0)
            return true;
        if (a->len == n + 2 && memcmp(a->text, service, n) == 0 && a->text[n] == ':' &&
            a->text[n + 1] == '*')
            return true;
    }
    return false;
}

bool policy_services(const struct policy *p, void (*fn)(const char *service, void *ctx),
                     void *ctx)
{
    bool any = false;
    char name[128];

    for (size_t i = 0; i < p->n_statements; i++) {
        const struct statement *st = &p->statements[i];

        if (!st->allow || !st->has_action)
            continue;
        if (st->not_action) {
            any = true;
            continue;
        }
        for (size_t j = 0; j < st->n_actions; j++) {
            size_t len = 0;
            const char *svc = pattern_service(&st->actions[j], &len);

            if (!svc) {
                any = true;
                continue;
            }
            if (len >= sizeof(name))
                continue; /* no service has such a namespace */
            memcpy(name, svc, len);
            name[len] = '\0';
            fn(name, ctx);
        }
    }
    return any;
}

bool policy_grants_service(const struct policy *p, const char *service)
{
    size_t n = strlen(service);

    for (size_t i = 0; i < p->n_statements; i++) {
        const struct statement *st = &p->statements[i];

        if (!st->allow || !st->has_action)
            continue;
        if (st->not_action) {
            if (!leaves_out_service(st, service, n))
                return true;
            continue;
        }
        for (size_t j = 0; j < st->n_actions; j++) {
            size_t len = 0;
            const char *svc = pattern_service(&st->actions[j], &len);

            if (!svc || (len == n && memcmp(svc, service, n) == 0))
                return true;
        }
    }
    return false;
}
