/* mfa_qr.c — the QRCodePNG of CreateVirtualMFADevice: libqrencode lays out the modules of
 * the otpauth:// URI, libpng writes them as a PNG into a buf.
 *
 * The URI carries the seed, so the image is as secret as the seed: libpng is given an
 * allocator that wipes every block it frees (rows, zlib's window and state), the module
 * matrix is wiped before libqrencode frees it, and the PNG lands in the caller's
 * (sensitive) buf. libqrencode offers no allocator hook, so its own intermediate buffers
 * (the encoded bit stream, the frame before masking) are freed unwiped: the one copy of
 * the seed custos cannot clear, in ordinary heap until reused. libpng reports errors by
 * longjmp; the one setjmp is in emit(), which owns nothing, so no cleanup depends on a
 * local a longjmp could have clobbered. */
#include "mfa_qr.h"

#include <errno.h>
#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/secret.h"

#define SCALE 4 /* pixels per module */
#define QUIET 4 /* the quiet zone, in modules (ISO/IEC 18004 asks for 4) */
/* Room before each libpng block for its size, keeping the block maximally aligned. */
#define HEADER sizeof(max_align_t)

static png_voidp wiping_malloc(png_structp png, png_alloc_size_t n)
{
    unsigned char *p = malloc(HEADER + n);

    (void)png;
    if (!p)
        return NULL;
    *(size_t *)(void *)p = n;
    return p + HEADER;
}

static void wiping_free(png_structp png, png_voidp ptr)
{
    unsigned char *p = ptr;

    (void)png;
    if (!p)
        return;
    p -= HEADER;
    secret_wipe(p, HEADER + *(size_t *)(void *)p);
    free(p);
}

static void sink_write(png_structp png, png_bytep data, size_t n)
{
    if (buf_add(png_get_io_ptr(png), data, n) != CU_OK)
        png_error(png, "output buffer full");
}

static void sink_flush(png_structp png)
{
    (void)png;
}

static void png_fail(png_structp png, png_const_charp msg)
{
    log_error("mfa_qr: libpng: %s", msg);
    png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* One pixel row of module row y (1 bits white, 0 bits black) into row. */
static void fill_row(const QRcode *qr, int y, size_t side, uint8_t *row)
{
    int my = y / SCALE - QUIET;

    for (size_t i = 0; i < (side + 7) / 8; i++)
        row[i] = 0xff;
    if (my < 0 || my >= qr->width)
        return;
    for (int mx = 0; mx < qr->width; mx++) {
        if (!(qr->data[my * qr->width + mx] & 1))
            continue;
        for (int k = 0; k < SCALE; k++) {
            size_t x = (size_t)(mx + QUIET) * SCALE + (size_t)k;

            row[x / 8] &= (uint8_t) ~(0x80 >> (x % 8));
        }
    }
}

/* The libpng calls, under the one setjmp: false when libpng failed (png_fail logged why).
 * Nothing here outlives a longjmp: the caller made and frees png, info and row. */
static bool emit(png_structp png, png_infop info, const QRcode *qr, size_t side, uint8_t *row,
                 struct buf *out)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_set_write_fn(png, out, sink_write, sink_flush);
    png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 1, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t y = 0; y < side; y++) {
        fill_row(qr, (int)y, side, row);
        png_write_row(png, row);
    }
    png_write_end(png, info);
    return true;
}

static cu_rc write_png(const QRcode *qr, struct buf *out)
{
    cu_rc rc = CU_OK;
    size_t side = (size_t)(qr->width + 2 * QUIET) * SCALE, row_len = (side + 7) / 8;
    png_structp png = NULL;
    png_infop info = NULL;
    uint8_t *row = malloc(row_len);

    ENSURE(row, CU_E_NOMEM);
    png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_warn, NULL,
                                    wiping_malloc, wiping_free);
    ENSURE(png, CU_E_NOMEM);
    info = png_create_info_struct(png);
    ENSURE(info, CU_E_NOMEM);
    ENSURE(emit(png, info, qr, side, row, out), CU_E_INTERNAL);
out:
    if (png)
        png_destroy_write_struct(&png, info ? &info : NULL);
    if (row)
        secret_wipe(row, row_len);
    free(row);
    return rc;
}

cu_rc mfa_qr_png(const char *uri, struct buf *out)
{
    cu_rc rc = CU_OK;
    /* level M (15% recovery), as authenticator enrolment codes usually are; 8-bit mode,
     * case kept: the URI's label and issuer are case-sensitive */
    QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);

    ENSURE(qr, errno == ENOMEM ? CU_E_NOMEM : CU_E_INTERNAL);
    TRY(write_png(qr, out));
out:
    if (qr) {
        secret_wipe(qr->data, (size_t)qr->width * (size_t)qr->width);
        QRcode_free(qr);
    }
    return rc;
}
