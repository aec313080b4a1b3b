/* trail_idx.h — the .idx file kept beside a sealed log file (DIR/audit-trail/trail_N_T.idx
 * beside trail_N_T.jsonl.gz): what the trail's index (trail_index.h) learnt reading that
 * file — its gzip access points and, per record, eventTime, offset, length and attribute
 * hashes — so that a start takes the file from it instead of inflating and parsing every
 * record again. It names the gzip file it describes by size and SHA-256; an .idx that
 * does not match its file, or does not parse, is rebuilt. It is an accelerator, never a
 * source of truth: not signed, not part of what `custos audit verify` checks, and a hash
 * it gives only narrows (each hit's line is read and compared exactly).
 *
 * Format (integers big-endian):
 *   "CUSTIDX2" | u64 gz size | 32 bytes gz SHA-256 | u64 inflated size | u32 points |
 *   u32 records | u32 resource hashes | u64 body size | body, zlib-compressed:
 *     per point:  u64 out | u64 in | u8 bits | u32 window length | window
 *     per record: i64 eventTime | u64 offset | u32 length | u32 hash x TRAIL_IDX_HASHES |
 *                 u8 resources
 *     per resource of each record, in order: u32 type hash | u32 name hash
 * A flush point (gz_seek.h) is one with out > 0, bits 0 and no window. Version 2 has them
 * and windows of their own allocation; a version-1 file (whose points all had windows,
 * a MiB apart) is of another format to the parser and so rebuilt, never misread. */
#ifndef CU_AUDIT_TRAIL_IDX_H
#define CU_AUDIT_TRAIL_IDX_H

#include "core/buf.h"
#include "core/bytes.h"
#include "core/err.h"
#include "gz_seek.h"

#define TRAIL_IDX_HASHES 6
#define TRAIL_IDX_MAX_RECORDS (1u << 26)   /* a sealed file of 64 Mi records */
#define TRAIL_IDX_MAX_POINTS (1u << 20)    /* 64 GiB inflated at a point per 64 KiB */
#define TRAIL_IDX_MAX_BODY (1ull << 32)    /* the body, inflated */

struct trail_idx_rec {
    int64_t t;
    uint64_t off;
    uint32_t len;
    uint32_t h[TRAIL_IDX_HASHES];
    uint8_t nres;
};

struct trail_idx {
    uint64_t gz_size;
    uint8_t gz_sha256[32];
    uint64_t total;                 /* the file's inflated size */
    struct gz_seek_point *points;
    size_t npoints;
    struct trail_idx_rec *recs;
    size_t nrecs;
    uint32_t *res;                  /* 2 per resource: type hash, name hash */
    size_t nres;                    /* entries of res (twice the resources) */
};

/* Append the .idx bytes of x to out. x's arrays are borrowed. Errors: CU_E_NOMEM,
 * CU_E_INTERNAL (x breaks a limit above). */
MUST_CHECK cu_rc trail_idx_encode(const struct trail_idx *x, struct buf *out);
/* Read an .idx file's bytes (untrusted: anything on disk). Pure: no I/O, no clock. On
 * success out owns its arrays (trail_idx_release); every count is within its limit,
 * points rise and lie within the file, records rise, each within the inflated size, and
 * their resources add up. Errors: CU_E_MALFORMED_INPUT with why in err. */
MUST_CHECK cu_rc trail_idx_parse(struct bytes in, struct trail_idx *out, struct cu_err *err);
/* Free what trail_idx_parse allocated; x is zeroed. NULL-safe. */
void trail_idx_release(struct trail_idx *x);

#endif
