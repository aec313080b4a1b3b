/* condition.c — the Condition element: operators as a table, and their evaluation
 * against the request context (IAM guide, reference_policies_elements_condition*).
 *
 * Rules kept here:
 *  - several values for one key are OR'd; several keys and operators are AND'd;
 *  - a key missing from the context fails a positive operator and satisfies a negated
 *    one; "...IfExists" makes a missing key satisfy any operator;
 *  - ForAnyValue: true if some context value matches (missing, or a null data set such
 *    as an empty string: false); ForAllValues: true if every context value matches
 *    (missing or a null data set: true);
 *  - a policy variable without a value is a null value that equals nothing: positive
 *    operators do not match it, negated ones (StringNotEquals, ...) do;
 *  - condition keys compare without regard to case; values as the operator says.
 * BinaryEquals compares the base64 text of the value, as AWS does. Operators AWS does not
 * know are refused at compile time (validate.c), unless their block is empty. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "policy_impl.h"

static const struct condition_op ops[] = {
    {"StringEquals", COND_STRING, false, false, false, 0},
    {"StringNotEquals", COND_STRING, true, false, false, 0},
    {"StringEqualsIgnoreCase", COND_STRING, false, true, false, 0},
    {"StringNotEqualsIgnoreCase", COND_STRING, true, true, false, 0},
    {"StringLike", COND_STRING, false, false, true, 0},
    {"StringNotLike", COND_STRING, true, false, true, 0},
    {"NumericEquals", COND_NUMERIC, false, false, false, 0},
    {"NumericNotEquals", COND_NUMERIC, true, false, false, 0},
    {"NumericLessThan", COND_NUMERIC, false, false, false, -1},
    {"NumericLessThanEquals", COND_NUMERIC, false, false, false, -2},
    {"NumericGreaterThan", COND_NUMERIC, false, false, false, 1},
    {"NumericGreaterThanEquals", COND_NUMERIC, false, false, false, 2},
    {"Bool", COND_BOOL, false, true, false, 0},
    {"Null", COND_NULL, false, false, false, 0},
    {"ArnEquals", COND_ARN, false, false, true, 0},
    {"ArnLike", COND_ARN, false, false, true, 0},
    {"ArnNotEquals", COND_ARN, true, false, true, 0},
    {"ArnNotLike", COND_ARN, true, false, true, 0},
    {"DateEquals", COND_DATE, false, false, false, 0},
    {"DateNotEquals", COND_DATE, true, false, false, 0},
    {"DateLessThan", COND_DATE, false, false, false, -1},
    {"DateLessThanEquals", COND_DATE, false, false, false, -2},
    {"DateGreaterThan", COND_DATE, false, false, false, 1},
    {"DateGreaterThanEquals", COND_DATE, false, false, false, 2},
    {"BinaryEquals", COND_STRING, false, false, false, 0},
    {"IpAddress", COND_IP, false, false, false, 0},
    {"NotIpAddress", COND_IP, true, false, false, 0},
};

bool policy_parse_cidr(const char *text, struct cidr *out)
{
    char addr[64];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    unsigned max;

    if (n == 0 || n >= sizeof(addr))
        return false;
    memcpy(addr, text, n);
    addr[n] = '\0';
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, addr, out->addr) == 1) {
        out->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
        out->family = AF_INET6;
        max = 128;
    } else {
        return false;
    }
    out->prefix = max;
    if (slash) {
        char *end = NULL;
        long bits = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || bits < 0 || bits > (long)max)
            return false;
        out->prefix = (unsigned)bits;
    }
    return true;
}

bool policy_parse_date(const char *text, double *out)
{
    int64_t epoch = 0;
    char *end = NULL;
    long long v;

    if (clock_parse_iso8601(text, strlen(text), &epoch) == CU_OK) {
        *out = (double)epoch;
        return true;
    }
    /* AWS also takes epoch seconds: digits within a signed 64-bit count, not below zero
     * (IAM's legacy parser refuses "9223372036854775808" and fractions) */
    for (const char *c = text; *c; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (!*text || *end || errno == ERANGE)
        return false;
    *out = (double)v;
    return true;
}

static bool in_cidr(const struct cidr *c, const struct cidr *ip)
{
    unsigned full = c->prefix / 8, rest = c->prefix % 8;

    if (c->family != ip->family)
        return false;
    if (memcmp(c->addr, ip->addr, full) != 0)
        return false;
    if (rest == 0)
        return true;
    return ((c->addr[full] ^ ip->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static bool compare_ordered(int cmp, double v, double want)
{
    switch (cmp) {
    case 0:
        return v == want;
    case -1:
        return v < want;
    case -2:
        return v <= want;
    case 1:
        return v > want;
    default:
        return v >= want;
    }
}

const struct condition_op *policy_condition_op(const char *name, size_t n)
{
    for (size_t i = 0; i < ARRAY_LEN(ops); i++)
        if (strlen(ops[i].name) == n && strncmp(ops[i].name, name, n) == 0)
            return &ops[i];
    return NULL;
}

static const struct policy_context_entry *lookup(const struct policy_request *req,
                                                 const char *key)
{
    const struct policy_context *ctx = req->context;

    for (size_t i = 0; ctx && i < ctx->n; i++)
        if (strcasecmp(ctx->entries[i].key, key) == 0)
            return &ctx->entries[i];
    return NULL;
}

/* One context value against one condition value, before negation. */
static bool compare(const struct condition *c, size_t i, const char *value,
                    const struct policy_request *req)
{
    const struct condition_op *op = c->op;
    char expanded[POLICY_EXPANDED_MAX];
    const char *want = c->values[i];
    double v;

    if (c->vars && strstr(want, "${")) {
        /* IAM guide, reference_policies_variables, "Policy variables with no value": the
         * value is effectively null and nothing is equal to or like it, so it compares
         * false here and a negated operator matches (value_matches) */
        if (!policy_expand(want, req, expanded, sizeof(expanded)))
            return false;
        /* without wildcards to protect, the literal stand-ins of substituted text are
         * the characters themselves again */
        for (char *x = expanded; !op->like && *x; x++)
            *x = *x == POLICY_LITERAL_STAR ? '*' : *x == POLICY_LITERAL_QUESTION ? '?' : *x;
        want = expanded;
    }
    switch (op->family) {
    case COND_ARN:
        /* #Conditions_ARN: "each of the six colon-delimited components of the ARN is
         * checked separately"; ArnEquals and ArnLike both take wildcards */
        return policy_match_arn(want, value);
    case COND_STRING:
        if (op->like)
            return policy_glob(want, value, op->ignore_case);
        return op->ignore_case ? strcasecmp(want, value) == 0 : strcmp(want, value) == 0;
    case COND_BOOL:
        return strcasecmp(want, value) == 0;
    case COND_NUMERIC:
        return policy_parse_number(value, &v) && compare_ordered(op->numeric_cmp, v, c->numbers[i]);
    case COND_DATE:
        return policy_parse_date(value, &v) && compare_ordered(op->numeric_cmp, v, c->numbers[i]);
    case COND_IP: {
        struct cidr ip;
        return policy_parse_cidr(value, &ip) && in_cidr(&c->cidrs[i], &ip);
    }
    case COND_NULL:
        return false;
    }
    return false;
}

/* A context value matches the condition: some condition value compares true (positive
 * operators), or none does (negated operators). */
static bool value_matches(const struct condition *c, const char *value,
                          const struct policy_request *req)
{
    bool any = false;

    for (size_t i = 0; i < c->n_values && !any; i++)
        any = compare(c, i, value, req);
    return c->op->negated ? !any : any;
}

/* IAM guide, reference_policies_condition-single-vs-multi-valued-context-keys (and the
 * older reference_policies_multi-value-conditions): key values that "resolve to an empty
 * data set (for example, an empty string)" count as no values for the set operators. */
static bool null_data_set(const struct policy_context_entry *e)
{
    for (size_t i = 0; e && i < e->n_values; i++)
        if (e->values[i] && e->values[i][0])
            return false;
    return true;
}

static bool condition_holds(const struct condition *c, const struct policy_request *req)
{
    const struct policy_context_entry *e = lookup(req, c->key);
    bool present = e && e->n_values > 0, result;

    if (c->op->family == COND_NULL) {
        /* "Null": true means the key must be absent, false that it must be present and
         * not null. Inferred from the single-vs-multi-valued page, whose remedy for keys
         * "with empty values" is Null with false: an empty value counts as null. */
        bool absent = null_data_set(e);
        for (size_t i = 0; i < c->n_values; i++)
            if ((strcasecmp(c->values[i], "true") == 0) == absent)
                return true;
        return false;
    }
    if (c->set != SET_SINGLE && present && null_data_set(e))
        present = false;
    if (!present) {
        if (c->if_exists)
            return true;
        if (c->set == SET_ALL_VALUES)
            return true;
        if (c->set == SET_ANY_VALUE)
            return false;
        return c->op->negated;
    }
    if (c->set == SET_ALL_VALUES) {
        result = true;
        for (size_t i = 0; i < e->n_values && result; i++)
            result = value_matches(c, e->values[i], req);
    } else {
        result = false;
        for (size_t i = 0; i < e->n_values && !result; i++)
            result = value_matches(c, e->values[i], req);
    }
    return result;
}

bool policy_conditions_hold(const struct statement *st, const struct policy_request *req)
{
    for (size_t i = 0; i < st->n_conditions; i++)
        if (!condition_holds(&st->conditions[i], req))
            return false;
    return true;
}
