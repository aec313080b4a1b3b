/* buf.h — struct buf: owned, growable bytes with a hard limit, always NUL-terminated.
 *
 * Lifecycle: buf_init() (no allocation yet) -> buf_add*() -> buf_release() or buf_take().
 * A buf marked sensitive (buf_init_sensitive) holds secrets: it grows by copy-then-wipe
 * and is wiped on release, so no stale copy of a plaintext stays in freed memory.
 * Adding past `limit` fails with CU_E_PAYLOAD_TOO_LARGE and leaves the buf unchanged. */
#ifndef CU_BUF_H
#define CU_BUF_H

#include <string.h>

#include "bytes.h"
#include "cu.h"

struct buf {
    char *p;        /* NUL-terminated when non-NULL; p[n] == '\0' */
    size_t n;       /* bytes used, excluding the terminator */
    size_t cap;     /* bytes allocated */
    size_t limit;   /* most bytes n may reach */
    bool sensitive; /* wipe on growth and release */
};

#define BUF_NO_LIMIT ((size_t)1 << 40)

void buf_init(struct buf *b, size_t limit);
void buf_init_sensitive(struct buf *b, size_t limit);

/* Append n bytes, growing the allocation: the out-of-line half of buf_add. */
MUST_CHECK cu_rc buf_add_grow(struct buf *b, const void *p, size_t n);

/* Append n bytes / a C string / one byte / a formatted string. The first three are
 * inline: encoders call them a few hundred times per request, mostly for a few bytes that
 * fit in what is already allocated. */
MUST_CHECK static inline cu_rc buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->p && n && n < b->cap - b->n && b->n + n <= b->limit) {
        memcpy(b->p + b->n, p, n);
        b->n += n;
        b->p[b->n] = '\0';
        return CU_OK;
    }
    return buf_add_grow(b, p, n);
}

MUST_CHECK static inline cu_rc buf_addstr(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

MUST_CHECK static inline cu_rc buf_addch(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

MUST_CHECK cu_rc buf_addf(struct buf *b, const char *fmt, ...) CU_PRINTF(2, 3);
/* Append each string in turn, up to a NULL: buf_addstrs(b, "<", name, ">", NULL). For the
 * request path, where printf's format parsing costs more than the copying. */
MUST_CHECK cu_rc buf_addstrs(struct buf *b, ...) __attribute__((sentinel));

/* Copy src into dst[cap] (cap > 0), cut short if need be; always terminated. */
void str_copy(char *dst, size_t cap, const char *src);

/* Make sure at least n more bytes fit without another allocation. */
MUST_CHECK cu_rc buf_reserve(struct buf *b, size_t n);

/* Drop the contents but keep the allocation (wiped if sensitive). */
void buf_reset(struct buf *b);

/* Free the memory (wiping it first if sensitive); the buf is reusable after buf_init. */
void buf_release(struct buf *b);

/* Hand the bytes to the caller (who frees them with free(), or with buf_free_sensitive
 * for a sensitive buf) and leave the buf empty. Never NULL: an empty buf yields "". */
char *buf_take(struct buf *b, size_t *len);

static inline struct bytes buf_bytes(const struct buf *b)
{
    return bytes_of(b->p, b->n);
}

/* Wipe n bytes at p, then free(p). NULL-safe. For memory taken from a sensitive buf. */
void buf_free_sensitive(void *p, size_t n);

#endif
