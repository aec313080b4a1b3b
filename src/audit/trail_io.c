/* trail_io.c — the trail directory on disk (trail_io.h): listing, gzip in and out
 * (zlib, as CloudTrail's log files are gzip), and the scan that sums up a log file for its
 * digest. The scan reads the chain as it is; it does not judge it (verify.c does). */
#include "trail_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/file.h"
#include "gz_seek.h"

static int by_kind_then_number(const void *a, const void *b)
{
    const struct trail_entry *x = a, *y = b;
    int kx = x->kind == AUDIT_FILE_DIGEST, ky = y->kind == AUDIT_FILE_DIGEST;

    if (kx != ky)
        return kx - ky;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return (int)x->kind - (int)y->kind; /* a sealed file before its leftover plain copy */
}

cu_rc trail_list(const char *dir, struct trail_entry **out, size_t *n)
{
    cu_rc rc = CU_OK;
    DIR *d = opendir(dir);
    struct trail_entry *list = NULL;
    size_t cap = 0;
    struct dirent *e;

    *out = NULL;
    *n = 0;
    if (!d)
        return errno == ENOENT ? CU_OK : CU_E_STORE;
    while ((e = readdir(d))) {
        uint64_t number = 0;
        enum audit_file_kind kind = audit_file_parse_name(e->d_name, &number);

        if (kind == AUDIT_FILE_OTHER || strlen(e->d_name) >= sizeof(list[0].name))
            continue;
        if (*n == cap) {
            struct trail_entry *grown = realloc(list, (cap ? cap * 2 : 16) * sizeof(*list));
            ENSURE(grown, CU_E_NOMEM);
            list = grown;
            cap = cap ? cap * 2 : 16;
        }
        list[*n].kind = kind;
        list[*n].number = number;
        snprintf(list[*n].name, sizeof(list[*n].name), "%s", e->d_name);
        (*n)++;
    }
    if (*n)
        qsort(list, *n, sizeof(*list), by_kind_then_number);
    *out = list;
    list = NULL;
out:
    free(list);
    closedir(d);
    return rc;
}

cu_rc trail_list_settled(const char *dir, struct trail_entry **out, size_t *n)
{
    cu_rc rc = CU_OK;
    struct trail_entry *a = NULL, *b = NULL, *both;
    size_t na = 0, nb = 0, k = 0;

    *out = NULL;
    *n = 0;
    TRY(trail_list(dir, &a, &na));
    TRY(trail_list(dir, &b, &nb));
    if (na + nb == 0)
        goto out; /* an empty or missing directory */
    both = realloc(a, (na + nb) * sizeof(*a));
    ENSURE(both, CU_E_NOMEM);
    a = both;
    if (nb)
        memcpy(a + na, b, nb * sizeof(*b));
    qsort(a, na + nb, sizeof(*a), by_kind_then_number);
    for (size_t i = 0; i < na + nb; i++)
        if (k == 0 || strcmp(a[k - 1].name, a[i].name) != 0)
            a[k++] = a[i];
    *out = a;
    *n = k;
    a = NULL;
out:
    free(a);
    free(b);
    return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

cu_rc trail_load(const char *path, struct buf *out)
{
    cu_rc rc = CU_OK;
    gzFile gz;
    char chunk[65536];
    int got, fd;

    if (!ends_with(path, ".gz"))
        return file_read_all(path, out);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return CU_E_STORE;
    gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return CU_E_STORE;
    }
    while ((got = gzread(gz, chunk, sizeof(chunk))) > 0)
        TRY(buf_add(out, chunk, (size_t)got));
    ENSURE(got == 0, CU_E_STORE);
    /* zlib reads a file that is not gzip as plain bytes: a sealed file must be gzip */
    ENSURE(!gzdirect(gz), CU_E_STORE);
    /* a stream cut short reads as a clean end unless its trailer is checked */
    ENSURE(gzeof(gz), CU_E_STORE);
out:
    if (gzclose_r(gz) != Z_OK && rc == CU_OK)
        rc = CU_E_STORE; /* a bad CRC or length in the trailer */
    return rc;
}

/* The output half of a seal: a temporary file beside path, gzip-compressed into as the
 * caller goes, then synced and renamed over path (trail_gz_commit), or removed. It is one
 * gzip member whose header carries the flush mark (gz_seek.h) and whose deflate stream is
 * fully flushed at the first record's end after each GZ_SEEK_FLUSH_SPAN bytes of input:
 * a reader of the index then inflates at most that much for one record. zlib's deflate
 * directly rather than gzFile, which cannot write a header's extra field. */
struct gz_out {
    char tmp[4200];
    z_stream z;
    bool started;
    gz_header head;        /* deflate reads it when it writes the header */
    uint8_t extra[5];
    uint8_t *chunk;        /* compressed bytes on their way to fd */
    size_t since_flush;    /* input since the last full flush */
    int fd;
};

#define GZ_OUT_CHUNK 65536u

static cu_rc gz_out_open(struct gz_out *o, const char *path)
{
    cu_rc rc = CU_OK;

    memset(o, 0, sizeof(*o));
    o->fd = -1;
    ENSURE((size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.XXXXXX", path) < sizeof(o->tmp),
           (o->tmp[0] = '\0', CU_E_STORE));
    o->fd = mkostemp(o->tmp, O_CLOEXEC);
    ENSURE(o->fd >= 0, (o->tmp[0] = '\0', CU_E_STORE));
    ENSURE(fchmod(o->fd, 0600) == 0, CU_E_STORE);
    o->chunk = malloc(GZ_OUT_CHUNK);
    ENSURE(o->chunk, CU_E_NOMEM);
    /* level 6 and an 8 memLevel, as gzFile's "wb6" wrote them */
    ENSURE(deflateInit2(&o->z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK,
           CU_E_NOMEM);
    o->started = true;
    o->extra[0] = GZ_SEEK_FLUSH_ID1;
    o->extra[1] = GZ_SEEK_FLUSH_ID2;
    o->extra[2] = 1; /* the subfield's length, little-endian */
    o->extra[3] = 0;
    o->extra[4] = GZ_SEEK_FLUSH_VERSION;
    o->head.extra = o->extra;
    o->head.extra_len = sizeof(o->extra);
    o->head.os = 3; /* Unix, as gzFile writes it; no name, no time */
    ENSURE(deflateSetHeader(&o->z, &o->head) == Z_OK, CU_E_STORE);
out:
    return rc;
}

static cu_rc write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t put = write(fd, p, n);

        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return CU_E_STORE;
        p += put;
        n -= (size_t)put;
    }
    return CU_OK;
}

/* Deflate data (at most a uInt) with flush, writing out what comes. */
static cu_rc gz_out_deflate(struct gz_out *o, struct bytes data, int flush)
{
    cu_rc rc = CU_OK;
    int z;

    o->z.next_in = (Bytef *)data.p;
    o->z.avail_in = (uInt)data.n;
    do {
        o->z.next_out = o->chunk;
        o->z.avail_out = GZ_OUT_CHUNK;
        z = deflate(&o->z, flush);
        ENSURE(z == Z_OK || z == Z_STREAM_END || z == Z_BUF_ERROR, CU_E_STORE);
        TRY(write_all(o->fd, o->chunk, GZ_OUT_CHUNK - o->z.avail_out));
    } while (o->z.avail_out == 0 || o->z.avail_in > 0);
    ENSURE(flush != Z_FINISH || z == Z_STREAM_END, CU_E_STORE);
out:
    return rc;
}

/* Records (whole lines, or any bytes: a flush waits for a newline), a full flush after
 * the first newline past each GZ_SEEK_FLUSH_SPAN bytes. */
static cu_rc gz_out_add(struct gz_out *o, struct bytes data)
{
    cu_rc rc = CU_OK;

    for (size_t at = 0; at < data.n;) {
        size_t rest = data.n - at, take = rest;
        /* bytes until the span is full (at least the one that may be its newline) */
        size_t need = o->since_flush < GZ_SEEK_FLUSH_SPAN ? GZ_SEEK_FLUSH_SPAN - o->since_flush : 1;
        const uint8_t *nl = NULL;
        int flush = Z_NO_FLUSH;

        if (rest > need - 1) /* the newline that ends the span's last record */
            nl = memchr(data.p + at + need - 1, '\n', rest - (need - 1));
        if (nl) {
            take = (size_t)(nl - (data.p + at)) + 1;
            flush = Z_FULL_FLUSH;
        }
        if (take > (1u << 30)) { /* deflate's counts are uInt */
            take = 1u << 30;
            flush = Z_NO_FLUSH;
        }
        TRY(gz_out_deflate(o, bytes_of(data.p + at, take), flush));
        o->since_flush = flush == Z_FULL_FLUSH ? 0 : o->since_flush + take;
        at += take;
    }
out:
    return rc;
}

/* Finish the stream, sync it and rename it over path (commit), or throw it away (rc not
 * CU_OK). Returns rc, or the commit's own failure. */
static cu_rc gz_out_close(struct gz_out *o, const char *path, cu_rc rc)
{
    if (o->started) {
        if (rc == CU_OK)
            rc = gz_out_deflate(o, bytes_of(NULL, 0), Z_FINISH);
        deflateEnd(&o->z);
        o->started = false;
    }
    free(o->chunk);
    o->chunk = NULL;
    if (rc == CU_OK && (fsync(o->fd) != 0 || rename(o->tmp, path) != 0))
        rc = CU_E_STORE;
    if (rc == CU_OK) {
        o->tmp[0] = '\0';
        /* written and synced: its pages need not stay cached for anyone */
        (void)posix_fadvise(o->fd, 0, 0, POSIX_FADV_DONTNEED);
        rc = file_sync_dir_of(path);
    }
    if (o->fd >= 0)
        close(o->fd);
    if (o->tmp[0])
        (void)unlink(o->tmp);
    return rc;
}

cu_rc trail_write_gz(const char *path, struct bytes data)
{
    struct gz_out o;
    cu_rc rc = gz_out_open(&o, path);

    if (rc == CU_OK)
        rc = gz_out_add(&o, data);
    return gz_out_close(&o, path, rc);
}

void trail_scan_begin(struct trail_scanner *sc, const char *name, struct audit_log_seal *seal)
{
    memset(seal, 0, sizeof(*seal));
    snprintf(seal->file, sizeof(seal->file), "%s", name);
    sc->seal = seal;
    sc->end = 0;
    digest_sha256_begin(&sc->hash);
}

/* One record's line, without its newline. */
static void scan_line(struct trail_scanner *sc, const char *p, size_t len)
{
    struct audit_log_seal *seal = sc->seal;
    int64_t t;

    if (seal->records == 0 && !audit_chain_prev_of(p, len, seal->previous))
        snprintf(seal->previous, sizeof(seal->previous), "%s", "");
    audit_chain_hash_line(p, len, seal->last);
    if (seal->records == 0)
        memcpy(seal->first, seal->last, sizeof(seal->first));
    if (audit_chain_event_time(p, len, &t)) {
        if (!seal->oldest_s || t < seal->oldest_s)
            seal->oldest_s = t;
        if (t > seal->newest_s)
            seal->newest_s = t;
    }
    seal->records++;
}

void trail_scan_lines(struct trail_scanner *sc, struct bytes lines)
{
    const char *p = (const char *)lines.p;

    for (size_t at = 0; at < lines.n;) {
        const char *nl = memchr(p + at, '\n', lines.n - at);
        size_t len = (size_t)(nl - (p + at));

        scan_line(sc, p + at, len);
        at += len + 1;
    }
    digest_sha256_add(&sc->hash, lines);
    sc->end += lines.n;
}

void trail_scan_end(struct trail_scanner *sc)
{
    uint8_t md[DIGEST_SHA256_LEN];

    digest_sha256_end(&sc->hash, md);
    audit_hash_hex(md, sc->seal->hash);
}

void trail_scan(struct bytes data, const char *name, struct audit_log_seal *seal, size_t *end)
{
    const char *p = (const char *)data.p, *last_nl = data.n ? memrchr(p, '\n', data.n) : NULL;
    struct trail_scanner sc;

    trail_scan_begin(&sc, name, seal);
    trail_scan_lines(&sc, bytes_of(p, last_nl ? (size_t)(last_nl - p) + 1 : 0));
    trail_scan_end(&sc);
    *end = sc.end;
}

/* The window: anonymous pages of its own rather than the heap, so that its memory goes
 * back to the system when the seal ends (a freed block this large would stay in the
 * sealer thread's malloc arena). */
static char *window_new(size_t cap)
{
    void *m = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    return m == MAP_FAILED ? NULL : m;
}

/* A line longer than the window: a window twice as large, holding the same `have` bytes. */
static cu_rc window_grow(char **win, size_t *cap, size_t have)
{
    char *bigger = *cap <= SIZE_MAX / 2 ? window_new(*cap * 2) : NULL;

    if (!bigger)
        return CU_E_NOMEM;
    memcpy(bigger, *win, have);
    munmap(*win, *cap);
    *win = bigger;
    *cap *= 2;
    return CU_OK;
}

cu_rc trail_seal_file(int fd, const char *gz_path, const char *name, size_t window,
                      struct audit_log_seal *seal)
{
    cu_rc rc = CU_OK;
    struct trail_scanner sc;
    struct gz_out o = {.fd = -1};
    size_t cap = window ? window : TRAIL_SEAL_WINDOW, have = 0;
    char *win = window_new(cap);
    off_t off = 0, dropped = 0;

    trail_scan_begin(&sc, name, seal);
    ENSURE(win, CU_E_NOMEM);
    TRY(gz_out_open(&o, gz_path));
    for (;;) {
        ssize_t got;
        const char *last_nl;
        size_t total, done;

        if (have == cap)
            TRY(window_grow(&win, &cap, have));
        got = pread(fd, win + have, cap - have, off);
        if (got < 0 && errno == EINTR)
            continue;
        ENSURE(got >= 0, CU_E_STORE);
        if (got == 0)
            break; /* what is left after the last newline is not a record: not sealed */
        off += got;
        total = have + (size_t)got;
        last_nl = memrchr(win, '\n', total);
        if (!last_nl) {
            have = total;
            continue;
        }
        done = (size_t)(last_nl - win) + 1;
        trail_scan_lines(&sc, bytes_of(win, done));
        TRY(gz_out_add(&o, bytes_of(win, done)));
        have = total - done;
        memmove(win, win + done, have);
        /* the pages read so far are not read again: out of the page cache with them */
        if (off - (off_t)have > dropped) /* (a length of 0 would mean "to the end") */
            (void)posix_fadvise(fd, dropped, off - (off_t)have - dropped, POSIX_FADV_DONTNEED);
        dropped = off - (off_t)have;
    }
    trail_scan_end(&sc);
out:
    rc = gz_out_close(&o, gz_path, rc); /* safe on a stream never opened */
    if (win)
        munmap(win, cap);
    return rc;
}
