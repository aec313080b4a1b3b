/* variables.c — policy variables (IAM guide, reference_policies_variables): "${key}" in
 * Resource and condition values is replaced per request by the context key's value,
 * "${key, 'default'}" falls back to the default, and ${*} ${?} ${$} stand for the literal
 * characters. A variable with no value and no default is a null value ("Policy variables
 * with no value"): it matches no resource and equals nothing, so a negated condition
 * operator holds (match.c, condition.c). Substituted values are literal: a '*' in a user
 * name never becomes a wildcard. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_impl.h"

/* One "${...}" body [p, end): its key and optional quoted default. */
struct variable {
    const char *key;
    size_t key_len;
    const char *def;      /* NULL when there is none */
    size_t def_len;
};

static bool parse_variable(const char *p, const char *end, struct variable *v)
{
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *k_end = comma ? comma : end;

    while (p < k_end && isspace((unsigned char)*p))
        p++;
    while (k_end > p && isspace((unsigned char)k_end[-1]))
        k_end--;
    if (p == k_end)
        return false;
    *v = (struct variable){.key = p, .key_len = (size_t)(k_end - p)};
    if (comma) {
        const char *d = comma + 1, *d_end = end;
        while (d < d_end && isspace((unsigned char)*d))
            d++;
        while (d_end > d && isspace((unsigned char)d_end[-1]))
            d_end--;
        if (d_end - d < 2 || *d != '\'' || d_end[-1] != '\'')
            return false;
        v->def = d + 1;
        v->def_len = (size_t)(d_end - d - 2);
    }
    return true;
}

bool policy_variables_valid(const char *text)
{
    for (const char *p = strstr(text, "${"); p; p = strstr(p, "${")) {
        const char *end = strchr(p + 2, '}');
        struct variable v;
        if (!end || !parse_variable(p + 2, end, &v))
            return false;
        p = end + 1;
    }
    return true;
}

static const char *context_value(const struct policy_request *req, const char *key, size_t n)
{
    const struct policy_context *ctx = req->context;

    for (size_t i = 0; ctx && i < ctx->n; i++) {
        const struct policy_context_entry *e = &ctx->entries[i];
        if (strlen(e->key) == n && strncasecmp(e->key, key, n) == 0 && e->n_values > 0)
            return e->values[0];
    }
    return NULL;
}

/* Append n bytes as literal text: wildcard characters become their literal stand-ins. */
static bool put_literal(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i] == '*' ? POLICY_LITERAL_STAR : s[i] == '?' ? POLICY_LITERAL_QUESTION : s[i];
        if (*len + 1 >= cap)
            return false;
        out[(*len)++] = c;
    }
    return true;
}

bool policy_expand(const char *text, const struct policy_request *req, char *out, size_t cap)
{
    size_t len = 0;
    const char *p = text;

    while (*p) {
        const char *end;
        struct variable v;
        const char *value;

        if (p[0] != '$' || p[1] != '{') {
            if (len + 1 >= cap)
                return false;
            out[len++] = *p++;
            continue;
        }
        end = strchr(p + 2, '}');
        if (!end || !parse_variable(p + 2, end, &v))
            return false;
        p = end + 1;
        if (v.key_len == 1 && (v.key[0] == '*' || v.key[0] == '?' || v.key[0] == '$')) {
            if (!put_literal(out, cap, &len, v.key, 1))
                return false;
            continue;
        }
        value = context_value(req, v.key, v.key_len);
        if (value ? !put_literal(out, cap, &len, value, strlen(value))
                  : !v.def || !put_literal(out, cap, &len, v.def, v.def_len))
            return false;
    }
    out[len] = '\0';
    return true;
}

cu_rc policy_note_variables(struct statement *st, const char *text)
{
    for (const char *p = strstr(text, "${"); p; p = strstr(p, "${")) {
        const char *end = strchr(p + 2, '}');
        struct variable v;
        char **grown;

        if (!end || !parse_variable(p + 2, end, &v))
            return CU_E_IAM_MALFORMED_POLICY;
        p = end + 1;
        if (v.key_len == 1 && strchr("*?$", v.key[0]))
            continue;
        grown = realloc(st->var_keys, (st->n_var_keys + 1) * sizeof(*grown));
        if (!grown)
            return CU_E_NOMEM;
        st->var_keys = grown;
        st->var_keys[st->n_var_keys] = strndup(v.key, v.key_len);
        if (!st->var_keys[st->n_var_keys])
            return CU_E_NOMEM;
        st->n_var_keys++;
    }
    return CU_OK;
}
