/* writer.c — the audit trail on disk: DIR/audit.log, one CloudTrail record (JSON) per
 * line, appended in call order.
 *
 * Every record is written to the file (one write(2) under the trail's lock) before its
 * response leaves, so an answered call's record survives any crash of custos; a write
 * that fails fails the call (fail closed). A syncer thread makes what was written
 * durable with fdatasync, many records per sync. A call that changed state waits for
 * that sync before it is answered, so its record is exactly as durable as the change
 * itself; a read-only call does not wait, and power loss can cost at most the records of
 * the last sync interval (AUDIT_SYNC_INTERVAL_MS) of reads.
 *
 *     append: write ─ lock ─ seq = ++written ─ [durable: waiters++, wake syncer,
 *             wait synced >= seq, waiters--] ─ unlock
 *     syncer: wait until (a waiter) or (unsynced records and the interval is over)
 *             ─ fdatasync ─ synced = written ─ wake waiters
 * Without waiters the syncer runs at most once per interval however busy the trail is:
 * one fdatasync per read would cost more than the reads themselves. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "audit.h"
#include "core/log.h"

#define AUDIT_SYNC_INTERVAL_MS 10

struct audit_writer {
    int fd;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t pending, synced_cond;
    uint64_t written, synced;
    unsigned waiters;         /* durable appends waiting for the next sync */
    bool sync_failed, stopping;
};

/* The record and its newline in one writev, finishing short writes. The file is opened
 * O_APPEND, so concurrent appends land whole, one after the other, without a lock of
 * ours around the system call (a record counts as written once writev returns, before
 * `written` is bumped, so any sync that starts after the bump covers it). */
static bool write_line(int fd, const char *p, size_t n)
{
    struct iovec iov[2] = {{(void *)p, n}, {(void *)"\n", 1}};
    int first = 0;

    while (first < 2) {
        ssize_t w = writev(fd, iov + first, 2 - first);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        while (first < 2 && (size_t)w >= iov[first].iov_len)
            w -= (ssize_t)iov[first++].iov_len;
        if (first < 2) {
            iov[first].iov_base = (char *)iov[first].iov_base + w;
            iov[first].iov_len -= (size_t)w;
        }
    }
    return true;
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

    if (!w)
        return CU_E_NOMEM;
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    w->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (w->fd < 0) {
        free(w);
        return cu_err_set(err, CU_E_STORE, "cannot open the audit trail %s", path);
    }
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
    cu_rc rc = CU_OK;
    uint64_t seq;
    bool ok;

    ok = write_line(w->fd, record, len);
    pthread_mutex_lock(&w->lock);
    seq = ++w->written;
    if (!ok) {
        log_error("audit: cannot append to the trail: %s", strerror(errno));
        rc = CU_E_STORE;
    }
    if (rc == CU_OK && durable) {
        /* only a waiter needs the syncer now; otherwise its next tick picks the record up */
        w->waiters++;
        pthread_cond_signal(&w->pending);
        while (w->synced < seq)
            pthread_cond_wait(&w->synced_cond, &w->lock);
        w->waiters--;
    }
    if (rc == CU_OK && durable && w->sync_failed)
        rc = CU_E_STORE;
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
    close(w->fd);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->pending);
    pthread_cond_destroy(&w->synced_cond);
    free(w);
}
