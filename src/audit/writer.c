/* writer.c — the audit trail on disk: DIR/audit.log, one CloudTrail record (JSON) per
 * line, appended in call order.
 *
 * Every record is in the file before its response leaves, so an answered call's record
 * survives any crash of custos; a record that cannot be written fails the call (fail
 * closed). A syncer thread makes what was written durable with fdatasync, many records per
 * sync. A call that changed state waits for that sync before it is answered, so its record
 * is exactly as durable as the change itself; a read-only call does not wait, and power
 * loss can cost at most the records of the last sync interval (AUDIT_SYNC_INTERVAL_MS) of
 * reads.
 *
 * Records are copied into a shared memory map of the file, not written with write(2). The
 * map is a window over space reserved ahead of the last record (posix_fallocate), so an
 * append is a memcpy under the trail's lock and the file's size does not change per
 * record. Both matter for speed: a write(2) per record cost more CPU than the rest of a
 * GetCallerIdentity, and on ext4 each fdatasync of a growing file holds the inode lock
 * while it writes the inode, stalling every writer behind the disk. The map lives in the
 * page cache like written data, so a killed process loses nothing it copied; fdatasync
 * covers it. While custos runs, the reserved space after the last newline reads as NUL
 * bytes; a clean stop cuts it off, and the next start cuts off whatever a crash left
 * there, including a record cut short (its call was never answered). Reserving the space
 * up front is also what keeps a full disk a clean error (the reservation fails, and so
 * does the call) rather than a fault in the copy; a disk that fails under the map (EIO)
 * ends the process with SIGBUS, which is still fail-closed: nothing unrecorded is answered.
 *
 *     append: lock ─ [window full: reserve and map the next one] ─ copy record + '\n'
 *             ─ seq = ++written ─ [durable: waiters++, wake syncer, wait synced >= seq,
 *             waiters--] ─ unlock
 *     syncer: wait until (a waiter) or (unsynced records and the interval is over)
 *             ─ fdatasync ─ synced = written ─ wake waiters
 * Without waiters the syncer runs at most once per interval however busy the trail is:
 * one fdatasync per read would cost more than the reads themselves.
 *
 * One process owns a trail: the file is locked (flock) while it is open, and a second
 * custos on the same data directory is refused. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "core/log.h"

/* How stale the disk copy of read-only calls' records may get. Each sync writes back the
 * page that holds the newest record, which the next record then dirties again; at 10 ms
 * the syncer cost twice the CPU (1 µs a call more at 20,000 calls a second) and doubled
 * the 99th-percentile latency under load, for a window that matters only on power loss. */
#define AUDIT_SYNC_INTERVAL_MS 50
#define AUDIT_WINDOW (4u << 20) /* bytes reserved and mapped at a time */

struct audit_writer {
    int fd;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t pending, synced_cond;
    uint64_t written, synced;
    unsigned waiters;         /* durable appends waiting for the next sync */
    bool sync_failed, stopping;
    char *map;                /* map_len bytes of the file from offset map_off */
    off_t map_off;
    size_t map_len;
    off_t end;                /* the records end here; reserved NULs follow */
};

static size_t page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);

    return n > 0 ? (size_t)n : 4096;
}

/* Make [end, end + need) writable through the map: reserve the file space (so a later
 * store into it cannot fail for want of disk) and map a window starting at the page that
 * holds `end`. Called with the lock held. */
static cu_rc reserve(struct audit_writer *w, size_t need)
{
    off_t start;
    size_t len;
    void *m;
    int e;

    if (w->map && w->end + (off_t)need <= w->map_off + (off_t)w->map_len)
        return CU_OK;
    start = w->end - w->end % (off_t)page_size();
    len = (size_t)(w->end - start) + need;
    len = (len + AUDIT_WINDOW - 1) / AUDIT_WINDOW * AUDIT_WINDOW;
    e = posix_fallocate(w->fd, start, (off_t)len);
    if (e != 0) {
        log_error("audit: cannot reserve %zu bytes for the trail: %s", len, strerror(e));
        return CU_E_STORE;
    }
    m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, start);
    if (m == MAP_FAILED) {
        log_error("audit: cannot map the trail: %s", strerror(errno));
        return CU_E_STORE;
    }
    if (w->map)
        munmap(w->map, w->map_len);
    w->map = m;
    w->map_off = start;
    w->map_len = len;
    return CU_OK;
}

/* Where the records of an existing trail end: after its last newline. Whatever follows —
 * NULs reserved by a run that did not stop cleanly, and perhaps the head of a record
 * whose copy a crash interrupted — is not a record. Returns -1 on a read error. */
static off_t records_end(int fd)
{
    struct stat st;
    char chunk[65536];
    off_t at;

    if (fstat(fd, &st) != 0)
        return -1;
    at = st.st_size;
    while (at > 0) {
        size_t n = at < (off_t)sizeof(chunk) ? (size_t)at : sizeof(chunk);
        ssize_t got = pread(fd, chunk, n, at - (off_t)n);

        if (got != (ssize_t)n)
            return -1;
        for (size_t i = n; i > 0; i--)
            if (chunk[i - 1] == '\n')
                return at - (off_t)n + (off_t)i;
        at -= (off_t)n;
    }
    return 0;
}

static void deadline_after_interval(struct timespec *t)
{
    clock_gettime(CLOCK_REALTIME, t);
    t->tv_nsec += AUDIT_SYNC_INTERVAL_MS * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static void *syncer_main(void *arg)
{
    struct audit_writer *w = arg;
    struct timespec next;

    pthread_mutex_lock(&w->lock);
    deadline_after_interval(&next);
    while (!(w->stopping && w->synced == w->written)) {
        bool urgent = (w->waiters > 0 || w->stopping) && w->synced < w->written;
        uint64_t target;
        bool ok;

        if (!urgent) {
            /* sleep until a durable append asks, or the interval ends */
            if (pthread_cond_timedwait(&w->pending, &w->lock, &next) != ETIMEDOUT)
                continue;
            deadline_after_interval(&next);
            if (w->synced == w->written)
                continue;
        }
        target = w->written;
        pthread_mutex_unlock(&w->lock);
        ok = fdatasync(w->fd) == 0;
        pthread_mutex_lock(&w->lock);
        if (!ok) {
            log_error("audit: fdatasync failed: %s", strerror(errno));
            w->sync_failed = true;
        }
        w->synced = target;
        pthread_cond_broadcast(&w->synced_cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

cu_rc audit_writer_start(const char *dir, struct audit_writer **out, struct cu_err *err)
{
    struct audit_writer *w = calloc(1, sizeof(*w));
    char path[1200];
    struct stat st;

    if (!w)
        return CU_E_NOMEM;
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    w->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (w->fd < 0) {
        free(w);
        return cu_err_set(err, CU_E_STORE, "cannot open the audit trail %s", path);
    }
    if (flock(w->fd, LOCK_EX | LOCK_NB) != 0) {
        close(w->fd);
        free(w);
        return cu_err_set(err, CU_E_STORE,
                          "the audit trail %s is in use: is another custos serving %s?", path,
                          dir);
    }
    w->end = records_end(w->fd);
    if (w->end < 0 || fstat(w->fd, &st) != 0 || ftruncate(w->fd, w->end) != 0) {
        close(w->fd);
        free(w);
        return cu_err_set(err, CU_E_STORE, "cannot read the audit trail %s", path);
    }
    if (st.st_size > w->end)
        log_info("audit: cut %lld bytes after the last record of %s (an unclean stop)",
                 (long long)(st.st_size - w->end), path);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->pending, NULL);
    pthread_cond_init(&w->synced_cond, NULL);
    if (pthread_create(&w->thread, NULL, syncer_main, w) != 0) {
        close(w->fd);
        free(w);
        return CU_E_INTERNAL;
    }
    *out = w;
    return CU_OK;
}

cu_rc audit_writer_append(struct audit_writer *w, const char *record, size_t len, bool durable)
{
    cu_rc rc;
    uint64_t seq;

    pthread_mutex_lock(&w->lock);
    rc = reserve(w, len + 1);
    if (rc == CU_OK) {
        char *at = w->map + (w->end - w->map_off);

        memcpy(at, record, len);
        at[len] = '\n';
        w->end += (off_t)len + 1;
        seq = ++w->written;
        if (durable) {
            /* only a waiter needs the syncer now; otherwise its next tick picks it up */
            w->waiters++;
            pthread_cond_signal(&w->pending);
            while (w->synced < seq)
                pthread_cond_wait(&w->synced_cond, &w->lock);
            w->waiters--;
            if (w->sync_failed)
                rc = CU_E_STORE;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

void audit_writer_stop(struct audit_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->pending);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    /* the syncer has made every record durable; drop the reserved tail */
    if (w->map)
        munmap(w->map, w->map_len);
    if (ftruncate(w->fd, w->end) != 0 || fdatasync(w->fd) != 0)
        log_error("audit: cannot trim the trail after its last record: %s", strerror(errno));
    close(w->fd);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->pending);
    pthread_cond_destroy(&w->synced_cond);
    free(w);
}
