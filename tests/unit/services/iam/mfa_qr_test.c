/* Tests for services/iam/mfa_qr.c: an otpauth URI becomes a well-formed PNG (signature,
 * IHDR of a square 1-bit grayscale image whose side is a whole number of 4-pixel modules
 * with the quiet zone), the same text the same image, longer text a larger one; text no
 * QR code can hold is refused; an output buffer too small for the image fails cleanly
 * through libpng's error path (its longjmp), leaving nothing behind for valgrind/ASan. */
#include <stdlib.h>

#include "check.h"
#include "services/iam/mfa_qr.h"

#define URI                                                                                        \
    "otpauth://totp/alice-phone@123456789012?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"              \
    "&issuer=Amazon%20Web%20Services"

static unsigned long be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;

    return ((unsigned long)u[0] << 24) | ((unsigned long)u[1] << 16) | ((unsigned long)u[2] << 8) |
           u[3];
}

/* The side of the image, after checking the signature and the IHDR; 0 when malformed. */
static unsigned long side_of(const struct buf *png)
{
    if (png->n < 33 || memcmp(png->p, "\x89PNG\r\n\x1a\n", 8) != 0 ||
        memcmp(png->p + 12, "IHDR", 4) != 0 || be32(png->p + 8) != 13)
        return 0;
    if (be32(png->p + 16) != be32(png->p + 20) || png->p[24] != 1 || png->p[25] != 0)
        return 0;
    return be32(png->p + 16);
}

static void well_formed(void)
{
    struct buf a, b, longer;
    char text[600];

    buf_init_sensitive(&a, 1 << 20);
    buf_init_sensitive(&b, 1 << 20);
    buf_init_sensitive(&longer, 1 << 20);
    CHECK_OK(mfa_qr_png(URI, &a));
    CHECK(side_of(&a) > 0);
    /* version 1 is 21 modules; every version adds 4; 8 quiet modules; 4 pixels each */
    CHECK_INT((side_of(&a) / 4 - 8 - 21) % 4, 0);
    CHECK_INT(side_of(&a) % 4, 0);
    CHECK(memcmp(a.p + a.n - 8, "IEND", 4) == 0);
    CHECK_OK(mfa_qr_png(URI, &b));
    CHECK_INT(a.n, b.n);
    CHECK(memcmp(a.p, b.p, a.n) == 0);
    memset(text, 'A', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    CHECK_OK(mfa_qr_png(text, &longer));
    CHECK(side_of(&longer) > side_of(&a));
    buf_release(&a);
    buf_release(&b);
    buf_release(&longer);
}

static void refused(void)
{
    struct buf out, tiny;
    size_t n = 8000;
    char *huge = malloc(n + 1);

    CHECK(huge != NULL);
    memset(huge, 'x', n);
    huge[n] = '\0';
    buf_init_sensitive(&out, 1 << 20);
    /* beyond version 40's capacity */
    CHECK_RC(mfa_qr_png(huge, &out), CU_E_INTERNAL);
    CHECK_INT(out.n, 0);
    free(huge);
    /* libpng fails writing into a full buffer: its longjmp, then a clean error */
    buf_init_sensitive(&tiny, 64);
    CHECK_RC(mfa_qr_png(URI, &tiny), CU_E_INTERNAL);
    buf_release(&tiny);
    buf_release(&out);
}

int main(void)
{
    well_formed();
    refused();
    TEST_END();
}
