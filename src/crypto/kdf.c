/* kdf.c — HKDF-SHA256 (RFC 5869 §2.2 extract, §2.3 expand), see kdf.h.
 *
 * Built on crypto/digest.c's HMAC-SHA256 rather than OpenSSL's EVP_KDF "HKDF": on OpenSSL
 * 3.0 a fresh HKDF context re-fetches SHA-256 by name on every call, which made key
 * derivation the largest cost of a KMS Encrypt. Expand keys its HMAC with the PRK once and
 * copies that keyed state for each block (a struct copy, see digest.h), instead of padding
 * and hashing the PRK again per block: two SHA-256 blocks fewer for KMS's 44 bytes, the
 * same output. Invariant: the PRK, the keyed state and intermediate blocks on the stack are
 * wiped before return, so nothing derived outlives the call except out. */
#include "kdf.h"

#include "core/secret.h"
#include "digest.h"

static const uint8_t zero_salt[KDF_SHA256_LEN];

cu_rc kdf_hkdf_sha256(struct bytes ikm, struct bytes salt, struct bytes info, uint8_t *out,
                      size_t out_len)
{
    struct hmac_sha256 keyed, h;
    uint8_t prk[KDF_SHA256_LEN];
    uint8_t t[KDF_SHA256_LEN];
    size_t done = 0, t_len = 0;
    uint8_t counter = 1;

    if (ikm.n == 0 || out_len == 0 || out_len > KDF_HKDF_MAX_OUT)
        return CU_E_INTERNAL;
    /* §2.2: an absent salt is HashLen zeros. */
    if (salt.n == 0)
        salt = bytes_of(zero_salt, sizeof(zero_salt));
    digest_hmac_sha256(salt, ikm, prk);
    hmac_sha256_init(&keyed, bytes_of(prk, sizeof(prk)));
    secret_wipe(prk, sizeof(prk));
    /* §2.3: T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty. */
    while (done < out_len) {
        size_t take = out_len - done < KDF_SHA256_LEN ? out_len - done : KDF_SHA256_LEN;

        h = keyed; /* hmac_sha256_final wipes this copy */
        hmac_sha256_update(&h, bytes_of(t, t_len));
        hmac_sha256_update(&h, info);
        hmac_sha256_update(&h, bytes_of(&counter, 1));
        hmac_sha256_final(&h, t);
        t_len = sizeof(t);
        memcpy(out + done, t, take);
        done += take;
        counter++;
    }
    secret_wipe(&keyed, sizeof(keyed));
    secret_wipe(t, sizeof(t));
    return CU_OK;
}
