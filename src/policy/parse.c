/* parse.c — policy JSON into the compiled form (policy_impl.h). validate.c first checks
 * the document as IAM does, in IAM's order; what is left here is what compiling finds
 * (principals, the kind's own rules, condition values). A document is either compiled
 * whole or refused whole with AWS's MalformedPolicyDocument message (messages.c);
 * nothing half-built escapes. Duplicate JSON keys are refused, as IAM refuses them. */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "policy_impl.h"

static cu_rc syntax_error(struct cu_err *err)
{
    return policy_malformed(err, MSG_SYNTAX, NULL, NULL);
}

static char *dup_lower(const char *s, bool lower)
{
    char *d = strdup(s);

    if (d && lower)
        for (char *c = d; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    return d;
}

/* A string or an array of strings; empty only where allow_empty (Action and Resource,
 * whose emptiness validate.c words; a Principal list must name someone). */
static cu_rc string_list(const json_t *v, bool allow_empty, const char ***out, size_t *n,
                         struct cu_err *err)
{
    size_t i;
    json_t *item;

    if (json_is_string(v)) {
        *out = malloc(sizeof(char *));
        if (!*out)
            return CU_E_NOMEM;
        (*out)[0] = json_string_value(v);
        *n = 1;
        return CU_OK;
    }
    if (!json_is_array(v) || (!allow_empty && json_array_size(v) == 0) ||
        json_array_size(v) > POLICY_MAX_VALUES)
        return syntax_error(err);
    *out = calloc(json_array_size(v) + 1, sizeof(char *));
    if (!*out)
        return CU_E_NOMEM;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item)) {
            free(*out);
            *out = NULL;
            return syntax_error(err);
        }
        (*out)[i] = json_string_value(item);
    }
    *n = json_array_size(v);
    return CU_OK;
}

static bool has_wildcard(const char *s)
{
    return strpbrk(s, "*?") != NULL;
}

static bool has_variable(const char *s)
{
    return strstr(s, "${") != NULL;
}

static cu_rc patterns(const json_t *v, bool is_action, bool vars_ok, struct statement *st,
                      struct pattern **out, size_t *n, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char **items = NULL;

    TRY(string_list(v, true, &items, n, err));
    *out = calloc(*n + 1, sizeof(**out));
    ENSURE(*out, CU_E_NOMEM);
    for (size_t i = 0; i < *n; i++) {
        /* Policy variables exist in version 2012-10-17 only (and not in actions); in an
         * older document "${...}" is literal text. */
        if (!is_action && vars_ok && has_variable(items[i])) {
            ENSURE(policy_variables_valid(items[i]), syntax_error(err));
            TRY(policy_note_variables(st, items[i]));
            (*out)[i].vars = true;
        }
        (*out)[i].text = dup_lower(items[i], is_action);
        ENSURE((*out)[i].text, CU_E_NOMEM);
        (*out)[i].wild = has_wildcard(items[i]);
        (*out)[i].len = strlen((*out)[i].text);
        (*out)[i].literal = strcspn((*out)[i].text, "*?");
    }
out:
    free(items);
    return rc;
}

static bool all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* An unusable principal: KMS and IAM word it differently (messages.c). */
static cu_rc invalid_principal(const char *v, enum policy_kind kind, struct cu_err *err)
{
    if (kind == POLICY_KEY)
        return policy_malformed(err, MSG_KMS_INVALID_PRINCIPAL, NULL, NULL);
    return policy_malformed(err, MSG_INVALID_PRINCIPAL, v, NULL);
}

/* One AWS principal value: "*", an account id, an account root ARN, or an IAM/STS ARN. */
static cu_rc aws_principal(const char *v, enum policy_kind kind, struct principal_entry *e,
                           struct cu_err *err)
{
    if (strcmp(v, "*") == 0) {
        e->form = PRINCIPAL_ANY;
        return CU_OK;
    }
    if (all_digits(v, 12)) {
        e->form = PRINCIPAL_ACCOUNT;
        e->value = strdup(v);
        return e->value ? CU_OK : CU_E_NOMEM;
    }
    if (strncmp(v, "arn:aws:iam::", 13) == 0 && strlen(v) > 13 + 12 + 1 && v[13 + 12] == ':') {
        char acct[13];
        memcpy(acct, v + 13, 12);
        acct[12] = '\0';
        if (!all_digits(acct, 12))
            return invalid_principal(v, kind, err);
        if (strcmp(v + 26, "root") == 0) {
            e->form = PRINCIPAL_ACCOUNT;
            e->value = strdup(acct);
        } else {
            e->form = PRINCIPAL_ARN;
            e->value = strdup(v);
        }
        return e->value ? CU_OK : CU_E_NOMEM;
    }
    if (strncmp(v, "arn:aws:sts::", 13) == 0) {
        e->form = PRINCIPAL_ARN;
        e->value = strdup(v);
        return e->value ? CU_OK : CU_E_NOMEM;
    }
    return invalid_principal(v, kind, err);
}

static cu_rc principals(const json_t *v, enum policy_kind kind, struct statement *st,
                        struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char **items = NULL;
    const char *type;
    json_t *value;
    size_t n = 0, total = 0;

    st->has_principal = true;
    if (json_is_string(v)) {
        ENSURE(strcmp(json_string_value(v), "*") == 0, syntax_error(err));
        st->principals = calloc(1, sizeof(*st->principals));
        ENSURE(st->principals, CU_E_NOMEM);
        st->principals[0].form = PRINCIPAL_ANY;
        st->n_principals = 1;
        goto out;
    }
    ENSURE(json_is_object(v) && json_object_size(v) > 0, syntax_error(err));
    json_object_foreach((json_t *)v, type, value)
    {
        free(items);
        items = NULL;
        TRY(string_list(value, false, &items, &n, err));
        total += n;
    }
    st->principals = calloc(total, sizeof(*st->principals));
    ENSURE(st->principals, CU_E_NOMEM);
    json_object_foreach((json_t *)v, type, value)
    {
        free(items);
        items = NULL;
        TRY(string_list(value, false, &items, &n, err));
        for (size_t i = 0; i < n; i++) {
            struct principal_entry *e = &st->principals[st->n_principals++];
            if (strcmp(type, "AWS") == 0) {
                TRY(aws_principal(items[i], kind, e, err));
            } else if (strcmp(type, "Service") == 0) {
                e->form = PRINCIPAL_SERVICE;
            } else if (strcmp(type, "Federated") == 0) {
                e->form = PRINCIPAL_PROVIDER;
                e->value = strdup(items[i]);
                ENSURE(e->value, CU_E_NOMEM);
            } else if (strcmp(type, "CanonicalUser") == 0) {
                e->form = PRINCIPAL_OTHER;
            } else {
                rc = syntax_error(err);
                goto out;
            }
        }
    }
out:
    free(items);
    return rc;
}

/* "ForAnyValue:StringLike" / "StringEqualsIfExists" -> operator, set modifier, IfExists. */
static cu_rc condition_operator(const char *name, struct condition *c, struct cu_err *err)
{
    size_t n;

    c->set = SET_SINGLE;
    if (strncmp(name, "ForAnyValue:", 12) == 0) {
        c->set = SET_ANY_VALUE;
        name += 12;
    } else if (strncmp(name, "ForAllValues:", 13) == 0) {
        c->set = SET_ALL_VALUES;
        name += 13;
    }
    n = strlen(name);
    if (n > 8 && strcmp(name + n - 8, "IfExists") == 0 && strncmp(name, "Null", 4) != 0) {
        c->if_exists = true;
        n -= 8;
    }
    c->op = policy_condition_op(name, n);
    /* validate.c lets only empty blocks of unknown operators through, and those are not
     * compiled */
    return c->op ? CU_OK : syntax_error(err);
}

/* A condition value as text: IAM reads strings, numbers and booleans alike as strings
 * (reference_policies_elements_condition: "the value ... is a string"). Numbers keep their
 * shortest exact spelling, so 2000000000 stays "2000000000", not "2e+09". NULL for other
 * JSON types. */
static char *value_text(const json_t *v)
{
    char num[64];

    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_boolean(v))
        return strdup(json_is_true(v) ? "true" : "false");
    if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(num);
    }
    if (json_is_real(v)) {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(num, sizeof(num), "%.*g", prec, json_real_value(v));
            if (strtod(num, NULL) == json_real_value(v))
                break;
        }
        return strdup(num);
    }
    return NULL;
}

/* A number as IAM's Numeric operators take it: an optional sign, digits, an optional
 * fraction and exponent; no "inf", "nan", hex or surrounding blanks, which strtod alone
 * would let through. */
bool policy_parse_number(const char *text, double *out)
{
    const char *c = text;
    char *end = NULL;

    if (*c == '-' || *c == '+')
        c++;
    if (!isdigit((unsigned char)*c) && !(*c == '.' && isdigit((unsigned char)c[1])))
        return false;
    for (; *c; c++)
        if (!isdigit((unsigned char)*c) && !strchr(".eE+-", *c))
            return false;
    *out = strtod(text, &end);
    return end && end != text && *end == '\0';
}

static cu_rc one_condition(const char *opname, const char *key, const json_t *values,
                           bool vars_ok, struct statement *st, struct condition *c,
                           struct cu_err *err)
{
    cu_rc rc = CU_OK;

    TRY(condition_operator(opname, c, err));
    c->key = strdup(key);
    ENSURE(c->key, CU_E_NOMEM);
    if (json_is_array(values)) {
        size_t i;
        json_t *item;
        /* an empty list is accepted; no value then compares equal */
        ENSURE(json_array_size(values) <= POLICY_MAX_VALUES, syntax_error(err));
        c->values = calloc(json_array_size(values) + 1, sizeof(char *));
        ENSURE(c->values, CU_E_NOMEM);
        json_array_foreach(values, i, item)
        {
            ENSURE(json_is_string(item) || json_is_number(item) || json_is_boolean(item),
                   syntax_error(err));
            c->values[i] = value_text(item);
            ENSURE(c->values[i], CU_E_NOMEM);
            c->n_values = i + 1;
        }
    } else {
        ENSURE(json_is_string(values) || json_is_number(values) || json_is_boolean(values),
               syntax_error(err));
        c->values = calloc(1, sizeof(char *));
        ENSURE(c->values, CU_E_NOMEM);
        c->values[0] = value_text(values);
        ENSURE(c->values[0], CU_E_NOMEM);
        c->n_values = 1;
    }
    for (size_t i = 0; vars_ok && i < c->n_values; i++) {
        if (has_variable(c->values[i])) {
            ENSURE(policy_variables_valid(c->values[i]), syntax_error(err));
            TRY(policy_note_variables(st, c->values[i]));
            c->vars = true;
        }
    }
    if (c->op->family == COND_DATE) {
        c->numbers = calloc(c->n_values + 1, sizeof(double));
        ENSURE(c->numbers, CU_E_NOMEM);
        for (size_t i = 0; i < c->n_values; i++)
            ENSURE(policy_parse_date(c->values[i], &c->numbers[i]),
                   policy_malformed(err, MSG_LEGACY, NULL, NULL));
    }
    if (c->op->family == COND_IP) {
        c->cidrs = calloc(c->n_values + 1, sizeof(*c->cidrs));
        ENSURE(c->cidrs, CU_E_NOMEM);
        for (size_t i = 0; i < c->n_values; i++)
            ENSURE(policy_parse_cidr(c->values[i], &c->cidrs[i]), syntax_error(err));
    }
    if (c->op->family == COND_NUMERIC) {
        c->numbers = calloc(c->n_values + 1, sizeof(double));
        ENSURE(c->numbers, CU_E_NOMEM);
        for (size_t i = 0; i < c->n_values; i++)
            ENSURE(policy_parse_number(c->values[i], &c->numbers[i]), syntax_error(err));
    }
out:
    return rc;
}

static cu_rc conditions(const json_t *v, bool vars_ok, struct statement *st,
                        struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char *opname, *key;
    json_t *block, *values;
    size_t total = 0;

    ENSURE(json_is_object(v), syntax_error(err));
    json_object_foreach((json_t *)v, opname, block)
    {
        ENSURE(json_is_object(block), syntax_error(err));
        total += json_object_size(block);
    }
    st->conditions = calloc(total ? total : 1, sizeof(*st->conditions));
    ENSURE(st->conditions, CU_E_NOMEM);
    json_object_foreach((json_t *)v, opname, block)
    {
        json_object_foreach(block, key, values)
        {
            TRY(one_condition(opname, key, values, vars_ok, st,
                              &st->conditions[st->n_conditions++], err));
        }
    }
out:
    return rc;
}

static bool principal_kind(enum policy_kind kind)
{
    return kind == POLICY_RESOURCE || kind == POLICY_KEY || kind == POLICY_TRUST;
}

static bool sid_alphanumeric(const char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s))
            return false;
    return true;
}

static cu_rc rcp_malformed(struct cu_err *err)
{
    return policy_malformed(err, MSG_ORGANIZATIONS_TYPE, NULL, NULL);
}

/* What RCPs allow beyond the common grammar (Organizations guide,
 * orgs_manage_policies_rcps_syntax): no NotPrincipal or NotAction, Principal "*" (the
 * callers are narrowed by conditions), and Deny only, except for AWS's RCPFullAWSAccess
 * whose single statement allows "*" on "*". */
static cu_rc rcp_rules(const json_t *v, const struct statement *st, struct cu_err *err)
{
    bool full_access;

    if (json_object_get(v, "NotPrincipal") || json_object_get(v, "NotAction"))
        return rcp_malformed(err);
    if (st->n_principals != 1 || st->principals[0].form != PRINCIPAL_ANY)
        return rcp_malformed(err);
    full_access = st->n_actions == 1 && strcmp(st->actions[0].text, "*") == 0 &&
                  !st->not_resource && st->n_resources == 1 &&
                  strcmp(st->resources[0].text, "*") == 0 && st->n_conditions == 0;
    if (st->allow && !full_access)
        return rcp_malformed(err);
    return CU_OK;
}

/* Who a statement's Principal may name: IAM documents none, resource and key policies
 * someone, RCPs "*" (rcp_rules). */
static cu_rc principal_rules(const json_t *v, enum policy_kind kind, struct cu_err *err)
{
    bool named = json_object_get(v, "Principal") || json_object_get(v, "NotPrincipal");

    if (kind == POLICY_RCP)
        return named ? CU_OK : rcp_malformed(err);
    if (!principal_kind(kind))
        return named ? policy_malformed(err, MSG_PRINCIPAL_FORBIDDEN, NULL, NULL) : CU_OK;
    if (!named)
        return policy_malformed(err, kind == POLICY_KEY ? MSG_KMS_NO_PRINCIPAL
                                                        : MSG_PRINCIPAL_MISSING,
                                NULL, NULL);
    return CU_OK;
}

/* One statement, whose shape validate.c has checked. */
static cu_rc statement(const json_t *v, enum policy_kind kind, bool vars_ok,
                       struct statement *st, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char *effect;
    json_t *value;

    value = json_object_get(v, "Sid");
    if (value) {
        /* IAM policies take alphanumeric Sids; resource policies (KMS key policies) take
         * any text (IAM guide, reference_policies_elements_sid) */
        if (!principal_kind(kind))
            ENSURE(sid_alphanumeric(json_string_value(value)),
                   policy_malformed(err, MSG_SID_ALNUM, NULL, NULL));
        st->sid = strdup(json_string_value(value));
        ENSURE(st->sid, CU_E_NOMEM);
    }
    /* IAM kinds had Effect checked in IAM's words (validate.c); the others keep theirs */
    effect = json_string_value(json_object_get(v, "Effect"));
    ENSURE(effect, policy_malformed(err, MSG_EFFECT_MISSING, NULL, NULL));
    ENSURE(strcmp(effect, "Allow") == 0 || strcmp(effect, "Deny") == 0,
           policy_malformed(err, MSG_EFFECT_INVALID, NULL, NULL));
    st->allow = strcmp(effect, "Allow") == 0;
    TRY(principal_rules(v, kind, err));
    /* KMS accepts a key-policy statement without Action or Resource; it has no effect
     * (AWS-NOTES §2). Other kinds were refused such statements by validate.c. */
    st->not_action = json_object_get(v, "NotAction") != NULL;
    value = st->not_action ? json_object_get(v, "NotAction") : json_object_get(v, "Action");
    if (value) {
        TRY(patterns(value, true, false, st, &st->actions, &st->n_actions, err));
        st->has_action = st->n_actions > 0;
    }
    st->not_resource = json_object_get(v, "NotResource") != NULL;
    value = st->not_resource ? json_object_get(v, "NotResource") : json_object_get(v, "Resource");
    if (value) {
        TRY(patterns(value, false, vars_ok, st, &st->resources, &st->n_resources, err));
        st->has_resource = st->n_resources > 0;
    }
    st->not_principal = json_object_get(v, "NotPrincipal") != NULL;
    value = st->not_principal ? json_object_get(v, "NotPrincipal")
                              : json_object_get(v, "Principal");
    if (value)
        TRY(principals(value, kind, st, err));
    value = json_object_get(v, "Condition");
    if (value)
        TRY(conditions(value, vars_ok, st, err));
    if (kind == POLICY_RCP)
        TRY(rcp_rules(v, st, err));
out:
    return rc;
}

void policy_free(struct policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_statements; i++) {
        struct statement *st = &p->statements[i];
        free(st->sid);
        for (size_t j = 0; j < st->n_actions; j++)
            free(st->actions[j].text);
        free(st->actions);
        for (size_t j = 0; j < st->n_resources; j++)
            free(st->resources[j].text);
        free(st->resources);
        for (size_t j = 0; j < st->n_principals; j++)
            free(st->principals[j].value);
        free(st->principals);
        for (size_t j = 0; j < st->n_conditions; j++) {
            struct condition *c = &st->conditions[j];
            free(c->key);
            for (size_t k = 0; c->values && k < c->n_values; k++)
                free(c->values[k]);
            free(c->values);
            free(c->numbers);
            free(c->cidrs);
        }
        free(st->conditions);
        for (size_t j = 0; j < st->n_var_keys; j++)
            free(st->var_keys[j]);
        free(st->var_keys);
    }
    free(p->statements);
    for (size_t i = 0; i < p->n_services; i++)
        free(p->services[i].name);
    free(p->services);
    free(p->label);
    free(p);
}

const char *policy_label(const struct policy *p)
{
    return p->label;
}

cu_rc policy_compile(struct bytes json, enum policy_kind kind, const char *label,
                     struct policy **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_error_t jerr;
    json_t *doc = NULL, *stmts;
    struct policy *p = calloc(1, sizeof(*p));
    const char *version;
    bool vars_ok;
    size_t n;

    ENSURE(p, CU_E_NOMEM);
    p->kind = kind;
    p->label = strdup(label ? label : "");
    ENSURE(p->label, CU_E_NOMEM);
    doc = json_loadb((const char *)json.p, json.n, JSON_REJECT_DUPLICATES, &jerr);
    ENSURE(doc, syntax_error(err));
    TRY(policy_validate(doc, kind, err));
    version = json_string_value(json_object_get(doc, "Version"));
    /* IAM guide, reference_policies_variables: variables need Version 2012-10-17; without
     * a Version the document is read as 2008-10-17. */
    vars_ok = version && strcmp(version, "2012-10-17") == 0;
    /* an RCP must say Version 2012-10-17 */
    ENSURE(kind != POLICY_RCP || vars_ok, rcp_malformed(err));
    stmts = json_object_get(doc, "Statement");
    n = policy_statement_count(stmts);
    p->statements = calloc(n + 1, sizeof(*p->statements));
    ENSURE(p->statements, CU_E_NOMEM);
    for (size_t i = 0; i < n; i++) {
        p->n_statements = i + 1;
        TRY(statement(policy_statement_at(stmts, i), kind, vars_ok, &p->statements[i], err));
    }
    policy_locate_statements(p, json);
    TRY(policy_index_services(p));
    *out = p;
    p = NULL;
out:
    json_decref(doc);
    policy_free(p);
    return rc;
}

size_t policy_size_without_whitespace(struct bytes json)
{
    size_t n = 0;
    bool in_string = false, escaped = false;

    for (size_t i = 0; i < json.n; i++) {
        uint8_t c = json.p[i];
        if (in_string) {
            n++;
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
            n++;
        } else if (!isspace(c)) {
            n++;
        }
    }
    return n;
}

const struct policy_quota *policy_quota(const char *type)
{
    static const struct policy_quota quotas[] = {
        {"user", "a user's inline policies", POLICY_QUOTA_USER_INLINE, false},
        {"group", "a group's inline policies", POLICY_QUOTA_GROUP_INLINE, false},
        {"role", "a role's inline policies", POLICY_QUOTA_ROLE_INLINE, false},
        {"managed", "a managed policy", POLICY_QUOTA_MANAGED, false},
        {"boundary", "a managed policy", POLICY_QUOTA_MANAGED, false},
        {"key", "a key policy", POLICY_QUOTA_KEY, true},
        {"scp", "a service control policy", POLICY_QUOTA_ORGANIZATIONS, true},
        {"rcp", "a resource control policy", POLICY_QUOTA_ORGANIZATIONS, true},
        {"session", "a session policy", POLICY_QUOTA_SESSION, true},
    };

    for (size_t i = 0; type && i < sizeof(quotas) / sizeof(quotas[0]); i++)
        if (strcmp(quotas[i].type, type) == 0)
            return &quotas[i];
    return NULL;
}

size_t policy_quota_size(const struct policy_quota *q, struct bytes json)
{
    return q->whitespace_counts ? json.n : policy_size_without_whitespace(json);
}
