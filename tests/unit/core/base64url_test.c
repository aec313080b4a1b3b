/* Tests for core/codec.c: RFC 4648 §10 vectors in the URL-safe alphabet without
 * padding, the two URL-safe characters, round trips of every length up to 64, and the
 * strict decoder's refusals: padding, the standard alphabet's '+' and '/', other bytes,
 * a length of 1 mod 4, nonzero trailing bits (a non-canonical text), with out unchanged. */
#include "check.h"
#include "core/codec.h"

static void check_vector(const char *plain, const char *text)
{
    struct buf b;

    buf_init(&b, 1024);
    CHECK_OK(base64url_encode(bytes_str(plain), &b));
    CHECK_STR(b.p ? b.p : "", text);
    buf_reset(&b);
    CHECK_OK(base64url_decode(bytes_str(text), &b));
    CHECK_INT(b.n, strlen(plain));
    CHECK_STR(b.p ? b.p : "", plain);
    buf_release(&b);
}

static void check_refused(const char *text)
{
    struct buf b;

    buf_init(&b, 1024);
    CHECK_OK(buf_addstr(&b, "kept"));
    CHECK_RC(base64url_decode(bytes_str(text), &b), CU_E_MALFORMED_INPUT);
    CHECK_STR(b.p, "kept");
    buf_release(&b);
}

int main(void)
{
    const uint8_t url_chars[] = {0xfb, 0xff, 0xbf};
    uint8_t data[64];
    struct buf b, back;

    check_vector("", "");
    check_vector("f", "Zg");
    check_vector("fo", "Zm8");
    check_vector("foo", "Zm9v");
    check_vector("foob", "Zm9vYg");
    check_vector("fooba", "Zm9vYmE");
    check_vector("foobar", "Zm9vYmFy");

    buf_init(&b, 1024);
    CHECK_OK(base64url_encode(bytes_of(url_chars, sizeof(url_chars)), &b));
    CHECK_STR(b.p, "-_-_");
    buf_release(&b);

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof(data); n++) {
        buf_init(&b, 1024);
        buf_init(&back, 1024);
        CHECK_OK(base64url_encode(bytes_of(data, n), &b));
        CHECK(strchr(b.p ? b.p : "", '=') == NULL);
        CHECK_OK(base64url_decode(buf_bytes(&b), &back));
        CHECK_INT(back.n, n);
        CHECK(n == 0 || memcmp(back.p, data, n) == 0);
        buf_release(&b);
        buf_release(&back);
    }

    check_refused("Zg==");
    check_refused("Zm9v+g");
    check_refused("Zm9v/g");
    check_refused("Zm 9v");
    check_refused("Z");
    check_refused("Zm9vY");
    check_refused("Zh");   /* "f" is Zg: the last 4 bits must be zero */
    check_refused("Zm9");  /* "fo" is Zm8: the last 2 bits must be zero */
    check_refused("Zm9v\xc3\xa9");

    /* the output limit is honoured */
    buf_init(&b, 3);
    CHECK_RC(base64url_encode(bytes_str("foobar"), &b), CU_E_PAYLOAD_TOO_LARGE);
    buf_release(&b);
    TEST_END();
}
