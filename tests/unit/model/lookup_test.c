/* Tests for model/lookup.c: services by id, an operation's output member shapes, list
 * elements; unknown, misspelt (case matters, as in AWS's models) and output-less
 * operations find nothing; the operation search takes lengths, not terminators. */
#include "check.h"
#include "model/model.h"

static void test_lookups(void)
{
    const struct shape *groups = model_output_shape("iam", "ListGroups", "Groups");

    CHECK(model_service("iam") != NULL);
    CHECK(model_service("nope") == NULL);
    CHECK(groups != NULL && groups->type == SHAPE_LIST);
    CHECK_STR(model_list_element(groups)->name, "Group");
    CHECK(model_list_element(model_output_shape("iam", "GetGroup", "Group")) == NULL);
    CHECK(model_list_element(NULL) == NULL);
    CHECK(model_output_shape("iam", "GetGroup", "Nope") == NULL);
    CHECK(model_output_shape("iam", "GetGroupX", "Group") == NULL);
    CHECK(model_output_shape("nope", "GetGroup", "Group") == NULL);
    /* an operation without output: DeleteUser */
    CHECK(model_output_shape("iam", "DeleteUser", "User") == NULL);
    /* case matters, as it does in AWS's models */
    CHECK(model_output_shape("iam", "getgroup", "Group") == NULL);
    CHECK(model_output_shape("iam", "GetGroup", "group") == NULL);
    CHECK(model_output_shape("iam", "", "") == NULL);
    /* every service custos serves is found by its own id */
    for (const struct service_model *const *s = model_services; *s; s++)
        CHECK(model_service((*s)->id) == *s);
    /* the operation search compares n bytes: a prefix or a name with a NUL inside is no
     * operation */
    CHECK(model_op(model_service("iam"), "GetGroupX", 8) != NULL);
    CHECK(model_op(model_service("iam"), "GetGrou", 7) == NULL);
    CHECK(model_op(model_service("iam"), "GetGroup\0x", 10) == NULL);
    CHECK_STR(model_output_shape("kms", "DescribeKey", "KeyMetadata")->name, "KeyMetadata");
}

int main(void)
{
    test_lookups();
    TEST_END();
}
