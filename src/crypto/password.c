/* password.c — Argon2id password hashes (password.h).
 *
 * Cost: OWASP's Password Storage Cheat Sheet lists Argon2id with 19 MiB of memory, two
 * passes and one lane as its minimum; custos uses that: 34 ms a hash or a check, measured on
 * the 2-core test machine under load, paid only by the login profile operations and
 * ChangePassword (and once more per remembered password a PasswordReusePrevention checks). The tag
 * libargon2 computes on the stack is its own to wipe (it clears its memory blocks:
 * ARGON2_FLAG_CLEAR_MEMORY is not needed for the password, which it never copies). */
#include "password.h"

#include <argon2.h>
#include <string.h>

#include "core/rand.h"
#include "core/secret.h"

#define PASSWORD_T_COST 2
#define PASSWORD_M_COST_KIB (19 * 1024)
#define PASSWORD_LANES 1
#define PASSWORD_SALT_LEN 16
#define PASSWORD_TAG_LEN 32
#define PASSWORD_MAX_LEN 128

cu_rc password_hash(struct bytes pw, char out[PASSWORD_HASH_MAX])
{
    cu_rc rc = CU_OK;
    uint8_t salt[PASSWORD_SALT_LEN];
    size_t need = argon2_encodedlen(PASSWORD_T_COST, PASSWORD_M_COST_KIB, PASSWORD_LANES,
                                    PASSWORD_SALT_LEN, PASSWORD_TAG_LEN, Argon2_id);

    ENSURE(pw.n >= 1 && pw.n <= PASSWORD_MAX_LEN && need <= PASSWORD_HASH_MAX, CU_E_INTERNAL);
    TRY(rand_bytes(salt, sizeof(salt)));
    ENSURE(argon2id_hash_encoded(PASSWORD_T_COST, PASSWORD_M_COST_KIB, PASSWORD_LANES, pw.p,
                                 pw.n, salt, sizeof(salt), PASSWORD_TAG_LEN, out,
                                 PASSWORD_HASH_MAX) == ARGON2_OK,
           CU_E_INTERNAL);
out:
    secret_wipe(salt, sizeof(salt));
    return rc;
}

cu_rc password_verify(const char *encoded, struct bytes pw, bool *ok)
{
    cu_rc rc = CU_OK;
    int r;

    *ok = false;
    ENSURE(encoded && strncmp(encoded, "$argon2id$", 10) == 0, CU_E_INTERNAL);
    if (pw.n < 1 || pw.n > PASSWORD_MAX_LEN)
        goto out; /* no password of that length was ever hashed */
    r = argon2id_verify(encoded, pw.p, pw.n);
    ENSURE(r == ARGON2_OK || r == ARGON2_VERIFY_MISMATCH, CU_E_INTERNAL);
    *ok = r == ARGON2_OK;
out:
    return rc;
}
