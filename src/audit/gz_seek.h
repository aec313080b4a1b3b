/* gz_seek.h — reading a record out of the middle of a sealed gzip log file without
 * inflating the file from its start (the trail's index, trail_index.c): one pass inflates
 * the whole file and notes an access point about every GZ_SEEK_SPAN bytes of output (the
 * compressed position at a deflate block's end, its bit offset, and the 32 KiB of output
 * before it, which the next blocks may refer back to); a read then inflates from the
 * nearest point before it, at most a span, and keeps that span for the next read.
 * Memory: 32 KiB per span, about 3% of the file's inflated size. */
#ifndef CU_AUDIT_GZ_SEEK_H
#define CU_AUDIT_GZ_SEEK_H

#include "core/buf.h"

#define GZ_SEEK_SPAN (1u << 20)

struct gz_seek;

/* Inflate the gzip file at fd into out, noting the access points (fd is not kept: a
 * read is given the file again, so that nothing holds a file retention removes). Errors:
 * CU_E_STORE (not gzip, cut short, a bad trailer), CU_E_NOMEM. */
MUST_CHECK cu_rc gz_seek_open(int fd, struct buf *out, struct gz_seek **g);
/* The len bytes at inflated offset off of the file at fd (the one gz_seek_open read),
 * borrowed until the next read. Errors: CU_E_STORE, CU_E_NOMEM. Not thread-safe (the
 * index's lock serialises it). */
MUST_CHECK cu_rc gz_seek_read(struct gz_seek *g, int fd, uint64_t off, size_t len,
                              const char **p);
void gz_seek_free(struct gz_seek *g);

#endif
