/* trail_follow.c — the index following the trail's files (trail_index.h tells how): the
 * live audit.log read as it grows, a rotation followed (the renamed file finished through
 * its descriptor and named by its number once the next live file is open and the trail
 * listed), sealed files taken from their .idx or read whole, plain files read from their
 * gzip copy once sealed, files removed by retention dropped. Called with the index's lock
 * held. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/chain.h"
#include "trail_index_impl.h"
#include "trail_io.h"

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
                trail_hash32(trail_record_attr(rec, (enum trail_attr)a));
    for (size_t i = 0; i < nres; i++) {
        res[2 * i] = trail_hash32(trail_record_resource(rec, i, TRAIL_ATTR_RESOURCE_TYPE));
        res[2 * i + 1] = trail_hash32(trail_record_resource(rec, i, TRAIL_ATTR_RESOURCE_NAME));
    }
    TRY(trail_index_push_entry(ix, seg, t, off, (uint32_t)len, h, res, nres));
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
    return trail_index_add_seg(ix, path, fd, &ix->live);
}

/* Drop every segment and record (a failed first pass is begun again from nothing). */
void trail_index_forget(struct trail_index *ix)
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
    trail_index_save_idx(ix, seg, fd);
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

    TRY(trail_index_load_idx(ix, path, fd, &taken));
    if (taken)
        goto out;
    buf_reset(data);
    TRY(gz_seek_open(fd, data, &gz));
    TRY(trail_index_add_seg(ix, path, -1, &seg));
    ix->segs[seg].gz = gz;
    ix->segs[seg].named = true;
    gz = NULL;
    TRY(add_lines(ix, seg, 0, data->p, data->n, false, &used));
    ix->stats.files_read++;
    trail_index_save_idx(ix, seg, fd);
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
        TRY(trail_index_add_seg(ix, path, fd, &seg));
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
        if (s->gz && !ix->read_only) { /* retention removed it: its .idx goes too */
            trail_index_idx_path(s->path, gz_path, sizeof(gz_path));
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
cu_rc trail_index_catch_up(struct trail_index *ix)
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
        trail_index_forget(ix); /* the first pass could not read a file: it starts over */
    return rc;
}
