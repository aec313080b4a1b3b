/* secret.h — struct secret: key material, plaintexts and secret keys.
 *
 * Secrets live in OpenSSL's secure heap (mlock'ed, guard pages, excluded from core
 * dumps) once secret_heap_init() has run, and are wiped on secret_free(). Stack copies
 * are wiped with secret_wipe() before a function returns. Every comparison of a MAC,
 * signature, token or secret goes through ct_equal(). */
#ifndef CU_SECRET_H
#define CU_SECRET_H

#include "bytes.h"
#include "cu.h"

struct secret {
    size_t n;
    uint8_t p[];
};

/* Set up the secure heap (call once at start, before any secret is made). Returns
 * CU_E_INTERNAL if the heap cannot be created; secrets then fall back to the normal heap
 * with wiping, which tests running without mlock limits rely on. */
MUST_CHECK cu_rc secret_heap_init(size_t size);

/* A new zero-filled secret of n bytes, owned by the caller (secret_free). */
MUST_CHECK cu_rc secret_new(size_t n, struct secret **out);

/* A new secret holding a copy of the bytes in v. */
MUST_CHECK cu_rc secret_from(struct bytes v, struct secret **out);

/* Wipe and free; NULL-safe. */
void secret_free(struct secret *s);

static inline struct bytes secret_bytes(const struct secret *s)
{
    return bytes_of(s->p, s->n);
}

/* Wipe n bytes at p in a way the compiler cannot elide. */
void secret_wipe(void *p, size_t n);

/* Constant-time equality of two byte strings (length differences leak only the lengths). */
bool ct_equal(const void *a, size_t a_len, const void *b, size_t b_len);

#endif
