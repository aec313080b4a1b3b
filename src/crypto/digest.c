/* digest.c — SHA-256 and HMAC-SHA256 on pre-fetched algorithms with per-thread contexts
 * (see digest.h). Contexts are freed when their thread ends. */
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <pthread.h>

#include "digest.h"

static EVP_MD *sha256;
static EVP_MAC *hmac;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static pthread_key_t ctx_key;

struct thread_ctx {
    EVP_MD_CTX *md;
    EVP_MAC_CTX *mac;
};

static void free_thread_ctx(void *p)
{
    struct thread_ctx *t = p;

    EVP_MD_CTX_free(t->md);
    EVP_MAC_CTX_free(t->mac);
    OPENSSL_free(t);
}

static void fetch(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    pthread_key_create(&ctx_key, free_thread_ctx);
}

static char digest_name[] = "SHA256";
static const OSSL_PARAM hmac_params[] = {
    {OSSL_MAC_PARAM_DIGEST, OSSL_PARAM_UTF8_STRING, digest_name, sizeof(digest_name) - 1, 0},
    OSSL_PARAM_END,
};

static struct thread_ctx *contexts(void)
{
    struct thread_ctx *t;

    pthread_once(&fetch_once, fetch);
    if (!sha256 || !hmac)
        return NULL;
    t = pthread_getspecific(ctx_key);
    if (t)
        return t;
    t = OPENSSL_zalloc(sizeof(*t));
    if (!t)
        return NULL;
    t->md = EVP_MD_CTX_new();
    t->mac = EVP_MAC_CTX_new(hmac);
    /* the digest is set once per context; each MAC then only re-keys */
    if (!t->md || !t->mac || EVP_MAC_CTX_set_params(t->mac, hmac_params) != 1) {
        free_thread_ctx(t);
        return NULL;
    }
    pthread_setspecific(ctx_key, t);
    return t;
}

cu_rc digest_sha256(struct bytes in, uint8_t out[32])
{
    struct thread_ctx *t = contexts();
    unsigned int n = 0;

    if (!t || EVP_DigestInit_ex(t->md, sha256, NULL) != 1 ||
        EVP_DigestUpdate(t->md, in.p, in.n) != 1 || EVP_DigestFinal_ex(t->md, out, &n) != 1)
        return CU_E_INTERNAL;
    return CU_OK;
}

cu_rc digest_hmac_sha256(struct bytes key, struct bytes msg, uint8_t out[32])
{
    struct thread_ctx *t = contexts();
    size_t n = 0;

    if (!t || EVP_MAC_init(t->mac, key.p, key.n, NULL) != 1 ||
        EVP_MAC_update(t->mac, msg.p, msg.n) != 1 || EVP_MAC_final(t->mac, out, &n, 32) != 1)
        return CU_E_INTERNAL;
    return CU_OK;
}
