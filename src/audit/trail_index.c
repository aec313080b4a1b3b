/* trail_index.c — the in-memory index of the trail's records (trail_index.h): its life
 * (the first pass's thread), its segments and entries, and lookups. Following the trail's
 * files is trail_follow.c's, the records' attributes trail_record.c's, the .idx files
 * trail_index_idx.c's. Files are segments, each read through a descriptor the index holds (which keeps reading the same
 * file after the sealer renames, compresses and removes it): a sealed gzip file through
 * its access points (gz_seek.h: a line costs at most a span's inflation, not the file's);
 * a plain file — the live audit.log, or one the index followed through a rotation — by
 * pread. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "trail_index_impl.h"
#include "trail_io.h"

/* Does rec show value for attr (any of its resources for the resource attributes)? */
static bool record_matches(const json_t *rec, enum trail_attr attr, const char *value)
{
    const char *v;

    if (attr == TRAIL_ATTR_NONE)
        return true;
    if (attr == TRAIL_ATTR_RESOURCE_TYPE || attr == TRAIL_ATTR_RESOURCE_NAME) {
        for (size_t i = 0; i < trail_record_resources(rec); i++) {
            v = trail_record_resource(rec, i, attr);
            if (v && strcmp(v, value) == 0)
                return true;
        }
        return false;
    }
    v = trail_record_attr(rec, attr);
    return v && strcmp(v, value) == 0;
}


/* The first pass off the caller's thread: a lookup that comes before it ends waits for
 * the lock; one that finds it failed (a file unreadable) runs it again. */
static void *build_thread(void *arg)
{
    struct trail_index *ix = arg;

    pthread_mutex_lock(&ix->lock);
    /* a lookup that came first did the pass: nothing is left to do here */
    if (!ix->built && trail_index_catch_up(ix) != CU_OK && !ix->stopping)
        log_warn("audit: the trail's index could not be built; the next lookup tries again");
    else
        log_info("audit: the trail's index holds %zu records (sealed files: %llu from their "
                 ".idx, %llu read)", ix->n, (unsigned long long)ix->stats.idx_loaded,
                 (unsigned long long)ix->stats.files_read);
    pthread_mutex_unlock(&ix->lock);
    return NULL;
}

static cu_rc index_new(const char *data_dir, bool read_only, struct trail_index **out)
{
    struct trail_index *ix = calloc(1, sizeof(*ix));

    if (!ix)
        return CU_E_NOMEM;
    pthread_mutex_init(&ix->lock, NULL);
    str_copy(ix->dir, sizeof(ix->dir), data_dir);
    ix->read_only = read_only;
    ix->live = SIZE_MAX;
    ix->building = pthread_create(&ix->builder, NULL, build_thread, ix) == 0;
    *out = ix;
    return CU_OK;
}

cu_rc trail_index_new(const char *data_dir, struct trail_index **out)
{
    return index_new(data_dir, false, out);
}

cu_rc trail_index_new_peer(const char *data_dir, struct trail_index **out)
{
    return index_new(data_dir, true, out);
}

void trail_index_free(struct trail_index *ix)
{
    if (!ix)
        return;
    ix->stopping = true;
    if (ix->building)
        pthread_join(ix->builder, NULL);
    trail_index_forget(ix);
    free(ix->segs);
    free(ix->e);
    free(ix->res);
    pthread_mutex_destroy(&ix->lock);
    free(ix);
}

static cu_rc grow(void **p, size_t *cap, size_t need, size_t size)
{
    void *q;
    size_t c = *cap ? *cap : 1024;

    if (need <= *cap)
        return CU_OK;
    while (c < need)
        c *= 2;
    q = realloc(*p, c * size);
    if (!q)
        return CU_E_NOMEM;
    *p = q;
    *cap = c;
    return CU_OK;
}

cu_rc trail_index_add_seg(struct trail_index *ix, const char *path, int fd, size_t *id)
{
    cu_rc rc = CU_OK;
    struct stat st = {0};
    struct seg *s;

    TRY(grow((void **)&ix->segs, &ix->capsegs, ix->nsegs + 1, sizeof(*ix->segs)));
    s = &ix->segs[ix->nsegs];
    *s = (struct seg){.fd = fd};
    str_copy(s->path, sizeof(s->path), path);
    if (fd >= 0 && fstat(fd, &st) == 0) {
        s->dev = st.st_dev;
        s->ino = st.st_ino;
    }
    *id = ix->nsegs++;
out:
    return rc;
}

/* Append one record's entry to segment seg (res: its nres (type, name) hash pairs). */
cu_rc trail_index_push_entry(struct trail_index *ix, size_t seg, int64_t t, uint64_t off,
                             uint32_t len, const uint32_t h[N_HASHED], const uint32_t *res, size_t nres)
{
    cu_rc rc = CU_OK;
    struct entry *e;
    struct seg *s = &ix->segs[seg];

    TRY(grow((void **)&ix->e, &ix->cap, ix->n + 1, sizeof(*ix->e)));
    TRY(grow((void **)&ix->res, &ix->capres, ix->nres + 2 * nres, sizeof(*ix->res)));
    e = &ix->e[ix->n];
    *e = (struct entry){.t = t, .off = off, .len = len, .seg = (uint32_t)seg,
                        .res = (uint32_t)ix->nres, .nres = (uint8_t)nres};
    e->tmax = ix->n && ix->e[ix->n - 1].tmax > t ? ix->e[ix->n - 1].tmax : t;
    memcpy(e->h, h, sizeof(e->h));
    if (nres) /* a record without resources, before any had one: ix->res is still NULL */
        memcpy(ix->res + ix->nres, res, 2 * nres * sizeof(*res));
    ix->nres += 2 * nres;
    if (s->count == 0)
        s->first = ix->n;
    else if (s->first + s->count != ix->n)
        s->scattered = true;
    s->count++;
    ix->n++;
out:
    return rc;
}


/* The bytes of entry e's line into line (borrowed from ix or from tmp); NULL when its
 * sealed file is gone (the segment is then dead). */
static cu_rc load_line(struct trail_index *ix, const struct entry *e, struct buf *tmp,
                       const char **line)
{
    cu_rc rc = CU_OK;
    struct seg *s = &ix->segs[e->seg];

    if (!s->gz) {
        buf_reset(tmp);
        TRY(buf_reserve(tmp, e->len));
        ENSURE(pread(s->fd, tmp->p, e->len, (off_t)e->off) == (ssize_t)e->len, CU_E_STORE);
        tmp->n = e->len;
        *line = tmp->p;
        goto out;
    }
    if (s->fd < 0) { /* closed again when the lookup ends (close_sealed) */
        s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) { /* removed by retention since the last look */
            s->dead = true;
            *line = NULL;
            goto out;
        }
    }
    TRY(gz_seek_read(s->gz, s->fd, e->off, e->len, line));
out:
    return rc;
}

/* Close the sealed files a lookup opened: nothing holds one retention may remove. */
static void close_sealed(struct trail_index *ix)
{
    for (size_t i = 0; i < ix->nsegs; i++)
        if (ix->segs[i].gz && ix->segs[i].fd >= 0) {
            close(ix->segs[i].fd);
            ix->segs[i].fd = -1;
        }
}

static bool hash_matches(const struct trail_index *ix, const struct entry *e,
                         enum trail_attr attr, uint32_t h)
{
    bool type = attr == TRAIL_ATTR_RESOURCE_TYPE;

    if (attr == TRAIL_ATTR_NONE)
        return true;
    if (type || attr == TRAIL_ATTR_RESOURCE_NAME) {
        for (size_t i = 0; i < e->nres; i++)
            if (ix->res[e->res + 2 * i + (type ? 0 : 1)] == h)
                return true;
        return false;
    }
    return e->h[attr - 1 - (attr > TRAIL_ATTR_RESOURCE_NAME ? 2 : 0)] == h;
}

cu_rc trail_index_lookup(struct trail_index *ix, const struct trail_query *q, trail_hit_fn fn,
                         void *ctx, bool *more)
{
    cu_rc rc = CU_OK;
    uint32_t h = trail_hash32(q->value);
    size_t hits = 0, i;
    struct buf tmp;
    json_t *rec = NULL;

    buf_init(&tmp, BUF_NO_LIMIT);
    *more = false;
    pthread_mutex_lock(&ix->lock);
    TRY(trail_index_catch_up(ix));
    i = q->before < ix->n ? (size_t)q->before : ix->n;
    while (i-- > 0) {
        const struct entry *e = &ix->e[i];
        const char *line;

        if (e->tmax < q->start_s)
            break; /* nothing at or before it is recent enough */
        if (e->t < q->start_s || e->t > q->end_s || !hash_matches(ix, e, q->attr, h) ||
            ix->segs[e->seg].dead)
            continue;
        TRY(load_line(ix, e, &tmp, &line));
        if (!line)
            continue; /* its file is gone */
        json_decref(rec);
        rec = json_loadb(line, e->len, 0, NULL);
        if (!rec || !record_matches(rec, q->attr, q->value))
            continue; /* a hash collision */
        if (hits == q->max) {
            *more = true;
            break;
        }
        TRY(fn(ctx, i, rec, line, e->len));
        hits++;
    }
out:
    close_sealed(ix);
    pthread_mutex_unlock(&ix->lock);
    json_decref(rec);
    buf_release(&tmp);
    return rc;
}

cu_rc trail_index_count(struct trail_index *ix, uint64_t *n)
{
    cu_rc rc = CU_OK;

    pthread_mutex_lock(&ix->lock);
    TRY(trail_index_catch_up(ix));
    *n = ix->n;
out:
    pthread_mutex_unlock(&ix->lock);
    return rc;
}

void trail_index_get_stats(struct trail_index *ix, struct trail_index_stats *out)
{
    pthread_mutex_lock(&ix->lock);
    *out = ix->stats;
    pthread_mutex_unlock(&ix->lock);
}

void trail_index_latest(const char *data_dir, int64_t *log_ms, int64_t *digest_ms)
{
    struct trail_entry *list = NULL;
    char trail[1200], path[1400];
    struct stat st;
    size_t n = 0;

    *log_ms = *digest_ms = 0;
    snprintf(trail, sizeof(trail), "%s/%s", data_dir, AUDIT_TRAIL_SUBDIR);
    if (trail_list(trail, &list, &n) != CU_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        int64_t *to = list[i].kind == AUDIT_FILE_LOG      ? log_ms
                      : list[i].kind == AUDIT_FILE_DIGEST ? digest_ms
                                                          : NULL;

        snprintf(path, sizeof(path), "%s/%s", trail, list[i].name);
        if (to && stat(path, &st) == 0) {
            int64_t ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;

            if (ms > *to)
                *to = ms;
        }
    }
    free(list);
}
