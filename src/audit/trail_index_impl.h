/* trail_index_impl.h — the index's state, shared by the files that make up the index
 * (trail_index.c: following the trail and looking up; trail_index_idx.c: the .idx files).
 * Not for other modules: trail_index.h is the index's surface. Every function here is
 * called with the index's lock held. */
#ifndef CU_AUDIT_TRAIL_INDEX_IMPL_H
#define CU_AUDIT_TRAIL_INDEX_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "gz_seek.h"
#include "trail_idx.h"
#include "trail_index.h"

#define N_HASHED TRAIL_IDX_HASHES /* the attributes hashed per record (not the resources') */
#define READ_CHUNK (1u << 20)
#define MAX_RES 255  /* resources indexed per record */
#define HEAD_LEN 512 /* bytes that tell two copies of a log file from two files */

struct seg {
    int fd;
    struct gz_seek *gz;   /* a sealed gzip file's access points, or NULL: a plain file */
    char path[1300];
    dev_t dev;
    ino_t ino;
    uint64_t done;        /* bytes of the file indexed (plain files) */
    bool named;           /* path names its file in DIR/audit-trail (not audit.log) */
    bool dead;            /* removed by retention: its records are skipped */
    size_t first, count;  /* its entries: e[first .. first + count) */
    bool scattered;       /* ... unless another file's came between (no .idx is written) */
};

struct entry {
    int64_t t, tmax;      /* eventTime; the largest eventTime up to this record */
    uint64_t off;
    uint32_t len, seg;
    uint32_t h[N_HASHED]; /* per enum trail_attr - 1, resources' left out */
    uint32_t res;         /* first of its pairs in res[] */
    uint8_t nres;
};

struct trail_index {
    pthread_mutex_t lock;
    pthread_t builder;    /* the first pass, started by trail_index_new */
    bool building;
    _Atomic bool stopping; /* trail_index_free: the first pass gives up at its next file */
    char dir[1100];
    bool read_only;       /* another node's trail: its .idx files are read, never written
                           * or removed (the node that owns the files does both) */
    bool built;
    struct seg *segs;
    size_t nsegs, capsegs;
    struct entry *e;
    size_t n, cap;
    uint32_t *res;        /* (type hash, name hash) pairs */
    size_t nres, capres;
    size_t live;          /* the segment of DIR/audit.log; SIZE_MAX: none yet */
    uint64_t max_number;  /* the highest file number taken (when any_number) */
    bool any_number;
    struct trail_index_stats stats;
};

static inline uint32_t trail_hash32(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (; s && *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Read what the trail gained since the last call (the first: all of it); trail_follow.c.
 * Errors: CU_E_STORE (a file cannot be read), CU_E_NOMEM, CU_E_UNAVAILABLE (stopping). */
MUST_CHECK cu_rc trail_index_catch_up(struct trail_index *ix);
/* Drop every segment and record (a failed first pass is begun again from nothing). */
void trail_index_forget(struct trail_index *ix);

/* Append a segment for the file at path (fd: held for reading, or -1); *id its number.
 * Errors: CU_E_NOMEM. */
MUST_CHECK cu_rc trail_index_add_seg(struct trail_index *ix, const char *path, int fd, size_t *id);
/* Append one record's entry to segment seg (res: its nres (type, name) hash pairs).
 * Errors: CU_E_NOMEM. */
MUST_CHECK cu_rc trail_index_push_entry(struct trail_index *ix, size_t seg, int64_t t,
                                        uint64_t off, uint32_t len, const uint32_t h[N_HASHED],
                                        const uint32_t *res, size_t nres);

/* The .idx beside the sealed file gz_path (trail_N_T.jsonl.gz -> trail_N_T.idx); "" for
 * a name of another form. */
void trail_index_idx_path(const char *gz_path, char *out, size_t cap);
/* Write the .idx of segment seg, a sealed file (at fd) whose records were indexed in one
 * stretch; a failure is only logged. */
void trail_index_save_idx(struct trail_index *ix, size_t seg, int fd);
/* Take the sealed file at fd (path) from its .idx into a new segment: *taken is false
 * when it has none, or one that does not parse or describes another file. Errors:
 * CU_E_NOMEM, CU_E_STORE (the file cannot be read). */
MUST_CHECK cu_rc trail_index_load_idx(struct trail_index *ix, const char *path, int fd,
                                      bool *taken);

#endif
