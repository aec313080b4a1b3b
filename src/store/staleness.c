/* staleness.c — whether a node that follows other nodes' commits may still trust its
 * caches (store.h, "Several nodes"). The node is current while its last read of the change
 * log began at most STORE_STALE_MS ago, and stale past that: it may then have missed any
 * change, so no cache may answer from what it holds. Caches learn of it through the
 * epoch, which every switch bumps (even: current, odd: stale): one atomic load on their
 * hot path beside store_last_seq(), and a moved epoch makes a cache drop everything.
 *
 *              read began within the bound
 *     current ─────────────────────────────> current
 *        │   no read began for STORE_STALE_MS     ▲
 *        └──────────────> stale ──────────────────┘
 *           (staleness_check,      (staleness_read: a read that began
 *            the store's watchdog)  within the bound brought the ring current)
 *
 * The switches take a mutex (a read of the log or a tick of the watchdog, never a
 * request); time is an input, so the switch is tested without a clock or a database. */
#include "core/log.h"
#include "store_impl.h"

void staleness_init(struct staleness *st, int64_t now_ms, int64_t bound_ms)
{
    pthread_mutex_init(&st->lock, NULL);
    st->read_ms = now_ms;
    st->bound_ms = bound_ms;
    atomic_init(&st->epoch, 0);
}

void staleness_destroy(struct staleness *st)
{
    pthread_mutex_destroy(&st->lock);
}

/* Called with the lock held. */
static bool within(const struct staleness *st, int64_t now_ms)
{
    return now_ms - st->read_ms <= st->bound_ms;
}

void staleness_read(struct staleness *st, int64_t began_ms, int64_t now_ms)
{
    uint64_t epoch;

    pthread_mutex_lock(&st->lock);
    /* reads may end out of order (the follower's, a commit's): the latest start counts */
    if (began_ms > st->read_ms)
        st->read_ms = began_ms;
    epoch = atomic_load(&st->epoch);
    /* a read that took longer than the bound proves nothing about the time since */
    if (staleness_is_stale(epoch) && within(st, now_ms)) {
        atomic_store(&st->epoch, epoch + 1);
        log_info("store: the change log is read again: caches are used again");
    }
    pthread_mutex_unlock(&st->lock);
}

void staleness_check(struct staleness *st, int64_t now_ms)
{
    uint64_t epoch;

    pthread_mutex_lock(&st->lock);
    epoch = atomic_load(&st->epoch);
    if (!staleness_is_stale(epoch) && !within(st, now_ms)) {
        atomic_store(&st->epoch, epoch + 1);
        log_warn("store: the change log was last read %lld ms ago (more than %lld): until it "
                 "is read again, no cache answers and every call reaches the database",
                 (long long)(now_ms - st->read_ms), (long long)st->bound_ms);
    }
    pthread_mutex_unlock(&st->lock);
}
