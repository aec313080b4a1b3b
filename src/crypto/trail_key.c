/* trail_key.c — the audit trail's Ed25519 signing key (trail_key.h). The private half
 * exists only as the sealed seed on disk and inside an EVP_PKEY in memory; the seed's
 * transient copies are secrets, wiped. Ed25519 rather than CloudTrail's RSA: a 64-byte
 * signature, a 32-byte key, deterministic signing (no randomness drawn per digest) and
 * no parameters to get wrong. */
#include "trail_key.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"
#include "core/rand.h"
#include "crypto/digest.h"

#define SEED_LEN 32
#define SEALED_NAME "signing-key.sealed"
#define PUBLIC_NAME "public-key.pem"

static const char seal_aad[] = "custos/v1/audit-signing-key";

struct trail_key {
    EVP_PKEY *pkey;
};

struct trail_pubkey {
    EVP_PKEY *pkey;
};

static void fingerprint_of(EVP_PKEY *pkey, char out[TRAIL_FINGERPRINT_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char *der = NULL;
    uint8_t md[DIGEST_SHA256_LEN];
    int n = i2d_PUBKEY(pkey, &der);

    memset(md, 0, sizeof(md));
    if (n > 0)
        digest_sha256(bytes_of(der, (size_t)n), md);
    OPENSSL_free(der);
    for (size_t i = 0; i < sizeof(md); i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[TRAIL_FINGERPRINT_LEN] = '\0';
}

static cu_rc pkey_from_seed(const struct secret *seed, struct trail_key **out)
{
    cu_rc rc = CU_OK;
    struct trail_key *k = calloc(1, sizeof(*k));

    ENSURE(k, CU_E_NOMEM);
    k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed->p, seed->n);
    ENSURE(k->pkey, CU_E_INTERNAL);
    *out = k;
    k = NULL;
out:
    trail_key_free(k);
    return rc;
}

static cu_rc path_of(const char *dir, const char *name, char *path, size_t cap)
{
    return (size_t)snprintf(path, cap, "%s/%s", dir, name) < cap ? CU_OK : CU_E_INTERNAL;
}

cu_rc trail_key_load(const struct master_key *mk, const char *dir, struct trail_key **out,
                     struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct buf sealed;
    struct secret *seed = NULL;
    char path[4096];

    buf_init(&sealed, 4096);
    TRY(path_of(dir, SEALED_NAME, path, sizeof(path)));
    if (file_read_all(path, &sealed) != CU_OK) {
        rc = cu_err_set(err, CU_E_INTERNAL, "cannot read the trail's signing key %s: %s", path,
                        strerror(errno));
        goto out;
    }
    if (master_key_open(mk, buf_bytes(&sealed), bytes_of(seal_aad, sizeof(seal_aad) - 1),
                        &seed) != CU_OK ||
        seed->n != SEED_LEN) {
        rc = cu_err_set(err, CU_E_INTERNAL,
                        "the trail's signing key %s does not open under this master key", path);
        goto out;
    }
    TRY(pkey_from_seed(seed, out));
out:
    secret_free(seed);
    buf_release(&sealed);
    return rc;
}

/* First start: a fresh seed, sealed; then the public half. The sealed file is linked in
 * exclusively, so a key another process made meanwhile is kept (and loaded instead). */
static cu_rc create(const struct master_key *mk, const char *dir, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct secret *seed = NULL;
    struct trail_key *k = NULL;
    struct buf sealed, pem;
    char path[4096], why[128];

    buf_init(&sealed, 4096);
    buf_init(&pem, 4096);
    TRY(secret_new(SEED_LEN, &seed));
    TRY(rand_bytes(seed->p, SEED_LEN));
    TRY(master_key_seal(mk, secret_bytes(seed), bytes_of(seal_aad, sizeof(seal_aad) - 1),
                        &sealed));
    TRY(pkey_from_seed(seed, &k));
    TRY(trail_key_public_pem(k, &pem));
    TRY(path_of(dir, PUBLIC_NAME, path, sizeof(path)));
    /* the public half first: a crash between the two leaves a public key and no private
     * one, and the next start makes both again */
    rc = file_write_atomic(path, buf_bytes(&pem), 0644, false, why, sizeof(why));
    ENSURE(rc == CU_OK, cu_err_set(err, CU_E_INTERNAL, "cannot write %s: %s", path, why));
    TRY(path_of(dir, SEALED_NAME, path, sizeof(path)));
    rc = file_write_atomic(path, buf_bytes(&sealed), 0600, true, why, sizeof(why));
    if (rc == CU_E_STORE_EXISTS)
        rc = CU_OK;
    ENSURE(rc == CU_OK, cu_err_set(err, CU_E_INTERNAL, "cannot write %s: %s", path, why));
out:
    trail_key_free(k);
    secret_free(seed);
    buf_release(&sealed);
    buf_release(&pem);
    return rc;
}

cu_rc trail_key_load_or_create(const struct master_key *mk, const char *dir,
                               struct trail_key **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    char path[4096];
    struct stat st;

    TRY(path_of(dir, SEALED_NAME, path, sizeof(path)));
    if (stat(path, &st) != 0 && errno == ENOENT)
        TRY(create(mk, dir, err));
    TRY(trail_key_load(mk, dir, out, err));
out:
    return rc;
}

cu_rc trail_key_sign(const struct trail_key *k, struct bytes msg, uint8_t sig[TRAIL_SIG_LEN])
{
    cu_rc rc = CU_OK;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t n = TRAIL_SIG_LEN;

    /* Ed25519 is a one-shot signature over the message itself: no digest is named */
    ENSURE(ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
               EVP_DigestSign(ctx, sig, &n, msg.p, msg.n) == 1 && n == TRAIL_SIG_LEN,
           CU_E_INTERNAL);
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

static cu_rc pem_of(EVP_PKEY *pkey, struct buf *out)
{
    cu_rc rc = CU_OK;
    BIO *bio = BIO_new(BIO_s_mem());
    char *p = NULL;
    long n;

    ENSURE(bio && PEM_write_bio_PUBKEY(bio, pkey) == 1, CU_E_INTERNAL);
    n = BIO_get_mem_data(bio, &p);
    ENSURE(n > 0, CU_E_INTERNAL);
    TRY(buf_add(out, p, (size_t)n));
out:
    BIO_free(bio);
    return rc;
}

cu_rc trail_key_public_pem(const struct trail_key *k, struct buf *out)
{
    return pem_of(k->pkey, out);
}

void trail_key_fingerprint(const struct trail_key *k, char out[TRAIL_FINGERPRINT_LEN + 1])
{
    fingerprint_of(k->pkey, out);
}

void trail_key_free(struct trail_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

cu_rc trail_pubkey_parse(struct bytes pem, struct trail_pubkey **out)
{
    cu_rc rc = CU_OK;
    BIO *bio = BIO_new_mem_buf(pem.p, (int)pem.n);
    struct trail_pubkey *k = calloc(1, sizeof(*k));

    ENSURE(k && bio && pem.n < (1u << 20), CU_E_NOMEM);
    k->pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    ENSURE(k->pkey && EVP_PKEY_get_id(k->pkey) == EVP_PKEY_ED25519, CU_E_MALFORMED_INPUT);
    *out = k;
    k = NULL;
out:
    BIO_free(bio);
    trail_pubkey_free(k);
    return rc;
}

cu_rc trail_pubkey_der(const struct trail_pubkey *k, struct buf *out)
{
    cu_rc rc = CU_OK;
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k->pkey, &der);

    ENSURE(n > 0, CU_E_INTERNAL);
    TRY(buf_add(out, der, (size_t)n));
out:
    OPENSSL_free(der);
    return rc;
}

void trail_pubkey_fingerprint(const struct trail_pubkey *k, char out[TRAIL_FINGERPRINT_LEN + 1])
{
    fingerprint_of(k->pkey, out);
}

bool trail_pubkey_verify(const struct trail_pubkey *k, struct bytes msg, struct bytes sig)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && sig.n == TRAIL_SIG_LEN &&
              EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
              EVP_DigestVerify(ctx, sig.p, sig.n, msg.p, msg.n) == 1;

    EVP_MD_CTX_free(ctx);
    return ok;
}

void trail_pubkey_free(struct trail_pubkey *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}
