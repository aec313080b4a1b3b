/* trail_tail.h — what a start reads at the end of DIR/audit.log (writer.c): where the
 * records end, the chain's head, a torn record a crash left. */
#ifndef CU_AUDIT_TRAIL_TAIL_H
#define CU_AUDIT_TRAIL_TAIL_H

#include <sys/types.h>

#include "chain.h"

/* Where the records of fd end: after its last newline. Whatever follows — NULs reserved
 * by a run that did not stop cleanly, and perhaps the head of a record whose copy a crash
 * interrupted — is not a record. -1 on a read error. */
off_t trail_tail_records_end(int fd);
/* The hash of the line that ends at `end` (the last record), into head; head is left as
 * it is when end is 0. Errors: CU_E_STORE, CU_E_NOMEM. */
MUST_CHECK cu_rc trail_tail_last_hash(int fd, off_t end, char head[AUDIT_HASH_HEX + 1]);
/* In [from, to): *torn is the length of a torn record (up to its last non-NUL byte; 0
 * when there are only NULs), and hash its SHA-256 when there is one. Errors: CU_E_STORE,
 * CU_E_NOMEM. */
MUST_CHECK cu_rc trail_tail_torn(int fd, off_t from, off_t to, size_t *torn,
                                 char hash[AUDIT_HASH_HEX + 1]);

#endif
