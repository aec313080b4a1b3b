/* writer_sync.c — the audit writer's durability (writer_impl.h): one fdatasync at a time
 * covering every record written before it, run by a waiter or by the syncer thread, which
 * also syncs read-only calls' records at most an interval late and looks at the file's
 * flags each interval. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/stats.h"
#include "writer_impl.h"

static void deadline_after_interval(struct timespec *t)
{
    clock_gettime(CLOCK_REALTIME, t);
    t->tv_nsec += AUDIT_SYNC_INTERVAL_MS * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

/* One fdatasync covering every record written so far; only one runs at a time (whoever
 * finds none running: a waiter or the syncer). Called with the lock held and !syncing;
 * the lock is dropped during the fdatasync, so records keep being written meanwhile. */
void writer_sync_now(struct audit_writer *w)
{
    uint64_t target = w->written;
    bool fail = w->test_fail_sync;
    int e = 0;
    uint64_t start_ns;

    w->syncing = true;
    writer_zap_done(w);
    pthread_mutex_unlock(&w->lock);
    start_ns = stats_now_ns();
    if (fail)
        e = EIO;
    else if (fdatasync(w->fd) != 0)
        e = errno;
    stats_observe_since(STATS_AUDIT_SYNC, start_ns);
    pthread_mutex_lock(&w->lock);
    if (e) {
        stats_add(STATS_AUDIT_SYNC_FAILED, 1);
        if (!w->sync_errno)
            log_error("audit: fdatasync failed: %s", strerror(e));
        w->sync_failed_upto = target;
    } else if (w->sync_errno) {
        log_info("audit: fdatasync works again");
    }
    w->sync_errno = e;
    w->synced = target;
    w->syncing = false;
    pthread_cond_broadcast(&w->synced_cond);
}

void *writer_syncer_main(void *arg)
{
    struct audit_writer *w = arg;
    struct timespec next;

    pthread_mutex_lock(&w->lock);
    deadline_after_interval(&next);
    while (!(w->stopping && w->synced == w->written)) {
        bool urgent = (w->requested > w->synced || w->stopping) && w->synced < w->written;

        if (!urgent) {
            /* sleep until a writer asks, or the interval ends */
            if (pthread_cond_timedwait(&w->pending, &w->lock, &next) != ETIMEDOUT)
                continue;
            deadline_after_interval(&next);
            if (!w->broken[0])
                writer_check_flags(w);
            if (w->synced == w->written)
                continue;
        }
        if (w->syncing) {
            /* a waiter is syncing: it covers what is written up to its start */
            pthread_cond_wait(&w->synced_cond, &w->lock);
            continue;
        }
        writer_sync_now(w);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

cu_rc audit_writer_wait(struct audit_writer *w, uint64_t seq)
{
    cu_rc rc = CU_OK;

    pthread_mutex_lock(&w->lock);
    /* sync here rather than hand over to the syncer thread and back: a mutation waits on
     * this while it holds the store's write lock, and two wake-ups per mutation cost
     * more than the fdatasync on a busy machine */
    while (w->synced < seq) {
        if (w->syncing)
            pthread_cond_wait(&w->synced_cond, &w->lock);
        else
            writer_sync_now(w);
    }
    if (w->sync_failed_upto >= seq)
        rc = CU_E_STORE;
    pthread_mutex_unlock(&w->lock);
    return rc;
}
