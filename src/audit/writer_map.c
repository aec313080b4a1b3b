/* writer_map.c — the audit writer's map of DIR/audit.log (writer_impl.h; writer.c's opening
 * comment tells why a map): file space reserved with posix_fallocate and mapped a window at
 * a time, smaller steps on a nearly full disk; the SIGBUS guard that turns a store the file
 * refuses into a failed append; the file's flags and the reason appends fail; the unmapping
 * of written pages before a sync. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/log.h"
#include "writer_impl.h"

size_t writer_page_size(void)
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

void writer_guard_once(void)
{
    pthread_once(&guard_once, install_guard);
}

bool writer_guarded_copy(char *dst, const char *src, size_t n, bool zero)
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
const char *writer_flags_reason(int fd)
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
void writer_set_broken(struct audit_writer *w, const char *why, size_t need)
{
    char now[sizeof(w->broken)];

    snprintf(now, sizeof(now), "audit trail cannot be written: %s", why);
    if (strcmp(now, w->broken) != 0)
        log_error("audit: %s; calls fail until it can", now);
    memcpy(w->broken, now, sizeof(now));
    w->broken_need = need;
}

void writer_set_writable(struct audit_writer *w)
{
    if (w->broken[0])
        log_info("audit: the trail takes records again");
    w->broken[0] = '\0';
    w->broken_need = 0;
}

void writer_drop_map(struct audit_writer *w)
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
    const char *flags = (e == EPERM || e == EACCES) ? writer_flags_reason(w->fd) : NULL;

    writer_set_broken(w, flags ? flags : strerror(e), need);
}

/* Make [end, end + need) writable through the map: reserve the file space and map a
 * window starting at the page that holds `end`. The window is AUDIT_WINDOW-sized when the
 * disk has room; on ENOSPC, AUDIT_SMALL_STEP past this record, then only the pages this
 * record needs. Called with the lock held. */
cu_rc writer_reserve(struct audit_writer *w, size_t need)
{
    size_t page = writer_page_size(), len, least;
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
    writer_drop_map(w);
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

/* The interval's look at the file's flags: an immutable or append-only trail stops
 * appends now, not when the current window runs out. Called with the lock held. */
void writer_check_flags(struct audit_writer *w)
{
    const char *why = writer_flags_reason(w->fd);

    if (why) {
        writer_drop_map(w);
        writer_set_broken(w, why, 1);
    }
}

/* Unmap the pages of the map that no record will be copied into again (those before the
 * page that holds `end`), so the sync that follows finds them unmapped. Writing back a
 * page that is mapped writable first write-protects it in every thread's page tables,
 * one TLB shootdown (an IPI to each other core) per page; the zap unmaps the whole run
 * with one. The page cache keeps their bytes, dirty, for the sync; a later read of the
 * range would fault them back. Called with the lock held. */
void writer_zap_done(struct audit_writer *w)
{
    off_t page = (off_t)writer_page_size();
    off_t upto = w->end - w->end % page;

    if (!w->map || upto <= w->unmapped)
        return;
    if (madvise(w->map + (w->unmapped - w->map_off), (size_t)(upto - w->unmapped),
                MADV_DONTNEED) == 0)
        w->unmapped = upto;
}
