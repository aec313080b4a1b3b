/* trail_idx_fuzz.c — libFuzzer target for trail_idx_parse (audit/trail_idx.c), the reader
 * of the .idx files beside the sealed trail, which are whatever is on disk.
 *
 * Any input must parse or fail with CU_E_MALFORMED_INPUT; what parses must keep the
 * parser's promises (points rising within the file, records rising within it, resources
 * adding up) and encode to bytes that parse to the same. */
#include <stdlib.h>
#include <string.h>

#include "audit/trail_idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct trail_idx *x)
{
    uint64_t res = 0;

    for (size_t i = 0; i < x->npoints; i++)
        if (x->points[i].out > x->total || x->points[i].bits > 7 ||
            x->points[i].wlen > GZ_SEEK_WINDOW || (i && x->points[i].out <= x->points[i - 1].out))
            abort();
    for (size_t i = 0; i < x->nrecs; i++) {
        if (x->recs[i].off + x->recs[i].len > x->total || x->recs[i].len == 0)
            abort();
        res += 2u * x->recs[i].nres;
    }
    if (res != x->nres)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct trail_idx x = {0}, y = {0};
    struct buf again;
    cu_rc rc = trail_idx_parse(bytes_of(data, size), &x, NULL);

    if (rc != CU_OK) {
        if (rc != CU_E_MALFORMED_INPUT)
            abort();
        return 0;
    }
    check(&x);
    buf_init(&again, BUF_NO_LIMIT);
    if (trail_idx_encode(&x, &again) != CU_OK ||
        trail_idx_parse(buf_bytes(&again), &y, NULL) != CU_OK || y.nrecs != x.nrecs ||
        y.npoints != x.npoints || y.nres != x.nres || y.total != x.total ||
        (x.nrecs && memcmp(y.recs, x.recs, x.nrecs * sizeof(*x.recs)) != 0) ||
        (x.nres && memcmp(y.res, x.res, x.nres * sizeof(*x.res)) != 0))
        abort();
    buf_release(&again);
    trail_idx_release(&x);
    trail_idx_release(&y);
    return 0;
}
