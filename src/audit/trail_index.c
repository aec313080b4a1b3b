/* trail_index.c — the in-memory index of the trail's records (trail_index.h). Files are
 * segments, each read through a descriptor the index holds (which keeps reading the same
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

#include "core/file.h"
#include "core/log.h"
#include "crypto/digest.h"
#include "gz_seek.h"
#include "trail_idx.h"
#include "trail_index.h"
#include "trail_io.h"

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

static const char *const attr_names[] = {NULL, "EventId", "EventName", "ReadOnly", "Username",
                                         "ResourceType", "ResourceName", "EventSource",
                                         "AccessKeyId"};

enum trail_attr trail_attr_parse(const char *key)
{
    for (size_t i = 1; key && i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
        if (strcmp(key, attr_names[i]) == 0)
            return (enum trail_attr)i;
    return TRAIL_ATTR_NONE;
}

static uint32_t hash32(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (; s && *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static const char *member(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

const char *trail_record_attr(const json_t *rec, enum trail_attr attr)
{
    const json_t *who = json_object_get(rec, "userIdentity");
    const char *name = member(who, "userName"), *type = member(who, "type");
    const char *arn = member(who, "arn"), *slash = arn ? strrchr(arn, '/') : NULL;

    switch (attr) {
    case TRAIL_ATTR_EVENT_ID: return member(rec, "eventID");
    case TRAIL_ATTR_EVENT_NAME: return member(rec, "eventName");
    case TRAIL_ATTR_EVENT_SOURCE: return member(rec, "eventSource");
    case TRAIL_ATTR_ACCESS_KEY_ID: return member(who, "accessKeyId");
    case TRAIL_ATTR_READ_ONLY:
        if (!json_is_boolean(json_object_get(rec, "readOnly")))
            return NULL;
        return json_is_true(json_object_get(rec, "readOnly")) ? "true" : "false";
    case TRAIL_ATTR_USERNAME:
        /* CloudTrail's Username: the user's name, a role session's name, "root" */
        if (name)
            return name;
        if (type && strcmp(type, "Root") == 0)
            return "root";
        if (type && strcmp(type, "AssumedRole") == 0 && slash)
            return slash + 1;
        return NULL;
    default: return NULL;
    }
}

size_t trail_record_resources(const json_t *rec)
{
    return json_array_size(json_object_get(rec, "resources"));
}

const char *trail_record_resource(const json_t *rec, size_t i, enum trail_attr attr)
{
    const json_t *r = json_array_get(json_object_get(rec, "resources"), i);

    return member(r, attr == TRAIL_ATTR_RESOURCE_TYPE ? "type" : "ARN");
}

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

static cu_rc catch_up(struct trail_index *ix);
static void forget(struct trail_index *ix);

/* The first pass off the caller's thread: a lookup that comes before it ends waits for
 * the lock; one that finds it failed (a file unreadable) runs it again. */
static void *build_thread(void *arg)
{
    struct trail_index *ix = arg;

    pthread_mutex_lock(&ix->lock);
    /* a lookup that came first did the pass: nothing is left to do here */
    if (!ix->built && catch_up(ix) != CU_OK && !ix->stopping)
        log_warn("audit: the trail's index could not be built; the next lookup tries again");
    else
        log_info("audit: the trail's index holds %zu records (sealed files: %llu from their "
                 ".idx, %llu read)", ix->n, (unsigned long long)ix->stats.idx_loaded,
                 (unsigned long long)ix->stats.files_read);
    pthread_mutex_unlock(&ix->lock);
    return NULL;
}

cu_rc trail_index_new(const char *data_dir, struct trail_index **out)
{
    struct trail_index *ix = calloc(1, sizeof(*ix));

    if (!ix)
        return CU_E_NOMEM;
    pthread_mutex_init(&ix->lock, NULL);
    str_copy(ix->dir, sizeof(ix->dir), data_dir);
    ix->live = SIZE_MAX;
    ix->building = pthread_create(&ix->builder, NULL, build_thread, ix) == 0;
    *out = ix;
    return CU_OK;
}

void trail_index_free(struct trail_index *ix)
{
    if (!ix)
        return;
    ix->stopping = true;
    if (ix->building)
        pthread_join(ix->builder, NULL);
    forget(ix);
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

static cu_rc add_seg(struct trail_index *ix, const char *path, int fd, size_t *id)
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
static cu_rc push_entry(struct trail_index *ix, size_t seg, int64_t t, uint64_t off, uint32_t len,
                        const uint32_t h[N_HASHED], const uint32_t *res, size_t nres)
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

/* Index one record line; false when it is not a record (does not parse). */
static cu_rc add_line(struct trail_index *ix, size_t seg, uint64_t off, const char *line,
                      size_t len, bool *parsed)
{
    cu_rc rc = CU_OK;
    json_t *rec = json_loadb(line, len, 0, NULL);
    uint32_t h[N_HASHED], res[2 * MAX_RES];
    int64_t t = 0;
    size_t nres;

    *parsed = rec != NULL;
    if (!rec)
        return CU_OK;
    nres = trail_record_resources(rec);
    nres = nres > MAX_RES ? MAX_RES : nres;
    (void)audit_chain_event_time(line, len, &t);
    for (int a = TRAIL_ATTR_EVENT_ID; a <= TRAIL_ATTR_ACCESS_KEY_ID; a++)
        if (a != TRAIL_ATTR_RESOURCE_TYPE && a != TRAIL_ATTR_RESOURCE_NAME)
            h[a - 1 - (a > TRAIL_ATTR_RESOURCE_NAME ? 2 : 0)] =
                hash32(trail_record_attr(rec, (enum trail_attr)a));
    for (size_t i = 0; i < nres; i++) {
        res[2 * i] = hash32(trail_record_resource(rec, i, TRAIL_ATTR_RESOURCE_TYPE));
        res[2 * i + 1] = hash32(trail_record_resource(rec, i, TRAIL_ATTR_RESOURCE_NAME));
    }
    TRY(push_entry(ix, seg, t, off, (uint32_t)len, h, res, nres));
out:
    json_decref(rec);
    return rc;
}

/* Index the complete lines of p[0..n) (base: their offset in the file); *used: the bytes
 * up to the last line taken. live: a line with a NUL or that does not parse is a record
 * still being copied in, and ends the pass; in a finished file it is skipped. */
static cu_rc add_lines(struct trail_index *ix, size_t seg, uint64_t base, const char *p,
                       size_t n, bool live, size_t *used)
{
    cu_rc rc = CU_OK;
    size_t at = 0;
    const char *nl;
    bool parsed;

    *used = 0;
    while (at < n && (nl = memchr(p + at, '\n', n - at))) {
        size_t len = (size_t)(nl - (p + at));

        if (len && memchr(p + at, '\0', len)) {
            if (live)
                break;
        } else if (len) {
            TRY(add_line(ix, seg, base + at, p + at, len, &parsed));
            if (!parsed && live)
                break;
        }
        at += len + 1;
        *used = at;
    }
out:
    return rc;
}

/* Read what a plain file gained since the last pass. */
static cu_rc read_plain(struct trail_index *ix, size_t seg, bool live)
{
    cu_rc rc = CU_OK;
    char *chunk = malloc(READ_CHUNK);
    size_t used;
    ssize_t got;

    ENSURE(chunk, CU_E_NOMEM);
    for (;;) {
        struct seg *s = &ix->segs[seg];

        got = pread(s->fd, chunk, READ_CHUNK, (off_t)s->done);
        ENSURE(got >= 0, CU_E_STORE);
        if (got == 0)
            break;
        TRY(add_lines(ix, seg, s->done, chunk, (size_t)got, live, &used));
        if (used == 0)
            break; /* no whole line: the reserved tail, or a record being written */
        ix->segs[seg].done += used;
    }
out:
    free(chunk);
    return rc;
}

/* Open DIR/audit.log as the live segment (none while it is missing). A file the index
 * already has unnamed (a rotation the writer undid, putting the file back) is that
 * segment again, never a second copy of its records. */
static cu_rc open_live(struct trail_index *ix)
{
    char path[1300];
    struct stat st;
    int fd;

    snprintf(path, sizeof(path), "%s/audit.log", ix->dir);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? CU_OK : CU_E_STORE;
    if (fstat(fd, &st) == 0)
        for (size_t i = 0; i < ix->nsegs; i++)
            if (!ix->segs[i].named && !ix->segs[i].dead && ix->segs[i].ino == st.st_ino &&
                ix->segs[i].dev == st.st_dev) {
                close(fd);
                ix->live = i;
                return CU_OK;
            }
    return add_seg(ix, path, fd, &ix->live);
}

/* Drop every segment and record (a failed first pass is begun again from nothing). */
static void forget(struct trail_index *ix)
{
    for (size_t i = 0; i < ix->nsegs; i++) {
        gz_seek_free(ix->segs[i].gz);
        if (ix->segs[i].fd >= 0)
            close(ix->segs[i].fd);
    }
    ix->nsegs = ix->n = ix->nres = 0;
    ix->live = SIZE_MAX;
    ix->max_number = 0;
    ix->any_number = false;
}

/* Do the first bytes of plain segment s read as head, a gzip file's first inflated bytes?
 * (A record's first bytes hold its eventID: the same file, compressed.) */
static bool same_records(const struct seg *s, struct bytes head)
{
    char mine[HEAD_LEN];
    ssize_t got = pread(s->fd, mine, sizeof(mine), 0);

    return got > 0 && head.n >= (size_t)got && memcmp(mine, head.p, (size_t)got) == 0;
}

/* The oldest plain segment no file number names yet — the live file, or one the index
 * followed through a rotation —, or SIZE_MAX. */
static size_t oldest_unnamed(const struct trail_index *ix)
{
    for (size_t i = 0; i < ix->nsegs; i++)
        if (!ix->segs[i].named && !ix->segs[i].dead)
            return i;
    return SIZE_MAX;
}

/* The unnamed segment that is the file at fd (a plain file: the same inode; a gzip one:
 * the same first bytes as head), or SIZE_MAX. Oldest first: rotations keep order. */
static size_t unnamed_match(const struct trail_index *ix, int fd, const struct bytes *head)
{
    struct stat st;

    if (!head && fstat(fd, &st) != 0)
        return SIZE_MAX;
    for (size_t i = 0; i < ix->nsegs; i++) {
        const struct seg *s = &ix->segs[i];

        if (s->named || s->dead)
            continue;
        if (head ? same_records(s, *head) : st.st_ino == s->ino && st.st_dev == s->dev)
            return i;
    }
    return SIZE_MAX;
}

/* The .idx beside the sealed file gz_path (trail_N_T.jsonl.gz -> trail_N_T.idx); "" for
 * a name of another form. */
static void idx_path_of(const char *gz_path, char *out, size_t cap)
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
static void save_idx(struct trail_index *ix, size_t seg, int fd)
{
    struct seg *s = &ix->segs[seg];
    struct trail_idx x = {0};
    struct trail_idx_rec *recs = NULL;
    struct buf out;
    char path[1310], why[128] = "out of memory";

    idx_path_of(s->path, path, sizeof(path));
    if (!s->gz || s->scattered || !path[0])
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
static cu_rc load_idx(struct trail_index *ix, const char *path, int fd, bool *taken)
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
    idx_path_of(path, ipath, sizeof(ipath));
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
    TRY(add_seg(ix, path, -1, &seg));
    ix->segs[seg].gz = gz;
    ix->segs[seg].named = true;
    gz = NULL;
    for (size_t i = 0; i < x.nrecs; i++) {
        const struct trail_idx_rec *r = &x.recs[i];

        TRY(push_entry(ix, seg, r->t, r->off, r->len, r->h, x.res + at, r->nres));
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

/* Segment seg (plain) is now read from the gzip file at fd (inflated: its text): the
 * records after what was read of it are indexed from there, and its .idx written. */
static cu_rc switch_to_gz(struct trail_index *ix, size_t seg, int fd, struct gz_seek *gz,
                          const struct buf *inflated, const char *path)
{
    cu_rc rc = CU_OK;
    struct seg *s = &ix->segs[seg];
    size_t used;

    close(s->fd);
    s->fd = -1;
    s->gz = gz;
    s->named = true;
    str_copy(s->path, sizeof(s->path), path);
    if (seg == ix->live)
        ix->live = SIZE_MAX;
    if (s->done < inflated->n)
        TRY(add_lines(ix, seg, s->done, inflated->p + s->done, inflated->n - (size_t)s->done,
                      false, &used));
    save_idx(ix, seg, fd);
out:
    close(fd); /* reopened by path when a line is read */
    return rc;
}

/* A sealed file no segment is: from its .idx, else inflated and read whole (and its .idx
 * written). */
static cu_rc take_sealed(struct trail_index *ix, const char *path, int fd, struct buf *data)
{
    cu_rc rc = CU_OK;
    struct gz_seek *gz = NULL;
    size_t seg, used;
    bool taken;

    TRY(load_idx(ix, path, fd, &taken));
    if (taken)
        goto out;
    buf_reset(data);
    TRY(gz_seek_open(fd, data, &gz));
    TRY(add_seg(ix, path, -1, &seg));
    ix->segs[seg].gz = gz;
    ix->segs[seg].named = true;
    gz = NULL;
    TRY(add_lines(ix, seg, 0, data->p, data->n, false, &used));
    ix->stats.files_read++;
    save_idx(ix, seg, fd);
out:
    gz_seek_free(gz);
    return rc;
}

/* A file of the trail numbered after every one known: the oldest unnamed segment, renamed
 * (a rotated live file, perhaps sealed meanwhile), or one the index never saw, indexed
 * whole. */
static cu_rc take_file(struct trail_index *ix, const struct trail_entry *t, const char *path,
                       struct buf *data)
{
    cu_rc rc = CU_OK;
    size_t cand, seg, hn;
    struct gz_seek *gz = NULL;
    enum audit_file_kind kind = t->kind;
    char gz_path[1410];
    uint8_t head[HEAD_LEN];
    struct bytes h;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT && kind == AUDIT_FILE_PENDING) {
        /* sealed since the listing: the sealer writes the gzip copy before it removes the
         * plain file, so the copy is there */
        snprintf(gz_path, sizeof(gz_path), "%s.gz", path);
        path = gz_path;
        kind = AUDIT_FILE_LOG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0 && errno == ENOENT) {
        ix->max_number = t->number; /* removed by retention since the listing */
        goto out;
    }
    ENSURE(fd >= 0, CU_E_STORE);
    ix->max_number = t->number;
    if (kind == AUDIT_FILE_PENDING) {
        cand = unnamed_match(ix, fd, NULL);
        if (cand != SIZE_MAX) {
            close(fd); /* the same file: go on through the descriptor held */
            fd = -1;
            ix->segs[cand].named = true;
            str_copy(ix->segs[cand].path, sizeof(ix->segs[cand].path), path);
            if (cand == ix->live)
                ix->live = SIZE_MAX;
            TRY(read_plain(ix, cand, false));
            goto out;
        }
        TRY(add_seg(ix, path, fd, &seg));
        fd = -1;
        ix->segs[seg].named = true;
        TRY(read_plain(ix, seg, false));
        goto out;
    }
    /* its first bytes tell whether it is a segment followed so far as a plain file */
    TRY(gz_seek_head(fd, head, sizeof(head), &hn));
    h = bytes_of(head, hn);
    cand = unnamed_match(ix, fd, &h);
    if (cand == SIZE_MAX) {
        TRY(take_sealed(ix, path, fd, data));
        goto out;
    }
    buf_reset(data);
    TRY(gz_seek_open(fd, data, &gz));
    rc = switch_to_gz(ix, cand, fd, gz, data, path);
    fd = -1;
    gz = NULL;
out:
    gz_seek_free(gz);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The trail's files numbered after every one known, in order. */
static cu_rc take_new_files(struct trail_index *ix, struct buf *data)
{
    cu_rc rc = CU_OK;
    struct trail_entry *list = NULL;
    char trail[1200], path[1400];
    size_t n = 0;

    snprintf(trail, sizeof(trail), "%s/%s", ix->dir, AUDIT_TRAIL_SUBDIR);
    TRY(trail_list_settled(trail, &list, &n));
    for (size_t i = 0; i < n; i++) {
        ENSURE(!ix->stopping, CU_E_UNAVAILABLE);
        if ((list[i].kind != AUDIT_FILE_LOG && list[i].kind != AUDIT_FILE_PENDING) ||
            (ix->any_number && list[i].number <= ix->max_number))
            continue;
        /* a file being sealed: its gzip copy (listed first) and its plain one; one of them */
        if (list[i].kind == AUDIT_FILE_PENDING && i > 0 && list[i - 1].kind == AUDIT_FILE_LOG &&
            list[i - 1].number == list[i].number)
            continue;
        snprintf(path, sizeof(path), "%s/%s", trail, list[i].name);
        TRY(take_file(ix, &list[i], path, data));
        ix->any_number = true;
    }
out:
    free(list);
    return rc;
}

/* Named files that went away: a plain one sealed (read from its gzip copy from now on),
 * a sealed one removed by retention (its records are no longer found). */
static cu_rc follow_removals(struct trail_index *ix, struct buf *data)
{
    cu_rc rc = CU_OK;
    char gz_path[1310];
    struct stat st;

    for (size_t i = 0; i < ix->nsegs; i++) {
        struct seg *s = &ix->segs[i];
        struct gz_seek *gz = NULL;
        int fd;

        if (!s->named || s->dead || stat(s->path, &st) == 0)
            continue;
        snprintf(gz_path, sizeof(gz_path), "%s.gz", s->path);
        fd = s->gz ? -1 : open(gz_path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            buf_reset(data);
            rc = gz_seek_open(fd, data, &gz);
            if (rc == CU_OK && same_records(s, bytes_of(data->p, data->n))) {
                TRY(switch_to_gz(ix, i, fd, gz, data, gz_path));
                continue;
            }
            gz_seek_free(gz);
            close(fd);
            TRY(rc);
        }
        s->dead = true;
        if (s->gz) { /* retention removed it: its .idx goes too */
            idx_path_of(s->path, gz_path, sizeof(gz_path));
            if (gz_path[0])
                (void)unlink(gz_path);
        }
        gz_seek_free(s->gz);
        s->gz = NULL;
        if (s->fd >= 0)
            close(s->fd);
        s->fd = -1;
    }
out:
    return rc;
}

/* Has the live file been renamed away? Missing counts: the writer renames it before it
 * begins the next one. */
static bool live_rotated(const struct trail_index *ix)
{
    const struct seg *s = &ix->segs[ix->live];
    char path[1300];
    struct stat st;

    snprintf(path, sizeof(path), "%s/audit.log", ix->dir);
    if (stat(path, &st) != 0)
        return errno == ENOENT;
    return st.st_ino != s->ino || st.st_dev != s->dev;
}

/* Read what the trail gained (the first pass: all of it). A live file renamed away
 * (rotated) is finished through its descriptor (the writer renames under its lock, after
 * every record of the old file was copied in, so nothing reaches it after). Then the
 * next live file is opened *before* the trail is listed: every file rotated before that
 * open is in the listing (a rotated file is in DIR/audit-trail from its rename on, as
 * plain, gzip or both, until retention), so the files numbered after those known are
 * taken in order — the old live file named, those rotated and sealed in between read
 * whole — and none is missed. If the file just opened was itself rotated before the
 * listing, the listing names it, and the next live file is opened and the trail listed
 * again. Without a rotation nothing new can be in the trail, and it is not listed. */
static cu_rc catch_up(struct trail_index *ix)
{
    cu_rc rc = CU_OK;
    struct buf data;
    bool list, missing = false;
    size_t unnamed = oldest_unnamed(ix);

    buf_init(&data, BUF_NO_LIMIT);
    /* a rotated file still to name (one whose copy the listing did not show yet) */
    list = !ix->built || (unnamed != SIZE_MAX && unnamed != ix->live);
    if (ix->live != SIZE_MAX && live_rotated(ix)) {
        TRY(read_plain(ix, ix->live, false));
        ix->live = SIZE_MAX;
    }
    for (;;) {
        ENSURE(!ix->stopping, CU_E_UNAVAILABLE);
        if (ix->live == SIZE_MAX && !missing) {
            TRY(open_live(ix));
            missing = ix->live == SIZE_MAX; /* between a rename and the next file */
            list = true;
        }
        if (!list)
            break;
        TRY(take_new_files(ix, &data));
        list = false;
        if (ix->live != SIZE_MAX || missing)
            break;
    }
    TRY(follow_removals(ix, &data));
    if (ix->live != SIZE_MAX)
        TRY(read_plain(ix, ix->live, true));
    ix->built = true;
out:
    buf_release(&data);
    if (rc != CU_OK && !ix->built)
        forget(ix); /* the first pass could not read a file: it starts over */
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
    uint32_t h = hash32(q->value);
    size_t hits = 0, i;
    struct buf tmp;
    json_t *rec = NULL;

    buf_init(&tmp, BUF_NO_LIMIT);
    *more = false;
    pthread_mutex_lock(&ix->lock);
    TRY(catch_up(ix));
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
    TRY(catch_up(ix));
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
