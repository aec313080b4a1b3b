/* writer_impl.h — the audit writer's insides, shared by its three files and no one else:
 * writer.c (start, stop, rotation, the append path), writer_map.c (the file's map: space
 * reserved and mapped a window at a time, the SIGBUS guard around copies into it, why
 * appends fail) and writer_sync.c (the grouped fdatasync and the syncer thread). writer.c's
 * opening comment tells the design. Every function here is called with w->lock held,
 * except writer_guard_once, writer_guarded_copy, writer_page_size and writer_syncer_main. */
#ifndef CU_AUDIT_WRITER_IMPL_H
#define CU_AUDIT_WRITER_IMPL_H

#include <pthread.h>
#include <sys/types.h>

#include "audit.h"

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

/* writer_map.c */
size_t writer_page_size(void);
/* Install the SIGBUS handler, once per process. */
void writer_guard_once(void);
/* Copy n bytes (or zero them) into the map; false when the file refused the store. */
bool writer_guarded_copy(char *dst, const char *src, size_t n, bool zero);
/* The file's attributes that forbid custos's writes, in words; NULL when none do. */
const char *writer_flags_reason(int fd);
/* Appends fail from now on, for why; a probe must fit need bytes to undo it. */
void writer_set_broken(struct audit_writer *w, const char *why, size_t need);
void writer_set_writable(struct audit_writer *w);
void writer_drop_map(struct audit_writer *w);
/* Make [end, end + need) writable through the map. Errors: CU_E_STORE (broken set). */
MUST_CHECK cu_rc writer_reserve(struct audit_writer *w, size_t need);
/* An immutable or append-only file stops appends now. */
void writer_check_flags(struct audit_writer *w);
/* Unmap the map's pages no record will be copied into again. */
void writer_zap_done(struct audit_writer *w);

/* writer_sync.c */
/* One fdatasync covering every record written so far (lock dropped during it; !syncing). */
void writer_sync_now(struct audit_writer *w);
/* The syncer thread (pthread_create's start routine; arg is the writer). */
void *writer_syncer_main(void *arg);

#endif
