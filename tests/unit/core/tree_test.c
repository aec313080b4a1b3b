/* Tests for core/tree.c's tree_list_has: a string list holds a string exactly (case and
 * length count); an item that is not a string never matches, even one whose text would;
 * a NULL list, an empty one and a member that is not an array hold nothing. */
#include "check.h"
#include "core/tree.h"

int main(void)
{
    json_t *labels = json_pack("[s, s, i, n]", "prod", "beta", 7, NULL);
    json_t *object = json_pack("{s:s}", "prod", "prod");
    json_t *empty = json_array();

    CHECK(labels && object && empty);
    CHECK(tree_list_has(labels, "prod"));
    CHECK(tree_list_has(labels, "beta"));
    CHECK(!tree_list_has(labels, "Prod"));
    CHECK(!tree_list_has(labels, "pro"));
    CHECK(!tree_list_has(labels, "prod "));
    CHECK(!tree_list_has(labels, "7"));
    CHECK(!tree_list_has(labels, ""));
    CHECK(!tree_list_has(NULL, "prod"));
    CHECK(!tree_list_has(empty, "prod"));
    CHECK(!tree_list_has(object, "prod"));
    json_decref(labels);
    json_decref(object);
    json_decref(empty);
    TEST_END();
}
