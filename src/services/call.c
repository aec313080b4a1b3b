/* call.c — helpers for the call contract (call.h). */
#include <stdio.h>

#include "call.h"

void call_keys_add_multi(struct call_keys *k, const char *name, const char *const *values,
                         size_t n)
{
    if (k->n == CALL_MAX_KEYS || n > CALL_MAX_KEYS * 2 - k->n_values)
        return;
    snprintf(k->names[k->n], sizeof(k->names[k->n]), "%s", name);
    for (size_t i = 0; i < n; i++)
        k->values[k->n_values + i] = values[i];
    k->entries[k->n] = (struct policy_context_entry){k->names[k->n], &k->values[k->n_values], n};
    k->n++;
    k->n_values += n;
}

void call_keys_add(struct call_keys *k, const char *name, const char *value)
{
    if (value)
        call_keys_add_multi(k, name, &value, 1);
}
