/* password.h — console passwords, kept only as a memory-hard hash (Argon2id, libargon2).
 *
 * An IAM login profile stores the encoded hash ("$argon2id$v=19$m=...,t=...,p=...$salt$tag":
 * parameters and a random 16-byte salt travel with it, so raising the cost later leaves old
 * hashes verifiable). The plaintext password is never stored, logged or returned; callers
 * pass it as a borrowed view and wipe their own copies. */
#ifndef CU_CRYPTO_PASSWORD_H
#define CU_CRYPTO_PASSWORD_H

#include <stdbool.h>

#include "core/bytes.h"
#include "core/err.h"

/* Longest encoded hash password_hash writes, with its NUL. */
#define PASSWORD_HASH_MAX 160

/* Hash pw (1..128 bytes: IAM's passwordType) with a fresh salt into out, NUL-terminated.
 * CU_E_INTERNAL when the length is out of range or libargon2 fails. */
MUST_CHECK cu_rc password_hash(struct bytes pw, char out[PASSWORD_HASH_MAX]);

/* *ok is whether pw is the password `encoded` (a password_hash result) was made from; the
 * comparison is libargon2's constant-time one. A malformed hash is CU_E_INTERNAL (the
 * store is damaged), a wrong password is *ok = false. */
MUST_CHECK cu_rc password_verify(const char *encoded, struct bytes pw, bool *ok);

#endif
