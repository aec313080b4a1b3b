/* sigv4_verify.c — proving a request was signed with the caller's secret key, and that
 * it was signed for this region, this service and about now.
 *
 * The signing key chain (kDate -> kRegion -> kService -> kSigning, four HMACs) depends
 * only on the secret, the date, the region and the service, so each thread keeps the
 * last few derived keys, already absorbed into an HMAC state; a hit leaves two SHA-256s
 * per request (canonical request, signature). The cache is key material: it lives in the
 * secure heap (mlocked, out of core dumps), one per thread, bounded to KEY_CACHE_SLOTS
 * entries, each wiped when replaced and the whole wiped when its thread ends. An entry
 * holds the secret it was derived from and is used only when the caller's secret is the
 * same (compared in constant time): a changed secret never meets an old key. */
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/codec.h"
#include "core/secret.h"
#include "core/stats.h"
#include "crypto/digest.h"
#include "sigv4.h"

#define KEY_CACHE_SLOTS 8
#define CACHED_SECRET_MAX 128       /* longer secrets are derived every time */

static const char mismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

struct cached_key {
    char access_key_id[129];
    char scope_date[9], region[64], service[64];
    uint8_t secret[CACHED_SECRET_MAX];
    size_t secret_len;
    struct hmac_sha256 signer;  /* HMAC state keyed with kSigning */
    bool used;
};

struct key_cache {
    struct cached_key slots[KEY_CACHE_SLOTS];
    unsigned next;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static bool cache_ready;

static void cache_free(void *p)
{
    OPENSSL_secure_clear_free(p, sizeof(struct key_cache));
}

static void cache_init(void)
{
    cache_ready = pthread_key_create(&cache_key, cache_free) == 0;
}

/* This thread's cache, made on first use; NULL when it cannot be had (derive, then). */
static struct key_cache *thread_cache(void)
{
    struct key_cache *c;

    pthread_once(&cache_once, cache_init);
    if (!cache_ready)
        return NULL;
    c = pthread_getspecific(cache_key);
    if (c)
        return c;
    c = OPENSSL_secure_zalloc(sizeof(*c));
    if (c && pthread_setspecific(cache_key, c) != 0) {
        cache_free(c);
        c = NULL;
    }
    return c;
}

/* "Signature expired: <t> is now earlier than <now - skew> (<now> - 5 min.)" and the
 * not-yet-current twin (AWS-NOTES §6). */
static cu_rc clock_error(const struct sigv4_auth *a, int64_t now_s, int skew_s, bool early,
                         struct cu_err *err)
{
    char bound[17], now[17];

    clock_amz_date(early ? now_s - skew_s : now_s + skew_s, bound);
    clock_amz_date(now_s, now);
    if (early)
        return cu_err_set(err, CU_E_SIGNATURE_EXPIRED,
                          "Signature expired: %s is now earlier than %s (%s - %d min.)",
                          a->amz_date, bound, now, skew_s / 60);
    return cu_err_set(err, CU_E_SIGNATURE_EXPIRED,
                      "Signature not yet current: %s is still later than %s (%s + %d min.)",
                      a->amz_date, bound, now, skew_s / 60);
}

cu_rc sigv4_check_scope(const struct sigv4_auth *a, const char *expected_region,
                        const char *expected_service, int64_t now_s, int skew_s,
                        struct cu_err *err)
{
    if (strncmp(a->scope_date, a->amz_date, 8) != 0)
        return cu_err_set(err, CU_E_SIGNATURE_MISMATCH,
                          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                          "of date from HTTP: '%s' != '%.8s', from '%s'.",
                          a->scope_date, a->amz_date, a->amz_date);
    if (strcmp(a->region, expected_region) != 0)
        return cu_err_set(err, CU_E_SIGNATURE_MISMATCH,
                          "Credential should be scoped to a valid region, not '%s'. ", a->region);
    if (strcmp(a->service, expected_service) != 0)
        return cu_err_set(err, CU_E_SIGNATURE_MISMATCH,
                          "Credential should be scoped to correct service: '%s'. ",
                          expected_service);
    if (a->presigned) {
        if (a->expires < 1 || a->expires > 604800)
            return cu_err_set(err, CU_E_INCOMPLETE_SIGNATURE,
                              "X-Amz-Expires must be less than a week (in seconds) that is 604800");
        if (now_s > a->request_time + a->expires)
            return cu_err_set(err, CU_E_SIGNATURE_EXPIRED, "Request has expired");
        if (a->request_time > now_s + skew_s)
            return clock_error(a, now_s, skew_s, false, err);
        return CU_OK;
    }
    if (a->request_time < now_s - skew_s)
        return clock_error(a, now_s, skew_s, true, err);
    if (a->request_time > now_s + skew_s)
        return clock_error(a, now_s, skew_s, false, err);
    return CU_OK;
}

static cu_rc derive(struct bytes secret, const struct sigv4_auth *a, uint8_t out[32])
{
    cu_rc rc = CU_OK;
    uint8_t k[32];
    struct secret *seed = NULL;

    TRY(secret_new(secret.n + 4, &seed));
    memcpy(seed->p, "AWS4", 4);
    memcpy(seed->p + 4, secret.p, secret.n);
    digest_hmac_sha256(secret_bytes(seed), bytes_str(a->scope_date), k);
    digest_hmac_sha256(bytes_of(k, 32), bytes_str(a->region), k);
    digest_hmac_sha256(bytes_of(k, 32), bytes_str(a->service), k);
    digest_hmac_sha256(bytes_of(k, 32), bytes_str("aws4_request"), out);
out:
    secret_wipe(k, sizeof(k));
    secret_free(seed);
    return rc;
}

static bool same_entry(const struct cached_key *c, struct bytes secret,
                       const struct sigv4_auth *a)
{
    return c->used && strcmp(c->access_key_id, a->access_key_id) == 0 &&
           strcmp(c->scope_date, a->scope_date) == 0 && strcmp(c->region, a->region) == 0 &&
           strcmp(c->service, a->service) == 0 &&
           ct_equal(c->secret, c->secret_len, secret.p, secret.n);
}

/* *signer = an HMAC state keyed with the signing key for this secret and scope. */
static cu_rc signing_key(struct bytes secret, const struct sigv4_auth *a,
                         struct hmac_sha256 *signer)
{
    cu_rc rc = CU_OK;
    uint8_t key[32];
    struct key_cache *cache = secret.n <= CACHED_SECRET_MAX ? thread_cache() : NULL;
    struct cached_key *slot;

    for (size_t i = 0; cache && i < KEY_CACHE_SLOTS; i++) {
        if (same_entry(&cache->slots[i], secret, a)) {
            *signer = cache->slots[i].signer;
            stats_add(STATS_SIGV4_KEY_HIT, 1);
            goto out;
        }
    }
    stats_add(STATS_SIGV4_KEY_MISS, 1);
    TRY(derive(secret, a, key));
    hmac_sha256_init(signer, bytes_of(key, sizeof(key)));
    if (!cache)
        goto out;
    slot = &cache->slots[cache->next++ % KEY_CACHE_SLOTS];
    secret_wipe(slot, sizeof(*slot));
    str_copy(slot->access_key_id, sizeof(slot->access_key_id), a->access_key_id);
    str_copy(slot->scope_date, sizeof(slot->scope_date), a->scope_date);
    str_copy(slot->region, sizeof(slot->region), a->region);
    str_copy(slot->service, sizeof(slot->service), a->service);
    memcpy(slot->secret, secret.p, secret.n);
    slot->secret_len = secret.n;
    slot->signer = *signer;
    slot->used = true;
out:
    secret_wipe(key, sizeof(key));
    return rc;
}

/* A body hash the client declares must be the body's (unless it declares none). */
static cu_rc check_payload_hash(const struct http_req *req, struct cu_err *err)
{
    const char *declared = http_req_header(req, "X-Amz-Content-Sha256");
    uint8_t hash[32];
    char hex[65];

    if (!declared || strcmp(declared, "UNSIGNED-PAYLOAD") == 0)
        return CU_OK;
    digest_sha256(req->body, hash);
    hex_encode_to(hash, 32, hex);
    if (strcasecmp(declared, hex) != 0)
        return cu_err_set(err, CU_E_SIGNATURE_MISMATCH,
                          "The provided 'x-amz-content-sha256' header does not match what was "
                          "computed.");
    return CU_OK;
}

cu_rc sigv4_verify(const struct http_req *req, const struct sigv4_auth *a,
                   struct bytes secret_key, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct buf canonical, to_sign;
    struct hmac_sha256 signer;
    uint8_t mac[32];
    char hex[65];

    buf_init(&canonical, 1 << 20);
    buf_init(&to_sign, 4096);
    /* room for a usual request at once: the SDKs' canonical requests run to 300-600 bytes */
    TRY(buf_reserve(&canonical, 1024));
    TRY(buf_reserve(&to_sign, 256));
    TRY(check_payload_hash(req, err));
    TRY(sigv4_canonical_request(req, a, &canonical, err));
    TRY(sigv4_string_to_sign(a, buf_bytes(&canonical), &to_sign));
    TRY(signing_key(secret_key, a, &signer));
    hmac_sha256_update(&signer, buf_bytes(&to_sign));
    hmac_sha256_final(&signer, mac);
    hex_encode_to(mac, 32, hex);
    /* compare lowercase hex in constant time; clients send lowercase */
    ENSURE(ct_equal(hex, 64, a->signature, strlen(a->signature)),
           cu_err_set(err, CU_E_SIGNATURE_MISMATCH, "%s", mismatch));
out:
    secret_wipe(&signer, sizeof(signer));
    secret_wipe(mac, sizeof(mac));
    buf_release(&canonical);
    buf_release(&to_sign);
    return rc;
}
