/* file.h — whole files written so that a crash leaves either the old state or the new one:
 * the bytes go to a private temporary file beside the target, are fsynced, renamed into
 * place, and the directory is fsynced. Used for the trail's digests and signing key. */
#ifndef CU_FILE_H
#define CU_FILE_H

#include "buf.h"

/* Write data to path atomically with the given mode. exclusive: fail with CU_E_STORE_EXISTS
 * when path exists (a link instead of a rename, so a file another process made meanwhile
 * is never replaced). Errors: CU_E_STORE with errno's text in why (cap bytes), never the
 * data. */
MUST_CHECK cu_rc file_write_atomic(const char *path, struct bytes data, int mode, bool exclusive,
                                   char *why, size_t cap);
/* fsync the directory that holds path. Errors: CU_E_STORE. */
MUST_CHECK cu_rc file_sync_dir_of(const char *path);
/* Read the whole file at path into out (appended), at most out's limit. Errors: CU_E_STORE
 * (cannot open or read; errno kept), CU_E_PAYLOAD_TOO_LARGE. */
MUST_CHECK cu_rc file_read_all(const char *path, struct buf *out);

#endif
