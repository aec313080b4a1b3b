/* Tests for core/uri.c: RFC 3986 unreserved set, strict decoding. */
#include "check.h"
#include "core/uri.h"

int main(void)
{
    struct buf b;

    buf_init(&b, 1000);
    CHECK_OK(uri_encode(bytes_str("a-b_c.d~e f/g+h=\xe1\x88\xb4"), true, &b));
    CHECK_STR(b.p, "a-b_c.d~e%20f%2Fg%2Bh%3D%E1%88%B4");
    buf_reset(&b);
    CHECK_OK(uri_encode(bytes_str("/a b/"), false, &b));
    CHECK_STR(b.p, "/a%20b/");
    buf_reset(&b);
    CHECK_OK(uri_decode(bytes_str("a%20b+c%2b"), true, &b));
    CHECK_STR(b.p, "a b c+");
    buf_reset(&b);
    CHECK_OK(uri_decode(bytes_str("a+b"), false, &b));
    CHECK_STR(b.p, "a+b");
    static const char *const bad[] = {"%", "%2", "%zz", "abc%4", "%g0"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        buf_reset(&b);
        CHECK_RC(uri_decode(bytes_str(bad[i]), true, &b), CU_E_MALFORMED_INPUT);
    }
    buf_release(&b);
    TEST_END();
}
