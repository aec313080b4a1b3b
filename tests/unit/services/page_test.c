/* Tests for services/page.c: markers round-trip and are opaque; a tampered, truncated,
 * oversized, foreign (another operation's) or wrong-version marker is refused with the
 * operation's bad-marker error; the limit's default, maximum and clamp; the flag turns
 * true only when an item is left over; page_end writes the paginator's member names, and
 * sorts the items of a paginator with several result keys into their arrays. */
#include "check.h"
#include "core/codec.h"
#include "services/page.h"

static const struct page_desc users = {
    .op = "ListUsers", .input_token = "Marker", .limit_key = "MaxItems",
    .output_token = "Marker", .more_results = "IsTruncated", .result_key = "Users",
    .limit_default = 100, .limit_max = 1000, .bad_marker = CU_E_VALIDATION,
    .bad_marker_message = "Invalid Marker."};
static const struct page_desc groups = {
    .op = "ListGroups", .input_token = "Marker", .limit_key = "MaxItems",
    .output_token = "Marker", .more_results = "IsTruncated", .result_key = "Groups",
    .limit_default = 100, .limit_max = 1000, .bad_marker = CU_E_VALIDATION,
    .bad_marker_message = "Invalid Marker."};
static const struct page_desc aliases = {
    .op = "ListAliases", .input_token = "Marker", .limit_key = "Limit",
    .output_token = "NextMarker", .more_results = "Truncated", .result_key = "Aliases",
    .limit_default = 50, .limit_max = 100, .bad_marker = CU_E_KMS_INVALID_MARKER,
    .bad_marker_message = "Invalid marker"};

static const char *const entity_results[] = {"PolicyGroups", "PolicyUsers", "PolicyRoles",
                                             NULL};
static const struct page_desc entities = {
    .op = "ListEntitiesForPolicy", .input_token = "Marker", .limit_key = "MaxItems",
    .output_token = "Marker", .more_results = "IsTruncated", .result_key = "PolicyGroups",
    .result_keys = entity_results, .limit_default = 100, .limit_max = 1000,
    .bad_marker = CU_E_VALIDATION, .bad_marker_message = "Invalid Marker."};

static void test_round_trip(void)
{
    char m[PAGE_MARKER_MAX + 1], key[PAGE_KEY_MAX + 1], long_key[PAGE_KEY_MAX + 2];

    CHECK_OK(page_marker_encode(&users, "alice", m));
    CHECK(strstr(m, "alice") == NULL);
    CHECK(strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          strlen(m));
    CHECK_OK(page_marker_decode(&users, bytes_str(m), key));
    CHECK_STR(key, "alice");
    /* the longest key fits the longest marker, and one byte more is refused */
    memset(long_key, 'k', PAGE_KEY_MAX);
    long_key[PAGE_KEY_MAX] = '\0';
    CHECK_OK(page_marker_encode(&users, long_key, m));
    CHECK(strlen(m) <= PAGE_MARKER_MAX);
    CHECK_OK(page_marker_decode(&users, bytes_str(m), key));
    CHECK_STR(key, long_key);
    long_key[PAGE_KEY_MAX] = 'k';
    long_key[PAGE_KEY_MAX + 1] = '\0';
    CHECK_RC(page_marker_encode(&users, long_key, m), CU_E_INTERNAL);
}

static void test_refused(void)
{
    char m[PAGE_MARKER_MAX + 1], bad[PAGE_MARKER_MAX + 8], key[PAGE_KEY_MAX + 1];
    size_t i, n;
    const char *junk[] = {"", "a", "not-a-marker", "====", "YWxpY2U", "AQ", "AQAAAAA",
                          "YWxp+2U", "YWxp/2U"};

    CHECK_OK(page_marker_encode(&users, "alice", m));
    n = strlen(m);
    /* every character changed: refused (the check, or base64url itself) */
    for (i = 0; i < n; i++) {
        memcpy(bad, m, n + 1);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        CHECK_RC(page_marker_decode(&users, bytes_str(bad), key), CU_E_MALFORMED_INPUT);
    }
    /* truncated at every length */
    for (i = 0; i < n; i++)
        CHECK_RC(page_marker_decode(&users, bytes_of(m, i), key), CU_E_MALFORMED_INPUT);
    /* oversized */
    memset(bad, 'A', sizeof(bad) - 1);
    bad[sizeof(bad) - 1] = '\0';
    CHECK_RC(page_marker_decode(&users, bytes_str(bad), key), CU_E_MALFORMED_INPUT);
    /* another operation's */
    CHECK_RC(page_marker_decode(&groups, bytes_str(m), key), CU_E_MALFORMED_INPUT);
    for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        CHECK_RC(page_marker_decode(&users, bytes_str(junk[i]), key), CU_E_MALFORMED_INPUT);
}

static void test_wrong_version_and_nul(void)
{
    /* a well-formed body under version 2, and one whose key holds a NUL */
    uint8_t raw[16] = {2, 0, 0, 0, 0, 'a'};
    char text[32], key[PAGE_KEY_MAX + 1];

    b64_encode_to(bytes_of(raw, 6), text);
    CHECK_RC(page_marker_decode(&users, bytes_str(text), key), CU_E_MALFORMED_INPUT);
    raw[0] = 1;
    raw[6] = '\0';
    raw[7] = 'b';
    b64_encode_to(bytes_of(raw, 8), text);
    CHECK_RC(page_marker_decode(&users, bytes_str(text), key), CU_E_MALFORMED_INPUT);
}

static json_t *request(const char *member, int limit, const char *marker)
{
    json_t *in = json_object();

    if (limit)
        json_object_set_new(in, member, json_integer(limit));
    if (marker)
        json_object_set_new(in, "Marker", json_string(marker));
    return in;
}

static void test_limits_and_flag(void)
{
    struct call call = {0};
    struct page page = {0};
    json_t *in = request("Limit", 0, NULL), *out = json_object();
    char m[PAGE_MARKER_MAX + 1], key[PAGE_KEY_MAX + 1];

    CHECK_OK(page_begin(&call, &aliases, in, &page));
    CHECK_INT(page.limit, 50);
    CHECK(page_after(&page) == NULL);
    page_release(&page);
    json_decref(in);

    in = request("Limit", 1000, NULL);
    memset(&page, 0, sizeof(page));
    CHECK_OK(page_begin(&call, &aliases, in, &page));
    CHECK_INT(page.limit, 100); /* ListAliases serves at most 100 */
    page_release(&page);
    json_decref(in);

    in = request("Limit", 2, NULL);
    memset(&page, 0, sizeof(page));
    CHECK_OK(page_begin(&call, &aliases, in, &page));
    CHECK_OK(page_add(&page, "alias/a", json_string("a")));
    CHECK(!page_full(&page));
    CHECK_OK(page_add(&page, "alias/b", json_string("b")));
    CHECK(!page_full(&page)); /* exactly a page: nothing left over yet */
    CHECK_OK(page_add(&page, "alias/c", json_string("c")));
    CHECK(page_full(&page));
    CHECK_RC(page_add(&page, "alias/d", NULL), CU_E_NOMEM);
    CHECK_OK(page_end(&page, out));
    CHECK_INT(json_array_size(json_object_get(out, "Aliases")), 2);
    CHECK(json_is_true(json_object_get(out, "Truncated")));
    snprintf(m, sizeof(m), "%s", json_string_value(json_object_get(out, "NextMarker")));
    CHECK_OK(page_marker_decode(&aliases, bytes_str(m), key));
    CHECK_STR(key, "alias/b");
    page_release(&page);
    json_decref(in);
    json_decref(out);

    /* the next page starts after the marker's key */
    in = request("Limit", 2, m);
    memset(&page, 0, sizeof(page));
    out = json_object();
    CHECK_OK(page_begin(&call, &aliases, in, &page));
    CHECK_STR(page_after(&page), "alias/b");
    CHECK_OK(page_end(&page, out));
    CHECK(json_is_false(json_object_get(out, "Truncated")));
    CHECK(json_object_get(out, "NextMarker") == NULL);
    page_release(&page);
    json_decref(in);
    json_decref(out);
}

static void test_bad_marker_error_and_index(void)
{
    struct call call = {0};
    struct page page = {0};
    json_t *in = request("MaxItems", 0, "bogus");
    char m[PAGE_MARKER_MAX + 1];
    size_t first = 99;

    CHECK_RC(page_begin(&call, &users, in, &page), CU_E_VALIDATION);
    CHECK_STR(call.err.msg, "Invalid Marker.");
    page_release(&page);
    json_decref(in);

    /* index positions: a marker naming index 4 starts at 5; a non-index key is refused */
    CHECK_OK(page_marker_encode(&users, "4", m));
    in = request("MaxItems", 0, m);
    memset(&page, 0, sizeof(page));
    memset(&call, 0, sizeof(call));
    CHECK_OK(page_begin(&call, &users, in, &page));
    CHECK_OK(page_first_index(&call, &page, &first));
    CHECK_INT(first, 5);
    page_release(&page);
    json_decref(in);

    CHECK_OK(page_marker_encode(&users, "4x", m));
    in = request("MaxItems", 0, m);
    memset(&page, 0, sizeof(page));
    CHECK_OK(page_begin(&call, &users, in, &page));
    CHECK_RC(page_first_index(&call, &page, &first), CU_E_VALIDATION);
    page_release(&page);
    json_decref(in);
}

/* Several result keys: one page across the arrays; every array present, empty or not,
 * each item in the array its member names, in the order offered; a stray name fails. */
static void test_several_result_keys(void)
{
    struct call call = {0};
    struct page page = {0};
    json_t *in = request("MaxItems", 2, NULL), *out = json_object();

    CHECK_OK(page_begin(&call, &entities, in, &page));
    CHECK_OK(page_add(&page, "g/devs", json_pack("{s:{s:s}}", "PolicyGroups", "GroupName", "Devs")));
    CHECK_OK(page_add(&page, "u/alice", json_pack("{s:{s:s}}", "PolicyUsers", "UserName", "Alice")));
    CHECK_OK(page_add(&page, "u/bob", json_pack("{s:{s:s}}", "PolicyUsers", "UserName", "Bob")));
    CHECK(page_full(&page));
    CHECK_OK(page_end(&page, out));
    CHECK_INT(json_array_size(json_object_get(out, "PolicyGroups")), 1);
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(json_object_get(out, "PolicyUsers"), 0), "UserName")),
              "Alice");
    CHECK_INT(json_array_size(json_object_get(out, "PolicyUsers")), 1);
    CHECK(json_is_array(json_object_get(out, "PolicyRoles")));
    CHECK_INT(json_array_size(json_object_get(out, "PolicyRoles")), 0);
    CHECK(json_is_true(json_object_get(out, "IsTruncated")));
    CHECK(json_object_get(out, "Marker") != NULL);
    page_release(&page);
    json_decref(out);

    out = json_object();
    memset(&page, 0, sizeof(page));
    CHECK_OK(page_begin(&call, &entities, in, &page));
    CHECK_OK(page_add(&page, "x/1", json_pack("{s:{s:s}}", "Stray", "Name", "x")));
    CHECK_RC(page_end(&page, out), CU_E_INTERNAL);
    page_release(&page);
    json_decref(out);
    json_decref(in);
}

int main(void)
{
    test_round_trip();
    test_refused();
    test_wrong_version_and_nul();
    test_limits_and_flag();
    test_bad_marker_error_and_index();
    test_several_result_keys();
    TEST_END();
}
