/* trail_idx.c — the .idx file's bytes (trail_idx.h), both ways. The parser takes what is
 * on disk as hostile: every count against its limit and against the bytes that carry it
 * before anything is allocated (so a few bytes never claim gigabytes), the body inflated
 * only up to its stated size, and every point and record checked to lie where
 * gz_seek_read and the index may use it without a further check. */
#include "trail_idx.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAGIC "CUSTIDX2"
#define MAGIC_LEN 8
#define HEADER_LEN (MAGIC_LEN + 8 + 32 + 8 + 4 + 4 + 4 + 8)
#define POINT_LEN (8 + 8 + 1 + 4)        /* before its window */
#define REC_LEN (8 + 8 + 4 + 4 * TRAIL_IDX_HASHES + 1)
#define DEFLATE_MAX_RATIO 1032           /* deflate's best: 258 bytes from 2 bits */

static cu_rc add_u32(struct buf *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

    return buf_add(b, p, sizeof(p));
}

static cu_rc add_u64(struct buf *b, uint64_t v)
{
    cu_rc rc = CU_OK;

    TRY(add_u32(b, (uint32_t)(v >> 32)));
    TRY(add_u32(b, (uint32_t)v));
out:
    return rc;
}

static bool take_u64(struct cursor *c, uint64_t *v)
{
    uint32_t hi, lo;

    if (!cursor_u32(c, &hi) || !cursor_u32(c, &lo))
        return false;
    *v = (uint64_t)hi << 32 | lo;
    return true;
}

static cu_rc encode_body(const struct trail_idx *x, struct buf *body)
{
    cu_rc rc = CU_OK;

    for (size_t i = 0; i < x->npoints; i++) {
        const struct gz_seek_point *p = &x->points[i];

        TRY(add_u64(body, p->out));
        TRY(add_u64(body, p->in));
        TRY(buf_addch(body, (char)p->bits));
        TRY(add_u32(body, p->wlen));
        TRY(buf_add(body, p->window, p->wlen));
    }
    for (size_t i = 0; i < x->nrecs; i++) {
        const struct trail_idx_rec *r = &x->recs[i];

        TRY(add_u64(body, (uint64_t)r->t));
        TRY(add_u64(body, r->off));
        TRY(add_u32(body, r->len));
        for (size_t k = 0; k < TRAIL_IDX_HASHES; k++)
            TRY(add_u32(body, r->h[k]));
        TRY(buf_addch(body, (char)r->nres));
    }
    for (size_t i = 0; i < x->nres; i++)
        TRY(add_u32(body, x->res[i]));
out:
    return rc;
}

cu_rc trail_idx_encode(const struct trail_idx *x, struct buf *out)
{
    cu_rc rc = CU_OK;
    struct buf body;
    uLongf zlen;
    size_t at;

    buf_init(&body, BUF_NO_LIMIT);
    ENSURE(x->npoints <= TRAIL_IDX_MAX_POINTS && x->nrecs <= TRAIL_IDX_MAX_RECORDS &&
               x->nres <= 2 * 255 * (uint64_t)x->nrecs,
           CU_E_INTERNAL);
    TRY(encode_body(x, &body));
    ENSURE(body.n <= TRAIL_IDX_MAX_BODY, CU_E_INTERNAL);
    TRY(buf_add(out, MAGIC, MAGIC_LEN));
    TRY(add_u64(out, x->gz_size));
    TRY(buf_add(out, x->gz_sha256, sizeof(x->gz_sha256)));
    TRY(add_u64(out, x->total));
    TRY(add_u32(out, (uint32_t)x->npoints));
    TRY(add_u32(out, (uint32_t)x->nrecs));
    TRY(add_u32(out, (uint32_t)x->nres));
    TRY(add_u64(out, body.n));
    zlen = compressBound((uLong)body.n);
    at = out->n;
    TRY(buf_reserve(out, zlen));
    /* level 1: the hashes do not compress, the windows do at any level */
    ENSURE(compress2((Bytef *)out->p + at, &zlen, (const Bytef *)body.p, (uLong)body.n, 1) == Z_OK,
           CU_E_NOMEM);
    out->n = at + zlen;
    out->p[out->n] = '\0';
out:
    buf_release(&body);
    return rc;
}

/* The access points: rising, inside the gzip file; a windowed one a span after the point
 * before it with the window gz_seek_open keeps (the 32 KiB before, fewer at the start), a
 * flush point anywhere after it, at a byte boundary and without a window. */
static cu_rc parse_points(struct cursor *c, struct trail_idx *x, struct cu_err *err)
{
    for (size_t i = 0; i < x->npoints; i++) {
        struct gz_seek_point *p = &x->points[i];
        uint8_t bits;
        struct bytes w;
        bool flush;

        if (!take_u64(c, &p->out) || !take_u64(c, &p->in) || !cursor_u8(c, &bits) ||
            !cursor_u32(c, &p->wlen))
            return cu_err_set(err, CU_E_MALFORMED_INPUT, "access point %zu is cut short", i);
        p->bits = bits;
        flush = p->out > 0 && p->wlen == 0;
        if (bits > 7 || p->in > x->gz_size || (bits && p->in == 0) || p->out > x->total ||
            (flush && bits) ||
            (!flush && p->wlen != (p->out < GZ_SEEK_WINDOW ? p->out : GZ_SEEK_WINDOW)) ||
            (i > 0 && p->out <= x->points[i - 1].out + (flush ? 0 : GZ_SEEK_SPAN)))
            return cu_err_set(err, CU_E_MALFORMED_INPUT, "access point %zu is not one", i);
        if (!cursor_take(c, p->wlen, &w))
            return cu_err_set(err, CU_E_MALFORMED_INPUT, "window %zu is cut short", i);
        p->window = NULL;
        if (w.n) {
            p->window = malloc(w.n);
            if (!p->window) {
                p->wlen = 0; /* what trail_idx_release frees is what is there */
                return CU_E_NOMEM;
            }
            memcpy(p->window, w.p, w.n);
        }
    }
    return CU_OK;
}

/* The records: rising, each within the inflated file; their resources add up. */
static cu_rc parse_records(struct cursor *c, struct trail_idx *x, struct cu_err *err)
{
    uint64_t end = 0, res = 0;

    for (size_t i = 0; i < x->nrecs; i++) {
        struct trail_idx_rec *r = &x->recs[i];
        uint64_t t;

        if (!take_u64(c, &t) || !take_u64(c, &r->off) || !cursor_u32(c, &r->len))
            return cu_err_set(err, CU_E_MALFORMED_INPUT, "record %zu is cut short", i);
        r->t = (int64_t)t;
        for (size_t k = 0; k < TRAIL_IDX_HASHES; k++)
            if (!cursor_u32(c, &r->h[k]))
                return cu_err_set(err, CU_E_MALFORMED_INPUT, "record %zu is cut short", i);
        if (!cursor_u8(c, &r->nres))
            return cu_err_set(err, CU_E_MALFORMED_INPUT, "record %zu is cut short", i);
        /* a line and its newline, after the one before */
        if (r->len == 0 || r->off < end || r->off > x->total || r->len > x->total - r->off)
            return cu_err_set(err, CU_E_MALFORMED_INPUT, "record %zu is out of place", i);
        end = r->off + r->len + 1;
        res += 2u * r->nres;
    }
    if (res != x->nres)
        return cu_err_set(err, CU_E_MALFORMED_INPUT, "the resources do not add up");
    for (size_t i = 0; i < x->nres; i++)
        if (!cursor_u32(c, &x->res[i]))
            return cu_err_set(err, CU_E_MALFORMED_INPUT, "the resources are cut short");
    return CU_OK;
}

cu_rc trail_idx_parse(struct bytes in, struct trail_idx *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct cursor c, b;
    struct bytes magic, sha, z;
    struct trail_idx x = {0};
    uint32_t npoints, nrecs, nres;
    uint64_t body_len;
    uint8_t *body = NULL;
    uLongf got;
    uLong zlen;

    cursor_init(&c, in);
    if (!cursor_take(&c, MAGIC_LEN, &magic) || memcmp(magic.p, MAGIC, MAGIC_LEN) != 0 ||
        !take_u64(&c, &x.gz_size) || !cursor_take(&c, sizeof(x.gz_sha256), &sha) ||
        !take_u64(&c, &x.total) || !cursor_u32(&c, &npoints) || !cursor_u32(&c, &nrecs) ||
        !cursor_u32(&c, &nres) || !take_u64(&c, &body_len))
        return cu_err_set(err, CU_E_MALFORMED_INPUT, "the header is cut short or of another format");
    memcpy(x.gz_sha256, sha.p, sha.n);
    x.npoints = npoints;
    x.nrecs = nrecs;
    x.nres = nres;
    z = bytes_of(in.p + c.pos, cursor_left(&c));
    /* the counts must fit in the body they claim, and the body in what deflate can give
     * from the bytes there, before anything is allocated */
    ENSURE(npoints <= TRAIL_IDX_MAX_POINTS && nrecs <= TRAIL_IDX_MAX_RECORDS &&
               nres <= 2 * 255 * (uint64_t)nrecs && body_len <= TRAIL_IDX_MAX_BODY &&
               body_len <= (uint64_t)z.n * DEFLATE_MAX_RATIO &&
               (uint64_t)npoints * POINT_LEN + (uint64_t)nrecs * REC_LEN + 4ull * nres <=
                   body_len &&
               (npoints > 0 || nrecs == 0),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the trail index's counts are not possible"));
    body = malloc(body_len ? (size_t)body_len : 1);
    x.points = calloc(npoints ? npoints : 1, sizeof(*x.points));
    x.recs = calloc(nrecs ? nrecs : 1, sizeof(*x.recs));
    x.res = calloc(nres ? nres : 1, sizeof(*x.res));
    ENSURE(body && x.points && x.recs && x.res, CU_E_NOMEM);
    got = (uLongf)body_len;
    zlen = (uLong)z.n;
    /* the whole rest is the one zlib stream, and it inflates to exactly body_len */
    ENSURE(uncompress2(body, &got, z.p, &zlen) == Z_OK && got == body_len && zlen == z.n,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the trail index's body does not inflate"));
    cursor_init(&b, bytes_of(body, (size_t)body_len));
    TRY(parse_points(&b, &x, err));
    TRY(parse_records(&b, &x, err));
    ENSURE(cursor_left(&b) == 0,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "the trail index has bytes after its end"));
    *out = x;
    x = (struct trail_idx){0};
out:
    free(body);
    trail_idx_release(&x);
    return rc;
}

void trail_idx_release(struct trail_idx *x)
{
    if (!x)
        return;
    gz_seek_points_free(x->points, x->npoints);
    free(x->recs);
    free(x->res);
    *x = (struct trail_idx){0};
}
