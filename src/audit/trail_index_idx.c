/* trail_index_idx.c — the index's .idx files (trail_idx.h gives their bytes): what the
 * index learnt of a sealed file written beside it once the file is wholly indexed, and
 * taken back at a start instead of the file when it still names that file by size and
 * SHA-256. An .idx is an accelerator: one that cannot be written is logged and skipped,
 * one that cannot be used is rebuilt from the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"
#include "core/log.h"
#include "crypto/digest.h"
#include "trail_index_impl.h"

/* The .idx beside the sealed file gz_path (trail_N_T.jsonl.gz -> trail_N_T.idx); "" for
 * a name of another form. */
void trail_index_idx_path(const char *gz_path, char *out, size_t cap)
{
    static const char suffix[] = ".jsonl.gz";
    size_t n = strlen(gz_path), k = sizeof(suffix) - 1;

    out[0] = '\0';
    if (n > k && strcmp(gz_path + n - k, suffix) == 0)
        snprintf(out, cap, "%.*s.idx", (int)(n - k), gz_path);
}

/* The size and SHA-256 of the file at fd: what an .idx names its gzip file by. */
static cu_rc file_sha256(int fd, uint64_t *size, uint8_t md[DIGEST_SHA256_LEN])
{
    cu_rc rc = CU_OK;
    char *chunk = malloc(READ_CHUNK);
    struct sha256 h;
    ssize_t got;

    *size = 0;
    ENSURE(chunk, CU_E_NOMEM);
    digest_sha256_begin(&h);
    while ((got = pread(fd, chunk, READ_CHUNK, (off_t)*size)) > 0) {
        digest_sha256_add(&h, bytes_of(chunk, (size_t)got));
        *size += (uint64_t)got;
    }
    digest_sha256_end(&h, md);
    ENSURE(got == 0, CU_E_STORE);
out:
    free(chunk);
    return rc;
}

/* Write the .idx of segment seg, a sealed file (at fd) whose records were indexed in one
 * stretch. A failure is only logged: an .idx spares a later start work, and nothing
 * else depends on it. */
void trail_index_save_idx(struct trail_index *ix, size_t seg, int fd)
{
    struct seg *s = &ix->segs[seg];
    struct trail_idx x = {0};
    struct trail_idx_rec *recs = NULL;
    struct buf out;
    char path[1310], why[128] = "out of memory";

    trail_index_idx_path(s->path, path, sizeof(path));
    if (!s->gz || s->scattered || !path[0] || ix->read_only)
        return;
    buf_init(&out, BUF_NO_LIMIT);
    recs = calloc(s->count ? s->count : 1, sizeof(*recs));
    if (!recs || file_sha256(fd, &x.gz_size, x.gz_sha256) != CU_OK)
        goto out;
    x.points = gz_seek_points(s->gz, &x.npoints, &x.total);
    for (size_t i = 0; i < s->count; i++) {
        const struct entry *e = &ix->e[s->first + i];

        recs[i] = (struct trail_idx_rec){.t = e->t, .off = e->off, .len = e->len,
                                         .nres = e->nres};
        memcpy(recs[i].h, e->h, sizeof(recs[i].h));
    }
    x.recs = recs;
    x.nrecs = s->count;
    if (s->count) {
        const struct entry *last = &ix->e[s->first + s->count - 1];

        x.res = ix->res + ix->e[s->first].res;
        x.nres = last->res + 2u * last->nres - ix->e[s->first].res;
    }
    if (trail_idx_encode(&x, &out) == CU_OK &&
        file_write_atomic(path, buf_bytes(&out), 0600, false, why, sizeof(why)) == CU_OK)
        ix->stats.idx_written++;
    else
        log_warn("audit: cannot write the trail index %s (%s); a start reads its log file "
                 "instead", path, why);
out:
    free(recs);
    buf_release(&out);
}

/* Take the sealed file at fd (path) from its .idx, into a new segment: *taken is false
 * when it has none, or one that does not parse or describes another file (the file is
 * then read, and its .idx written anew). */
cu_rc trail_index_load_idx(struct trail_index *ix, const char *path, int fd, bool *taken)
{
    cu_rc rc = CU_OK;
    struct trail_idx x = {0};
    struct cu_err err = {0};
    struct gz_seek *gz = NULL;
    struct buf bytes;
    char ipath[1310];
    uint8_t md[DIGEST_SHA256_LEN];
    uint64_t size = 0;
    size_t seg, at = 0;

    *taken = false;
    buf_init(&bytes, BUF_NO_LIMIT);
    trail_index_idx_path(path, ipath, sizeof(ipath));
    if (!ipath[0] || file_read_all(ipath, &bytes) != CU_OK)
        goto out; /* none yet */
    if (trail_idx_parse(buf_bytes(&bytes), &x, &err) != CU_OK) {
        log_warn("audit: %s is not a trail index (%s); its log file is read again", ipath,
                 err.msg);
        goto out;
    }
    TRY(file_sha256(fd, &size, md));
    if (size != x.gz_size || memcmp(md, x.gz_sha256, sizeof(md)) != 0) {
        log_warn("audit: %s describes another file than %s; the file is read again", ipath,
                 path);
        goto out;
    }
    TRY(gz_seek_adopt(x.points, x.npoints, x.total, &gz));
    x.points = NULL;
    TRY(trail_index_add_seg(ix, path, -1, &seg));
    ix->segs[seg].gz = gz;
    ix->segs[seg].named = true;
    gz = NULL;
    for (size_t i = 0; i < x.nrecs; i++) {
        const struct trail_idx_rec *r = &x.recs[i];

        TRY(trail_index_push_entry(ix, seg, r->t, r->off, r->len, r->h, x.res + at, r->nres));
        at += 2u * r->nres;
    }
    *taken = true;
    ix->stats.idx_loaded++;
out:
    gz_seek_free(gz);
    trail_idx_release(&x);
    buf_release(&bytes);
    return rc;
}
