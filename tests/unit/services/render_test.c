/* Tests for services/render.c and the model look-ups it is used with: a stored record
 * rendered through an output shape copies exactly the members the shape names (never a
 * stored-only one such as a policy's Document, at any depth), converts timestamps from
 * stored epoch milliseconds to tree seconds, recurses into structures, lists and maps,
 * leaves out missing, null and empty optional members, and refuses a record that does not
 * match its shape (wrong types, not an object, too deep) and a shape that is none; the
 * model's own shapes found as handlers find them (model_output_shape). */
#include <math.h>

#include "check.h"
#include "model/model.h"
#include "services/render.h"

/* A shape of the test's own, to reach every type: Thing {Name (required), When, Count,
 * On, Ratio, Blob, Inner {Label}, Items [Inner], Must [string] (required), Labels {s: s},
 * Self (Thing: recursive)}. */
static const struct shape str = {.name = "S", .type = SHAPE_STRING};
static const struct shape when = {.name = "T", .type = SHAPE_TIMESTAMP};
static const struct shape count = {.name = "I", .type = SHAPE_INTEGER};
static const struct shape on = {.name = "B", .type = SHAPE_BOOLEAN};
static const struct shape ratio = {.name = "D", .type = SHAPE_DOUBLE};
static const struct shape blob = {.name = "Bl", .type = SHAPE_BLOB};
static const struct shape_member inner_members[] = {{"Label", &str, false, NULL, false}};
static const struct shape inner = {.name = "Inner", .type = SHAPE_STRUCTURE,
                                   .members = inner_members, .n_members = 1};
static const struct shape_member items_member = {"member", &inner, false, NULL, false};
static const struct shape items = {.name = "Items", .type = SHAPE_LIST, .member = &items_member};
static const struct shape_member must_member = {"member", &str, false, NULL, false};
static const struct shape must = {.name = "Must", .type = SHAPE_LIST, .member = &must_member};
static const struct shape_member map_key = {"key", &str, false, NULL, false};
static const struct shape_member map_value = {"value", &str, false, NULL, false};
static const struct shape labels = {.name = "Labels", .type = SHAPE_MAP, .key = &map_key,
                                    .value = &map_value};
static const struct shape thing;
static const struct shape_member thing_members[] = {
    {"Name", &str, true, NULL, false},     {"When", &when, false, NULL, false},
    {"Count", &count, false, NULL, false}, {"On", &on, false, NULL, false},
    {"Ratio", &ratio, false, NULL, false}, {"Blob", &blob, false, NULL, false},
    {"Inner", &inner, false, NULL, false}, {"Items", &items, false, NULL, false},
    {"Must", &must, true, NULL, false},    {"Labels", &labels, false, NULL, false},
    {"Self", &thing, false, NULL, false},
};
static const struct shape thing = {.name = "Thing", .type = SHAPE_STRUCTURE,
                                   .members = thing_members, .n_members = 11};

static json_t *render(const char *record_json, const struct shape *s, cu_rc want)
{
    json_t *rec = json_loads(record_json, JSON_DECODE_ANY, NULL), *out = NULL;

    CHECK(rec != NULL);
    CHECK_RC(render_record(rec, s, &out), want);
    if (want != CU_OK)
        CHECK(out == NULL);
    json_decref(rec);
    return out;
}

static void test_every_type(void)
{
    json_t *out = render("{\"Name\": \"n\", \"When\": 1700000000123, \"Count\": 7, \"On\": true,"
                         " \"Ratio\": 0.5, \"Blob\": \"AAEC\", \"Inner\": {\"Label\": \"l\","
                         " \"Hidden\": \"h\"}, \"Items\": [{\"Label\": \"a\", \"Secret\": 1},"
                         " {}], \"Must\": [], \"Labels\": {\"k\": \"v\"}, \"Document\": \"x\"}",
                         &thing, CU_OK);

    CHECK_STR(json_string_value(json_object_get(out, "Name")), "n");
    /* a timestamp: stored epoch milliseconds, a tree's epoch seconds (a real) */
    CHECK(json_is_real(json_object_get(out, "When")));
    CHECK(fabs(json_real_value(json_object_get(out, "When")) - 1700000000.123) < 1e-6);
    CHECK_INT(json_integer_value(json_object_get(out, "Count")), 7);
    CHECK(json_is_true(json_object_get(out, "On")));
    CHECK(json_real_value(json_object_get(out, "Ratio")) == 0.5);
    CHECK_STR(json_string_value(json_object_get(out, "Blob")), "AAEC");
    /* nested: the structure's and the list elements' unnamed members stay behind */
    CHECK_STR(json_string_value(json_object_get(json_object_get(out, "Inner"), "Label")), "l");
    CHECK(json_object_get(json_object_get(out, "Inner"), "Hidden") == NULL);
    CHECK_INT(json_array_size(json_object_get(out, "Items")), 2);
    CHECK_STR(json_string_value(
                  json_object_get(json_array_get(json_object_get(out, "Items"), 0), "Label")),
              "a");
    CHECK(json_object_get(json_array_get(json_object_get(out, "Items"), 0), "Secret") == NULL);
    CHECK_INT(json_object_size(json_array_get(json_object_get(out, "Items"), 1)), 0);
    CHECK_STR(json_string_value(json_object_get(json_object_get(out, "Labels"), "k")), "v");
    /* a required list stays even when empty */
    CHECK(json_is_array(json_object_get(out, "Must")));
    /* a member the shape does not name is never copied */
    CHECK(json_object_get(out, "Document") == NULL);
    CHECK_INT(json_object_size(out), 10);
    json_decref(out);
}

static void test_missing_null_and_empty(void)
{
    json_t *out = render("{\"Name\": \"n\", \"Count\": null, \"Items\": []}", &thing, CU_OK);

    CHECK_INT(json_object_size(out), 1);
    CHECK(json_object_get(out, "Count") == NULL);   /* null: as absent */
    CHECK(json_object_get(out, "Items") == NULL);   /* empty optional list: left out */
    CHECK(json_object_get(out, "When") == NULL);    /* missing: left out */
    json_decref(out);
    /* even a required member the record lacks is left out: the renderer copies, it
     * does not invent (validation of outputs is not its job) */
    out = render("{}", &thing, CU_OK);
    CHECK_INT(json_object_size(out), 0);
    json_decref(out);
}

static void test_copies_not_shares(void)
{
    json_t *rec = json_pack("{s:s}", "Name", "before"), *out = NULL;

    CHECK_OK(render_record(rec, &thing, &out));
    json_string_set(json_object_get(rec, "Name"), "after");
    CHECK_STR(json_string_value(json_object_get(out, "Name")), "before");
    json_decref(rec);
    json_decref(out);
}

static void test_broken_records(void)
{
    /* each stored value of another JSON type than its shape's */
    static const char *const bad[] = {
        "{\"Name\": 5}",           "{\"When\": \"2024-01-01\"}", "{\"When\": 1.5}",
        "{\"Count\": \"7\"}",      "{\"On\": 1}",                "{\"Ratio\": \"x\"}",
        "{\"Blob\": 3}",           "{\"Inner\": []}",            "{\"Inner\": {\"Label\": 1}}",
        "{\"Items\": {}}",         "{\"Items\": [1]}",           "{\"Labels\": {\"k\": 1}}",
        "{\"Labels\": []}",        "{\"Must\": \"x\"}",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        render(bad[i], &thing, CU_E_STORE);
    /* a record that is no object */
    render("[]", &thing, CU_E_STORE);
    render("\"user\"", &thing, CU_E_STORE);
}

static void test_depth_bound(void)
{
    /* Self nests Thing in Thing: 20 levels pass the bound, 3 do not */
    json_t *rec = json_object(), *cur = rec, *out = NULL;

    for (int i = 0; i < 20; i++) {
        json_t *next = json_object();
        json_object_set_new(cur, "Self", next);
        cur = next;
    }
    CHECK_RC(render_record(rec, &thing, &out), CU_E_STORE);
    CHECK(out == NULL);
    json_decref(rec);
    out = render("{\"Self\": {\"Self\": {\"Name\": \"deep\"}}}", &thing, CU_OK);
    CHECK_STR(json_string_value(
                  json_object_get(json_object_get(json_object_get(out, "Self"), "Self"), "Name")),
              "deep");
    json_decref(out);
}

static void test_not_a_structure(void)
{
    render("{}", NULL, CU_E_INTERNAL);
    render("{}", &items, CU_E_INTERNAL);
    render("{}", &str, CU_E_INTERNAL);
}

/* The model's own User shape, found as a handler finds it: a stored user renders as
 * GetUser answers it. */
static void test_model_user(void)
{
    const struct shape *user = model_output_shape("iam", "GetUser", "User");
    json_t *out = render(
        "{\"Path\": \"/\", \"UserName\": \"Alice\", \"UserId\": \"AIDA\", \"Arn\": \"arn\","
        " \"CreateDate\": 1700000000000, \"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}],"
        " \"PermissionsBoundary\": {\"PermissionsBoundaryType\": \"Policy\","
        " \"PermissionsBoundaryArn\": \"arn:p\"}, \"AttachedManagedPolicies\": []}",
        user, CU_OK);

    CHECK(user != NULL && user->type == SHAPE_STRUCTURE);
    CHECK_STR(json_string_value(json_object_get(out, "UserName")), "Alice");
    CHECK(json_real_value(json_object_get(out, "CreateDate")) == 1700000000.0);
    CHECK_STR(json_string_value(json_object_get(
                  json_object_get(out, "PermissionsBoundary"), "PermissionsBoundaryArn")),
              "arn:p");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(out, "Tags"), 0),
                                                "Value")),
              "v");
    CHECK(json_object_get(out, "AttachedManagedPolicies") == NULL);
    CHECK(json_object_get(out, "PasswordLastUsed") == NULL);
    json_decref(out);
    /* a user without tags answers no Tags member, as IAM's GetUser does */
    out = render("{\"UserName\": \"Bob\", \"Tags\": []}", user, CU_OK);
    CHECK(json_object_get(out, "Tags") == NULL);
    json_decref(out);
}

/* A policy's stored document is not part of the Policy shape: it never leaks. */
static void test_model_policy_document(void)
{
    json_t *out = render("{\"PolicyName\": \"p\", \"Document\": \"{}\", \"AttachmentCount\": 2}",
                         model_output_shape("iam", "GetPolicy", "Policy"), CU_OK);

    CHECK(json_object_get(out, "Document") == NULL);
    CHECK_INT(json_integer_value(json_object_get(out, "AttachmentCount")), 2);
    json_decref(out);
}

static void test_render_output(void)
{
    json_t *rec = json_pack("{s:s, s:s, s:I}", "GroupName", "g", "Secret", "s", "CreateDate",
                            (json_int_t)1000);
    json_t *out = json_object();

    CHECK_OK(render_output(out, "iam", "GetGroup", "Group", rec));
    CHECK_STR(json_string_value(json_object_get(json_object_get(out, "Group"), "GroupName")),
              "g");
    CHECK(json_object_get(json_object_get(out, "Group"), "Secret") == NULL);
    CHECK(json_real_value(json_object_get(json_object_get(out, "Group"), "CreateDate")) == 1.0);
    CHECK_RC(render_output(out, "iam", "GetGroup", "Nope", rec), CU_E_INTERNAL);
    CHECK(json_object_get(out, "Nope") == NULL);
    json_decref(rec);
    json_decref(out);
}

int main(void)
{
    test_every_type();
    test_missing_null_and_empty();
    test_copies_not_shares();
    test_broken_records();
    test_depth_bound();
    test_not_a_structure();
    test_model_user();
    test_model_policy_document();
    test_render_output();
    TEST_END();
}
