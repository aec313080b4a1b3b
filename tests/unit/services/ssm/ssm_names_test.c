/* Tests for services/ssm/ssm_names.c: references with and without selectors, ARNs of this
 * account and region (with and without a path) and of others, names AWS refuses (characters,
 * reserved prefixes, relative paths, empty levels, 16 levels), ARNs without a double slash,
 * and the label rules. Adversarial: oversized input, a selector of zero, colons in labels. */
#include "check.h"
#include "services/ssm/ssm.h"

static struct ssm_ref parse(const char *text, cu_rc want)
{
    struct ssm_ref ref;
    struct cu_err err = {0};

    CHECK_RC(ssm_ref_parse(bytes_str(text), "us-east-1", "123456789012", &ref, &err), want);
    return ref;
}

static cu_rc check_name(const char *name)
{
    struct cu_err err = {0};

    return ssm_name_check(name, &err);
}

int main(void)
{
    struct ssm_ref r;
    char arn[SSM_ARN_MAX], big[SSM_NAME_MAX + 10], deep[128] = "";

    r = parse("/a/b", CU_OK);
    CHECK_STR(r.name, "/a/b");
    CHECK_INT(r.version, 0);
    CHECK_STR(r.label, "");
    r = parse("/a/b:12", CU_OK);
    CHECK_STR(r.name, "/a/b");
    CHECK_INT(r.version, 12);
    r = parse("plain:prod", CU_OK);
    CHECK_STR(r.name, "plain");
    CHECK_STR(r.label, "prod");
    r = parse("x:0", CU_OK);
    CHECK(r.bad_selector);
    r = parse("x:a:b", CU_OK);
    CHECK(r.bad_selector);
    r = parse("x:", CU_OK);
    CHECK(r.bad_selector);
    r = parse("arn:aws:ssm:us-east-1:123456789012:parameter/app/db", CU_OK);
    CHECK_STR(r.name, "/app/db");
    r = parse("arn:aws:ssm:us-east-1:123456789012:parameter/flat:3", CU_OK);
    CHECK_STR(r.name, "flat");
    CHECK_INT(r.version, 3);
    r = parse("arn:aws:ssm:eu-west-1:123456789012:parameter/app", CU_OK);
    CHECK_STR(r.name, "arn:aws:ssm:eu-west-1:123456789012:parameter/app");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    parse(big, CU_E_VALIDATION);

    ssm_arn("us-east-1", "123456789012", "/a/b", arn);
    CHECK_STR(arn, "arn:aws:ssm:us-east-1:123456789012:parameter/a/b");
    ssm_arn("us-east-1", "123456789012", "flat", arn);
    CHECK_STR(arn, "arn:aws:ssm:us-east-1:123456789012:parameter/flat");

    CHECK_INT(ssm_name_levels("/a/b/c"), 3);
    CHECK_INT(ssm_name_levels("a"), 1);
    CHECK_RC(check_name("/app/db-1/pass_word.v2"), CU_OK);
    CHECK_RC(check_name("flat"), CU_OK);
    CHECK_RC(check_name("/a b"), CU_E_VALIDATION);
    {
        struct cu_err err = {0};
        CHECK_RC(ssm_name_chars_check("/ok/name_1.2-3", &err), CU_OK);
        CHECK_RC(ssm_name_chars_check("{x}", &err), CU_E_VALIDATION);
        CHECK_CONTAINS(err.msg, "3 symbols .-_");
    }
    CHECK_RC(check_name("/a:b"), CU_E_VALIDATION);
    CHECK_RC(check_name("a/b"), CU_E_VALIDATION);
    CHECK_RC(check_name("/a//b"), CU_E_VALIDATION);
    CHECK_RC(check_name("/a/"), CU_E_VALIDATION);
    CHECK_RC(check_name("/aws/x"), CU_E_ACCESS_DENIED);
    CHECK_RC(check_name("AWSthing"), CU_E_VALIDATION);
    CHECK_RC(check_name("/SSM/x"), CU_E_VALIDATION);
    for (int i = 0; i < 15; i++)
        memcpy(deep + 2 * i, "/l", 3);
    CHECK_RC(check_name(deep), CU_OK);
    memcpy(deep + 30, "/l", 3);
    CHECK_RC(check_name(deep), CU_E_SSM_HIERARCHY);

    CHECK(ssm_label_valid("prod"));
    CHECK(ssm_label_valid("Release_1.2-rc"));
    CHECK(!ssm_label_valid(""));
    CHECK(!ssm_label_valid("1st"));
    CHECK(!ssm_label_valid("awsLabel"));
    CHECK(!ssm_label_valid("SSMx"));
    CHECK(!ssm_label_valid("a:b"));
    CHECK(!ssm_label_valid("a/b"));
    memset(big, 'l', 101);
    big[101] = '\0';
    CHECK(!ssm_label_valid(big));
    TEST_END();
}
