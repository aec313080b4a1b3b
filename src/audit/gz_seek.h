/* gz_seek.h — reading a record out of the middle of a sealed gzip log file without
 * inflating the file from its start (the trail's index, trail_index.c): one pass inflates
 * the whole file and notes an access point about every GZ_SEEK_SPAN bytes of output (the
 * compressed position at a deflate block's end, its bit offset, and the 32 KiB of output
 * before it, which the next blocks may refer back to); a read then inflates from the
 * nearest point before it up to the line (at most a span), and keeps what it inflated for
 * the next read, which newest first lies before it.
 * Memory: 32 KiB per span, about 3% of the file's inflated size.
 *
 * Flush points: the sealer (trail_io.c) ends a deflate block with a full flush about every
 * GZ_SEEK_FLUSH_SPAN bytes of input, at a record's end, and says so in the gzip header (an
 * extra subfield, GZ_SEEK_FLUSH_ID; zcat, gzip -t and other readers skip it). After a full
 * flush nothing refers back past it, so a point there needs no window: in such a file every
 * flush is a point, and a read inflates at most a flush span and a record instead of up to
 * a MiB. A file without the mark (sealed before, or by something else) gets the windowed
 * points above; a flush is only trusted where the header promises it. */
#ifndef CU_AUDIT_GZ_SEEK_H
#define CU_AUDIT_GZ_SEEK_H

#include "core/buf.h"

#define GZ_SEEK_SPAN (1u << 20)
#define GZ_SEEK_WINDOW 32768u
#define GZ_SEEK_FLUSH_SPAN 65536u
/* the gzip extra subfield (RFC 1952 2.3.1.1) that marks a file flushed as above: its two
 * id bytes and its one data byte, the format's version */
#define GZ_SEEK_FLUSH_ID1 'C'
#define GZ_SEEK_FLUSH_ID2 'F'
#define GZ_SEEK_FLUSH_VERSION 1

/* One access point: where inflation can resume. */
struct gz_seek_point {
    uint64_t out;          /* inflated offset */
    uint64_t in;           /* compressed offset of the first whole byte after the block */
    int bits;              /* bits of the byte before `in` still to be read (0..7) */
    uint32_t wlen;         /* window bytes (less than GZ_SEEK_WINDOW only near the start;
                              0 at a flush point: nothing before it is referred to) */
    uint8_t *window;       /* malloc'd, wlen bytes; NULL when wlen is 0 */
};

/* A point that needs no window past the file's start: a flush point. */
static inline bool gz_seek_point_is_flush(const struct gz_seek_point *p)
{
    return p->out > 0 && p->wlen == 0;
}

struct gz_seek;

/* Inflate the gzip file at fd into out, noting the access points (fd is not kept: a
 * read is given the file again, so that nothing holds a file retention removes). Errors:
 * CU_E_STORE (not gzip, cut short, a bad trailer), CU_E_NOMEM. */
MUST_CHECK cu_rc gz_seek_open(int fd, struct buf *out, struct gz_seek **g);
/* The first (up to) cap inflated bytes of the gzip file at fd into out, *n of them: what
 * tells which file it is, without inflating the rest. Errors: CU_E_STORE, CU_E_NOMEM. */
MUST_CHECK cu_rc gz_seek_head(int fd, uint8_t *out, size_t cap, size_t *n);
/* The len bytes at inflated offset off of the file at fd (the one gz_seek_open read),
 * borrowed until the next read. Errors: CU_E_STORE, CU_E_NOMEM. Not thread-safe (the
 * index's lock serialises it). */
MUST_CHECK cu_rc gz_seek_read(struct gz_seek *g, int fd, uint64_t off, size_t len,
                              const char **p);
/* Bytes the reads of g have inflated so far: what its lookups cost (the tests bound it). */
uint64_t gz_seek_inflated(const struct gz_seek *g);
/* The access points (borrowed from g), their count and the inflated size: what the
 * trail's .idx files keep (trail_idx.h), so that a start need not inflate the file. */
struct gz_seek_point *gz_seek_points(struct gz_seek *g, size_t *n, uint64_t *total);
/* A gz_seek over access points read back (trail_idx_parse checked them): takes points
 * (malloc'd, n of them, and their windows) whatever the result. Errors: CU_E_NOMEM. */
MUST_CHECK cu_rc gz_seek_adopt(struct gz_seek_point *points, size_t n, uint64_t total,
                               struct gz_seek **g);
void gz_seek_free(struct gz_seek *g);
/* Free n points and their windows. NULL-safe. */
void gz_seek_points_free(struct gz_seek_point *points, size_t n);

#endif
