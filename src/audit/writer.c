/* writer.c — the audit trail on disk: DIR/audit.log, one CloudTrail record (JSON) per
 * line, appended in call order. audit.h states the order the pipeline keeps between a
 * record, the store's commit and the answer; this file provides its two steps: write a
 * record (in the file, not yet synced) and wait for the sync that covers it. This file
 * has the start, stop, rotation and the append path; the map and its failures are
 * writer_map.c, the syncs writer_sync.c (sync_now below is writer_sync_now there).
 *
 * What was written is made durable with fdatasync, many records per sync: by a waiter
 * itself when no sync is running, else by the one running; without waiters a syncer
 * thread runs it at most once per interval
 * (AUDIT_SYNC_INTERVAL_MS), so power loss can cost at most that interval of read records.
 *
 * Records are copied into a shared memory map of the file, not written with write(2). The
 * map is a window over space reserved ahead of the last record (posix_fallocate), so an
 * append is a memcpy under the trail's lock and the file's size does not change per
 * record. Both matter for speed: a write(2) per record cost more CPU than the rest of a
 * GetCallerIdentity, and on ext4 each fdatasync of a growing file holds the inode lock
 * while it writes the inode, stalling every writer behind the disk. The map lives in the
 * page cache like written data, so a killed process loses nothing it copied. While custos
 * runs, the reserved space after the last newline reads as NUL bytes; a clean stop cuts it
 * off, and the next start cuts off whatever a crash left there, including a record cut
 * short (its call was never answered).
 *
 * A trail that cannot take a record fails the append, never the process:
 *   - the map only ever covers bytes posix_fallocate has given the file, so a full disk
 *     fails the reservation, not a store into the map; when the usual step cannot be
 *     reserved, a small one and then just what the record needs are tried, so service
 *     returns as soon as one record fits;
 *   - a store into the map can still fault (SIGBUS) when the file stops taking writes
 *     under it: chattr +i write-protects its pages, an I/O error, a truncation by another
 *     process. The copy runs under a SIGBUS guard (guarded_copy) that turns the fault into
 *     a failed append; the map is then dropped, so the next append reserves afresh and
 *     fails cleanly (posix_fallocate: EPERM) until the file is writable again;
 *   - an append-only file (chattr +a) refuses a writable shared map (EACCES) and an
 *     in-place write; custos fails closed on it rather than switching to write(2): the
 *     trail's reserved tail must be written in place and cut off at stop, which an
 *     append-only file forbids, so a second writer for it would leave NUL runs inside the
 *     trail and a different durability story. The syncer notices both flags within an
 *     interval, so appends stop even while the current window has room.
 * While appends fail, audit_writer_healthy() says why (and probes for recovery).
 *
 *     write:  lock ─ [no room: reserve and map the next window] ─ guarded copy of
 *             record + '\n' ─ seq = ++written ─ [soon: requested = seq, wake syncer] ─ unlock
 *     wait:   lock ─ until synced >= seq: [a sync runs: wait for it] [none: sync_now]
 *             ─ unlock
 *     syncer: wait until (requested > synced) or (unsynced records and the interval is
 *             over) ─ [a waiter's sync runs: wait for it] sync_now; each interval also
 *             looks at the file's immutable / append-only flags
 *     sync_now: syncing ─ unlock ─ fdatasync ─ lock ─ synced = what was written at its
 *             start ─ wake waiters (one sync at a time: concurrent waiters share it)
 *
 * One process owns a trail: the file is locked (flock) while it is open, and a second
 * custos on the same data directory is refused.
 *
 * The hash chain (chain.h): copy_record ends every line with the hash of the line before
 * it, kept in `head` under the lock — one SHA-256 per record and no system call; the
 * record's body is hashed before the lock is taken, so only the suffix's two or three
 * blocks are hashed under it. At start `head` is the hash of the file's last line, or, when a
 * rotation left the file empty, the hash the sealer last sealed (audit_writer_start_chained).
 * A torn tail cut off at start is recorded as a record of its own (AuditTrailTailCut), so
 * the cut is in the chain. Rotation (audit_writer_rotate) swaps the file under the lock
 * and syncs the old one outside it, as sync_now does; the chain runs on into the new file. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain.h"
#include "trail_tail.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/stats.h"
#include "writer_impl.h"

/* Record the cut of a torn tail in the chain, so that a verifier sees it was cut by
 * custos (and how much), not by someone else. */
static cu_rc record_cut(struct audit_writer *w, size_t torn, const char *hash)
{
    cu_rc rc = CU_OK;
    struct buf record;
    uint64_t seq = 0;

    buf_init(&record, 1 << 16);
    TRY(audit_record_build_tail_cut(clock_now_ms(), torn, hash, &record));
    TRY(audit_writer_write(w, record.p, record.n, false, &seq));
    TRY(audit_writer_wait(w, seq));
out:
    buf_release(&record);
    return rc;
}

static cu_rc open_trail_file(struct audit_writer *w, const char *dir, int extra_flags,
                             struct cu_err *err)
{
    char path[1200];

    snprintf(path, sizeof(path), "%s/audit.log", dir);
    w->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | extra_flags, 0600);
    if (w->fd < 0)
        return cu_err_set(err, CU_E_STORE, "cannot open the audit trail %s: %s", path,
                          strerror(errno));
    if (flock(w->fd, LOCK_EX | LOCK_NB) != 0) {
        close(w->fd);
        w->fd = -1;
        return cu_err_set(err, CU_E_STORE,
                          "the audit trail %s is in use: is another custos serving %s?", path,
                          dir);
    }
    return CU_OK;
}

cu_rc audit_writer_start_chained(const char *dir, const char *head, struct audit_writer **out,
                                 struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct audit_writer *w = calloc(1, sizeof(*w));
    char path[1200], cut_hash[AUDIT_HASH_HEX + 1] = "";
    struct stat st;
    size_t torn = 0;

    if (!w)
        return CU_E_NOMEM;
    w->fd = -1;
    writer_guard_once();
    snprintf(w->dir, sizeof(w->dir), "%s", dir);
    snprintf(w->head, sizeof(w->head), "%s", head ? head : audit_chain_genesis);
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    TRY(open_trail_file(w, dir, 0, err));
    w->end = trail_tail_records_end(w->fd);
    ENSURE(w->end >= 0 && fstat(w->fd, &st) == 0 &&
               trail_tail_torn(w->fd, w->end, st.st_size, &torn, cut_hash) == CU_OK &&
               trail_tail_last_hash(w->fd, w->end, w->head) == CU_OK && ftruncate(w->fd, w->end) == 0,
           cu_err_set(err, CU_E_STORE, "cannot read the audit trail %s", path));
    if (st.st_size > w->end)
        log_info("audit: cut %lld bytes after the last record of %s (an unclean stop)",
                 (long long)(st.st_size - w->end), path);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->pending, NULL);
    pthread_cond_init(&w->synced_cond, NULL);
    ENSURE(pthread_create(&w->thread, NULL, writer_syncer_main, w) == 0, CU_E_INTERNAL);
    *out = w;
    if (torn && record_cut(w, torn, cut_hash) != CU_OK) {
        *out = NULL;
        audit_writer_stop(w);
        return cu_err_set(err, CU_E_STORE, "cannot record the cut of %s's torn tail", path);
    }
    w = NULL;
out:
    if (w) {
        if (w->fd >= 0)
            close(w->fd);
        free(w);
    }
    return rc;
}

cu_rc audit_writer_start(const char *dir, struct audit_writer **out, struct cu_err *err)
{
    return audit_writer_start_chained(dir, NULL, out, err);
}

void audit_writer_head(struct audit_writer *w, char out[AUDIT_HASH_HEX + 1])
{
    pthread_mutex_lock(&w->lock);
    memcpy(out, w->head, AUDIT_HASH_HEX + 1);
    pthread_mutex_unlock(&w->lock);
}

int64_t audit_writer_size(struct audit_writer *w)
{
    int64_t n;

    pthread_mutex_lock(&w->lock);
    n = (int64_t)w->end;
    pthread_mutex_unlock(&w->lock);
    return n;
}

void audit_writer_on_size(struct audit_writer *w, int64_t bytes, void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&w->lock);
    w->full_at = bytes;
    w->on_full = bytes > 0 ? fn : NULL;
    w->on_full_arg = arg;
    w->full_told = false;
    pthread_mutex_unlock(&w->lock);
}

/* Rotation, in the shape of sync_now: the swap of files under the lock, the old file's
 * sync and trim outside it. Records written meanwhile go to the new file; their seqs are
 * above `target`, so their waiters wait for the next sync, of the new file. */
cu_rc audit_writer_rotate(struct audit_writer *w, const char *to_path, bool *rotated)
{
    cu_rc rc = CU_OK;
    char live[1200];
    struct cu_err err = {0};
    struct audit_writer fresh = {.fd = -1};
    int old_fd;
    char *old_map;
    size_t old_len;
    off_t old_end;
    uint64_t target;
    int e = 0;

    *rotated = false;
    snprintf(live, sizeof(live), "%s/audit.log", w->dir);
    pthread_mutex_lock(&w->lock);
    while (w->syncing)
        pthread_cond_wait(&w->synced_cond, &w->lock);
    if (w->end == 0)
        goto unlock; /* nothing to rotate */
    if (rename(live, to_path) != 0) {
        log_error("audit: cannot rotate %s: %s", live, strerror(errno));
        rc = CU_E_STORE;
        goto unlock;
    }
    if (open_trail_file(&fresh, w->dir, O_EXCL, &err) != CU_OK) {
        log_error("audit: cannot rotate: %s", err.msg);
        if (rename(to_path, live) != 0)
            log_error("audit: cannot put %s back: %s", live, strerror(errno));
        rc = CU_E_STORE;
        goto unlock;
    }
    target = w->written;
    old_fd = w->fd;
    old_map = w->map;
    old_len = w->map_len;
    old_end = w->end;
    w->fd = fresh.fd;
    w->map = NULL;
    w->map_len = 0;
    w->map_off = 0;
    w->end = 0;
    w->unmapped = 0;
    w->scrub = 0;
    w->full_told = false;
    w->syncing = true;
    pthread_mutex_unlock(&w->lock);
    if (old_map)
        munmap(old_map, old_len);
    if (w->test_fail_sync)
        e = EIO;
    else if (ftruncate(old_fd, old_end) != 0 || fdatasync(old_fd) != 0)
        e = errno;
    close(old_fd);
    pthread_mutex_lock(&w->lock);
    if (e) {
        log_error("audit: fdatasync of the rotated trail failed: %s", strerror(e));
        w->sync_failed_upto = target;
        rc = CU_E_STORE;
    }
    w->sync_errno = e;
    if (w->synced < target)
        w->synced = target;
    w->syncing = false;
    *rotated = true;
    pthread_cond_broadcast(&w->synced_cond);
unlock:
    pthread_mutex_unlock(&w->lock);
    return rc;
}

/* Copy the record and its newline to the end of the trail. A failed copy may leave part
 * of the record after `end` (no newline: the pages before the faulting one took it);
 * `scrub` remembers to zero it before the next record, so the running trail's tail stays
 * NULs. Called with the lock held. */
static cu_rc copy_record(struct audit_writer *w, const char *record, size_t len,
                         struct sha256 *hash)
{
    char suffix[AUDIT_CHAIN_SUFFIX_LEN + 2];
    size_t body = len - 1, line = body + AUDIT_CHAIN_SUFFIX_LEN;
    size_t need = line + 1 > w->scrub ? line + 1 : w->scrub;
    uint8_t md[DIGEST_SHA256_LEN];
    char *at;

    if (writer_reserve(w, need) != CU_OK)
        return CU_E_STORE;
    audit_chain_suffix(w->head, suffix);
    suffix[AUDIT_CHAIN_SUFFIX_LEN] = '\n';
    at = w->map + (w->end - w->map_off);
    if ((w->scrub && !writer_guarded_copy(at, NULL, w->scrub, true)) ||
        !writer_guarded_copy(at, record, body, false) ||
        !writer_guarded_copy(at + body, suffix, AUDIT_CHAIN_SUFFIX_LEN + 1, false)) {
        const char *flags = writer_flags_reason(w->fd);

        w->scrub = need;
        writer_drop_map(w);
        writer_set_broken(w, flags ? flags : "the file refused a write (an I/O error?)", need);
        return CU_E_STORE;
    }
    w->scrub = 0;
    w->end += (off_t)line + 1;
    /* the body was hashed before the lock; only what is left of its last block and the
     * suffix (two or three SHA-256 blocks) are hashed under it */
    digest_sha256_add(hash, bytes_of(suffix, AUDIT_CHAIN_SUFFIX_LEN));
    digest_sha256_end(hash, md);
    audit_hash_hex(md, w->head);
    writer_set_writable(w);
    return CU_OK;
}

/* The page after the one the records now end in, when this record crossed into a new
 * page and the map covers the next one; else NULL. Called with the lock held. */
static char *page_ahead(const struct audit_writer *w, off_t was, size_t page)
{
    off_t next = (w->end / (off_t)page + 1) * (off_t)page;

    if (!w->map || was / (off_t)page == w->end / (off_t)page ||
        next + (off_t)page > w->map_off + (off_t)w->map_len)
        return NULL;
    return w->map + (next - w->map_off);
}

cu_rc audit_writer_write(struct audit_writer *w, const char *record, size_t len, bool soon,
                         uint64_t *seq)
{
    cu_rc rc;

    char *ahead = NULL;
    size_t page = writer_page_size();
    struct sha256 hash;
    off_t was;

    /* the record's closing brace gives way to the chain's member, which closes it */
    if (len < 2 || record[len - 1] != '}')
        return CU_E_INTERNAL;
    digest_sha256_begin(&hash);
    digest_sha256_add(&hash, bytes_of(record, len - 1));
    pthread_mutex_lock(&w->lock);
    was = w->end;
    rc = copy_record(w, record, len, &hash);
    if (rc == CU_OK) {
        *seq = ++w->written;
        if (soon) {
            /* start the sync now, so it overlaps what the caller does before waiting */
            w->requested = *seq;
            pthread_cond_signal(&w->pending);
        }
        ahead = page_ahead(w, was, page);
    }
    pthread_mutex_unlock(&w->lock);
    /* Fault in the page the next records will reach, outside the lock: a first store into
     * a page of the map is a page fault (the filesystem's page_mkwrite) of microseconds,
     * and taken under the lock it made the other workers queue behind it. Populating only
     * maps the page writable; its bytes stay the NULs reserved there, so this is safe
     * whatever happens to the map meanwhile, and a failure (an old kernel, a dropped map)
     * only leaves the fault to the copy. */
    if (ahead)
        (void)madvise(ahead, page, MADV_POPULATE_WRITE);
    stats_add(rc == CU_OK ? STATS_AUDIT_WRITTEN : STATS_AUDIT_WRITE_FAILED, 1);
    return rc;
}


cu_rc audit_writer_append(struct audit_writer *w, const char *record, size_t len, bool durable)
{
    cu_rc rc = CU_OK;
    uint64_t seq = 0;

    TRY(audit_writer_write(w, record, len, false, &seq));
    if (durable)
        TRY(audit_writer_wait(w, seq));
out:
    return rc;
}

bool audit_writer_healthy(struct audit_writer *w, char *reason, size_t cap)
{
    bool ok;

    pthread_mutex_lock(&w->lock);
    if (!w->broken[0])
        writer_check_flags(w);
    /* probe: can the append that failed be reserved now? (no record is written) */
    if (w->broken[0] && writer_reserve(w, w->broken_need) == CU_OK && !writer_flags_reason(w->fd))
        writer_set_writable(w);
    ok = !w->broken[0] && !w->sync_errno;
    if (w->broken[0])
        snprintf(reason, cap, "%s", w->broken);
    else if (w->sync_errno)
        snprintf(reason, cap, "audit trail cannot be synced to disk: %s", strerror(w->sync_errno));
    else
        snprintf(reason, cap, "%s", "");
    pthread_mutex_unlock(&w->lock);
    return ok;
}

void audit_writer_test_space(struct audit_writer *w, int64_t bytes)
{
    pthread_mutex_lock(&w->lock);
    w->test_space = (off_t)bytes;
    pthread_mutex_unlock(&w->lock);
}

void audit_writer_test_fail_sync(struct audit_writer *w, bool on)
{
    pthread_mutex_lock(&w->lock);
    w->test_fail_sync = on;
    pthread_mutex_unlock(&w->lock);
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
    writer_drop_map(w);
    if (ftruncate(w->fd, w->end) != 0 || fdatasync(w->fd) != 0)
        log_error("audit: cannot trim the trail after its last record: %s", strerror(errno));
    close(w->fd);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->pending);
    pthread_cond_destroy(&w->synced_cond);
    free(w);
}
