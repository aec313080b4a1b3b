/* Tests for services/kms/encryption_context.c: exact canonical bytes, order independence,
 * no collisions between contexts that naive concatenation confuses, case sensitivity,
 * Unicode and NUL bytes, rejected types and sizes, and the strict parser (every truncation,
 * unsorted or duplicate keys, bad UTF-8, wrong counts, trailing bytes) with its round trip
 * back to JSON. */
#include "check.h"
#include "services/kms/encryption_context.h"

static json_t *obj(const char *json)
{
    json_t *v = json_loads(json, JSON_ALLOW_NUL | JSON_DECODE_ANY, NULL);

    if (!v)
        abort();
    return v;
}

/* Canonical bytes of a JSON text into b (reset first); returns the rc. */
static cu_rc canon(const char *json, struct buf *b)
{
    json_t *v = json ? obj(json) : NULL;
    struct cu_err err = {0};
    cu_rc rc;

    buf_reset(b);
    rc = encryption_context_canonical(v, b, &err);
    json_decref(v);
    return rc;
}

static bool same(const struct buf *a, const struct buf *b)
{
    return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

static void exact_bytes(void)
{
    struct buf b;
    static const uint8_t empty[] = {0, 0, 0, 0};
    static const uint8_t one[] = {0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 2, 'b', 'c'};
    static const uint8_t two[] = {0, 0, 0, 2, 0, 0,   0, 1, 'a', 0, 0,  0,
                                  0, 0, 0, 0, 1, 'b', 0, 0, 0,   1, 'x'};

    buf_init(&b, 1 << 20);
    CHECK_OK(canon(NULL, &b));
    CHECK(b.n == 4 && memcmp(b.p, empty, 4) == 0);
    CHECK_OK(canon("null", &b));
    CHECK(b.n == 4 && memcmp(b.p, empty, 4) == 0);
    CHECK_OK(canon("{}", &b));
    CHECK(b.n == 4 && memcmp(b.p, empty, 4) == 0);
    CHECK_OK(canon("{\"a\":\"bc\"}", &b));
    CHECK(b.n == sizeof(one) && memcmp(b.p, one, sizeof(one)) == 0);
    CHECK_OK(canon("{\"b\":\"x\",\"a\":\"\"}", &b));
    CHECK(b.n == sizeof(two) && memcmp(b.p, two, sizeof(two)) == 0);
    buf_release(&b);
}

static void order_and_collisions(void)
{
    struct buf a, b;

    buf_init(&a, 1 << 20);
    buf_init(&b, 1 << 20);
    /* "Only the order of the key-value pairs can vary". */
    CHECK_OK(canon("{\"Department\":\"10\",\"Purpose\":\"Test\",\"a\":\"\"}", &a));
    CHECK_OK(canon("{\"a\":\"\",\"Purpose\":\"Test\",\"Department\":\"10\"}", &b));
    CHECK(same(&a, &b));
    /* Contexts that concatenation (moto, LocalStack) maps to the same bytes. */
    static const char *const distinct[] = {
        "{}",
        "{\"\":\"\"}",
        "{\"ab\":\"c\"}",
        "{\"a\":\"bc\"}",
        "{\"abc\":\"\"}",
        "{\"\":\"abc\"}",
        "{\"a\":\"b\",\"c\":\"d\"}",
        "{\"a\":\"bcd\"}",
        "{\"ab\":\"cd\"}",
        "{\"A\":\"bc\"}",
        "{\"a\":\"Bc\"}",
        "{\"a\":\"bc \"}",
        "{\"a\":\"bc\\u0000\"}",
        "{\"a\":\"b\\u0000c\"}",
        "{\"\\u00e9\":\"\\u4e2d\"}",
        "{\"\\u00e9\":\"\\ud83d\\ude00\"}",
    };
    for (size_t i = 0; i < ARRAY_LEN(distinct); i++) {
        for (size_t j = i + 1; j < ARRAY_LEN(distinct); j++) {
            CHECK_OK(canon(distinct[i], &a));
            CHECK_OK(canon(distinct[j], &b));
            if (same(&a, &b))
                fprintf(stderr, "collision: %s %s\n", distinct[i], distinct[j]);
            CHECK(!same(&a, &b));
        }
    }
    buf_release(&a);
    buf_release(&b);
}

static void rejects(void)
{
    static const char *const bad[] = {
        "{\"a\":1}",  "{\"a\":null}",    "{\"a\":true}",
        "{\"a\":{}}", "{\"a\":[\"b\"]}", "{\"a\":\"b\",\"c\":2.5}",
        "[]",         "\"a=b\"",         "7",
    };
    struct buf b;
    struct cu_err err = {0};
    json_t *big = json_object();
    char key[32];

    buf_init(&b, 1 << 20);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        CHECK_RC(canon(bad[i], &b), CU_E_VALIDATION);
    /* Failure appends nothing. */
    CHECK_OK(buf_addstr(&b, "keep"));
    {
        json_t *v = obj("{\"a\":\"b\",\"z\":5}");
        CHECK_RC(encryption_context_canonical(v, &b, &err), CU_E_VALIDATION);
        CHECK_CONTAINS(err.msg, "strings");
        CHECK_INT(b.n, 4);
        json_decref(v);
    }
    /* Too large: over ENCRYPTION_CONTEXT_MAX_BYTES. */
    for (int i = 0; i < 300; i++) {
        char val[300];
        memset(val, 'v', sizeof(val) - 1);
        val[sizeof(val) - 1] = '\0';
        snprintf(key, sizeof(key), "k%d", i);
        CHECK(json_object_set_new(big, key, json_string(val)) == 0);
    }
    CHECK_RC(encryption_context_canonical(big, &b, &err), CU_E_VALIDATION);
    CHECK_INT(b.n, 4);
    json_decref(big);
    buf_release(&b);
    /* The output's own limit. */
    buf_init(&b, 10);
    CHECK_RC(canon("{\"abc\":\"def\"}", &b), CU_E_PAYLOAD_TOO_LARGE);
    CHECK_INT(b.n, 0);
    buf_release(&b);
}

/* canonical -> parse -> to_json gives the same object; -> canonical gives the same bytes. */
static void round_trip(const char *json)
{
    struct buf a, b;
    struct encryption_context ec;
    struct cu_err err = {0};
    json_t *orig = obj(json), *back = NULL;

    buf_init(&a, 1 << 20);
    buf_init(&b, 1 << 20);
    CHECK_OK(encryption_context_canonical(orig, &a, &err));
    CHECK_OK(encryption_context_parse(buf_bytes(&a), &ec, &err));
    CHECK_INT(ec.count, json_object_size(orig));
    CHECK_OK(encryption_context_to_json(&ec, &back));
    CHECK(back && json_equal(orig, back));
    CHECK_OK(encryption_context_canonical(back, &b, &err));
    CHECK(same(&a, &b));
    json_decref(orig);
    json_decref(back);
    buf_release(&a);
    buf_release(&b);
}

static void parse_and_iterate(void)
{
    struct buf a;
    struct encryption_context ec;
    struct encryption_context_iter it;
    struct bytes k, v;
    struct cu_err err = {0};
    static const char *const want[] = {"", "a", "ab", "b"};
    size_t i = 0;

    round_trip("{}");
    round_trip("{\"a\":\"1\"}");
    round_trip("{\"b\":\"2\",\"a\":\"1\",\"\":\"\",\"ab\":\"x\"}");
    round_trip("{\"k\":\"v\\u0000w\",\"\\u00e9t\\u00e9\":\"\\ud83d\\ude00\"}");

    /* A key holding a NUL byte (jansson's parser refuses those, its setn does not). */
    {
        json_t *o = json_object(), *back = NULL;
        struct buf c;
        buf_init(&c, 1024);
        CHECK(json_object_setn_new(o, "k\0x", 3, json_string("v")) == 0);
        CHECK(json_object_setn_new(o, "k", 1, json_string("v")) == 0);
        CHECK_OK(encryption_context_canonical(o, &c, &err));
        CHECK_INT(c.n, 4 + 8 + 3 + 1 + 8 + 1 + 1);
        CHECK_OK(encryption_context_parse(buf_bytes(&c), &ec, &err));
        CHECK_OK(encryption_context_to_json(&ec, &back));
        CHECK(back && json_equal(o, back));
        json_decref(o);
        json_decref(back);
        buf_release(&c);
    }

    buf_init(&a, 1 << 20);
    CHECK_OK(canon("{\"b\":\"4\",\"ab\":\"3\",\"\":\"1\",\"a\":\"2\"}", &a));
    CHECK_OK(encryption_context_parse(buf_bytes(&a), &ec, &err));
    encryption_context_iter_init(&ec, &it);
    while (encryption_context_next(&it, &k, &v)) {
        char digit = (char)('1' + i);
        CHECK(i < 4 && bytes_eq_str(k, want[i]));
        CHECK(v.n == 1 && v.p[0] == (uint8_t)digit);
        i++;
    }
    CHECK_INT(i, 4);
    CHECK(!encryption_context_next(&it, &k, &v));

    /* Every truncation and any trailing byte is refused. */
    int bad = 0;
    for (size_t len = 0; len < a.n; len++)
        bad += encryption_context_parse(bytes_of(a.p, len), &ec, &err) == CU_E_MALFORMED_INPUT;
    CHECK_INT(bad, a.n);
    CHECK_OK(buf_addch(&a, 0));
    CHECK_RC(encryption_context_parse(buf_bytes(&a), &ec, &err), CU_E_MALFORMED_INPUT);
    buf_release(&a);
}

static void parse_rejects(void)
{
    struct encryption_context ec;
    struct cu_err err = {0};
#define ENC(...) ((const uint8_t[]){__VA_ARGS__})
#define PARSE(arr, n) encryption_context_parse(bytes_of(arr, n), &ec, &err)
    /* Unsorted ("b" before "a"), duplicate key, count larger and smaller than the pairs. */
    CHECK_RC(PARSE(ENC(0, 0, 0, 2, 0, 0, 0, 1, 'b', 0, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 0, 0), 22),
             CU_E_MALFORMED_INPUT);
    CHECK_RC(PARSE(ENC(0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 0, 0), 22),
             CU_E_MALFORMED_INPUT);
    CHECK_RC(PARSE(ENC(0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 0), 13), CU_E_MALFORMED_INPUT);
    CHECK_RC(PARSE(ENC(0, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 0, 0), 13), CU_E_MALFORMED_INPUT);
    CHECK_RC(PARSE(ENC(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0), 12), CU_E_MALFORMED_INPUT);
    /* A length far past the input. */
    CHECK_RC(PARSE(ENC(0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 'a', 0, 0, 0, 0), 13),
             CU_E_MALFORMED_INPUT);
    /* "a" then "ab": a proper prefix sorts first, so this order is fine; reversed is not. */
    CHECK_OK(
        PARSE(ENC(0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 2, 'a', 'b', 0, 0, 0, 0), 23));
    CHECK_RC(
        PARSE(ENC(0, 0, 0, 2, 0, 0, 0, 2, 'a', 'b', 0, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 0, 0), 23),
        CU_E_MALFORMED_INPUT);
    /* Bad UTF-8 in a value: overlong NUL, surrogate, > U+10FFFF, F5, lone continuation,
     * truncated sequence. */
    static const uint8_t bad_utf8[][4] = {
        {0xc0, 0x80}, {0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80},
        {0x80},       {0xe4, 0xb8}};
    static const size_t bad_len[] = {2, 3, 4, 4, 1, 2};
    for (size_t i = 0; i < ARRAY_LEN(bad_len); i++) {
        uint8_t enc[32] = {0, 0, 0, 1, 0, 0, 0, 1, 'k', 0, 0, 0, (uint8_t)bad_len[i]};
        memcpy(enc + 13, bad_utf8[i], bad_len[i]);
        CHECK_RC(PARSE(enc, 13 + bad_len[i]), CU_E_MALFORMED_INPUT);
    }
    /* Good multi-byte UTF-8 passes. */
    CHECK_OK(PARSE(ENC(0, 0, 0, 1, 0, 0, 0, 1, 'k', 0, 0, 0, 4, 0xf0, 0x9f, 0x98, 0x80), 17));
    CHECK_RC(PARSE(ENC(0), 0), CU_E_MALFORMED_INPUT);
    {
        static uint8_t huge[ENCRYPTION_CONTEXT_MAX_BYTES + 1];
        CHECK_RC(PARSE(huge, sizeof(huge)), CU_E_MALFORMED_INPUT);
    }
#undef PARSE
#undef ENC
}

int main(void)
{
    exact_bytes();
    order_and_collisions();
    rejects();
    parse_and_iterate();
    parse_rejects();
    TEST_END();
}
