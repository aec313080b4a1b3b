/* policy_impl.h — the compiled form of a policy, shared by the files of src/policy/ only.
 * Compilation does all string work once: actions are lowercased, wildcards flagged,
 * condition values pre-parsed, so evaluation only compares. */
#ifndef CU_POLICY_IMPL_H
#define CU_POLICY_IMPL_H

#include <string.h>
#include <jansson.h>

#include "policy.h"

struct pattern {
    char *text;          /* actions: lowercased; resources: as written */
    size_t len;          /* strlen(text) */
    size_t literal;      /* length of the prefix before the first '*' or '?' */
    bool wild;           /* contains * or ? */
    bool vars;           /* contains ${...} policy variables, expanded per request */
};

enum principal_form {
    PRINCIPAL_ANY,       /* "*" or {"AWS": "*"} */
    PRINCIPAL_ACCOUNT,   /* "111122223333" or "arn:aws:iam::111122223333:root" */
    PRINCIPAL_ARN,       /* a user, role or session ARN: exact match */
    PRINCIPAL_SERVICE,   /* {"Service": "..."}: never a custos caller yet */
    PRINCIPAL_PROVIDER,  /* {"Federated": "<OIDC or SAML provider ARN, or a name such as
                          * accounts.google.com>"}: exact match with an identity provider
                          * caller (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) */
    PRINCIPAL_OTHER,     /* CanonicalUser: never a custos caller */
};

struct principal_entry {
    enum principal_form form;
    char *value;         /* account id for PRINCIPAL_ACCOUNT, the ARN for PRINCIPAL_ARN and
                          * PRINCIPAL_PROVIDER */
};

enum cond_family { COND_STRING, COND_NUMERIC, COND_BOOL, COND_NULL, COND_ARN, COND_DATE, COND_IP };

struct condition_op {
    const char *name;        /* "StringEquals" */
    enum cond_family family;
    bool negated;            /* StringNotEquals, ... */
    bool ignore_case;        /* StringEqualsIgnoreCase */
    bool like;               /* StringLike / ArnLike: wildcards */
    int numeric_cmp;         /* NUMERIC and DATE: 0 eq, -1 lt, -2 le, 1 gt, 2 ge */
};

/* An IpAddress condition value: a CIDR block, IPv4 or IPv6. */
struct cidr {
    int family;              /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    unsigned prefix;         /* bits that must match */
};

enum set_modifier { SET_SINGLE, SET_ANY_VALUE, SET_ALL_VALUES };

struct condition {
    const struct condition_op *op;
    bool if_exists;
    enum set_modifier set;
    char *key;
    char **values;
    double *numbers;         /* parsed values for NUMERIC and DATE (epoch seconds) */
    struct cidr *cidrs;      /* parsed values for IP */
    size_t n_values;
    bool vars;               /* some value contains ${...} */
};

struct statement {
    bool allow;
    char *sid;
    bool not_action, not_resource, not_principal;
    bool has_action, has_resource, has_principal;
    struct pattern *actions;
    size_t n_actions;
    struct pattern *resources;
    size_t n_resources;
    struct principal_entry *principals;
    size_t n_principals;
    struct condition *conditions;
    size_t n_conditions;
    char **var_keys;         /* keys named by policy variables in this statement */
    size_t n_var_keys;
    struct policy_position start, end; /* where the statement stands in the text */
};

struct policy_service {
    char *name;
    size_t len;
};

struct policy {
    enum policy_kind kind;
    char *label;
    struct statement *statements;
    size_t n_statements;
    /* The services its actions can name (services.c): the lowercase prefixes before ':'
     * of every Action pattern, once each; any_service when some statement can match any
     * service (NotAction, or a wildcard before the ':'). */
    struct policy_service *services;
    size_t n_services;
    bool any_service;
};

/* services.c: fill p->services and p->any_service from its statements. */
cu_rc policy_index_services(struct policy *p);
/* Whether some statement of p could match an action of this service (the lowercase
 * action's text before its ':', service_len bytes; SIZE_MAX when the action has no ':').
 * false means no statement can: the policy need not be looked at. Inline: it runs for
 * every policy of every evaluation. */
static inline bool policy_may_match_service(const struct policy *p, const char *action_lower,
                                            size_t service_len)
{
    if (p->any_service)
        return true;
    for (size_t i = 0; i < p->n_services; i++)
        if (p->services[i].len == service_len &&
            memcmp(p->services[i].name, action_lower, service_len) == 0)
            return true;
    return false;
}

/* messages.c: the MalformedPolicyDocument texts, one table. */
enum policy_message {
    MSG_SYNTAX,
    MSG_VERSION,
    MSG_LEGACY,
    MSG_SID_UNIQUE,
    MSG_SID_ALNUM,
    MSG_NO_ACTIONS,
    MSG_NO_RESOURCES,
    MSG_ARN_FORMAT,          /* %s: the resource */
    MSG_PARTITION,           /* %s: the partition, %s: the resource as IAM spells it */
    MSG_VENDOR_QUALIFIED,
    MSG_IAM_REGION,          /* %s: the resource */
    MSG_S3_REGION,           /* %s: the resource */
    MSG_IAM_PATH,
    MSG_ACTION_VENDOR,
    MSG_ACTION_COLON,
    MSG_ACTION_WILDCARD,
    MSG_VENDOR_INVALID,      /* %s: the vendor */
    MSG_PRINCIPAL_FORBIDDEN,
    MSG_INVALID_PRINCIPAL,   /* %s: the principal */
    MSG_PRINCIPAL_MISSING,
    MSG_EFFECT_MISSING,
    MSG_EFFECT_INVALID,
    MSG_KMS_NO_PRINCIPAL,
    MSG_KMS_INVALID_PRINCIPAL,
    MSG_ORGANIZATIONS_TYPE,
    MSG_RESOURCE_PROHIBITED,
    MSG_TRUST_ACTIONS,
};
/* The text of m, with its "%s" holes unfilled. */
const char *policy_message(enum policy_message m);
/* Record CU_E_IAM_MALFORMED_POLICY with m's text, its holes filled by arg1 and arg2 (either
 * may be NULL when m has fewer); returns the code. */
cu_rc policy_malformed(struct cu_err *err, enum policy_message m, const char *arg1,
                       const char *arg2);

#define POLICY_MAX_STATEMENTS 512
/* Values in one element (Action, Resource, a condition's list): a bound for hostile input
 * above what AWS's own documents use (the AWS managed ReadOnlyAccess lists 1,321 actions in
 * one statement, policy/aws_managed.gen.c); customer documents meet their size quota first. */
#define POLICY_MAX_VALUES 4096

/* validate.c: the document-level checks IAM makes before anything is compiled, in IAM's
 * order, on the parsed JSON doc (a JSON object or not). */
MUST_CHECK cu_rc policy_validate(const json_t *doc, enum policy_kind kind, struct cu_err *err);
/* Is kind checked by IAM's grammar and worded in IAM's messages (identity, managed,
 * boundary and session policies)? */
bool policy_iam_kind(enum policy_kind kind);
/* A document's statement count and the i-th statement (Statement may be one object). */
size_t policy_statement_count(const json_t *stmts);
const json_t *policy_statement_at(const json_t *stmts, size_t i);

/* variables.c */
/* Is text a well-formed use of policy variables ("${key}", "${key, 'default'}", "${*}")? */
bool policy_variables_valid(const char *text);
/* Expand the variables of text from the request context into out (cap bytes). A literal
 * '*', '?' or '$' produced by ${*} ${?} ${$} is written as POLICY_LITERAL_STAR /
 * _QUESTION so that matching does not take it for a wildcard. False when a variable has
 * no value and no default (it is then a null value: see match.c, condition.c) or out is
 * too small. */
bool policy_expand(const char *text, const struct policy_request *req, char *out, size_t cap);
/* Append (strdup'ed) the context keys named by the variables of text to st->var_keys. */
MUST_CHECK cu_rc policy_note_variables(struct statement *st, const char *text);
#define POLICY_LITERAL_STAR '\x01'
#define POLICY_LITERAL_QUESTION '\x02'
#define POLICY_EXPANDED_MAX 2048

/* positions.c: fill each statement's start and end from the (validated) text. */
void policy_locate_statements(struct policy *p, struct bytes json);

/* match.c */
bool policy_glob(const char *pattern, const char *text, bool ignore_case);
/* An ARN pattern against an ARN, each of the six ':'-separated fields on its own (the
 * sixth, the resource, may itself hold ':'); the last field of a shorter pattern takes
 * the rest of the ARN; a text that is no ARN is matched whole. Case-sensitive. */
bool policy_match_arn(const char *pattern, const char *arn);
bool policy_match_action(const struct statement *st, const char *action_lower, size_t len);
bool policy_match_resource(const struct statement *st, const struct policy_request *req);
bool policy_match_principal(const struct statement *st, const struct policy_request *req,
                            bool *by_account, bool *by_role);
/* condition.c */
/* Parse "a.b.c.d[/n]" or an IPv6 address with optional "/n"; false if malformed. */
bool policy_parse_cidr(const char *text, struct cidr *out);
/* parse.c: a Numeric operator's number ("-1.5", "10", "2e3"; not "inf", "0x10", " 1"). */
bool policy_parse_number(const char *text, double *out);
/* Parse a policy date: ISO 8601 (date or date-time) or epoch seconds. */
bool policy_parse_date(const char *text, double *out);
const struct condition_op *policy_condition_op(const char *name, size_t n);
bool policy_conditions_hold(const struct statement *st, const struct policy_request *req);

#endif
