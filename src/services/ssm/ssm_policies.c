/* ssm_policies.c — PutParameter's Policies text (Systems Manager user guide,
 * parameter-store-policies): a JSON array of up to 10 policies, each
 *   {"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": "<ISO 8601>"}}
 *   {"Type": "ExpirationNotification", "Version": "1.0",
 *    "Attributes": {"Before": "<n>", "Unit": "Days" | "Hours"}}
 *   {"Type": "NoChangeNotification", "Version": "1.0",
 *    "Attributes": {"After": "<n>", "Unit": "Days" | "Hours"}}
 * A pure parser (no I/O, no clock; fuzzed: tests/fuzz/ssm_policies_fuzz.c): the handler
 * judges an Expiration against the call's time. */
#include <string.h>

#include <jansson.h>

#include "core/clock.h"
#include "ssm.h"

static const char *const type_names[] = {"Expiration", "ExpirationNotification",
                                         "NoChangeNotification"};

const char *ssm_policy_type_name(enum ssm_policy_type type)
{
    return type_names[type];
}

static cu_rc bad_attribute(struct cu_err *err, const char *type)
{
    return cu_err_set(err, CU_E_SSM_INVALID_POLICY_ATTRIBUTE,
                      "A policy attribute or its value is invalid for the %s policy type.", type);
}

/* "15" → 15: the count of a notification, 1 to 999999 */
static bool parse_count(const json_t *v, int64_t *out)
{
    const char *s = json_string_value(v);
    int64_t n = 0;
    size_t i;

    if (json_is_integer(v)) {
        n = json_integer_value(v);
        *out = n;
        return n >= 1 && n <= 999999;
    }
    if (!s || !*s || strlen(s) > 6)
        return false;
    for (i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        n = n * 10 + (s[i] - '0');
    }
    *out = n;
    return n >= 1;
}

static cu_rc parse_one(const json_t *p, struct ssm_policy *out, struct cu_err *err)
{
    const char *type = json_string_value(json_object_get(p, "Type"));
    const char *version = json_string_value(json_object_get(p, "Version"));
    const json_t *attrs = json_object_get(p, "Attributes");
    const char *unit;
    size_t t;

    if (!json_is_object(p))
        return cu_err_set(err, CU_E_VALIDATION, "Invalid policies input: a policy must be a "
                                                "JSON object.");
    for (t = 0; t < sizeof(type_names) / sizeof(type_names[0]); t++)
        if (type && strcmp(type, type_names[t]) == 0)
            break;
    if (t == sizeof(type_names) / sizeof(type_names[0]) || !version ||
        strcmp(version, "1.0") != 0)
        return cu_err_set(err, CU_E_SSM_INVALID_POLICY_TYPE,
                          "The policy type is not supported. Parameter Store supports the "
                          "following policy types: Expiration, ExpirationNotification, and "
                          "NoChangeNotification.");
    out->type = (enum ssm_policy_type)t;
    if (!json_is_object(attrs))
        return bad_attribute(err, type);
    if (out->type == SSM_POLICY_EXPIRATION) {
        const char *ts = json_string_value(json_object_get(attrs, "Timestamp"));

        if (!ts || json_object_size(attrs) != 1 ||
            clock_parse_iso8601(ts, strlen(ts), &out->timestamp_s) != CU_OK)
            return bad_attribute(err, type);
        return CU_OK;
    }
    unit = json_string_value(json_object_get(attrs, "Unit"));
    if (!parse_count(json_object_get(attrs, out->type == SSM_POLICY_EXPIRATION_NOTIFICATION
                                                ? "Before"
                                                : "After"),
                     &out->amount) ||
        !unit || (strcmp(unit, "Days") != 0 && strcmp(unit, "Hours") != 0) ||
        json_object_size(attrs) != 2)
        return bad_attribute(err, type);
    out->hours = strcmp(unit, "Hours") == 0;
    return CU_OK;
}

cu_rc ssm_policies_parse(struct bytes in, struct ssm_policies *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)in.p, in.n, JSON_REJECT_DUPLICATES, &jerr);
    bool seen[3] = {false, false, false};
    size_t i;
    json_t *p;

    memset(out, 0, sizeof(*out));
    ENSURE(json_is_array(doc), cu_err_set(err, CU_E_VALIDATION,
                                          "Invalid policies input: the policies must be a JSON "
                                          "array of policies."));
    ENSURE(json_array_size(doc) <= SSM_MAX_POLICIES,
           cu_err_set(err, CU_E_SSM_POLICIES_LIMIT,
                      "You specified more than the maximum number of allowed policies for the "
                      "parameter. The maximum is 10."));
    json_array_foreach(doc, i, p)
    {
        TRY(parse_one(p, &out->items[out->n], err));
        /* one policy of each type: two expirations would contradict each other */
        ENSURE(!seen[out->items[out->n].type],
               cu_err_set(err, CU_E_SSM_INCOMPATIBLE_POLICY,
                          "There is a conflict in the policies specified for this parameter. "
                          "You can't, for example, specify two Expiration policies for a "
                          "parameter. Review your policies, and try again."));
        seen[out->items[out->n].type] = true;
        out->n++;
    }
out:
    json_decref(doc);
    return rc;
}
