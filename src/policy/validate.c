/* validate.c — the checks IAM makes of a whole policy document before anything is
 * compiled, in the order IAM makes them, so that a document with several faults gets the
 * message IAM gives for it (messages.c holds the texts). The order, as AWS answers
 * (observed and recorded in AWS-derived test tables; see messages.c):
 *
 *   1. syntax: the JSON shape of every element            "Syntax errors in policy."
 *   2. a managed policy states Version 2012-10-17         "Policy document must be ..."
 *   3. legacy parsing: Effect spelled exactly, Date values, the colons of resources
 *                                                         "The policy failed legacy parsing"
 *   4. Sids unique; 5. every statement has actions; 6. and resources
 *   7. the first malformed resource ARN, in document order
 *   8. the vendor prefix of every action
 *
 * Pure: reads the parsed document, writes only err. parse.c compiles what passes. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy_impl.h"

static const char *const statement_fields[] = {"Sid", "Effect", "Principal", "NotPrincipal",
                                               "Action", "NotAction", "Resource",
                                               "NotResource", "Condition", NULL};

bool policy_iam_kind(enum policy_kind kind)
{
    return kind == POLICY_IDENTITY || kind == POLICY_MANAGED || kind == POLICY_BOUNDARY ||
           kind == POLICY_SESSION;
}

size_t policy_statement_count(const json_t *stmts)
{
    return json_is_object(stmts) ? 1 : json_array_size(stmts);
}

const json_t *policy_statement_at(const json_t *stmts, size_t i)
{
    return json_is_object(stmts) ? stmts : json_array_get(stmts, i);
}

static bool one_of(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

/* A string or an array of strings; IAM's grammar lets the array be empty (an empty
 * Action or Resource is then "must contain actions/resources", step 5 and 6). */
static bool strings(const json_t *v)
{
    size_t i;
    json_t *item;

    if (json_is_string(v))
        return true;
    if (!json_is_array(v) || json_array_size(v) > POLICY_MAX_VALUES)
        return false;
    json_array_foreach(v, i, item)
        if (!json_is_string(item))
            return false;
    return true;
}

static bool scalar(const json_t *v)
{
    return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

/* An operator name without its set prefix and IfExists suffix (as parse.c reads it). */
static const struct condition_op *known_operator(const char *name)
{
    size_t n;

    if (strncmp(name, "ForAnyValue:", 12) == 0)
        name += 12;
    else if (strncmp(name, "ForAllValues:", 13) == 0)
        name += 13;
    n = strlen(name);
    if (n > 8 && strcmp(name + n - 8, "IfExists") == 0 && strncmp(name, "Null", 4) != 0)
        n -= 8;
    return policy_condition_op(name, n);
}

/* Condition: operator -> key -> value or list of values. AWS accepts an empty block,
 * and a block of an operator it does not know as long as the block is empty (it has
 * nothing to evaluate); an unknown operator with keys is a syntax error. */
static bool condition_syntax(const json_t *cond)
{
    const char *op, *key;
    json_t *block, *values, *item;
    size_t i;

    if (!json_is_object(cond))
        return false;
    json_object_foreach((json_t *)cond, op, block)
    {
        if (!json_is_object(block))
            return false;
        if (json_object_size(block) > 0 && !known_operator(op))
            return false;
        json_object_foreach(block, key, values)
        {
            if (json_is_array(values)) {
                if (json_array_size(values) > POLICY_MAX_VALUES)
                    return false;
                json_array_foreach(values, i, item)
                    if (!scalar(item))
                        return false;
            } else if (!scalar(values)) {
                return false;
            }
        }
    }
    return true;
}

static bool both(const json_t *st, const char *a, const char *b)
{
    return json_object_get(st, a) && json_object_get(st, b);
}

static bool statement_syntax(const json_t *st, enum policy_kind kind)
{
    const char *name, *effect;
    json_t *value;
    static const char *const lists[] = {"Action", "NotAction", "Resource", "NotResource", NULL};

    if (!json_is_object(st))
        return false;
    json_object_foreach((json_t *)st, name, value)
        if (!one_of(name, statement_fields))
            return false;
    if (both(st, "Action", "NotAction") || both(st, "Resource", "NotResource") ||
        both(st, "Principal", "NotPrincipal"))
        return false;
    for (const char *const *l = lists; *l; l++)
        if (json_object_get(st, *l) && !strings(json_object_get(st, *l)))
            return false;
    if (json_object_get(st, "Sid") && !json_is_string(json_object_get(st, "Sid")))
        return false;
    if (json_object_get(st, "Condition") && !condition_syntax(json_object_get(st, "Condition")))
        return false;
    /* IAM reads Effect without regard to case here; the exact spelling is a legacy-parsing
     * matter (step 3). Other kinds keep their own words for Effect (parse.c). */
    if (policy_iam_kind(kind)) {
        effect = json_string_value(json_object_get(st, "Effect"));
        if (!effect || (strcasecmp(effect, "Allow") != 0 && strcasecmp(effect, "Deny") != 0))
            return false;
    }
    return true;
}

static cu_rc syntax(const json_t *doc, enum policy_kind kind, struct cu_err *err)
{
    const char *name;
    json_t *value, *version, *stmts;

    if (!json_is_object(doc))
        return policy_malformed(err, MSG_SYNTAX, NULL, NULL);
    json_object_foreach((json_t *)doc, name, value)
        if (strcmp(name, "Version") != 0 && strcmp(name, "Id") != 0 &&
            strcmp(name, "Statement") != 0)
            return policy_malformed(err, MSG_SYNTAX, NULL, NULL);
    version = json_object_get(doc, "Version");
    if (version && !(json_is_string(version) &&
                     (strcmp(json_string_value(version), "2012-10-17") == 0 ||
                      strcmp(json_string_value(version), "2008-10-17") == 0)))
        /* IAM: an unknown Version is a syntax error (a "2013-10-17" is refused so) */
        return policy_malformed(err, policy_iam_kind(kind) ? MSG_SYNTAX : MSG_LEGACY, NULL,
                                NULL);
    /* Id is a string (reference_policies_elements_id) */
    if (json_object_get(doc, "Id") && !json_is_string(json_object_get(doc, "Id")))
        return policy_malformed(err, MSG_SYNTAX, NULL, NULL);
    stmts = json_object_get(doc, "Statement");
    /* an empty Statement list is a syntax error, not an empty policy */
    if (!json_is_object(stmts) &&
        !(json_is_array(stmts) && json_array_size(stmts) > 0 &&
          json_array_size(stmts) <= POLICY_MAX_STATEMENTS))
        return policy_malformed(err, MSG_SYNTAX, NULL, NULL);
    for (size_t i = 0; i < policy_statement_count(stmts); i++)
        if (!statement_syntax(policy_statement_at(stmts, i), kind))
            return policy_malformed(err, MSG_SYNTAX, NULL, NULL);
    return CU_OK;
}

/* Split s at its first max ':' into at most max + 1 fields, the last taking the rest.
 * Returns how many there are. */
static size_t split(const char *s, size_t max, const char **f, size_t *len)
{
    size_t n = 0;
    const char *start = s;

    for (const char *c = s; *c && n < max; c++) {
        if (*c == ':') {
            f[n] = start;
            len[n++] = (size_t)(c - start);
            start = c + 1;
        }
    }
    f[n] = start;
    len[n] = strlen(start);
    return n + 1;
}

/* The six fields of an ARN-like text. */
static size_t fields(const char *s, const char *f[6], size_t len[6])
{
    return split(s, 5, f, len);
}

static bool field_is(const char *f, size_t n, const char *want)
{
    return strlen(want) == n && strncmp(f, want, n) == 0;
}

static bool known_partition(const char *p, size_t n)
{
    static const char *const partitions[] = {"aws",       "aws-cn",    "aws-us-gov", "aws-iso",
                                             "aws-iso-b", "aws-iso-e", "aws-iso-f",  "aws-eusc",
                                             "*",         NULL};
    for (const char *const *k = partitions; *k; k++)
        if (field_is(p, n, *k))
            return true;
    return false;
}

/* IAM names an unknown partition with the resource respelled "arn:<p>:<service>:<region>:
 * <account>:<resource>", a missing field written "*" (so "a:b:c" reads "arn:b:c:*:*:*",
 * and "a:b" reads "arn:b:*:*:*:*"). */
static cu_rc bad_partition(const char *partition, size_t plen, const char *after,
                           struct cu_err *err)
{
    char p[201], spelled[1024];
    const char *f[4];
    size_t len[4], n = split(after ? after : "", 3, f, len);
    const char *show[4] = {"*", "*", "*", "*"};
    int show_len[4] = {1, 1, 1, 1};

    snprintf(p, sizeof(p), "%.*s", (int)(plen > 200 ? 200 : plen), partition);
    for (size_t i = 0; i < n; i++) {
        show[i] = f[i];
        show_len[i] = (int)(len[i] > 200 ? 200 : len[i]);
    }
    if (n == 1 && len[0] == 0) {
        show[0] = "*";
        show_len[0] = 1;
    }
    snprintf(spelled, sizeof(spelled), "arn:%s:%.*s:%.*s:%.*s:%.*s", p, show_len[0], show[0],
             show_len[1], show[1], show_len[2], show[2], show_len[3], show[3]);
    return policy_malformed(err, MSG_PARTITION, p, spelled);
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
    return n >= strlen(prefix) && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* An IAM resource (step 7): "*", root, or one of IAM's resource types. */
static bool iam_path_ok(const char *r, size_t n)
{
    static const char *const types[] = {"user/", "federated-user/", "role/", "group/",
                                        "instance-profile/", "mfa/", "server-certificate/",
                                        "policy/", "sms-mfa/", "saml-provider/",
                                        "oidc-provider/", "report/", "access-report/", NULL};
    if (field_is(r, n, "*") || field_is(r, n, "root"))
        return true;
    for (const char *const *t = types; *t; t++)
        if (starts_with(r, n, *t))
            return true;
    return false;
}

/* One Resource or NotResource entry as IAM reads an ARN (step 7). */
static cu_rc resource_format(const char *r, struct cu_err *err)
{
    const char *f[6];
    size_t len[6], n;
    bool regional;

    if (strcmp(r, "*") == 0)
        return CU_OK;
    if (!strchr(r, ':'))
        return policy_malformed(err, MSG_ARN_FORMAT, r, NULL);
    n = fields(r, f, len);
    /* the first field is not read: "aws:s3:::b" names partition "s3" */
    if (!known_partition(f[1], len[1]))
        return bad_partition(f[1], len[1], n > 2 ? f[2] : NULL, err);
    if (n < 3)
        return policy_malformed(err, MSG_VENDOR_QUALIFIED, NULL, NULL);
    /* a region of "*" names no region (inferred: "arn:aws:s3:*" is a common pattern) */
    regional = n >= 4 && len[3] > 0 && !field_is(f[3], len[3], "*");
    if (regional && field_is(f[2], len[2], "iam"))
        return policy_malformed(err, MSG_IAM_REGION, r, NULL);
    /* S3 access points are regional; buckets and objects are not */
    if (regional && field_is(f[2], len[2], "s3") &&
        !(n == 6 && starts_with(f[5], len[5], "accesspoint/")))
        return policy_malformed(err, MSG_S3_REGION, r, NULL);
    if (field_is(f[2], len[2], "iam") && !(n == 6 && iam_path_ok(f[5], len[5])))
        return policy_malformed(err, MSG_IAM_PATH, NULL, NULL);
    return CU_OK;
}

/* IAM's older parser (step 3): a resource with "::" needs all five colons, and the
 * service field must be there and not empty ("arn:aws:s3::b" and "arn:aws::x" fail). */
static bool resource_legacy_ok(const char *r)
{
    const char *f[6];
    size_t len[6], colons = 0;

    if (strcmp(r, "*") == 0)
        return true;
    for (const char *c = r; *c; c++)
        colons += *c == ':';
    if (colons < 5 && strstr(r, "::"))
        return false;
    return fields(r, f, len) >= 3 && len[2] > 0;
}

static const json_t *resources_of(const json_t *st)
{
    const json_t *v = json_object_get(st, "Resource");
    return v ? v : json_object_get(st, "NotResource");
}

static const json_t *actions_of(const json_t *st)
{
    const json_t *v = json_object_get(st, "Action");
    return v ? v : json_object_get(st, "NotAction");
}

static size_t list_count(const json_t *v)
{
    return json_is_string(v) ? 1 : json_array_size(v);
}

static const char *list_at(const json_t *v, size_t i)
{
    return json_string_value(json_is_string(v) ? v : json_array_get(v, i));
}

/* Date values must be dates or epoch seconds (reference_policies_elements_condition_
 * operators#Conditions_Date); IAM's older parser is the one that refuses them. */
static bool dates_legacy_ok(const json_t *cond)
{
    const char *op, *key;
    json_t *block, *values;

    json_object_foreach((json_t *)cond, op, block)
    {
        const struct condition_op *o = known_operator(op);
        if (!o || o->family != COND_DATE)
            continue;
        json_object_foreach(block, key, values)
        {
            for (size_t i = 0; i < list_count(values); i++) {
                const json_t *v = json_is_array(values) ? json_array_get(values, i) : values;
                double d;
                if (json_is_integer(v) && json_integer_value(v) >= 0)
                    continue;
                if (!json_is_string(v) || !policy_parse_date(json_string_value(v), &d))
                    return false;
            }
        }
    }
    return true;
}

/* Steps 3 and 7 walk the resources together, as IAM does: a resource's legacy form is
 * checked only until the first malformed ARN, whose message is kept for step 7. */
static cu_rc legacy(const json_t *stmts, enum policy_kind kind, struct cu_err *deferred,
                    struct cu_err *err)
{
    for (size_t i = 0; i < policy_statement_count(stmts); i++) {
        const json_t *st = policy_statement_at(stmts, i);
        const char *effect = json_string_value(json_object_get(st, "Effect"));
        const json_t *cond = json_object_get(st, "Condition");
        if (policy_iam_kind(kind) && strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0)
            return policy_malformed(err, MSG_LEGACY, NULL, NULL);
        if (cond && !dates_legacy_ok(cond))
            return policy_malformed(err, MSG_LEGACY, NULL, NULL);
    }
    for (size_t i = 0; i < policy_statement_count(stmts); i++) {
        const json_t *rs = resources_of(policy_statement_at(stmts, i));
        for (size_t j = 0; rs && j < list_count(rs) && deferred->code == CU_OK; j++) {
            if (resource_format(list_at(rs, j), deferred) != CU_OK)
                break;
            if (!resource_legacy_ok(list_at(rs, j)))
                return policy_malformed(err, MSG_LEGACY, NULL, NULL);
        }
    }
    return CU_OK;
}

static cu_rc unique_sids(const json_t *stmts, struct cu_err *err)
{
    size_t n = policy_statement_count(stmts);

    for (size_t i = 0; i < n; i++) {
        const char *a = json_string_value(json_object_get(policy_statement_at(stmts, i), "Sid"));
        for (size_t j = i + 1; a && *a && j < n; j++) {
            const char *b =
                json_string_value(json_object_get(policy_statement_at(stmts, j), "Sid"));
            if (b && strcmp(a, b) == 0)
                return policy_malformed(err, MSG_SID_UNIQUE, NULL, NULL);
        }
    }
    return CU_OK;
}

/* "service:action" with a vendor prefix, or "*" (step 8). */
static cu_rc action_prefix(const char *a, struct cu_err *err)
{
    const char *colon = strchr(a, ':');
    char vendor[101];

    if (strcmp(a, "*") == 0)
        return CU_OK;
    if (!colon || colon == a)
        return policy_malformed(err, MSG_ACTION_VENDOR, NULL, NULL);
    if (strchr(colon + 1, ':'))
        return policy_malformed(err, MSG_ACTION_COLON, NULL, NULL);
    if (strpbrk(a, "*?") && strpbrk(a, "*?") < colon)
        return policy_malformed(err, MSG_ACTION_WILDCARD, NULL, NULL);
    /* a vendor is letters, digits, '-' and '.' (IAM accepts "iam: any text" after it) */
    for (const char *c = a; c < colon; c++) {
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.') {
            snprintf(vendor, sizeof(vendor), "%.*s",
                     (int)(colon - a > 100 ? 100 : colon - a), a);
            return policy_malformed(err, MSG_VENDOR_INVALID, vendor, NULL);
        }
    }
    return CU_OK;
}

/* A trust policy names who may assume the role, not what it may reach: no Resource, and
 * only STS actions (sts:AssumeRole, sts:AssumeRoleWithWebIdentity, sts:TagSession ...). */
static cu_rc trust_rules(const json_t *stmts, struct cu_err *err)
{
    for (size_t i = 0; i < policy_statement_count(stmts); i++) {
        const json_t *st = policy_statement_at(stmts, i);
        const json_t *as = actions_of(st);

        if (json_object_get(st, "Resource") || json_object_get(st, "NotResource"))
            return policy_malformed(err, MSG_RESOURCE_PROHIBITED, NULL, NULL);
        for (size_t j = 0; as && j < list_count(as); j++)
            if (strncasecmp(list_at(as, j), "sts:", 4) != 0)
                return policy_malformed(err, MSG_TRUST_ACTIONS, NULL, NULL);
    }
    return CU_OK;
}

cu_rc policy_validate(const json_t *doc, enum policy_kind kind, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct cu_err deferred = {0};
    const json_t *stmts;
    const char *version;
    /* KMS accepts a key-policy statement without Action or Resource; it has no effect
     * (AWS-NOTES §2) */
    bool needs_elements = kind != POLICY_KEY;
    /* a trust policy's resource is the role itself */
    bool needs_resources = needs_elements && kind != POLICY_TRUST;

    TRY(syntax(doc, kind, err));
    version = json_string_value(json_object_get(doc, "Version"));
    /* IAM User Guide, reference_policies_elements_version: managed policies need the
     * current language version; inline policies may still omit it or say 2008-10-17 */
    ENSURE(kind != POLICY_MANAGED || (version && strcmp(version, "2012-10-17") == 0),
           policy_malformed(err, MSG_VERSION, NULL, NULL));
    stmts = json_object_get(doc, "Statement");
    TRY(legacy(stmts, kind, &deferred, err));
    if (kind != POLICY_RESOURCE && kind != POLICY_KEY && kind != POLICY_TRUST)
        TRY(unique_sids(stmts, err));
    for (size_t i = 0; needs_elements && i < policy_statement_count(stmts); i++)
        ENSURE(list_count(actions_of(policy_statement_at(stmts, i))) > 0,
               policy_malformed(err, MSG_NO_ACTIONS, NULL, NULL));
    if (kind == POLICY_TRUST)
        TRY(trust_rules(stmts, err));
    for (size_t i = 0; needs_resources && i < policy_statement_count(stmts); i++)
        ENSURE(list_count(resources_of(policy_statement_at(stmts, i))) > 0,
               policy_malformed(err, MSG_NO_RESOURCES, NULL, NULL));
    if (deferred.code != CU_OK) {
        rc = cu_err_set(err, deferred.code, "%s", deferred.msg);
        goto out;
    }
    for (size_t i = 0; i < policy_statement_count(stmts); i++) {
        const json_t *as = actions_of(policy_statement_at(stmts, i));
        for (size_t j = 0; as && j < list_count(as); j++)
            TRY(action_prefix(list_at(as, j), err));
    }
out:
    return rc;
}
