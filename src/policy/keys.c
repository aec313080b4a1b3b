/* keys.c — which condition keys a policy refers to (IAM GetContextKeysForPrincipalPolicy
 * and GetContextKeysForCustomPolicy): the keys of its conditions and the keys named by
 * its policy variables, each once (compared without regard to case), in document order. */
#include <string.h>
#include <strings.h>

#include "policy_impl.h"

static size_t add(const char **out, size_t cap, size_t n, const char *key)
{
    for (size_t i = 0; i < n && i < cap; i++)
        if (strcasecmp(out[i], key) == 0)
            return n;
    if (n < cap)
        out[n] = key;
    return n + 1;
}

size_t policy_context_keys(const struct policy *p, const char **out, size_t cap)
{
    size_t n = 0;

    for (size_t s = 0; s < p->n_statements; s++) {
        const struct statement *st = &p->statements[s];
        for (size_t c = 0; c < st->n_conditions; c++)
            n = add(out, cap, n, st->conditions[c].key);
        for (size_t k = 0; k < st->n_var_keys; k++)
            n = add(out, cap, n, st->var_keys[k]);
    }
    return n;
}
