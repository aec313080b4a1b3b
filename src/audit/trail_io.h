/* trail_io.h — reading the trail directory (chain.h names its files): the files of
 * DIR/audit-trail in their order, and a log file's records whether it is gzip or plain.
 * Shared by the sealer, verify and export. */
#ifndef CU_AUDIT_TRAIL_IO_H
#define CU_AUDIT_TRAIL_IO_H

#include "chain.h"

struct trail_entry {
    enum audit_file_kind kind;
    uint64_t number;
    char name[128];
};

/* The log, pending and digest files of dir (DIR/audit-trail), sorted by kind then number
 * (log and pending files share one numbering and sort together); *out is the caller's
 * (free). A missing directory is an empty list. Errors: CU_E_STORE, CU_E_NOMEM. */
MUST_CHECK cu_rc trail_list(const char *dir, struct trail_entry **out, size_t *n);
/* As trail_list, from two passes over dir merged (and each name once). One readdir pass
 * may miss a file that changes form while it runs: the sealer writes trail_N.jsonl.gz and
 * then removes trail_N.jsonl, and a pass that meets neither name at the right moment
 * returns neither (readdir is unspecified for entries added or removed meanwhile). The
 * gzip copy is there for all of the second pass, so every file that was in dir before
 * the call is listed (unless removed for good meanwhile). Errors: as trail_list. */
MUST_CHECK cu_rc trail_list_settled(const char *dir, struct trail_entry **out, size_t *n);
/* The bytes of a log file (inflated when its name ends in .gz) appended to out. Errors:
 * CU_E_STORE (missing, unreadable, not gzip or a truncated gzip stream). */
MUST_CHECK cu_rc trail_load(const char *path, struct buf *out);
/* Write data to path gzip-compressed (temporary file, fsync, rename). Errors: CU_E_STORE. */
MUST_CHECK cu_rc trail_write_gz(const char *path, struct bytes data);

/* The chain facts of a log file's bytes: its records up to the last newline, as a digest
 * names them (hash of those bytes, count, times, first/previous/last record hashes). name
 * is copied into the seal. *end says where the records end. */
void trail_scan(struct bytes data, const char *name, struct audit_log_seal *seal, size_t *end);

/* The same scan a piece at a time: begin, then whole lines (each ending in a newline) in
 * their order, then end, which fills seal->hash. sc->end counts the bytes scanned. */
struct trail_scanner {
    struct audit_log_seal *seal;
    struct sha256 hash;
    size_t end;
};
void trail_scan_begin(struct trail_scanner *sc, const char *name, struct audit_log_seal *seal);
void trail_scan_lines(struct trail_scanner *sc, struct bytes lines);
void trail_scan_end(struct trail_scanner *sc);

/* Bytes of a log file read at a time when it is sealed: the seal's memory, whatever the
 * file's size (a line longer than this doubles it for that file). */
#define TRAIL_SEAL_WINDOW (1u << 20)

/* Seal the plain log file open at fd (read from offset 0 with pread; the caller keeps fd):
 * its records up to the last newline are scanned into seal (as trail_scan) and written
 * gzip-compressed to gz_path (temporary file, fsync, rename), `window` bytes at a time (0:
 * TRAIL_SEAL_WINDOW), the pages read dropped from the page cache behind. Errors: CU_E_STORE
 * (read or write failed; nothing is left at gz_path), CU_E_NOMEM. */
MUST_CHECK cu_rc trail_seal_file(int fd, const char *gz_path, const char *name, size_t window,
                                 struct audit_log_seal *seal);

#endif
