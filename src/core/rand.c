/* rand.c — bulk randomness (see rand.h). Requests larger than the buffer go straight
 * to RAND_bytes; the buffer lives in thread-local storage, so no locking. */
#include "rand.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#include "secret.h"

#define POOL_SIZE 4096

static _Thread_local uint8_t pool[POOL_SIZE];
static _Thread_local size_t pool_left;

cu_rc rand_bytes(void *out, size_t n)
{
    uint8_t *dst = out;

    if (n > POOL_SIZE / 4)
        return RAND_bytes(dst, (int)n) == 1 ? CU_OK : CU_E_INTERNAL;
    while (n) {
        size_t take;

        if (pool_left == 0) {
            if (RAND_bytes(pool, POOL_SIZE) != 1)
                return CU_E_INTERNAL;
            pool_left = POOL_SIZE;
        }
        take = n < pool_left ? n : pool_left;
        memcpy(dst, pool + POOL_SIZE - pool_left, take);
        secret_wipe(pool + POOL_SIZE - pool_left, take);
        pool_left -= take;
        dst += take;
        n -= take;
    }
    return CU_OK;
}
