/* secret.c — secrets in the secure heap (see secret.h). OpenSSL's secure heap gives
 * mlock, guard pages and MADV_DONTDUMP; when it is unavailable we still wipe on free. */
#include "secret.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

cu_rc secret_heap_init(size_t size)
{
    if (CRYPTO_secure_malloc_initialized())
        return CU_OK;
    /* minsize 64: small allocations (a 32-byte key plus header) each get their own slot. */
    if (CRYPTO_secure_malloc_init(size, 64) == 0)
        return CU_E_INTERNAL;
    return CU_OK;
}

cu_rc secret_new(size_t n, struct secret **out)
{
    struct secret *s;

    s = OPENSSL_secure_zalloc(sizeof(*s) + n + 1);
    if (!s)
        return CU_E_NOMEM;
    s->n = n;
    *out = s;
    return CU_OK;
}

cu_rc secret_from(struct bytes v, struct secret **out)
{
    cu_rc rc = secret_new(v.n, out);

    if (rc == CU_OK && v.n)
        memcpy((*out)->p, v.p, v.n);
    return rc;
}

void secret_free(struct secret *s)
{
    if (!s)
        return;
    OPENSSL_secure_clear_free(s, sizeof(*s) + s->n + 1);
}

void secret_wipe(void *p, size_t n)
{
    /* glibc's explicit_bzero: a memset the compiler may not remove, at memset's speed
     * (OPENSSL_cleanse stores a byte or a word at a time, and every freed JSON node and
     * request buffer is wiped: it showed in the profile of a GenerateDataKey) */
    if (p && n)
        explicit_bzero(p, n);
}

bool ct_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
    if (a_len != b_len)
        return false;
    if (a_len == 0)
        return true;
    return CRYPTO_memcmp(a, b, a_len) == 0;
}
