/* Tests for src/policy/validate.c and messages.c: a table of documents, the policy type
 * they are given as, and the MalformedPolicyDocument message IAM answers (NULL: IAM
 * accepts the document). The texts are IAM's, as observed from AWS (the issue that asked
 * for them, and AWS-recorded tables such as moto's test_iam_policies.py); where several
 * faults meet, the message is the one IAM's order of checks gives (validate.c).
 * Documents are written with ' for ", which the test turns back before compiling. */
#include "check.h"
#include "policy/policy.h"

#define V12 "'Version':'2012-10-17',"
#define ST(body) "{" V12 "'Statement':{" body "}}"
#define OK_STMT "'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws:s3:::example_bucket'"

static const char syntax[] = "Syntax errors in policy.";
static const char version[] = "Policy document must be version 2012-10-17 or greater.";
static const char legacy[] = "The policy failed legacy parsing";
static const char iam_path[] =
    "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, "
    "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
    "oidc-provider/, report/, access-report/.";

static const struct {
    enum policy_kind kind;
    const char *doc;
    const char *msg;
} cases[] = {
    /* Version: managed policies need 2012-10-17 (reference_policies_elements_version);
     * inline policies may omit it or say 2008-10-17 */
    {POLICY_MANAGED, "{'Statement':{" OK_STMT "}}", version},
    {POLICY_MANAGED, "{'Version':'2008-10-17','Statement':{" OK_STMT "}}", version},
    {POLICY_IDENTITY, "{'Statement':{" OK_STMT "}}", NULL},
    {POLICY_IDENTITY, "{'Version':'2008-10-17','Statement':{" OK_STMT "}}", NULL},
    {POLICY_MANAGED, "{'Version':'2013-10-17','Statement':{" OK_STMT "}}", syntax},
    {POLICY_IDENTITY, "{'Version':17,'Statement':{" OK_STMT "}}", syntax},
    /* the version is checked before everything but syntax */
    {POLICY_MANAGED, "{'Statement':{'Effect':'denY','Action':'s3:ListBucket','Resource':'*'}}", version},
    {POLICY_MANAGED, "{'Statement':[{'Sid':'a'," OK_STMT "},{'Sid':'a','Effect':'Allow'}]}", version},
    /* syntax: the shape of every element */
    {POLICY_MANAGED, "This is not a json document", syntax},
    {POLICY_MANAGED, "{", syntax},
    {POLICY_MANAGED, "[]", syntax},
    {POLICY_MANAGED, "{" V12 "'Statement':[]}", syntax},
    {POLICY_IDENTITY, "{" V12 "'Statement':[]}", syntax},
    {POLICY_MANAGED, "{" V12 "'Statement':'x'}", syntax},
    {POLICY_MANAGED, "{" V12 "'Statement':['afd']}", syntax},
    {POLICY_MANAGED, "{" V12 "'Id':['cd3a'],'Statement':{" OK_STMT "}}", syntax},
    {POLICY_MANAGED, "{" V12 "'Id':{},'Statement':{" OK_STMT "}}", syntax},
    {POLICY_MANAGED, "{" V12 "'Id':7,'Statement':{" OK_STMT "}}", syntax},
    {POLICY_MANAGED, "{" V12 "'Id':'my-policy','Statement':{" OK_STMT "}}", NULL},
    {POLICY_MANAGED, "{" V12 "'Statement':{" OK_STMT "},'Extra field':'value'}", syntax},
    {POLICY_MANAGED, ST(OK_STMT ",'Extra field':'value'"), syntax},
    {POLICY_MANAGED, ST("'Effect':'invalid','Action':'s3:ListBucket','Resource':'*'"), syntax},
    {POLICY_MANAGED, ST("'Action':'s3:ListBucket','Resource':'*'"), syntax},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':{'a':'b'}"), syntax},
    {POLICY_MANAGED, ST("'Effect':'Deny','Action':'s3:ListBucket','Resource':['adfdf',{}]"), syntax},
    {POLICY_MANAGED, ST("'Effect':'Allow','NotAction':'s3:ListBucket','Action':[],'Resource':'*'"), syntax},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'*','NotResource':[]"), syntax},
    {POLICY_MANAGED, ST("'Effect':'Deny','Action':[[]],'Resource':'*'"), syntax},
    {POLICY_MANAGED, ST("'Sid':{},'Effect':'Allow','Action':'s3:ListBucket','Resource':'*'"), syntax},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':[]"), syntax},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':'a'"), syntax},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'a':'b'}"), syntax},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'DateGreaterThan':{'a':{}}}"), syntax},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'x':{'a':'1'}}"), syntax},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'ForAnyValue::StringEqualsIfExists':{'a':'asf'}}"), syntax},
    /* legacy parsing: Effect spelled exactly, Date values, the colons of a resource */
    {POLICY_MANAGED, ST("'Effect':'denY','Action':'s3:ListBucket','Resource':'*'"), legacy},
    {POLICY_IDENTITY, ST("'Effect':'allow','Resource':'arn:aws:s3:us-east-1::example_bucket'"), legacy},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'DateGreaterThan':{'a':'sdfdsf'}}"), legacy},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'DateLessThanEquals':{'a':'234-13'}}"), legacy},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'DateLessThan':{'a':'9223372036854775808'}}"), legacy},
    {POLICY_MANAGED, ST("'Effect':'Allow','Condition':{'DateGreaterThan':{'a':'sdfdsf'}}"), legacy},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws:s3::example_bucket'"), legacy},
    {POLICY_MANAGED, ST("'Effect':'Allow','Resource':'arn:aws:s3::example_bucket'"), legacy},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','NotResource':'arn:aws:s3::example_bucket'"), legacy},
    {POLICY_MANAGED, ST("'Effect':'Allow','NotAction':'s3:ListBucket','Resource':'arn:aws::::example_bucket'"), legacy},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws::fdsasf'"), legacy},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:error:s3:::example_bucket','Condition':{'DateGreaterThan':{'a':'sdfdsf'}}"), legacy},
    {POLICY_MANAGED, "{" V12 "'Statement':[{'Sid':'sdf','Effect':'aLLow','Action':'s3:ListBucket','Resource':'*'},{'Sid':'sdf','Effect':'Allow'}]}", legacy},
    /* Sids, then actions, then resources */
    {POLICY_MANAGED, "{" V12 "'Statement':[{'Sid':'sdf'," OK_STMT "},{'Sid':'sdf','Effect':'Allow'}]}", "Statement IDs (SID) in a single policy must be unique."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Resource':'arn:aws:s3:::example_bucket'"), "Policy statement must contain actions."},
    {POLICY_MANAGED, ST("'Effect':'Allow'"), "Policy statement must contain actions."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':[],'Resource':'*'"), "Policy statement must contain actions."},
    {POLICY_MANAGED, "{" V12 "'Statement':[{'Effect':'Deny'},{" OK_STMT "}]}", "Policy statement must contain actions."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket'"), "Policy statement must contain resources."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':[]"), "Policy statement must contain resources."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'invalid'"), "Policy statement must contain resources."},
    /* resource ARNs: the first malformed one, in document order */
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'invalid resource'"), "Resource invalid resource must be in ARN format or \"*\"."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':''"), "Resource  must be in ARN format or \"*\"."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s:3:ListBucket','Resource':'sdfsadf'"), "Resource sdfsadf must be in ARN format or \"*\"."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':['arn:error:s3:::example_bucket','arn:error:s3::example_bucket']"), "Partition \"error\" is not valid for resource \"arn:error:s3:::example_bucket\"."},
    {POLICY_MANAGED, ST("'Effect':'Allow','NotAction':'s3s:ListBucket','Resource':'a:bsdfdsafsad'"), "Partition \"bsdfdsafsad\" is not valid for resource \"arn:bsdfdsafsad:*:*:*:*\"."},
    {POLICY_MANAGED, ST("'Effect':'Allow','NotAction':'s3s:ListBucket','Resource':'a:b:cadfsdf'"), "Partition \"b\" is not valid for resource \"arn:b:cadfsdf:*:*:*\"."},
    {POLICY_MANAGED, ST("'Effect':'Allow','NotAction':'s3s:ListBucket','Resource':'a:b:c:d:e:f:g:h'"), "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'aws:s3:::example_bucket'"), "Partition \"s3\" is not valid for resource \"arn:s3:::example_bucket:*\"."},
    {POLICY_IDENTITY, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws:iam:::example_bucket'"), iam_path},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'iam:GetUser','Resource':'arn:aws:iam::123456789012:*/cdk-*'"), iam_path},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws:iam:us-east-1::example_bucket'"), "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws:s3:us-east-1::example_bucket'"), "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws'"), "Resource vendor must be fully qualified and cannot contain regexes."},
    /* a malformed ARN is reported after the actions are found missing */
    {POLICY_MANAGED, "{" V12 "'Statement':[{'Effect':'Allow','Action':'s3:x','Resource':'arn:aws'},{'Effect':'Allow','Resource':'*'}]}", "Policy statement must contain actions."},
    /* action vendors, last */
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'invalid','Resource':'arn:aws:s3:::example_bucket'"), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
    {POLICY_MANAGED, ST("'Effect':'Allow','NotAction':'','Resource':'arn:aws:s3:::example_bucket'"), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'a a:ListBucket','Resource':'arn:aws:s3:::example_bucket'"), "Vendor a a is not valid"},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:List:Bucket','Resource':'arn:aws:s3:::example_bucket'"), "Actions/Condition can contain only one colon."},
    {POLICY_MANAGED, "{" V12 "'Statement':[{'Effect':'Allow','Action':'s3s:ListBucket','Resource':'*'},{'Effect':'Allow','Action':'s:3s:ListBucket','Resource':'*'}]}", "Actions/Condition can contain only one colon."},
    /* documents IAM accepts */
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{}"), NULL},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'DateGreaterThan':{}}"), NULL},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'DateGreaterThan':{'a':[]}}"), NULL},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'a':{}}"), NULL},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'BinaryLike':{},'StringEquals':{'k':[]}}"), NULL},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'ForAllValues:StringEquals':{'aws:TagKeys':'Department'}}"), NULL},
    {POLICY_MANAGED, ST(OK_STMT ",'Condition':{'DateGreaterThan':{'aws:CurrentTime':'2017-07-01T00:00:00Z'},'DateLessThan':{'aws:CurrentTime':1514764799}}"), NULL},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'iam: asdf safdsf af ','Resource':'arn:aws:s3:::example_bucket'"), NULL},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'service-prefix:action-name','Resource':['arn:aws:s3:::example_bucket','*']"), NULL},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws:iam:::user/example_bucket'"), NULL},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'iam:GetUser','Resource':['arn:aws:iam::123456789012:root','arn:aws:iam::*:*','arn:*:iam::*:role/x']"), NULL},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':['arn:aws:s33:::example_bucket','arn:aws:fdsasf','arn:aws-cn:s3:::b']"), NULL},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:ListBucket','Resource':['arn:aws:cloudwatch:us-east-1::example_bucket','arn:aws:invalid-service:us-east-1::example_bucket']"), NULL},
    {POLICY_MANAGED, ST("'Effect':'Allow','Action':'s3:GetObject','Resource':['arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/*','arn:aws:s3:*']"), NULL},
    {POLICY_MANAGED, ST("'Sid':'dsfsdfsdfsdfsdfsadfsd'," OK_STMT), NULL},
    /* KMS keeps its own words (messages.c) */
    {POLICY_KEY, "{" V12 "'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*'}}", "Policy contains a statement with no principal."},
};

/* json with every ' turned into ". */
static char *unquote(const char *doc)
{
    char *s = strdup(doc);

    for (char *c = s; c && *c; c++)
        if (*c == '\'')
            *c = '"';
    return s;
}

static void table(void)
{
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *json = unquote(cases[i].doc);
        struct policy *p = NULL;
        struct cu_err err = {0};
        cu_rc rc = policy_compile(bytes_str(json), cases[i].kind, "p", &p, &err);

        if (cases[i].msg ? rc == CU_E_IAM_MALFORMED_POLICY && strcmp(err.msg, cases[i].msg) == 0
                         : rc == CU_OK && p != NULL) {
            check_passed++;
        } else {
            check_failed++;
            fprintf(stderr, "case %zu: %s\n  got %s \"%s\"\n  want %s\n", i, json,
                    cu_code_ident(rc), err.msg, cases[i].msg ? cases[i].msg : "accepted");
        }
        CHECK(cases[i].msg ? p == NULL : true);
        policy_free(p);
        free(json);
    }
}

/* Adversarial: past the statement and value limits, and every prefix of a valid document
 * (truncated) is refused cleanly as a syntax error. */
static void limits_and_truncation(void)
{
    struct buf b;
    struct policy *p = NULL;
    struct cu_err err = {0};
    const char *good = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                       "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";

    buf_init(&b, 1 << 20);
    CHECK_OK(buf_addf(&b, "{\"Version\":\"2012-10-17\",\"Statement\":["));
    for (int i = 0; i < 513; i++)
        CHECK_OK(buf_addf(&b, "%s{\"Effect\":\"Allow\",\"Action\":\"s3:x\",\"Resource\":\"*\"}",
                          i ? "," : ""));
    CHECK_OK(buf_addf(&b, "]}"));
    CHECK_RC(policy_compile(buf_bytes(&b), POLICY_MANAGED, "p", &p, &err),
             CU_E_IAM_MALFORMED_POLICY);
    CHECK_STR(err.msg, syntax);
    buf_reset(&b);
    CHECK_OK(buf_addf(&b, "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                          "\"Action\":\"s3:x\",\"Resource\":["));
    for (int i = 0; i < 4097; i++)
        CHECK_OK(buf_addf(&b, "%s\"arn:aws:s3:::b%d\"", i ? "," : "", i));
    CHECK_OK(buf_addf(&b, "]}}"));
    CHECK_RC(policy_compile(buf_bytes(&b), POLICY_MANAGED, "p", &p, &err),
             CU_E_IAM_MALFORMED_POLICY);
    CHECK_STR(err.msg, syntax);
    buf_release(&b);
    for (size_t n = 0; n < strlen(good); n++) {
        struct bytes cut = {(const uint8_t *)good, n};
        cu_rc rc = policy_compile(cut, POLICY_MANAGED, "p", &p, &err);
        CHECK(rc == CU_E_IAM_MALFORMED_POLICY && strcmp(err.msg, syntax) == 0);
    }
    CHECK_OK(policy_compile(bytes_str(good), POLICY_MANAGED, "p", &p, &err));
    policy_free(p);
}

int main(void)
{
    table();
    limits_and_truncation();
    TEST_END();
}
