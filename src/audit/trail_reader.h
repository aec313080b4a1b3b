/* trail_reader.h — one node's trail read a record at a time, oldest file first, in a
 * window of memory whatever the trail's size: the sealed log files by number (a plain
 * copy a crash left beside its sealed one skipped), a file a crash left unsealed, then
 * the live DIR/audit.log. For `custos audit export`, which merges several (export.c).
 *
 * What is not a record is not returned: what follows a file's last newline (a torn tail),
 * and, in the live file, everything from the first NUL byte on (the space the writer
 * reserves ahead of its last record, audit.h). The records come in the order the node
 * wrote them, which is its chain's order and not strictly eventTime's (audit.h: a call's
 * eventTime is when it arrived, its record is written when it ends). */
#ifndef CU_AUDIT_TRAIL_READER_H
#define CU_AUDIT_TRAIL_READER_H

#include "core/err.h"

/* A longer line is not a record custos wrote: the reader fails rather than grow for it. */
#define TRAIL_READER_LINE_MAX (64u << 20)

struct trail_reader;

/* A reader of data_dir's trail (the files of DIR/audit-trail as listed now; audit.log when
 * the reader gets to it). *out is the caller's (trail_reader_free). Errors: CU_E_STORE
 * (data_dir is missing or unreadable, or DIR/audit-trail cannot be listed), CU_E_NOMEM. */
MUST_CHECK cu_rc trail_reader_open(const char *data_dir, struct trail_reader **out);
/* The next record: *line (without its newline, *len bytes) is borrowed until the next
 * call or the free; NULL at the trail's end. Errors: CU_E_STORE (a file cannot be read, a
 * sealed one is not a whole gzip stream, or a line is longer than TRAIL_READER_LINE_MAX),
 * CU_E_NOMEM; trail_reader_file() then names the file. */
MUST_CHECK cu_rc trail_reader_next(struct trail_reader *r, const char **line, size_t *len);
/* The path of the file being read (or that failed); "" before the first. */
const char *trail_reader_file(const struct trail_reader *r);
/* NULL-safe. */
void trail_reader_free(struct trail_reader *r);

#endif
