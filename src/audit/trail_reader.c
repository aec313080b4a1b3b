/* trail_reader.c — a trail a record at a time (trail_reader.h). The files come in
 * trail_list's order; each is read through zlib's gzread, which inflates a sealed file
 * and reads a plain one as it is, READER_CHUNK bytes at a time into one buffer holding the
 * line being returned and what was read after it. The buffer grows only for a line longer
 * than itself, so a reader's memory is about one chunk and zlib's window, however large
 * its trail. A sealed file must be a whole gzip stream, as trail_load requires. */
#include "trail_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "trail_io.h"

#define READER_CHUNK (64u << 10)

struct trail_reader {
    char trail[1100];     /* DIR/audit-trail */
    char live_path[1100]; /* DIR/audit.log */
    char path[1300];      /* the file open (or that failed) */
    struct trail_entry *files;
    size_t n_files, next_file;
    bool live_taken; /* audit.log, after every listed file, was opened (or absent) */
    gzFile gz;       /* the file being read; NULL between files */
    bool sealed;     /* it is a sealed log file: gzip, whole */
    bool live;       /* it is audit.log */
    bool at_eof;     /* gzread has nothing more of it */
    char *buf;
    size_t cap, at, end; /* buf[at, end): read and not yet returned */
};

cu_rc trail_reader_open(const char *data_dir, struct trail_reader **out)
{
    cu_rc rc = CU_OK;
    struct trail_reader *r = calloc(1, sizeof(*r));

    *out = NULL;
    ENSURE(r, CU_E_NOMEM);
    /* a missing DIR is a mistake, not a trail with no records (a DIR/audit-trail missing
     * is: a node that has not sealed a file yet) */
    ENSURE(access(data_dir, R_OK | X_OK) == 0, CU_E_STORE);
    ENSURE((size_t)snprintf(r->trail, sizeof(r->trail), "%s/%s", data_dir, AUDIT_TRAIL_SUBDIR) <
                   sizeof(r->trail) &&
               (size_t)snprintf(r->live_path, sizeof(r->live_path), "%s/audit.log", data_dir) <
                   sizeof(r->live_path),
           CU_E_STORE);
    TRY(trail_list(r->trail, &r->files, &r->n_files));
    r->cap = READER_CHUNK;
    r->buf = malloc(r->cap);
    ENSURE(r->buf, CU_E_NOMEM);
    *out = r;
    r = NULL;
out:
    trail_reader_free(r);
    return rc;
}

/* The next file's path into r->path; false when every file has been read. */
static bool next_path(struct trail_reader *r)
{
    while (r->next_file < r->n_files) {
        const struct trail_entry *e = &r->files[r->next_file++];
        const struct trail_entry *before = r->next_file > 1 ? e - 1 : NULL;

        if (e->kind != AUDIT_FILE_LOG && e->kind != AUDIT_FILE_PENDING)
            continue;
        /* a crash after compressing a file and before removing its plain copy: one of them
         * (trail_list puts the sealed one first) */
        if (e->kind == AUDIT_FILE_PENDING && before && before->kind == AUDIT_FILE_LOG &&
            before->number == e->number)
            continue;
        r->sealed = e->kind == AUDIT_FILE_LOG;
        r->live = false;
        snprintf(r->path, sizeof(r->path), "%s/%s", r->trail, e->name);
        return true;
    }
    if (r->live_taken)
        return false;
    r->live_taken = true;
    r->sealed = false;
    r->live = true;
    str_copy(r->path, sizeof(r->path), r->live_path);
    return true;
}

/* Open the next file; *more false at the trail's end. */
static cu_rc open_next(struct trail_reader *r, bool *more)
{
    int fd;

    *more = next_path(r);
    if (!*more)
        return CU_OK;
    fd = open(r->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && r->live) {
        *more = false; /* audit.log: a copy of the sealed files alone has none */
        return CU_OK;
    }
    if (fd < 0)
        return CU_E_STORE;
    r->gz = gzdopen(fd, "rb");
    if (!r->gz) {
        close(fd);
        return CU_E_STORE;
    }
    r->at = r->end = 0;
    r->at_eof = false;
    return CU_OK;
}

/* Done with the open file. whole: it was read to its end, so a sealed one's gzip trailer
 * (CRC and length) has been read and is checked. */
static cu_rc close_file(struct trail_reader *r, bool whole)
{
    int z = gzclose_r(r->gz);

    r->gz = NULL;
    r->at = r->end = 0;
    return whole && r->sealed && z != Z_OK ? CU_E_STORE : CU_OK;
}

/* Read more of the open file after what buf holds. */
static cu_rc fill(struct trail_reader *r)
{
    int got;

    if (r->at) {
        memmove(r->buf, r->buf + r->at, r->end - r->at);
        r->end -= r->at;
        r->at = 0;
    }
    if (r->end == r->cap) {
        char *bigger;

        if (r->cap >= TRAIL_READER_LINE_MAX)
            return CU_E_STORE;
        bigger = realloc(r->buf, r->cap * 2);
        if (!bigger)
            return CU_E_NOMEM;
        r->buf = bigger;
        r->cap *= 2;
    }
    got = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end));
    if (got < 0)
        return CU_E_STORE;
    if (got == 0) {
        r->at_eof = true;
        /* zlib reads a file that is not gzip as plain bytes, and a stream cut short as a
         * clean end unless its end is checked: a sealed file must be gzip, and whole */
        if (r->sealed && (gzdirect(r->gz) || !gzeof(r->gz)))
            return CU_E_STORE;
    }
    r->end += (size_t)got;
    return CU_OK;
}

cu_rc trail_reader_next(struct trail_reader *r, const char **line, size_t *len)
{
    cu_rc rc = CU_OK;

    *line = NULL;
    *len = 0;
    for (;;) {
        const char *p, *nl;
        bool more;
        size_t have;

        if (!r->gz) {
            TRY(open_next(r, &more));
            if (!more)
                goto out;
        }
        p = r->buf + r->at;
        have = r->end - r->at;
        nl = memchr(p, '\n', have);
        if (memchr(p, '\0', nl ? (size_t)(nl - p) : have)) {
            /* the writer's reserved space (or a record it was copying): no record follows */
            TRY(close_file(r, false));
            continue;
        }
        if (nl) {
            *line = p;
            *len = (size_t)(nl - p);
            r->at += *len + 1;
            goto out;
        }
        if (r->at_eof) { /* what follows the last newline is a torn tail, not a record */
            TRY(close_file(r, true));
            continue;
        }
        TRY(fill(r));
    }
out:
    return rc;
}

const char *trail_reader_file(const struct trail_reader *r)
{
    return r->path;
}

void trail_reader_free(struct trail_reader *r)
{
    if (!r)
        return;
    if (r->gz)
        (void)gzclose_r(r->gz);
    free(r->files);
    free(r->buf);
    free(r);
}
