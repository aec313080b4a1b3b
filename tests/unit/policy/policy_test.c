/* Tests for src/policy/: a table of documents and requests with the decision AWS makes,
 * each citing the IAM User Guide section it follows, plus malformed documents. */
#include "check.h"
#include "policy/policy.h"

#define ACCT "111122223333"
#define USER "arn:aws:iam::111122223333:user/alice"
#define KEY "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

static struct policy *compile(const char *json, enum policy_kind kind)
{
    struct policy *p = NULL;
    struct cu_err err = {0};

    if (policy_compile(bytes_str(json), kind, "p", &p, &err) != CU_OK) {
        fprintf(stderr, "compile failed: %s: %s\n", err.msg, json);
        return NULL;
    }
    return p;
}

struct eval_case {
    const char *doc;          /* "reference_policies_..." section it follows */
    const char *identity;     /* identity policy JSON or NULL */
    const char *resource;     /* key policy JSON or NULL */
    const char *boundary;
    enum policy_principal_type who;
    const char *action, *res;
    const char *ctx_key, *ctx_value;
    enum policy_decision want;
    enum policy_source source;
};

#define ID(stmts) "{\"Version\":\"2012-10-17\",\"Statement\":[" stmts "]}"
#define KP(stmts) "{\"Version\":\"2012-10-17\",\"Statement\":[" stmts "]}"
#define ALLOW(a, r) "{\"Effect\":\"Allow\",\"Action\":" a ",\"Resource\":" r "}"
#define DENY(a, r) "{\"Effect\":\"Deny\",\"Action\":" a ",\"Resource\":" r "}"
#define KALLOW(p, a) "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":" p "},\"Action\":" a ",\"Resource\":\"*\"}"
#define KDENY(p, a) "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":" p "},\"Action\":" a ",\"Resource\":\"*\"}"
#define DEFAULT_KEY KP(KALLOW("\"arn:aws:iam::" ACCT ":root\"", "\"kms:*\""))

static const struct eval_case cases[] = {
    /* evaluation-logic: default deny */
    {"evaluation-logic#implicit-deny", NULL, NULL, NULL, POLICY_PRINCIPAL_USER, "iam:ListUsers", "*", NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"elements_action: exact", ID(ALLOW("\"iam:ListUsers\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:ListUsers", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_action: case-insensitive", ID(ALLOW("\"IAM:listusers\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:ListUsers", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_action: * wildcard", ID(ALLOW("\"iam:List*\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:ListUsers", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_action: ? wildcard", ID(ALLOW("\"iam:?etUser\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_action: ? is one character", ID(ALLOW("\"iam:?User\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", "*", NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"elements_action: other service", ID(ALLOW("\"kms:*\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", "*", NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"elements_action: list", ID(ALLOW("[\"kms:Encrypt\",\"iam:GetUser\"]", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_action: *", ID(ALLOW("\"*\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", "*", NULL, NULL, POLICY_ALLOWED, 0},
    /* eval.c skips a policy whose actions name only other services (services.c): these
     * must still match through "*" (IAM refuses other wildcards in the service), a later
     * statement, NotAction, or a deny in a policy that is mostly about something else */
    {"elements_action: * beside another service", ID(ALLOW("[\"s3:GetObject\",\"*\"]", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_action: second statement's service", ID(ALLOW("[\"s3:GetObject\",\"sqs:SendMessage\"]", "\"*\"") "," ALLOW("\"KMS:Encrypt\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"evaluation-logic: deny among other services", ID(ALLOW("\"*\"", "\"*\"") "," DENY("[\"s3:*\",\"kms:Encrypt\"]", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"elements_action: only other services", ID(ALLOW("[\"s3:GetObject\",\"kmsx:Encrypt\",\"km:Encrypt\"]", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"elements_notaction: another service", ID("{\"Effect\":\"Allow\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_notaction", ID("{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_notaction excludes", ID("{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}"), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", "*", NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"elements_resource: exact ARN", ID(ALLOW("\"iam:GetUser\"", "\"" USER "\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_resource: case-sensitive", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::111122223333:user/Alice\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"elements_resource: wildcard in resource segment", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::*:user/a*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_resource: wildcard stays in segment", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::1111*3333:user/alice\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_resource: other account", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::999999999999:user/*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"elements_notresource", ID("{\"Effect\":\"Allow\",\"Action\":\"iam:GetUser\",\"NotResource\":\"arn:aws:iam::*:user/bob\"}"), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_ALLOWED, 0},
    {"elements_notresource excludes", ID("{\"Effect\":\"Allow\",\"Action\":\"iam:GetUser\",\"NotResource\":\"arn:aws:iam::*:user/a*\"}"), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"evaluation-logic: explicit deny wins", ID(ALLOW("\"*\"", "\"*\"") "," DENY("\"iam:GetUser\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"evaluation-logic: deny elsewhere does not apply", ID(ALLOW("\"*\"", "\"*\"") "," DENY("\"iam:GetUser\"", "\"arn:aws:iam::*:user/bob\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_ALLOWED, 0},
    /* KMS key policies (KMS guide key-policy-default; AWS-NOTES 2) */
    {"kms default key policy enables IAM", ID(ALLOW("\"kms:Encrypt\"", "\"*\"")), DEFAULT_KEY, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    {"kms default key policy alone grants a user nothing", NULL, DEFAULT_KEY, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"kms key policy naming the user grants alone", NULL, KP(KALLOW("\"" USER "\"", "\"kms:Encrypt\"")), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    {"kms key policy without the account: IAM allow ineffective", ID(ALLOW("\"kms:*\"", "\"*\"")), KP(KALLOW("\"arn:aws:iam::" ACCT ":user/bob\"", "\"kms:*\"")), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"kms key policy: IAM deny still effective", ID(DENY("\"kms:Encrypt\"", "\"*\"")), KP(KALLOW("\"" USER "\"", "\"kms:*\"")), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"kms key policy deny", ID(ALLOW("\"kms:*\"", "\"*\"")), KP(KALLOW("\"" ACCT "\"", "\"kms:*\"") "," KDENY("\"*\"", "\"kms:Decrypt\"")), NULL, POLICY_PRINCIPAL_USER, "kms:Decrypt", KEY, NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"kms account id principal enables IAM", ID(ALLOW("\"kms:*\"", "\"*\"")), KP(KALLOW("\"" ACCT "\"", "\"kms:*\"")), NULL, POLICY_PRINCIPAL_USER, "kms:Decrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    {"kms root allowed by default key policy", NULL, DEFAULT_KEY, NULL, POLICY_PRINCIPAL_ROOT, "kms:Encrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    {"kms root locked out by a policy that omits the account", NULL, KP(KALLOW("\"" USER "\"", "\"kms:*\"")), NULL, POLICY_PRINCIPAL_ROOT, "kms:Encrypt", KEY, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"kms principal * grants directly", NULL, KP(KALLOW("\"*\"", "\"kms:Encrypt\"")), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    {"root: everything in its account", NULL, NULL, NULL, POLICY_PRINCIPAL_ROOT, "iam:CreateUser", "*", NULL, NULL, POLICY_ALLOWED, 0},
    /* permissions boundaries (access_policies_boundaries) */
    {"boundary must also allow", ID(ALLOW("\"*\"", "\"*\"")), NULL, ID(ALLOW("\"kms:*\"", "\"*\"")), POLICY_PRINCIPAL_USER, "iam:CreateUser", "*", NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_BOUNDARY},
    {"boundary and identity allow", ID(ALLOW("\"*\"", "\"*\"")), NULL, ID(ALLOW("\"iam:*\"", "\"*\"")), POLICY_PRINCIPAL_USER, "iam:CreateUser", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"boundary alone grants nothing", NULL, NULL, ID(ALLOW("\"*\"", "\"*\"")), POLICY_PRINCIPAL_USER, "iam:CreateUser", "*", NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"boundary deny", ID(ALLOW("\"*\"", "\"*\"")), NULL, ID(ALLOW("\"*\"", "\"*\"") "," DENY("\"iam:*\"", "\"*\"")), POLICY_PRINCIPAL_USER, "iam:CreateUser", "*", NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_BOUNDARY},
    /* conditions (reference_policies_elements_condition_operators) */
    {"StringEquals holds", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:RequestedRegion\":[\"eu-west-1\",\"us-east-1\"]}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:requestedregion", "us-east-1", POLICY_ALLOWED, 0},
    {"StringEquals fails", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:RequestedRegion\":\"eu-west-1\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:RequestedRegion", "us-east-1", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"missing key fails positive operator", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:username\":\"alice\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"missing key satisfies negated operator", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:username\":\"alice\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"IfExists on missing key", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEqualsIfExists\":{\"aws:username\":\"bob\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"StringLike", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringLike\":{\"aws:username\":\"al*\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:username", "alice", POLICY_ALLOWED, 0},
    {"StringEqualsIgnoreCase", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEqualsIgnoreCase\":{\"aws:username\":\"ALICE\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:username", "alice", POLICY_ALLOWED, 0},
    {"Bool", ID("{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":false}}}," ALLOW("\"*\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:SecureTransport", "false", POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"NumericLessThan", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NumericLessThan\":{\"aws:EpochTime\":2000000000}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:EpochTime", "1700000000", POLICY_ALLOWED, 0},
    {"Null true means absent", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"ForAllValues on missing key", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":\"a\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_ALLOWED, 0},
    /* Date and IP operators (reference_policies_elements_condition_operators#Conditions_Date, _IPAddress) */
    {"DateLessThan ISO", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:CurrentTime", "2026-11-22T10:00:00Z", POLICY_ALLOWED, 0},
    {"DateGreaterThan fails", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2030-01-01\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:CurrentTime", "2026-11-22T10:00:00Z", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"Date with epoch value", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateLessThanEquals\":{\"aws:EpochTime\":\"1800000000\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:EpochTime", "1700000000", POLICY_ALLOWED, 0},
    {"IpAddress v4 inside", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.0.2.0/24\"]}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:SourceIp", "192.0.2.77", POLICY_ALLOWED, 0},
    {"IpAddress v4 outside", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.0/25\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:SourceIp", "192.0.2.200", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"NotIpAddress deny", ID("{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":\"127.0.0.0/8\"}}}," ALLOW("\"*\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:SourceIp", "10.1.2.3", POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"IpAddress v6", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:SourceIp", "2001:db8:1::5", POLICY_ALLOWED, 0},
    {"IpAddress v6 vs v4 address", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:SourceIp", "10.0.0.1", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"BinaryEquals compares base64 text", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"BinaryEquals\":{\"k:bin\":\"QmluYXJ5\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "k:bin", "QmluYXJ5", POLICY_ALLOWED, 0},
    {"key policy Sids may be any text", NULL, KP("{\"Sid\":\"Enable IAM User Permissions\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    /* policy variables (reference_policies_variables) */
    {"variable in resource", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::*:user/${aws:username}\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, "aws:username", "alice", POLICY_ALLOWED, 0},
    {"variable for another user", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::*:user/${aws:username}\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, "aws:username", "bob", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"unresolvable variable: no match", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::*:user/${aws:username}\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"variable default", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::*:user/${aws:username, 'alice'}\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_ALLOWED, 0},
    {"${*} is a literal star", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::*:user/${*}\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"substituted values are literal", ID(ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::*:user/${aws:username}\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, "aws:username", "*", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"version 2008-10-17 has no variables", "{\"Version\":\"2008-10-17\",\"Statement\":[" ALLOW("\"iam:GetUser\"", "\"arn:aws:iam::*:user/${aws:username}\"") "]}", NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, "aws:username", "alice", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"variable in condition", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringLike\":{\"aws:username\":\"${aws:username}\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:username", "alice", POLICY_ALLOWED, 0},
    {"deny with unresolvable variable does not apply", ID(ALLOW("\"*\"", "\"*\"") "," DENY("\"iam:GetUser\"", "\"arn:aws:iam::*:user/${aws:PrincipalTag/x}\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "iam:GetUser", USER, NULL, NULL, POLICY_ALLOWED, 0},
    /* condition values written as JSON numbers are read as their exact text */
    {"number value keeps its digits", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"k:n\":2000000000}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "k:n", "2000000000", POLICY_ALLOWED, 0},
    {"real value keeps its digits", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"k:n\":[0.1]}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "k:n", "0.1", POLICY_ALLOWED, 0},
    {"Bool written as JSON true", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":true}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:MultiFactorAuthPresent", "true", POLICY_ALLOWED, 0},
    {"NumericEquals rejects a non-number context value", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NumericEquals\":{\"k:n\":0}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "k:n", "nan", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    /* #Conditions_ARN: fields compared one by one */
    {"ArnLike per field", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/a*\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:PrincipalArn", USER, POLICY_ALLOWED, 0},
    {"ArnLike ? stays in its field", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam:?" ACCT ":user/alice\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:PrincipalArn", USER, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"ArnEquals takes wildcards too", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::" ACCT ":user/*\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:PrincipalArn", USER, POLICY_ALLOWED, 0},
    {"ArnNotEquals", ID("{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ArnNotEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::" ACCT ":user/bob\"}}}," ALLOW("\"*\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:PrincipalArn", USER, POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"ArnLike is case-sensitive", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/ALICE\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:PrincipalArn", USER, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    /* reference_policies_variables: a substituted '*' is text, also for StringEquals */
    {"StringEquals with a variable whose value holds *", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"k:v\":\"a${aws:username}\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", "aws:username", "*", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    /* elements_resource: a literal '*' in the resource does not defeat a wildcard */
    {"wildcard over a literal star", ID(ALLOW("\"s3:GetObject\"", "\"arn:aws:s3:::b/a*b\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:GetObject", "arn:aws:s3:::b/a*xb", NULL, NULL, POLICY_ALLOWED, 0},
    {"resource segment * reaches across ':'", ID(ALLOW("\"s3:GetObject\"", "\"arn:aws:s3:*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, POLICY_ALLOWED, 0},
    {"resource: region wildcard", ID(ALLOW("\"kms:Encrypt\"", "\"arn:aws:kms:*:" ACCT ":key/*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    {"resource: ? does not match ':'", ID(ALLOW("\"kms:Encrypt\"", "\"arn:aws:kms:us-east-1?" ACCT ":key/*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"resource: service field exact", ID(ALLOW("\"kms:Encrypt\"", "\"arn:aws:km:us-east-1:" ACCT ":key/*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"NotResource with NotAction", ID("{\"Effect\":\"Deny\",\"NotAction\":\"kms:Decrypt\",\"NotResource\":\"arn:aws:kms:*:*:key/other\"}," ALLOW("\"kms:*\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"NotAction deny spares the listed action", ID("{\"Effect\":\"Deny\",\"NotAction\":\"kms:Decrypt\",\"Resource\":\"*\"}," ALLOW("\"kms:*\"", "\"*\"")), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Decrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    /* key policies and root (KMS key-policy-default; AWS-NOTES 2) */
    {"kms root allowed by an account-id key policy", NULL, KP(KALLOW("\"" ACCT "\"", "\"kms:Describe*\"")), NULL, POLICY_PRINCIPAL_ROOT, "kms:DescribeKey", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    {"kms root: key policy enables the account for other actions only", NULL, KP(KALLOW("\"" ACCT "\"", "\"kms:Describe*\"")), NULL, POLICY_PRINCIPAL_ROOT, "kms:Encrypt", KEY, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"kms root: key policy deny", NULL, KP(KALLOW("\"" ACCT "\"", "\"kms:*\"") "," KDENY("\"*\"", "\"kms:ScheduleKeyDeletion\"")), NULL, POLICY_PRINCIPAL_ROOT, "kms:ScheduleKeyDeletion", KEY, NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"kms: account enabled only for other actions", ID(ALLOW("\"kms:*\"", "\"*\"")), KP(KALLOW("\"" ACCT "\"", "\"kms:Describe*\"")), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"kms: user named, boundary does not limit", NULL, KP(KALLOW("\"" USER "\"", "\"kms:Encrypt\"")), ID(ALLOW("\"iam:*\"", "\"*\"")), POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    {"kms: via account, boundary limits", ID(ALLOW("\"kms:*\"", "\"*\"")), DEFAULT_KEY, ID(ALLOW("\"iam:*\"", "\"*\"")), POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_BOUNDARY},
    {"kms: NotPrincipal deny spares the named user", ID(ALLOW("\"kms:*\"", "\"*\"")), KP(KALLOW("\"" ACCT "\"", "\"kms:*\"") ",{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"" USER "\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    {"kms: NotPrincipal deny hits others", ID(ALLOW("\"kms:*\"", "\"*\"")), KP(KALLOW("\"" ACCT "\"", "\"kms:*\"") ",{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::" ACCT ":user/bob\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"kms: Service principal never matches a user", ID(ALLOW("\"kms:*\"", "\"*\"")), KP("{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"logs.amazonaws.com\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"kms: key policy condition must hold", ID(ALLOW("\"kms:*\"", "\"*\"")), KP("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:EncryptionContext:app\":\"x\"}}}"), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, "kms:EncryptionContext:app", "y", POLICY_IMPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"root: identity-side nothing needed", NULL, NULL, ID(ALLOW("\"iam:*\"", "\"*\"")), POLICY_PRINCIPAL_ROOT, "kms:CreateKey", "*", NULL, NULL, POLICY_ALLOWED, 0},
    {"ForAnyValue on missing key", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"a\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", "*", NULL, NULL, POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    /* Where AWS's documentation and the iam-simulate oracle disagree, the documentation
     * decides (tests/differential lists the disagreements). IAM guide,
     * reference_policies_variables, "Policy variables with no value": the value is
     * effectively null; StringEquals and StringLike do not match it, inverted operators
     * such as StringNotEquals do; in Resource or NotResource the entry matches no resource. */
    {"variables#policy-vars-no-value: StringNotEquals matches a null variable", ID(ALLOW("\"*\"", "\"*\"") ",{\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"s3:ExistingObjectTag/Team\":\"${aws:PrincipalTag/Team}\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:GetObject", "arn:aws:s3:::b/k", "s3:ExistingObjectTag/Team", "blue", POLICY_EXPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"variables#policy-vars-no-value: StringEquals does not", ID("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"s3:ExistingObjectTag/Team\":\"${aws:PrincipalTag/Team}\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:GetObject", "arn:aws:s3:::b/k", "s3:ExistingObjectTag/Team", "blue", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"variables#policy-vars-no-value: StringNotLike matches too", ID("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringNotLike\":{\"s3:prefix\":\"${aws:PrincipalTag/home}/*\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:GetObject", "arn:aws:s3:::b/k", "s3:prefix", "x/y", POLICY_ALLOWED, 0},
    {"variables#policy-vars-no-value: NotResource entry matches nothing", ID("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"NotResource\":\"arn:aws:s3:::b/${aws:PrincipalTag/x}\"}"), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, POLICY_ALLOWED, 0},
    {"variables#policy-vars-no-value: other Resource entries still match", ID(ALLOW("\"s3:GetObject\"", "[\"arn:aws:s3:::b/${aws:PrincipalTag/x}\",\"arn:aws:s3:::b/*\"]")), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, POLICY_ALLOWED, 0},
    /* reference_policies_condition-single-vs-multi-valued-context-keys: key values that
     * resolve to a null data set, such as an empty string: ForAllValues true, ForAnyValue
     * false; a Null check with false refuses such keys (inferred from its remedy text) */
    {"single-vs-multi-valued: ForAllValues over an empty string", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:StringLike\":{\"aws:TagKeys\":[\"e*\"]}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:PutObject", "*", "aws:TagKeys", "", POLICY_ALLOWED, 0},
    {"single-vs-multi-valued: ForAnyValue over an empty string", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"\"]}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:PutObject", "*", "aws:TagKeys", "", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    {"single-vs-multi-valued: Null false refuses an empty value", ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Null\":{\"aws:TagKeys\":\"false\"}}}"), NULL, NULL, POLICY_PRINCIPAL_USER, "s3:PutObject", "*", "aws:TagKeys", "", POLICY_IMPLICIT_DENY, POLICY_SOURCE_IDENTITY},
    /* access_policies_boundaries (Important): a resource-policy Deny with NotPrincipal
     * always denies an IAM principal that has a permissions boundary */
    {"boundaries: NotPrincipal Deny denies a principal with a boundary", ID(ALLOW("\"kms:*\"", "\"*\"")), KP(KALLOW("\"" ACCT "\"", "\"kms:*\"") ",{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":[\"" USER "\",\"arn:aws:iam::" ACCT ":root\"]},\"Action\":\"kms:*\",\"Resource\":\"*\"}"), ID(ALLOW("\"*\"", "\"*\"")), POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_RESOURCE},
    {"boundaries: NotPrincipal Allow is not affected", ID(ALLOW("\"kms:*\"", "\"*\"")), KP(KALLOW("\"" ACCT "\"", "\"kms:*\"")), ID(ALLOW("\"*\"", "\"*\"")), POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_ALLOWED, 0},
    /* reference_policies_elements_principal, "AWS account principals": the account ARN
     * does not mean only the root user; it covers the account's identities, Deny included */
    {"elements_principal: account ARN Deny applies to the account's users", ID(ALLOW("\"kms:*\"", "\"*\"")), KP(KALLOW("\"" ACCT "\"", "\"kms:*\"") "," KDENY("\"arn:aws:iam::" ACCT ":root\"", "\"kms:Encrypt\"")), NULL, POLICY_PRINCIPAL_USER, "kms:Encrypt", KEY, NULL, NULL, POLICY_EXPLICIT_DENY, POLICY_SOURCE_RESOURCE},
};

static void evaluation_table(void)
{
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct eval_case *c = &cases[i];
        struct policy *id = c->identity ? compile(c->identity, POLICY_IDENTITY) : NULL;
        struct policy *res = c->resource ? compile(c->resource, POLICY_KEY) : NULL;
        struct policy *bnd = c->boundary ? compile(c->boundary, POLICY_BOUNDARY) : NULL;
        const struct policy *ids[1] = {id};
        const char *values[1] = {c->ctx_value};
        struct policy_context_entry entry = {c->ctx_key, values, 1};
        struct policy_context ctx = {&entry, c->ctx_key ? 1 : 0};
        bool root = c->who == POLICY_PRINCIPAL_ROOT;
        struct policy_request req = {.action = c->action, .resource = c->res,
                                     .principal_arn = root ? "arn:aws:iam::" ACCT ":root" : USER,
                                     .principal_account = ACCT, .principal_type = c->who,
                                     .resource_account = ACCT, .context = &ctx,
                                     .now_s = 1700000000};
        struct policy_set set = {.identity = ids, .n_identity = id ? 1 : 0, .resource = res,
                                 .boundary = bnd};
        struct policy_result out;

        CHECK(!c->identity || id);
        policy_evaluate(&set, &req, &out);
        if (out.decision != c->want || (c->want != POLICY_ALLOWED && out.source != c->source)) {
            fprintf(stderr, "case %zu (%s): decision %d source %d, want %d/%d\n", i, c->doc,
                    out.decision, out.source, c->want, c->source);
            check_failed++;
        } else {
            check_passed++;
        }
        policy_free(id);
        policy_free(res);
        policy_free(bnd);
    }
}

static void malformed(void)
{
    static const struct {
        const char *json;
        enum policy_kind kind;
        const char *msg;
    } bad[] = {
        {"{", POLICY_IDENTITY, "Syntax errors in policy."},
        {"[]", POLICY_IDENTITY, "Syntax errors in policy."},
        {"{\"Version\":\"2012-10-17\"}", POLICY_IDENTITY, "Syntax errors in policy."},
        {"{\"Version\":\"2012-10-17\",\"Statement\":[],\"Bogus\":1}", POLICY_IDENTITY, "Syntax errors in policy."},
        /* an unknown Version is a syntax error to IAM (validation_test.c has the rest) */
        {"{\"Version\":\"2099-01-01\",\"Statement\":[]}", POLICY_IDENTITY, "Syntax errors in policy."},
        {"{\"Version\":\"2099-01-01\",\"Statement\":[]}", POLICY_KEY, "The policy failed legacy parsing"},
        /* IAM: a missing or unknown Effect is a syntax error; other kinds word it */
        {ID("{\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Effect\":\"Maybe\",\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {KP("{\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_KEY, "Missing required field Effect"},
        {KP("{\"Effect\":\"Maybe\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_KEY, "Invalid effect: must be Allow or Deny"},
        {ID("{\"Effect\":\"Allow\",\"Resource\":\"*\"}"), POLICY_IDENTITY, "Policy statement must contain actions."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\"}"), POLICY_IDENTITY, "Policy statement must contain resources."},
        {ID("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_IDENTITY, "Policy document should not specify a principal."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"ListUsers\",\"Resource\":\"*\"}"), POLICY_IDENTITY, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"iam:a:b\",\"Resource\":\"*\"}"), POLICY_IDENTITY, "Actions/Condition can contain only one colon."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"user/bob\"}"), POLICY_IDENTITY, "Resource user/bob must be in ARN format or \"*\"."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Effect\":\"Deny\"}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}"), POLICY_IDENTITY, "Policy statement must contain actions."},
        {ID("{\"Effect\":\"Allow\",\"Action\":[1],\"Resource\":\"*\"}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"BinaryLike\":{\"k\":\"QUJD\"}}}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"}}}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"yesterday\"}}}"), POLICY_IDENTITY, "The policy failed legacy parsing"},
        {KP("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_KEY, "Policy contains a statement with no principal."},
        {KP("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_RESOURCE, "Missing required field Principal"},
        {KP("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"bob\"},\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_RESOURCE, "Invalid principal in policy: \"AWS\":\"bob\""},
        /* reference_policies_elements_action: the vendor prefix takes no wildcard */
        {ID(ALLOW("\"*:Untag*\"", "\"*\"")), POLICY_IDENTITY, "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards"},
        {ID(ALLOW("\"k?s:Encrypt\"", "\"*\"")), POLICY_IDENTITY, "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards"},
        {ID(ALLOW("\"km_s:Encrypt\"", "\"*\"")), POLICY_IDENTITY, "Vendor km_s is not valid"},
        {ID(ALLOW("\"kms:En:crypt\"", "\"*\"")), POLICY_IDENTITY, "Actions/Condition can contain only one colon."},
        {ID(ALLOW("\"Encrypt\"", "\"*\"")), POLICY_IDENTITY, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
        {ID(ALLOW("\"kms:*\"", "\"key/1\"")), POLICY_IDENTITY, "Resource key/1 must be in ARN format or \"*\"."},
        /* condition values: strings, numbers or booleans; numbers only for Numeric* */
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NumericLessThan\":{\"n\":\"inf\"}}}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NumericLessThan\":{\"n\":\"0x10\"}}}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"k\":null}}}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"k\":[\"a\",{}]}}}"), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"}}}"), POLICY_IDENTITY, "Syntax errors in policy."},
        /* duplicate keys are refused (JSON_REJECT_DUPLICATES) */
        {"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}}", POLICY_IDENTITY, "Syntax errors in policy."},
        {ID(ALLOW("\"*\"", "\"arn:aws:iam::*:user/${aws:username\"")), POLICY_IDENTITY, "Syntax errors in policy."},
        {ID("{\"Sid\":\"not ok!\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_IDENTITY, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},
        {ID("{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_IDENTITY, "Statement IDs (SID) in a single policy must be unique."},
        {ID(ALLOW("\"*\"", "\"arn:aws:iam::*:user/${aws:username, bob}\"")), POLICY_IDENTITY, "Syntax errors in policy."},
        {KP("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"bob\"},\"Action\":\"*\",\"Resource\":\"*\"}"), POLICY_KEY, "Policy contains a statement with one or more invalid principals."},
        /* a role's trust policy: Principal required, no Resource, only STS actions */
        {KP("{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}"), POLICY_TRUST, "Missing required field Principal"},
        {KP("{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}"), POLICY_TRUST, "Has prohibited field Resource"},
        {KP("{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"s3:GetObject\"}"), POLICY_TRUST, "AssumeRole policy may only specify STS AssumeRole actions."},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct policy *p = NULL;
        struct cu_err err = {0};
        CHECK_RC(policy_compile(bytes_str(bad[i].json), bad[i].kind, "p", &p, &err),
                 CU_E_IAM_MALFORMED_POLICY);
        CHECK_STR(err.msg, bad[i].msg);
        CHECK(p == NULL);
    }
    /* a trust policy needs no Resource: its resource is the role */
    {
        struct policy *p = compile(KP("{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"glue.amazonaws.com\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}"), POLICY_TRUST);
        CHECK(p != NULL);
        policy_free(p);
    }
    /* a key-policy statement without Action compiles and has no effect (AWS-NOTES 2) */
    {
        struct policy *p = compile(KP("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"*\"}"), POLICY_KEY);
        CHECK(p != NULL);
        policy_free(p);
    }
}

static void messages(void)
{
    struct policy_request req = {.action = "kms:Encrypt", .resource = KEY, .principal_arn = USER,
                                 .principal_account = ACCT,
                                 .principal_type = POLICY_PRINCIPAL_USER,
                                 .resource_account = ACCT};
    struct policy_result res = {.decision = POLICY_IMPLICIT_DENY, .source = POLICY_SOURCE_IDENTITY};
    struct buf b;

    buf_init(&b, 4096);
    CHECK_OK(policy_denial_message(&req, &res, &b));
    CHECK_STR(b.p, "User: " USER " is not authorized to perform: kms:Encrypt on resource: " KEY
                   " because no identity-based policy allows the kms:Encrypt action");
    buf_reset(&b);
    res = (struct policy_result){.decision = POLICY_EXPLICIT_DENY, .source = POLICY_SOURCE_RESOURCE};
    CHECK_OK(policy_denial_message(&req, &res, &b));
    CHECK_STR(b.p, "User: " USER " is not authorized to perform: kms:Encrypt on resource: " KEY
                   " with an explicit deny in a resource-based policy");
    buf_reset(&b);
    res = (struct policy_result){.decision = POLICY_IMPLICIT_DENY, .source = POLICY_SOURCE_SCP};
    CHECK_OK(policy_denial_message(&req, &res, &b));
    CHECK_CONTAINS(b.p, "because no service control policy allows the kms:Encrypt action");
    buf_reset(&b);
    res = (struct policy_result){.decision = POLICY_EXPLICIT_DENY, .source = POLICY_SOURCE_SESSION};
    CHECK_OK(policy_denial_message(&req, &res, &b));
    CHECK_CONTAINS(b.p, "with an explicit deny in a session policy");
    /* no particular resource: troubleshoot_access-denied's examples leave "on resource" out */
    buf_reset(&b);
    req.resource = "*";
    req.action = "codecommit:ListRepositories";
    res = (struct policy_result){.decision = POLICY_IMPLICIT_DENY, .source = POLICY_SOURCE_IDENTITY};
    CHECK_OK(policy_denial_message(&req, &res, &b));
    CHECK_STR(b.p, "User: " USER " is not authorized to perform: codecommit:ListRepositories "
                   "because no identity-based policy allows the codecommit:ListRepositories action");
    buf_reset(&b);
    req.resource = KEY;
    req.action = "kms:Decrypt";
    res = (struct policy_result){.decision = POLICY_IMPLICIT_DENY, .source = POLICY_SOURCE_RESOURCE};
    CHECK_OK(policy_denial_message(&req, &res, &b));
    CHECK_STR(b.p, "User: " USER " is not authorized to perform: kms:Decrypt on resource: " KEY
                   " because no resource-based policy allows the kms:Decrypt action");
    buf_reset(&b);
    res = (struct policy_result){.decision = POLICY_EXPLICIT_DENY, .source = POLICY_SOURCE_BOUNDARY};
    CHECK_OK(policy_denial_message(&req, &res, &b));
    CHECK_CONTAINS(b.p, " with an explicit deny in a permissions boundary");
    buf_reset(&b);
    res = (struct policy_result){.decision = POLICY_IMPLICIT_DENY, .source = POLICY_SOURCE_BOUNDARY};
    CHECK_OK(policy_denial_message(&req, &res, &b));
    CHECK_CONTAINS(b.p, " because no permissions boundary allows the kms:Decrypt action");
    buf_reset(&b);
    res = (struct policy_result){.decision = POLICY_EXPLICIT_DENY, .source = POLICY_SOURCE_IDENTITY};
    CHECK_OK(policy_denial_message(&req, &res, &b));
    CHECK_CONTAINS(b.p, " with an explicit deny in an identity-based policy");
    buf_release(&b);
    CHECK_INT(policy_size_without_whitespace(bytes_str("{ \"a b\" :\n [ 1 ] }")), 11);
}

/* The flow steps beyond identity, resource and boundary policies: SCP levels, session
 * policies, role principals and the cross-account rule (IAM guide,
 * reference_policies_evaluation-logic, ..._cross-account, access_policies_scps). */
#define ROLE "arn:aws:iam::111122223333:role/app"
#define SESSION "arn:aws:sts::111122223333:assumed-role/app/s1"
#define BUCKET "arn:aws:s3:::b/k"

static enum policy_decision flow(const char *identity, const char *resource,
                                 const char *const *scp_levels, size_t n_levels,
                                 const char *session, enum policy_principal_type who,
                                 const char *principal_account, enum policy_source *source)
{
    struct policy *id = identity ? compile(identity, POLICY_IDENTITY) : NULL;
    struct policy *res = resource ? compile(resource, POLICY_RESOURCE) : NULL;
    struct policy *sess = session ? compile(session, POLICY_SESSION) : NULL;
    struct policy *scps[4] = {0};
    struct policy_scp_level levels[4];
    const struct policy *ids[1] = {id};
    bool is_session = who == POLICY_PRINCIPAL_ROLE_SESSION;
    struct policy_request req = {.action = "s3:GetObject", .resource = BUCKET,
                                 .principal_arn = is_session ? SESSION : USER,
                                 .principal_account = principal_account,
                                 .principal_type = who, .resource_account = ACCT,
                                 .role_arn = is_session ? ROLE : NULL};
    struct policy_set set = {.identity = ids, .n_identity = id ? 1 : 0, .resource = res,
                             .session = sess, .scps = levels, .n_scps = n_levels};
    struct policy_result out;

    for (size_t i = 0; i < n_levels; i++) {
        scps[i] = compile(scp_levels[i], POLICY_SCP);
        levels[i] = (struct policy_scp_level){(const struct policy *const *)&scps[i], 1};
    }
    policy_evaluate(&set, &req, &out);
    for (size_t i = 0; i < n_levels; i++)
        policy_free(scps[i]);
    policy_free(id);
    policy_free(res);
    policy_free(sess);
    *source = out.source;
    return out.decision;
}

static void flow_steps(void)
{
    const char *allow_all = ID(ALLOW("\"*\"", "\"*\""));
    const char *allow_s3 = ID(ALLOW("\"s3:*\"", "\"*\""));
    const char *deny_s3 = ID(DENY("\"s3:*\"", "\"*\""));
    const char *allow_iam = ID(ALLOW("\"iam:*\"", "\"*\""));
    const char *scp_ok[] = {allow_all, allow_s3};
    const char *scp_gap[] = {allow_all, allow_iam};
    const char *scp_deny[] = {allow_all, deny_s3};
    enum policy_source src;

    /* access_policies_scps: every level must allow; an SCP grants nothing by itself */
    CHECK_INT(flow(allow_s3, NULL, scp_ok, 2, NULL, POLICY_PRINCIPAL_USER, ACCT, &src), POLICY_ALLOWED);
    CHECK_INT(flow(allow_s3, NULL, scp_gap, 2, NULL, POLICY_PRINCIPAL_USER, ACCT, &src), POLICY_IMPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_SCP);
    CHECK_INT(flow(allow_s3, NULL, scp_deny, 2, NULL, POLICY_PRINCIPAL_USER, ACCT, &src), POLICY_EXPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_SCP);
    CHECK_INT(flow(NULL, NULL, scp_ok, 2, NULL, POLICY_PRINCIPAL_USER, ACCT, &src), POLICY_IMPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_IDENTITY);
    /* SCPs bind the account's root user too */
    CHECK_INT(flow(NULL, NULL, scp_gap, 2, NULL, POLICY_PRINCIPAL_ROOT, ACCT, &src), POLICY_IMPLICIT_DENY);
    /* session policies (access_policies#policies_session): must also allow when given */
    CHECK_INT(flow(allow_s3, NULL, NULL, 0, allow_all, POLICY_PRINCIPAL_ROLE_SESSION, ACCT, &src), POLICY_ALLOWED);
    CHECK_INT(flow(allow_s3, NULL, NULL, 0, allow_iam, POLICY_PRINCIPAL_ROLE_SESSION, ACCT, &src), POLICY_IMPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_SESSION);
    CHECK_INT(flow(allow_s3, NULL, NULL, 0, NULL, POLICY_PRINCIPAL_ROLE_SESSION, ACCT, &src), POLICY_ALLOWED);
    CHECK_INT(flow(allow_s3, NULL, NULL, 0, deny_s3, POLICY_PRINCIPAL_ROLE_SESSION, ACCT, &src), POLICY_EXPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_SESSION);
    /* a resource policy naming the session itself is not limited by the session policy */
    CHECK_INT(flow(NULL, KP(KALLOW("\"" SESSION "\"", "\"s3:GetObject\"")), NULL, 0, allow_iam,
                   POLICY_PRINCIPAL_ROLE_SESSION, ACCT, &src), POLICY_ALLOWED);
    /* one naming the role skips identity policies but not the session policy */
    CHECK_INT(flow(NULL, KP(KALLOW("\"" ROLE "\"", "\"s3:GetObject\"")), NULL, 0, allow_all,
                   POLICY_PRINCIPAL_ROLE_SESSION, ACCT, &src), POLICY_ALLOWED);
    CHECK_INT(flow(NULL, KP(KALLOW("\"" ROLE "\"", "\"s3:GetObject\"")), NULL, 0, allow_iam,
                   POLICY_PRINCIPAL_ROLE_SESSION, ACCT, &src), POLICY_IMPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_SESSION);
    /* elements_principal, "AWS account principals": an account ARN in a Deny covers the
     * account's roles and their sessions too */
    CHECK_INT(flow(allow_s3, KP(KDENY("\"arn:aws:iam::" ACCT ":root\"", "\"s3:*\"")), NULL, 0, NULL,
                   POLICY_PRINCIPAL_ROLE_SESSION, ACCT, &src), POLICY_EXPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_RESOURCE);
    /* cross-account (..._cross-account): both sides must allow */
    CHECK_INT(flow(allow_s3, KP(KALLOW("\"999999999999\"", "\"s3:*\"")), NULL, 0, NULL,
                   POLICY_PRINCIPAL_USER, "999999999999", &src), POLICY_ALLOWED);
    CHECK_INT(flow(allow_s3, NULL, NULL, 0, NULL, POLICY_PRINCIPAL_USER, "999999999999", &src),
              POLICY_IMPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_RESOURCE);
    CHECK_INT(flow(NULL, KP(KALLOW("\"999999999999\"", "\"s3:*\"")), NULL, 0, NULL,
                   POLICY_PRINCIPAL_USER, "999999999999", &src), POLICY_IMPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_IDENTITY);
    CHECK_INT(flow(allow_s3, KP(KALLOW("\"888888888888\"", "\"s3:*\"")), NULL, 0, NULL,
                   POLICY_PRINCIPAL_USER, "999999999999", &src), POLICY_IMPLICIT_DENY);
}

/* Statement positions as the simulator reports them (1-based line and column of the first
 * and last character of each statement). */
static void positions(void)
{
    const char *text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n"
                       "    {\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n"
                       "    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"s3:Delete*\",\n"
                       "      \"Resource\": [\"arn:aws:s3:::b/*\", \"arn:aws:s3:::x}]\"]\n    }\n  ]\n}\n";
    struct policy *p = compile(text, POLICY_IDENTITY);
    const struct policy *ids[1] = {p};
    struct policy_set set = {.identity = ids, .n_identity = 1};
    struct policy_request req = {.action = "s3:DeleteObject", .resource = "arn:aws:s3:::b/k",
                                 .principal_arn = USER, .principal_account = ACCT,
                                 .principal_type = POLICY_PRINCIPAL_USER, .resource_account = ACCT};
    struct policy_result res;

    CHECK(p != NULL);
    policy_evaluate(&set, &req, &res);
    CHECK_INT(res.n_matches, 2);
    CHECK_INT(res.matches[0].start.line, 4);
    CHECK_INT(res.matches[0].start.column, 5);
    CHECK_INT(res.matches[0].end.line, 4);
    CHECK_INT(res.matches[0].end.column, 70);
    CHECK_INT(res.matches[1].start.line, 5);
    CHECK_INT(res.matches[1].start.column, 5);
    CHECK_INT(res.matches[1].end.line, 9);
    CHECK_INT(res.matches[1].end.column, 5);
    policy_free(p);
    /* a single statement object */
    p = compile("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}",
                POLICY_IDENTITY);
    ids[0] = p;
    policy_evaluate(&set, &req, &res);
    CHECK_INT(res.matches[0].start.column, 14);
    CHECK_INT(res.matches[0].end.column, 59);
    policy_free(p);
}

/* Resource control policies (Organizations guide, orgs_manage_policies_rcps_syntax and
 * orgs_manage_policies_rcps_evaluation; IAM guide, reference_policies_evaluation-logic):
 * the grammar they allow, a ceiling evaluated before SCPs that binds every caller of the
 * account's resources, root included, and AWS's wording when one decides. */
#define RCP_FULL ID("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}")
#define RCP_DENY_S3 ID("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}")
#define RCP_DENY_S3_OUTSIDE                                                                         \
    ID("{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"*\","     \
       "\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:PrincipalAccount\":\"" ACCT "\"}}}")

/* levels[i]: up to two RCPs attached at level i (root first). */
static enum policy_decision with_rcps(const char *const (*levels)[2], size_t n,
                                      enum policy_principal_type who, const char *account,
                                      enum policy_source *source, struct buf *message)
{
    struct policy *id = compile(ID(ALLOW("\"s3:*\"", "\"*\"")), POLICY_IDENTITY);
    struct policy *rcps[4][2] = {{0}};
    struct policy_scp_level lv[4];
    const struct policy *ids[1] = {id};
    const char *const acct[] = {account};
    const struct policy_context_entry entry = {"aws:PrincipalAccount", acct, 1};
    const struct policy_context ctx = {&entry, 1};
    struct policy_request req = {.action = "s3:GetObject", .resource = BUCKET, .context = &ctx,
                                 .principal_arn = who == POLICY_PRINCIPAL_ROOT
                                                      ? "arn:aws:iam::111122223333:root"
                                                      : USER,
                                 .principal_account = account, .principal_type = who,
                                 .resource_account = ACCT};
    struct policy_set set = {.identity = ids, .n_identity = 1, .rcps = lv, .n_rcps = n};
    struct policy_result out;

    for (size_t i = 0; i < n; i++) {
        rcps[i][0] = compile(levels[i][0], POLICY_RCP);
        rcps[i][1] = levels[i][1] ? compile(levels[i][1], POLICY_RCP) : NULL;
        lv[i] = (struct policy_scp_level){(const struct policy *const *)rcps[i],
                                          levels[i][1] ? 2 : 1};
    }
    policy_evaluate(&set, &req, &out);
    if (message)
        CHECK_OK(policy_denial_message(&req, &out, message));
    for (size_t i = 0; i < n; i++) {
        policy_free(rcps[i][0]);
        policy_free(rcps[i][1]);
    }
    policy_free(id);
    *source = out.source;
    return out.decision;
}

static void resource_control_policies(void)
{
    static const char *const bad[] = {
        /* Allow is AWS's RCPFullAWSAccess only */
        ID("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}"),
        ID("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\","
           "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}"),
        /* Principal "*" only, and present */
        ID("{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"" ACCT "\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}"),
        ID("{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}"),
        ID("{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"" ACCT "\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}"),
        /* no NotAction */
        ID("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":\"s3:Get*\",\"Resource\":\"*\"}"),
        /* Version 2012-10-17, stated */
        "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
    };
    /* RCPFullAWSAccess sits at every level unless a test takes it away */
    const char *const full[][2] = {{RCP_FULL, NULL}, {RCP_FULL, NULL}};
    const char *const deny[][2] = {{RCP_FULL, NULL}, {RCP_FULL, RCP_DENY_S3}};
    const char *const outside[][2] = {{RCP_FULL, NULL}, {RCP_FULL, RCP_DENY_S3_OUTSIDE}};
    const char *const gap[][2] = {{RCP_FULL, NULL}, {RCP_DENY_S3_OUTSIDE, NULL}};
    enum policy_source src;
    struct buf msg;

    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct policy *p = NULL;
        struct cu_err err = {0};
        CHECK_RC(policy_compile(bytes_str(bad[i]), POLICY_RCP, "rcp", &p, &err),
                 CU_E_IAM_MALFORMED_POLICY);
        CHECK_STR(err.msg, "The provided policy document does not meet the requirements of "
                           "the specified policy type.");
    }
    policy_free(compile(RCP_FULL, POLICY_RCP));
    policy_free(compile(RCP_DENY_S3_OUTSIDE, POLICY_RCP));

    /* RCPFullAWSAccess passes everything through and grants nothing */
    CHECK_INT(with_rcps(full, 2, POLICY_PRINCIPAL_USER, ACCT, &src, NULL), POLICY_ALLOWED);
    /* a Deny binds the account's own callers, root included */
    buf_init(&msg, 4096);
    CHECK_INT(with_rcps(deny, 2, POLICY_PRINCIPAL_USER, ACCT, &src, &msg), POLICY_EXPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_RCP);
    CHECK_CONTAINS(msg.p, "with an explicit deny in a resource control policy");
    CHECK_INT(with_rcps(deny, 2, POLICY_PRINCIPAL_ROOT, ACCT, &src, NULL), POLICY_EXPLICIT_DENY);
    /* the data perimeter: callers from outside the organization are refused */
    CHECK_INT(with_rcps(outside, 2, POLICY_PRINCIPAL_USER, ACCT, &src, NULL), POLICY_ALLOWED);
    CHECK_INT(with_rcps(outside, 2, POLICY_PRINCIPAL_USER, "999999999999", &src, NULL),
              POLICY_EXPLICIT_DENY);
    /* a level without RCPFullAWSAccess allows nothing through */
    buf_reset(&msg);
    CHECK_INT(with_rcps(gap, 2, POLICY_PRINCIPAL_USER, ACCT, &src, &msg), POLICY_IMPLICIT_DENY);
    CHECK_INT(src, POLICY_SOURCE_RCP);
    CHECK_CONTAINS(msg.p, "because no resource control policy allows the s3:GetObject action");
    buf_release(&msg);
}

/* KMS grants (KMS developer guide, grants and authorize-access): a grant allows on its
 * own, without identity policies or a key policy enabling the account, but not past an
 * explicit deny or an Organizations ceiling. */
static void grants(void)
{
    struct policy *key = compile(KP(KALLOW("\"arn:aws:iam::111122223333:user/bob\"", "\"kms:*\"")),
                                 POLICY_KEY);
    struct policy *deny = compile(ID(DENY("\"kms:Encrypt\"", "\"*\"")), POLICY_IDENTITY);
    struct policy *scp = compile(ID(ALLOW("\"s3:*\"", "\"*\"")), POLICY_SCP);
    const struct policy *ids[1] = {deny};
    struct policy_scp_level level = {(const struct policy *const *)&scp, 1};
    struct policy_request req = {.action = "kms:Encrypt", .resource = KEY, .principal_arn = USER,
                                 .principal_account = ACCT,
                                 .principal_type = POLICY_PRINCIPAL_USER, .resource_account = ACCT};
    struct policy_set set = {.resource = key};
    struct policy_result res;

    policy_evaluate(&set, &req, &res);
    CHECK_INT(res.decision, POLICY_IMPLICIT_DENY);
    set.grant = true;
    policy_evaluate(&set, &req, &res);
    CHECK_INT(res.decision, POLICY_ALLOWED);
    /* even the root user the key policy leaves out */
    req.principal_type = POLICY_PRINCIPAL_ROOT;
    policy_evaluate(&set, &req, &res);
    CHECK_INT(res.decision, POLICY_ALLOWED);
    req.principal_type = POLICY_PRINCIPAL_USER;
    set.identity = ids;
    set.n_identity = 1;
    policy_evaluate(&set, &req, &res);
    CHECK_INT(res.decision, POLICY_EXPLICIT_DENY);
    set.n_identity = 0;
    set.scps = &level;
    set.n_scps = 1;
    policy_evaluate(&set, &req, &res);
    CHECK_INT(res.decision, POLICY_IMPLICIT_DENY);
    CHECK_INT(res.source, POLICY_SOURCE_SCP);
    policy_free(key);
    policy_free(deny);
    policy_free(scp);
}

/* The access advisor's view of a policy: the services its Allow statements name. */
static void collect(const char *service, void *ctx)
{
    struct buf *b = ctx;

    CHECK_OK(buf_addstr(b, service));
    CHECK_OK(buf_addstr(b, ","));
}

static void advisor_services(void)
{
    struct buf names;
    struct policy *p = compile("{\"Version\":\"2012-10-17\",\"Statement\":["
                               "{\"Effect\":\"Allow\",\"Action\":[\"KMS:Encrypt\",\"iam:Get*\"],"
                               "\"Resource\":\"*\"},"
                               "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
                               POLICY_IDENTITY);
    struct policy *star = compile(ID(ALLOW("\"*\"", "\"*\"")), POLICY_IDENTITY);
    struct policy *not = compile("{\"Version\":\"2012-10-17\",\"Statement\":"
                                 "{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"kms:Decrypt\"],"
                                 "\"Resource\":\"*\"}}",
                                 POLICY_IDENTITY);

    buf_init(&names, 1024);
    /* Deny statements grant nothing; actions are compared lowercased */
    CHECK(!policy_services(p, collect, &names));
    CHECK_STR(names.p, "kms,iam,");
    CHECK(policy_grants_service(p, "kms"));
    CHECK(policy_grants_service(p, "iam"));
    CHECK(!policy_grants_service(p, "s3"));
    CHECK(!policy_grants_service(p, "km"));
    /* "*" and NotAction: any service, but one a NotAction leaves out whole */
    CHECK(policy_services(star, collect, &names));
    CHECK(policy_grants_service(star, "sqs"));
    CHECK(policy_services(not, collect, &names));
    CHECK(!policy_grants_service(not, "iam"));
    CHECK(policy_grants_service(not, "kms"));
    CHECK(policy_grants_service(not, "sts"));
    buf_release(&names);
    policy_free(p);
    policy_free(star);
    policy_free(not);
}

/* A role's trust policy (POLICY_TRUST) has no Resource and is held to the key-policy rule:
 * naming the caller's ARN suffices, naming the account needs the identity policy too, a
 * trust policy that does not allow the caller denies whatever the identity policy says,
 * and a session of a role the trust policy names needs no identity policy (STS API
 * reference, AssumeRole; IAM guide, reference_policies_evaluation-logic-cross-account). */
static void trust_policies(void)
{
#define TRUSTED_ROLE "arn:aws:iam::" ACCT ":role/r"
#define TRUST(p) KP("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" p "\"},\"Action\":\"sts:AssumeRole\"}")
#define FED(p) KP("{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" p "\"},\"Action\":\"sts:AssumeRole\"}")
#define PROVIDER "arn:aws:iam::" ACCT ":oidc-provider/token.example.com"
    static const struct {
        const char *trust, *identity, *principal, *role_arn;
        enum policy_principal_type who;
        enum policy_decision want;
    } rows[] = {
        {TRUST(USER), NULL, USER, NULL, POLICY_PRINCIPAL_USER, POLICY_ALLOWED},
        {TRUST("arn:aws:iam::" ACCT ":root"), NULL, USER, NULL, POLICY_PRINCIPAL_USER, POLICY_IMPLICIT_DENY},
        {TRUST("arn:aws:iam::" ACCT ":root"), ID(ALLOW("\"sts:AssumeRole\"", "\"" TRUSTED_ROLE "\"")), USER, NULL,
         POLICY_PRINCIPAL_USER, POLICY_ALLOWED},
        {TRUST("arn:aws:iam::" ACCT ":root"), ID(ALLOW("\"sts:AssumeRole\"", "\"arn:aws:iam::" ACCT ":role/other\"")),
         USER, NULL, POLICY_PRINCIPAL_USER, POLICY_IMPLICIT_DENY},
        {TRUST("arn:aws:iam::" ACCT ":user/bob"), ID(ALLOW("\"sts:AssumeRole\"", "\"*\"")), USER, NULL,
         POLICY_PRINCIPAL_USER, POLICY_IMPLICIT_DENY},
        {TRUST("arn:aws:iam::" ACCT ":role/first"), NULL, "arn:aws:sts::" ACCT ":assumed-role/first/s",
         "arn:aws:iam::" ACCT ":role/first", POLICY_PRINCIPAL_ROLE_SESSION, POLICY_ALLOWED},
        /* a Federated principal names an identity provider, and only a provider caller */
        {FED(PROVIDER), NULL, PROVIDER, NULL, POLICY_PRINCIPAL_PROVIDER, POLICY_ALLOWED},
        {FED("arn:aws:iam::" ACCT ":oidc-provider/other.example.com"), NULL, PROVIDER, NULL,
         POLICY_PRINCIPAL_PROVIDER, POLICY_IMPLICIT_DENY},
        {FED(PROVIDER), ID(ALLOW("\"sts:AssumeRole\"", "\"*\"")), PROVIDER, NULL,
         POLICY_PRINCIPAL_USER, POLICY_IMPLICIT_DENY},
        {TRUST(USER), NULL, PROVIDER, NULL, POLICY_PRINCIPAL_PROVIDER, POLICY_IMPLICIT_DENY},
    };

    for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
        struct policy *trust = compile(rows[i].trust, POLICY_TRUST);
        struct policy *id = rows[i].identity ? compile(rows[i].identity, POLICY_IDENTITY) : NULL;
        const struct policy *ids[1] = {id};
        struct policy_request req = {.action = "sts:AssumeRole", .resource = TRUSTED_ROLE,
                                     .principal_arn = rows[i].principal, .principal_account = ACCT,
                                     .principal_type = rows[i].who, .resource_account = ACCT,
                                     .now_s = 1700000000, .role_arn = rows[i].role_arn};
        struct policy_set set = {.identity = ids, .n_identity = id ? 1 : 0, .resource = trust};
        struct policy_result out;

        CHECK(trust != NULL);
        policy_evaluate(&set, &req, &out);
        if (out.decision != rows[i].want) {
            fprintf(stderr, "trust row %zu: decision %d, want %d\n", i, out.decision, rows[i].want);
            check_failed++;
        } else {
            check_passed++;
        }
        policy_free(trust);
        policy_free(id);
    }
#undef TRUST
#undef FED
#undef PROVIDER
#undef TRUSTED_ROLE
}

int main(void)
{
    advisor_services();
    trust_policies();
    grants();
    resource_control_policies();
    evaluation_table();
    positions();
    flow_steps();
    malformed();
    messages();
    TEST_END();
}
