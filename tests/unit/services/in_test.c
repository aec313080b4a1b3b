/* Tests for services/in.c: each getter reads its member, reads an absent member as its
 * default, and reads a member of another JSON type (a tree that skipped validation) as
 * absent rather than as a wrong value; a NULL tree is a tree with no members. */
#include "check.h"
#include "services/in.h"

static void test_present(void)
{
    json_t *in = json_pack("{s:s, s:I, s:b, s:[s], s:{s:s}}", "GroupName", "Devs", "MaxItems",
                           (json_int_t)7, "OnlyAttached", 1, "Tags", "t", "Boundary", "k", "v");

    CHECK_STR(in_str(in, "GroupName"), "Devs");
    CHECK_STR(in_str_or(in, "GroupName", "/"), "Devs");
    CHECK_INT(in_int(in, "MaxItems", 100), 7);
    CHECK(in_bool(in, "OnlyAttached", false));
    CHECK_INT(json_array_size(in_list(in, "Tags")), 1);
    CHECK_STR(json_string_value(json_object_get(in_obj(in, "Boundary"), "k")), "v");
    json_decref(in);
}

static void test_absent_and_null(void)
{
    json_t *in = json_pack("{s:n}", "Path");

    CHECK(in_str(in, "GroupName") == NULL);
    CHECK_STR(in_str_or(in, "Path", "/"), "/"); /* null reads as absent */
    CHECK_INT(in_int(in, "MaxItems", 100), 100);
    CHECK(!in_bool(in, "OnlyAttached", false));
    CHECK(in_bool(in, "OnlyAttached", true));
    CHECK(in_list(in, "Tags") == NULL);
    CHECK(in_obj(in, "Boundary") == NULL);
    json_decref(in);
    CHECK(in_str(NULL, "GroupName") == NULL);
    CHECK_INT(in_int(NULL, "MaxItems", -1), -1);
    CHECK(in_list(NULL, "Tags") == NULL);
}

static void test_wrong_types(void)
{
    json_t *in = json_pack("{s:i, s:s, s:s, s:s, s:[], s:f}", "GroupName", 5, "MaxItems", "7",
                           "OnlyAttached", "true", "Tags", "t", "Boundary", "Real", 1.5);

    CHECK(in_str(in, "GroupName") == NULL);
    CHECK_STR(in_str_or(in, "GroupName", "dflt"), "dflt");
    CHECK_INT(in_int(in, "MaxItems", 100), 100);
    CHECK_INT(in_int(in, "Real", 3), 3); /* a real is no integer */
    CHECK(!in_bool(in, "OnlyAttached", false));
    CHECK(in_list(in, "Tags") == NULL);
    CHECK(in_obj(in, "Boundary") == NULL);
    CHECK(in_obj(in, "Tags") == NULL);
    json_decref(in);
}

int main(void)
{
    test_present();
    test_absent_and_null();
    test_wrong_types();
    TEST_END();
}
