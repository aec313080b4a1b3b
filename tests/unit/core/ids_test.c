/* Tests for core/ids.c and core/rand.c: formats, alphabets, uniqueness. */
#include <ctype.h>

#include "check.h"
#include "core/ids.h"
#include "core/rand.h"

static bool all_in(const char *s, const char *alphabet)
{
    for (; *s; s++)
        if (!strchr(alphabet, *s))
            return false;
    return true;
}

int main(void)
{
    char a[IDS_UUID_LEN + 1], b[IDS_UUID_LEN + 1], u[IDS_UNIQUE_ID_LEN + 1];
    char k[IDS_ACCESS_KEY_ID_LEN + 1], s[IDS_SECRET_KEY_LEN + 1];
    uint8_t big[5000], zero[5000] = {0};

    CHECK_OK(ids_uuid(a));
    CHECK_OK(ids_uuid(b));
    CHECK(ids_is_uuid(a));
    CHECK(strcmp(a, b) != 0);
    CHECK(a[14] == '4');
    CHECK(strchr("89ab", a[19]) != NULL);
    CHECK(!ids_is_uuid("not-a-uuid"));
    CHECK(!ids_is_uuid("11111111-2222-4333-8444-5555555555555"));
    CHECK(!ids_is_uuid("11111111x2222-4333-8444-555555555555"));

    CHECK_OK(ids_unique("AIDA", u));
    CHECK_INT(strlen(u), 21);
    CHECK(strncmp(u, "AIDA", 4) == 0);
    CHECK(all_in(u + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
    CHECK_OK(ids_access_key_id("AKIA", k));
    CHECK_INT(strlen(k), 20);
    CHECK_OK(ids_secret_key(s));
    CHECK_INT(strlen(s), 40);
    CHECK(all_in(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));

    /* large draws bypass the pool; small draws span pool refills */
    CHECK_OK(rand_bytes(big, sizeof(big)));
    CHECK(memcmp(big, zero, sizeof(big)) != 0);
    for (int i = 0; i < 2000; i++)
        CHECK_OK(rand_bytes(big, 7));
    TEST_END();
}
