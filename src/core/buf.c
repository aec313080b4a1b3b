/* buf.c — owned growable buffers (see buf.h). Growth doubles capacity; a sensitive buf
 * never uses realloc, which could leave a copy of a secret behind in freed memory. */
#include "buf.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

void buf_init(struct buf *b, size_t limit)
{
    *b = (struct buf){.limit = limit};
}

void buf_init_sensitive(struct buf *b, size_t limit)
{
    *b = (struct buf){.limit = limit, .sensitive = true};
}

cu_rc buf_reserve(struct buf *b, size_t n)
{
    size_t want, cap;
    char *p;

    if (n > b->limit - b->n || b->n > b->limit)
        return CU_E_PAYLOAD_TOO_LARGE;
    want = b->n + n + 1;
    if (want <= b->cap)
        return CU_OK;
    /* 256 to start: most bufs of a request (canonical request, response, audit record)
     * pass 64 and 128, and each step is a realloc (for a sensitive buf, copy and wipe) */
    cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap *= 2;
    if (b->sensitive) {
        p = malloc(cap);
        if (!p)
            return CU_E_NOMEM;
        if (b->p) {
            memcpy(p, b->p, b->n + 1);
            secret_wipe(b->p, b->cap);
            free(b->p);
        }
    } else {
        p = realloc(b->p, cap);
        if (!p)
            return CU_E_NOMEM;
    }
    b->p = p;
    b->cap = cap;
    b->p[b->n] = '\0';
    return CU_OK;
}

cu_rc buf_add_grow(struct buf *b, const void *p, size_t n)
{
    cu_rc rc;

    rc = buf_reserve(b, n);
    if (rc != CU_OK)
        return rc;
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return CU_OK;
}

cu_rc buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int len;
    cu_rc rc;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return CU_E_INTERNAL;
    rc = buf_reserve(b, (size_t)len);
    if (rc != CU_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
    return CU_OK;
}

cu_rc buf_addstrs(struct buf *b, ...)
{
    va_list ap;
    const char *s;
    cu_rc rc = CU_OK;

    va_start(ap, b);
    while (rc == CU_OK && (s = va_arg(ap, const char *)) != NULL)
        rc = buf_add(b, s, strlen(s));
    va_end(ap);
    return rc;
}

void str_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);

    memcpy(dst, src, n);
    dst[n] = '\0';
}

void buf_reset(struct buf *b)
{
    if (b->p) {
        if (b->sensitive)
            secret_wipe(b->p, b->cap);
        b->p[0] = '\0';
    }
    b->n = 0;
}

void buf_release(struct buf *b)
{
    if (b->p && b->sensitive)
        secret_wipe(b->p, b->cap);
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

char *buf_take(struct buf *b, size_t *len)
{
    char *p = b->p;

    if (!p) {
        p = calloc(1, 1);
        if (!p)
            BUG("out of memory taking an empty buffer");
    }
    if (len)
        *len = b->n;
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}

void buf_free_sensitive(void *p, size_t n)
{
    if (!p)
        return;
    secret_wipe(p, n);
    free(p);
}
