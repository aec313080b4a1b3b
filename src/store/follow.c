/* follow.c — a node's ring fed from the change_log table, for a backend that other nodes
 * write to as well (store.h, "Several nodes"): the rows after the ring's last seq, read
 * when the backend's listener wakes the store (follow_read) or inside a committing write
 * transaction that finds other nodes' seqs below its own (store_tx_commit), are
 * published to the ring one transaction at a time, in seq order; seqs whose rows are gone
 * (pruned before this node read them) are skipped, which caches see as "too old". A read
 * that reaches the end of the log tells store.c when the ring was last current (the
 * staleness bound, staleness.c). */
#include "store_impl.h"

/* Publish the change_log rows of items (seq order, as scan_log gives them) whose seq is
 * above the ring's last; the caller holds commit_lock. more: the read stopped at its
 * limit, so the last seq's rows may be incomplete and wait for the next read (unless they
 * are all there is: one transaction larger than a page is skipped). A seq missing below
 * the first one published is skipped (its rows were pruned before this node read them). */
void follow_publish(struct change_ring *r, const json_t *items, bool more)
{
    size_t count = json_array_size(items), i = 0, j;
    uint64_t hold = 0, seq;

    if (!count)
        return;
    if (more)
        hold = json_integer_value(json_object_get(json_array_get(items, count - 1), "seq"));
    if (hold &&
        (uint64_t)json_integer_value(json_object_get(json_array_get(items, 0), "seq")) == hold) {
        change_ring_skip(r, hold);
        return;
    }
    while (i < count) {
        struct change_set cs = {0};
        bool ok = true;

        seq = json_integer_value(json_object_get(json_array_get(items, i), "seq"));
        if (seq == hold)
            break;
        for (j = i; j < count; j++) {
            const json_t *row = json_array_get(items, j);
            if ((uint64_t)json_integer_value(json_object_get(row, "seq")) != seq)
                break;
            ok = ok && change_set_add(&cs, json_string_value(json_object_get(row, "kind")),
                                      json_string_value(json_object_get(row, "scope")),
                                      json_string_value(json_object_get(row, "key"))) == CU_OK;
        }
        if (seq > atomic_load(&r->last)) {
            change_ring_skip(r, seq - 1);
            if (ok)
                change_ring_publish(r, seq, &cs);
            else
                change_ring_skip(r, seq); /* out of memory: caches flush */
        }
        change_set_free(&cs);
        i = j;
    }
}

/* Read the change_log rows after the ring's last seq in a read transaction of their own,
 * and publish them (store.h, "Several nodes"). A failure leaves the ring as it was: the
 * next wake tries again. A read that stops at its page limit has not reached the end of
 * the log and proves nothing about how current the ring is. */
bool follow_read(const struct store_ops *ops, void *impl, struct change_ring *r,
                 pthread_mutex_t *lock, int64_t *began_ms)
{
    bool more = true;

    for (int pages = 0; more && pages < 1000; pages++) {
        json_t *items = json_array();
        void *t = NULL;
        cu_rc rc;

        if (!items)
            return false;
        /* before the snapshot is taken (at the first statement): every change committed
         * before this instant is in it */
        *began_ms = store_mono_ms();
        rc = ops->begin(impl, false, &t);
        more = false; /* scan_log sets it only when there is more */
        if (rc == CU_OK) {
            rc = ops->scan_log(t, atomic_load(&r->last), INT64_MAX, FOLLOW_PAGE, items, &more);
            ops->rollback(impl, t);
        }
        if (rc == CU_OK) {
            pthread_mutex_lock(lock);
            follow_publish(r, items, more);
            pthread_mutex_unlock(lock);
        }
        json_decref(items);
        if (rc != CU_OK)
            return false;
    }
    return !more;
}
