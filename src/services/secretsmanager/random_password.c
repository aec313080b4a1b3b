/* random_password.c — GetRandomPassword (Secrets Manager API reference): PasswordLength 1
 * to 4,096, 32 unless given; the character classes lowercase, uppercase, digits and
 * punctuation "! \" # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \ ] ^ _ ` { | } ~", each
 * excludable, the space only with IncludeSpace, ExcludeCharacters dropping any character;
 * RequireEachIncludedType (true unless given) puts at least one of each class still
 * included. Characters are drawn without modulo bias from the DRBG (core/rand.h); the
 * password is a secret (the model marks RandomPassword sensitive) and the stack copy is
 * wiped. */
#include <string.h>

#include "core/rand.h"
#include "core/secret.h"
#include "core/tree.h"
#include "secretsmanager_ops.gen.h"
#include "services/in.h"

#define PASSWORD_MAX 4096

static const char *const classes[] = {
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    " ",
};
static const char *const excluders[] = {"ExcludeLowercase", "ExcludeUppercase", "ExcludeNumbers",
                                        "ExcludePunctuation", NULL};

/* A uniform index below n (n <= 256) from random bytes, rejecting the biased tail. */
static cu_rc draw(size_t n, size_t *out)
{
    cu_rc rc = CU_OK;
    uint8_t b;
    unsigned limit = 256 - 256 % (unsigned)n;

    do {
        TRY(rand_bytes(&b, 1));
    } while (b >= limit);
    *out = b % n;
out:
    return rc;
}

/* A uniform index below n (n <= PASSWORD_MAX) from two random bytes, rejecting the tail. */
static cu_rc draw_below(size_t n, size_t *out)
{
    cu_rc rc = CU_OK;
    uint8_t b[2];
    unsigned v, limit = 65536 - 65536 % (unsigned)n;

    do {
        TRY(rand_bytes(b, 2));
        v = (unsigned)b[0] << 8 | b[1];
    } while (v >= limit);
    *out = v % n;
out:
    return rc;
}

cu_rc secretsmanager_get_random_password(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    int64_t length = in_int(in, "PasswordLength", 32);
    const char *exclude = in_str_or(in, "ExcludeCharacters", "");
    bool require = in_bool(in, "RequireEachIncludedType", true);
    char sets[5][100], all[400], password[PASSWORD_MAX + 1];
    size_t n_sets = 0, n_all = 0, at, k;

    memset(password, 0, sizeof(password));
    ENSURE(length >= 1 && length <= PASSWORD_MAX, CU_E_VALIDATION); /* the model's range */
    for (size_t c = 0; c < 5; c++) {
        size_t n = 0;

        if (c < 4 ? in_bool(in, excluders[c], false) : !in_bool(in, "IncludeSpace", false))
            continue;
        for (const char *p = classes[c]; *p; p++)
            if (!strchr(exclude, *p)) {
                sets[n_sets][n++] = *p;
                all[n_all++] = *p;
            }
        sets[n_sets][n] = '\0';
        if (n)
            n_sets++;
    }
    ENSURE(n_all > 0, cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                                 "The password cannot be generated: every character is "
                                 "excluded."));
    ENSURE(!require || (size_t)length >= n_sets,
           cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                      "The password length is too short to include a character of every "
                      "required type."));
    /* one character of each included class first when required, the rest from all of
     * them, then a Fisher-Yates shuffle so the classes' places are random too */
    for (int64_t i = 0; i < length; i++) {
        if (require && (size_t)i < n_sets) {
            TRY(draw(strlen(sets[i]), &k));
            password[i] = sets[i][k];
        } else {
            TRY(draw(n_all, &k));
            password[i] = all[k];
        }
    }
    for (size_t i = (size_t)length - 1; i > 0; i--) {
        char t;

        TRY(draw_below(i + 1, &at));
        t = password[i];
        password[i] = password[at];
        password[at] = t;
    }
    TRY(tree_set_str(out, "RandomPassword", password));
out:
    secret_wipe(password, sizeof(password));
    secret_wipe(all, sizeof(all));
    return rc;
}
