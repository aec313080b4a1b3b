/* writer.c — the audit trail on disk: DIR/audit.log, one CloudTrail record (JSON) per
 * line, appended in call order. audit.h states the order the pipeline keeps between a
 * record, the store's commit and the answer; this file provides its two steps: write a
 * record (in the file, not yet synced) and wait for the sync that covers it.
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
#include <linux/fs.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "chain.h"
#include "trail_tail.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/stats.h"

/* How stale the disk copy of read-only calls' records may get. Each sync writes back the
 * page that holds the newest record, which the next record then dirties again; at 10 ms
 * the syncer cost twice the CPU (1 µs a call more at 20,000 calls a second) and doubled
 * the 99th-percentile latency under load, for a window that matters only on power loss. */
#define AUDIT_SYNC_INTERVAL_MS 50
#define AUDIT_WINDOW (4u << 20) /* bytes reserved and mapped at a time, when the disk allows */
#define AUDIT_SMALL_STEP (64u << 10) /* ... and when it does not */

struct audit_writer {
    int fd;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t pending, synced_cond;
    uint64_t written, synced;
    uint64_t requested;       /* the highest seq someone wants synced now */
    bool syncing;             /* an fdatasync is running (sync_now) */
    uint64_t sync_failed_upto; /* records up to here were in a failed fdatasync */
    int sync_errno;           /* the last fdatasync's error; 0 once one succeeds */
    bool stopping;
    char *map;                /* map_len bytes of the file from offset map_off */
    off_t map_off;
    size_t map_len;
    off_t end;                /* the records end here; reserved NULs follow */
    off_t unmapped;           /* the map's pages before this offset are unmapped (zap_done) */
    size_t scrub;             /* bytes after end a failed copy may have left */
    /* Why appends fail now ("" while they work), and the size of the append that failed:
     * a probe must fit that much to call the trail writable again. */
    char broken[160];
    size_t broken_need;
    off_t test_space;         /* test hook: the file cannot hold more than this (0 = off) */
    bool test_fail_sync;      /* test hook: fdatasync fails */
    int64_t full_at;          /* on_full is called once the records reach this (0 = never) */
    void (*on_full)(void *);
    void *on_full_arg;
    bool full_told;           /* ... and was, for the file now live */
    char dir[1024];
    char head[AUDIT_HASH_HEX + 1]; /* hash of the last record written: the next one names it */
};

static size_t page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);

    return n > 0 ? (size_t)n : 4096;
}

/* The SIGBUS guard. A store into the map that the file refuses raises SIGBUS in the
 * copying thread (a synchronous fault, so the handler runs on that thread); the handler
 * jumps back to guarded_copy when a copy is in progress there, and otherwise lets the
 * signal kill the process as it would have. */
static _Thread_local sigjmp_buf *volatile copy_jump;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig)
{
    sigjmp_buf *jump = copy_jump;

    if (jump)
        siglongjmp(*jump, 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_guard(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigbus;
    /* SA_NODEFER: SIGBUS stays unblocked while the handler runs, so the jump out of it
     * leaves the thread's mask as it was and guarded_copy need not save and restore the
     * mask (sigsetjmp(.., 1) is a sigprocmask system call per record, ~1.5% of a call) */
    sa.sa_flags = SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) != 0)
        log_warn("audit: cannot catch SIGBUS: a trail that refuses writes ends the process");
}

static bool guarded_copy(char *dst, const char *src, size_t n, bool zero)
{
    sigjmp_buf jump;

    if (sigsetjmp(jump, 0)) {
        copy_jump = NULL;
        return false;
    }
    copy_jump = &jump;
    atomic_signal_fence(memory_order_seq_cst);
    if (zero)
        memset(dst, 0, n);
    else
        memcpy(dst, src, n);
    atomic_signal_fence(memory_order_seq_cst);
    copy_jump = NULL;
    return true;
}

/* The file's attributes that forbid custos's writes, as words for the operator. */
static const char *flags_reason(int fd)
{
    int flags = 0;

    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0)
        return NULL; /* the filesystem has no such flags */
    if (flags & FS_IMMUTABLE_FL)
        return "the file is immutable";
    if (flags & FS_APPEND_FL)
        return "the file is append-only (custos writes inside its reserved tail)";
    return NULL;
}

/* Appends fail from now on, for this reason; logged once per change of reason, not per
 * call (a full disk must not also fill the log). Called with the lock held. */
static void set_broken(struct audit_writer *w, const char *why, size_t need)
{
    char now[sizeof(w->broken)];

    snprintf(now, sizeof(now), "audit trail cannot be written: %s", why);
    if (strcmp(now, w->broken) != 0)
        log_error("audit: %s; calls fail until it can", now);
    memcpy(w->broken, now, sizeof(now));
    w->broken_need = need;
}

static void set_writable(struct audit_writer *w)
{
    if (w->broken[0])
        log_info("audit: the trail takes records again");
    w->broken[0] = '\0';
    w->broken_need = 0;
}

static void drop_map(struct audit_writer *w)
{
    if (w->map)
        munmap(w->map, w->map_len);
    w->map = NULL;
    w->map_len = 0;
}

static int try_fallocate(struct audit_writer *w, off_t start, size_t len)
{
    if (w->test_space && start + (off_t)len > w->test_space)
        return ENOSPC;
    return posix_fallocate(w->fd, start, (off_t)len);
}

/* The reason a failed reservation gives: the file's flags when they are the cause. */
static void reserve_failed(struct audit_writer *w, int e, size_t need)
{
    const char *flags = (e == EPERM || e == EACCES) ? flags_reason(w->fd) : NULL;

    set_broken(w, flags ? flags : strerror(e), need);
}

/* Make [end, end + need) writable through the map: reserve the file space and map a
 * window starting at the page that holds `end`. The window is AUDIT_WINDOW-sized when the
 * disk has room; on ENOSPC, AUDIT_SMALL_STEP past this record, then only the pages this
 * record needs. Called with the lock held. */
static cu_rc reserve(struct audit_writer *w, size_t need)
{
    size_t page = page_size(), len, least;
    off_t start;
    void *m;
    int e;

    if (w->test_space && w->end + (off_t)need > w->test_space) {
        reserve_failed(w, ENOSPC, need);
        return CU_E_STORE;
    }
    if (w->map && w->end + (off_t)need <= w->map_off + (off_t)w->map_len)
        return CU_OK;
    start = w->end - w->end % (off_t)page;
    least = ((size_t)(w->end - start) + need + page - 1) / page * page;
    len = (least + AUDIT_WINDOW - 1) / AUDIT_WINDOW * AUDIT_WINDOW;
    /* a window that would cross the sealer's size ends there instead, so the next one is
     * mapped (and the size looked at) as the records cross it */
    if (w->on_full && !w->full_told && start < w->full_at && start + (off_t)len > w->full_at) {
        size_t cut = ((size_t)(w->full_at - start) + page - 1) / page * page;

        if (cut >= least)
            len = cut;
    }
    e = try_fallocate(w, start, len);
    /* A nearly full disk: take a small step, then just this record, and leave the rest
     * to the store (halving would take up to all of what a cleanup freed). */
    if (e == ENOSPC && len > least) {
        len = least + AUDIT_SMALL_STEP;
        e = try_fallocate(w, start, len);
    }
    if (e == ENOSPC && len > least) {
        len = least;
        e = try_fallocate(w, start, len);
    }
    if (e != 0) {
        reserve_failed(w, e, need);
        return CU_E_STORE;
    }
    m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, start);
    if (m == MAP_FAILED) {
        reserve_failed(w, errno, need);
        return CU_E_STORE;
    }
    drop_map(w);
    w->map = m;
    w->map_off = start;
    w->map_len = len;
    w->unmapped = start;
    /* a new window is mapped every few MiB: the one place the size is looked at for the
     * sealer, so that a record costs nothing for it; the record this is for will end the
     * file at or past full_at, and it is copied before the lock is let go */
    if (w->on_full && !w->full_told && w->end + (off_t)need >= w->full_at) {
        w->full_told = true;
        w->on_full(w->on_full_arg);
    }
    return CU_OK;
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

/* The interval's look at the file's flags: an immutable or append-only trail stops
 * appends now, not when the current window runs out. Called with the lock held. */
static void check_flags(struct audit_writer *w)
{
    const char *why = flags_reason(w->fd);

    if (why) {
        drop_map(w);
        set_broken(w, why, 1);
    }
}

/* Unmap the pages of the map that no record will be copied into again (those before the
 * page that holds `end`), so the sync that follows finds them unmapped. Writing back a
 * page that is mapped writable first write-protects it in every thread's page tables,
 * one TLB shootdown (an IPI to each other core) per page; the zap unmaps the whole run
 * with one. The page cache keeps their bytes, dirty, for the sync; a later read of the
 * range would fault them back. Called with the lock held. */
static void zap_done(struct audit_writer *w)
{
    off_t page = (off_t)page_size();
    off_t upto = w->end - w->end % page;

    if (!w->map || upto <= w->unmapped)
        return;
    if (madvise(w->map + (w->unmapped - w->map_off), (size_t)(upto - w->unmapped),
                MADV_DONTNEED) == 0)
        w->unmapped = upto;
}

/* One fdatasync covering every record written so far; only one runs at a time (whoever
 * finds none running: a waiter or the syncer). Called with the lock held and !syncing;
 * the lock is dropped during the fdatasync, so records keep being written meanwhile. */
static void sync_now(struct audit_writer *w)
{
    uint64_t target = w->written;
    bool fail = w->test_fail_sync;
    int e = 0;
    uint64_t start_ns;

    w->syncing = true;
    zap_done(w);
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

static void *syncer_main(void *arg)
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
                check_flags(w);
            if (w->synced == w->written)
                continue;
        }
        if (w->syncing) {
            /* a waiter is syncing: it covers what is written up to its start */
            pthread_cond_wait(&w->synced_cond, &w->lock);
            continue;
        }
        sync_now(w);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

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
    pthread_once(&guard_once, install_guard);
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
    ENSURE(pthread_create(&w->thread, NULL, syncer_main, w) == 0, CU_E_INTERNAL);
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

    if (reserve(w, need) != CU_OK)
        return CU_E_STORE;
    audit_chain_suffix(w->head, suffix);
    suffix[AUDIT_CHAIN_SUFFIX_LEN] = '\n';
    at = w->map + (w->end - w->map_off);
    if ((w->scrub && !guarded_copy(at, NULL, w->scrub, true)) ||
        !guarded_copy(at, record, body, false) ||
        !guarded_copy(at + body, suffix, AUDIT_CHAIN_SUFFIX_LEN + 1, false)) {
        const char *flags = flags_reason(w->fd);

        w->scrub = need;
        drop_map(w);
        set_broken(w, flags ? flags : "the file refused a write (an I/O error?)", need);
        return CU_E_STORE;
    }
    w->scrub = 0;
    w->end += (off_t)line + 1;
    /* the body was hashed before the lock; only what is left of its last block and the
     * suffix (two or three SHA-256 blocks) are hashed under it */
    digest_sha256_add(hash, bytes_of(suffix, AUDIT_CHAIN_SUFFIX_LEN));
    digest_sha256_end(hash, md);
    audit_hash_hex(md, w->head);
    set_writable(w);
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
    size_t page = page_size();
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
            sync_now(w);
    }
    if (w->sync_failed_upto >= seq)
        rc = CU_E_STORE;
    pthread_mutex_unlock(&w->lock);
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
        check_flags(w);
    /* probe: can the append that failed be reserved now? (no record is written) */
    if (w->broken[0] && reserve(w, w->broken_need) == CU_OK && !flags_reason(w->fd))
        set_writable(w);
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
    drop_map(w);
    if (ftruncate(w->fd, w->end) != 0 || fdatasync(w->fd) != 0)
        log_error("audit: cannot trim the trail after its last record: %s", strerror(errno));
    close(w->fd);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->pending);
    pthread_cond_destroy(&w->synced_cond);
    free(w);
}
