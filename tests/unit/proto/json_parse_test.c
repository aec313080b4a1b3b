/* Tests for proto/json_parse.c at its edges (the differential fuzz target covers the
 * rest against jansson): nesting exactly at and one past the limit, integer and real
 * range, surrogates, NUL in every form, duplicate keys, and what may follow the value. */
#include <stdlib.h>

#include "check.h"
#include "proto/json_parse.h"

static bool parses(const char *text, size_t n)
{
    json_t *v = json_parse(bytes_of(text, n));
    bool ok = v != NULL;

    json_decref(v);
    return ok;
}

#define OK(s) CHECK(parses(s, sizeof(s) - 1))
#define BAD(s) CHECK(!parses(s, sizeof(s) - 1))

static void nesting(void)
{
    size_t n = JSON_PARSE_MAX_DEPTH + 1;
    char *text = malloc(2 * n);

    for (size_t i = 0; i < n; i++) {
        text[i] = '[';
        text[2 * n - 1 - i] = ']';
    }
    CHECK(!parses(text, 2 * n));                /* one level too deep */
    CHECK(parses(text + 1, 2 * n - 2));         /* exactly at the limit */
    free(text);
}

static void values(void)
{
    json_t *v;

    OK("{\"a\":[1,-0,0.5,1e2,1E-2,-1.5e+3,true,false,null,\"\"]}");
    OK("[9223372036854775807,-9223372036854775808,1e-400]");
    BAD("[9223372036854775808]");
    BAD("[-9223372036854775809]");
    BAD("[1e400]");
    BAD("[01]");
    BAD("[1.]");
    BAD("[.5]");
    BAD("[-]");
    BAD("[1e]");
    BAD("[+1]");
    OK("[\"\\ud83d\\udd11\"]");
    BAD("[\"\\ud83d\"]");
    BAD("[\"\\udd11\"]");
    BAD("[\"\\ud83d\\u0041\"]");
    /* \u0000 in a value is kept with its length; a key cannot hold one */
    v = json_parse(bytes_str("[\"a\\u0000b\"]"));
    CHECK(v && json_string_length(json_array_get(v, 0)) == 3);
    CHECK(v && memcmp(json_string_value(json_array_get(v, 0)), "a\0b", 3) == 0);
    json_decref(v);
    BAD("{\"a\\u0000\":1}");
    BAD("{\"\\u0000\":1}");
    BAD("[\"a\0b\"]");
    BAD("[1]\0");
    BAD("[\"\x01\"]");
    BAD("[\"\xc0\xaf\"]");
    BAD("{\"a\":1,\"a\":2}");
    BAD("{\"a\":1,}");
    BAD("[1,]");
    BAD("[1] [2]");
    OK(" \t\r\n[1] \n");
    BAD("\"top-level string\"");
    BAD("1");
    BAD("");
    v = json_parse(bytes_str("{\"k\":\"caf\\u00e9\",\"z\":1,\"a\":2}"));
    CHECK(v && strcmp(json_string_value(json_object_get(v, "k")), "caf\xc3\xa9") == 0);
    /* members keep the document's order */
    CHECK(v && strcmp(json_object_iter_key(json_object_iter(v)), "k") == 0);
    json_decref(v);
}

int main(void)
{
    nesting();
    values();
    TEST_END();
}
