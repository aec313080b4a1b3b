/* gz_seek.c — access points into a gzip stream (gz_seek.h), after the method of zlib's
 * examples/zran.c: inflate stops at each deflate block's end (Z_BLOCK), where the stream
 * can be resumed from its compressed position, its bit offset and the window before. In
 * a file whose header carries the flush mark, a full flush shows as an empty stored block:
 * a block's end at a byte boundary with no output since the block's end before it (the
 * sealer flushes only after input, and deflate makes no other empty block). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "gz_seek.h"

#define WINDOW GZ_SEEK_WINDOW
#define IN_CHUNK 65536u

struct gz_seek {
    struct gz_seek_point *points;
    size_t n, cap;
    uint64_t total;        /* inflated size */
    struct buf span;       /* the last span inflated */
    uint64_t span_off;     /* its inflated offset */
    uint64_t inflated;     /* by reads, in all */
};

/* flush: a point after a full flush, which needs no window */
static cu_rc add_point(struct gz_seek *g, const struct buf *out, uint64_t in, int bits,
                       bool flush)
{
    struct gz_seek_point *p;

    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        struct gz_seek_point *q = realloc(g->points, cap * sizeof(*q));

        if (!q)
            return CU_E_NOMEM;
        g->points = q;
        g->cap = cap;
    }
    p = &g->points[g->n++];
    p->out = out->n;
    p->in = in;
    p->bits = bits;
    p->wlen = flush ? 0 : out->n < WINDOW ? (uint32_t)out->n : WINDOW;
    p->window = NULL;
    if (p->wlen) {
        p->window = malloc(p->wlen);
        if (!p->window) {
            g->n--;
            return CU_E_NOMEM;
        }
        memcpy(p->window, out->p + out->n - p->wlen, p->wlen);
    }
    return CU_OK;
}

/* Whether a gzip header's extra field holds the flush mark (gz_seek.h). */
static bool has_flush_mark(const gz_header *h)
{
    if (!h->extra || h->extra_len > h->extra_max)
        return false; /* none, or more than was kept */
    for (size_t at = 0; at + 4 <= h->extra_len;) {
        const uint8_t *f = h->extra + at;
        size_t len = (size_t)f[2] | (size_t)f[3] << 8;

        if (at + 4 + len > h->extra_len)
            return false;
        if (f[0] == GZ_SEEK_FLUSH_ID1 && f[1] == GZ_SEEK_FLUSH_ID2 && len == 1 &&
            f[4] == GZ_SEEK_FLUSH_VERSION)
            return true;
        at += 4 + len;
    }
    return false;
}

cu_rc gz_seek_open(int fd, struct buf *out, struct gz_seek **gp)
{
    cu_rc rc = CU_OK;
    struct gz_seek *g = calloc(1, sizeof(*g));
    uint8_t *in = malloc(IN_CHUNK);
    z_stream s = {0};
    uint64_t in_at = 0, last = 0, block_end = 0;
    bool started = false, flushed;
    uint8_t extra[64];
    gz_header head = {.extra = extra, .extra_max = sizeof(extra)};
    int z = Z_OK;
    ssize_t got;

    ENSURE(g && in, CU_E_NOMEM);
    buf_init(&g->span, BUF_NO_LIMIT);
    ENSURE(inflateInit2(&s, 16 + MAX_WBITS) == Z_OK, CU_E_NOMEM); /* gzip only */
    started = true;
    ENSURE(inflateGetHeader(&s, &head) == Z_OK, CU_E_STORE);
    while (z != Z_STREAM_END) {
        if (s.avail_in == 0) {
            got = pread(fd, in, IN_CHUNK, (off_t)in_at);
            ENSURE(got > 0, CU_E_STORE); /* an error, or a stream cut short */
            s.next_in = in;
            s.avail_in = (uInt)got;
            in_at += (uint64_t)got;
        }
        TRY(buf_reserve(out, IN_CHUNK * 4));
        s.next_out = (Bytef *)out->p + out->n;
        s.avail_out = (uInt)(out->cap - out->n - 1); /* the terminator's byte stays */
        {
            uInt room = s.avail_out;

            z = inflate(&s, Z_BLOCK);
            out->n += room - s.avail_out;
            out->p[out->n] = '\0';
        }
        ENSURE(z == Z_OK || z == Z_STREAM_END || z == Z_BUF_ERROR, CU_E_STORE);
        /* a block's end, not the last block's: a place to resume from (the first one is
         * the header's end, before any block) */
        if (z == Z_OK && (s.data_type & 128) && !(s.data_type & 64)) {
            flushed = head.done == 1 && has_flush_mark(&head);
            if (flushed && g->n > 0 && (s.data_type & 7) == 0 && out->n == block_end &&
                out->n > last) {
                TRY(add_point(g, out, in_at - s.avail_in, 0, true));
                last = out->n;
            } else if (g->n == 0 || out->n - last > GZ_SEEK_SPAN) {
                TRY(add_point(g, out, in_at - s.avail_in, s.data_type & 7, false));
                last = out->n;
            }
            block_end = out->n;
        }
    }
    g->total = out->n;
    *gp = g;
    g = NULL;
out:
    if (started)
        inflateEnd(&s);
    free(in);
    gz_seek_free(g);
    return rc;
}

cu_rc gz_seek_head(int fd, uint8_t *out, size_t cap, size_t *n)
{
    cu_rc rc = CU_OK;
    uint8_t in[4096];
    z_stream s = {0};
    uint64_t in_at = 0;
    bool started = false;
    int z = Z_OK;
    ssize_t got;

    *n = 0;
    ENSURE(inflateInit2(&s, 16 + MAX_WBITS) == Z_OK, CU_E_NOMEM);
    started = true;
    s.next_out = out;
    s.avail_out = (uInt)cap;
    while (s.avail_out > 0 && z != Z_STREAM_END) {
        if (s.avail_in == 0) {
            got = pread(fd, in, sizeof(in), (off_t)in_at);
            ENSURE(got > 0, CU_E_STORE);
            s.next_in = in;
            s.avail_in = (uInt)got;
            in_at += (uint64_t)got;
        }
        z = inflate(&s, Z_NO_FLUSH);
        ENSURE(z == Z_OK || z == Z_STREAM_END || z == Z_BUF_ERROR, CU_E_STORE);
    }
    *n = cap - s.avail_out;
out:
    if (started)
        inflateEnd(&s);
    return rc;
}

/* Inflate from point p up to `until` (at least) into g->span. */
static cu_rc inflate_span(struct gz_seek *g, int fd, const struct gz_seek_point *p,
                          uint64_t until)
{
    cu_rc rc = CU_OK;
    uint8_t *in = malloc(IN_CHUNK);
    z_stream s = {0};
    uint64_t in_at = p->in;
    bool started = false;
    int z = Z_OK;
    ssize_t got;

    ENSURE(in, CU_E_NOMEM);
    buf_reset(&g->span);
    g->span_off = p->out;
    ENSURE(inflateInit2(&s, -MAX_WBITS) == Z_OK, CU_E_NOMEM); /* raw deflate */
    started = true;
    if (p->bits) {
        uint8_t byte;

        ENSURE(pread(fd, &byte, 1, (off_t)(p->in - 1)) == 1, CU_E_STORE);
        ENSURE(inflatePrime(&s, p->bits, byte >> (8 - p->bits)) == Z_OK, CU_E_STORE);
    }
    if (p->wlen) /* none at a flush point: a distance past it fails, never misreads */
        ENSURE(inflateSetDictionary(&s, p->window, p->wlen) == Z_OK, CU_E_STORE);
    while (g->span_off + g->span.n < until && z != Z_STREAM_END) {
        if (s.avail_in == 0) {
            got = pread(fd, in, IN_CHUNK, (off_t)in_at);
            ENSURE(got > 0, CU_E_STORE);
            s.next_in = in;
            s.avail_in = (uInt)got;
            in_at += (uint64_t)got;
        }
        TRY(buf_reserve(&g->span, IN_CHUNK * 4));
        s.next_out = (Bytef *)g->span.p + g->span.n;
        s.avail_out = (uInt)(g->span.cap - g->span.n - 1);
        /* no further than asked: a chunk of input inflates to several times the span
         * between two flush points, which a read from the nearest one need not pay */
        if (s.avail_out > until - (g->span_off + g->span.n))
            s.avail_out = (uInt)(until - (g->span_off + g->span.n));
        {
            uInt room = s.avail_out;

            z = inflate(&s, Z_NO_FLUSH);
            g->span.n += room - s.avail_out;
            g->span.p[g->span.n] = '\0';
        }
        ENSURE(z == Z_OK || z == Z_STREAM_END || z == Z_BUF_ERROR, CU_E_STORE);
    }
    ENSURE(g->span_off + g->span.n >= until, CU_E_STORE);
out:
    g->inflated += g->span.n;
    if (rc != CU_OK)
        buf_reset(&g->span);
    if (started)
        inflateEnd(&s);
    free(in);
    return rc;
}

cu_rc gz_seek_read(struct gz_seek *g, int fd, uint64_t off, size_t len, const char **p)
{
    cu_rc rc = CU_OK;
    size_t lo = 0, hi;
    uint64_t until;

    ENSURE(g->n > 0 && off + len <= g->total, CU_E_STORE);
    if (!(off >= g->span_off && off + len <= g->span_off + g->span.n)) {
        hi = g->n;
        while (hi - lo > 1) { /* the last point at or before off */
            size_t mid = (lo + hi) / 2;

            if (g->points[mid].out <= off)
                lo = mid;
            else
                hi = mid;
        }
        /* from the point up to this line's end, not the span's: a lookup walks newest
         * first, so the next lines it reads lie before this one, in what is inflated, and
         * a rare hit costs half a span on average instead of a whole one */
        until = off + len;
        TRY(inflate_span(g, fd, &g->points[lo], until));
    }
    *p = g->span.p + (off - g->span_off);
out:
    return rc;
}

uint64_t gz_seek_inflated(const struct gz_seek *g)
{
    return g->inflated;
}

struct gz_seek_point *gz_seek_points(struct gz_seek *g, size_t *n, uint64_t *total)
{
    *n = g->n;
    *total = g->total;
    return g->points;
}

cu_rc gz_seek_adopt(struct gz_seek_point *points, size_t n, uint64_t total, struct gz_seek **gp)
{
    struct gz_seek *g = calloc(1, sizeof(*g));

    if (!g) {
        free(points);
        return CU_E_NOMEM;
    }
    buf_init(&g->span, BUF_NO_LIMIT);
    g->points = points;
    g->n = g->cap = n;
    g->total = total;
    *gp = g;
    return CU_OK;
}

void gz_seek_points_free(struct gz_seek_point *points, size_t n)
{
    if (!points)
        return;
    for (size_t i = 0; i < n; i++)
        free(points[i].window);
    free(points);
}

void gz_seek_free(struct gz_seek *g)
{
    if (!g)
        return;
    gz_seek_points_free(g->points, g->n);
    buf_release(&g->span);
    free(g);
}
