/* Tests for crypto/password.c: a hash verifies its own password and no other, carries
 * Argon2id's parameters and a fresh salt each time, holds no trace of the password, and
 * bad lengths or a damaged hash are refused. */
#include <string.h>

#include "check.h"
#include "core/err.h"
#include "crypto/password.h"

#define PW "Correct-Horse-7-Battery"

static void round_trip(void)
{
    char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];
    bool ok = false;

    CHECK_OK(password_hash(bytes_str(PW), a));
    CHECK_OK(password_hash(bytes_str(PW), b));
    CHECK(strncmp(a, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    CHECK(strcmp(a, b) != 0); /* a fresh salt each time */
    CHECK(strstr(a, PW) == NULL);
    CHECK_OK(password_verify(a, bytes_str(PW), &ok));
    CHECK(ok);
    CHECK_OK(password_verify(b, bytes_str(PW), &ok));
    CHECK(ok);
    CHECK_OK(password_verify(a, bytes_str("Correct-Horse-7-Batterz"), &ok));
    CHECK(!ok);
    CHECK_OK(password_verify(a, bytes_str("Correct-Horse-7-Battery "), &ok));
    CHECK(!ok);
    /* lengths no password can have are a mismatch, not an error */
    CHECK_OK(password_verify(a, bytes_str(""), &ok));
    CHECK(!ok);
}

static void bounds(void)
{
    char h[PASSWORD_HASH_MAX], longest[129];
    bool ok = false;

    memset(longest, 'x', sizeof(longest));
    CHECK_RC(password_hash(bytes_str(""), h), CU_E_INTERNAL);
    CHECK_RC(password_hash((struct bytes){(const uint8_t *)longest, 129}, h), CU_E_INTERNAL);
    CHECK_OK(password_hash((struct bytes){(const uint8_t *)longest, 128}, h));
    CHECK_OK(password_verify(h, (struct bytes){(const uint8_t *)longest, 128}, &ok));
    CHECK(ok);
    CHECK_OK(password_verify(h, (struct bytes){(const uint8_t *)longest, 129}, &ok));
    CHECK(!ok);
}

static void damaged(void)
{
    char h[PASSWORD_HASH_MAX];
    bool ok = true;

    CHECK_OK(password_hash(bytes_str(PW), h));
    CHECK_RC(password_verify(NULL, bytes_str(PW), &ok), CU_E_INTERNAL);
    CHECK(!ok);
    CHECK_RC(password_verify("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA", bytes_str(PW), &ok),
             CU_E_INTERNAL);
    h[strlen(h) / 2] = '\0'; /* truncated */
    CHECK_RC(password_verify(h, bytes_str(PW), &ok), CU_E_INTERNAL);
    CHECK(!ok);
}

int main(void)
{
    round_trip();
    bounds();
    damaged();
    TEST_END();
}
