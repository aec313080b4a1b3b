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
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/file.h"

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

cu_rc trail_write_gz(const char *path, struct bytes data)
{
    cu_rc rc = CU_OK;
    char tmp[4200];
    gzFile gz = NULL;
    int fd = -1, dup_fd = -1;

    ENSURE((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) < sizeof(tmp), CU_E_STORE);
    fd = mkostemp(tmp, O_CLOEXEC);
    ENSURE(fd >= 0, CU_E_STORE);
    dup_fd = dup(fd);
    ENSURE(dup_fd >= 0 && fchmod(fd, 0600) == 0, CU_E_STORE);
    gz = gzdopen(dup_fd, "wb6");
    ENSURE(gz, CU_E_STORE);
    dup_fd = -1; /* gz owns it */
    for (size_t at = 0; at < data.n;) {
        unsigned n = data.n - at > (1u << 30) ? 1u << 30 : (unsigned)(data.n - at);
        ENSURE(gzwrite(gz, data.p + at, n) == (int)n, CU_E_STORE);
        at += n;
    }
    ENSURE(gzclose_w(gz) == Z_OK, CU_E_STORE);
    gz = NULL;
    ENSURE(fsync(fd) == 0 && rename(tmp, path) == 0, CU_E_STORE);
    tmp[0] = '\0';
    TRY(file_sync_dir_of(path));
out:
    if (gz)
        (void)gzclose_w(gz);
    if (dup_fd >= 0)
        close(dup_fd);
    if (fd >= 0)
        close(fd);
    if (tmp[0] && rc != CU_OK)
        (void)unlink(tmp);
    return rc;
}

void trail_scan(struct bytes data, const char *name, struct audit_log_seal *seal, size_t *end)
{
    const char *p = (const char *)data.p, *last_nl = data.n ? memrchr(p, '\n', data.n) : NULL;
    size_t at = 0;

    memset(seal, 0, sizeof(*seal));
    snprintf(seal->file, sizeof(seal->file), "%s", name);
    *end = last_nl ? (size_t)(last_nl - p) + 1 : 0;
    while (at < *end) {
        const char *nl = memchr(p + at, '\n', *end - at);
        size_t len = (size_t)(nl - (p + at));
        int64_t t;

        if (seal->records == 0 && !audit_chain_prev_of(p + at, len, seal->previous))
            snprintf(seal->previous, sizeof(seal->previous), "%s", "");
        audit_chain_hash_line(p + at, len, seal->last);
        if (seal->records == 0)
            memcpy(seal->first, seal->last, sizeof(seal->first));
        if (audit_chain_event_time(p + at, len, &t)) {
            if (!seal->oldest_s || t < seal->oldest_s)
                seal->oldest_s = t;
            if (t > seal->newest_s)
                seal->newest_s = t;
        }
        seal->records++;
        at += len + 1;
    }
    {
        uint8_t md[DIGEST_SHA256_LEN];
        digest_sha256(bytes_of(p, *end), md);
        audit_hash_hex(md, seal->hash);
    }
}
