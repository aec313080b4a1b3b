/* The built-in AWS managed policies (policy/aws_managed.h): every document compiles as the
 * identity policy and the boundary it can be attached as, the table is in the order the
 * IAM list pages rely on, and a policy is found only by its exact ARN, path included. */
#include <ctype.h>

#include "check.h"
#include "policy/aws_managed.h"
#include "policy/policy.h"

/* strcmp of the lowercased names: the order of IAM's record keys. */
static int folded_cmp(const char *a, const char *b)
{
    for (; *a && tolower((unsigned char)*a) == tolower((unsigned char)*b); a++, b++)
        ;
    return tolower((unsigned char)*a) - tolower((unsigned char)*b);
}

static void documents_compile(void)
{
    for (size_t i = 0; i < aws_managed_policies_n; i++) {
        const struct aws_managed_policy *p = &aws_managed_policies[i];
        struct policy *identity = NULL, *boundary = NULL, *managed = NULL;
        struct cu_err err = {0};

        CHECK_OK(policy_compile(bytes_str(p->document), POLICY_IDENTITY, p->name, &identity,
                                &err));
        CHECK_OK(policy_compile(bytes_str(p->document), POLICY_BOUNDARY, p->name, &boundary,
                                &err));
        CHECK(strncmp(p->id, "ANPA", 4) == 0 && strlen(p->id) == 21);
        CHECK(p->default_version[0] == 'v');
        CHECK(p->create_ms > 0 && p->create_ms <= p->update_ms);
        CHECK_OK(policy_compile(bytes_str(p->document), POLICY_MANAGED, p->name, &managed,
                                &err));
        policy_free(managed);
        policy_free(identity);
        policy_free(boundary);
        if (i > 0)
            CHECK(folded_cmp(aws_managed_policies[i - 1].name, p->name) < 0);
    }
}

static void found_by_exact_arn(void)
{
    const struct aws_managed_policy *admin = aws_managed_find(
        "arn:aws:iam::aws:policy/AdministratorAccess");
    const struct aws_managed_policy *glue = aws_managed_find(
        "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole");

    CHECK(admin && strcmp(admin->id, "ANPAIWMBCKSKIEE64ZLYK") == 0);
    CHECK_STR(admin->path, "/");
    CHECK(glue && strcmp(glue->path, "/service-role/") == 0);
    /* the path is part of the ARN; names are matched as given */
    CHECK(!aws_managed_find("arn:aws:iam::aws:policy/AWSGlueServiceRole"));
    CHECK(!aws_managed_find("arn:aws:iam::aws:policy/administratoraccess"));
    CHECK(!aws_managed_find("arn:aws:iam::aws:policy/AdministratorAccessX"));
    CHECK(!aws_managed_find("arn:aws:iam::aws:policy/"));
    CHECK(!aws_managed_find("arn:aws:iam::123456789012:policy/AdministratorAccess"));
    CHECK(!aws_managed_find(NULL));
    CHECK(aws_managed_is_arn("arn:aws:iam::aws:policy/NotBuiltIn"));
    CHECK(!aws_managed_is_arn("arn:aws:iam::aws:policyX"));
    CHECK(!aws_managed_is_arn("arn:aws:iam::123456789012:policy/AdministratorAccess"));
    CHECK(!aws_managed_is_arn(NULL));
}

int main(void)
{
    documents_compile();
    found_by_exact_arn();
    TEST_END();
}
