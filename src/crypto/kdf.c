/* kdf.c — HKDF-SHA256 (RFC 5869 §2.2 extract, §2.3 expand), see kdf.h.
 *
 * Built on HMAC-SHA256 through EVP_MAC rather than OpenSSL's EVP_KDF "HKDF": on OpenSSL 3.0
 * an HKDF context cannot be duplicated, a fresh one re-fetches SHA-256 by name on every
 * call, and a reused one keeps an old salt when the new one is empty. Here the HMAC algorithm
 * is fetched once and each thread keeps one EVP_MAC_CTX bound to SHA-256, re-keyed per
 * step. Invariant: after every call the context is re-keyed with zeros and the PRK and
 * intermediate blocks on the stack are wiped, so nothing derived outlives the call. */
#include "kdf.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>

#include "core/log.h"
#include "core/secret.h"

static pthread_once_t kdf_once = PTHREAD_ONCE_INIT;
static EVP_MAC *kdf_hmac;
static pthread_key_t kdf_tkey;
static bool kdf_tkey_ok;
static _Thread_local EVP_MAC_CTX *kdf_tctx;

static const uint8_t zero_key[KDF_SHA256_LEN];

static void kdf_ctx_destroy(void *ctx)
{
    EVP_MAC_CTX_free(ctx);
}

static void kdf_setup(void)
{
    kdf_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    kdf_tkey_ok = pthread_key_create(&kdf_tkey, kdf_ctx_destroy) == 0;
}

/* The calling thread's HMAC-SHA256 context, made on first use; NULL if OpenSSL fails. */
static EVP_MAC_CTX *kdf_ctx(void)
{
    EVP_MAC_CTX *ctx;
    OSSL_PARAM params[2];

    if (kdf_tctx)
        return kdf_tctx;
    if (pthread_once(&kdf_once, kdf_setup) != 0 || !kdf_hmac || !kdf_tkey_ok)
        return NULL;
    ctx = EVP_MAC_CTX_new(kdf_hmac);
    if (!ctx)
        return NULL;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(ctx, params) != 1 || pthread_setspecific(kdf_tkey, ctx) != 0) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    kdf_tctx = ctx;
    return ctx;
}

static void kdf_ctx_drop(void)
{
    char msg[256];

    ERR_error_string_n(ERR_peek_last_error(), msg, sizeof(msg));
    log_error("kdf: HMAC-SHA256 failed: %s", msg);
    ERR_clear_error();
    if (kdf_tctx) {
        (void)pthread_setspecific(kdf_tkey, NULL);
        EVP_MAC_CTX_free(kdf_tctx);
        kdf_tctx = NULL;
    }
}

/* out = HMAC-SHA256(key, a || b || c). */
static bool kdf_hmac3(EVP_MAC_CTX *ctx, const uint8_t *key, size_t key_n, struct bytes a,
                      struct bytes b, struct bytes c, uint8_t out[KDF_SHA256_LEN])
{
    size_t n = 0;

    if (EVP_MAC_init(ctx, key, key_n, NULL) != 1)
        return false;
    if (a.n && EVP_MAC_update(ctx, a.p, a.n) != 1)
        return false;
    if (b.n && EVP_MAC_update(ctx, b.p, b.n) != 1)
        return false;
    if (c.n && EVP_MAC_update(ctx, c.p, c.n) != 1)
        return false;
    return EVP_MAC_final(ctx, out, &n, KDF_SHA256_LEN) == 1 && n == KDF_SHA256_LEN;
}

cu_rc kdf_hkdf_sha256(struct bytes ikm, struct bytes salt, struct bytes info, uint8_t *out,
                      size_t out_len)
{
    cu_rc rc = CU_OK;
    EVP_MAC_CTX *ctx = NULL;
    uint8_t prk[KDF_SHA256_LEN];
    uint8_t t[KDF_SHA256_LEN];
    struct bytes none = {0};
    size_t done = 0, t_len = 0;
    uint8_t counter = 1;

    ENSURE(ikm.n > 0 && out_len > 0 && out_len <= KDF_HKDF_MAX_OUT, CU_E_INTERNAL);
    ctx = kdf_ctx();
    ENSURE(ctx, CU_E_INTERNAL);
    /* RFC 5869 §2.2: an absent salt is HashLen zeros. (A NULL key would make OpenSSL keep the
     * previous key, so the zeros are passed explicitly.) */
    if (salt.n == 0)
        salt = bytes_of(zero_key, sizeof(zero_key));
    ENSURE(kdf_hmac3(ctx, salt.p, salt.n, ikm, none, none, prk), CU_E_INTERNAL);
    /* §2.3: T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty. */
    while (done < out_len) {
        size_t take = out_len - done < KDF_SHA256_LEN ? out_len - done : KDF_SHA256_LEN;

        ENSURE(kdf_hmac3(ctx, prk, sizeof(prk), bytes_of(t, t_len), info, bytes_of(&counter, 1), t),
               CU_E_INTERNAL);
        t_len = sizeof(t);
        memcpy(out + done, t, take);
        done += take;
        counter++;
    }
out:
    secret_wipe(prk, sizeof(prk));
    secret_wipe(t, sizeof(t));
    if (rc != CU_OK) {
        if (out && out_len <= KDF_HKDF_MAX_OUT)
            secret_wipe(out, out_len);
        if (ctx)
            kdf_ctx_drop();
    } else if (EVP_MAC_init(ctx, zero_key, sizeof(zero_key), NULL) != 1) {
        kdf_ctx_drop();
    }
    return rc;
}
