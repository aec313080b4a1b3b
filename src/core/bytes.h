/* bytes.h — a borrowed view of bytes, and a bounded cursor over one.
 *
 * struct bytes never owns its memory. Parsers read through struct cursor, whose every
 * read is checked against the remaining length, so no parser indexes past its input.
 * Decoded bytes are not NUL-terminated: never hand them to str* functions. */
#ifndef CU_BYTES_H
#define CU_BYTES_H

#include <string.h>

#include "cu.h"

struct bytes {
    const uint8_t *p;
    size_t n;
};

static inline struct bytes bytes_of(const void *p, size_t n)
{
    return (struct bytes){(const uint8_t *)p, n};
}

static inline struct bytes bytes_str(const char *s)
{
    return (struct bytes){(const uint8_t *)s, s ? strlen(s) : 0};
}

static inline bool bytes_eq_str(struct bytes b, const char *s)
{
    size_t n = strlen(s);
    return b.n == n && (n == 0 || memcmp(b.p, s, n) == 0);
}

struct cursor {
    struct bytes in;
    size_t pos;
};

static inline void cursor_init(struct cursor *c, struct bytes in)
{
    c->in = in;
    c->pos = 0;
}

static inline size_t cursor_left(const struct cursor *c)
{
    return c->in.n - c->pos;
}

/* Take the next n bytes as a view; false (cursor unchanged) if fewer remain. */
static inline bool cursor_take(struct cursor *c, size_t n, struct bytes *out)
{
    if (n > cursor_left(c))
        return false;
    *out = bytes_of(c->in.p + c->pos, n);
    c->pos += n;
    return true;
}

static inline bool cursor_u8(struct cursor *c, uint8_t *out)
{
    if (cursor_left(c) < 1)
        return false;
    *out = c->in.p[c->pos++];
    return true;
}

/* Big-endian 16- and 32-bit reads. */
static inline bool cursor_u16(struct cursor *c, uint16_t *out)
{
    if (cursor_left(c) < 2)
        return false;
    *out = (uint16_t)((c->in.p[c->pos] << 8) | c->in.p[c->pos + 1]);
    c->pos += 2;
    return true;
}

static inline bool cursor_u32(struct cursor *c, uint32_t *out)
{
    const uint8_t *p;

    if (cursor_left(c) < 4)
        return false;
    p = c->in.p + c->pos;
    *out = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    c->pos += 4;
    return true;
}

#endif
