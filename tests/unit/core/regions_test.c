/* Tests for core/regions.c: the partition list, --regions parsing (good, empty, unknown,
 * malformed, oversized), set membership. */
#include "check.h"
#include "core/regions.h"

int main(void)
{
    struct region_set set;
    struct cu_err err = {0};
    char big[REGIONS_LIST_MAX + 10];

    CHECK(regions_count() >= 30 && regions_count() <= 64);
    CHECK(regions_index("us-east-1") == 0);
    CHECK(regions_index("eu-west-1") > 0);
    CHECK(regions_index("cn-north-1") < 0); /* another partition */
    CHECK(regions_index("us-gov-west-1") < 0);
    CHECK(regions_index("aws-global") < 0);
    CHECK(regions_index("") < 0);
    CHECK(regions_index(NULL) < 0);
    CHECK(regions_name(regions_count()) == NULL);
    for (size_t i = 0; i < regions_count(); i++)
        CHECK(regions_index(regions_name(i)) == (int)i);

    region_set_all(&set);
    for (size_t i = 0; i < regions_count(); i++)
        CHECK(region_set_has(&set, regions_name(i)));
    CHECK(!region_set_has(&set, "xx-fake-1"));

    CHECK_OK(region_set_parse("us-west-2, eu-west-1 ,us-east-1", &set, &err));
    CHECK(region_set_has(&set, "us-west-2"));
    CHECK(region_set_has(&set, "eu-west-1"));
    CHECK(region_set_has(&set, "us-east-1"));
    CHECK(!region_set_has(&set, "ap-south-1"));
    CHECK_OK(region_set_parse("eu-west-1", &set, &err));
    CHECK(region_set_has(&set, "eu-west-1") && !region_set_has(&set, "us-east-1"));

    CHECK_RC(region_set_parse("", &set, &err), CU_E_VALIDATION);
    CHECK_RC(region_set_parse("us-east-1,", &set, &err), CU_E_VALIDATION);
    CHECK_RC(region_set_parse(",us-east-1", &set, &err), CU_E_VALIDATION);
    CHECK_RC(region_set_parse("us-east-1,,eu-west-1", &set, &err), CU_E_VALIDATION);
    CHECK_RC(region_set_parse("us-east-1, ", &set, &err), CU_E_VALIDATION);
    CHECK_RC(region_set_parse("us-east-1,mars-1", &set, &err), CU_E_VALIDATION);
    CHECK(strstr(err.msg, "'mars-1'") != NULL);
    CHECK_RC(region_set_parse("ap-southeast-1234567890123456789012", &set, &err), CU_E_VALIDATION);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_RC(region_set_parse(big, &set, &err), CU_E_VALIDATION);
    TEST_END();
}
