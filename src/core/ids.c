/* ids.c — AWS-format identifiers from the random pool (see ids.h). */
#include "ids.h"

#include <string.h>

#include "codec.h"
#include "rand.h"
#include "secret.h"

cu_rc ids_uuid(char *out)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t r[16];
    cu_rc rc = rand_bytes(r, sizeof(r));
    int j = 0;

    if (rc != CU_OK)
        return rc;
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* version 4 */
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[j++] = '-';
        out[j++] = hex[r[i] >> 4];
        out[j++] = hex[r[i] & 15];
    }
    out[j] = '\0';
    return CU_OK;
}

static cu_rc random_from(const char *alphabet, size_t alpha_len, char *out, size_t n)
{
    uint8_t r[64];
    cu_rc rc = rand_bytes(r, n);

    if (rc != CU_OK)
        return rc;
    /* alpha_len is 32 or 64 here, so the modulo has no bias. */
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[r[i] % alpha_len];
    out[n] = '\0';
    secret_wipe(r, sizeof(r));
    return CU_OK;
}

static const char base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

cu_rc ids_unique(const char *prefix, char *out)
{
    memcpy(out, prefix, 4);
    return random_from(base32, 32, out + 4, IDS_UNIQUE_ID_LEN - 4);
}

cu_rc ids_access_key_id(const char *prefix, char *out)
{
    memcpy(out, prefix, 4);
    return random_from(base32, 32, out + 4, IDS_ACCESS_KEY_ID_LEN - 4);
}

cu_rc ids_secret_key(char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    return random_from(alphabet, 64, out, IDS_SECRET_KEY_LEN);
}

bool ids_is_uuid(const char *s)
{
    for (int i = 0; i < IDS_UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        /* hex_digit, not isxdigit: no locale lookup per character on every KMS call */
        if (dash ? s[i] != '-' : hex_digit((unsigned char)s[i]) < 0)
            return false;
    }
    return s[IDS_UUID_LEN] == '\0';
}
