/* oidc_keys.c — the issuers' key sets (oidc_keys.h). The table is filled at start, before
 * any request, and never changes shape afterwards: a reload replaces sets in place under
 * the write lock, so readers hold the lock only while one signature is verified. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "jwks.h"
#include "oidc_keys.h"

struct issuer_keys {
    char issuer[2048];
    char path[1024];
    struct jwks *set;
};

struct oidc_keys {
    pthread_rwlock_t lock;
    struct issuer_keys issuers[OIDC_KEYS_MAX_ISSUERS];
    size_t n;
};

cu_rc oidc_keys_new(struct oidc_keys **out)
{
    struct oidc_keys *k = calloc(1, sizeof(*k));

    if (!k || pthread_rwlock_init(&k->lock, NULL) != 0) {
        free(k);
        return CU_E_NOMEM;
    }
    *out = k;
    return CU_OK;
}

void oidc_keys_free(struct oidc_keys *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++)
        jwks_free(k->issuers[i].set);
    pthread_rwlock_destroy(&k->lock);
    free(k);
}

/* Read and parse path into *out; the reason for the operator in err. */
static cu_rc read_set(const char *path, struct jwks **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    FILE *f = fopen(path, "rb");
    struct buf text;
    char chunk[4096];
    size_t n;

    buf_init(&text, JWKS_MAX_BYTES);
    ENSURE(f, cu_err_set(err, CU_E_VALIDATION, "--oidc-jwks: cannot read %s", path));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ENSURE(buf_add(&text, chunk, n) == CU_OK,
               cu_err_set(err, CU_E_VALIDATION, "--oidc-jwks: %s is larger than %d bytes", path,
                          JWKS_MAX_BYTES));
    ENSURE(!ferror(f), cu_err_set(err, CU_E_VALIDATION, "--oidc-jwks: cannot read %s", path));
    if (jwks_parse(buf_bytes(&text), out, err) != CU_OK) {
        char why[CU_ERR_MSG_MAX];
        str_copy(why, sizeof(why), err->msg);
        rc = cu_err_set(err, CU_E_VALIDATION, "--oidc-jwks: %s: %s", path, why);
    }
out:
    if (f)
        fclose(f);
    buf_release(&text);
    return rc;
}

cu_rc oidc_keys_add(struct oidc_keys *k, const char *spec, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char *eq = strchr(spec, '=');
    struct issuer_keys *it;
    size_t issuer_len = eq ? (size_t)(eq - spec) : 0;

    ENSURE(eq && eq[1], cu_err_set(err, CU_E_VALIDATION,
                                   "--oidc-jwks: expected ISSUER_URL=JWKS_FILE, got '%s'", spec));
    ENSURE(issuer_len > 8 && strncasecmp(spec, "https://", 8) == 0 &&
               issuer_len < sizeof(it->issuer) && strlen(eq + 1) < sizeof(it->path),
           cu_err_set(err, CU_E_VALIDATION,
                      "--oidc-jwks: the issuer must be an https:// URL (a token's iss), got '%.*s'",
                      (int)(issuer_len > 200 ? 200 : issuer_len), spec));
    ENSURE(k->n < OIDC_KEYS_MAX_ISSUERS,
           cu_err_set(err, CU_E_VALIDATION, "--oidc-jwks: at most %d issuers",
                      OIDC_KEYS_MAX_ISSUERS));
    for (size_t i = 0; i < k->n; i++)
        ENSURE(strlen(k->issuers[i].issuer) != issuer_len ||
                   strncmp(k->issuers[i].issuer, spec, issuer_len) != 0,
               cu_err_set(err, CU_E_VALIDATION, "--oidc-jwks: issuer %.*s given twice",
                          (int)issuer_len, spec));
    it = &k->issuers[k->n];
    memcpy(it->issuer, spec, issuer_len);
    it->issuer[issuer_len] = '\0';
    str_copy(it->path, sizeof(it->path), eq + 1);
    TRY(read_set(it->path, &it->set, err));
    log_info("oidc: %zu key(s) for %s from %s", jwks_count(it->set), it->issuer, it->path);
    k->n++;
out:
    return rc;
}

size_t oidc_keys_reload(struct oidc_keys *k)
{
    struct jwks *fresh[OIDC_KEYS_MAX_ISSUERS] = {0};
    size_t failed = 0;

    if (!k)
        return 0;
    /* read every file outside the lock: requests go on verifying meanwhile */
    for (size_t i = 0; i < k->n; i++) {
        struct cu_err err = {0};
        if (read_set(k->issuers[i].path, &fresh[i], &err) != CU_OK) {
            log_error("oidc: SIGHUP: keeping the previous keys of %s: %s", k->issuers[i].issuer,
                      err.msg);
            failed++;
        }
    }
    pthread_rwlock_wrlock(&k->lock);
    for (size_t i = 0; i < k->n; i++) {
        if (!fresh[i])
            continue;
        jwks_free(k->issuers[i].set);
        k->issuers[i].set = fresh[i];
        log_info("oidc: SIGHUP: %zu key(s) for %s from %s", jwks_count(fresh[i]),
                 k->issuers[i].issuer, k->issuers[i].path);
    }
    pthread_rwlock_unlock(&k->lock);
    return failed;
}

enum oidc_verdict oidc_keys_verify(struct oidc_keys *k, const char *issuer, const struct jwt *j)
{
    enum oidc_verdict v = OIDC_NO_KEY;
    struct evp_pkey_st *key;

    if (!k)
        return OIDC_NO_KEY;
    pthread_rwlock_rdlock(&k->lock);
    for (size_t i = 0; i < k->n; i++) {
        if (strcmp(k->issuers[i].issuer, issuer) != 0)
            continue;
        key = jwks_find(k->issuers[i].set, j->kid, j->alg);
        if (key)
            v = jwt_verify(j, key) ? OIDC_VERIFIED : OIDC_BAD_SIGNATURE;
        break;
    }
    pthread_rwlock_unlock(&k->lock);
    return v;
}
