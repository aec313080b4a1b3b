/* trail_tail.c — the end of the live trail file as a start finds it (trail_tail.h): where
 * its records end, the hash of its last one (the chain's head), and what a crash left
 * after them. Plain reads of an fd (pread), nothing of the writer's state. */
#include "trail_tail.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the records of an existing trail end: after its last newline. Whatever follows —
 * NULs reserved by a run that did not stop cleanly, and perhaps the head of a record
 * whose copy a crash interrupted — is not a record. Returns -1 on a read error. */
off_t trail_tail_records_end(int fd)
{
    struct stat st;
    char chunk[65536];
    off_t at;

    if (fstat(fd, &st) != 0)
        return -1;
    at = st.st_size;
    while (at > 0) {
        size_t n = at < (off_t)sizeof(chunk) ? (size_t)at : sizeof(chunk);
        ssize_t got = pread(fd, chunk, n, at - (off_t)n);

        if (got != (ssize_t)n)
            return -1;
        for (size_t i = n; i > 0; i--)
            if (chunk[i - 1] == '\n')
                return at - (off_t)n + (off_t)i;
        at -= (off_t)n;
    }
    return 0;
}

/* The hash of the line that ends at `end` (the file's last record), into head; head is
 * left as it is when the file holds no record. */
cu_rc trail_tail_last_hash(int fd, off_t end, char head[AUDIT_HASH_HEX + 1])
{
    cu_rc rc = CU_OK;
    size_t want = 65536;
    char *p = NULL;

    while (end > 0) {
        size_t n = (off_t)want < end ? want : (size_t)end;
        char *grown = realloc(p, n), *nl;

        ENSURE(grown, CU_E_NOMEM);
        p = grown;
        ENSURE(pread(fd, p, n, end - (off_t)n) == (ssize_t)n, CU_E_STORE);
        /* the byte before `end` is the last line's newline */
        nl = n > 1 ? memrchr(p, '\n', n - 1) : NULL;
        if (nl || (off_t)n == end) {
            size_t from = nl ? (size_t)(nl - p) + 1 : 0;
            audit_chain_hash_line(p + from, n - 1 - from, head);
            break;
        }
        want *= 2;
    }
out:
    free(p);
    return rc;
}

/* What a crash left after the last newline: NULs the run had reserved, and perhaps the
 * head of a record whose copy it interrupted. *torn is the length of the latter (up to its
 * last non-NUL byte), hashed into hash for the record of the cut. */
cu_rc trail_tail_torn(int fd, off_t from, off_t to, size_t *torn, char hash[AUDIT_HASH_HEX + 1])
{
    cu_rc rc = CU_OK;
    struct buf tail;
    char chunk[65536];

    *torn = 0;
    buf_init(&tail, BUF_NO_LIMIT);
    for (off_t at = from; at < to;) {
        size_t n = to - at < (off_t)sizeof(chunk) ? (size_t)(to - at) : sizeof(chunk);
        ENSURE(pread(fd, chunk, n, at) == (ssize_t)n, CU_E_STORE);
        for (size_t i = n; i > 0; i--)
            if (chunk[i - 1]) {
                *torn = (size_t)(at - from) + i;
                break;
            }
        at += (off_t)n;
    }
    if (*torn) {
        TRY(buf_reserve(&tail, *torn));
        ENSURE(pread(fd, tail.p, *torn, from) == (ssize_t)*torn, CU_E_STORE);
        audit_chain_hash_line(tail.p, *torn, hash);
    }
out:
    buf_release(&tail);
    return rc;
}

