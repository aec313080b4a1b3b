/* Tests for core/tree_write.c: the output is byte for byte what jansson's
 * json_dumps(JSON_COMPACT | JSON_REAL_PRECISION(17)) writes, on hand-picked values (every
 * escape, non-ASCII, reals of every magnitude, integer extremes, empty containers) and on
 * thousands of generated trees; bytes that are not UTF-8 become U+FFFD. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/tree_write.h"

static void same_as_jansson(json_t *v)
{
    struct buf out;
    char *want = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY);

    buf_init(&out, BUF_NO_LIMIT);
    CHECK_OK(tree_write_json(&out, v));
    CHECK_STR(out.p ? out.p : "", want ? want : "(jansson failed)");
    buf_release(&out);
    free(want);
    json_decref(v);
}

/* Every ASCII byte, alone and inside plain text (the whole-string fast path and the
 * escaping path both), as jansson writes it: the table of plain bytes is checked whole. */
static void every_ascii_byte(void)
{
    for (int c = 0; c < 0x80; c++) {
        char alone[1] = {(char)c}, inside[5] = {'a', 'b', (char)c, 'c', 'd'};

        same_as_jansson(json_stringn(alone, 1));
        same_as_jansson(json_stringn(inside, sizeof(inside)));
    }
}

/* Every byte at every position of a 19-byte run of plain text: the scan that tests 8
 * bytes at once must stop at each, whatever its offset within a word. ASCII is compared
 * with jansson; a lone byte from 0x80 up is not UTF-8 and must come out as U+FFFD. */
static void every_byte_every_offset(void)
{
    for (int c = 0; c < 0x100; c++) {
        for (size_t at = 0; at < 19; at++) {
            char text[19], want[64];
            struct buf out;

            memset(text, 'x', sizeof(text));
            text[at] = (char)c;
            if (c < 0x80) {
                same_as_jansson(json_stringn(text, sizeof(text)));
                continue;
            }
            snprintf(want, sizeof(want), "\"%.*s\\ufffd%.*s\"", (int)at, text,
                     (int)(sizeof(text) - at - 1), text + at + 1);
            buf_init(&out, BUF_NO_LIMIT);
            CHECK_OK(tree_write_string(&out, text, sizeof(text)));
            CHECK_STR(out.p, want);
            buf_release(&out);
        }
    }
}

static void hand_picked(void)
{
    static const double reals[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1e20, 1e-5, 1.5e-300, 123456789.0,
                                   1732990000.123, 1e16, 1e17, 2.5e22, DBL_MAX, DBL_MIN, -3e-7};

    same_as_jansson(json_string("plain"));
    same_as_jansson(json_string(""));
    same_as_jansson(json_string("quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f"));
    static const char with_nul[] = "nul \0 one \x01 us \x1f del \x7f";
    same_as_jansson(json_stringn(with_nul, sizeof(with_nul) - 1));
    same_as_jansson(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91 \xe2\x80\xa8"));
    for (size_t i = 0; i < ARRAY_LEN(reals); i++)
        same_as_jansson(json_real(reals[i]));
    same_as_jansson(json_integer(0));
    same_as_jansson(json_integer(-1));
    same_as_jansson(json_integer(INT64_MAX));
    same_as_jansson(json_integer(INT64_MIN));
    same_as_jansson(json_true());
    same_as_jansson(json_false());
    same_as_jansson(json_null());
    same_as_jansson(json_object());
    same_as_jansson(json_array());
    same_as_jansson(json_pack("{s:s, s:[i, f, {}, []], s:{s:b, s:n}}", "KeyId", "arn:aws:kms:k/1",
                              "List", 1, 2.5, "Nested", "On", 1, "Null"));
}

/* A random tree of depth at most `depth`, with strings from a small alphabet of troubles. */
static json_t *random_tree(unsigned *seed, int depth)
{
    static const char *const pieces[] = {"a", "\"", "\\", "/", "\n", "\x01", "\xc3\xa9",
                                         "\xf0\x9f\x94\x91", " ", "Key", "\t", "0"};
    int kind = rand_r(seed) % (depth > 0 ? 8 : 6);
    char text[64] = "";
    json_t *v;

    switch (kind) {
    case 0:
        return json_integer((json_int_t)rand_r(seed) * (rand_r(seed) % 2 ? 1 : -1) *
                            (json_int_t)rand_r(seed));
    case 1:
        return json_real(ldexp((double)rand_r(seed) / RAND_MAX, rand_r(seed) % 200 - 100) *
                         (rand_r(seed) % 2 ? 1 : -1));
    case 2:
        return json_boolean(rand_r(seed) % 2);
    case 3:
        return json_null();
    case 4:
    case 5:
        for (int n = rand_r(seed) % 6, used = 0; n > 0; n--)
            used += snprintf(text + used, sizeof(text) - (size_t)used, "%s",
                             pieces[rand_r(seed) % ARRAY_LEN(pieces)]);
        return json_string(text);
    case 6:
        v = json_array();
        for (int n = rand_r(seed) % 4; n > 0; n--)
            json_array_append_new(v, random_tree(seed, depth - 1));
        return v;
    default:
        v = json_object();
        for (int n = rand_r(seed) % 4; n > 0; n--) {
            snprintf(text, sizeof(text), "%s%d", pieces[rand_r(seed) % ARRAY_LEN(pieces)], n);
            json_object_set_new(v, text, random_tree(seed, depth - 1));
        }
        return v;
    }
}

static void generated(void)
{
    unsigned seed = 12345;

    for (int i = 0; i < 5000; i++)
        same_as_jansson(random_tree(&seed, 4));
}

/* Strings that are not UTF-8 (headers are the caller's bytes) keep their valid parts. */
static void invalid_utf8(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"a\xff" "b", "\"a\\ufffdb\""},
        {"\xc3", "\"\\ufffd\""},                      /* truncated */
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},           /* overlong '/' */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""}, /* a surrogate */
        {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* above U+10FFFF */
        {"ok \xe2\x82\xac", "\"ok \xe2\x82\xac\""},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct buf out;

        buf_init(&out, BUF_NO_LIMIT);
        CHECK_OK(tree_write_string(&out, cases[i].in, strlen(cases[i].in)));
        CHECK_STR(out.p, cases[i].want);
        buf_release(&out);
    }
}

int main(void)
{
    hand_picked();
    every_ascii_byte();
    every_byte_every_offset();
    generated();
    invalid_utf8();
    TEST_END();
}
