/* sealer.h — the trail's seals: rotation of DIR/audit.log, gzip, and signed digests
 * (chain.h gives the formats). A thread of its own does the work, off the request path:
 * the record path only ever waits for the writer's swap of files (audit_writer_rotate).
 *
 * When: every digest_interval_s (CloudTrail's hourly digest; the live file is rotated
 * then, so a digest always names whole files, and the interval is also the rotation's
 * time bound), when the live file passes rotate_bytes (the writer's cue, and a look once a
 * second), and at stop. An interval with no record still gets a digest (as CloudTrail delivers digests
 * for hours without log files), which keeps the digests' chain going; a stop with nothing
 * new gets none.
 *
 * Sealing one rotated file: scan it (trail_scan) -> write trail_N.jsonl.gz -> sign and
 * write the digest's .sig, then the digest -> remove the plain trail_N.jsonl. A crash at
 * any step leaves the plain file, which the next start seals again from the top (the same
 * numbers, so a half-written seal is overwritten, never doubled) — unless the newest
 * digest already names its .gz (the crash came between the digest and the removal): then
 * the start only removes the plain copy. */
#ifndef CU_AUDIT_SEALER_H
#define CU_AUDIT_SEALER_H

#include "audit.h"
#include "crypto/trail_key.h"

#define AUDIT_DIGEST_INTERVAL_S 3600
#define AUDIT_ROTATE_BYTES (16u << 20)
#define AUDIT_DISK_WARN_BYTES (1ull << 30)

struct audit_sealer_options {
    const char *data_dir;          /* the trail is DIR/audit.log and DIR/audit-trail/ */
    const struct trail_key *key;   /* borrowed; outlives the sealer */
    int64_t digest_interval_s;     /* > 0 */
    int64_t rotate_bytes;          /* > 0 */
    int64_t retain_days;           /* 0: keep every log file */
    uint64_t disk_warn_bytes;      /* warn below this much free space (0: never) */
};

/* How the seals and the trail's disk stand, for the health endpoint and the metrics. A
 * rotation or seal that fails is logged with its paths, counted (custos_audit_seal_failures
 * _total) and kept here until a later one succeeds. The disk is sampled by the sealer's
 * thread (statvfs, once a second and at each cue), never per request. */
struct audit_trail_status {
    bool seal_failed;               /* the last rotation or seal failed (tried again later) */
    char seal_error[200];           /* why, without paths ("" while seals work) */
    bool disk_known;                /* statvfs answered at the last sample */
    uint64_t disk_free, disk_size;  /* bytes custos may still use, and the filesystem's size */
    uint64_t disk_warn_bytes;       /* the options' threshold */
    bool disk_low;                  /* disk_free below disk_warn_bytes */
};

struct audit_sealer;

/* Make DIR/audit-trail (0700) if need be, seal the files a crash left unsealed, and read
 * where the chain of digests stands. Call before audit_writer_start_chained, which takes
 * audit_sealer_head(). Errors: CU_E_STORE with a message in err. */
MUST_CHECK cu_rc audit_sealer_open(const struct audit_sealer_options *o, struct audit_sealer **out,
                                   struct cu_err *err);
/* The hash of the last record sealed (audit_chain_genesis for a new trail). */
void audit_sealer_head(const struct audit_sealer *s, char out[AUDIT_HASH_HEX + 1]);
/* Start the thread that rotates w's file and seals it. Errors: CU_E_INTERNAL. */
MUST_CHECK cu_rc audit_sealer_run(struct audit_sealer *s, struct audit_writer *w);
/* The status now (a copy, taken under the sealer's lock). */
void audit_sealer_status(struct audit_sealer *s, struct audit_trail_status *out);
/* Test hook: rotate and seal now, as the interval would, and return when done. */
MUST_CHECK cu_rc audit_sealer_seal_now(struct audit_sealer *s);
/* Stop the thread, rotate and seal what the live file holds (the shutdown digest); call
 * before audit_writer_stop. NULL-safe. */
void audit_sealer_stop(struct audit_sealer *s);

#endif
