/* file.c — atomic whole-file writes (file.h): temporary file, fsync, rename or link,
 * directory fsync. The temporary name carries a random suffix (mkostemp), so two writers
 * never share one, and a crash leaves at most a *.tmp.XXXXXX file, never a torn target. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static bool write_full(int fd, const void *p, size_t n)
{
    const char *at = p;

    while (n) {
        ssize_t put = write(fd, at, n);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return false;
        at += put;
        n -= (size_t)put;
    }
    return true;
}

cu_rc file_sync_dir_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd, ok;

    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return CU_E_STORE;
    ok = fsync(fd) == 0;
    close(fd);
    return ok ? CU_OK : CU_E_STORE;
}

cu_rc file_write_atomic(const char *path, struct bytes data, int mode, bool exclusive, char *why,
                        size_t cap)
{
    cu_rc rc = CU_OK;
    char tmp[4200];
    int fd = -1;

    snprintf(why, cap, "%s", "");
    ENSURE((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) < sizeof(tmp), CU_E_STORE);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, cap, "%s", strerror(errno));
        return CU_E_STORE;
    }
    if (fchmod(fd, (mode_t)mode) != 0 || !write_full(fd, data.p, data.n) || fsync(fd) != 0) {
        snprintf(why, cap, "%s", strerror(errno));
        rc = CU_E_STORE;
        goto out;
    }
    if (exclusive) {
        if (link(tmp, path) != 0) {
            rc = errno == EEXIST ? CU_E_STORE_EXISTS : CU_E_STORE;
            snprintf(why, cap, "%s", strerror(errno));
            goto out;
        }
    } else if (rename(tmp, path) != 0) {
        snprintf(why, cap, "%s", strerror(errno));
        rc = CU_E_STORE;
        goto out;
    } else {
        tmp[0] = '\0'; /* renamed: nothing left to remove */
    }
    rc = file_sync_dir_of(path);
out:
    if (fd >= 0)
        close(fd);
    if (tmp[0])
        (void)unlink(tmp);
    return rc;
}

cu_rc file_read_all(const char *path, struct buf *out)
{
    cu_rc rc = CU_OK;
    char chunk[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got;

    struct stat st;

    if (fd < 0)
        return CU_E_STORE;
    /* one allocation of the file's size: growing by doubling would peak at twice it (the
     * sealer reads whole log files, and the peak is custos's resident memory) */
    if (fstat(fd, &st) == 0 && st.st_size > 0)
        TRY(buf_reserve(out, (size_t)st.st_size));
    while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        ENSURE(got > 0, CU_E_STORE);
        TRY(buf_add(out, chunk, (size_t)got));
    }
out:
    close(fd);
    return rc;
}
