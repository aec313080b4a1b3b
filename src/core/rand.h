/* rand.h — random bytes for ids, nonces and key material.
 *
 * OpenSSL's RAND_bytes costs about 1.8 µs a call; custos draws from a per-thread
 * buffer refilled 4 KiB at a time from OpenSSL's DRBG, and wipes what it hands out
 * from the buffer, so a later read of the buffer reveals nothing already used. */
#ifndef CU_RAND_H
#define CU_RAND_H

#include "cu.h"

/* Fill out with n cryptographically secure random bytes. CU_E_INTERNAL if the DRBG fails. */
MUST_CHECK cu_rc rand_bytes(void *out, size_t n);

#endif
