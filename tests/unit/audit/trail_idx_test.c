/* Tests for audit/trail_idx.c: an .idx encodes and parses back to the same points
 * (windowed and flush points), records and resource hashes; an empty one too; and the
 * parser refuses what is on disk when it is truncated at every length, has another magic
 * or the version-1 format's, a flipped body byte, bytes after its end, counts its body
 * cannot hold or that claim more than deflate can give, points that fall or lie outside
 * the file or carry the wrong window, flush points with a bit offset or not rising,
 * records that fall, overlap or run past the file, and resources that do not add up. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "audit/trail_idx.h"
#include "check.h"

#define BODY_AT 76 /* the header's length: magic, sizes, hash, counts */

static struct gz_seek_point points[3];
static uint8_t window_a[10], window_b[GZ_SEEK_WINDOW];
static struct trail_idx_rec recs[3];
static uint32_t res[6] = {11, 12, 21, 22, 23, 24};

static struct trail_idx sample(void)
{
    struct trail_idx x = {.gz_size = 900000, .total = 3u << 20, .points = points, .npoints = 3,
                          .recs = recs, .nrecs = 3, .res = res, .nres = 6};

    memset(x.gz_sha256, 0xab, sizeof(x.gz_sha256));
    points[0] = (struct gz_seek_point){.out = 10, .in = 20, .bits = 3, .wlen = 10,
                                       .window = window_a};
    memset(window_a, 'a', sizeof(window_a));
    points[1] = (struct gz_seek_point){.out = (1u << 20) + 500, .in = 400000, .bits = 0,
                                       .wlen = GZ_SEEK_WINDOW, .window = window_b};
    memset(window_b, 'b', sizeof(window_b));
    /* a flush point a little after: no window, a byte boundary */
    points[2] = (struct gz_seek_point){.out = (1u << 20) + 70000, .in = 410000};
    recs[0] = (struct trail_idx_rec){.t = 1767225600, .off = 0, .len = 99, .h = {1, 2, 3, 4, 5, 6},
                                     .nres = 1};
    recs[1] = (struct trail_idx_rec){.t = -5, .off = 100, .len = 50, .nres = 0};
    recs[2] = (struct trail_idx_rec){.t = 1767225601, .off = 2000000, .len = 7, .nres = 2};
    return x;
}

static void encode(const struct trail_idx *x, struct buf *out)
{
    buf_reset(out);
    CHECK_OK(trail_idx_encode(x, out));
}

static cu_rc parse(const struct buf *b)
{
    struct trail_idx y = {0};
    cu_rc rc = trail_idx_parse(buf_bytes(b), &y, NULL);

    trail_idx_release(&y);
    return rc;
}

/* x encoded with its body replaced by raw (compressed here), the header's counts kept. */
static void with_body(struct buf *b, const struct trail_idx *x, const struct buf *raw)
{
    uLongf zlen = compressBound((uLong)raw->n);
    uint8_t *z = malloc(zlen);
    uint64_t n = raw->n;

    CHECK(z && compress(z, &zlen, (const Bytef *)raw->p, (uLong)raw->n) == Z_OK);
    encode(x, b);
    b->n = BODY_AT - 8;
    for (int i = 7; i >= 0; i--)
        CHECK_OK(buf_addch(b, (char)(n >> (8 * i))));
    CHECK_OK(buf_add(b, z, zlen));
    free(z);
}

static void body_of(const struct trail_idx *x, struct buf *raw)
{
    struct buf b;
    uLongf n;

    buf_init(&b, BUF_NO_LIMIT);
    encode(x, &b);
    buf_reset(raw);
    CHECK_OK(buf_reserve(raw, 1u << 22));
    n = (uLongf)raw->cap - 1;
    CHECK(uncompress((Bytef *)raw->p, &n, (const Bytef *)b.p + BODY_AT, (uLong)(b.n - BODY_AT)) ==
          Z_OK);
    raw->n = n;
    buf_release(&b);
}

static void round_trip(void)
{
    struct trail_idx x = sample(), y = {0}, empty = {.gz_size = 20, .total = 0};
    struct buf b;

    buf_init(&b, BUF_NO_LIMIT);
    encode(&x, &b);
    CHECK_OK(trail_idx_parse(buf_bytes(&b), &y, NULL));
    CHECK_INT(y.gz_size, 900000);
    CHECK_MEM(y.gz_sha256, x.gz_sha256, 32);
    CHECK_INT(y.total, 3u << 20);
    CHECK_INT(y.npoints, 3);
    CHECK_INT(y.points[0].bits, 3);
    CHECK(y.points[0].window[9] == 'a');
    CHECK_INT(y.points[1].in, 400000);
    CHECK_INT(y.points[1].wlen, GZ_SEEK_WINDOW);
    CHECK(y.points[1].window[GZ_SEEK_WINDOW - 1] == 'b');
    CHECK(y.points[1].window != window_b); /* the parse's own */
    CHECK_INT(y.points[2].out, (1u << 20) + 70000);
    CHECK(gz_seek_point_is_flush(&y.points[2]) && y.points[2].window == NULL);
    CHECK(!gz_seek_point_is_flush(&y.points[1]));
    CHECK_INT(y.nrecs, 3);
    CHECK_INT(y.recs[1].t, -5);
    CHECK_INT(y.recs[2].off, 2000000);
    CHECK_INT(y.recs[0].h[5], 6);
    CHECK_INT(y.recs[2].nres, 2);
    CHECK_INT(y.nres, 6);
    CHECK_INT(y.res[5], 24);
    trail_idx_release(&y);
    CHECK(y.points == NULL);
    trail_idx_release(NULL);
    encode(&empty, &b);
    CHECK_OK(trail_idx_parse(buf_bytes(&b), &y, NULL));
    CHECK_INT(y.nrecs, 0);
    trail_idx_release(&y);
    buf_release(&b);
}

static void refused(void)
{
    struct trail_idx x = sample();
    struct buf b, raw, good;
    struct cu_err err = {0};
    struct trail_idx y = {0};

    buf_init(&b, BUF_NO_LIMIT);
    buf_init(&raw, BUF_NO_LIMIT);
    buf_init(&good, BUF_NO_LIMIT);
    encode(&x, &good);
    /* truncated at every length */
    for (size_t n = 0; n < good.n; n += n < 200 ? 1 : 97)
        CHECK_RC(trail_idx_parse(bytes_of(good.p, n), &y, &err), CU_E_MALFORMED_INPUT);
    /* another magic; a body byte flipped; a byte after the end */
    encode(&x, &b);
    b.p[0] = 'X';
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    encode(&x, &b);
    b.p[BODY_AT + 20] ^= 1;
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    encode(&x, &b);
    CHECK_OK(buf_addch(&b, 0));
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    /* a body that claims more than deflate gives from the bytes there */
    encode(&x, &b);
    b.p[BODY_AT - 5] = 0x7f;
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    /* more records than the body holds (the count in the header) */
    encode(&x, &b);
    b.p[62] = 0x10; /* nrecs, at 60 */
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    /* resources that do not add up */
    x.nres = 4;
    encode(&x, &b);
    CHECK_RC(trail_idx_parse(buf_bytes(&b), &y, &err), CU_E_MALFORMED_INPUT);
    CHECK_STR(err.msg, "the resources do not add up");
    x = sample();
    /* points: falling, too close, past the file, a bad bit count, the wrong window */
    points[1].out = 5;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    x = sample();
    points[1].out = 10 + GZ_SEEK_SPAN;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    x = sample();
    points[1].in = x.gz_size + 1;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    x = sample();
    points[0].bits = 8;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    x = sample();
    points[0].wlen = 9;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    x = sample();
    x.total = 5; /* the first point lies past it */
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    /* flush points: with a bit offset, at the point before's offset, before it */
    x = sample();
    points[2].bits = 2;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    x = sample();
    points[2].out = points[1].out;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    x = sample();
    points[2].out = points[1].out - 1;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    /* a flush point need not be a span after the one before: it parses */
    x = sample();
    points[2].out = points[1].out + 1;
    encode(&x, &b);
    CHECK_OK(parse(&b));
    /* the version-1 format (magic CUSTIDX1, whose reader kept a window in every point):
     * refused, so that an .idx an older custos wrote is rebuilt */
    x = sample();
    x.npoints = 2;
    encode(&x, &b);
    CHECK_OK(parse(&b));
    CHECK(memcmp(b.p, "CUSTIDX2", 8) == 0);
    b.p[7] = '1';
    CHECK_RC(trail_idx_parse(buf_bytes(&b), &y, &err), CU_E_MALFORMED_INPUT);
    /* records: overlapping, past the file, empty */
    x = sample();
    recs[1].off = 99;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    x = sample();
    recs[2].off = x.total - 3;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    x = sample();
    recs[1].len = 0;
    encode(&x, &b);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    /* a body longer than its records: bytes after the end inside the body */
    x = sample();
    body_of(&x, &raw);
    CHECK_OK(buf_addch(&raw, 0));
    with_body(&b, &x, &raw);
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    /* the same body re-compressed parses: the test's own encoding is right */
    raw.n--;
    with_body(&b, &x, &raw);
    CHECK_OK(parse(&b));
    /* the wrong type of input: JSON text */
    buf_reset(&b);
    CHECK_OK(buf_addstr(&b, "{\"records\":[]}"));
    CHECK_RC(parse(&b), CU_E_MALFORMED_INPUT);
    buf_release(&b);
    buf_release(&raw);
    buf_release(&good);
}

int main(void)
{
    round_trip();
    refused();
    TEST_END();
}
