/* call.c — helpers for the call contract (call.h): condition keys, and evaluating a
 * policy a request supplies against the caller's policies the pipeline handed down (the
 * policy engine directly: services never call back into server/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "core/buf.h"

void call_keys_add_multi(struct call_keys *k, const char *name, const char *const *values,
                         size_t n)
{
    if (k->n == CALL_MAX_KEYS || n > CALL_MAX_KEYS * 2 - k->n_values)
        return;
    str_copy(k->names[k->n], sizeof(k->names[k->n]), name);
    for (size_t i = 0; i < n; i++)
        k->values[k->n_values + i] = values[i];
    k->entries[k->n] = (struct policy_context_entry){k->names[k->n], &k->values[k->n_values], n};
    k->n++;
    k->n_values += n;
}

void call_keys_remove_prefix(struct call_keys *k, const char *prefix)
{
    size_t kept = 0, len = strlen(prefix);

    for (size_t i = 0; i < k->n; i++) {
        struct policy_context_entry *e = &k->entries[kept];
        size_t first;

        if (strncmp(k->names[i], prefix, len) == 0)
            continue;
        if (kept != i) {
            memcpy(k->names[kept], k->names[i], sizeof(k->names[i]));
            *e = k->entries[i];
            e->key = k->names[kept];
            /* a number's text lives in its own name's slot (call_keys_add_number) */
            first = (size_t)(e->values - k->values);
            for (size_t v = 0; v < e->n_values; v++) {
                const char *p = k->values[first + v];
                if (p >= k->names[i] && p < k->names[i] + sizeof(k->names[i]))
                    k->values[first + v] = k->names[kept] + (p - k->names[i]);
            }
        }
        kept++;
    }
    k->n = kept;
}

void call_keys_add_number(struct call_keys *k, const char *name, int64_t value)
{
    size_t at = strlen(name) + 1;
    char *slot;

    if (k->n == CALL_MAX_KEYS || k->n_values == CALL_MAX_KEYS * 2 ||
        at + 21 > sizeof(k->names[0]))
        return;
    /* the number's text lives in the name's own slot, after the name's terminator: it
     * lasts exactly as long as the entry, with no storage of its own to reset */
    slot = k->names[k->n];
    str_copy(slot, at, name);
    snprintf(slot + at, sizeof(k->names[0]) - at, "%lld", (long long)value);
    k->values[k->n_values] = slot + at;
    k->entries[k->n] = (struct policy_context_entry){slot, &k->values[k->n_values], 1};
    k->n++;
    k->n_values++;
}

void call_keys_add(struct call_keys *k, const char *name, const char *value)
{
    if (value)
        call_keys_add_multi(k, name, &value, 1);
}

static const char *tag_key(const json_t *tag)
{
    const char *k = json_string_value(json_object_get(tag, "Key"));
    return k ? k : json_string_value(json_object_get(tag, "TagKey"));
}

static const char *tag_value(const json_t *tag)
{
    const char *v = json_string_value(json_object_get(tag, "Value"));
    return v ? v : json_string_value(json_object_get(tag, "TagValue"));
}

/* IAM guide, reference_policies_condition-keys: aws:RequestTag/<key>, aws:TagKeys,
 * aws:ResourceTag/<key>. */
void call_keys_request_tags(struct call_keys *k, const json_t *tags)
{
    const char *names[CALL_MAX_KEYS];
    char name[160];
    size_t i, n = 0;
    json_t *t;

    json_array_foreach((json_t *)tags, i, t)
    {
        if (!tag_key(t))
            continue;
        snprintf(name, sizeof(name), "aws:RequestTag/%s", tag_key(t));
        call_keys_add(k, name, tag_value(t));
        if (n < CALL_MAX_KEYS)
            names[n++] = tag_key(t);
    }
    if (n)
        call_keys_add_multi(k, "aws:TagKeys", names, n);
}

void call_keys_resource_tags(struct call_keys *k, const json_t *tags)
{
    char name[160];
    size_t i;
    json_t *t;

    if (!k)
        return;
    json_array_foreach((json_t *)tags, i, t)
    {
        if (!tag_key(t))
            continue;
        snprintf(name, sizeof(name), "aws:ResourceTag/%s", tag_key(t));
        call_keys_add(k, name, tag_value(t));
    }
}

void call_keys_add_strings(struct call_keys *k, const char *name, const json_t *list,
                           size_t most)
{
    const char *values[CALL_MAX_KEYS];
    size_t i, n = 0;
    json_t *item;

    if (most > CALL_MAX_KEYS)
        most = CALL_MAX_KEYS;
    json_array_foreach((json_t *)list, i, item)
    {
        if (n < most && json_string_value(item))
            values[n++] = json_string_value(item);
    }
    if (n)
        call_keys_add_multi(k, name, values, n);
}

void call_keys_tag_keys(struct call_keys *k, const json_t *tag_keys)
{
    call_keys_add_strings(k, "aws:TagKeys", tag_keys, CALL_MAX_KEYS);
}

bool call_policy_allows(const struct call *call, const char *action, const char *resource_arn,
                        const struct policy *resource_policy)
{
    struct policy_set set;
    struct policy_request req;
    struct policy_result result;

    if (!call->authz)
        return false;
    set = call->authz->set;
    set.resource = resource_policy;
    set.grant = false;
    req = call->authz->req;
    req.action = action;
    req.resource = resource_arn;
    req.resource_account = call->env->account_id;
    policy_evaluate(&set, &req, &result);
    return result.decision == POLICY_ALLOWED;
}

/* Whether a context key describes the first service's request or resource rather than the
 * caller or the request as a whole. */
static bool first_service_key(const char *name, const char *service)
{
    size_t n = strlen(service);

    return strncmp(name, "aws:ResourceTag/", 16) == 0 ||
           strncmp(name, "aws:RequestTag/", 15) == 0 || strcmp(name, "aws:TagKeys") == 0 ||
           (strncmp(name, service, n) == 0 && name[n] == ':');
}

bool call_policy_allows_on_behalf(const struct call *call, const char *action,
                                  const char *resource_arn, const struct policy *resource_policy,
                                  const char *first_service, const struct call_keys *keys)
{
    const struct policy_context *base;
    struct policy_context_entry *entries;
    struct policy_context ctx = {0};
    struct policy_set set;
    struct policy_request req;
    struct policy_result result;

    if (!call->authz)
        return false;
    base = call->authz->req.context;
    entries = calloc((base ? base->n : 0) + keys->n + 1, sizeof(*entries));
    if (!entries)
        return false;
    for (size_t i = 0; base && i < base->n; i++)
        if (!first_service_key(base->entries[i].key, first_service))
            entries[ctx.n++] = base->entries[i];
    for (size_t i = 0; i < keys->n; i++)
        entries[ctx.n++] = keys->entries[i];
    ctx.entries = entries;
    set = call->authz->set;
    set.resource = resource_policy;
    set.grant = false;
    req = call->authz->req;
    req.action = action;
    req.resource = resource_arn;
    req.resource_account = call->env->account_id;
    req.context = &ctx;
    policy_evaluate(&set, &req, &result);
    free(entries);
    return result.decision == POLICY_ALLOWED;
}
