/* A corpus of condition-operator cases (IAM guide,
 * reference_policies_elements_condition_operators and _condition-single-vs-multi-valued-
 * context-keys): one Allow statement whose only condition is the row's operator, key and
 * policy values, evaluated against the row's context value ("" = key absent); the row
 * says whether the statement must apply. Each block names the section it follows. */
#include "check.h"
#include "policy/policy.h"

struct op_case {
    const char *op;          /* operator as written in the policy */
    const char *key;
    const char *policy_values; /* JSON: a string or an array */
    const char *context;     /* one value, "" for an absent key, or "a|b" for two values */
    bool applies;
};

static const struct op_case cases[] = {
    /* #Conditions_String */
    {"StringEquals", "k", "\"abc\"", "abc", true},
    {"StringEquals", "k", "\"abc\"", "ABC", false},
    {"StringEquals", "k", "[\"x\",\"abc\"]", "abc", true},
    {"StringEquals", "k", "\"abc\"", "", false},
    {"StringEquals", "k", "\"a*\"", "abc", false},
    {"StringNotEquals", "k", "\"abc\"", "abd", true},
    {"StringNotEquals", "k", "\"abc\"", "abc", false},
    {"StringNotEquals", "k", "[\"a\",\"b\"]", "b", false},
    {"StringNotEquals", "k", "\"abc\"", "", true},
    {"StringEqualsIgnoreCase", "k", "\"AbC\"", "abc", true},
    {"StringEqualsIgnoreCase", "k", "\"AbC\"", "abd", false},
    {"StringNotEqualsIgnoreCase", "k", "\"AbC\"", "ABC", false},
    {"StringNotEqualsIgnoreCase", "k", "\"AbC\"", "xyz", true},
    {"StringLike", "k", "\"a*c\"", "abbbc", true},
    {"StringLike", "k", "\"a?c\"", "abc", true},
    {"StringLike", "k", "\"a?c\"", "abbc", false},
    {"StringLike", "k", "\"*\"", "", false},
    {"StringLike", "k", "\"A*\"", "abc", false},
    {"StringNotLike", "k", "\"a*\"", "bcd", true},
    {"StringNotLike", "k", "\"a*\"", "abc", false},
    {"StringNotLike", "k", "\"a*\"", "", true},
    /* #Conditions_Numeric */
    {"NumericEquals", "n", "\"10\"", "10", true},
    {"NumericEquals", "n", "\"10\"", "10.0", true},
    {"NumericEquals", "n", "\"10\"", "11", false},
    {"NumericEquals", "n", "\"10\"", "ten", false},
    {"NumericNotEquals", "n", "\"10\"", "11", true},
    {"NumericNotEquals", "n", "\"10\"", "10", false},
    {"NumericLessThan", "n", "\"10\"", "9", true},
    {"NumericLessThan", "n", "\"10\"", "10", false},
    {"NumericLessThanEquals", "n", "\"10\"", "10", true},
    {"NumericLessThanEquals", "n", "\"10\"", "11", false},
    {"NumericGreaterThan", "n", "\"10\"", "11", true},
    {"NumericGreaterThan", "n", "\"10\"", "10", false},
    {"NumericGreaterThanEquals", "n", "\"10\"", "10", true},
    {"NumericGreaterThanEquals", "n", "\"10\"", "-3", false},
    {"NumericLessThan", "n", "\"10\"", "", false},
    {"NumericLessThanIfExists", "n", "\"10\"", "", true},
    {"NumericLessThanIfExists", "n", "\"10\"", "20", false},
    /* #Conditions_Date */
    {"DateEquals", "d", "\"2020-01-01T00:00:00Z\"", "2020-01-01T00:00:00Z", true},
    {"DateEquals", "d", "\"2020-01-01T00:00:00Z\"", "1577836800", true},
    {"DateNotEquals", "d", "\"2020-01-01T00:00:00Z\"", "2020-01-02T00:00:00Z", true},
    {"DateLessThan", "d", "\"2020-01-01T00:00:00Z\"", "2019-12-31T23:59:59Z", true},
    {"DateLessThan", "d", "\"2020-01-01T00:00:00Z\"", "2020-01-01T00:00:00Z", false},
    {"DateLessThanEquals", "d", "\"2020-01-01\"", "2020-01-01T00:00:00Z", true},
    {"DateGreaterThan", "d", "\"2020-01-01T00:00:00+02:00\"", "2019-12-31T23:00:00Z", true},
    {"DateGreaterThanEquals", "d", "\"1577836800\"", "2020-01-01T00:00:00Z", true},
    {"DateGreaterThan", "d", "\"2020-01-01T00:00:00Z\"", "not a date", false},
    {"DateLessThanIfExists", "d", "\"2020-01-01T00:00:00Z\"", "", true},
    /* #Conditions_Boolean */
    {"Bool", "b", "\"true\"", "true", true},
    {"Bool", "b", "\"true\"", "TRUE", true},
    {"Bool", "b", "\"true\"", "false", false},
    {"Bool", "b", "\"false\"", "", false},
    {"BoolIfExists", "b", "\"false\"", "", true},
    {"BoolIfExists", "b", "\"false\"", "true", false},
    /* #Conditions_BinaryEquals */
    {"BinaryEquals", "bin", "\"QmluYXJ5\"", "QmluYXJ5", true},
    {"BinaryEquals", "bin", "\"QmluYXJ5\"", "QmluYXJ6", false},
    /* #Conditions_IPAddress */
    {"IpAddress", "ip", "\"203.0.113.0/24\"", "203.0.113.9", true},
    {"IpAddress", "ip", "\"203.0.113.0/24\"", "203.0.114.9", false},
    {"IpAddress", "ip", "\"203.0.113.7\"", "203.0.113.7", true},
    {"IpAddress", "ip", "\"203.0.113.7/32\"", "203.0.113.8", false},
    {"IpAddress", "ip", "\"0.0.0.0/0\"", "198.51.100.1", true},
    {"IpAddress", "ip", "\"10.0.0.0/9\"", "10.127.255.255", true},
    {"IpAddress", "ip", "\"10.0.0.0/9\"", "10.128.0.0", false},
    {"IpAddress", "ip", "\"2001:DB8:1234:5678::/64\"", "2001:db8:1234:5678::1", true},
    {"IpAddress", "ip", "\"2001:DB8:1234:5678::/64\"", "2001:db8:1234:5679::1", false},
    {"IpAddress", "ip", "\"203.0.113.0/24\"", "not-an-ip", false},
    {"NotIpAddress", "ip", "\"203.0.113.0/24\"", "198.51.100.1", true},
    {"NotIpAddress", "ip", "\"203.0.113.0/24\"", "203.0.113.1", false},
    {"NotIpAddress", "ip", "\"203.0.113.0/24\"", "", true},
    /* #Conditions_ARN */
    {"ArnEquals", "a", "\"arn:aws:iam::111122223333:user/alice\"", "arn:aws:iam::111122223333:user/alice", true},
    {"ArnLike", "a", "\"arn:aws:iam::*:user/*\"", "arn:aws:iam::111122223333:user/alice", true},
    {"ArnLike", "a", "\"arn:aws:iam::*:role/*\"", "arn:aws:iam::111122223333:user/alice", false},
    {"ArnNotEquals", "a", "\"arn:aws:iam::111122223333:user/alice\"", "arn:aws:iam::111122223333:user/bob", true},
    {"ArnNotLike", "a", "\"arn:aws:sqs:*\"", "arn:aws:sns:us-east-1:111122223333:t", true},
    {"ArnNotLike", "a", "\"arn:aws:sns:*\"", "arn:aws:sns:us-east-1:111122223333:t", false},
    /* #Conditions_Null */
    {"Null", "k", "\"true\"", "", true},
    {"Null", "k", "\"true\"", "v", false},
    {"Null", "k", "\"false\"", "v", true},
    {"Null", "k", "\"false\"", "", false},
    /* condition keys are matched without regard to case (reference_policies_elements_condition) */
    {"StringEquals", "AWS:UserName", "\"alice\"", "alice", true},
    /* _condition-single-vs-multi-valued-context-keys */
    {"ForAnyValue:StringEquals", "tags", "[\"a\",\"b\"]", "b|z", true},
    {"ForAnyValue:StringEquals", "tags", "[\"a\",\"b\"]", "y|z", false},
    {"ForAnyValue:StringEquals", "tags", "\"a\"", "", false},
    {"ForAllValues:StringEquals", "tags", "[\"a\",\"b\"]", "a|b", true},
    {"ForAllValues:StringEquals", "tags", "[\"a\",\"b\"]", "a|z", false},
    {"ForAllValues:StringEquals", "tags", "\"a\"", "", true},
    {"ForAllValues:StringLike", "tags", "\"t*\"", "team|tier", true},
    {"ForAnyValue:StringNotEquals", "tags", "\"a\"", "a|b", true},
    {"ForAllValues:StringNotEquals", "tags", "\"a\"", "a|b", false},
    {"ForAnyValue:StringLike", "tags", "\"x?\"", "xy|abc", true},
    /* IfExists on every family (#Conditions_IfExists) */
    {"StringEqualsIfExists", "k", "\"v\"", "", true},
    {"StringEqualsIfExists", "k", "\"v\"", "w", false},
    {"StringLikeIfExists", "k", "\"v*\"", "", true},
    {"ArnLikeIfExists", "a", "\"arn:*\"", "", true},
    {"IpAddressIfExists", "ip", "\"10.0.0.0/8\"", "", true},
    {"IpAddressIfExists", "ip", "\"10.0.0.0/8\"", "192.0.2.1", false},
    {"DateGreaterThanIfExists", "d", "\"2020-01-01\"", "", true},
    {"NumericEqualsIfExists", "n", "\"1\"", "2", false},
};

/* "a|b" -> two values; "" -> absent. */
static size_t split(const char *in, char *buf, size_t cap, const char **out)
{
    size_t n = 0;
    char *p;

    if (!in[0])
        return 0;
    snprintf(buf, cap, "%s", in);
    out[n++] = buf;
    for (p = buf; *p; p++) {
        if (*p == '|') {
            *p = '\0';
            out[n++] = p + 1;
        }
    }
    return n;
}

int main(void)
{
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct op_case *c = &cases[i];
        char doc[1024], buf[256];
        const char *values[4];
        struct policy *p = NULL;
        struct cu_err err = {0};
        struct policy_context_entry entry;
        struct policy_context ctx = {&entry, 0};
        struct policy_result res;

        snprintf(doc, sizeof(doc),
                 "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
                 "\"Resource\":\"*\",\"Condition\":{\"%s\":{\"%s\":%s}}}}",
                 c->op, c->key, c->policy_values);
        if (policy_compile(bytes_str(doc), POLICY_IDENTITY, "p", &p, &err) != CU_OK) {
            fprintf(stderr, "case %zu (%s): does not compile: %s\n", i, c->op, err.msg);
            check_failed++;
            continue;
        }
        entry = (struct policy_context_entry){
            strcmp(c->key, "AWS:UserName") == 0 ? "aws:username" : c->key, values,
            split(c->context, buf, sizeof(buf), values)};
        ctx.n = entry.n_values ? 1 : 0;
        {
            const struct policy *ids[1] = {p};
            struct policy_set set = {.identity = ids, .n_identity = 1};
            struct policy_request req = {.action = "s3:GetObject", .resource = "arn:aws:s3:::b/k",
                                         .principal_arn = "arn:aws:iam::111122223333:user/alice",
                                         .principal_account = "111122223333",
                                         .principal_type = POLICY_PRINCIPAL_USER,
                                         .resource_account = "111122223333", .context = &ctx};
            policy_evaluate(&set, &req, &res);
        }
        if ((res.decision == POLICY_ALLOWED) != c->applies) {
            fprintf(stderr, "case %zu: %s {%s: %s} with '%s' applies=%d, want %d\n", i, c->op,
                    c->key, c->policy_values, c->context, res.decision == POLICY_ALLOWED,
                    c->applies);
            check_failed++;
        } else {
            check_passed++;
        }
        policy_free(p);
    }
    TEST_END();
}
